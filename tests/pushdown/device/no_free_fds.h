// Test helper: no free file descriptor while it lives.
#pragma once

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <vector>

namespace pushdown::exec::testing {

// Lowers RLIMIT_NOFILE and fills every free descriptor below it, so that the
// next open/bpf() fails with EMFILE; restores both on destruction.
class NoFreeFds {
 public:
  NoFreeFds() {
    if (getrlimit(RLIMIT_NOFILE, &saved_) != 0) return;
    base_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (base_ < 0) return;
    int highest = 0;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
      highest = std::max(highest, std::atoi(entry.path().filename().c_str()));
    }
    rlimit low = saved_;
    low.rlim_cur = static_cast<rlim_t>(highest + 8);
    if (setrlimit(RLIMIT_NOFILE, &low) != 0) return;
    lowered_ = true;
    for (;;) {
      int fd = fcntl(base_, F_DUPFD_CLOEXEC, 0);
      if (fd < 0) break;
      filler_.push_back(fd);
    }
    exhausted_ = errno == EMFILE;
  }
  ~NoFreeFds() {
    for (int fd : filler_) close(fd);
    if (base_ >= 0) close(base_);
    if (lowered_) setrlimit(RLIMIT_NOFILE, &saved_);
  }
  bool exhausted() const { return exhausted_; }

 private:
  rlimit saved_{};
  bool lowered_ = false;
  bool exhausted_ = false;
  int base_ = -1;
  std::vector<int> filler_;
};

}  // namespace pushdown::exec::testing
