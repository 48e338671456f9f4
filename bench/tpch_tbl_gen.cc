// tpch_tbl_gen: writes the project's TPC-H lineitem rows (engine/tpch) in
// dbgen's lineitem.tbl format on stdout: dbgen's field order, '|' after every
// field, DATE YYYY-MM-DD, DECIMAL with 2 digits (l_quantity, whole, without). Input for the import
// benchmark (bench/results/import.md) and for comparisons with load-tpch.
//   tpch_tbl_gen SCALE [SEED] > lineitem.tbl
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bpfgen/schema/schema.h"
#include "bpfgen/schema/text.h"
#include "bpfgen/schema/tpch.h"
#include "engine/api/import.h"
#include "engine/tpch/lineitem_gen.h"

int main(int argc, char** argv) {
  using namespace pushdown;
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: tpch_tbl_gen SCALE [SEED] > lineitem.tbl\n");
    return 2;
  }
  char* end = nullptr;
  const double scale = std::strtod(argv[1], &end);
  if (*end != '\0' || !(scale > 0) || scale > 1000) {
    std::fprintf(stderr, "tpch_tbl_gen: bad scale '%s'\n", argv[1]);
    return 2;
  }
  uint64_t seed = engine::tpch::kDefaultSeed;
  if (argc == 3) seed = std::strtoull(argv[2], nullptr, 10);
  auto schema = bpfgen::ParseSchema(bpfgen::kLineitemDdl);
  if (!schema.ok()) return 1;
  std::vector<int> order;
  for (std::string_view name : engine::kDbgenLineitemFields) {
    order.push_back(schema->FindColumn(name));
  }
  engine::tpch::LineitemGenerator gen(scale, seed);
  std::vector<bpfgen::Datum> row;
  std::string out;
  while (gen.Next(&row)) {
    for (int c : order) {
      if (c == engine::tpch::kQuantity && row[c].i % 100 == 0) {
        out += std::to_string(row[c].i / 100);  // dbgen writes whole quantities: "17"
      } else {
        bpfgen::AppendValueText(schema->columns[c].type, row[c], &out);
      }
      out += '|';
    }
    out += '\n';
    if (out.size() > (1 << 20)) {
      if (std::fwrite(out.data(), 1, out.size(), stdout) != out.size()) return 1;
      out.clear();
    }
  }
  if (std::fwrite(out.data(), 1, out.size(), stdout) != out.size()) return 1;
  return std::fflush(stdout) == 0 ? 0 : 1;
}
