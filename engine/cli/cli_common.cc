#include "engine/cli/cli_common.h"

#include <sys/stat.h>

#include <cinttypes>
#include <cstdarg>

#include "bpfgen/schema/date.h"
#include "engine/cli/commands.h"
#include "rocksdb/env.h"

namespace pushdown::engine {
namespace {

// Discards RocksDB's info log, so that a read-only open creates no LOG file
// (and does not rename an existing one to LOG.old.*).
class NullLogger : public rocksdb::Logger {
 public:
  using rocksdb::Logger::Logv;
  void Logv(const char* /*format*/, va_list /*ap*/) override {}
};

}  // namespace

int ExitStatusFor(const Status& s) {
  if (s.ok()) return kExitOk;
  if (s.IsInvalidArgument() || s.IsNotFound()) return kExitUsage;
  return kExitRuntimeError;
}

int Fail(std::string_view command, int exit_status, std::string_view message) {
  std::fprintf(stderr, "pushdown %.*s: %.*s\n", static_cast<int>(command.size()), command.data(),
               static_cast<int>(message.size()), message.data());
  return exit_status;
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

Result<std::unique_ptr<PushdownDB>> OpenDbReadOnly(const std::string& dir,
                                                   const std::string& device) {
  if (!DbExists(dir)) return Status::IOError("no database at " + dir);
  DbOptions options;
  options.device = exec::ParseDeviceRequest(device);  // validated by CheckDevice
  options.create_if_missing = false;
  options.read_only = true;
  options.customize = [](rocksdb::Options* o) {
    o->info_log = std::make_shared<NullLogger>();
    o->create_if_missing = false;
  };
  auto db = PushdownDB::Open(dir, options);
  if (!db.ok()) {
    // A missing table/CF here is a DB problem, not the user's input.
    Status s = db.status();
    if (s.IsNotFound() || s.IsInvalidArgument()) {
      return Status::IOError("cannot open " + dir + ": " + s.message());
    }
    return s;
  }
  return db;
}

Result<ScanTarget> TargetFromFlags(const ParsedFlags& flags) {
  if (flags.Has("table") && flags.Has("cf")) {
    return Status::InvalidArgument("--table and --cf are exclusive");
  }
  if (flags.Has("table")) {
    if (flags.Get("table").empty()) return Status::InvalidArgument("--table needs a name");
    return ScanTarget::Table(flags.Get("table"));
  }
  if (flags.Has("cf")) {
    if (flags.Get("cf").empty()) return Status::InvalidArgument("--cf needs a name");
    return ScanTarget::Raw(flags.Get("cf"));
  }
  return ScanTarget::Raw("default");
}

Status CheckDevice(const std::string& device) {
  if (device == "auto" || device == "kernel" || device == "host" || device == "iterator") {
    return Status::OK();
  }
  return Status::InvalidArgument("unknown device '" + device +
                                 "' (expected auto, kernel, host or iterator)");
}

Result<ScanFlags> CheckScanFlags(const ParsedFlags& flags) {
  if (!flags.positional.empty()) {
    return Status::InvalidArgument("unexpected argument '" + flags.positional[0] + "'");
  }
  if (!flags.Has("db")) return Status::InvalidArgument("--db DIR is required");
  if (!flags.Has("where")) return Status::InvalidArgument("--where EXPR is required");
  PD_ASSIGN_OR_RETURN(ScanTarget target, TargetFromFlags(flags));
  std::string device = flags.Get("device", "auto");
  PD_RETURN_IF_ERROR(CheckDevice(device));
  return ScanFlags{std::move(target), std::move(device)};
}

std::string FormatValue(const bpfgen::Type& type, const bpfgen::Datum& d) {
  using bpfgen::TypeId;
  if (d.is_null()) return "";
  char buf[320];  // a DECIMAL scale pads to at most 255 digits
  switch (type.id) {
    case TypeId::kBool:
      return d.i ? "true" : "false";
    case TypeId::kInt32:
    case TypeId::kInt64:
      return std::to_string(d.i);
    case TypeId::kDate:
      return bpfgen::FormatDate(static_cast<int32_t>(d.i));
    case TypeId::kDecimal: {
      if (type.scale == 0) return std::to_string(d.i);
      const int64_t p = bpfgen::kPow10[type.scale];
      const bool neg = d.i < 0;
      // |INT64_MIN| does not fit int64: work in uint64.
      const uint64_t mag = neg ? 0 - static_cast<uint64_t>(d.i) : static_cast<uint64_t>(d.i);
      std::snprintf(buf, sizeof(buf), "%s%" PRIu64 ".%0*" PRIu64, neg ? "-" : "",
                    mag / static_cast<uint64_t>(p), static_cast<int>(type.scale),
                    mag % static_cast<uint64_t>(p));
      return buf;
    }
    case TypeId::kDouble:
      std::snprintf(buf, sizeof(buf), "%.17g", d.d);
      return buf;
    case TypeId::kChar: {
      size_t n = d.s.size();
      while (n > 0 && d.s[n - 1] == ' ') --n;
      return d.s.substr(0, n);
    }
    case TypeId::kVarchar:
      return d.s;
    case TypeId::kBytes: {
      static const char kHex[] = "0123456789abcdef";
      std::string out;
      out.reserve(d.s.size() * 2);
      for (unsigned char c : d.s) {
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
      return out;
    }
    case TypeId::kNull:
      return "";
  }
  return "";
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

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

std::string StatsJson(const ScanInfo& info, const exec::ScanStats& stats, double elapsed_ms) {
  std::string j = "{";
  j += "\"path\":" + JsonString(info.path);
  j += ",\"device\":" + JsonString(info.device);
  j += ",\"fallback_reason\":" + JsonString(info.fallback_reason);
  j += ",\"pushed\":[";
  for (size_t i = 0; i < info.pushed.size(); ++i) {
    if (i) j += ',';
    j += JsonString(info.pushed[i]);
  }
  j += "],\"residual\":[";
  for (size_t i = 0; i < info.residual.size(); ++i) {
    if (i) j += ',';
    j += "{\"conjunct\":" + JsonString(info.residual[i].conjunct) +
         ",\"reason\":" + JsonString(info.residual[i].reason) + "}";
  }
  j += "]";
  auto num = [&](const char* key, uint64_t v) {
    j += ",\"";
    j += key;
    j += "\":" + std::to_string(v);
  };
  num("files", stats.files);
  num("blocks_read", stats.blocks_read);
  num("blocks_skipped", stats.blocks_skipped);
  num("bytes_read", stats.bytes_read);
  num("bytes_to_host", stats.bytes_to_host);
  num("rows_scanned", stats.entries_scanned);
  num("rows_matched", stats.rows_matched);
  char buf[64];
  std::snprintf(buf, sizeof(buf), ",\"compile_ms\":%.3f,\"elapsed_ms\":%.3f}", info.compile_ms,
                elapsed_ms);
  j += buf;
  return j;
}

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
