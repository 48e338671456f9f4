// Helpers of the CLI subprocess tests: run a process with its output
// captured, split lines, read the --stats JSON, parse ldb's scan lines.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

extern char** environ;

namespace pushdown::testing {

struct RunResult {
  bool exited = false;  // false: killed by a signal
  int status = -1;      // exit status, or the signal
  std::string out, err;
};

inline std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Starts `argv` with stdout and stderr redirected to `out_path`/`err_path`.
// Returns the pid, or -1.
inline pid_t SpawnProcess(const std::vector<std::string>& argv, const std::string& out_path,
                          const std::string& err_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

// Waits for `pid`; fills exited/status.
inline void WaitProcess(pid_t pid, RunResult* r) {
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  r->exited = WIFEXITED(wstatus);
  r->status = r->exited ? WEXITSTATUS(wstatus) : WTERMSIG(wstatus);
}

// Runs `argv` with stdout and stderr captured in files under `scratch`.
inline RunResult RunProcess(const std::vector<std::string>& argv, const std::string& scratch) {
  const std::string out_path = scratch + "/stdout", err_path = scratch + "/stderr";
  RunResult r;
  const pid_t pid = SpawnProcess(argv, out_path, err_path);
  if (pid < 0) {
    r.err = "posix_spawn failed";
    return r;
  }
  WaitProcess(pid, &r);
  r.out = ReadWholeFile(out_path);
  r.err = ReadWholeFile(err_path);
  return r;
}

inline std::vector<std::string> SplitLines(const std::string& s) {
  std::vector<std::string> lines;
  std::stringstream ss(s);
  std::string line;
  while (std::getline(ss, line)) lines.push_back(line);
  return lines;
}

// The value of a top-level string key of a one-line JSON object ("" if absent).
inline std::string JsonStringField(const std::string& json, const std::string& key) {
  const std::string needle = "\"" + key + "\":\"";
  size_t p = json.find(needle);
  if (p == std::string::npos) return "";
  std::string s;
  for (p += needle.size(); p < json.size() && json[p] != '"'; ++p) {
    if (json[p] == '\\') ++p;
    s += json[p];
  }
  return s;
}

inline std::optional<std::string> DecodeHexDigits(const std::string& hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    int v = 0;
    for (size_t j = i; j < i + 2; ++j) {
      const char c = hex[j];
      int d = c >= '0' && c <= '9'   ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                     : -1;
      if (d < 0) return std::nullopt;
      v = v * 16 + d;
    }
    out.push_back(static_cast<char>(v));
  }
  return out;
}

// One line of `ldb --hex scan` ("0xKEY : 0xVALUE") as raw key and value.
inline std::optional<std::pair<std::string, std::string>> ParseLdbLine(const std::string& line) {
  const size_t sep = line.find(" : ");
  if (line.rfind("0x", 0) != 0 || sep == std::string::npos || line.compare(sep + 3, 2, "0x") != 0) {
    return std::nullopt;
  }
  auto k = DecodeHexDigits(line.substr(2, sep - 2));
  auto v = DecodeHexDigits(line.substr(sep + 5));
  if (!k || !v) return std::nullopt;
  return std::make_pair(*k, *v);
}

inline uint64_t BigEndian64(const std::string& s, size_t off) {
  uint64_t v = 0;
  for (size_t i = off; i < off + 8; ++i) v = (v << 8) | static_cast<unsigned char>(s[i]);
  return v;
}

inline uint64_t LittleEndian64(const std::string& s, size_t off) {
  uint64_t v = 0;
  for (size_t i = off + 8; i-- > off;) v = (v << 8) | static_cast<unsigned char>(s[i]);
  return v;
}

}  // namespace pushdown::testing
