// Runs build/bin/pushdown as a subprocess: exit status, stdout, stderr.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace {

struct RunResult {
  bool exited = false;  // false: killed by a signal
  int status = -1;
  std::string out;
  std::string err;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pushdown_cli_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    for (const char* f : {"/out", "/err", "/schema.ddl"}) unlink((dir_ + f).c_str());
    rmdir(dir_.c_str());
  }

  RunResult Run(std::vector<std::string> args) {
    std::string binary = PD_BINARY_DIR "/bin/pushdown";
    args.insert(args.begin(), binary);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    std::string out = dir_ + "/out", err = dir_ + "/err";
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    RunResult r;
    int rc = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    EXPECT_EQ(rc, 0) << "cannot run " << binary;
    if (rc != 0) return r;
    int status = 0;
    waitpid(pid, &status, 0);
    r.exited = WIFEXITED(status);
    r.status = r.exited ? WEXITSTATUS(status) : -WTERMSIG(status);
    r.out = ReadFile(out);
    r.err = ReadFile(err);
    return r;
  }

  std::string dir_;
};

constexpr char kQ6[] =
    "l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01' AND l_discount BETWEEN "
    "0.05 AND 0.07 AND "
    "l_quantity < 24";

TEST_F(CliTest, Q6OverLineitemIsFullyPushed) {
  RunResult r = Run({"compile", "--schema", "lineitem", "--where", kQ6});
  ASSERT_TRUE(r.exited);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find("schema: l_orderkey INT64 KEY"), std::string::npos) << r.out;
  EXPECT_NE(
      r.out.find(
          "predicate: (l_shipdate >= DATE '1994-01-01') AND (l_shipdate < DATE '1995-01-01') AND "
          "(l_discount BETWEEN 0.05 AND 0.07) AND (l_quantity < 24.00)\n"),
      std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("conjuncts: 4\n"), std::string::npos);
  EXPECT_NE(r.out.find("  [3] BOOL  (l_quantity < 24.00)\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("device: kernel\n"), std::string::npos);
  EXPECT_NE(r.out.find("pushdown: FULL (4 of 4 conjuncts on the device)\n"), std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("residual"), std::string::npos);
  for (int i = 0; i < 4; ++i) {
    EXPECT_NE(r.out.find("  device   [" + std::to_string(i) + "] "), std::string::npos) << r.out;
  }
}

TEST_F(CliTest, SchemaAsDdlOrFileAndPartialSplitWithReasons) {
  std::ofstream(dir_ + "/schema.ddl") << "id INT64 KEY, price DOUBLE";
  RunResult r = Run(
      {"compile", "--schema", "@" + dir_ + "/schema.ddl", "--where", "id > 3 AND price * 2 > 1"});
  ASSERT_TRUE(r.exited);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("pushdown: PARTIAL (1 of 2 conjuncts on the device)"), std::string::npos)
      << r.out;
  EXPECT_NE(
      r.out.find(
          "  residual [1] ((price * 2) > 1)\n"
          "           reason: DOUBLE arithmetic needs floating point; device 'kernel' has none\n"),
      std::string::npos)
      << r.out;
  r = Run({"compile", "--schema=id INT64 KEY, price DOUBLE", "--device", "host", "--where",
           "id > 3 AND price * 2 > 1"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("pushdown: FULL (2 of 2"), std::string::npos) << r.out;
}

TEST_F(CliTest, RawModeWithoutSchema) {
  RunResult r = Run(
      {"compile", "--where", "u64be(key, 0) < 1000 AND starts_with(value, 'v')", "--emit", "plan"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("schema: raw (key BYTES, value BYTES)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("pushdown: FULL (2 of 2"), std::string::npos) << r.out;
}

TEST_F(CliTest, BadPredicateExitsTwoWithDiagnostic) {
  RunResult r =
      Run({"compile", "--schema", "lineitem", "--where", "l_shipdat >= DATE '1994-01-01'"});
  ASSERT_TRUE(r.exited);
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "1:1: unknown column 'l_shipdat' (did you mean 'l_shipdate'?)\n"
            "l_shipdat >= DATE '1994-01-01'\n"
            "^~~~~~~~~\n");
  r = Run({"compile", "--where", std::string(60000, '(')});
  ASSERT_TRUE(r.exited);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("nested too deeply"), std::string::npos);
}

TEST_F(CliTest, BadUsageExitsTwo) {
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {},
           {"frobnicate"},
           {"compile"},
           {"compile", "--where"},
           {"compile", "--where", "x", "--bogus", "1"},
           {"compile", "--where", "key = 'a'", "--device", "gpu"},
           {"compile", "--where", "key = 'a'", "--emit", "elf"},
           {"compile", "--where", "key = 'a'", "extra"},
           {"compile", "--schema", "id FOO", "--where", "id = 1"},
           {"compile", "--schema", "@/nonexistent/schema.ddl", "--where", "id = 1"},
       }) {
    RunResult r = Run(args);
    ASSERT_TRUE(r.exited);
    EXPECT_EQ(r.status, 2) << testing::PrintToString(args) << "\n" << r.err;
    EXPECT_FALSE(r.err.empty());
  }
}

TEST_F(CliTest, Help) {
  RunResult r = Run({"--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("compile"), std::string::npos);
  r = Run({"compile", "--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("--schema"), std::string::npos);
  EXPECT_NE(r.out.find("--device"), std::string::npos);
}

}  // namespace
