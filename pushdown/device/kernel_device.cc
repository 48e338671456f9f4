#include "pushdown/device/kernel_device.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstring>
#include <optional>
#include <sstream>
#include <vector>

namespace pushdown::exec {

namespace abi = bpfgen::abi;

namespace {

constexpr size_t kRejectLogSize = 4u << 20;

// libbpf's messages go to a per-thread buffer while one of our calls runs
// (they become part of error messages), and nowhere otherwise.
thread_local std::string* libbpf_messages = nullptr;

int LibbpfPrint(enum libbpf_print_level level, const char* format, va_list args) {
  if (libbpf_messages == nullptr || level == LIBBPF_DEBUG) return 0;
  char buf[512];
  int n = vsnprintf(buf, sizeof(buf), format, args);
  if (n > 0) libbpf_messages->append(buf, std::min<size_t>(n, sizeof(buf) - 1));
  return 0;
}

class CaptureLibbpf {
 public:
  CaptureLibbpf() {
    static std::once_flag once;
    std::call_once(once, [] { libbpf_set_print(LibbpfPrint); });
    libbpf_messages = &messages_;
  }
  ~CaptureLibbpf() { libbpf_messages = nullptr; }
  std::string LastLine() const {
    std::string s = messages_;
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    size_t nl = s.rfind('\n');
    return nl == std::string::npos ? s : s.substr(nl + 1);
  }

 private:
  std::string messages_;
};

struct ObjectCloser {
  void operator()(bpf_object* obj) const { bpf_object__close(obj); }
};
using ObjectPtr = std::unique_ptr<bpf_object, ObjectCloser>;

class KernelProgram : public LoadedProgram {
 public:
  // `object` owns the program and (a dup of) the map fd when this process
  // loaded it; a program taken from a pin has no object and `prog` owns its
  // fd. `lease` (optional) is the pinned slot's lock: this instance and its
  // local memory are ours while it is held.
  KernelProgram(const abi::ProgramLayout& layout, ObjectPtr object, UniqueFd prog, int prog_fd,
                LocalMemoryMap local, uint8_t* memory, const LoadStats& stats,
                std::optional<PinnedSlot> lease)
      : LoadedProgram("kernel", layout),
        lease_(std::move(lease)),
        object_(std::move(object)),
        prog_(std::move(prog)),
        prog_fd_(prog_fd),
        local_(std::move(local)),
        memory_(memory) {
    stats_ = stats;
  }

 protected:
  uint8_t* memory() override { return memory_; }

  Status Run(abi::RunContext* ctx) override {
    bpf_test_run_opts opts;
    std::memset(&opts, 0, sizeof(opts));
    opts.sz = sizeof(opts);
    opts.ctx_in = ctx;
    opts.ctx_size_in = sizeof(*ctx);
    // A syscall program's ctx is copied back into ctx_in; the kernel rejects
    // ctx_out (and data_in, repeat, duration) with EINVAL for this type.
    if (bpf_prog_test_run_opts(prog_fd_, &opts) != 0) {
      return Status::FromErrno("bpf(BPF_PROG_TEST_RUN)", errno);
    }
    if (opts.retval != 0) {
      return Status::Internal("bpf program returned " + std::to_string(opts.retval));
    }
    return Status::OK();
  }

