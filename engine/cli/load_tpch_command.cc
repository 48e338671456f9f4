// pushdown load-tpch: creates table `lineitem` and loads TPC-H lineitem rows
// (engine/tpch), then compacts the table fully.
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bpfgen/schema/tpch.h"
#include "engine/cli/args.h"
#include "engine/cli/cli_common.h"
#include "engine/cli/commands.h"
#include "engine/tpch/lineitem_loader.h"

namespace pushdown::engine {

const char kLoadTpchHelp[] =
    "usage: pushdown load-tpch --db DIR --scale SF [--compression none|snappy|lz4|zstd]\n"
    "                          [--seed N]\n"
    "\n"
    "Creates table `lineitem` (TPC-H, 16 columns, key (l_orderkey, l_linenumber)) in the\n"
    "database DIR (created if missing) and loads 1,500,000 x SF orders' lineitems\n"
    "(1..7 per order, about 6,000,000 x SF rows) generated deterministically from the\n"
    "seed with the value distributions of TPC-H clause 4.2.3. Then flushes and compacts\n"
    "the table fully (one sorted run in the bottommost level) and prints a summary.\n"
    "Shows a progress bar on stderr when stderr is a terminal.\n"
    "\n"
    "  --db DIR            the database directory\n"
    "  --scale SF          the TPC-H scale factor, e.g. 0.01, 0.1, 1\n"
    "  --compression C     block compression: none, snappy (default), lz4, zstd\n"
    "  --seed N            generator seed (default 19920101); same seed, same rows\n"
    "\n"
    "exit status: 0 ok; 1 runtime error; 2 bad usage or `lineitem` already exists\n";

namespace {

constexpr const char* kCmd = "load-tpch";

class ProgressBar {
 public:
  explicit ProgressBar(bool enabled) : enabled_(enabled) {}
  void Update(const tpch::LoadProgress& p) {
    if (!enabled_ || p.orders_total == 0) return;
    auto now = std::chrono::steady_clock::now();
    if (p.orders_done < p.orders_total && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    const int width = 40;
    const double frac = static_cast<double>(p.orders_done) / static_cast<double>(p.orders_total);
    const int filled = static_cast<int>(frac * width);
    std::string bar(filled, '#');
    bar.append(width - filled, ' ');
    std::fprintf(stderr, "\rloading lineitem [%s] %3d%% %llu rows", bar.c_str(),
                 static_cast<int>(frac * 100), static_cast<unsigned long long>(p.rows));
    std::fflush(stderr);
    shown_ = true;
  }
  void Done(const char* what) {
    if (!enabled_) return;
    if (shown_) std::fputc('\n', stderr);
    std::fprintf(stderr, "%s\n", what);
    shown_ = false;
  }

 private:
  bool enabled_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point last_{};
};

bool ParseCompression(const std::string& name, rocksdb::CompressionType* out) {
  if (name == "none")
    *out = rocksdb::kNoCompression;
  else if (name == "snappy")
    *out = rocksdb::kSnappyCompression;
  else if (name == "lz4")
    *out = rocksdb::kLZ4Compression;
  else if (name == "zstd")
    *out = rocksdb::kZSTD;
  else
    return false;
  return true;
}

}  // namespace

int RunLoadTpchCommand(const std::vector<std::string>& args) {
  auto parsed = ParseFlags(args, {{"db"}, {"scale"}, {"compression"}, {"seed"}});
  if (!parsed.ok()) return Fail(kCmd, kExitUsage, parsed.status().message());
  const ParsedFlags& flags = *parsed;
  if (!flags.positional.empty()) {
    return Fail(kCmd, kExitUsage, "unexpected argument '" + flags.positional[0] + "'");
  }
  if (!flags.Has("db")) return Fail(kCmd, kExitUsage, "--db DIR is required");
  if (!flags.Has("scale")) return Fail(kCmd, kExitUsage, "--scale SF is required");
  tpch::LoadOptions lo;
  {
    const std::string v = flags.Get("scale");
    char* end = nullptr;
    errno = 0;
    lo.scale = std::strtod(v.c_str(), &end);
    if (v.empty() || *end != '\0' || errno != 0 || !(lo.scale > 0) || lo.scale > 1000) {
      return Fail(kCmd, kExitUsage, "--scale needs a number in (0, 1000], got '" + v + "'");
    }
  }
  if (flags.Has("seed")) {
    const std::string v = flags.Get("seed");
    char* end = nullptr;
    errno = 0;
    lo.seed = std::strtoull(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || errno != 0 || v[0] == '-') {
      return Fail(kCmd, kExitUsage, "--seed needs a non-negative integer, got '" + v + "'");
    }
  }
  rocksdb::CompressionType compression = rocksdb::kSnappyCompression;
  if (!ParseCompression(flags.Get("compression", "snappy"), &compression)) {
    return Fail(kCmd, kExitUsage,
                "unknown compression '" + flags.Get("compression") +
                    "' (expected none, snappy, lz4 or zstd)");
  }

  const std::string dir = flags.Get("db");
  DbOptions options;
  options.create_if_missing = true;
  options.customize = [compression](rocksdb::Options* o) {
    o->compression = compression;
    o->bottommost_compression = compression;
    o->write_buffer_size = 64 << 20;
  };
  auto db = PushdownDB::Open(dir, options);
  if (!db.ok()) return FailRuntime(kCmd, db.status());
  auto table = (*db)->CreateTable("lineitem", bpfgen::kLineitemDdl);
  if (!table.ok()) {
    if (table.status().IsInvalidArgument()) {
      return Fail(kCmd, kExitUsage,
                  "cannot create table lineitem in " + dir + ": " + table.status().message());
    }
    return FailRuntime(kCmd, table.status());
  }

  ProgressBar bar(::isatty(STDERR_FILENO) == 1);
  lo.progress = [&bar](const tpch::LoadProgress& p) { bar.Update(p); };
  const auto start = std::chrono::steady_clock::now();
  auto summary = tpch::LoadLineitem(*table, lo);
  if (!summary.ok()) {
    bar.Done("load failed");
    return FailRuntime(kCmd, summary.status());
  }
  const double load_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  bar.Done("compacting ...");

  rocksdb::DB* rdb = (*db)->db();
  rocksdb::ColumnFamilyHandle* cf = (*table)->column_family();
  rocksdb::FlushOptions fo;
  fo.wait = true;
  rocksdb::Status rs = rdb->Flush(fo, cf);
  if (rs.ok()) {
    rocksdb::CompactRangeOptions co;
    co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
    rs = rdb->CompactRange(co, cf, nullptr, nullptr);
  }
  if (!rs.ok()) return Fail(kCmd, kExitRuntimeError, "compact lineitem: " + rs.ToString());
  // Flush every other column family too (the catalog entry, default): then no
  // WAL holds live data, the WALs of the load are deleted, and a read-only
  // open (pushdown scan) has nothing to replay.
  std::vector<std::string> cf_names;
  rs = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &cf_names);
  if (!rs.ok()) return Fail(kCmd, kExitRuntimeError, "list column families: " + rs.ToString());
  for (const std::string& name : cf_names) {
    auto handle = (*db)->ColumnFamily(name);
    if (!handle.ok() || *handle == cf) continue;
    rs = rdb->Flush(fo, *handle);
    if (!rs.ok()) return Fail(kCmd, kExitRuntimeError, "flush " + name + ": " + rs.ToString());
  }
  const double total_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  rocksdb::ColumnFamilyMetaData meta;
  rdb->GetColumnFamilyMetaData(cf, &meta);
  int levels_used = 0;
  for (const auto& level : meta.levels) levels_used += level.files.empty() ? 0 : 1;
  std::printf(
      "loaded lineitem: scale %g, seed %llu, %llu orders, %llu rows, %llu bytes in %zu SST "
      "files (%d level%s, %s), load %.2f s, total %.2f s\n",
      lo.scale, static_cast<unsigned long long>(lo.seed),
      static_cast<unsigned long long>(summary->orders),
      static_cast<unsigned long long>(summary->rows), static_cast<unsigned long long>(meta.size),
      meta.file_count, levels_used, levels_used == 1 ? "" : "s",
      flags.Get("compression", "snappy").c_str(), load_s, total_s);
  if (std::fflush(stdout) != 0) return Fail(kCmd, kExitRuntimeError, "write to stdout failed");
  return kExitOk;
}

}  // namespace pushdown::engine
