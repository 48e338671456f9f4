// Codegen never touches the file system: a compile (BPF and native) in a
// working directory whose every file codegen ever read is a FIFO completes
// (kernel codegen used to open ./pd_filter.gen for BTF line info: a FIFO there
// hung it), and under strace no file other than a shared library is opened
// between the compile's start and end markers.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bpfgen/codegen/compiler.h"
#include "bpfgen/lang/predicate.h"
#include "bpfgen/lang/split.h"
#include "bpfgen/schema/tpch.h"

namespace pushdown::bpfgen {
namespace {

// Every file name codegen read from the working directory.
const char* const kFilesCodegenRead[] = {"pd_filter.gen"};
// Opened (and failing: the directory does not exist) around the compile, so
// the strace log shows where the compile starts and ends.
constexpr char kBeginMarker[] = "/nonexistent-pd-codegen/begin";
constexpr char kEndMarker[] = "/nonexistent-pd-codegen/end";

std::string MakeFifoDir() {
  char tmpl[] = "/tmp/pd_no_files_XXXXXX";
  const char* dir = mkdtemp(tmpl);
  if (dir == nullptr) return "";
  for (const char* name : kFilesCodegenRead) {
    if (mkfifo((std::string(dir) + "/" + name).c_str(), 0600) != 0) return "";
  }
  return dir;
}

void RemoveFifoDir(const std::string& dir) {
  for (const char* name : kFilesCodegenRead) unlink((dir + "/" + name).c_str());
  rmdir(dir.c_str());
}

// Compiles a string-heavy predicate (debug info, BTF line info) both ways.
// Returns "" or the failure.
std::string CompileBoth() {
  Schema schema = ParseSchema(kLineitemDdl).value();
  auto pred = CompilePredicate(
      "l_comment LIKE '%special%requests%' AND l_shipmode IN ('AIR', 'MAIL') AND "
      "l_quantity * 2 + l_discount < 30",
      schema);
  if (!pred.ok()) return pred.status().ToString();
  SplitResult split = SplitPredicate(*pred, schema, TargetCaps::Kernel());
  int fd = open(kBeginMarker, O_RDONLY);
  if (fd >= 0) close(fd);
  auto bpf = CompileBpf(schema, split.device, CompileOptions{});
  auto native = CompileNative(schema, split.device, CompileOptions{});
  fd = open(kEndMarker, O_RDONLY);
  if (fd >= 0) close(fd);
  if (!bpf.ok()) return "bpf: " + bpf.status().ToString();
  if (!native.ok()) return "native: " + native.status().ToString();
  return "";
}

// The child half, run by the tests below in a FIFO directory.
TEST(NoFiles, Child) {
  if (std::getenv("PD_NO_FILES_CHILD") == nullptr) GTEST_SKIP() << "run by the tests below";
  ASSERT_EQ(CompileBoth(), "");
}

// Runs `argv` in `dir` with PD_NO_FILES_CHILD=1; kills it after `limit`
// (a hang detector, not a timing assertion). Returns the wait status, or -1.
int RunChild(const std::string& dir, const std::vector<std::string>& argv,
             std::chrono::seconds limit) {
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    if (chdir(dir.c_str()) != 0) _exit(120);
    setenv("PD_NO_FILES_CHILD", "1", 1);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(121);
  }
  auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -2;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return status;
}

std::string SelfExe() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  return n > 0 ? std::string(buf, n) : "";
}

TEST(NoFiles, CompileInADirectoryOfFifosCompletes) {
  const std::string dir = MakeFifoDir();
  ASSERT_FALSE(dir.empty()) << "mkdtemp/mkfifo failed";
  int status =
      RunChild(dir, {SelfExe(), "--gtest_filter=NoFiles.Child"}, std::chrono::seconds(120));
  RemoveFifoDir(dir);
  ASSERT_NE(status, -2) << "codegen hung in a directory holding FIFOs named like its old files";
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
}

const char* FindStrace() {
  for (const char* p : {"/usr/bin/strace", "/bin/strace", "/usr/local/bin/strace"}) {
    if (access(p, X_OK) == 0) return p;
  }
  return nullptr;
}

bool IsSharedLibrary(const std::string& path) {
  return path.size() > 3 &&
         (path.compare(path.size() - 3, 3, ".so") == 0 || path.find(".so.") != std::string::npos);
}

TEST(NoFiles, StraceSeesNoFileOpenedByCodegen) {
  const char* strace = FindStrace();
  if (strace == nullptr) GTEST_SKIP() << "strace is not installed (scripts/install_deps.sh)";
  const std::string dir = MakeFifoDir();
  ASSERT_FALSE(dir.empty());
  const std::string log = dir + ".strace";
  int status = RunChild(dir,
                        {strace, "-f", "-qq", "-o", log, "-e",
                         "trace=open,openat,openat2,creat,truncate,mknod,mknodat", SelfExe(),
                         "--gtest_filter=NoFiles.Child"},
                        std::chrono::seconds(180));
  RemoveFifoDir(dir);
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  unlink(log.c_str());
  ASSERT_NE(status, -2) << "hung under strace";
  if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
    // strace itself may be refused (ptrace disabled in a container).
    if (text.str().find("PTRACE") != std::string::npos || text.str().empty()) {
      GTEST_SKIP() << "strace cannot trace here (status " << status << ")";
    }
    FAIL() << "child status " << status << "\n" << text.str().substr(0, 2000);
  }
  bool inside = false, saw_begin = false, saw_end = false;
  std::vector<std::string> opened;
  std::string line;
  while (std::getline(text, line)) {
    size_t q = line.find('"');
    if (q == std::string::npos) continue;
    size_t e = line.find('"', q + 1);
    if (e == std::string::npos) continue;
    const std::string path = line.substr(q + 1, e - q - 1);
    if (path == kBeginMarker) {
      inside = saw_begin = true;
    } else if (path == kEndMarker) {
      inside = false;
      saw_end = true;
    } else if (inside && !IsSharedLibrary(path)) {
      opened.push_back(line);
    }
  }
  ASSERT_TRUE(saw_begin && saw_end) << "markers missing from the strace log";
  std::string all;
  for (const std::string& l : opened) all += l + "\n";
  EXPECT_TRUE(opened.empty()) << "codegen opened files:\n" << all;
}

}  // namespace
}  // namespace pushdown::bpfgen
