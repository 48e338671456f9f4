// `pushdown create-table` and `pushdown import` as subprocesses: the exact
// dbgen command on dbgen lines, import of the generator's .tbl equals
// load-tpch row for row, positioned errors with exit 2 and nothing loaded,
// and kill -9 of an import mid-way leaves the table as it was.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bpfgen/schema/schema.h"
#include "bpfgen/schema/text.h"
#include "bpfgen/schema/tpch.h"
#include "engine/tpch/lineitem_gen.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// dbgen 2.14.0 lineitem.tbl, SF 0.1, its first lines (order 1 and 2).
const char kDbgenLines[] =
    "1|15519|785|1|17|24386.67|0.04|0.02|N|O|1996-03-13|1996-02-12|1996-03-22|DELIVER IN "
    "PERSON|TRUCK|egular courts above the|\n"
    "1|6731|732|2|36|58958.28|0.09|0.06|N|O|1996-04-12|1996-02-28|1996-04-20|TAKE BACK "
    "RETURN|MAIL|ly final dependencies: slyly bold |\n"
    "1|6370|371|3|8|10210.96|0.10|0.02|N|O|1996-01-29|1996-03-05|1996-01-31|TAKE BACK "
    "RETURN|REG AIR|riously. regular, express dep|\n"
    "1|214|465|4|28|31197.88|0.09|0.06|N|O|1996-04-21|1996-03-30|1996-05-16|NONE|AIR|lites. "
    "fluffily even de|\n"
    "1|2403|160|5|24|31329.60|0.10|0.04|N|O|1996-03-30|1996-03-14|1996-04-01|NONE|FOB| pending "
    "foxes. slyly re|\n"
    "1|1564|67|6|32|46897.92|0.07|0.02|N|O|1996-01-30|1996-02-07|1996-02-03|DELIVER IN "
    "PERSON|MAIL|arefully slyly ex|\n"
    "2|10617|138|1|38|58049.18|0.00|0.05|N|O|1997-01-28|1997-01-14|1997-02-02|TAKE BACK "
    "RETURN|RAIL|ven requests. deposits breach a|\n";

struct RunResult {
  bool exited = false;
  int status = -1;
  std::string out, err;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary);
  out << data;
}

std::string Binary() { return PD_BINARY_DIR "/bin/pushdown"; }

// Starts `pushdown args...` with stdout/stderr into scratch/{stdout,stderr}
// and `extra_env` added to the environment. Returns the pid (or -1).
pid_t Start(const std::vector<std::string>& args, const std::string& scratch,
            const std::vector<std::string>& extra_env = {}, const std::string& stdin_path = "") {
  const std::string out_path = scratch + "/stdout", err_path = scratch + "/stderr";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (!stdin_path.empty()) {
    posix_spawn_file_actions_addopen(&actions, 0, stdin_path.c_str(), O_RDONLY, 0);
  }
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  std::vector<std::string> argv = args;
  argv.insert(argv.begin(), Binary());
  std::vector<char*> cargs;
  for (std::string& a : argv) cargs.push_back(a.data());
  cargs.push_back(nullptr);
  std::vector<std::string> env_store = extra_env;
  std::vector<char*> env;
  for (std::string& e : env_store) env.push_back(e.data());
  for (char** e = environ; *e; ++e) env.push_back(*e);
  env.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, cargs[0], &actions, nullptr, cargs.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

RunResult Wait(pid_t pid, const std::string& scratch) {
  RunResult r;
  if (pid < 0) return r;
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  r.exited = WIFEXITED(wstatus);
  r.status = r.exited ? WEXITSTATUS(wstatus) : WTERMSIG(wstatus);
  r.out = ReadFile(scratch + "/stdout");
  r.err = ReadFile(scratch + "/stderr");
  return r;
}

class ImportCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pd_import_cli_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    fs::create_directories(dir_ + "/scratch");
  }
  void TearDown() override { fs::remove_all(dir_); }

  RunResult Cli(const std::vector<std::string>& args) {
    return Wait(Start(args, dir_ + "/scratch"), dir_ + "/scratch");
  }
  // All rows of `table` as CSV (pushdown scan, iterator path) or "" on error.
  std::string ScanAll(const std::string& db, const std::string& table,
                      const std::string& device = "iterator") {
    RunResult r = Cli({"scan", "--db", db, "--table", table, "--where", "", "--device", device});
    EXPECT_TRUE(r.exited && r.status == 0) << r.err;
    return r.out;
  }
  std::string Count(const std::string& db, const std::string& table) {
    RunResult r =
        Cli({"scan", "--db", db, "--table", table, "--where", "", "--aggregate", "count(*)"});
    EXPECT_TRUE(r.exited && r.status == 0) << r.err;
    return r.out;
  }
  std::vector<std::string> TempDirs(const std::string& db) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(db)) {
      const std::string n = e.path().filename().string();
      if (n.rfind("import-tmp-", 0) == 0) out.push_back(n);
    }
    return out;
  }

  std::string dir_;
};

