// Status and Result<T>: the error currency of every module boundary.
//
// Errors are returned, never thrown (LevelDB style). A Status is either OK or a
// code plus a short lowercase message that says what was wrong, e.g.
//   Status::Corruption("000012.sst: bad block checksum at offset 4096")
// Falling back (e.g. from the kernel device to the host device) is not an
// error: it is a normal result carrying a reason, see pushdown/device.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace pushdown {

class [[nodiscard]] Status {
 public:
  enum class Code : uint8_t {
    kOk = 0,
    kInvalidArgument,    // bad predicate, bad schema, bad option: the caller's input
    kNotSupported,       // valid, but this build/device/path cannot do it
    kCorruption,         // on-disk data is malformed (names file and offset)
    kIOError,            // the OS said no (errno text in the message)
    kNotFound,           // a named thing (table, file, column family) is missing
    kUnavailable,        // a resource is not usable here (no privilege, no io_uring)
    kResourceExhausted,  // a configured limit was reached (names the limit)
    kInternal,           // a bug: an invariant did not hold
  };

  Status() = default;  // OK

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string msg) {
    return Status(Code::kInvalidArgument, std::move(msg));
  }
  static Status NotSupported(std::string msg) {
    return Status(Code::kNotSupported, std::move(msg));
  }
  static Status Corruption(std::string msg) { return Status(Code::kCorruption, std::move(msg)); }
  static Status IOError(std::string msg) { return Status(Code::kIOError, std::move(msg)); }
  // IOError with strerror(err) appended: "open foo: No such file or directory".
  static Status FromErrno(std::string_view context, int err);
  static Status NotFound(std::string msg) { return Status(Code::kNotFound, std::move(msg)); }
  static Status Unavailable(std::string msg) { return Status(Code::kUnavailable, std::move(msg)); }
  static Status ResourceExhausted(std::string msg) {
    return Status(Code::kResourceExhausted, std::move(msg));
  }
  static Status Internal(std::string msg) { return Status(Code::kInternal, std::move(msg)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsNotSupported() const { return code_ == Code::kNotSupported; }
  bool IsCorruption() const { return code_ == Code::kCorruption; }
  bool IsIOError() const { return code_ == Code::kIOError; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsUnavailable() const { return code_ == Code::kUnavailable; }
  bool IsResourceExhausted() const { return code_ == Code::kResourceExhausted; }

  // "Corruption: <message>", or "OK".
  std::string ToString() const;
  static const char* CodeName(Code code);

  // Returns a copy whose message is "<prefix>: <message>" (same code).
  Status WithContext(std::string_view prefix) const;

  // Explicitly discards a status (documents that ignoring it is intended).
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}

  Code code_ = Code::kOk;
  std::string message_;
};

// Result<T>: a T or a non-OK Status. Constructing a Result from an OK Status is
// a bug and turns into Status::Internal.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : rep_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status)                        // NOLINT: implicit by design
      : rep_(status.ok() ? Status::Internal("Result constructed from OK status")
                         : std::move(status)) {}

  bool ok() const { return std::holds_alternative<T>(rep_); }
  // REQUIRES: !ok() for a meaningful status; returns OK when ok().
  Status status() const { return ok() ? Status::OK() : std::get<Status>(rep_); }

  // REQUIRES: ok()
  T& value() & { return std::get<T>(rep_); }
  const T& value() const& { return std::get<T>(rep_); }
  T&& value() && { return std::get<T>(std::move(rep_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> rep_;
};

}  // namespace pushdown

#define PD_CONCAT_INNER_(a, b) a##b
#define PD_CONCAT_(a, b) PD_CONCAT_INNER_(a, b)

// Returns the status from the enclosing function if it is not OK.
#define PD_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::pushdown::Status pd_status_ = (expr);  \
    if (!pd_status_.ok()) return pd_status_; \
  } while (0)

// PD_ASSIGN_OR_RETURN(auto x, MakeX()); declares x from a Result or returns its status.
#define PD_ASSIGN_OR_RETURN(decl, expr) \
  PD_ASSIGN_OR_RETURN_IMPL_(PD_CONCAT_(pd_result_, __LINE__), decl, expr)
#define PD_ASSIGN_OR_RETURN_IMPL_(tmp, decl, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  decl = std::move(tmp).value()
