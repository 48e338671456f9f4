// Helpers of the tests that install the package into a temporary prefix and
// build consumers against it (install_test.cc, cxx17_consumer_test.cc).
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace pushdown::testing {

// Runs a shell command; returns its exit status (-1 if it did not exit) and
// appends its stdout and stderr to *out.
inline int RunShell(const std::string& cmd, std::string* out) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return -1;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out->append(buf, n);
  const int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

// `cmake --install` of the rocksdb_pushdown component of this build into
// `prefix`; the exit status, the output appended to *log.
inline int InstallPackage(const std::string& cmake, const std::string& prefix, std::string* log) {
  return RunShell("'" + cmake +
                      "' --install '" PD_BINARY_DIR "' --component rocksdb_pushdown --prefix '" +
                      prefix + "'",
                  log);
}

}  // namespace pushdown::testing
