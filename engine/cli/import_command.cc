// pushdown import: loads csv / tsv / tbl files into a table through
// engine/api/import.h (atomic SST ingestion, or WriteBatches with --mode put).
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "bpfgen/schema/schema.h"
#include "engine/api/import.h"
#include "engine/cli/args.h"
#include "engine/cli/cli_common.h"
#include "engine/cli/commands.h"

namespace pushdown::engine {

const char kImportHelp[] =
    "usage: pushdown import --db DIR --table T [--schema DDL|@FILE|lineitem]\n"
    "                       --format csv|tsv|tbl [--delimiter C] [--header]\n"
    "                       [--mode ingest|put] [--columns C1,C2,...] [--threads N]\n"
    "                       [--sst-file-size BYTES] FILE...\n"
    "\n"
    "Loads the records of FILE... (\"-\" = standard input) into table T of the database\n"
    "DIR. The DB is created if missing; with --schema, the table is created if missing\n"
    "(and must have that schema if it exists). docs/IMPORT.md has the details.\n"
    "\n"
    "  --format F         csv (RFC 4180 quoting), tsv (no quoting) or tbl (TPC-H dbgen:\n"
    "                     '|'-separated with a trailing '|'); default: from the first\n"
    "                     file's extension (.csv, .tsv, .tbl)\n"
    "  --delimiter C      the field separator (one character; \\t for TAB); default ','\n"
    "                     for csv, TAB for tsv, '|' for tbl\n"
    "  --header           skip the first record of every file\n"
    "  --mode M           ingest (default): parse on all cores, sort, write SST files and\n"
    "                     add them in ONE atomic IngestExternalFile (all rows or none);\n"
    "                     a key twice in the input is an error.\n"
    "                     put: WriteBatches into the live DB; each batch is atomic, the\n"
    "                     import is not; the last record of a key wins\n"
    "  --columns LIST     the columns of the fields, in field order (every column once);\n"
    "                     default: declaration order, except tbl into a table with exactly\n"
    "                     the lineitem schema: dbgen's order (l_orderkey, l_partkey,\n"
    "                     l_suppkey, l_linenumber, ...), so dbgen's file loads as it is\n"
    "  --threads N        parse/write threads (default: all cores)\n"
    "  --sst-file-size B  encoded bytes per SST file (default 268435456)\n"
    "\n"
    "Fields: one per column (see --columns); an empty field (csv: empty and unquoted)\n"
    "is NULL; values are SQL text: DATE YYYY-MM-DD, DECIMAL exact (no digits past the\n"
    "scale but zeros), BOOL true/false/t/f/1/0, BYTES hex.\n"
    "Any bad record fails the whole import with nothing loaded, and the position:\n"
    "  FILE:LINE:COLUMN: field 'l_shipdate': bad DATE '1994-13-01': month 13 is not in 1..12\n"
    "Prints a summary line on stdout (rows, bytes, seconds, rows/s, MB/s) and, when\n"
    "stderr is a terminal, a progress line on stderr.\n"
    "\n"
    "exit status: 0 ok; 1 runtime error; 2 bad usage or bad input (nothing loaded)\n"
    "\n"
    "example (dbgen's lineitem.tbl):\n"
    "  pushdown import --db D --table lineitem --schema lineitem --format tbl lineitem.tbl\n";

namespace {

constexpr const char* kCmd = "import";

class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled), start_(Clock::now()) {}
  void Update(const ImportProgress& p) {
    if (!enabled_) return;
    const double s = std::chrono::duration<double>(Clock::now() - start_).count();
    const double mbs = s > 0 ? static_cast<double>(p.bytes_done) / 1e6 / s : 0;
    char eta[32] = "";
    if (std::string(p.phase) == "parse" && p.bytes_done > 0 && p.bytes_done < p.bytes_total) {
      const double left = static_cast<double>(p.bytes_total - p.bytes_done) /
                          (static_cast<double>(p.bytes_done) / s);
      std::snprintf(eta, sizeof(eta), ", parse ETA %.0f s", left);
    }
    std::fprintf(stderr, "\r%-6s %llu rows, %.1f / %.1f MB, %.1f MB/s%s, %llu rows written   ",
                 p.phase, static_cast<unsigned long long>(p.rows),
                 static_cast<double>(p.bytes_done) / 1e6, static_cast<double>(p.bytes_total) / 1e6,
                 mbs, eta, static_cast<unsigned long long>(p.rows_written));
    std::fflush(stderr);
    shown_ = true;
  }
  void Done() {
    if (enabled_ && shown_) std::fputc('\n', stderr);
    shown_ = false;
  }

