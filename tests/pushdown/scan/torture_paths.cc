#include "tests/pushdown/scan/torture_paths.h"

#include <gtest/gtest.h>

#include "bpfgen/lang/predicate.h"

namespace pushdown::exec::testing_support {

const CompiledPredicate* Predicates() {
  static const CompiledPredicate* compiled = []() -> const CompiledPredicate* {
    auto* c = new CompiledPredicate();
    auto d = bpfgen::CompilePredicate(kDevicePredicate, c->schema);
    auto r = bpfgen::CompilePredicate(kResidualPredicate, c->schema);
    auto z = bpfgen::CompilePredicate(kZonePredicate, c->schema);
    if (!d.ok() || !r.ok() || !z.ok()) {
      ADD_FAILURE() << "predicate: " << d.status().ToString() << " / " << r.status().ToString()
                    << " / " << z.status().ToString();
      delete c;
      return nullptr;
    }
    c->device = std::move(*d);
    c->residual = std::move(*r);
    c->zone = std::move(*z);
    return c;
  }();
  return compiled;
}

bpfgen::CompileOptions TinyCompileOptions() {
  bpfgen::CompileOptions o;
  o.max_blocks = 4;
  o.block_capacity = 4096;
  o.max_block_size = 1024;
  o.out_capacity = 128;
  o.key_arena_size = 4096;
  o.max_key_size = 64;
  return o;
}

std::unique_ptr<DeviceProgram> LoadOn(const std::string& device,
                                      const bpfgen::CompileOptions* options,
                                      std::string* skip_reason) {
  const CompiledPredicate* p = Predicates();
  if (p == nullptr) return nullptr;
  std::vector<const bpfgen::Expr*> conjuncts;
  for (const auto& c : p->device.conjuncts) conjuncts.push_back(c.get());
  auto loaded = CompileAndLoad(DeviceRegistry::Default(), device, p->schema, conjuncts, options);
  if (!loaded.ok()) {
    ADD_FAILURE() << "compile and load on " << device << ": " << loaded.status().ToString();
    return nullptr;
  }
  if ((*loaded)->fallback.fell_back()) {
    const Fallback& f = (*loaded)->fallback;
    if (f.reason == Fallback::Reason::kNoBpfPrivilege ||
        f.reason == Fallback::Reason::kDeviceUnavailable) {
      *skip_reason = std::string(device) + " device unavailable: " + f.detail;
    } else {
      ADD_FAILURE() << device << " fell back: " << FallbackReasonName(f.reason) << ": " << f.detail;
    }
    return nullptr;
  }
  return std::move(*loaded);
}

OpenFn DevicePath(DeviceProgram* program) {
  return [program](ScanPlan& plan) -> Result<std::unique_ptr<ScanExecutor>> {
    const CompiledPredicate* p = Predicates();
    if (p == nullptr) return Status::Internal("predicate did not compile");
    plan.schema = &p->schema;
    for (const auto& c : p->device.conjuncts) plan.device_conjuncts.push_back(c.get());
    for (const auto& c : p->residual.conjuncts) plan.residual_conjuncts.push_back(c.get());
    if (program != nullptr) {
      plan.device = program->device;
      plan.program = program->program.get();
    }
    return ScanExecutor::Open(plan);
  };
}

OpenFn ZoneMapPath(DeviceProgram* program, ScanPlan::ZoneMapUse use) {
  OpenFn inner = DevicePath(program);
  return [inner, use](ScanPlan& plan) -> Result<std::unique_ptr<ScanExecutor>> {
    const CompiledPredicate* p = Predicates();
    if (p == nullptr) return Status::Internal("predicate did not compile");
    for (const auto& c : p->zone.conjuncts) plan.residual_conjuncts.push_back(c.get());
    plan.zone_maps = use;
    return inner(plan);
  };
}

}  // namespace pushdown::exec::testing_support
