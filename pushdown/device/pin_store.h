// Verified once per system: kernel programs pinned in bpffs, so a later
// process reuses a program the verifier already accepted instead of compiling
// and verifying it again (DESIGN.md, "register the program once").
//
// Layout of the pin directory (PinOptions::dir, on a bpffs mount):
//
//   <dir>/v<ABI>-<H(object)>/          one verified program: its identity
//        meta                          1-entry array map: PinHeader + the ELF object
//        0/ prog mem                   slot 0: a program instance and ITS local memory
//        1/ prog mem                   slot 1 ...                 (at most max_slots)
//   <dir>/key-<H(ABI, generator, compile inputs)> -> v<ABI>-<H(object)>   (symlink)
//   <dir>/new-*, stale-*             directories being published / removed
// (bpffs refuses names with a '.', so none is used.)
//
// Identity. A program directory is named by the ABI version
// (bpfgen::abi::kAbiVersion) and XXH3-128 of the BPF object bytes; its meta
// map holds the object itself, so a reuse compares the bytes, not only the
// name. A key link maps what a compile would have been given (the normalised
// conjuncts, the schema, the compile options, the ABI version and
// PD_GENERATOR_ID: a hash of the generator's sources and LLVM version) to the
// object it produced, so a later process finds the object without compiling.
// What else a load depends on is checked on every reuse: the pinned program is
// a BPF_PROG_TYPE_SYSCALL program whose tag is the one recorded when it was
// verified, it uses exactly one map, and that map is the slot's `mem` (an
// mmapable 1-entry array of the recorded .bss size). A pin failing any check
// is stale: a bad slot is refilled, a bad program directory replaced.
//
// Local memory is per instance, so instances are leased exclusively. The
// program's .bss map is bound into the program at load: two users of one
// instance would share its staging area and results. Each slot is one
// (prog, mem) pair, and whoever holds flock(LOCK_EX) on the slot's directory
// owns it; the lock is held for the lease's lifetime and dies with the process
// (a crash frees the slot). Pins of a slot are opened through the locked
// directory's fd (/proc/self/fd/N/...), never by path name, so a directory
// renamed or replaced meanwhile can never hand two leases the same memory. When
// every slot is leased, a new slot is made (a verifier pass of the stored
// object, no compile) up to max_slots; beyond that the caller loads an
// unpinned instance of its own.
//
// Bounded: at most max_programs program directories. Making a new one evicts
// the least recently leased directories whose slots are all free (their mtime
// is touched on each lease), and the key links pointing at them. `pushdown
// pins [--clear]` lists and removes them. An evicted or cleared program keeps
// running in processes that hold it (their fds keep it alive).
//
// Without bpffs (and not root to mount it), or with pinning disabled,
// Available() says why and every load is unpinned, as before.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bpfgen/codegen/compiler.h"
#include "util/status.h"

namespace pushdown::exec {

inline constexpr char kDefaultPinDir[] = "/sys/fs/bpf/rocksdb-pushdown";

struct PinOptions {
  bool enabled = true;
  std::string dir = kDefaultPinDir;
  size_t max_programs = 32;  // program directories kept (LRU of unleased ones evicted)
  uint32_t max_slots = 8;    // pinned instances per program

  // Defaults, then the environment: PUSHDOWN_PIN_DIR=<dir>;
  // PUSHDOWN_PIN=off|0|no disables pinning.
  static PinOptions FromEnvironment();
};

// An owned file descriptor. Move-only.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.Release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept;
  ~UniqueFd();
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int Release();

 private:
  int fd_ = -1;
};

// What a pin records about its program, beside the object bytes.
struct PinnedProgramInfo {
  std::string program_name;
  std::string memory_variable;
  bpfgen::abi::ProgramLayout layout;
  uint32_t value_size = 0;  // of the .bss map (local memory)
  uint32_t var_offset = 0;  // of memory_variable inside it
};

