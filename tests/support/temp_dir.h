// TempDir: a fresh directory under /tmp (mkdtemp), removed recursively when
// the owner goes out of scope. One per test for on-disk files.
#pragma once

#include <string>
#include <string_view>

namespace pushdown::testing {

class TempDir {
 public:
  // Aborts the test binary if mkdtemp fails (nothing sensible to continue with).
  explicit TempDir(std::string_view prefix = "pd_test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name.
  std::string File(std::string_view name) const;

 private:
  std::string path_;
};

// Removes a file or directory tree; missing paths are fine.
void RemoveRecursively(const std::string& path);

}  // namespace pushdown::testing
