// Generative test: random typed predicates up to the language's limits
// (bpfgen/lang/limits.h: deep nesting, wide AND/OR, long LIKE patterns, big
// IN lists, long arithmetic chains) are compiled for both targets and run on
// sample blocks of the nullable "mixed" dataset. Never a process exit, crash
// or hang; the results equal the reference evaluator's; a kernel compile
// either succeeds or fails with a typed, fallback-able kind (kUnsupported,
// kCodegenRejected), never kInternal.
//
// Bounded in CI (PD_GENERATIVE_ITERS, default 40 predicates); longer offline:
//   PD_GENERATIVE_ITERS=2000 PD_GENERATIVE_SEED=7 build/tests/codegen_generative_test
// An offline run's counts are recorded in bench/results/codegen_perf.md.
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <random>
#include <string>

#include "bpfgen/lang/limits.h"
#include "tests/bpfgen/codegen/bpf_runner.h"
#include "tests/bpfgen/codegen/cases.h"
#include "tests/bpfgen/codegen/run_util.h"

namespace pushdown::bpfgen {
namespace {

using namespace testing;  // NOLINT

uint64_t EnvU64(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  return std::strtoull(v, nullptr, 10);
}

// Random predicate text over kMixedDdl (a INT32, b INT64, d DECIMAL(10,3),
// s VARCHAR(20), c CHAR(5), t VARCHAR(8), flag BOOL, dt DATE; all nullable).
// Every expression is well-typed; sizes are kept inside the front end's
// limits (nodes, depth, literal bytes, IN list), so nearly all parse.
class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  std::string Next() {
    nodes_ = 0;
    switch (Pick(7)) {
      case 0:  // deep arithmetic nesting: ((x * 3) % 7) ...
        return DeepArith();
      case 1:  // a long sum compared with 0
        return Chain();
      case 2:  // wide OR / AND of atoms
        return Wide();
      case 3:  // long LIKE patterns
        return LongLike();
      case 4:  // big IN lists
        return BigIn();
      default:  // random trees
        return Bool(4 + Pick(6));
    }
  }

 private:
  uint64_t Pick(uint64_t n) { return n == 0 ? 0 : rng_() % n; }
  bool Chance(int percent) { return static_cast<int>(Pick(100)) < percent; }

