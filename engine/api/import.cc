#include "engine/api/import.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <thread>

#include "bpfgen/schema/key_codec.h"
#include "bpfgen/schema/text.h"
#include "bpfgen/schema/tpch.h"
#include "rocksdb/sst_file_writer.h"
#include "rocksdb/write_batch.h"

namespace pushdown::engine {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------
// Records and fields.

struct Dialect {
  ImportFormat format;
  char delim;
  std::vector<int> field_column;  // field i of a record is column field_column[i]
};

// Where a parse error is: the byte offset in its source and the message
// (without the position). The first error in input order wins.
struct ParseError {
  size_t source = 0;
  size_t offset = 0;
  std::string message;
};

// End of the record starting at `pos` (the offset of its LF, or data.size()),
// quote-aware for csv. Does not validate the record.
size_t RecordEnd(const Dialect& d, std::string_view data, size_t pos) {
  if (d.format != ImportFormat::kCsv) {
    const void* nl = std::memchr(data.data() + pos, '\n', data.size() - pos);
    return nl ? static_cast<size_t>(static_cast<const char*>(nl) - data.data()) : data.size();
  }
  bool quoted = false;
  for (size_t i = pos; i < data.size(); ++i) {
    const char c = data[i];
    if (c == '"') quoted = !quoted;  // "" toggles twice: parity is the state
    if (c == '\n' && !quoted) return i;
  }
  return data.size();
}

// Splits one record (data[begin, end), end at the LF or the end of data) into
// fields. `fields` gets at most max_fields entries; *count is the real number.
// csv fields with "" escapes are unescaped into `scratch` (one string per
// field). Returns false with *err_off/*err for a malformed record.
bool SplitRecord(const Dialect& d, std::string_view data, size_t begin, size_t end,
                 size_t max_fields, std::vector<std::string_view>* fields,
                 std::vector<size_t>* field_offsets, std::vector<bool>* quoted_flags,
                 std::vector<std::string>* scratch, size_t* count, size_t* err_off,
                 std::string* err) {
  fields->clear();
  field_offsets->clear();
  quoted_flags->clear();
  *count = 0;
  if (end > begin && data[end - 1] == '\r') --end;  // CRLF
  if (d.format == ImportFormat::kTbl) {
    if (end == begin || data[end - 1] != d.delim) {
      *err_off = end;
      *err = std::string("record does not end with '") + d.delim + "' (tbl format)";
      return false;
    }
    --end;  // the trailing delimiter
  }
  auto push = [&](std::string_view f, size_t off, bool quoted) {
    if (fields->size() < max_fields) {
      fields->push_back(f);
      field_offsets->push_back(off);
      quoted_flags->push_back(quoted);
    }
    ++*count;
  };
  if (d.format != ImportFormat::kCsv) {
    size_t pos = begin;
    for (;;) {
      const void* p = std::memchr(data.data() + pos, d.delim, end - pos);
      const size_t stop = p ? static_cast<size_t>(static_cast<const char*>(p) - data.data()) : end;
      push(data.substr(pos, stop - pos), pos, false);
      if (!p) break;
      pos = stop + 1;
    }
    return true;
  }
  // csv
  size_t pos = begin;
  size_t n_scratch = 0;
  for (;;) {
    if (pos < end && data[pos] == '"') {
      const size_t start = pos;
      ++pos;
      bool escaped = false;
      size_t close = std::string_view::npos;
      for (size_t i = pos; i < end; ++i) {
        if (data[i] != '"') continue;
        if (i + 1 < end && data[i + 1] == '"') {
          escaped = true;
          ++i;
          continue;
        }
        close = i;
        break;
      }
      if (close == std::string_view::npos) {
        *err_off = start;
        *err = "unterminated quoted field";
        return false;
      }
      std::string_view body = data.substr(pos, close - pos);
      if (escaped) {
        if (scratch->size() <= n_scratch) scratch->emplace_back();
        std::string& s = (*scratch)[n_scratch++];
        s.clear();
        for (size_t i = 0; i < body.size(); ++i) {
          s += body[i];
          if (body[i] == '"') ++i;  // the second quote of ""
        }
        body = s;
      }
      push(body, start, true);
      pos = close + 1;
      if (pos == end) break;
      if (data[pos] != d.delim) {
        *err_off = pos;
        *err = "unexpected character after a closing quote";
        return false;
      }
      ++pos;
      continue;
    }
    size_t stop = pos;
    while (stop < end && data[stop] != d.delim) {
      if (data[stop] == '"') {
        *err_off = stop;
        *err = "quote inside an unquoted field";
        return false;
      }
      ++stop;
    }
    push(data.substr(pos, stop - pos), pos, false);
    if (stop == end) break;
    pos = stop + 1;
  }
  return true;
}

// Parses one field into *out; "" (unquoted) is NULL.
Status ParseField(const bpfgen::Column& col, std::string_view text, bool quoted, Datum* out) {
  if (text.empty() && !quoted) {
    if (!col.nullable) {
      return Status::InvalidArgument("field '" + col.name + "': NULL in NOT NULL column");
    }
    out->null = true;
    out->i = 0;
    out->d = 0;
    out->s.clear();
    return Status::OK();
  }
  Status s = bpfgen::ParseValueText(col.type, text, out);
  if (!s.ok()) return Status::InvalidArgument("field '" + col.name + "': " + s.message());
  return Status::OK();
}

// ---------------------------------------------------------------------------
// Encoded rows.

// One parse task's output: encoded rows in an arena (key bytes, then value
// bytes, per row), sorted by key when the mode is kIngest.
struct Run {
  struct Row {
    uint64_t off;  // key at arena[off, off + key_len), value right after
    uint32_t key_len;
    uint32_t value_len;
    uint64_t src_off;  // offset of the record in its source
  };
  size_t source = 0;
  std::string arena;
  std::vector<Row> rows;

