#include "pushdown/device/pin_store.h"

#include <bpf/bpf.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/magic.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <tuple>
#include <type_traits>
#include <utility>

#include "pushdown/generator_id.h"

namespace pushdown::exec {

namespace abi = bpfgen::abi;

namespace {

constexpr char kMagic[8] = {'P', 'D', 'P', 'I', 'N', 0, 0, 1};
constexpr size_t kNameSize = 64;
constexpr uint32_t kTagSize = 8;  // BPF_TAG_SIZE
// A meta map larger than this is not ours (objects are tens of KiB); it is
// not read.
constexpr uint32_t kMaxMetaSize = 64u << 20;
// An abandoned staging directory (its creator died between mkdir and
// publishing) is removed by later evictions once it is this old.
constexpr int64_t kStagingMaxAgeSeconds = 60;

// The value of a program directory's `meta` map, followed by the object bytes.
// Written once by the process that verified the program, then frozen
// (BPF_MAP_FREEZE): no process can change it through the map afterwards.
struct PinHeader {
  char magic[8];
  uint32_t abi_version;
  uint32_t header_size;
  uint64_t object_hash_low;
  uint64_t object_hash_high;
  uint32_t object_size;
  uint32_t value_size;
  uint32_t var_offset;
  uint8_t tag[kTagSize];
  abi::ProgramLayout layout;
  char program_name[kNameSize];
  char memory_variable[kNameSize];
};
static_assert(std::is_trivially_copyable_v<PinHeader>);  // memcpy'd to and from the map

std::atomic<uint64_t> unique_counter{0};

std::string UniqueSuffix() {
  return std::to_string(getpid()) + "-" + std::to_string(gettid()) + "-" +
         std::to_string(unique_counter.fetch_add(1));
}

std::string Hex128(XXH128_hash_t h) {
  char buf[33];
  snprintf(buf, sizeof(buf), "%016llx%016llx", static_cast<unsigned long long>(h.high64),
           static_cast<unsigned long long>(h.low64));
  return buf;
}

std::string AbiPrefix() { return "v" + std::to_string(abi::kAbiVersion) + "-"; }

// A path that reaches `name` inside the directory `dir_fd` refers to, whatever
// that directory is called now (it may have been renamed since it was opened).
std::string FdPath(int dir_fd, const std::string& name) {
  return "/proc/self/fd/" + std::to_string(dir_fd) + "/" + name;
}

bool IsProgramDirName(const std::string& name) {
  return name.size() > 3 && name[0] == 'v' && name.find('-') != std::string::npos &&
         name.find('/') == std::string::npos;
}

bool IsKeyName(const std::string& name) { return name.rfind("key-", 0) == 0; }

// Entries of a directory (not . and ..), with whether each is a directory.
std::vector<std::pair<std::string, bool>> ListDir(int dir_fd) {
  std::vector<std::pair<std::string, bool>> out;
  int fd = dup(dir_fd);
  if (fd < 0) return out;
  DIR* d = fdopendir(fd);
  if (d == nullptr) {
    close(fd);
    return out;
  }
  rewinddir(d);
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    out.emplace_back(name, e->d_type == DT_DIR);
  }
  closedir(d);
  return out;
}

// Removes `name` under `parent_fd` and everything below it. Best effort.
void RemoveTree(int parent_fd, const std::string& name) {
  int fd = openat(parent_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    unlinkat(parent_fd, name.c_str(), 0);
    return;
  }
  for (const auto& [child, is_dir] : ListDir(fd)) {
    if (is_dir) {
      RemoveTree(fd, child);
    } else {
      unlinkat(fd, child.c_str(), 0);
    }
  }
  close(fd);
  unlinkat(parent_fd, name.c_str(), AT_REMOVEDIR);
}

Status MakeDirs(const std::string& path) {
  std::string partial;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    partial = path.substr(0, pos);
    if (partial.empty()) continue;
    if (mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST) {
      return Status::FromErrno("mkdir " + partial, errno);
    }
  }
  return Status::OK();
}

