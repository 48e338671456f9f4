// Unit tests: io_uring positional reads match pread (short reads, EOF,
// O_DIRECT), and the ReadAsync/Poll/AbortIO handle lifecycle.
#include "engine/plugin/uring_read.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "engine/plugin/async_read.h"
#include "engine/plugin/sst_files.h"
#include "engine/plugin/uring.h"
#include "plugin_test_util.h"

namespace pushdown::engine {
namespace {

using testing::TempDir;

// pread's loop, as PosixRandomAccessFile::Read does it.
size_t ModelRead(int fd, uint64_t offset, size_t len, char* buf) {
  size_t done = 0;
  while (done < len) {
    ssize_t r = ::pread(fd, buf + done, len - done, static_cast<off_t>(offset + done));
    if (r < 0 && errno == EINTR) {
      continue;
    }
    if (r <= 0) {
      break;
    }
    done += static_cast<size_t>(r);
  }
  return done;
}

class UringReadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    path_ = dir_.path() + "/data.bin";
    std::mt19937_64 rng(42);
    content_.resize(kFileSize);
    for (char& c : content_) {
      c = static_cast<char>(rng());
    }
    int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, content_.data(), content_.size()), static_cast<ssize_t>(content_.size()));
    ::close(fd);
    ring_ = ThreadSyncRing(8);
    if (ring_ == nullptr) {
      GTEST_SKIP() << "io_uring unavailable: " << IoUringDisabledReason();
    }
  }

  // A file size that is not a multiple of the page size, so the tail is short.
  static constexpr size_t kFileSize = 3 * 4096 * 10 + 1234;
  TempDir dir_;
  std::string path_;
  std::string content_;
  IoUring* ring_ = nullptr;
};

TEST(ApplyCompletion, PreadSemantics) {
  ReadTarget buffered;
  ReadOp op;
  op.len = 100;
  EXPECT_TRUE(ApplyCompletion(buffered, -EINTR, &op));
  EXPECT_TRUE(ApplyCompletion(buffered, -EAGAIN, &op));
  EXPECT_FALSE(op.finished);
  EXPECT_TRUE(ApplyCompletion(buffered, 40, &op));  // short: read the rest
  EXPECT_EQ(op.done, 40u);
  EXPECT_FALSE(ApplyCompletion(buffered, 0, &op));  // EOF
  EXPECT_TRUE(op.finished);
  EXPECT_EQ(op.done, 40u);
  EXPECT_EQ(op.err, 0);

  ReadOp failing;
  failing.len = 10;
  EXPECT_FALSE(ApplyCompletion(buffered, -EIO, &failing));
  EXPECT_TRUE(failing.finished);
  EXPECT_EQ(failing.err, EIO);

  ReadTarget direct;
  direct.direct = true;
  direct.alignment = 512;
  ReadOp aligned;
  aligned.len = 4096;
  EXPECT_TRUE(ApplyCompletion(direct, 1024, &aligned));  // aligned short read: continue
  EXPECT_FALSE(ApplyCompletion(direct, 700, &aligned));  // unaligned: end of file
  EXPECT_TRUE(aligned.finished);
  EXPECT_EQ(aligned.done, 1724u);
}

TEST_F(UringReadTest, MatchesPreadIncludingEofAndDepthLimits) {
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  UniqueFd owner(fd);
  ReadTarget target;
  target.fd = fd;

  std::mt19937_64 rng(7);
  for (uint32_t depth : {1u, 3u, 8u, 64u}) {
    constexpr size_t kOps = 100;
    std::vector<std::string> bufs(kOps);
    std::vector<ReadOp> ops(kOps);
    for (size_t i = 0; i < kOps; ++i) {
      uint64_t offset = rng() % (kFileSize + 5000);  // some start past EOF
      size_t len = rng() % 20000;                    // some cross EOF, some are 0
      bufs[i].assign(len, '\0');
      ops[i].offset = offset;
      ops[i].len = len;
      ops[i].buf = bufs[i].data();
    }
    IoStats stats;
    ASSERT_TRUE(UringReadAll(ring_, target, ops.data(), kOps, depth, &stats).ok());
    for (size_t i = 0; i < kOps; ++i) {
      std::string expect(ops[i].len, '\0');
      size_t n = ModelRead(fd, ops[i].offset, ops[i].len, expect.data());
      ASSERT_TRUE(ops[i].finished) << i;
      EXPECT_EQ(ops[i].err, 0) << i;
      ASSERT_EQ(ops[i].done, n) << "depth " << depth << " op " << i;
      EXPECT_EQ(0, std::memcmp(bufs[i].data(), expect.data(), n)) << i;
    }
    EXPECT_GT(stats.uring_reads.load(), 0u);
    EXPECT_GT(stats.uring_resubmits.load(), 0u);  // crossing EOF re-reads and gets 0
  }
}