  std::string_view key(size_t i) const {
    return std::string_view(arena.data() + rows[i].off, rows[i].key_len);
  }
  std::string_view value(size_t i) const {
    return std::string_view(arena.data() + rows[i].off + rows[i].key_len, rows[i].value_len);
  }
};

struct Chunk {
  size_t source;
  size_t begin, end;  // byte range: whole records
};

// Line (1-based) and column (1-based byte) of `offset` in `data`.
std::pair<size_t, size_t> LineColumn(std::string_view data, size_t offset) {
  size_t line = 1, line_start = 0;
  for (size_t i = 0; i < offset && i < data.size(); ++i) {
    if (data[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return {line, offset - line_start + 1};
}

std::string Position(const std::vector<ImportSource>& sources, size_t source, size_t offset) {
  auto [line, col] = LineColumn(sources[source].data, offset);
  return sources[source].name + ":" + std::to_string(line) + ":" + std::to_string(col);
}

std::string KeyText(const bpfgen::Schema& schema, std::string_view key) {
  std::vector<Datum> values;
  if (!bpfgen::DecodeKey(schema, key, &values).ok()) return "(undecodable key)";
  std::string out = "(";
  for (size_t k = 0; k < values.size(); ++k) {
    const bpfgen::Column& c = schema.columns[schema.key_columns[k]];
    if (k) out += ", ";
    out += c.name + "=" + bpfgen::FormatValue(c.type, values[k]);
  }
  return out + ")";
}

// Splits every source into chunks of about chunk_bytes, at record boundaries,
// skipping a header record.
std::vector<Chunk> MakeChunks(const Dialect& d, const std::vector<ImportSource>& sources,
                              bool header, uint64_t chunk_bytes) {
  std::vector<Chunk> chunks;
  if (chunk_bytes == 0) chunk_bytes = 1;
  for (size_t s = 0; s < sources.size(); ++s) {
    std::string_view data = sources[s].data;
    size_t pos = 0;
    if (header && !data.empty()) {
      const size_t e = RecordEnd(d, data, 0);
      pos = e < data.size() ? e + 1 : data.size();
    }
    while (pos < data.size()) {
      size_t end;
      if (data.size() - pos <= chunk_bytes) {
        end = data.size();
      } else if (d.format == ImportFormat::kCsv) {
        // Quote state must be tracked from the chunk's start.
        end = pos;
        while (end < data.size() && end - pos < chunk_bytes) {
          const size_t e = RecordEnd(d, data, end);
          end = e < data.size() ? e + 1 : data.size();
        }
      } else {
        const size_t e = RecordEnd(d, data, pos + chunk_bytes);
        end = e < data.size() ? e + 1 : data.size();
      }
      chunks.push_back({s, pos, end});
      pos = end;
    }
  }
  return chunks;
}

// Parses and encodes one chunk into *run. On a bad record, returns false with
// *error (the chunk's first error).
bool ParseChunk(const Dialect& d, const Table& table, const std::vector<ImportSource>& sources,
                const Chunk& chunk, bool sort, Run* run, ParseError* error,
                std::atomic<uint64_t>* bytes_done, std::atomic<uint64_t>* rows_done) {
  const bpfgen::Schema& schema = table.schema();
  const size_t ncols = schema.columns.size();
  std::string_view data = sources[chunk.source].data;
  run->source = chunk.source;
  run->arena.reserve(chunk.end - chunk.begin + (chunk.end - chunk.begin) / 4);
  std::vector<std::string_view> fields;
  std::vector<size_t> offsets;
  std::vector<bool> quoted;
  std::vector<std::string> scratch;
  std::vector<Datum> row(ncols);
  std::string key, value;
  auto fail = [&](size_t off, std::string msg) {
    error->source = chunk.source;
    error->offset = off;
    error->message = std::move(msg);
    return false;
  };
  size_t pos = chunk.begin;
  uint64_t reported = pos;
  while (pos < chunk.end) {
    const size_t end = RecordEnd(d, data, pos);
    size_t count = 0, err_off = 0;
    std::string err;
    if (!SplitRecord(d, data, pos, std::min(end, chunk.end), ncols + 1, &fields, &offsets, &quoted,
                     &scratch, &count, &err_off, &err)) {
      return fail(err_off, err);
    }
    if (count != ncols) {
      return fail(pos,
                  "expected " + std::to_string(ncols) + " fields, got " + std::to_string(count));
    }
    for (size_t f = 0; f < ncols; ++f) {
      const int c = d.field_column[f];
      Status s = ParseField(schema.columns[c], fields[f], quoted[f], &row[c]);
      if (!s.ok()) return fail(offsets[f], s.message());
    }
    Status s = table.EncodeRow(row, &key, &value);
    if (!s.ok()) return fail(pos, s.message());
    Run::Row r;
    r.off = run->arena.size();
    r.key_len = static_cast<uint32_t>(key.size());
    r.value_len = static_cast<uint32_t>(value.size());
    r.src_off = pos;
    run->arena += key;
    run->arena += value;
    run->rows.push_back(r);
    pos = end < data.size() ? end + 1 : data.size();
    if (run->rows.size() % 4096 == 0) {
      bytes_done->fetch_add(pos - reported, std::memory_order_relaxed);
      rows_done->fetch_add(4096, std::memory_order_relaxed);
      reported = pos;
    }
  }
  bytes_done->fetch_add(pos - reported, std::memory_order_relaxed);
  rows_done->fetch_add(run->rows.size() % 4096, std::memory_order_relaxed);
  if (sort) {
    const char* base = run->arena.data();
    std::stable_sort(run->rows.begin(), run->rows.end(),
                     [base](const Run::Row& a, const Run::Row& b) {
                       return std::string_view(base + a.off, a.key_len) <
                              std::string_view(base + b.off, b.key_len);
                     });
  }
  return true;
}

// Runs fn(i) for i in [0, n) on `threads` threads; the calling thread calls
// tick() about every 200 ms until all are done.
void ParallelFor(size_t n, unsigned threads, const std::function<void(size_t)>& fn,
                 const std::function<void()>& tick) {
  std::atomic<size_t> next{0};
  std::mutex mu;
  std::condition_variable cv;
  unsigned running = 0;
  std::vector<std::thread> pool;
  const unsigned t = static_cast<unsigned>(std::min<size_t>(threads, std::max<size_t>(n, 1)));
  running = t;
  for (unsigned k = 0; k < t; ++k) {
    pool.emplace_back([&] {
      for (;;) {
        const size_t i = next.fetch_add(1);
        if (i >= n) break;
        fn(i);
      }
      std::lock_guard<std::mutex> l(mu);
      if (--running == 0) cv.notify_all();
    });
  }
  {
    std::unique_lock<std::mutex> l(mu);
    while (running > 0) {
      cv.wait_for(l, std::chrono::milliseconds(200));
      if (running > 0 && tick) {
        l.unlock();
        tick();
        l.lock();
      }
    }
  }
  for (std::thread& th : pool) th.join();
}

// A row of the merged order.
struct Ref {
  uint32_t run;
  uint32_t row;
};

// The temporary directory of one import ingestion, removed with whatever it
// still holds when destroyed: after a failure, the SST files written so far;
// after a successful IngestExternalFile (move_files), nothing (RocksDB moved
// the files into the DB and unlinked the originals).
class TempDir {
 public:
  static Result<TempDir> Create(const std::string& db_dir) {
    static std::atomic<uint64_t> counter{0};
    RemoveStale(db_dir);
    const std::string prefix = db_dir + "/import-tmp-" + std::to_string(::getpid()) + "-";
    for (int attempt = 0; attempt < 1000; ++attempt) {
      std::string path = prefix + std::to_string(counter.fetch_add(1));
      if (::mkdir(path.c_str(), 0755) == 0) return TempDir(path);
      if (errno != EEXIST) return Status::FromErrno("mkdir " + path, errno);
    }
    return Status::IOError("cannot create a temporary directory in " + db_dir);
  }
  TempDir(TempDir&& o) noexcept : path_(std::move(o.path_)) { o.path_.clear(); }
  TempDir& operator=(TempDir&&) = delete;
  ~TempDir() {
    if (path_.empty()) return;
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  // Directories of imports by other processes: this process has the DB open
  // (RocksDB's LOCK excludes every other process), so they are leftovers of
  // an import that was killed.
  static void RemoveStale(const std::string& db_dir) {
    const std::string mine = "import-tmp-" + std::to_string(::getpid()) + "-";
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(db_dir, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("import-tmp-", 0) != 0 || name.rfind(mine, 0) == 0) continue;
      std::error_code ec2;
      fs::remove_all(entry.path(), ec2);
    }
  }
  std::string path_;
};

}  // namespace

Result<std::vector<int>> FieldColumns(const bpfgen::Schema& schema,
                                      const std::vector<std::string>& columns) {
  std::vector<int> out;
  if (columns.empty()) {
    for (size_t c = 0; c < schema.columns.size(); ++c) out.push_back(static_cast<int>(c));
    return out;
  }
  std::vector<bool> seen(schema.columns.size(), false);
  for (const std::string& name : columns) {
    const int c = schema.FindColumn(name);
    if (c < 0) return Status::InvalidArgument("field order: no column '" + name + "'");
    if (seen[c]) return Status::InvalidArgument("field order: column '" + name + "' twice");
    seen[c] = true;
    out.push_back(c);
  }
  for (size_t c = 0; c < seen.size(); ++c) {
    if (!seen[c]) {
      return Status::InvalidArgument("field order: column '" + schema.columns[c].name +
                                     "' missing (every column needs a field)");
    }
  }
  return out;
}

std::vector<std::string> DefaultFieldOrder(const bpfgen::Schema& schema, ImportFormat format) {
  if (format != ImportFormat::kTbl) return {};
  auto lineitem = bpfgen::ParseSchema(bpfgen::kLineitemDdl);
  if (!lineitem.ok() || !(*lineitem == schema)) return {};
  return std::vector<std::string>(kDbgenLineitemFields.begin(), kDbgenLineitemFields.end());
}

Result<ImportFormat> ParseImportFormat(std::string_view name) {
  if (name == "csv") return ImportFormat::kCsv;
  if (name == "tsv") return ImportFormat::kTsv;
  if (name == "tbl") return ImportFormat::kTbl;
  return Status::InvalidArgument("unknown format '" + std::string(name) +
                                 "' (expected csv, tsv or tbl)");
}

Result<ImportMode> ParseImportMode(std::string_view name) {
  if (name == "ingest") return ImportMode::kIngest;
  if (name == "put") return ImportMode::kPut;
  return Status::InvalidArgument("unknown mode '" + std::string(name) +
                                 "' (expected ingest or put)");
}

Status ParseRowText(const bpfgen::Schema& schema, const std::vector<std::string_view>& fields,
                    std::vector<Datum>* row) {
  if (fields.size() != schema.columns.size()) {
    return Status::InvalidArgument("expected " + std::to_string(schema.columns.size()) +
                                   " fields, got " + std::to_string(fields.size()));
  }
  row->resize(fields.size());
  for (size_t c = 0; c < fields.size(); ++c) {
    PD_RETURN_IF_ERROR(ParseField(schema.columns[c], fields[c], false, &(*row)[c]));
  }
  return Status::OK();
}

Status Table::PutText(const std::vector<std::string_view>& fields) {
  if (schema_.raw) return Status::InvalidArgument("PutText needs a table with a schema");
  std::vector<Datum> row;
  PD_RETURN_IF_ERROR(ParseRowText(schema_, fields, &row));
  return Put(row);
}

Result<ImportSummary> ImportText(rocksdb::DB* db, const Table& table,
                                 const std::vector<ImportSource>& sources,
                                 const ImportOptions& options) {
  const auto start = Clock::now();
  const bpfgen::Schema& schema = table.schema();
  if (schema.raw) return Status::InvalidArgument("import needs a table with a schema");
  Dialect d{options.format, options.delimiter, {}};
  PD_ASSIGN_OR_RETURN(d.field_column, FieldColumns(schema, options.columns));
  if (d.delim == '\0') {
    d.delim = options.format == ImportFormat::kCsv   ? ','
              : options.format == ImportFormat::kTsv ? '\t'
                                                     : '|';
  }
  if (d.delim == '"' || d.delim == '\n' || d.delim == '\r') {
    return Status::InvalidArgument("the delimiter cannot be a quote, CR or LF");
  }
  const unsigned threads =
      options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  const bool ingest = options.mode == ImportMode::kIngest;

  ImportProgress progress;
  for (const ImportSource& s : sources) progress.bytes_total += s.data.size();
  ImportSummary summary;
  summary.bytes = progress.bytes_total;
  auto report = [&](const char* phase) {
    if (!options.progress) return;
    progress.phase = phase;
    options.progress(progress);
  };

  // 1. Parse and encode (and sort, for ingestion) every chunk.
  const std::vector<Chunk> chunks = MakeChunks(d, sources, options.header, options.chunk_bytes);
  std::vector<Run> runs(chunks.size());
  std::vector<std::optional<ParseError>> errors(chunks.size());
  // The lowest failed chunk index (SIZE_MAX: none). A chunk after it is
  // skipped; every chunk before it runs to its end, so the error reported is
  // the first one in input order.
  std::atomic<size_t> failed_at{SIZE_MAX};
  std::atomic<uint64_t> bytes_done{0}, rows_done{0};
  ParallelFor(
      chunks.size(), threads,
      [&](size_t i) {
        if (i > failed_at.load()) return;
        ParseError e;
        if (!ParseChunk(d, table, sources, chunks[i], ingest, &runs[i], &e, &bytes_done,
                        &rows_done)) {
          errors[i] = std::move(e);
          size_t cur = failed_at.load();
          while (i < cur && !failed_at.compare_exchange_weak(cur, i)) {
          }
          runs[i] = Run();
        }
      },
      [&] {
        progress.bytes_done = bytes_done.load();
        progress.rows = rows_done.load();
        report("parse");
      });
  for (size_t i = 0; i < chunks.size(); ++i) {
    if (errors[i]) {
      return Status::InvalidArgument(Position(sources, errors[i]->source, errors[i]->offset) +
                                     ": " + errors[i]->message);
    }
  }
  uint64_t total_rows = 0;
  for (const Run& r : runs) total_rows += r.rows.size();
  progress.bytes_done = progress.bytes_total;
  progress.rows = total_rows;
  report("parse");
  summary.rows = total_rows;

  if (!ingest) {
    // 2'. WriteBatches in input order (the last record of a key wins).
    rocksdb::WriteBatch batch;
    const size_t per_batch = std::max<size_t>(1, options.put_batch_rows);
    auto last_tick = Clock::now();
    for (const Run& run : runs) {
      for (size_t i = 0; i < run.rows.size(); ++i) {
        rocksdb::Status rs = batch.Put(table.column_family(), run.key(i), run.value(i));
        if (!rs.ok()) return Status::IOError("write batch: " + rs.ToString());
        if (static_cast<size_t>(batch.Count()) >= per_batch) {
          rs = db->Write(rocksdb::WriteOptions(), &batch);
          if (!rs.ok()) return Status::IOError("write: " + rs.ToString());
          progress.rows_written += batch.Count();
          batch.Clear();
          if (Clock::now() - last_tick > std::chrono::milliseconds(200)) {
            last_tick = Clock::now();
            report("write");
          }
        }
      }
    }
    if (batch.Count() > 0) {
      rocksdb::Status rs = db->Write(rocksdb::WriteOptions(), &batch);
      if (!rs.ok()) return Status::IOError("write: " + rs.ToString());
      progress.rows_written += batch.Count();
    }
    report("write");
    summary.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return summary;
  }

  if (total_rows == 0) {
    summary.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return summary;
  }
  if (total_rows > UINT32_MAX || runs.size() > UINT32_MAX) {
    return Status::ResourceExhausted("import of more than 2^32 rows in one call");
  }

  // 2. The global key order: the runs concatenated when they are already in
  // order (dbgen output, any key-sorted input), else a k-way merge. Equal
  // adjacent keys are duplicates.
  std::vector<Ref> order;
  order.reserve(total_rows);
  bool in_order = true;
  {
    std::string_view prev;
    bool have_prev = false;
    for (const Run& r : runs) {
      if (r.rows.empty()) continue;
      if (have_prev && !(prev < r.key(0))) {
        in_order = false;
        break;
      }
      prev = r.key(r.rows.size() - 1);
      have_prev = true;
    }
  }
  if (in_order) {
    for (uint32_t k = 0; k < runs.size(); ++k) {
      for (uint32_t i = 0; i < runs[k].rows.size(); ++i) order.push_back({k, i});
    }
  } else {
    auto greater = [&](const Ref& a, const Ref& b) {
      const int c = runs[a.run].key(a.row).compare(runs[b.run].key(b.row));
      return c != 0 ? c > 0 : a.run > b.run;  // equal keys: earlier run first
    };
    std::priority_queue<Ref, std::vector<Ref>, decltype(greater)> heap(greater);
    for (uint32_t k = 0; k < runs.size(); ++k) {
      if (!runs[k].rows.empty()) heap.push({k, 0});
    }
    while (!heap.empty()) {
      Ref r = heap.top();
      heap.pop();
      order.push_back(r);
      if (r.row + 1 < runs[r.run].rows.size()) heap.push({r.run, r.row + 1});
    }
  }
  for (size_t i = 1; i < order.size(); ++i) {
    const Run& ra = runs[order[i - 1].run];
    const Run& rb = runs[order[i].run];
    if (ra.key(order[i - 1].row) != rb.key(order[i].row)) continue;
    // Report at the later record, naming the earlier one.
    std::pair<size_t, size_t> a{ra.source, ra.rows[order[i - 1].row].src_off};
    std::pair<size_t, size_t> b{rb.source, rb.rows[order[i].row].src_off};
    if (b < a) std::swap(a, b);
    return Status::InvalidArgument(Position(sources, b.first, b.second) + ": duplicate key " +
                                   KeyText(schema, ra.key(order[i - 1].row)) + ", first at " +
                                   Position(sources, a.first, a.second));
  }

  // 3. SST files: contiguous ranges of the order of about sst_file_bytes,
  // written in parallel.
  std::vector<std::pair<size_t, size_t>> files;  // [begin, end) in order
  {
    size_t begin = 0;
    uint64_t bytes = 0;
    for (size_t i = 0; i < order.size(); ++i) {
      const Run::Row& r = runs[order[i].run].rows[order[i].row];
      bytes += r.key_len + r.value_len;
      if (bytes >= options.sst_file_bytes) {
        files.push_back({begin, i + 1});
        begin = i + 1;
        bytes = 0;
      }
    }
    if (begin < order.size()) files.push_back({begin, order.size()});
  }
  PD_ASSIGN_OR_RETURN(TempDir tmp, TempDir::Create(db->GetName()));
  const rocksdb::Options cf_options = db->GetOptions(table.column_family());
  std::vector<std::string> paths(files.size());
  std::vector<Status> file_status(files.size());
  std::mutex hook_mu;
  size_t finished = 0;
  std::atomic<bool> write_failed{false};
  std::atomic<uint64_t> rows_written{0};
  ParallelFor(
      files.size(), threads,
      [&](size_t f) {
        if (write_failed.load()) return;
        char name[32];
        std::snprintf(name, sizeof(name), "/%06zu.sst", f);
        paths[f] = tmp.path() + name;
        rocksdb::SstFileWriter writer(rocksdb::EnvOptions(cf_options), cf_options,
                                      table.column_family());
        auto fail = [&](const std::string& what, const rocksdb::Status& rs) {
          file_status[f] = Status::IOError(what + " " + paths[f] + ": " + rs.ToString());
          write_failed.store(true);
        };
        rocksdb::Status rs = writer.Open(paths[f]);
        if (!rs.ok()) return fail("open", rs);
        for (size_t i = files[f].first; i < files[f].second; ++i) {
          const Run& run = runs[order[i].run];
          rs = writer.Put(run.key(order[i].row), run.value(order[i].row));
          if (!rs.ok()) return fail("write", rs);
          if (write_failed.load(std::memory_order_relaxed)) return;
        }
        rs = writer.Finish();
        if (!rs.ok()) return fail("finish", rs);
        rows_written.fetch_add(files[f].second - files[f].first);
        if (options.after_sst_file) {
          std::lock_guard<std::mutex> l(hook_mu);
          Status s = options.after_sst_file(++finished, files.size());
          if (!s.ok()) {
            file_status[f] = s;
            write_failed.store(true);
          }
        }
      },
      [&] {
        progress.rows_written = rows_written.load();
        report("write");
      });
  for (const Status& s : file_status) {
    if (!s.ok()) return s;  // tmp's destructor removes the files
  }
  progress.rows_written = total_rows;
  report("write");
  runs.clear();  // the memory is not needed any more
  runs.shrink_to_fit();

  // 4. One ingestion: all files or none.
  rocksdb::IngestExternalFileOptions ifo;
  ifo.move_files = true;
  rocksdb::Status rs = db->IngestExternalFile(table.column_family(), paths, ifo);
  if (!rs.ok())
    return Status::IOError("ingest into table '" + table.name() + "': " + rs.ToString());
  report("ingest");
  summary.sst_files = files.size();
  summary.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return summary;
}

namespace {

// A read-only mapping of a whole file (RAII).
class MappedFile {
 public:
  static Result<std::unique_ptr<MappedFile>> Open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::FromErrno("open " + path, errno);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      const int err = errno;
      ::close(fd);
      return Status::FromErrno("stat " + path, err);
    }
    if (!S_ISREG(st.st_mode)) {
      ::close(fd);
      return Status::InvalidArgument(path + ": not a regular file");
    }
    auto m = std::unique_ptr<MappedFile>(new MappedFile());
    m->size_ = static_cast<size_t>(st.st_size);
    if (m->size_ > 0) {
      void* p = ::mmap(nullptr, m->size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (p == MAP_FAILED) {
        const int err = errno;
        ::close(fd);
        return Status::FromErrno("mmap " + path, err);
      }
      ::madvise(p, m->size_, MADV_SEQUENTIAL | MADV_WILLNEED);
      m->data_ = static_cast<const char*>(p);
    }
    ::close(fd);
    return m;
  }
  ~MappedFile() {
    if (data_) ::munmap(const_cast<char*>(data_), size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  std::string_view data() const { return std::string_view(data_ ? data_ : "", size_); }

 private:
  MappedFile() = default;
  const char* data_ = nullptr;
  size_t size_ = 0;
};

Result<std::string> ReadAll(int fd, const std::string& name) {
  std::string out;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno("read " + name, errno);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace

Result<ImportSummary> ImportFiles(rocksdb::DB* db, const Table& table,
                                  const std::vector<std::string>& paths,
                                  const ImportOptions& options) {
  std::vector<std::unique_ptr<MappedFile>> maps;
  std::vector<std::string> owned;  // stdin
  owned.reserve(paths.size());
  std::vector<ImportSource> sources;
  for (const std::string& p : paths) {
    if (p == "-") {
      PD_ASSIGN_OR_RETURN(std::string all, ReadAll(STDIN_FILENO, "<stdin>"));
      owned.push_back(std::move(all));
      sources.push_back({"<stdin>", owned.back()});
      continue;
    }
    PD_ASSIGN_OR_RETURN(auto m, MappedFile::Open(p));
    sources.push_back({p, m->data()});
    maps.push_back(std::move(m));
  }
  return ImportText(db, table, sources, options);
}

}  // namespace pushdown::engine