bool OnBpffs(const std::string& path) {
  struct statfs st;
  return statfs(path.c_str(), &st) == 0 && static_cast<uint64_t>(st.f_type) == BPF_FS_MAGIC;
}

// The meta map of the program directory `dir_fd`: header + object.
struct Meta {
  PinHeader header;
  std::string object;
};

Result<Meta> ReadMeta(int dir_fd) {
  UniqueFd fd(bpf_obj_get(FdPath(dir_fd, "meta").c_str()));
  if (!fd.valid()) return Status::FromErrno("bpf_obj_get meta", errno);
  bpf_map_info info;
  std::memset(&info, 0, sizeof(info));
  uint32_t len = sizeof(info);
  if (bpf_obj_get_info_by_fd(fd.get(), &info, &len) != 0) {
    return Status::FromErrno("meta is not a map", errno);
  }
  if (info.type != BPF_MAP_TYPE_ARRAY || info.key_size != 4 || info.max_entries != 1 ||
      info.value_size < sizeof(PinHeader) || info.value_size > kMaxMetaSize) {
    return Status::Corruption("meta is not a pin header map");
  }
  std::string value(info.value_size, '\0');
  uint32_t key = 0;
  if (bpf_map_lookup_elem(fd.get(), &key, value.data()) != 0) {
    return Status::FromErrno("meta lookup", errno);
  }
  Meta meta;
  std::memcpy(&meta.header, value.data(), sizeof(PinHeader));
  const PinHeader& h = meta.header;
  if (std::memcmp(h.magic, kMagic, sizeof(kMagic)) != 0 || h.header_size != sizeof(PinHeader)) {
    return Status::Corruption("meta has no pin header");
  }
  if (h.abi_version != abi::kAbiVersion) {
    return Status::Corruption("meta is of ABI version " + std::to_string(h.abi_version));
  }
  if (uint64_t{h.object_size} > info.value_size - sizeof(PinHeader)) {
    return Status::Corruption("meta object size exceeds the map value");
  }
  meta.object = value.substr(sizeof(PinHeader), h.object_size);
  XXH128_hash_t hash = XXH3_128bits(meta.object.data(), meta.object.size());
  if (hash.low64 != h.object_hash_low || hash.high64 != h.object_hash_high) {
    return Status::Corruption("meta object does not match its hash");
  }
  if (h.program_name[kNameSize - 1] != 0 || h.memory_variable[kNameSize - 1] != 0) {
    return Status::Corruption("meta names are not terminated");
  }
  return meta;
}

// Whether `meta` describes the program `info` was compiled as, with `object`.
Status CheckMeta(const Meta& meta, std::string_view object, const PinnedProgramInfo& info) {
  const PinHeader& h = meta.header;
  if (meta.object != object) return Status::Corruption("pinned object differs");
  if (info.program_name != h.program_name || info.memory_variable != h.memory_variable) {
    return Status::Corruption("pinned program names differ");
  }
  if (std::memcmp(&info.layout, &h.layout, sizeof(h.layout)) != 0) {
    return Status::Corruption("pinned program layout differs");
  }
  if (uint64_t{h.var_offset} + h.layout.mem_size > h.value_size) {
    return Status::Corruption("pinned local memory variable does not fit");
  }
  return Status::OK();
}