 private:
  using Clock = std::chrono::steady_clock;
  bool enabled_;
  bool shown_ = false;
  Clock::time_point start_;
};

Result<char> ParseDelimiter(const std::string& v) {
  if (v == "\\t" || v == "tab" || v == "TAB") return '\t';
  if (v.size() != 1) {
    return Status::InvalidArgument("--delimiter needs one character (or \\t), got '" + v + "'");
  }
  if (v[0] == '"' || v[0] == '\n' || v[0] == '\r') {
    return Status::InvalidArgument("--delimiter cannot be a quote, CR or LF");
  }
  return v[0];
}

Result<uint64_t> ParsePositive(const std::string& flag, const std::string& v, uint64_t max) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long n = std::strtoull(v.c_str(), &end, 10);
  if (v.empty() || v[0] == '-' || *end != '\0' || errno != 0 || n == 0 || n > max) {
    return Status::InvalidArgument("--" + flag + " needs an integer in 1.." + std::to_string(max) +
                                   ", got '" + v + "'");
  }
  return static_cast<uint64_t>(n);
}

std::string FormatFromExtension(const std::string& path) {
  for (const char* ext : {"csv", "tsv", "tbl"}) {
    const std::string e = std::string(".") + ext;
    if (path.size() > e.size() && path.compare(path.size() - e.size(), e.size(), e) == 0) {
      return ext;
    }
  }
  return "";
}

// Test hook (tests/engine/cli): with PUSHDOWN_IMPORT_TEST_PAUSE_AFTER_SST=N,
// the import stops after N finished SST files (before the ingestion), prints
// "import paused" on stderr and sleeps, so that a test can kill -9 it there.
size_t PauseAfterFromEnv() {
  const char* v = std::getenv("PUSHDOWN_IMPORT_TEST_PAUSE_AFTER_SST");
  if (v == nullptr || *v == '\0') return 0;
  return static_cast<size_t>(std::strtoull(v, nullptr, 10));
}

}  // namespace