// One leased slot. The lease is `lock` (the slot directory, flock()ed); it is
// released when this object (or whatever owns `lock`) is destroyed.
struct PinnedSlot {
  UniqueFd lock;
  UniqueFd prog;           // set when reused
  UniqueFd mem;            // set when reused
  bool reused = false;     // prog + mem came from the pin: no load, no verification
  std::string path;        // "<dir>/<program>/<slot>" (for messages)
  PinnedProgramInfo info;  // reused: as recorded (checked against the caller's)
  // A new program's slot lives in a private directory until Commit publishes
  // it under its name.
  std::string staging_dir;
  std::string program_dir_name;
};

// A program found through its key: the object and what was recorded with it.
struct PinnedObject {
  std::string program_dir_name;
  bpfgen::BpfProgram program;  // object, names, layout (codegen_ms 0)
};

struct PinListing {
  std::string name;  // program directory
  uint32_t slots = 0;
  uint32_t leased = 0;  // slots locked by some process now
  uint32_t object_size = 0;
  std::string program_name;
  int64_t last_used_unix = 0;
  std::vector<std::string> keys;  // key links pointing at it
  bool valid = true;              // its meta map reads and checks
};

class PinStore {
 public:
  explicit PinStore(PinOptions options);
  const PinOptions& options() const { return options_; }

  // OK when pins can be used here; else why not (Unavailable: "pinning
  // disabled", "<dir> is not on bpffs (not root: cannot mount it)", ...).
  // Decided once per store; mounts bpffs at /sys/fs/bpf when the pin dir is
  // under it, it is not mounted and the process is root.
  Status Available();

  // "v<ABI>-<32 hex digits of XXH3-128(object)>".
  static std::string ProgramDirName(std::string_view object);
  // "key-<32 hex digits>" of XXH3-128 over the ABI version, PD_GENERATOR_ID and
  // `compile_inputs` (the caller's canonical text of what it compiles).
  static std::string KeyName(std::string_view compile_inputs);

  // The object a key links to, checked (meta readable, names and hash agree).
  // NotFound when there is no link; a link whose target is missing or fails
  // the checks is removed and NotFound returned (the caller compiles).
  Result<PinnedObject> FindKey(const std::string& key_name);
  // Points `key_name` at `program_dir_name` (atomically replacing a link).
  Status LinkKey(const std::string& key_name, const std::string& program_dir_name);

  // Leases a slot of the program for `object`:
  //   - a free slot whose pins pass the checks: reused (prog, mem set);
  //   - else an empty slot (a stale one emptied, or a new one while fewer than
  //     max_slots exist; for a new program, in a staging directory): the caller
  //     loads the program with fresh local memory and calls Commit;
  //   - ResourceExhausted when max_slots are all leased.
  // A program directory whose meta does not match `object` and `info` is stale
  // and replaced. Making a new program directory evicts as described above.
  Result<PinnedSlot> Lease(std::string_view object, const PinnedProgramInfo& info);
  // Pins a freshly loaded instance (prog_fd, mem_fd) into `slot`'s empty slot
  // and, for a new program, publishes its directory. On error the instance is
  // simply not pinned (the caller keeps using it). The lease stays in `slot`.
  Status Commit(PinnedSlot* slot, std::string_view object, const PinnedProgramInfo& info,
                int prog_fd, int mem_fd);

  // The program directories, most recently used first.
  Result<std::vector<PinListing>> List();
  // Removes every program directory none of whose slots is leased, and every
  // key link that no longer points at one. `kept` (optional): leased ones left.
  Result<size_t> Clear(std::vector<std::string>* kept = nullptr);

 private:
  Status Probe();
  // Evicts LRU unleased program directories until fewer than max_programs
  // remain (stale ABI versions and abandoned staging directories first).
  void EvictForNew();
  // Renames `name` away and removes it when none of its slots is leased.
  bool RemoveProgramIfUnleased(const std::string& name);
  void RemoveDanglingKeys();

  PinOptions options_;  // set once, by the constructor
  std::once_flag probe_once_;
  Status available_;
};

}  // namespace pushdown::exec