// Opens a slot's prog and mem and checks that they are the recorded program
// bound to that slot's local memory. REQUIRES: the slot is locked by us.
Status OpenSlot(int slot_fd, const PinHeader& h, PinnedSlot* out) {
  UniqueFd prog(bpf_obj_get(FdPath(slot_fd, "prog").c_str()));
  if (!prog.valid()) return Status::FromErrno("bpf_obj_get prog", errno);
  UniqueFd mem(bpf_obj_get(FdPath(slot_fd, "mem").c_str()));
  if (!mem.valid()) return Status::FromErrno("bpf_obj_get mem", errno);
  bpf_map_info map;
  std::memset(&map, 0, sizeof(map));
  uint32_t len = sizeof(map);
  if (bpf_obj_get_info_by_fd(mem.get(), &map, &len) != 0) {
    return Status::FromErrno("mem is not a map", errno);
  }
  if (map.type != BPF_MAP_TYPE_ARRAY || map.key_size != 4 || map.max_entries != 1 ||
      map.value_size != h.value_size || (map.map_flags & BPF_F_MMAPABLE) == 0) {
    return Status::Corruption("mem is not the program's local memory");
  }
  uint32_t map_ids[4] = {0, 0, 0, 0};
  bpf_prog_info info;
  std::memset(&info, 0, sizeof(info));
  info.nr_map_ids = 4;
  info.map_ids = reinterpret_cast<uintptr_t>(map_ids);
  len = sizeof(info);
  if (bpf_obj_get_info_by_fd(prog.get(), &info, &len) != 0) {
    return Status::FromErrno("prog is not a program", errno);
  }
  if (info.type != BPF_PROG_TYPE_SYSCALL)
    return Status::Corruption("prog is not a syscall program");
  if (std::memcmp(info.tag, h.tag, kTagSize) != 0) {
    return Status::Corruption("prog tag differs from the verified program's");
  }
  if (info.nr_map_ids != 1 || map_ids[0] != map.id) {
    return Status::Corruption("prog is not bound to the slot's local memory");
  }
  out->prog = std::move(prog);
  out->mem = std::move(mem);
  return Status::OK();
}

Status GetTag(int prog_fd, uint8_t* tag) {
  bpf_prog_info info;
  std::memset(&info, 0, sizeof(info));
  uint32_t len = sizeof(info);
  if (bpf_obj_get_info_by_fd(prog_fd, &info, &len) != 0) {
    return Status::FromErrno("bpf_obj_get_info_by_fd", errno);
  }
  std::memcpy(tag, info.tag, kTagSize);
  return Status::OK();
}

// Creates, fills and freezes a meta map; returns its fd.
Result<UniqueFd> MakeMeta(std::string_view object, const PinnedProgramInfo& info,
                          const uint8_t* tag) {
  if (info.program_name.size() >= kNameSize || info.memory_variable.size() >= kNameSize) {
    return Status::InvalidArgument("program names too long to pin");
  }
  PinHeader h{};
  std::memcpy(h.magic, kMagic, sizeof(kMagic));
  h.abi_version = abi::kAbiVersion;
  h.header_size = sizeof(PinHeader);
  XXH128_hash_t hash = XXH3_128bits(object.data(), object.size());
  h.object_hash_low = hash.low64;
  h.object_hash_high = hash.high64;
  h.object_size = static_cast<uint32_t>(object.size());
  h.value_size = info.value_size;
  h.var_offset = info.var_offset;
  std::memcpy(h.tag, tag, kTagSize);
  h.layout = info.layout;
  std::memcpy(h.program_name, info.program_name.data(), info.program_name.size());
  std::memcpy(h.memory_variable, info.memory_variable.data(), info.memory_variable.size());
  std::string value(sizeof(h) + object.size(), '\0');
  std::memcpy(value.data(), &h, sizeof(h));
  std::memcpy(value.data() + sizeof(h), object.data(), object.size());
  UniqueFd fd(bpf_map_create(BPF_MAP_TYPE_ARRAY, "pd_pin_meta", 4,
                             static_cast<uint32_t>(value.size()), 1, nullptr));
  if (!fd.valid()) return Status::FromErrno("bpf(BPF_MAP_CREATE) of pin meta", errno);
  uint32_t key = 0;
  if (bpf_map_update_elem(fd.get(), &key, value.data(), BPF_ANY) != 0) {
    return Status::FromErrno("pin meta update", errno);
  }
  if (bpf_map_freeze(fd.get()) != 0) return Status::FromErrno("pin meta freeze", errno);
  return fd;
}