int RunImportCommand(const std::vector<std::string>& args) {
  auto parsed = ParseFlags(args, {{"db"},
                                  {"table"},
                                  {"schema"},
                                  {"format"},
                                  {"delimiter"},
                                  {"header", false},
                                  {"mode"},
                                  {"threads"},
                                  {"sst-file-size"},
                                  {"columns"}});
  if (!parsed.ok()) return Fail(kCmd, kExitUsage, parsed.status().message());
  const ParsedFlags& flags = *parsed;
  if (!flags.Has("db")) return Fail(kCmd, kExitUsage, "--db DIR is required");
  if (!flags.Has("table") || flags.Get("table").empty()) {
    return Fail(kCmd, kExitUsage, "--table T is required");
  }
  if (flags.positional.empty()) return Fail(kCmd, kExitUsage, "no input FILE given");

  ImportOptions io;
  {
    std::string format = flags.Get("format");
    if (format.empty()) format = FormatFromExtension(flags.positional[0]);
    if (format.empty()) {
      return Fail(kCmd, kExitUsage, "--format csv|tsv|tbl is required (no known file extension)");
    }
    auto f = ParseImportFormat(format);
    if (!f.ok()) return Fail(kCmd, kExitUsage, f.status().message());
    io.format = *f;
  }
  if (flags.Has("delimiter")) {
    auto d = ParseDelimiter(flags.Get("delimiter"));
    if (!d.ok()) return Fail(kCmd, kExitUsage, d.status().message());
    io.delimiter = *d;
  }
  io.header = flags.Has("header");
  if (flags.Has("mode")) {
    auto m = ParseImportMode(flags.Get("mode"));
    if (!m.ok()) return Fail(kCmd, kExitUsage, m.status().message());
    io.mode = *m;
  }
  if (flags.Has("threads")) {
    auto n = ParsePositive("threads", flags.Get("threads"), 1024);
    if (!n.ok()) return Fail(kCmd, kExitUsage, n.status().message());
    io.threads = static_cast<unsigned>(*n);
  }
  if (flags.Has("sst-file-size")) {
    auto n = ParsePositive("sst-file-size", flags.Get("sst-file-size"), uint64_t{1} << 40);
    if (!n.ok()) return Fail(kCmd, kExitUsage, n.status().message());
    io.sst_file_bytes = *n;
  }
  std::string ddl;
  if (flags.Has("schema")) {
    auto d = SchemaDdlFromSpec(flags.Get("schema"));
    if (!d.ok()) return Fail(kCmd, kExitUsage, d.status().message());
    auto schema = bpfgen::ParseSchema(*d);
    if (!schema.ok()) return Fail(kCmd, kExitUsage, "bad schema: " + schema.status().message());
    ddl = *d;
  }

  // Unreadable inputs are the user's mistake (exit 2), found before the DB is
  // created or opened.
  for (const std::string& path : flags.positional) {
    if (path == "-") continue;
    if (::access(path.c_str(), R_OK) != 0) {
      return Fail(kCmd, kExitUsage, "cannot read " + path + ": " + std::strerror(errno));
    }
  }

  const std::string dir = flags.Get("db");
  const std::string table_name = flags.Get("table");
  DbOptions options;
  options.create_if_missing = true;
  options.customize = [](rocksdb::Options* o) { o->write_buffer_size = 64 << 20; };
  {
    // Like `mkdir -p`: RocksDB creates only the last component.
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return Fail(kCmd, kExitRuntimeError, "cannot create " + dir + ": " + ec.message());
  }
  auto db = PushdownDB::Open(dir, options);
  if (!db.ok()) return FailRuntime(kCmd, db.status());
  bool created = false;
  auto table = (*db)->OpenTable(table_name);
  if (!table.ok()) {
    if (!table.status().IsNotFound()) return FailRuntime(kCmd, table.status());
    if (ddl.empty()) {
      return Fail(kCmd, kExitUsage,
                  "no table '" + table_name + "' in " + dir + " (give --schema to create it)");
    }
    table = (*db)->CreateTable(table_name, ddl);
    if (!table.ok()) return Fail(kCmd, table.status());
    created = true;
  } else if (!ddl.empty()) {
    auto want = bpfgen::ParseSchema(ddl);
    if (want.ok() && !(*want == (*table)->schema())) {
      return Fail(
          kCmd, kExitUsage,
          "table '" + table_name + "' exists with another schema: " + (*table)->schema().ToDdl());
    }
  }

  if (flags.Has("columns")) {
    io.columns = SplitList(flags.Get("columns"));
  } else {
    io.columns = DefaultFieldOrder((*table)->schema(), io.format);
  }
  if (auto fc = FieldColumns((*table)->schema(), io.columns); !fc.ok()) {
    if (created) (*db)->DropTable(table_name).IgnoreError();
    return Fail(kCmd, kExitUsage, "--columns: " + fc.status().message());
  }

  Progress progress(::isatty(STDERR_FILENO) == 1);
  io.progress = [&progress](const ImportProgress& p) { progress.Update(p); };
  if (const size_t pause_after = PauseAfterFromEnv(); pause_after > 0) {
    io.after_sst_file = [pause_after](size_t done, size_t) {
      if (done >= pause_after) {
        std::fprintf(stderr, "import paused\n");
        std::fflush(stderr);
        for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
      }
      return Status::OK();
    };
  }
  auto summary = ImportFiles((*db)->db(), **table, flags.positional, io);
  progress.Done();
  if (!summary.ok()) {
    if (created) {
      // The table did not exist before: leave the DB without it.
      (*db)->DropTable(table_name).IgnoreError();
    }
    if (summary.status().IsInvalidArgument()) {
      return Fail(kCmd, kExitUsage, summary.status().message());
    }
    return FailRuntime(kCmd, summary.status());
  }
  Status s = FlushAllColumnFamilies(db->get());
  if (!s.ok()) return FailRuntime(kCmd, s);
  const double secs = summary->seconds > 0 ? summary->seconds : 1e-9;
  std::printf("imported %llu rows (%llu bytes) into %s in %.2f s: %.0f rows/s, %.1f MB/s (%s%s)\n",
              static_cast<unsigned long long>(summary->rows),
              static_cast<unsigned long long>(summary->bytes), table_name.c_str(), summary->seconds,
              static_cast<double>(summary->rows) / secs,
              static_cast<double>(summary->bytes) / 1e6 / secs,
              io.mode == ImportMode::kIngest ? "ingest, " : "put",
              io.mode == ImportMode::kIngest ? (std::to_string(summary->sst_files) + " SST file" +
                                                (summary->sst_files == 1 ? "" : "s"))
                                                   .c_str()
                                             : "");
  if (std::fflush(stdout) != 0) return Fail(kCmd, kExitRuntimeError, "write to stdout failed");
  return kExitOk;
}

}  // namespace pushdown::engine
