#include "pushdown/scan/range_tombstones.h"

#include <algorithm>
#include <map>
#include <utility>

namespace pushdown::exec {

FragmentedTombstones::FragmentedTombstones(std::vector<RangeTombstone> tombstones,
                                           uint64_t snapshot) {
  // Sweep over the distinct boundaries in ascending order, keeping the
  // multiset of sequence numbers of the tombstones that cover the current
  // gap: at a boundary, tombstones ending there leave, those starting there
  // enter. Each gap with a non-empty set becomes a fragment with its maximum.
  std::erase_if(tombstones, [snapshot](const RangeTombstone& t) {
    return t.seq > snapshot || t.seq == 0 || t.start >= t.end;
  });
  if (tombstones.empty()) return;
  struct Event {
    std::string_view key;
    bool enter;
    uint64_t seq;
  };
  std::vector<Event> events;
  events.reserve(tombstones.size() * 2);
  for (const RangeTombstone& t : tombstones) {
    events.push_back({t.start, true, t.seq});
    events.push_back({t.end, false, t.seq});
  }
  std::sort(events.begin(), events.end(),
            [](const Event& a, const Event& b) { return a.key < b.key; });
  std::map<uint64_t, size_t> active;  // seq -> number of covering tombstones
  size_t i = 0;
  while (i < events.size()) {
    const std::string_view at = events[i].key;
    for (; i < events.size() && events[i].key == at; ++i) {
      const Event& e = events[i];
      if (e.enter) {
        ++active[e.seq];
      } else if (auto it = active.find(e.seq); --it->second == 0) {
        active.erase(it);
      }
    }
    if (active.empty() || i == events.size()) continue;
    const uint64_t seq = active.rbegin()->first;
    const std::string_view next = events[i].key;  // > at: the gap [at, next)
    if (!fragments_.empty() && fragments_.back().end == at && fragments_.back().seq == seq) {
      fragments_.back().end.assign(next);
    } else {
      fragments_.push_back({std::string(at), std::string(next), seq});
    }
  }
}

uint64_t FragmentedTombstones::MaxCoveringSeq(std::string_view key) const {
  // The last fragment starting at or before key covers it iff key < its end.
  auto it = std::upper_bound(fragments_.begin(), fragments_.end(), key,
                             [](std::string_view k, const Fragment& f) { return k < f.start; });
  if (it == fragments_.begin()) return 0;
  --it;
  return key < it->end ? it->seq : 0;
}

}  // namespace pushdown::exec