 private:
  // Destroyed last: the slot is released only once the instance is closed.
  std::optional<PinnedSlot> lease_;
  ObjectPtr object_;  // owns the program and (a dup of) the map fd, when loaded here
  UniqueFd prog_;     // the program's fd when taken from a pin
  int prog_fd_;
  LocalMemoryMap local_;  // unmapped and closed before the object closes
  uint8_t* memory_;
};

// Fills the kernel's view of a loaded program into `stats`.
void ProgramInfoStats(int prog_fd, LoadStats* stats) {
  bpf_prog_info info;
  std::memset(&info, 0, sizeof(info));
  uint32_t info_len = sizeof(info);
  if (bpf_obj_get_info_by_fd(prog_fd, &info, &info_len) == 0) {
    stats->program_id = info.id;
    stats->verified_insns = info.verified_insns;
    stats->xlated_size = info.xlated_prog_len;
    stats->jited_size = info.jited_prog_len;
  }
}

double MsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

// Records the typed reason of a failed load where it happens, then returns
// the status (its message becomes the reason's detail).
Status Fail(Fallback* failure, Fallback::Reason reason, Status status) {
  if (failure != nullptr) *failure = Fallback{reason, status.message()};
  return status;
}

// Opens the object from memory; `log` (if non-null) becomes the program's
// verifier log buffer at level 1. A malformed object is InvalidArgument with
// reason kNone (no fallback); out of memory is kDeviceUnavailable.
Result<ObjectPtr> OpenObject(const bpfgen::BpfProgram& image, std::vector<char>* log,
                             bpf_program** prog_out, CaptureLibbpf& capture, Fallback* failure) {
  bpf_object_open_opts opts;
  std::memset(&opts, 0, sizeof(opts));
  opts.sz = sizeof(opts);
  opts.object_name = "pd_filter";
  ObjectPtr obj(bpf_object__open_mem(image.object.data(), image.object.size(), &opts));
  if (obj == nullptr) {
    int err = errno;
    return Fail(failure,
                err == ENOMEM ? Fallback::Reason::kDeviceUnavailable : Fallback::Reason::kNone,
                Status::InvalidArgument(
                    "bpf object does not open: " + std::string(strerror(err)) +
                    (capture.LastLine().empty() ? "" : " (" + capture.LastLine() + ")")));
  }
  bpf_program* prog = bpf_object__find_program_by_name(obj.get(), image.program_name.c_str());
  if (prog == nullptr) {
    return Fail(failure, Fallback::Reason::kNone,
                Status::InvalidArgument("bpf object has no program " + image.program_name));
  }
  if (log != nullptr) {
    log->assign(kRejectLogSize, '\0');
    bpf_program__set_log_buf(prog, log->data(), log->size());
    bpf_program__set_log_level(prog, 1);
  }
  *prog_out = prog;
  return obj;
}

// Offset of `name` inside the .bss DATASEC, from the object's (fixed-up) BTF.
Result<uint32_t> VariableOffset(bpf_object* obj, const std::string& name) {
  const btf* b = bpf_object__btf(obj);
  if (b == nullptr) return Status::InvalidArgument("bpf object has no BTF");
  int id = btf__find_by_name_kind(b, ".bss", BTF_KIND_DATASEC);
  if (id < 0) return Status::InvalidArgument("bpf object BTF has no .bss DATASEC");
  const btf_type* sec = btf__type_by_id(b, id);
  const btf_var_secinfo* vars = btf_var_secinfos(sec);
  for (int i = 0; i < btf_vlen(sec); ++i) {
    const btf_type* var = btf__type_by_id(b, vars[i].type);
    const char* var_name = btf__name_by_offset(b, var->name_off);
    if (var_name != nullptr && name == var_name) return vars[i].offset;
  }
  return Status::InvalidArgument("bpf object .bss has no variable " + name);
}

bpf_map* FindBss(bpf_object* obj) {
  bpf_map* bss = nullptr;
  bpf_map* map;
  bpf_object__for_each_map(map, obj) {
    std::string_view name = bpf_map__name(map);
    if (name.size() >= 4 && name.substr(name.size() - 4) == ".bss") bss = map;
  }
  return bss;
}

// Hands `local` to libbpf as the .bss map. Left to libbpf 1.1, an internal
// map is also written with its initial contents by BPF_MAP_UPDATE_ELEM: for a
// .bss of megabytes of zeros that copy costs tens of milliseconds per load and
// is not needed (the kernel zeroes a new map).
Status ReuseLocalMemoryMap(bpf_map* bss, const LocalMemoryMap& local) {
  if (bpf_map__reuse_fd(bss, local.fd()) != 0) {  // dups the fd
    return Status::FromErrno("bpf_map__reuse_fd of local memory", errno);
  }
  return Status::OK();
}

}  // namespace

LocalMemoryMap::LocalMemoryMap(LocalMemoryMap&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)),
      value_size_(std::exchange(o.value_size_, 0)),
      addr_(std::exchange(o.addr_, nullptr)),
      mapped_size_(std::exchange(o.mapped_size_, 0)) {}