TEST_F(ImportCliTest, TheDbgenCommandAsWritten) {
  WriteFile(dir_ + "/lineitem.tbl", kDbgenLines);
  const std::string db = dir_ + "/db";
  RunResult r = Cli({"import", "--db", db, "--table", "lineitem", "--schema", "lineitem",
                     "--format", "tbl", dir_ + "/lineitem.tbl"});
  ASSERT_TRUE(r.exited);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("imported 7 rows (" + std::to_string(sizeof(kDbgenLines) - 1) +
                                " bytes) into lineitem in "));
  EXPECT_THAT(r.out, HasSubstr("rows/s"));
  EXPECT_THAT(r.out, HasSubstr("MB/s"));
  EXPECT_EQ(r.err, "");  // no progress line: stderr is not a terminal
  const std::string csv = ScanAll(db, "lineitem");
  EXPECT_THAT(csv, HasSubstr("\n1,1,15519,785,17.00,24386.67,0.04,0.02,N,O,1996-03-13,1996-02-12,"
                             "1996-03-22,DELIVER IN PERSON,TRUCK,egular courts above the\n"));
  EXPECT_THAT(csv, HasSubstr("\n2,1,10617,138,38.00,58049.18,0.00,0.05,N,O,1997-01-28,1997-01-14,"
                             "1997-02-02,TAKE BACK RETURN,RAIL,ven requests. deposits breach a\n"));
  EXPECT_EQ(ScanAll(db, "lineitem", "host"), csv);
  // The same again: every key is already in the table; ingestion replaces
  // the rows, the table is the same.
  r = Cli({"import", "--db", db, "--table", "lineitem", "--format", "tbl", dir_ + "/lineitem.tbl"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(ScanAll(db, "lineitem"), csv);
  EXPECT_TRUE(TempDirs(db).empty());
}

std::string GeneratedTbl(double scale) {
  auto schema = pushdown::bpfgen::ParseSchema(pushdown::bpfgen::kLineitemDdl);
  static const char* kDbgenOrder[] = {
      "l_orderkey",    "l_partkey",       "l_suppkey",  "l_linenumber",
      "l_quantity",    "l_extendedprice", "l_discount", "l_tax",
      "l_returnflag",  "l_linestatus",    "l_shipdate", "l_commitdate",
      "l_receiptdate", "l_shipinstruct",  "l_shipmode", "l_comment"};
  std::vector<int> order;
  for (const char* n : kDbgenOrder) order.push_back(schema->FindColumn(n));
  pushdown::engine::tpch::LineitemGenerator gen(scale);
  std::vector<pushdown::bpfgen::Datum> row;
  std::string out;
  while (gen.Next(&row)) {
    for (int c : order) {
      pushdown::bpfgen::AppendValueText(schema->columns[c].type, row[c], &out);
      out += '|';
    }
    out += '\n';
  }
  return out;
}

TEST_F(ImportCliTest, ImportOfTheGeneratorsTblEqualsLoadTpch) {
  WriteFile(dir_ + "/lineitem.tbl", GeneratedTbl(0.002));
  RunResult r = Cli({"load-tpch", "--db", dir_ + "/loaded", "--scale", "0.002"});
  ASSERT_EQ(r.status, 0) << r.err;
  r = Cli({"import", "--db", dir_ + "/imported", "--table", "lineitem", "--schema", "lineitem",
           "--format", "tbl", "--sst-file-size", "100000", dir_ + "/lineitem.tbl"});
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string expected = ScanAll(dir_ + "/loaded", "lineitem");
  EXPECT_GT(std::count(expected.begin(), expected.end(), '\n'), 10000);
  EXPECT_EQ(ScanAll(dir_ + "/imported", "lineitem"), expected);
  EXPECT_EQ(ScanAll(dir_ + "/imported", "lineitem", "host"), expected);
  // --mode put gives the same table too.
  r = Cli({"import", "--db", dir_ + "/put", "--table", "lineitem", "--schema", "lineitem",
           "--format", "tbl", "--mode", "put", dir_ + "/lineitem.tbl"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("(put)"));
  EXPECT_EQ(ScanAll(dir_ + "/put", "lineitem"), expected);
}

TEST_F(ImportCliTest, ErrorsExit2WithThePositionAndLoadNothing) {
  WriteFile(dir_ + "/seed.tbl", kDbgenLines);
  const std::string db = dir_ + "/db";
  RunResult r = Cli({"import", "--db", db, "--table", "lineitem", "--schema", "lineitem",
                     "--format", "tbl", dir_ + "/seed.tbl"});
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string before = ScanAll(db, "lineitem");
  const std::string good =
      "3|4297|1798|1|45|54058.05|0.06|0.00|R|F|1994-02-02|1994-01-04|1994-02-23|NONE|AIR|ongside "
      "of the furiously brave acco|\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {good + "3|19036|6540|2|49|46796.47|0.10|0.00|R|F|1994-13-01|1993-12-20|1994-01-01|TAKE "
              "BACK RETURN|RAIL| unusual accounts. eve|\n",
       "bad.tbl:2:42: field 'l_shipdate': bad DATE '1994-13-01': month 13 is not in 1..12"},
      {good + "3|19036|6540|2|49|46796.47|0.10|0.00|R|F|1994-02-30|1993-12-20|1994-01-01|TAKE "
              "BACK RETURN|RAIL| unusual accounts. eve|\n",
       "bad.tbl:2:42: field 'l_shipdate': bad DATE '1994-02-30': day 30 is not in 1..28 for "
       "1994-02"},
      {good + "3|19036|6540|2|49|46796.47|0.10|0.00|R|F|1994-02-03|\n",
       "bad.tbl:2:1: expected 16 fields, got 11"},
      {good + "3|19036|6540|2|4x9|46796.47|0.10|0.00|R|F|1994-02-03|1993-12-20|1994-01-01|TAKE "
              "BACK RETURN|RAIL| unusual accounts. eve|\n",
       "bad.tbl:2:16: field 'l_quantity': bad DECIMAL(15,2) '4x9': not a decimal number"},
      {good + "3|99999999999999999999|6540|2|49|46796.47|0.10|0.00|R|F|1994-02-03|1993-12-20|"
              "1994-01-01|TAKE BACK RETURN|RAIL| unusual accounts. eve|\n",
       "bad.tbl:2:3: field 'l_partkey': bad INT64 '99999999999999999999': out of range "
       "-9223372036854775808..9223372036854775807"},
      {good +
           "3|19036|6540|2|49|46796.47|0.10|0.00|R|F|1994-02-03|1993-12-20|1994-01-01|TAKE "
           "BACK RETURN|RAIL|" +
           std::string(45, 'x') + "|\n",
       "bad.tbl:2:97: field 'l_comment': bad VARCHAR(44) '" + std::string(45, 'x') +
           "': 45 bytes is longer than 44"},
      {good + "3|19036|6540|2|49|46796.47|0.10|0.00||F|1994-02-03|1993-12-20|1994-01-01|TAKE "
              "BACK RETURN|RAIL| unusual accounts. eve|\n",
       "bad.tbl:2:38: field 'l_returnflag': NULL in NOT NULL column"},
      {good + good,
       "bad.tbl:2:1: duplicate key (l_orderkey=3, l_linenumber=1), first at "
       "bad.tbl:1:1"},
  };
  for (const auto& [text, message] : cases) {
    SCOPED_TRACE(message);
    WriteFile(dir_ + "/bad.tbl", text);
    r = Cli({"import", "--db", db, "--table", "lineitem", "--format", "tbl", dir_ + "/bad.tbl"});
    ASSERT_TRUE(r.exited);
    EXPECT_EQ(r.status, 2);
    // The message names the file as given on the command line.
    std::string want = "pushdown import: " + dir_ + "/" + message + "\n";
    if (size_t at = want.find("first at bad.tbl"); at != std::string::npos) {
      want.replace(at, 16, "first at " + dir_ + "/bad.tbl");
    }
    EXPECT_EQ(r.err, want);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(ScanAll(db, "lineitem"), before);
    EXPECT_TRUE(TempDirs(db).empty());
  }
  // A table the failed import would have created is not left behind.
  r = Cli({"import", "--db", db, "--table", "other", "--schema", "lineitem", "--format", "tbl",
           dir_ + "/bad.tbl"});
  EXPECT_EQ(r.status, 2);
  r = Cli({"tables", "--db", db});
  EXPECT_EQ(r.out.find("other"), std::string::npos) << r.out;
}

