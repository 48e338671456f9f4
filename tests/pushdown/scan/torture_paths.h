// The scan paths the torture tests drive: the predicate compiled once per
// process, loaded on the host (JIT) and kernel (BPF) devices.
#pragma once

#include <memory>
#include <string>

#include "bpfgen/codegen/compiler.h"
#include "bpfgen/lang/ast.h"
#include "bpfgen/schema/schema.h"
#include "pushdown/device/program_cache.h"
#include "tests/pushdown/scan/torture_support.h"

namespace pushdown::exec::testing_support {

struct CompiledPredicate {
  bpfgen::Schema schema = bpfgen::Schema::Raw();
  bpfgen::Predicate device;    // kDevicePredicate
  bpfgen::Predicate residual;  // kResidualPredicate
  bpfgen::Predicate zone;      // kZonePredicate
};

// Compiled once; aborts the test (ADD_FAILURE + nullptr) if it does not compile.
const CompiledPredicate* Predicates();

// Small local memory: batches that fill the output (re-runs) and blocks larger
// than the program accepts (filtered on the host).
bpfgen::CompileOptions TinyCompileOptions();

// Loads the device conjuncts on `device` ("host" or "kernel"), no fallback:
// *skip_reason is set (and nullptr returned) when the device cannot be used here.
std::unique_ptr<DeviceProgram> LoadOn(const std::string& device,
                                      const bpfgen::CompileOptions* options,
                                      std::string* skip_reason);

// An OpenFn running the plan through `program` (null: the host reference path
// with the evaluator).
OpenFn DevicePath(DeviceProgram* program);

// DevicePath with kZonePredicate added to the residual conjuncts and the
// plan's zone maps used as `use` says (kExact, or the naive negative control).
OpenFn ZoneMapPath(DeviceProgram* program, ScanPlan::ZoneMapUse use);

}  // namespace pushdown::exec::testing_support
