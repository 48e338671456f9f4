#include "engine/cli/cli_common.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdarg>
#include <cstdlib>
#include <cstring>

#include "engine/cli/commands.h"
#include "engine/cli/ldb_format.h"
#include "rocksdb/comparator.h"
#include "rocksdb/env.h"
#include "rocksdb/iterator.h"
#include "util/source_diagnostic.h"

namespace pushdown::engine {

int ExitStatusFor(const Status& s) {
  if (s.ok()) return kExitOk;
  if (s.IsInvalidArgument() || s.IsNotFound()) return kExitUsage;
  return kExitRuntimeError;
}

int Fail(std::string_view command, int exit_status, std::string_view message) {
  const std::string text = EscapeText(message);
  std::fprintf(stderr, "pushdown %.*s: %s\n", static_cast<int>(command.size()), command.data(),
               text.c_str());
  return exit_status;
}

Result<std::string> ReadSchemaFile(const std::string& path) {
  const std::string what = "schema file '" + path + "'";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return Status::InvalidArgument("cannot open " + what + ": " + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    return Status::InvalidArgument("cannot stat " + what + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    const char* kind = S_ISDIR(st.st_mode)    ? "a directory"
                       : S_ISFIFO(st.st_mode) ? "a FIFO"
                       : S_ISCHR(st.st_mode)  ? "a character device"
                       : S_ISBLK(st.st_mode)  ? "a block device"
                       : S_ISSOCK(st.st_mode) ? "a socket"
                                              : "not a regular file";
    return Status::InvalidArgument(what + " is " + kind + " (a regular file is needed)");
  }
  const std::string limit = std::to_string(kMaxSchemaFileBytes) + " bytes";
  if (static_cast<uint64_t>(st.st_size) > kMaxSchemaFileBytes) {
    return Status::InvalidArgument(what + " is larger than " + limit);
  }
  std::string out;
  char buf[16384];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::InvalidArgument("cannot read " + what + ": " + std::strerror(errno));
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > kMaxSchemaFileBytes) {
      return Status::InvalidArgument(what + " is larger than " + limit);
    }
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

int Fail(std::string_view command, const Status& s) {
  const int exit_status = ExitStatusFor(s);
  if (exit_status != kExitUsage) return FailRuntime(command, s);
  return Fail(command, exit_status, s.message().empty() ? s.ToString() : s.message());
}

int FailRuntime(std::string_view command, const Status& s) {
  return Fail(command, kExitRuntimeError, s.ToString());
}

bool DbExists(const std::string& dir) {
  struct stat st;
  return ::stat((dir + "/CURRENT").c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Result<CliDb> OpenCliDb(const std::string& dir, std::optional<exec::DeviceRequest> device) {
  CliDb out;
  PD_ASSIGN_OR_RETURN(out.db, SecondaryDb::Open(dir));
  AttachOptions options;
  options.device = device;
  options.read_only = true;  // a secondary instance: never flush
  if (out.db->writer_holds_lock()) {
    options.memtable_capture_off_reason =
        "another process has the DB open (its LOCK is held): the memtables are read through the "
        "secondary instance's iterator, not captured from the WAL it is appending to";
  }
  if (auto catalog = out.db->ColumnFamily(kCatalogColumnFamily); catalog.ok()) {
    options.catalog = *catalog;
  }
  auto pd = AttachedDB::Attach(out.db->db(), options);
  if (!pd.ok()) return Status::IOError("cannot attach to " + dir + ": " + pd.status().ToString());
  out.pd = std::move(*pd);
  return out;
}

Result<ScanTarget> TargetFromFlags(const ParsedFlags& flags) {
  if (flags.Has("table") && flags.Has("column_family")) {
    return Status::InvalidArgument("--table and --column_family (--cf) are exclusive");
  }
  if (flags.Has("table")) {
    if (flags.Get("table").empty()) return Status::InvalidArgument("--table needs a name");
    return ScanTarget::Table(flags.Get("table"));
  }
  if (flags.Has("column_family")) {
    if (flags.Get("column_family").empty()) {
      return Status::InvalidArgument("--column_family needs a name");
    }
    return ScanTarget::Raw(flags.Get("column_family"));
  }
  return ScanTarget::Raw("default");
}

Result<ResolvedTarget> ResolveTarget(const CliDb& db, const ScanTarget& target) {
  ResolvedTarget out;
  if (target.raw()) {
    if (target.name == kCatalogColumnFamily) {
      return Status::InvalidArgument(std::string("column family '") + kCatalogColumnFamily +
                                     "' is the table catalog, not data");
    }
    PD_ASSIGN_OR_RETURN(out.cf, db.db->ColumnFamily(target.name));
    return out;
  }
  if (db.db->ColumnFamily(kCatalogColumnFamily).ok()) {
    PD_ASSIGN_OR_RETURN(out.rows, db.pd->TableRows(target.name));
  } else {
    return Status::NotFound("no table '" + target.name +
                            "': the database has no table catalog (scan a column family with "
                            "--column_family NAME)");
  }
  auto cf = db.db->ColumnFamily(target.name);
  if (!cf.ok()) return Status::Corruption("table '" + target.name + "' has no column family");
  out.cf = *cf;
  return out;
}

Result<std::optional<exec::DeviceRequest>> DeviceFromFlags(const ParsedFlags& flags) {
  if (!flags.Has("device")) return std::optional<exec::DeviceRequest>();
  const std::string name = flags.Get("device");
  std::optional<exec::DeviceRequest> d = exec::ParseDeviceRequest(name);
  if (!d) {
    return Status::InvalidArgument("unknown device '" + name +
                                   "' (expected auto, kernel, host or iterator)");
  }
  return d;
}

std::vector<FlagSpec> ScanFlagSpecs() {
  return {{"db"},      {"table"},    {"column_family", true, {"cf"}},
          {"where"},   {"device"},   {"strict-device", false},
          {"from"},    {"to"},       {"hex", false},
          {"workers"}, {"placement"}};
}

Result<ScanFlags> CheckScanFlags(const ParsedFlags& flags) {
  if (!flags.positional.empty()) {
    return Status::InvalidArgument("unexpected argument '" + flags.positional[0] + "'");
  }
  if (!flags.Has("db")) return Status::InvalidArgument("--db DIR is required");
  if (!flags.Has("where")) return Status::InvalidArgument("--where EXPR is required");
  ScanFlags out;
  PD_ASSIGN_OR_RETURN(out.target, TargetFromFlags(flags));
  PD_ASSIGN_OR_RETURN(out.device, DeviceFromFlags(flags));
  out.strict_device = flags.Has("strict-device");
  out.hex = flags.Has("hex");
  for (const char* name : {"from", "to"}) {
    if (!flags.Has(name)) continue;
    std::string key = flags.Get(name);
    if (out.hex) {
      PD_ASSIGN_OR_RETURN(key, ParseLdbHex(name, key));
    }
    (std::string_view(name) == "from" ? out.from : out.to) = std::move(key);
  }
  if (flags.Has("workers")) {
    const std::string v = flags.Get("workers");
    char* end = nullptr;
    errno = 0;
    const unsigned long long n = std::strtoull(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || errno != 0 || v[0] == '-' || n > kMaxScanWorkers) {
      return Status::InvalidArgument("--workers needs an integer from 0 to " +
                                     std::to_string(kMaxScanWorkers) + ", got '" + v + "'");
    }
    out.workers = static_cast<uint32_t>(n);
  }
  if (flags.Has("placement")) {
    const std::string v = flags.Get("placement");
    std::optional<plan::Placement> p = plan::ParsePlacement(v);
    if (!p) {
      return Status::InvalidArgument("unknown placement '" + v +
                                     "' (expected auto, pushdown or iterator)");
    }
    out.placement = *p;
  }
  return out;
}

Status ApplyKeyRange(const CliDb& db, rocksdb::ColumnFamilyHandle* cf, const ScanFlags& flags,
                     ScanOptions* options) {
  if (flags.from) options->lower_bound = *flags.from;
  if (!flags.to) return Status::OK();
  const rocksdb::Comparator* cmp = cf->GetComparator();
  if (cmp == rocksdb::BytewiseComparator() ||
      std::string_view(cmp->Name()) == rocksdb::BytewiseComparator()->Name()) {
    options->upper_bound = *flags.to;
    return Status::OK();
  }
  // ldb's end test on another comparator: the first key (in the family's
  // order, from --from) that is bytewise >= --to ends the scan.
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db.db->db()->NewIterator(ro, cf));
  if (flags.from) {
    it->Seek(*flags.from);
  } else {
    it->SeekToFirst();
  }
  for (; it->Valid(); it->Next()) {
    if (!(it->key().ToString() < *flags.to)) {
      options->upper_bound = it->key().ToString();
      break;
    }
  }
  if (!it->status().ok()) {
    return Status::IOError("finding the end of --to: " + it->status().ToString());
  }
  return Status::OK();
}

std::string DeviceMismatch(const ScanInfo& info) {
  const std::string& requested = info.requested_device;
  const std::string ran = info.path == "iterator" ? std::string("iterator") : info.device;
  bool mismatch = false;
  // The iterator path by placement (asked for, or auto's cheaper estimate)
  // is where the request allowed the scan to run.
  const bool placed_on_iterator =
      info.path == "iterator" && info.fallback_reason.empty() &&
      (info.placement == "iterator" || info.placement_decision == "cost");
  if (info.host_decode || placed_on_iterator) {
    mismatch = false;  // no program was needed on any device, or auto chose the iterator
  } else if (requested == "kernel" || requested == "host") {
    mismatch = ran != requested;
  } else if (requested != "iterator") {  // auto: any device, but pushdown
    mismatch = ran == "iterator";
  }
  if (!mismatch) return "";
  std::string msg = "requested device " + requested + ", ran on " + ran;
  if (!info.fallback_reason.empty()) msg += ": " + info.fallback_reason;
  return msg;
}

int CheckDeviceRan(std::string_view command, const ScanInfo& info, bool strict) {
  const std::string mismatch = DeviceMismatch(info);
  if (mismatch.empty()) return -1;
  if (strict) return Fail(command, kExitRuntimeError, "--strict-device: " + mismatch);
  Fail(command, 0, "warning: " + mismatch);
  return -1;
}

namespace {
std::string Quote(std::string_view s) {
  bool needs = s.empty();
  for (char c : s) {
    if (c == ',' || c == '"' || c == '\n' || c == '\r') needs = true;
  }
  if (!needs) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}
}  // namespace

std::string CsvField(const bpfgen::Type& type, const bpfgen::Datum& d) {
  if (d.is_null()) return "";
  return Quote(FormatValue(type, d));
}

std::string CsvName(std::string_view name) { return Quote(name); }

std::vector<std::string> SplitList(std::string_view s) {
  std::vector<std::string> out;
  int depth = 0;
  std::string cur;
  auto push = [&]() {
    size_t b = cur.find_first_not_of(" \t");
    size_t e = cur.find_last_not_of(" \t");
    out.push_back(b == std::string::npos ? "" : cur.substr(b, e - b + 1));
    cur.clear();
  };
  for (char c : s) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      push();
    } else {
      cur += c;
    }
  }
  push();
  return out;
}

}  // namespace pushdown::engine
