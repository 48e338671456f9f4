// The `pushdown` CLI under hostile input and resource limits, as a child
// process (fork + setrlimit + exec of build/bin/pushdown):
//   - `--schema @FILE` reads regular files of at most 1 MiB; a FIFO,
//     /dev/zero, a directory or a larger file is exit 2 with a message;
//   - NUL bytes and invalid UTF-8 in diagnostics are printed escaped;
//   - under RLIMIT_NOFILE / RLIMIT_AS a scan either succeeds with the
//     iterator path's rows or fails with exit 1 and a message: never a signal.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "engine/api/pushdown_db.h"

namespace pushdown::engine {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

struct Limits {
  std::optional<rlim_t> nofile;
  std::optional<rlim_t> as_bytes;
  bool deny_io_uring = false;  // io_uring_setup fails with ENOSYS (seccomp, kept across exec)
};

// Makes io_uring_setup fail with ENOSYS in this process and its exec'd image.
bool DenyIoUringSetup() {
  struct sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {static_cast<unsigned short>(sizeof(filter) / sizeof(filter[0])),
                            filter};
  return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
         syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0;
}

struct Child {
  bool exited = false;  // false: ended by a signal
  int status = -1;      // exit status or signal number
  std::string out, err;
};

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Binary() { return PD_BINARY_DIR "/bin/pushdown"; }

// Runs the CLI with `args` under `limits`; stdout/stderr captured in files.
Child RunCli(const std::vector<std::string>& args, const std::string& scratch, Limits limits = {}) {
  const std::string out_path = scratch + "/stdout", err_path = scratch + "/stderr";
  std::vector<std::string> argv = {Binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(out, 1);
    dup2(err, 2);
    close(out);
    close(err);
    if (limits.nofile) {
      rlimit r{*limits.nofile, *limits.nofile};
      setrlimit(RLIMIT_NOFILE, &r);
    }
    if (limits.as_bytes) {
      rlimit r{*limits.as_bytes, *limits.as_bytes};
      setrlimit(RLIMIT_AS, &r);
    }
    if (limits.deny_io_uring && !DenyIoUringSetup()) _exit(126);
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  Child c;
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  c.exited = WIFEXITED(wstatus);
  c.status = c.exited ? WEXITSTATUS(wstatus) : WTERMSIG(wstatus);
  c.out = Slurp(out_path);
  c.err = Slurp(err_path);
  return c;
}

std::string Describe(const Child& c) {
  return (c.exited ? "exit " : "signal ") + std::to_string(c.status) + "; stderr: " + c.err;
}

class CliLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scratch_ = fs::temp_directory_path() / ("pd_cli_limits_" + std::to_string(getpid()));
    fs::remove_all(scratch_);
    fs::create_directories(scratch_);
  }
  void TearDown() override { fs::remove_all(scratch_); }
  std::string Path(const std::string& name) const { return (scratch_ / name).string(); }
  fs::path scratch_;
};

// --- --schema @FILE ---------------------------------------------------------

TEST_F(CliLimitsTest, SchemaFileMustBeARegularFileOfAtMostOneMiB) {
  const std::vector<std::string> where = {"compile", "--where", "a > 1"};
  auto compile = [&](const std::string& file) {
    std::vector<std::string> args = where;
    args.push_back("--schema");
    args.push_back("@" + file);
    return RunCli(args, scratch_.string());
  };
  {
    std::ofstream(Path("good.ddl")) << "a INT32 KEY\n";
    Child c = compile(Path("good.ddl"));
    EXPECT_TRUE(c.exited && c.status == 0) << Describe(c);
  }
  // A FIFO nobody writes: must not block (it would hang the test).
  ASSERT_EQ(mkfifo(Path("fifo").c_str(), 0644), 0);
  Child fifo = compile(Path("fifo"));
  EXPECT_TRUE(fifo.exited && fifo.status == 2) << Describe(fifo);
  EXPECT_THAT(fifo.err, HasSubstr("is a FIFO"));

  Child zero = compile("/dev/zero");
  EXPECT_TRUE(zero.exited && zero.status == 2) << Describe(zero);
  EXPECT_THAT(zero.err, HasSubstr("character device"));

  Child dir = compile(scratch_.string());
  EXPECT_TRUE(dir.exited && dir.status == 2) << Describe(dir);
  EXPECT_THAT(dir.err, HasSubstr("directory"));

  {
    std::ofstream big(Path("big.ddl"));
    big << "a INT32 KEY" << std::string((1u << 20) - 11, ' ');  // exactly 1 MiB: accepted
  }
  Child at_limit = compile(Path("big.ddl"));
  EXPECT_TRUE(at_limit.exited && at_limit.status == 0) << Describe(at_limit);
  { std::ofstream(Path("big.ddl"), std::ios::app) << ' '; }  // 1 MiB + 1
  Child over = compile(Path("big.ddl"));
  EXPECT_TRUE(over.exited && over.status == 2) << Describe(over);
  EXPECT_THAT(over.err, HasSubstr("larger than 1048576 bytes"));

  Child missing = compile(Path("nope.ddl"));
  EXPECT_TRUE(missing.exited && missing.status == 2) << Describe(missing);
}