int64_t MtimeOf(int parent_fd, const std::string& name, int flags = 0) {
  struct stat st;
  if (fstatat(parent_fd, name.c_str(), &st, flags) != 0) return 0;
  return st.st_mtim.tv_sec;
}

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) close(fd_);
    fd_ = o.Release();
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) close(fd_);
}

int UniqueFd::Release() { return std::exchange(fd_, -1); }

PinOptions PinOptions::FromEnvironment() {
  PinOptions o;
  if (const char* dir = std::getenv("PUSHDOWN_PIN_DIR"); dir != nullptr && *dir != '\0') {
    o.dir = dir;
  }
  if (const char* pin = std::getenv("PUSHDOWN_PIN"); pin != nullptr) {
    std::string v = pin;
    if (v == "off" || v == "0" || v == "no" || v == "false") o.enabled = false;
  }
  return o;
}

PinStore::PinStore(PinOptions options) : options_(std::move(options)) {
  while (options_.dir.size() > 1 && options_.dir.back() == '/') options_.dir.pop_back();
}

Status PinStore::Available() {
  std::call_once(probe_once_, [this] { available_ = Probe(); });
  return available_;
}

Status PinStore::Probe() {
  if (!options_.enabled) return Status::Unavailable("pinning disabled");
  if (options_.dir.empty() || options_.dir[0] != '/') {
    return Status::Unavailable("pin dir '" + options_.dir + "' is not an absolute path");
  }
  if (options_.max_slots == 0 || options_.max_programs == 0) {
    return Status::Unavailable("pinning bounded to nothing (max_programs or max_slots 0)");
  }
  constexpr std::string_view kBpffs = "/sys/fs/bpf";
  if (options_.dir.rfind(std::string(kBpffs) + "/", 0) == 0 && !OnBpffs(std::string(kBpffs))) {
    if (geteuid() != 0) {
      return Status::Unavailable("/sys/fs/bpf is not a bpffs mount (mounting it needs root)");
    }
    if (mount("bpf", std::string(kBpffs).c_str(), "bpf", 0, "mode=0700") != 0) {
      return Status::Unavailable("mount -t bpf bpf /sys/fs/bpf: " + std::string(strerror(errno)));
    }
  }
  if (!OnBpffs(options_.dir)) {
    Status made = MakeDirs(options_.dir);
    if (!made.ok()) return Status::Unavailable("pin dir: " + made.message());
  }
  if (!OnBpffs(options_.dir)) {
    return Status::Unavailable("pin dir " + options_.dir + " is not on a bpffs mount");
  }
  if (access(options_.dir.c_str(), W_OK | X_OK) != 0) {
    return Status::Unavailable("pin dir " + options_.dir + ": " + strerror(errno));
  }
  return Status::OK();
}

std::string PinStore::ProgramDirName(std::string_view object) {
  return AbiPrefix() + Hex128(XXH3_128bits(object.data(), object.size()));
}

std::string PinStore::KeyName(std::string_view compile_inputs) {
  std::string text = "abi " + std::to_string(abi::kAbiVersion) + "\ngenerator " + PD_GENERATOR_ID +
                     "\n" + std::string(compile_inputs);
  return "key-" + Hex128(XXH3_128bits(text.data(), text.size()));
}