LocalMemoryMap& LocalMemoryMap::operator=(LocalMemoryMap&& o) noexcept {
  std::swap(fd_, o.fd_);
  std::swap(value_size_, o.value_size_);
  std::swap(addr_, o.addr_);
  std::swap(mapped_size_, o.mapped_size_);
  return *this;
}

LocalMemoryMap::~LocalMemoryMap() {
  if (addr_ != nullptr) munmap(addr_, mapped_size_);
  if (fd_ >= 0) close(fd_);
}

Result<LocalMemoryMap> LocalMemoryMap::Create(uint64_t value_size) {
  bpf_map_create_opts opts;
  std::memset(&opts, 0, sizeof(opts));
  opts.sz = sizeof(opts);
  opts.map_flags = BPF_F_MMAPABLE;
  if (value_size == 0 || value_size > UINT32_MAX) {
    return Status::InvalidArgument("local memory of " + std::to_string(value_size) + " bytes");
  }
  const int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "pd_local_mem", sizeof(uint32_t),
                                static_cast<uint32_t>(value_size), 1, &opts);
  if (fd < 0) return Status::FromErrno("bpf(BPF_MAP_CREATE) of local memory", errno);
  return Map(UniqueFd(fd), value_size, "mmap of local memory");
}

Result<LocalMemoryMap> LocalMemoryMap::Adopt(UniqueFd fd, uint64_t value_size) {
  if (!fd.valid() || value_size == 0) return Status::InvalidArgument("no local memory map");
  return Map(std::move(fd), value_size, "mmap of pinned local memory");
}

Result<LocalMemoryMap> LocalMemoryMap::Map(UniqueFd fd, uint64_t value_size, const char* what) {
  LocalMemoryMap local;
  local.fd_ = fd.Release();  // owned by `local` from here: its destructor closes it
  local.value_size_ = value_size;
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const size_t map_size = (value_size + page - 1) / page * page;
  void* addr = mmap(nullptr, map_size, PROT_READ | PROT_WRITE, MAP_SHARED, local.fd_, 0);
  if (addr == MAP_FAILED) return Status::FromErrno(what, errno);
  local.addr_ = addr;
  local.mapped_size_ = map_size;
  return local;
}

std::string SummarizeVerifierLog(const std::string& log, int max_lines) {
  std::vector<std::string> lines;
  std::istringstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.rfind("processed ", 0) == 0 ||
        line.rfind("verification time", 0) == 0 || line.rfind("stack depth", 0) == 0 ||
        line.rfind("-- END PROG LOAD LOG --", 0) == 0) {
      continue;
    }
    lines.push_back(line);
  }
  size_t begin = lines.size() > static_cast<size_t>(max_lines) ? lines.size() - max_lines : 0;
  std::string out;
  for (size_t i = begin; i < lines.size(); ++i) {
    if (!out.empty()) out += " | ";
    out += lines[i];
  }
  return out;
}

KernelDevice::KernelDevice() {
  caps_.name = "kernel";
  caps_.program_kind = ProgramKind::kBpfObject;
  caps_.max_instructions = 1000000;  // BPF_COMPLEXITY_LIMIT_INSNS
  caps_.local_memory_size = uint64_t{256} << 20;
  caps_.max_batch_blocks = 64;
  caps_.floating_point = false;
  caps_.compile_options = bpfgen::CompileOptions{};
  caps_.split_caps = bpfgen::TargetCaps::Kernel();
  caps_.max_string_op_size = caps_.split_caps.max_string_op;

  // mov64 r0, 0; exit
  bpf_insn insns[2];
  std::memset(insns, 0, sizeof(insns));
  insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;
  insns[1].code = BPF_JMP | BPF_EXIT;
  bpf_prog_load_opts opts;
  std::memset(&opts, 0, sizeof(opts));
  opts.sz = sizeof(opts);
  opts.prog_flags = BPF_F_SLEEPABLE;  // syscall programs must be sleepable
  CaptureLibbpf capture;
  int fd = bpf_prog_load(BPF_PROG_TYPE_SYSCALL, "pd_probe", "GPL", insns, 2, &opts);
  if (fd < 0) {
    probe_errno_ = errno;
    probe_ = Status::Unavailable("bpf(BPF_PROG_LOAD) of a syscall program: " +
                                 std::string(strerror(probe_errno_)));
    unavailable_.reason = (probe_errno_ == EPERM || probe_errno_ == EACCES)
                              ? Fallback::Reason::kNoBpfPrivilege
                              : Fallback::Reason::kDeviceUnavailable;
    unavailable_.detail = probe_.message();
  } else {
    close(fd);
  }
  pins_ = std::make_shared<PinStore>(PinOptions::FromEnvironment());
}

