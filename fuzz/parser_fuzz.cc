// Arbitrary bytes as predicate text, against TPC-H lineitem, a schema with
// every type, and raw mode. Must never crash; a predicate that compiles must
// print a canonical form that compiles to the same canonical form (round
// trip), and the split must account for every conjunct.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "bpfgen/lang/limits.h"
#include "bpfgen/lang/predicate.h"
#include "bpfgen/lang/printer.h"
#include "bpfgen/lang/split.h"
#include "bpfgen/schema/schema.h"
#include "bpfgen/schema/tpch.h"

namespace {

using pushdown::bpfgen::Schema;

const Schema& SchemaNumber(int i) {
  static const Schema* schemas[3] = {
      new Schema(*pushdown::bpfgen::ParseSchema(pushdown::bpfgen::kLineitemDdl)),
      new Schema(*pushdown::bpfgen::ParseSchema(
          "id INT64 KEY, i32 INT32, d DECIMAL(10,2), d4 DECIMAL(18,4), "
          "f DOUBLE, b BOOL, dt DATE, c CHAR(5), v VARCHAR(20)")),
      new Schema(Schema::Raw()),
  };
  return *schemas[i];
}

// ToTypedString of every conjunct with "DECIMAL(p,s)" shown as "DECIMAL(s)".
std::string TypedWithoutPrecision(const pushdown::bpfgen::Predicate& p, const Schema& schema) {
  std::string all;
  for (const auto& c : p.conjuncts) all += pushdown::bpfgen::ToTypedString(*c, schema) + "\n";
  std::string out;
  for (size_t i = 0; i < all.size(); ++i) {
    out += all[i];
    if (all.compare(i, 8, "DECIMAL(") == 0) {
      out += "ECIMAL(";
      i += 8;
      while (i < all.size() && all[i] != ',') ++i;  // skip the precision
    }
  }
  return out;
}

void Check(std::string_view text, const Schema& schema) {
  auto p = pushdown::bpfgen::CompilePredicate(text, schema);
  if (!p.ok()) {
    if (!p.status().IsInvalidArgument()) {
      std::fprintf(stderr, "non-InvalidArgument error: %s\n", p.status().ToString().c_str());
      std::abort();
    }
    return;
  }
  std::string canonical = pushdown::bpfgen::ToString(*p, schema);
  // Near the size limit the canonical form (parentheses, decimal scales) can
  // outgrow the 64 KiB text limit; that is the one allowed round-trip failure.
  if (canonical.size() > pushdown::bpfgen::kMaxPredicateBytes) return;
  auto again = pushdown::bpfgen::CompilePredicate(canonical, schema);
  if (!again.ok()) {
    std::fprintf(stderr, "canonical form does not compile:\n%s\n%s\n", canonical.c_str(),
                 again.status().message().c_str());
    std::abort();
  }
  std::string canonical2 = pushdown::bpfgen::ToString(*again, schema);
  if (canonical2 != canonical) {
    std::fprintf(stderr, "round trip differs:\n%s\n%s\n", canonical.c_str(), canonical2.c_str());
    std::abort();
  }
  if (pushdown::bpfgen::ToString(p->Clone(), schema) != canonical) std::abort();
  // Same types too (up to DECIMAL precision, which does not change values):
  // the canonical text must not change which comparison/arithmetic runs.
  std::string typed = TypedWithoutPrecision(*p, schema);
  std::string typed2 = TypedWithoutPrecision(*again, schema);
  if (typed != typed2) {
    std::fprintf(stderr, "canonical form types differ:\n%s\n%s\n", typed.c_str(), typed2.c_str());
    std::abort();
  }
  for (const auto& caps :
       {pushdown::bpfgen::TargetCaps::Kernel(), pushdown::bpfgen::TargetCaps::Host()}) {
    auto split = pushdown::bpfgen::SplitPredicate(*p, schema, caps);
    if (split.device.size() + split.residual.size() != p->conjuncts.size()) std::abort();
    for (const auto& r : split.residual) {
      if (r.reason.empty()) std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (int i = 0; i < 3; ++i) Check(text, SchemaNumber(i));
  return 0;
}