Result<PinnedObject> PinStore::FindKey(const std::string& key_name) {
  PD_RETURN_IF_ERROR(Available());
  const std::string link = options_.dir + "/" + key_name;
  char target[256];
  ssize_t n = readlink(link.c_str(), target, sizeof(target) - 1);
  if (n < 0) return Status::NotFound("no pin for this key");
  std::string name(target, static_cast<size_t>(n));
  auto stale = [&](const std::string& why) {
    unlink(link.c_str());
    return Status::NotFound("stale pin key removed (" + why + ")");
  };
  if (!IsProgramDirName(name) || name.rfind(AbiPrefix(), 0) != 0) return stale("bad target");
  UniqueFd dir(open((options_.dir + "/" + name).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid()) return stale("target missing");
  Result<Meta> meta = ReadMeta(dir.get());
  if (!meta.ok()) return stale(meta.status().message());
  if (ProgramDirName(meta->object) != name) return stale("target is another object");
  PinnedObject out;
  out.program_dir_name = name;
  out.program.object = std::move(meta->object);
  out.program.program_name = meta->header.program_name;
  out.program.memory_variable = meta->header.memory_variable;
  out.program.layout = meta->header.layout;
  return out;
}

Status PinStore::LinkKey(const std::string& key_name, const std::string& program_dir_name) {
  PD_RETURN_IF_ERROR(Available());
  const std::string tmp = options_.dir + "/keytmp-" + UniqueSuffix();
  if (symlink(program_dir_name.c_str(), tmp.c_str()) != 0) {
    return Status::FromErrno("symlink " + tmp, errno);
  }
  if (rename(tmp.c_str(), (options_.dir + "/" + key_name).c_str()) != 0) {
    int err = errno;
    unlink(tmp.c_str());
    return Status::FromErrno("rename pin key", err);
  }
  return Status::OK();
}

Result<PinnedSlot> PinStore::Lease(std::string_view object, const PinnedProgramInfo& info) {
  PD_RETURN_IF_ERROR(Available());
  const std::string name = ProgramDirName(object);
  for (int attempt = 0; attempt < 3; ++attempt) {
    UniqueFd dir(open((options_.dir + "/" + name).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir.valid()) {
      if (errno != ENOENT) return Status::FromErrno("open pin dir " + name, errno);
      // A new program: slot 0 of a private staging directory, published
      // under `name` by Commit once the instance is loaded and pinned.
      EvictForNew();
      PinnedSlot slot;
      slot.program_dir_name = name;
      slot.staging_dir = options_.dir + "/new-" + UniqueSuffix();
      if (mkdir(slot.staging_dir.c_str(), 0700) != 0) {
        return Status::FromErrno("mkdir " + slot.staging_dir, errno);
      }
      const std::string slot_dir = slot.staging_dir + "/0";
      if (mkdir(slot_dir.c_str(), 0700) != 0) {
        int err = errno;
        rmdir(slot.staging_dir.c_str());
        return Status::FromErrno("mkdir " + slot_dir, err);
      }
      slot.lock = UniqueFd(open(slot_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (!slot.lock.valid() || flock(slot.lock.get(), LOCK_EX | LOCK_NB) != 0) {
        int err = errno;
        RemoveTree(AT_FDCWD, slot.staging_dir);
        return Status::FromErrno("lock " + slot_dir, err);
      }
      slot.path = options_.dir + "/" + name + "/0";
      return slot;
    }
    Result<Meta> meta = ReadMeta(dir.get());
    Status matches = meta.ok() ? CheckMeta(*meta, object, info) : meta.status();
    if (!matches.ok()) {
      // Stale or mismatched: replace it (a new directory on the next attempt).
      if (RemoveProgramIfUnleased(name)) continue;
      return Status::Unavailable("stale pin " + name + " (" + matches.message() +
                                 ") is still leased; not pinned");
    }
    futimens(dir.get(), nullptr);  // the LRU order of eviction
    for (uint32_t n = 0; n < options_.max_slots; ++n) {
      const std::string slot_name = std::to_string(n);
      UniqueFd slot_fd(openat(dir.get(), slot_name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (!slot_fd.valid() && errno == ENOENT) {
        // Every lower slot is leased: a new one (mkdir is atomic; if another
        // process made it first, its lock decides below).
        if (mkdirat(dir.get(), slot_name.c_str(), 0700) != 0 && errno != EEXIST) {
          return Status::FromErrno("mkdir pin slot", errno);
        }
        slot_fd =
            UniqueFd(openat(dir.get(), slot_name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      }
      if (!slot_fd.valid()) return Status::FromErrno("open pin slot", errno);
      if (flock(slot_fd.get(), LOCK_EX | LOCK_NB) != 0) continue;  // leased by someone
      PinnedSlot slot;
      slot.path = options_.dir + "/" + name + "/" + slot_name;
      slot.program_dir_name = name;
      slot.info = info;
      slot.info.value_size = meta->header.value_size;
      slot.info.var_offset = meta->header.var_offset;
      Status opened = OpenSlot(slot_fd.get(), meta->header, &slot);
      slot.lock = std::move(slot_fd);
      if (opened.ok()) {
        slot.reused = true;
        return slot;
      }
      // Empty (made just now, or its maker died before pinning) or stale:
      // emptied, for the caller to fill with a freshly verified instance.
      unlinkat(slot.lock.get(), "prog", 0);
      unlinkat(slot.lock.get(), "mem", 0);
      slot.prog = UniqueFd();
      slot.mem = UniqueFd();
      return slot;
    }
    return Status::ResourceExhausted("all " + std::to_string(options_.max_slots) +
                                     " pinned instances of " + name + " are in use");
  }
  return Status::Unavailable("pin " + name + " keeps changing; not pinned");
}

Status PinStore::Commit(PinnedSlot* slot, std::string_view object, const PinnedProgramInfo& info,
                        int prog_fd, int mem_fd) {
  if (!slot->lock.valid() || slot->reused) return Status::Internal("commit of a non-empty slot");
  if (bpf_obj_pin(prog_fd, FdPath(slot->lock.get(), "prog").c_str()) != 0) {
    return Status::FromErrno("bpf_obj_pin prog", errno);
  }
  if (bpf_obj_pin(mem_fd, FdPath(slot->lock.get(), "mem").c_str()) != 0) {
    int err = errno;
    unlinkat(slot->lock.get(), "prog", 0);
    return Status::FromErrno("bpf_obj_pin mem", err);
  }
  if (slot->staging_dir.empty()) return Status::OK();
  // A new program: its meta, then publish the directory under its name.
  const std::string staging = std::exchange(slot->staging_dir, "");
  auto abandon = [&](Status s) {
    RemoveTree(AT_FDCWD, staging);
    return s;
  };
  uint8_t tag[kTagSize] = {};
  Status tagged = GetTag(prog_fd, tag);
  if (!tagged.ok()) return abandon(tagged);
  Result<UniqueFd> meta = MakeMeta(object, info, tag);
  if (!meta.ok()) return abandon(meta.status());
  if (bpf_obj_pin(meta->get(), (staging + "/meta").c_str()) != 0) {
    return abandon(Status::FromErrno("bpf_obj_pin meta", errno));
  }
  const std::string final_dir = options_.dir + "/" + slot->program_dir_name;
  if (rename(staging.c_str(), final_dir.c_str()) != 0) {
    // ENOTEMPTY/EEXIST: another process published the same program first;
    // this instance stays ours, unpinned.
    return abandon(Status::FromErrno("publish pin " + slot->program_dir_name, errno));
  }
  return Status::OK();
}

bool PinStore::RemoveProgramIfUnleased(const std::string& name) {
  UniqueFd dir(open((options_.dir + "/" + name).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid()) return errno == ENOENT;
  // Every slot's lock, held until the directory is gone: nobody can be
  // leasing one of its instances meanwhile.
  std::vector<UniqueFd> locks;
  for (const auto& [child, is_dir] : ListDir(dir.get())) {
    if (!is_dir) continue;
    UniqueFd slot(openat(dir.get(), child.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!slot.valid() || flock(slot.get(), LOCK_EX | LOCK_NB) != 0) return false;
    locks.push_back(std::move(slot));
  }
  const std::string away = "stale-" + UniqueSuffix();
  if (rename((options_.dir + "/" + name).c_str(), (options_.dir + "/" + away).c_str()) != 0) {
    return false;
  }
  RemoveTree(AT_FDCWD, options_.dir + "/" + away);
  return true;
}

void PinStore::RemoveDanglingKeys() {
  UniqueFd root(open(options_.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) return;
  for (const auto& [name, is_dir] : ListDir(root.get())) {
    if (is_dir || !IsKeyName(name)) continue;
    struct stat st;
    if (fstatat(root.get(), name.c_str(), &st, 0) != 0) unlinkat(root.get(), name.c_str(), 0);
  }
}

void PinStore::EvictForNew() {
  UniqueFd root(open(options_.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) return;
  const int64_t now = time(nullptr);
  std::vector<std::pair<int64_t, std::string>> current;  // (mtime, name)
  for (const auto& [name, is_dir] : ListDir(root.get())) {
    if (!is_dir) continue;
    if (name.rfind("stale-", 0) == 0) {
      RemoveTree(root.get(), name);
    } else if (name.rfind("new-", 0) == 0) {
      if (now - MtimeOf(root.get(), name) > kStagingMaxAgeSeconds) RemoveTree(root.get(), name);
    } else if (IsProgramDirName(name)) {
      if (name.rfind(AbiPrefix(), 0) != 0) {
        RemoveProgramIfUnleased(name);  // another ABI version: never reused
      } else {
        current.emplace_back(MtimeOf(root.get(), name), name);
      }
    }
  }
  std::sort(current.begin(), current.end());  // least recently leased first
  size_t count = current.size();
  for (const auto& [mtime, name] : current) {
    if (count < options_.max_programs) break;
    if (RemoveProgramIfUnleased(name)) --count;
  }
  RemoveDanglingKeys();
}

Result<std::vector<PinListing>> PinStore::List() {
  PD_RETURN_IF_ERROR(Available());
  UniqueFd root(open(options_.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) return Status::FromErrno("open " + options_.dir, errno);
  std::vector<PinListing> out;
  std::vector<std::pair<std::string, std::string>> keys;  // (key, target)
  for (const auto& [name, is_dir] : ListDir(root.get())) {
    if (!is_dir && IsKeyName(name)) {
      char target[256];
      ssize_t n = readlinkat(root.get(), name.c_str(), target, sizeof(target) - 1);
      if (n > 0) keys.emplace_back(name, std::string(target, static_cast<size_t>(n)));
      continue;
    }
    if (!is_dir || !IsProgramDirName(name)) continue;
    PinListing l;
    l.name = name;
    l.last_used_unix = MtimeOf(root.get(), name);
    UniqueFd dir(openat(root.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir.valid()) continue;
    Result<Meta> meta = ReadMeta(dir.get());
    l.valid = meta.ok() && ProgramDirName(meta->object) == name;
    if (meta.ok()) {
      l.object_size = meta->header.object_size;
      l.program_name = meta->header.program_name;
    }
    for (const auto& [child, child_is_dir] : ListDir(dir.get())) {
      if (!child_is_dir) continue;
      ++l.slots;
      UniqueFd slot(openat(dir.get(), child.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (slot.valid() && flock(slot.get(), LOCK_EX | LOCK_NB) != 0) ++l.leased;
    }
    out.push_back(std::move(l));
  }
  for (PinListing& l : out) {
    for (const auto& [key, target] : keys) {
      if (target == l.name) l.keys.push_back(key);
    }
  }
  std::sort(out.begin(), out.end(), [](const PinListing& a, const PinListing& b) {
    return std::tie(b.last_used_unix, a.name) < std::tie(a.last_used_unix, b.name);
  });
  return out;
}

Result<size_t> PinStore::Clear(std::vector<std::string>* kept) {
  PD_RETURN_IF_ERROR(Available());
  UniqueFd root(open(options_.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) return Status::FromErrno("open " + options_.dir, errno);
  size_t removed = 0;
  for (const auto& [name, is_dir] : ListDir(root.get())) {
    if (!is_dir) continue;
    if (name.rfind("stale-", 0) == 0) {
      RemoveTree(root.get(), name);
    } else if (IsProgramDirName(name)) {
      if (RemoveProgramIfUnleased(name)) {
        ++removed;
      } else if (kept != nullptr) {
        kept->push_back(name);
      }
    }
  }
  RemoveDanglingKeys();
  return removed;
}

}  // namespace pushdown::exec