TEST_F(UringReadTest, ErrorIsPerRequest) {
  // A write-only descriptor: every read fails with EBADF, reported per op.
  int fd = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  UniqueFd owner(fd);
  ReadTarget target;
  target.fd = fd;
  char buf[16];
  ReadOp op;
  op.len = sizeof(buf);
  op.buf = buf;
  ASSERT_TRUE(UringReadAll(ring_, target, &op, 1, 4, nullptr).ok());
  EXPECT_TRUE(op.finished);
  EXPECT_EQ(op.err, EBADF);
}

TEST_F(UringReadTest, DirectIoMatchesPread) {
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECT);
  if (fd < 0) {
    GTEST_SKIP() << "O_DIRECT unsupported here: " << std::strerror(errno);
  }
  UniqueFd owner(fd);
  ReadTarget target;
  target.fd = fd;
  target.direct = true;
  target.alignment = 4096;
  constexpr size_t kOps = 12;
  constexpr size_t kLen = 3 * 4096;
  std::vector<ReadOp> ops(kOps);
  char* pool = static_cast<char*>(std::aligned_alloc(4096, kOps * kLen));
  ASSERT_NE(pool, nullptr);
  for (size_t i = 0; i < kOps; ++i) {
    ops[i].offset = i * kLen;  // the last ones reach the unaligned tail and beyond
    ops[i].len = kLen;
    ops[i].buf = pool + i * kLen;
  }
  ASSERT_TRUE(UringReadAll(ring_, target, ops.data(), kOps, 4, nullptr).ok());
  for (size_t i = 0; i < kOps; ++i) {
    size_t expect = ops[i].offset >= kFileSize ? 0 : std::min(kLen, kFileSize - ops[i].offset);
    ASSERT_TRUE(ops[i].finished);
    EXPECT_EQ(ops[i].err, 0) << i;
    ASSERT_EQ(ops[i].done, expect) << i;
    EXPECT_EQ(0, std::memcmp(ops[i].buf, content_.data() + ops[i].offset, expect)) << i;
  }
  std::free(pool);
}

TEST(IoUringFallback, FirstFailureDisablesAndLogsOnce) {
  // In a fresh process (threadsafe death test style re-executes the binary):
  // a recorded failure disables io_uring and both ring kinds report none.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        DisableIoUring("simulated failure");
        DisableIoUring("second failure");  // not logged, not recorded
        ReadTarget target;
        rocksdb::FSReadRequest req;
        char buf[8];
        req.offset = 0;
        req.len = sizeof(buf);
        req.scratch = buf;
        void* handle = nullptr;
        rocksdb::IOHandleDeleter del;
        rocksdb::IOStatus s = SubmitAsyncRead(target, 8, req, nullptr, nullptr,
                                              std::make_shared<IoStats>(), &handle, &del);
        bool ok = IoUringDisabled() && ThreadSyncRing(8) == nullptr &&
                  IoUringDisabledReason() == "simulated failure" && s.IsNotSupported() &&
                  handle == nullptr;
        std::_Exit(ok ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "io_uring unavailable \\(simulated failure\\)");
}

// --- ReadAsync / Poll / AbortIO ---

struct Completion {
  std::atomic<int> calls{0};
  size_t size = 0;
  bool ok = false;
  std::string data;
};

void OnComplete(const rocksdb::FSReadRequest& req, void* arg) {
  auto* c = static_cast<Completion*>(arg);
  c->size = req.result.size();
  c->ok = req.status.ok();
  c->data.assign(req.result.data(), req.result.size());
  c->calls.fetch_add(1);
}

class AsyncReadTest : public UringReadTest {
 protected:
  void SetUp() override {
    UringReadTest::SetUp();
    if (IsSkipped()) {
      return;
    }
    fd_ = UniqueFd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
    ASSERT_GE(fd_.get(), 0);
    target_.fd = fd_.get();
  }

  // Submits one read of [offset, offset+len) into scratch.
  void* Submit(uint64_t offset, size_t len, char* scratch, Completion* c,
               rocksdb::IOHandleDeleter* del) {
    rocksdb::FSReadRequest req;
    req.offset = offset;
    req.len = len;
    req.scratch = scratch;
    void* handle = nullptr;
    rocksdb::IOStatus s = SubmitAsyncRead(target_, 8, req, OnComplete, c, stats_, &handle, del);
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_TRUE(IsPushdownAsyncHandle(handle));
    return handle;
  }

  UniqueFd fd_;
  ReadTarget target_;
  std::shared_ptr<IoStats> stats_ = std::make_shared<IoStats>();
};