  std::string IntColumn() {
    ++nodes_;
    const char* cols[] = {"a", "b", "d", "id"};
    return cols[Pick(4)];
  }
  std::string IntLiteral() {
    ++nodes_;
    if (Chance(10)) return "NULL";
    if (Chance(10)) return "9223372036854775807";
    if (Chance(10)) return std::to_string(Pick(4)) + "." + std::to_string(Pick(1000));
    return std::to_string(static_cast<int64_t>(Pick(2001)) - 1000);
  }
  std::string Int(int depth) {
    if (depth <= 0 || Chance(25)) return Chance(60) ? IntColumn() : IntLiteral();
    const char* ops[] = {" + ", " - ", " * ", " / ", " % "};
    if (Chance(10)) {
      ++nodes_;
      return "-(" + Int(depth - 1) + ")";
    }
    ++nodes_;
    return "(" + Int(depth - 1) + ops[Pick(5)] + Int(depth - 1) + ")";
  }
  std::string StringColumn() {
    ++nodes_;
    const char* cols[] = {"s", "c", "t"};
    return cols[Pick(3)];
  }
  std::string Pattern(size_t max_bytes) {
    std::string p;
    size_t n = Pick(max_bytes + 1);
    const char alphabet[] = "abcxyz _%%";
    for (size_t i = 0; i < n; ++i) p += alphabet[Pick(sizeof(alphabet) - 1)];
    return "'" + p + "'";
  }
  std::string Atom(int depth) {
    ++nodes_;
    const char* cmps[] = {" = ", " <> ", " < ", " <= ", " > ", " >= "};
    switch (Pick(8)) {
      case 0:
        return Int(depth) + cmps[Pick(6)] + Int(depth);
      case 1:
        return Int(depth) + (Chance(30) ? " NOT" : "") + " BETWEEN " + Int(1) + " AND " + Int(1);
      case 2: {
        std::string in = Int(depth) + (Chance(30) ? " NOT IN (" : " IN (");
        size_t n = 1 + Pick(12);
        for (size_t i = 0; i < n; ++i) in += (i ? ", " : "") + IntLiteral();
        return in + ")";
      }
      case 3:
        return StringColumn() + (Chance(30) ? " NOT LIKE " : " LIKE ") + Pattern(12);
      case 4:
        return StringColumn() + cmps[Pick(6)] + (Chance(50) ? StringColumn() : Pattern(6));
      case 5:
        return std::string(Chance(50) ? "a" : "s") + (Chance(50) ? " IS NULL" : " IS NOT NULL");
      case 6:
        return Chance(50) ? "flag" : "NOT flag";
      default:
        return "dt >= DATE '19" + std::to_string(70 + Pick(30)) + "-01-01'";
    }
  }
  std::string Bool(int depth) {
    if (depth <= 0 || Chance(30)) return Atom(2);
    ++nodes_;
    switch (Pick(3)) {
      case 0:
        return "NOT (" + Bool(depth - 1) + ")";
      case 1:
        return "(" + Bool(depth - 1) + " AND " + Bool(depth - 1) + ")";
      default:
        return "(" + Bool(depth - 1) + " OR " + Bool(depth - 1) + ")";
    }
  }
  std::string DeepArith() {
    // Each level: ((x * k) % m) is 2 tree levels; stay under kMaxDepth.
    int levels = 1 + static_cast<int>(Pick((kMaxDepth - 4) / 2));
    std::string x = Chance(50) ? "a" : "b";
    for (int i = 0; i < levels; ++i) {
      x = "((" + x + " * " + std::to_string(2 + Pick(9)) + ") % " + std::to_string(2 + Pick(97)) +
          ")";
    }
    return x + (Chance(50) ? " > " : " = ") + std::to_string(Pick(5));
  }
  std::string Chain() {
    size_t terms = 2 + Pick(1200);  // one chain level: under kMaxNodes
    std::string x;
    for (size_t i = 0; i < terms; ++i) {
      x += (i == 0 ? "" : Chance(50) ? " + " : " - ") + (Chance(50) ? IntColumn() : IntLiteral());
    }
    return x + (Chance(50) ? " > 0" : " <> 0");
  }
  std::string Wide() {
    size_t n = 2 + Pick(60);
    const char* join = Chance(50) ? " OR " : " AND ";
    std::string x;
    for (size_t i = 0; i < n; ++i) {
      std::string atom = Chance(30) ? StringColumn() + " LIKE " + Pattern(16) : Atom(2);
      x += (i ? join : "") + atom;
    }
    return x;
  }
  std::string LongLike() {
    std::string p;
    size_t bytes = 1 + Pick(kMaxLiteralBytes - 2);
    bool segments = Chance(60);
    for (size_t i = 0; p.size() < bytes; ++i) {
      if (segments) {
        p += "%" + std::string(1, "abx_"[Pick(4)]);
      } else {
        p += "abcxyz _%"[Pick(9)];
      }
    }
    if (p.size() > kMaxLiteralBytes) p.resize(kMaxLiteralBytes);
    return StringColumn() + (Chance(30) ? " NOT LIKE '" : " LIKE '") + p + "'";
  }
  std::string BigIn() {
    size_t n = 1 + Pick(kMaxInList);
    std::string in = Int(2) + (Chance(30) ? " NOT IN (" : " IN (");
    for (size_t i = 0; i < n; ++i) {
      in += (i ? ", " : "") + std::to_string(static_cast<int64_t>(Pick(4001)) - 2000);
    }
    return in + ")";
  }