// --- escaping ----------------------------------------------------------------

TEST_F(CliLimitsTest, NulAndInvalidUtf8InDiagnosticsArePrintedEscaped) {
  {
    std::ofstream f(Path("nul.ddl"), std::ios::binary);
    f << std::string("a INT32 KEY, b\0c INT32", 22);
  }
  Child nul =
      RunCli({"compile", "--where", "a > 1", "--schema", "@" + Path("nul.ddl")}, scratch_.string());
  EXPECT_TRUE(nul.exited && nul.status == 2) << Describe(nul);
  EXPECT_EQ(nul.err.find('\0'), std::string::npos);
  EXPECT_THAT(nul.err, HasSubstr("\\x00"));
  EXPECT_THAT(nul.err, HasSubstr("1:15: "));  // line:column of the DDL error
  EXPECT_THAT(nul.err, HasSubstr("^"));       // and its caret

  // argv cannot hold a NUL; invalid UTF-8 it can.
  Child utf = RunCli({"compile", "--where", "\xff\xfe = 1"}, scratch_.string());
  EXPECT_TRUE(utf.exited && utf.status == 2) << Describe(utf);
  EXPECT_EQ(utf.err.find('\xff'), std::string::npos) << utf.err;
  EXPECT_THAT(utf.err, HasSubstr("\\xff"));
  // Valid UTF-8 passes unchanged.
  Child word = RunCli({"compile", "--where", "\xc3\xa9t\xc3\xa9 = 1"}, scratch_.string());
  EXPECT_TRUE(word.exited && word.status == 2) << Describe(word);
  EXPECT_THAT(word.err, HasSubstr("\xc3\xa9t\xc3\xa9"));
}

// --- resource limits ---------------------------------------------------------

constexpr int kFiles = 24;
constexpr int kKeysPerFile = 2000;

std::string Key(uint64_t k) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[i] = static_cast<char>(k >> (56 - 8 * i));
  return s;
}

// A raw DB of kFiles L0 files (auto compactions off), written with the API.
void MakeDb(const std::string& dir) {
  DbOptions o;
  o.customize = [](rocksdb::Options* opts) {
    opts->disable_auto_compactions = true;
    opts->level0_file_num_compaction_trigger = 1000;
    opts->level0_slowdown_writes_trigger = 1000;
    opts->level0_stop_writes_trigger = 1000;
  };
  auto db = PushdownDB::Open(dir, o);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  rocksdb::DB* rdb = (*db)->db();
  for (int f = 0; f < kFiles; ++f) {
    for (int i = 0; i < kKeysPerFile; ++i) {
      const uint64_t k = static_cast<uint64_t>(i) * kFiles + f;  // files overlap: all read at once
      ASSERT_TRUE(rdb->Put({}, Key(k), "value-" + std::to_string(k)).ok());
    }
    ASSERT_TRUE(rdb->Flush({}).ok());
  }
}

std::vector<std::string> ScanArgs(const std::string& db, const std::string& device) {
  return {"scan", "--db", db, "--where", "u64be(key, 0) % 97 = 5", "--device", device, "--stats"};
}

// The last line of stderr (the --stats JSON).
std::string LastLine(const std::string& s) {
  std::string t = s;
  while (!t.empty() && t.back() == '\n') t.pop_back();
  size_t nl = t.rfind('\n');
  return nl == std::string::npos ? t : t.substr(nl + 1);
}

