#include "pushdown/plan/planner.h"

#include <utility>

#include "bpfgen/lang/predicate.h"

namespace pushdown::plan {

namespace {

std::string JoinConjuncts(const std::vector<const bpfgen::Expr*>& conjuncts,
                          const bpfgen::Schema& schema) {
  std::string out;
  for (const bpfgen::Expr* e : conjuncts) {
    if (!out.empty()) out += " AND ";
    out += bpfgen::ToString(*e, schema);
  }
  return out.empty() ? "TRUE" : out;
}

std::string FallbackText(const exec::Fallback& fb) {
  std::string out = exec::FallbackReasonName(fb.reason);
  if (!fb.detail.empty()) out += ": " + fb.detail;
  return out;
}

void ToIterator(Plan* plan, IteratorReason reason, std::string detail) {
  plan->path = Path::kIterator;
  plan->iterator_reason = reason;
  plan->device = "iterator";
  plan->fallback_reason = std::move(detail);
  plan->device_fallback = exec::Fallback();
  plan->device_conjuncts.clear();
  plan->residual.clear();
  plan->pushdown_kind = bpfgen::PushdownKind::kNone;
  plan->program.reset();
  plan->program_cached = false;
  plan->device_aggregates = false;
  plan->host_decode = false;
  plan->compile_ms = 0;
}

// Step 2 and 3 of the decision order: "" = the pushdown path can read it.
std::pair<IteratorReason, std::string> ColumnFamilyReason(const ColumnFamilyFacts& cf) {
  // A merge operator alone does not rule the pushdown path out: the SST
  // reader rejects every file holding merge operands (table property
  // rocksdb.merge.operands; FallBackToIterator with kFile), and the merge
  // fails loudly on an unexpected merge entry. Memtable entries of such a
  // family may be merge operands: without a capture (which refuses merge
  // operands with its reason), the iterator path.
  if (!cf.merge_operator.empty() && cf.memtable_entries > 0 && !cf.memtable_captured &&
      cf.memtable_fallback_reason.empty()) {
    return {IteratorReason::kMergeOperator,
            "merge operator on column family (" + cf.merge_operator + ") with memtable data"};
  }
  if (cf.timestamp_size > 0) {
    return {IteratorReason::kTimestamps, "user-defined timestamps on column family (" +
                                             std::to_string(cf.timestamp_size) + " bytes, " +
                                             cf.comparator + ")"};
  }
  if (!cf.bytewise_comparator) {
    return {IteratorReason::kComparator, "non-bytewise comparator " + cf.comparator};
  }
  if (cf.blob_files) return {IteratorReason::kBlobFiles, "blob files enabled on column family"};
  if (cf.memtable_entries > 0 && !cf.memtable_captured) {
    if (!cf.memtable_fallback_reason.empty()) {
      return {IteratorReason::kMemtable, "memtable: " + cf.memtable_fallback_reason};
    }
    if (cf.read_only) return {IteratorReason::kMemtable, "read-only DB with unflushed data"};
    return {IteratorReason::kMemtable,
            "unflushed data in the memtable (" + std::to_string(cf.memtable_entries) + " entries)"};
  }
  return {IteratorReason::kNone, ""};
}

// Step 5: estimates both paths and, with kAuto where the request allows both,
// moves the plan to the iterator path when that is cheaper (true: moved).
// `compile`: the pushdown path would compile a program.
bool Place(const PlanRequest& request, bool compile, Plan* plan) {
  if (request.placement == Placement::kPushdown) {
    plan->placement_decision = PlacementDecision::kRequested;
  }
  if (!request.cost.known) return false;
  CostEstimate estimate = EstimateCost(request.cost, compile);
  if (request.placement == Placement::kAuto) {
    const bool either = request.device == exec::DeviceRequest::kAuto && !request.strict_device;
    plan->placement_decision = either ? PlacementDecision::kCost : PlacementDecision::kDevice;
    if (either && estimate.iterator_ms < estimate.pushdown_ms) {
      ToIterator(plan, IteratorReason::kCost, "");
      plan->cost = std::move(estimate);
      return true;
    }
  }
  plan->cost = std::move(estimate);
  return false;
}

}  // namespace

const char* IteratorReasonName(IteratorReason reason) {
  switch (reason) {
    case IteratorReason::kNone:
      return "none";
    case IteratorReason::kRequested:
      return "requested";
    case IteratorReason::kMergeOperator:
      return "merge operator";
    case IteratorReason::kComparator:
      return "comparator";
    case IteratorReason::kTimestamps:
      return "timestamps";
    case IteratorReason::kBlobFiles:
      return "blob files";
    case IteratorReason::kMemtable:
      return "memtable";
    case IteratorReason::kFile:
      return "file";
    case IteratorReason::kDeviceIo:
      return "device io";
    case IteratorReason::kCost:
      return "cost";
  }
  return "none";
}

const char* PlacementDecisionName(PlacementDecision d) {
  switch (d) {
    case PlacementDecision::kNone:
      return "";
    case PlacementDecision::kRequested:
      return "requested";
    case PlacementDecision::kCost:
      return "cost";
    case PlacementDecision::kDevice:
      return "device";
  }
  return "";
}

bool ColumnFamilyReadable(const PlanRequest& request) {
  const ColumnFamilyFacts& cf = request.cf;
  return request.device != exec::DeviceRequest::kIterator &&
         request.placement != Placement::kIterator && cf.timestamp_size == 0 &&
         cf.bytewise_comparator && !cf.blob_files;
}

std::vector<const bpfgen::Expr*> Plan::residual_conjuncts() const {
  std::vector<const bpfgen::Expr*> out;
  for (const auto& r : residual) out.push_back(r.conjunct);
  return out;
}

Result<exec::DeviceChoice> ChooseDevice(exec::DeviceRegistry& registry,
                                        exec::DeviceRequest request) {
  if (request == exec::DeviceRequest::kIterator) {
    return Status::InvalidArgument("the iterator path has no device");
  }
  // Seam: exec::ChooseDevice still takes the request's name (fallback.h).
  return exec::ChooseDevice(registry, exec::DeviceRequestName(request));
}

Result<bpfgen::TargetCaps> TargetSplitCaps(exec::DeviceRequest target) {
  switch (target) {
    case exec::DeviceRequest::kKernel:
      return bpfgen::TargetCaps::Kernel();
    case exec::DeviceRequest::kHost:
      return bpfgen::TargetCaps::Host();
    default:
      return Status::InvalidArgument("a compile target is kernel or host, not " +
                                     std::string(exec::DeviceRequestName(target)));
  }
}

Status CheckStrict(const Plan& plan) {
  if (plan.requested == exec::DeviceRequest::kIterator) return Status::OK();
  if (!plan.pushdown() && plan.placement == Placement::kIterator) return Status::OK();
  // No program needed (host_decode): no device could have run one.
  if (plan.pushdown() && plan.host_decode) return Status::OK();
  const bool ok = plan.pushdown() &&
                  (plan.requested == exec::DeviceRequest::kAuto ||
                   plan.device == exec::DeviceRequestName(plan.requested)) &&
                  plan.program != nullptr;
  if (ok) return Status::OK();
  std::string ran = plan.pushdown() ? plan.device : "iterator path";
  return Status::Unavailable(
      "strict device: requested " + std::string(exec::DeviceRequestName(plan.requested)) +
      ", the scan would run on " + ran +
      (plan.fallback_reason.empty() ? std::string() : " (" + plan.fallback_reason + ")"));
}

Status FallBackToIterator(Plan* plan, IteratorReason reason, std::string detail, bool strict) {
  ToIterator(plan, reason, std::move(detail));
  return strict ? CheckStrict(*plan) : Status::OK();
}

Result<Plan> MakePlan(const PlanRequest& request, exec::ProgramCache* cache) {
  if (request.schema == nullptr || request.predicate == nullptr || cache == nullptr) {
    return Status::InvalidArgument("plan request without schema, predicate or cache");
  }
  Plan plan;
  plan.requested = request.device;
  plan.placement = request.placement;
  if (request.device == exec::DeviceRequest::kIterator) {
    ToIterator(&plan, IteratorReason::kRequested, "");
    return plan;
  }
  if (request.placement == Placement::kIterator) {
    ToIterator(&plan, IteratorReason::kRequested, "");
    plan.placement_decision = PlacementDecision::kRequested;
    return plan;
  }
  auto [why, detail] = ColumnFamilyReason(request.cf);
  if (why != IteratorReason::kNone) {
    PD_RETURN_IF_ERROR(FallBackToIterator(&plan, why, std::move(detail), request.strict_device));
    return plan;
  }

  plan.path = Path::kPushdown;
  PD_ASSIGN_OR_RETURN(exec::DeviceChoice choice, ChooseDevice(cache->registry(), request.device));
  const exec::DeviceCaps& caps = choice.device->caps();
  bpfgen::SplitResult split =
      bpfgen::SplitPredicate(*request.predicate, *request.schema, caps.split_caps);
  plan.device_conjuncts = split.device;
  plan.residual = std::move(split.residual);
  plan.pushdown_kind = split.kind;

  // The key names the chosen device: a kernel request that fell back to the
  // host at choice time shares the host's program (the choice's fallback is
  // reported from `choice`, a load-time fallback from the program).
  exec::ProgramKey key{JoinConjuncts(plan.device_conjuncts, *request.schema),
                       request.schema->ToDdl(), caps.name};
  // Device aggregates only help when no row needs the host's residual.
  const bool aggregates = !request.aggregates.empty() && plan.residual.empty();
  if (plan.device_conjuncts.empty() && !aggregates) {
    plan.host_decode = true;
    plan.device = "none";
  }
  if (aggregates) key.aggregates = request.aggregates_key;
  // Place moves nothing under strict_device.
  if (Place(request, !plan.host_decode && !cache->Contains(key), &plan)) return plan;
  if (plan.host_decode) return plan;
  auto found =
      cache->GetOrLoad(key, *request.schema, plan.device_conjuncts, nullptr,
                       aggregates ? request.aggregates : std::vector<bpfgen::AggregateItem>());
  if (!found.ok()) {
    // The host's own failure: the device conjuncts run in the host reference
    // filter (exact, slower).
    plan.device = "host";
    plan.fallback_reason = "program load failed: " + found.status().message();
  } else {
    plan.program = std::move(found->program);
    plan.program_cached = found->cached;
    plan.device_aggregates = aggregates;
    plan.compile_ms = plan.program_cached ? 0 : plan.program->total_ms;
    plan.device = plan.program->device->caps().name;
    plan.device_fallback = choice.fallback.fell_back() ? choice.fallback : plan.program->fallback;
    if (plan.device_fallback.fell_back()) plan.fallback_reason = FallbackText(plan.device_fallback);
  }
  if (request.strict_device) PD_RETURN_IF_ERROR(CheckStrict(plan));
  return plan;
}

}  // namespace pushdown::plan
