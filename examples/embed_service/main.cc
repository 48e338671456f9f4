// embed_service: a small service that embeds rocksdb-pushdown.
//
// Opens a DB through the pushdown FileSystem, creates an `orders` table, runs
// writer threads that insert and delete rows (keeping their own bookkeeping of
// which keys exist and their amounts), and scanner threads that run pushdown
// scans and aggregates concurrently. At the end (writers stopped) every
// device's scans must agree with the bookkeeping exactly.
//
//   embed_service DB_DIR [--device auto|kernel|host|iterator] [--seconds N]
// Exit status 0 = every check passed.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "engine/api/pushdown_db.h"

using pushdown::Result;
using pushdown::Status;
using pushdown::engine::Datum;
using pushdown::engine::DbOptions;
using pushdown::engine::PushdownDB;
using pushdown::engine::ScanOptions;
using pushdown::engine::Table;
using pushdown::engine::TableWriteBatch;

namespace {

constexpr char kOrdersDdl[] =
    "o_id INT64 KEY, o_customer INT32 NOT NULL, o_amount DECIMAL(12,2) NOT NULL, "
    "o_note VARCHAR(32)";
constexpr int kWriters = 2;
constexpr int64_t kIdsPerWriter = 5000;

// What the writers believe is in the table: id -> amount (cents).
struct Book {
  std::mutex mu;
  std::map<int64_t, int64_t> rows;
};

int Fail(const std::string& what) {
  std::fprintf(stderr, "embed_service: FAILED: %s\n", what.c_str());
  return 1;
}

void Writer(Table* orders, Book* book, int w, std::atomic<bool>* stop, std::atomic<int>* errors) {
  std::mt19937_64 rng(1000 + w);
  const int64_t base = w * kIdsPerWriter;  // disjoint id ranges: no write races on the book
  while (!stop->load()) {
    TableWriteBatch batch;
    std::vector<std::pair<int64_t, int64_t>> ops;  // (id, amount), amount -1 = delete
    for (int i = 0; i < 16; ++i) {
      const int64_t id = base + int64_t(rng() % kIdsPerWriter);
      if (rng() % 4 == 0) {
        if (!batch.Delete(*orders, {Datum::Int(id)}).ok()) ++*errors;
        ops.emplace_back(id, -1);
      } else {
        const int64_t amount = int64_t(rng() % 100000);
        std::vector<Datum> row = {Datum::Int(id), Datum::Int(int64_t(rng() % 100)),
                                  Datum::Int(amount),
                                  rng() % 3 ? Datum::String("regular") : Datum::Null()};
        if (!batch.Put(*orders, row).ok()) ++*errors;
        ops.emplace_back(id, amount);
      }
    }
    // The write and its bookkeeping, in batch order, under one lock.
    std::lock_guard<std::mutex> lock(book->mu);
    if (!orders->Write(batch).ok()) ++*errors;
    for (const auto& [id, amount] : ops) {
      if (amount < 0) {
        book->rows.erase(id);
      } else {
        book->rows[id] = amount;
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: embed_service DB_DIR [--device D] [--seconds N]\n");
    return 2;
  }
  std::string device = "auto";
  int seconds = 2;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--device") device = argv[i + 1];
    if (flag == "--seconds") seconds = std::atoi(argv[i + 1]);
  }

  DbOptions options;
  options.device = pushdown::exec::ParseDeviceRequest(device);  // unknown: the default
  options.customize = [](rocksdb::Options* o) { o->write_buffer_size = 1 << 20; };
  auto db = PushdownDB::Open(argv[1], options);
  if (!db.ok()) return Fail("open: " + db.status().ToString());
  Result<Table*> t = (*db)->OpenTable("orders");
  if (!t.ok()) t = (*db)->CreateTable("orders", kOrdersDdl);
  if (!t.ok()) return Fail("create table: " + t.status().ToString());
  Table* orders = *t;

  Book book;
  {  // Start from what the table holds (a previous run).
    auto cur = (*db)->Scan("orders", "", ScanOptions());
    if (!cur.ok()) return Fail("initial scan: " + cur.status().ToString());
    for (;;) {
      if (!(*cur)->Next().ok()) return Fail("initial scan");
      if (!(*cur)->Valid()) break;
      book.rows[(*cur)->row()[0].i] = (*cur)->row()[2].i;
    }
  }

  std::atomic<bool> stop{false};
  std::atomic<int> errors{0};
  std::atomic<uint64_t> scans{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back(Writer, orders, &book, w, &stop, &errors);
  }
  // Concurrent scanners: a pushdown scan and an iterator scan at one snapshot
  // must return the same rows while the writers run.
  for (int s = 0; s < 2; ++s) {
    threads.emplace_back([&, s] {
      while (!stop.load()) {
        const rocksdb::Snapshot* snap = (*db)->db()->GetSnapshot();
        ScanOptions so;
        so.snapshot = snap;
        so.columns = {"o_id", "o_amount"};
        const char* where = s ? "o_amount >= 500.00 AND o_customer < 50" : "o_note IS NULL";
        std::vector<std::vector<Datum>> got[2];
        for (int pass = 0; pass < 2; ++pass) {
          so.device = pass ? std::optional(pushdown::exec::DeviceRequest::kIterator) : std::nullopt;
          auto cur = (*db)->Scan("orders", where, so);
          if (!cur.ok()) {
            ++errors;
            break;
          }
          for (;;) {
            if (!(*cur)->Next().ok()) {
              ++errors;
              break;
            }
            if (!(*cur)->Valid()) break;
            got[pass].push_back((*cur)->row());
          }
        }
        (*db)->db()->ReleaseSnapshot(snap);
        if (got[0] != got[1]) {
          std::fprintf(stderr, "scan mismatch: %zu vs %zu rows\n", got[0].size(), got[1].size());
          ++errors;
        }
        ++scans;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  stop = true;
  for (auto& th : threads) th.join();
  if (errors.load() != 0) return Fail(std::to_string(errors.load()) + " errors during the run");

  // Quiescent: each device's count and sum must equal the book.
  int64_t expect_count = 0, expect_sum = 0, expect_big = 0;
  for (const auto& [id, amount] : book.rows) {
    ++expect_count;
    expect_sum += amount;
    if (amount >= 50000) ++expect_big;
  }
  for (const char* dev : {"auto", "kernel", "host", "iterator"}) {
    ScanOptions so;
    so.device = pushdown::exec::ParseDeviceRequest(dev);
    auto agg = (*db)->Aggregate("orders", "", "count(*), sum(o_amount)", so);
    if (!agg.ok()) return Fail(std::string(dev) + ": " + agg.status().ToString());
    if (agg->values[0].i != expect_count || (expect_count > 0 && agg->values[1].i != expect_sum)) {
      return Fail(std::string(dev) + ": count/sum " + std::to_string(agg->values[0].i) + "/" +
                  std::to_string(agg->values[1].i) + ", bookkeeping " +
                  std::to_string(expect_count) + "/" + std::to_string(expect_sum));
    }
    auto cur = (*db)->Scan("orders", "o_amount >= 500.00", so);
    if (!cur.ok()) return Fail(cur.status().ToString());
    int64_t n = 0;
    for (;;) {
      if (!(*cur)->Next().ok()) return Fail("scan");
      if (!(*cur)->Valid()) break;
      ++n;
    }
    if (n != expect_big) {
      return Fail(std::string(dev) + ": " + std::to_string(n) + " rows >= 500.00, bookkeeping " +
                  std::to_string(expect_big));
    }
    const auto& info = (*cur)->info();
    std::printf("%-8s path=%-8s device=%-8s rows=%lld count=%lld sum=%lld%s%s\n", dev,
                info.path.c_str(), info.device.c_str(), (long long)n, (long long)agg->values[0].i,
                (long long)agg->values[1].i,
                info.fallback_reason.empty() ? "" : " fallback=", info.fallback_reason.c_str());
  }
  std::printf("embed_service: OK (%llu concurrent scan pairs, %lld rows)\n",
              (unsigned long long)scans.load(), (long long)expect_count);
  return 0;
}