TEST_F(ImportCliTest, UsageErrors) {
  WriteFile(dir_ + "/x.tbl", kDbgenLines);
  const std::string db = dir_ + "/db";
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"import", "--table", "t", dir_ + "/x.tbl"}, "--db DIR is required"},
      {{"import", "--db", db, dir_ + "/x.tbl"}, "--table T is required"},
      {{"import", "--db", db, "--table", "t"}, "no input FILE given"},
      {{"import", "--db", db, "--table", "t", dir_ + "/missing.tbl"},
       "cannot read " + dir_ + "/missing.tbl: No such file or directory"},
      {{"import", "--db", db, "--table", "t", "--format", "json", dir_ + "/x.tbl"},
       "unknown format 'json' (expected csv, tsv or tbl)"},
      {{"import", "--db", db, "--table", "t", "--mode", "append", dir_ + "/x.tbl"},
       "unknown mode 'append' (expected ingest or put)"},
      {{"import", "--db", db, "--table", "t", "--delimiter", "ab", dir_ + "/x.tbl"},
       "--delimiter needs one character (or \\t), got 'ab'"},
      {{"import", "--db", db, "--table", "t", dir_ + "/x.tbl"},
       "no table 't' in " + db + " (give --schema to create it)"},
      {{"import", "--db", db, "--table", "t", "--schema", "a INT64", dir_ + "/x.tbl"},
       "bad schema: "},
  };
  for (const Case& c : cases) {
    RunResult r = Cli(c.args);
    EXPECT_EQ(r.status, 2) << c.message;
    EXPECT_THAT(r.err, StartsWith("pushdown import: " + c.message)) << r.err;
  }
  // No table was created (only "no table 't'" got as far as opening the DB).
  RunResult r = Cli({"tables", "--db", db});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(("\n" + r.out).find("\nt\t"), std::string::npos) << r.out;
  // Help.
  r = Cli({"import", "--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_THAT(r.out, HasSubstr("--format"));
  EXPECT_THAT(r.out, HasSubstr("--mode"));
}

TEST_F(ImportCliTest, StandardInputAndTsvWithColumns) {
  const std::string db = dir_ + "/db";
  RunResult r = Cli({"create-table", "--db", db, "--table", "t", "--schema",
                     "id INT64 KEY, name VARCHAR(8), d DATE"});
  ASSERT_EQ(r.status, 0) << r.err;
  WriteFile(dir_ + "/in.tsv", "1994-01-01\ta\t1\n\tb\t2\n");
  const std::string scratch = dir_ + "/scratch";
  r = Wait(Start({"import", "--db", db, "--table", "t", "--format", "tsv", "--columns",
                  "d, name, id", "-"},
                 scratch, {}, dir_ + "/in.tsv"),
           scratch);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("imported 2 rows (20 bytes) into t in "));
  EXPECT_EQ(ScanAll(db, "t"), "id,name,d\n1,a,1994-01-01\n2,b,\n");
  r = Cli({"import", "--db", db, "--table", "t", "--format", "tsv", "--columns", "d, name",
           dir_ + "/in.tsv"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err,
            "pushdown import: --columns: field order: column 'id' missing (every column needs a "
            "field)\n");
}

// With stderr on a terminal, import shows a progress line there (and the
// summary stays on stdout).
TEST_F(ImportCliTest, ProgressLineOnATerminalOnly) {
  WriteFile(dir_ + "/lineitem.tbl", kDbgenLines);
  int master = -1, slave = -1;
  if (openpty(&master, &slave, nullptr, nullptr, nullptr) != 0) {
    GTEST_SKIP() << "no pseudo-terminal: " << std::strerror(errno);
  }
  const std::string out_path = dir_ + "/scratch/stdout";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, slave, 2);
  posix_spawn_file_actions_addclose(&actions, master);
  std::vector<std::string> argv = {
      Binary(),   "import",   "--db", dir_ + "/db",          "--table", "lineitem", "--schema",
      "lineitem", "--format", "tbl",  dir_ + "/lineitem.tbl"};
  std::vector<char*> cargs;
  for (std::string& a : argv) cargs.push_back(a.data());
  cargs.push_back(nullptr);
  pid_t pid = -1;
  ASSERT_EQ(posix_spawn(&pid, cargs[0], &actions, nullptr, cargs.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  close(slave);
  std::string tty;
  char buf[4096];
  for (;;) {  // until the child closes its end (EIO) or EOF
    const ssize_t n = read(master, buf, sizeof(buf));
    if (n <= 0) break;
    tty.append(buf, static_cast<size_t>(n));
  }
  close(master);
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  ASSERT_TRUE(WIFEXITED(wstatus));
  EXPECT_EQ(WEXITSTATUS(wstatus), 0) << tty;
  EXPECT_THAT(tty, HasSubstr("7 rows"));
  EXPECT_THAT(tty, HasSubstr("MB/s"));
  EXPECT_THAT(ReadFile(out_path), StartsWith("imported 7 rows"));
}

TEST_F(ImportCliTest, CreateTable) {
  const std::string db = dir_ + "/new/db";
  RunResult r = Cli({"create-table", "--db", db, "--table", "t", "--schema",
                     "id INT64 KEY, name VARCHAR(8), d DATE"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "created table t: id INT64 KEY, name VARCHAR(8), d DATE\n");
  r = Cli({"create-table", "--db", db, "--table", "t", "--schema", "id INT64 KEY"});
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("exists"));
  r = Cli({"create-table", "--db", db, "--table", "u", "--schema", "id INT64"});
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, StartsWith("pushdown create-table: bad schema: "));
  WriteFile(dir_ + "/t.csv", "id,name,d\n1,\"a,b\",1994-01-01\n2,,\n");
  r = Cli({"import", "--db", db, "--table", "t", "--header", dir_ + "/t.csv"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(ScanAll(db, "t"), "id,name,d\n1,\"a,b\",1994-01-01\n2,,\n");
}

TEST_F(ImportCliTest, KillDashNineMidImportLeavesTheTableAsItWas) {
  WriteFile(dir_ + "/seed.tbl", kDbgenLines);
  const std::string db = dir_ + "/db";
  RunResult r = Cli({"import", "--db", db, "--table", "lineitem", "--schema", "lineitem",
                     "--format", "tbl", dir_ + "/seed.tbl"});
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string before = ScanAll(db, "lineitem");
  const std::string count_before = Count(db, "lineitem");
  std::string tbl = GeneratedTbl(0.002);
  tbl = tbl.substr(tbl.find("\n3|") + 1);  // orders 1 and 2 are in the table
  WriteFile(dir_ + "/big.tbl", tbl);
  // Stops after 3 of about 9 SST files, before the ingestion.
  const std::string scratch = dir_ + "/scratch";
  pid_t pid = Start({"import", "--db", db, "--table", "lineitem", "--format", "tbl",
                     "--sst-file-size", "200000", dir_ + "/big.tbl"},
                    scratch, {"PUSHDOWN_IMPORT_TEST_PAUSE_AFTER_SST=3"});
  ASSERT_GT(pid, 0);
  // Wait (bounded) for the child to reach the pause point, then kill it.
  bool paused = false;
  for (int i = 0; i < 1200 && !paused; ++i) {
    paused = ReadFile(scratch + "/stderr").find("import paused") != std::string::npos;
    if (!paused) {
      int wstatus;
      if (waitpid(pid, &wstatus, WNOHANG) == pid) {
        FAIL() << "import exited before pausing: " << ReadFile(scratch + "/stderr");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  ASSERT_TRUE(paused) << ReadFile(scratch + "/stderr");
  // The paused child has written SST files into its temporary directory.
  std::vector<std::string> tmp = TempDirs(db);
  ASSERT_EQ(tmp.size(), 1u);
  EXPECT_FALSE(fs::is_empty(db + "/" + tmp[0]));
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  r = Wait(pid, scratch);
  EXPECT_FALSE(r.exited);
  EXPECT_EQ(r.status, SIGKILL);
  // The DB reopens with the table as it was.
  EXPECT_EQ(Count(db, "lineitem"), count_before);
  EXPECT_EQ(ScanAll(db, "lineitem"), before);
  // The next import removes the leftover directory and loads everything.
  r = Cli({"import", "--db", db, "--table", "lineitem", "--format", "tbl", dir_ + "/big.tbl"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(TempDirs(db).empty());
  EXPECT_NE(Count(db, "lineitem"), count_before);
}

}  // namespace