  std::mt19937_64 rng_;
  int nodes_ = 0;
};

struct Counts {
  int generated = 0, front_end_rejected = 0;
  int host_ok = 0;
  int bpf_ok = 0, bpf_unsupported = 0, bpf_codegen_rejected = 0;
  int bpf_split_partial = 0, bpf_split_none = 0;  // conjuncts the kernel caps keep on the host
  int bpf_verified = 0, bpf_verifier_rejected = 0;
};

void CheckBlocks(const std::string& text, const Dataset& d,
                 const std::vector<const Expr*>& conjuncts, const abi::ProgramLayout& layout,
                 uint8_t* mem, const RunFn& run) {
  Evaluator ev(d.schema);
  std::vector<std::vector<Entry>> parts;
  auto blocks = MakeBlocks(d, 16, 4096, false, &parts);
  uint64_t matched = 0;
  auto got = RunBatches(
      layout, mem, blocks, [](size_t k) { return k % 2 ? abi::kEmitShadows : 0u; }, run, &matched);
  ASSERT_EQ(got.size(), blocks.size()) << text;
  for (size_t k = 0; k < blocks.size(); ++k) {
    ASSERT_EQ(got[k], Expected(ev, conjuncts, parts[k], k % 2)) << text << "\nblock " << k;
  }
}

TEST(Generative, RandomPredicatesAtTheLimitsAreExactOnBothTargets) {
  const uint64_t iters = EnvU64("PD_GENERATIVE_ITERS", 40);
  const uint64_t seed = EnvU64("PD_GENERATIVE_SEED", 20261201);
  const bool bpf = HaveBpf();
  const Dataset& d = GetDataset("mixed");
  Generator gen(seed);
  Counts n;
  for (uint64_t it = 0; it < iters; ++it) {
    const std::string text = gen.Next();
    SCOPED_TRACE("iteration " + std::to_string(it) + ": " + text.substr(0, 300));
    ++n.generated;
    auto pred = CompilePredicate(text, d.schema);
    if (!pred.ok()) {
      ASSERT_TRUE(pred.status().IsInvalidArgument()) << pred.status().ToString();
      ++n.front_end_rejected;
      continue;
    }
    {  // Host: everything is device-side and must compile and be exact.
      SplitResult split = SplitPredicate(*pred, d.schema, TargetCaps::Host());
      CompileFailure failure = CompileFailure::kInternal;
      auto native = CompileNative(d.schema, split.device, TestOptions(), &failure);
      ASSERT_TRUE(native.ok()) << native.status().ToString();
      ASSERT_EQ(failure, CompileFailure::kNone);
      std::vector<uint8_t> mem((*native)->layout().mem_size);
      CheckBlocks(text, d, split.device, (*native)->layout(), mem.data(),
                  [&](abi::RunContext* ctx, uint8_t* m) { (*native)->fn()(ctx, m); });
      if (HasFatalFailure()) return;
      ++n.host_ok;
    }
    SplitResult split = SplitPredicate(*pred, d.schema, TargetCaps::Kernel());
    n.bpf_split_partial += split.kind == PushdownKind::kPartial;
    n.bpf_split_none += split.kind == PushdownKind::kNone;
    CompileFailure failure = CompileFailure::kInternal;
    auto program = CompileBpf(d.schema, split.device, TestOptions(), &failure);
    if (!program.ok()) {
      ASSERT_TRUE(program.status().IsNotSupported()) << program.status().ToString();
      if (failure == CompileFailure::kCodegenRejected) {
        ++n.bpf_codegen_rejected;
        std::cout << "codegen rejected (" << text.size() << " bytes): " << text.substr(0, 120)
                  << "...: " << program.status().message().substr(0, 80) << "\n";
        EXPECT_EQ(program.status().message().rfind(kCodegenRejectedPrefix, 0), 0u)
            << program.status().ToString();
      } else {
        ASSERT_EQ(failure, CompileFailure::kUnsupported) << program.status().ToString();
        ++n.bpf_unsupported;
      }
      continue;
    }
    ASSERT_EQ(failure, CompileFailure::kNone);
    ++n.bpf_ok;
    if (!bpf) continue;
    BpfRunner runner;
    std::string err = runner.Load(*program);
    if (!err.empty()) {  // production falls back to the host (verifier rejection)
      ++n.bpf_verifier_rejected;
      continue;
    }
    ++n.bpf_verified;
    CheckBlocks(text, d, split.device, program->layout, runner.mem(),
                [&](abi::RunContext* ctx, uint8_t*) { ASSERT_EQ(runner.Run(ctx), 0); });
    if (HasFatalFailure()) return;
  }
  std::cout << "generative (seed " << seed << "): " << n.generated << " predicates, "
            << n.front_end_rejected << " rejected by the front end; host: " << n.host_ok
            << " exact; kernel split: " << n.bpf_split_none << " all on the host, "
            << n.bpf_split_partial << " partial; kernel: " << n.bpf_ok << " compiled ("
            << n.bpf_unsupported << " unsupported, " << n.bpf_codegen_rejected
            << " codegen rejected), "
            << (bpf ? std::to_string(n.bpf_verified) + " verified and exact, " +
                          std::to_string(n.bpf_verifier_rejected) + " verifier rejected"
                    : std::string("not loaded (needs root/CAP_BPF)"))
            << "\n";
  RecordProperty("predicates", n.generated);
  RecordProperty("bpf_codegen_rejected", n.bpf_codegen_rejected);
  // Most generated predicates are within the limits by construction.
  EXPECT_LT(n.front_end_rejected * 4, n.generated);
}

}  // namespace
}  // namespace pushdown::bpfgen
