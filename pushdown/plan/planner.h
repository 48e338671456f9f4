// The scan planner: the one place that decides how a scan runs. Every entry
// point (AttachedDB / PushdownDB Scan, Aggregate and Explain, and `pushdown
// compile`) calls it, so that Explain reports exactly the plan Scan runs.
//
// Inputs are RocksDB-agnostic: the schema and the type-checked predicate, the
// typed device request, and the facts about the column family that the
// engine collected (ColumnFamilyFacts). Output: the path (pushdown or
// iterator, with a typed reason), the device that runs the predicate and why
// it is not the requested one, the predicate split, and the loaded program
// (compiled, or found in the ProgramCache).
//
// Decision order (the first that applies wins):
//   1. request kIterator                          -> iterator, kRequested
//   2. column family facts: a merge operator with uncaptured memtable data, user
//      timestamps, a non-bytewise comparator, blob files
//                                                 -> iterator, that reason
//      (a merge operator alone is not: files with merge operands are
//      rejected by the SST reader, see FallBackToIterator)
//   3. memtable data the merge cannot take (no capture, or the capture's
//      fallback reason)                           -> iterator, kMemtable
//   4. device choice (ChooseDevice), split with the chosen device's caps;
//      nothing pushed (no device conjunct: TRUE, or every conjunct residual)
//      and no device aggregates -> pushdown, host_decode: no program, device
//      "none" (the host decodes the blocks straight into the merge);
//   5. placement (placement.h): Placement::kIterator -> iterator, kRequested
//      (checked first, before step 2); kAuto with an estimate, device kAuto
//      and no strict_device: the iterator path when its estimate is lower
//                                                 -> iterator, kCost
//      (an explicit kernel/host request or strict_device asked for the
//      pushdown path: estimated, not moved)
//   6. program lookup/compile (a failed host load -> the host reference
//      filter, device "host")                     -> pushdown
// Later stages may still send a pushdown plan to the iterator path with
// FallBackToIterator (a file the SST reader rejects: merge operands, ...);
// the engine does that identically for Scan and Explain.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bpfgen/lang/ast.h"
#include "bpfgen/lang/split.h"
#include "bpfgen/schema/schema.h"
#include "pushdown/device/device_request.h"
#include "pushdown/device/fallback.h"
#include "pushdown/device/program_cache.h"
#include "pushdown/plan/placement.h"
#include "util/status.h"

namespace pushdown::plan {

// What the engine knows about the scanned column family and DB state.
struct ColumnFamilyFacts {
  std::string merge_operator;       // its Name(); "" = none
  bool bytewise_comparator = true;  // rocksdb::BytewiseComparator()
  std::string comparator;           // the comparator's Name()
  size_t timestamp_size = 0;        // user-defined timestamp bytes; 0 = none
  bool blob_files = false;          // enable_blob_files
  bool read_only = false;           // the DB cannot flush
  // Entries in the active and immutable memtables (RocksDB properties).
  uint64_t memtable_entries = 0;
  // The memtable data is available to the merge (memtable_view.h capture).
  bool memtable_captured = false;
  // Non-empty: the capture could not establish exactness (its reason).
  std::string memtable_fallback_reason;
};

enum class Path : uint8_t { kPushdown, kIterator };

// Why a plan takes the iterator path.
enum class IteratorReason : uint8_t {
  kNone = 0,       // pushdown path
  kRequested,      // DeviceRequest::kIterator
  kMergeOperator,  // values may be merge operands
  kComparator,     // the SST order is not bytewise
  kTimestamps,     // user-defined timestamps in the keys
  kBlobFiles,      // values may live in blob files
  kMemtable,       // memtable data the merge cannot take exactly
  kFile,           // an SST file the pushdown reader rejects (FallBackToIterator)
  kDeviceIo,       // the block reader's I/O mode is unavailable (FallBackToIterator)
  kCost,           // Placement::kAuto: the iterator's estimate is lower (placement.h)
};

// How placement decided the path (Plan::placement_decision).
enum class PlacementDecision : uint8_t {
  kNone = 0,   // placement did not decide: the facts did (iterator_reason), or no estimate
  kRequested,  // PlanRequest::placement forced the path (kPushdown / kIterator)
  kCost,       // kAuto took the lower estimate
  kDevice,     // kAuto, but an explicit device request or strict_device keeps pushdown
};

// "", "requested", "cost", "device".
const char* PlacementDecisionName(PlacementDecision d);

// "none", "requested", "merge operator", "comparator", "timestamps", "blob
// files", "memtable", "file", "device io", "cost".
const char* IteratorReasonName(IteratorReason reason);

struct PlanRequest {
  const bpfgen::Schema* schema = nullptr;        // REQUIRES: set, outlives the plan
  const bpfgen::Predicate* predicate = nullptr;  // REQUIRES: set, type-checked, outlives
  exec::DeviceRequest device = exec::DeviceRequest::kAuto;
  bool strict_device = false;
  ColumnFamilyFacts cf;
  // Aggregation on the device (bpfgen/codegen/compiler.h, AggregateItem;
  // REQUIRES: the arguments outlive the plan): compiled into the program
  // when the whole predicate runs on the device (no residual), which
  // Plan::device_aggregates then says. `aggregates_key` names them in the
  // program cache (ProgramKey::aggregates).
  std::vector<bpfgen::AggregateItem> aggregates;
  std::string aggregates_key;
  // Which path (placement.h): kAuto = the cheaper estimate where the device
  // request allows both; `cost` is what the estimate knows (not known: no
  // estimate, kAuto keeps the pushdown path).
  Placement placement = Placement::kAuto;
  CostInputs cost;
};

struct Plan {
  Path path = Path::kIterator;
  IteratorReason iterator_reason = IteratorReason::kNone;
  exec::DeviceRequest requested = exec::DeviceRequest::kAuto;
  // Where the predicate runs: "kernel" | "host" | "iterator", or "none" with
  // host_decode.
  std::string device = "iterator";
  // Why the scan does not run where requested ("" = it does): the iterator
  // reason's text, or the device fallback ("no BPF privilege: ...").
  std::string fallback_reason;
  exec::Fallback device_fallback;  // the device part (kNone on the iterator path)