TEST_F(AsyncReadTest, PollRunsCallbackOnce) {
  std::string scratch(5000, '\0');
  Completion c;
  rocksdb::IOHandleDeleter del;
  void* h = Submit(100, 5000, scratch.data(), &c, &del);
  ASSERT_NE(h, nullptr);
  PollAsyncRead(h);
  EXPECT_EQ(c.calls.load(), 1);
  EXPECT_TRUE(c.ok);
  EXPECT_EQ(c.data, content_.substr(100, 5000));
  PollAsyncRead(h);  // already complete: the callback does not run again
  EXPECT_EQ(c.calls.load(), 1);
  del(h);
  EXPECT_FALSE(IsPushdownAsyncHandle(nullptr));
  EXPECT_EQ(stats_->async_reads.load(), 1u);
  EXPECT_EQ(stats_->polls.load(), 1u);
}

TEST_F(AsyncReadTest, ShortReadAtEof) {
  std::string scratch(8192, '\0');
  Completion c;
  rocksdb::IOHandleDeleter del;
  void* h = Submit(kFileSize - 1000, 8192, scratch.data(), &c, &del);
  PollAsyncRead(h);
  EXPECT_TRUE(c.ok);
  EXPECT_EQ(c.size, 1000u);
  EXPECT_EQ(c.data, content_.substr(kFileSize - 1000));
  del(h);
}

TEST_F(AsyncReadTest, ManyInFlightPolledOutOfOrder) {
  constexpr int kReads = 20;  // more than the ring's 8 entries
  std::vector<std::string> scratch(kReads, std::string(4096, '\0'));
  std::vector<Completion> done(kReads);
  std::vector<rocksdb::IOHandleDeleter> dels(kReads);
  std::vector<void*> handles(kReads);
  for (int i = 0; i < kReads; ++i) {
    handles[i] = Submit(i * 4096, 4096, scratch[i].data(), &done[i], &dels[i]);
  }
  for (int i = kReads - 1; i >= 0; --i) {
    PollAsyncRead(handles[i]);
    EXPECT_EQ(done[i].calls.load(), 1);
    EXPECT_EQ(done[i].data, content_.substr(i * 4096, 4096)) << i;
  }
  for (int i = 0; i < kReads; ++i) {
    dels[i](handles[i]);
  }
}

TEST_F(AsyncReadTest, AbortRunsCallbackOnceWithAborted) {
  std::string scratch(4096, '\0');
  Completion c;
  rocksdb::IOHandleDeleter del;
  void* h = Submit(0, 4096, scratch.data(), &c, &del);
  AbortAsyncRead(h);
  EXPECT_EQ(c.calls.load(), 1);
  EXPECT_FALSE(c.ok);  // IOStatus::Aborted, no data
  EXPECT_EQ(c.size, 0u);
  PollAsyncRead(h);  // after an abort, Poll does not run the callback again
  AbortAsyncRead(h);
  EXPECT_EQ(c.calls.load(), 1);
  del(h);
  EXPECT_EQ(stats_->aborts.load(), 1u);
}

TEST_F(AsyncReadTest, AbortAfterPollDoesNotRunCallbackAgain) {
  std::string scratch(4096, '\0');
  Completion c;
  rocksdb::IOHandleDeleter del;
  void* h = Submit(0, 4096, scratch.data(), &c, &del);
  PollAsyncRead(h);
  AbortAsyncRead(h);
  EXPECT_EQ(c.calls.load(), 1);
  EXPECT_TRUE(c.ok);
  del(h);
  EXPECT_EQ(stats_->aborts.load(), 0u);
}

TEST_F(AsyncReadTest, DeleteWithoutPollWaitsForTheRead) {
  std::string scratch(4096, '\0');
  Completion c;
  rocksdb::IOHandleDeleter del;
  void* h = Submit(0, 4096, scratch.data(), &c, &del);
  del(h);  // must not leave the kernel writing into scratch
  EXPECT_EQ(c.calls.load(), 0);
}

TEST_F(AsyncReadTest, PolledFromAnotherThreadAfterSubmitterExited) {
  std::string scratch(4096, '\0');
  Completion c;
  rocksdb::IOHandleDeleter del;
  void* h = nullptr;
  std::thread submitter([&] { h = Submit(4096, 4096, scratch.data(), &c, &del); });
  submitter.join();  // its thread-local ring lives on through the handle
  ASSERT_NE(h, nullptr);
  PollAsyncRead(h);
  EXPECT_EQ(c.calls.load(), 1);
  EXPECT_EQ(c.data, content_.substr(4096, 4096));
  del(h);
}

}  // namespace
}  // namespace pushdown::engine