void KernelDevice::SetPinOptions(const PinOptions& options) {
  auto store = std::make_shared<PinStore>(options);
  std::lock_guard<std::mutex> lock(mu_);
  pins_ = std::move(store);
}

std::shared_ptr<PinStore> KernelDevice::pins() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pins_;
}

std::string KernelDevice::last_verifier_log() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_log_;
}

Result<std::unique_ptr<LoadedProgram>> KernelDevice::Load(const ProgramImage& image,
                                                          Fallback* failure) {
  return LoadWithMemory(image, Status::Unavailable("no local memory made beforehand"), failure);
}

Result<std::unique_ptr<LoadedProgram>> KernelDevice::LoadWithMemory(const ProgramImage& image,
                                                                    Result<LocalMemoryMap> memory,
                                                                    Fallback* failure) {
  using Reason = Fallback::Reason;
  if (image.bpf == nullptr) {
    return Fail(failure, Reason::kNone,
                Status::InvalidArgument("kernel device loads BPF objects only"));
  }
  if (!probe_.ok()) return Fail(failure, unavailable_.reason, probe_);
  const bpfgen::BpfProgram& bpf = *image.bpf;
  const abi::ProgramLayout& layout = bpf.layout;
  auto start = std::chrono::steady_clock::now();

  // Pinning: a free pinned instance of this very object is used as it is (no
  // open, no verification); otherwise an empty slot is leased and the instance
  // loaded below is pinned into it. See pin_store.h for why each instance is
  // leased exclusively (its local memory is bound into it).
  std::shared_ptr<PinStore> pins = this->pins();
  LoadStats stats;
  std::optional<PinnedSlot> slot;
  if (pins != nullptr) {
    Status usable = pins->Available();
    if (!usable.ok()) {
      stats.pin_note = usable.message();
    } else {
      PinnedProgramInfo want;
      want.program_name = bpf.program_name;
      want.memory_variable = bpf.memory_variable;
      want.layout = layout;
      Result<PinnedSlot> leased = pins->Lease(bpf.object, want);
      if (!leased.ok()) {
        stats.pin = PinState::kUnpinned;
        stats.pin_note = leased.status().message();
      } else if (leased->reused) {
        const uint32_t value_size = leased->info.value_size;
        const uint32_t var_offset = leased->info.var_offset;
        UniqueFd prog_fd = std::move(leased->prog);
        Result<LocalMemoryMap> local = LocalMemoryMap::Adopt(std::move(leased->mem), value_size);
        if (local.ok()) {
          ProgramInfoStats(prog_fd.get(), &stats);
          stats.object_size = static_cast<uint32_t>(bpf.object.size());
          stats.pin = PinState::kReused;
          stats.load_ms = MsSince(start);
          uint8_t* base = local->data() + var_offset;
          const int raw_fd = prog_fd.get();
          return std::unique_ptr<LoadedProgram>(std::make_unique<KernelProgram>(
              layout, ObjectPtr(), std::move(prog_fd), raw_fd, std::move(local).value(), base,
              stats, std::move(leased).value()));
        }
        stats.pin = PinState::kUnpinned;
        stats.pin_note = local.status().message();
      } else {
        slot = std::move(leased).value();
      }
    }
  } else {
    stats.pin_note = "pinning disabled";
  }
  CaptureLibbpf capture;

  bpf_program* prog = nullptr;
  PD_ASSIGN_OR_RETURN(ObjectPtr obj, OpenObject(bpf, nullptr, &prog, capture, failure));
  bpf_map* bss = FindBss(obj.get());
  if (bss == nullptr) {
    return Fail(failure, Reason::kNone, Status::InvalidArgument("bpf object has no .bss map"));
  }
  uint64_t value_size = bpf_map__value_size(bss);
  if (!memory.ok() || memory->value_size() != value_size) {
    memory = LocalMemoryMap::Create(value_size);
    if (!memory.ok()) return Fail(failure, Reason::kLocalMemoryUnavailable, memory.status());
  }
  LocalMemoryMap local = std::move(memory).value();
  Status reused = ReuseLocalMemoryMap(bss, local);
  if (!reused.ok()) return Fail(failure, Reason::kLocalMemoryUnavailable, reused);
  if (bpf_object__load(obj.get()) != 0) {
    int err = errno;
    // Load again with a verifier log: the log, not the errno, says why
    // (the same rejection comes back as EACCES, EINVAL, EFAULT or ENOMEM).
    std::vector<char> log;
    CaptureLibbpf capture_retry;
    PD_ASSIGN_OR_RETURN(ObjectPtr retry, OpenObject(bpf, &log, &prog, capture_retry, failure));
    bool loaded = bpf_object__load(retry.get()) == 0;
    std::string text(log.data(), strnlen(log.data(), log.size()));
    if (loaded) {
      // Transient (e.g. memory): not a property of the program.
      return Fail(failure, Reason::kDeviceUnavailable,
                  Status::Internal("bpf object loaded only on the second attempt (first: " +
                                   std::string(strerror(err)) + ")"));
    }
    if (text.empty()) {
      // Not a verifier rejection: ELF/BTF/map creation problems.
      return Fail(failure, Reason::kDeviceUnavailable,
                  Status::InvalidArgument(
                      "bpf object load failed: " + std::string(strerror(err)) +
                      (capture.LastLine().empty() ? "" : " (" + capture.LastLine() + ")")));
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      last_log_ = text;
    }
    // The verifier's own words decide which limit it hit; the reason is
    // typed from here on.
    bool too_large = text.find("BPF program is too large") != std::string::npos ||
                     text.find("too complex") != std::string::npos;
    return Fail(
        failure, too_large ? Reason::kProgramTooLarge : Reason::kVerifierRejected,
        Status::NotSupported(std::string(too_large ? "program too large" : "verifier rejected") +
                             " " + bpf.program_name + ": " + SummarizeVerifierLog(text)));
  }

  int prog_fd = bpf_program__fd(prog);
  Result<uint32_t> var_offset = VariableOffset(obj.get(), bpf.memory_variable);
  if (!var_offset.ok()) return Fail(failure, Reason::kNone, var_offset.status());
  if (uint64_t{*var_offset} + layout.mem_size > value_size) {
    return Fail(failure, Reason::kNone,
                Status::InvalidArgument("local memory variable " + bpf.memory_variable + " (" +
                                        std::to_string(layout.mem_size) +
                                        " bytes) does not fit the .bss map"));
  }

  ProgramInfoStats(prog_fd, &stats);
  stats.object_size = static_cast<uint32_t>(bpf.object.size());
  if (slot.has_value()) {
    PinnedProgramInfo have;
    have.program_name = bpf.program_name;
    have.memory_variable = bpf.memory_variable;
    have.layout = layout;
    have.value_size = static_cast<uint32_t>(value_size);
    have.var_offset = *var_offset;
    Status pinned = pins->Commit(&*slot, bpf.object, have, prog_fd, local.fd());
    if (pinned.ok()) {
      stats.pin = PinState::kCreated;
    } else {
      stats.pin = PinState::kUnpinned;
      stats.pin_note = pinned.message();
      slot.reset();  // nothing pinned: release the slot now
    }
  }
  stats.load_ms = MsSince(start);
  uint8_t* memory_base = local.data() + *var_offset;
  return std::unique_ptr<LoadedProgram>(
      std::make_unique<KernelProgram>(layout, std::move(obj), UniqueFd(), prog_fd, std::move(local),
                                      memory_base, stats, std::move(slot)));
}

}  // namespace pushdown::exec