  // Pushdown path: the split for the chosen device and the program.
  std::vector<const bpfgen::Expr*> device_conjuncts;
  std::vector<bpfgen::SplitResult::Residual> residual;  // with the reasons
  bpfgen::PushdownKind pushdown_kind = bpfgen::PushdownKind::kNone;
  // Null on the pushdown path: the device conjuncts run in the host reference
  // filter (the program load failed; fallback_reason says why).
  std::shared_ptr<exec::DeviceProgram> program;
  bool program_cached = false;  // this lookup found the program in the cache
  // `program` was compiled with PlanRequest::aggregates.
  bool device_aggregates = false;
  // The program-less host stream: nothing is pushed to the device (no device
  // conjunct) and no aggregate is compiled in, so no program is compiled or
  // run; the pushdown reader decodes the files' blocks (checksummed) on the
  // host straight into the merge (exec::HostFileStream without a filter),
  // where a program would only copy every entry into its output. `program`
  // is null, `device` is "none", fallback_reason is "" (no device was
  // needed), and CheckStrict accepts it for any requested device.
  bool host_decode = false;
  double compile_ms = 0;  // codegen + load (0 when cached)

  // Placement: the request, how it decided, and the estimate (set when
  // PlanRequest::cost is known and the column family did not decide first).
  Placement placement = Placement::kAuto;
  PlacementDecision placement_decision = PlacementDecision::kNone;
  std::optional<CostEstimate> cost;

  bool pushdown() const { return path == Path::kPushdown; }
  std::vector<const bpfgen::Expr*> residual_conjuncts() const;
};

// Plans a scan. `cache` compiles/looks up the program (REQUIRES: non-null;
// its registry is the one devices are chosen from). Errors: a host-side
// failure other than a program load (InvalidArgument for a bad request);
// with strict_device, a plan that does not run on the requested device is
// Unavailable naming the reason (CheckStrict).
Result<Plan> MakePlan(const PlanRequest& request, exec::ProgramCache* cache);

// Whether the pushdown path can read the family's SST files at all (not
// kIterator, by device or placement; no timestamps, bytewise comparator, no blob files): the engine
// captures the memtable (an expensive WAL read) only then.
bool ColumnFamilyReadable(const PlanRequest& request);

// Moves a pushdown plan to the iterator path (a later stage found a reason),
// then applies CheckStrict.
Status FallBackToIterator(Plan* plan, IteratorReason reason, std::string detail, bool strict);

// With strict: Unavailable when the plan does not run where requested
// (the device ran is not the requested one; for kAuto, any iterator path).
Status CheckStrict(const Plan& plan);

// The split capabilities of a target device without choosing an available
// one (offline planning: `pushdown compile`): kKernel -> the kernel
// generator's, kHost -> the host generator's. InvalidArgument for kAuto and
// kIterator.
Result<bpfgen::TargetCaps> TargetSplitCaps(exec::DeviceRequest target);

// The device choice for a request (exec::ChooseDevice over the typed value).
// REQUIRES: request is kAuto, kKernel or kHost.
Result<exec::DeviceChoice> ChooseDevice(exec::DeviceRegistry& registry,
                                        exec::DeviceRequest request);

}  // namespace pushdown::plan
