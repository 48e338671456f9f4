#include "engine/plugin/io_stats.h"

namespace pushdown::engine {

std::string FormatStats(const IoStatsSnapshot& s) {
  std::string out = "pushdown fs stats:";
  auto add = [&out](const char* name, uint64_t value) {
    out += ' ';
    out += name;
    out += '=';
    out += std::to_string(value);
  };
  add("sst_opens", s.sst_opens);
  add("multiread_calls", s.multiread_calls);
  add("multiread_requests", s.multiread_requests);
  add("uring_reads", s.uring_reads);
  add("uring_resubmits", s.uring_resubmits);
  add("uring_submit_calls", s.uring_submit_calls);
  add("async_reads", s.async_reads);
  add("polls", s.polls);
  add("aborts", s.aborts);
  add("fallback_reads", s.fallback_reads);
  return out;
}

}  // namespace pushdown::engine
