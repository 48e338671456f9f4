// DirSnapshot: every entry of a directory (recursively) with its type, size
// and full contents, to check that a reader changed nothing: no file created,
// removed, renamed, grown or rewritten (an OPTIONS or LOG file, a flush, ...).
#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace pushdown::testing {

struct DirEntryState {
  bool is_dir = false;
  uintmax_t size = 0;
  std::string contents;
  bool operator==(const DirEntryState& o) const {
    return is_dir == o.is_dir && size == o.size && contents == o.contents;
  }
};

using DirSnapshot = std::map<std::string, DirEntryState>;

inline DirSnapshot SnapshotDir(const std::string& dir) {
  DirSnapshot snap;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    DirEntryState st;
    st.is_dir = e.is_directory();
    if (e.is_regular_file()) {
      st.size = e.file_size();
      std::ifstream in(e.path(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      st.contents = ss.str();
    }
    snap[std::filesystem::relative(e.path(), dir).string()] = std::move(st);
  }
  return snap;
}

// The names that differ between two snapshots ("+" added, "-" removed, "~"
// changed), for failure messages.
inline std::string DiffSnapshots(const DirSnapshot& a, const DirSnapshot& b) {
  std::string out;
  for (const auto& [name, st] : a) {
    auto it = b.find(name);
    if (it == b.end()) {
      out += " -" + name;
    } else if (!(it->second == st)) {
      out += " ~" + name;
    }
  }
  for (const auto& [name, st] : b) {
    if (a.find(name) == a.end()) out += " +" + name;
  }
  return out;
}

}  // namespace pushdown::testing