TEST_F(CliLimitsTest, ScansUnderDescriptorAndMemoryLimitsNeverAbort) {
  const std::string db = Path("db");
  MakeDb(db);
  if (HasFatalFailure()) return;
  Child reference = RunCli(ScanArgs(db, "iterator"), scratch_.string());
  ASSERT_TRUE(reference.exited && reference.status == 0) << Describe(reference);
  Child free_run = RunCli(ScanArgs(db, "auto"), scratch_.string());
  ASSERT_TRUE(free_run.exited && free_run.status == 0) << Describe(free_run);
  EXPECT_EQ(free_run.out, reference.out);
  EXPECT_THAT(LastLine(free_run.err), HasSubstr("\"path\":\"pushdown\""));

  // Without io_uring, block reads fall back to pread and the scan says so.
  Child no_uring = RunCli(ScanArgs(db, "auto"), scratch_.string(), {{}, {}, true});
  ASSERT_TRUE(no_uring.exited && no_uring.status == 0) << Describe(no_uring);
  EXPECT_EQ(no_uring.out, reference.out);
  EXPECT_THAT(LastLine(no_uring.err), HasSubstr("\"path\":\"pushdown\""));
  EXPECT_THAT(LastLine(no_uring.err), HasSubstr("io_uring_queue_init"));
  EXPECT_THAT(LastLine(free_run.err), HasSubstr("\"fallback_reason\":\"\""));

  // The fewest descriptors the iterator path needs (RocksDB opens every table
  // at DB open), found by search; the pushdown path must then work too.
  rlim_t lo = 8, hi = 512;  // hi works
  while (lo + 1 < hi) {
    const rlim_t mid = (lo + hi) / 2;
    Child c = RunCli(ScanArgs(db, "iterator"), scratch_.string(), {mid, {}});
    EXPECT_TRUE(c.exited) << "iterator path, nofile " << mid << ": " << Describe(c);
    if (c.exited && c.status == 0) {
      hi = mid;
    } else {
      lo = mid;
    }
  }
  std::printf("iterator path needs RLIMIT_NOFILE >= %lu for %d files\n",
              static_cast<unsigned long>(hi), kFiles);
  for (rlim_t n = hi; n < hi + 2 * kFiles + 16; n += 4) {
    Child c = RunCli(ScanArgs(db, "auto"), scratch_.string(), {n, {}});
    ASSERT_TRUE(c.exited) << "nofile " << n << ": " << Describe(c);
    if (c.status == 0) {
      EXPECT_EQ(c.out, reference.out) << "nofile " << n;
    } else {
      EXPECT_EQ(c.status, 1) << Describe(c);
      EXPECT_THAT(c.err, HasSubstr("pushdown scan: ")) << Describe(c);
    }
    // Where the iterator path works, so does a scan: pushdown, or the
    // iterator path with the reason.
    EXPECT_EQ(c.status, 0) << "nofile " << n << ": " << Describe(c);
  }
  // 2 descriptors per SST file at most (all 24 overlapping L0 files are read
  // at once): with 2 per file above what the iterator path needs, plus 16 for
  // the program (BPF program, map, BTF) and the process, the scan takes the
  // pushdown path with nothing falling back.
  Child roomy = RunCli(ScanArgs(db, "auto"), scratch_.string(), {hi + 2 * kFiles + 16, {}});
  ASSERT_TRUE(roomy.exited && roomy.status == 0) << Describe(roomy);
  EXPECT_THAT(LastLine(roomy.err), HasSubstr("\"path\":\"pushdown\"")) << roomy.err;
  EXPECT_THAT(LastLine(roomy.err), HasSubstr("\"fallback_reason\":\"\"")) << roomy.err;
  EXPECT_EQ(roomy.out, reference.out);

  // Address-space limits from 128 MiB to 2 GiB: a signal is never the answer
  // (RocksDB's own SIGABRT at DB open under 256-384 MiB is avoided by the
  // CLI's max_file_opening_threads = 1, cli_common.cc).
  for (rlim_t mib : {128, 256, 384, 512, 640, 768, 896, 1024, 1536, 2048}) {
    for (const char* device : {"iterator", "auto"}) {
      Child c = RunCli(ScanArgs(db, device), scratch_.string(), {{}, mib << 20});
      ASSERT_TRUE(c.exited) << device << ", RLIMIT_AS " << mib << " MiB: " << Describe(c);
      if (c.status == 127 &&
          c.err.find("error while loading shared libraries") != std::string::npos) {
        // Below ~200 MiB the dynamic loader cannot map librocksdb/libLLVM:
        // the process ends before any of our code runs.
        std::printf("RLIMIT_AS %4lu MiB, %-8s: the loader cannot map the libraries\n",
                    static_cast<unsigned long>(mib), device);
        continue;
      }
      if (c.status == 0) {
        EXPECT_EQ(c.out, reference.out) << device << " " << mib;
      } else {
        EXPECT_EQ(c.status, 1) << device << " " << mib << ": " << Describe(c);
        EXPECT_THAT(c.err, HasSubstr("pushdown scan: ")) << Describe(c);
      }
      std::printf("RLIMIT_AS %4lu MiB, %-8s: %s\n", static_cast<unsigned long>(mib), device,
                  c.status == 0 ? LastLine(c.err).c_str() : Describe(c).c_str());
    }
  }
}

}  // namespace
}  // namespace pushdown::engine
