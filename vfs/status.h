// Status and Result: the error currency of every I/O path in the project.
//
// No exception crosses the Vfs interface or the engine's API. A failed
// operation returns a Status whose message names the operation, the file and,
// where one applies, the page or byte offset, followed by the errno text, e.g.
//   "write /data/db-wal at offset 8192: Input/output error (EIO)".
// Callers add context as the error travels up ("commit txn 17: ...") with
// Status::With, so the final message reads from the outside in.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace vfs {

enum class StatusCode : uint8_t {
  kOk = 0,
  kNotFound,         // a file, directory or key that does not exist
  kCorruption,       // bytes on disk contradict the format (bad checksum, magic, length)
  kIoError,          // the OS or device reported an error (EIO, EBADF, ...)
  kNoSpace,          // ENOSPC or EDQUOT: the device is full
  kInvalidArgument,  // the caller asked for something malformed or out of range
  kFailedState,      // an earlier failed sync poisoned the handle; reopen to recover
  kNotSupported,
  kBusy,             // another handle holds a conflicting lock on the file (the database is in use)
  kExpired,          // a snapshot the engine could no longer keep readable (its memory bound was reached)
};

// Stable lower-case name of a code, as used in messages and reports.
std::string_view status_code_name(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK

  static Status ok_status() { return Status(); }
  static Status not_found(std::string message) { return Status(StatusCode::kNotFound, std::move(message)); }
  static Status corruption(std::string message) { return Status(StatusCode::kCorruption, std::move(message)); }
  static Status io_error(std::string message, int err = 0) { return Status(StatusCode::kIoError, std::move(message), err); }
  static Status no_space(std::string message, int err = 0) { return Status(StatusCode::kNoSpace, std::move(message), err); }
  static Status invalid_argument(std::string message) { return Status(StatusCode::kInvalidArgument, std::move(message)); }
  static Status failed_state(std::string message) { return Status(StatusCode::kFailedState, std::move(message)); }
  static Status not_supported(std::string message) { return Status(StatusCode::kNotSupported, std::move(message)); }
  static Status busy(std::string message) { return Status(StatusCode::kBusy, std::move(message)); }
  static Status expired(std::string message) { return Status(StatusCode::kExpired, std::move(message)); }

  // Builds the status for a failed system call: the code follows from errno
  // (ENOENT -> kNotFound, ENOSPC/EDQUOT -> kNoSpace, anything else -> kIoError)
  // and the message reads "<op> <path>[ at offset N]: <strerror> (<ENAME>)".
  static Status from_errno(int err, std::string_view op, std::string_view path,
                           std::optional<uint64_t> offset = std::nullopt);

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  // The errno behind an OS failure, 0 when there was none.
  int sys_errno() const { return errno_; }
  const std::string& message() const { return message_; }

  bool is_not_found() const { return code_ == StatusCode::kNotFound; }
  bool is_corruption() const { return code_ == StatusCode::kCorruption; }
  bool is_no_space() const { return code_ == StatusCode::kNoSpace; }
  bool is_busy() const { return code_ == StatusCode::kBusy; }

  // Same code and errno, message prefixed with "<context>: ".
  Status with(std::string_view context) const;

  // "<code name>: <message>", or "ok".
  std::string to_string() const;

 private:
  Status(StatusCode code, std::string message, int err = 0)
      : code_(code), errno_(err), message_(std::move(message)) {}

  StatusCode code_ = StatusCode::kOk;
  int errno_ = 0;
  std::string message_;
};

// A value or the Status explaining why there is none (std::expected is C++23).
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {}  // NOLINT(google-explicit-constructor); must not be OK

  bool ok() const { return std::holds_alternative<T>(v_); }
  // The error; an OK status when a value is held.
  Status status() const { return ok() ? Status() : std::get<Status>(v_); }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace vfs

#define VFS_CONCAT_INNER(a, b) a##b
#define VFS_CONCAT(a, b) VFS_CONCAT_INNER(a, b)

// Returns the Status of `expr` from the enclosing function when it is not OK.
#define RETURN_IF_ERROR(expr)                          \
  do {                                                 \
    ::vfs::Status vfs_status_ = (expr);                \
    if (!vfs_status_.ok()) return vfs_status_;         \
  } while (0)

// Evaluates `expr` (a Result<T>); on error returns its Status, otherwise moves
// the value into `lhs`, which may be a declaration (`auto file`).
#define ASSIGN_OR_RETURN(lhs, expr) ASSIGN_OR_RETURN_IMPL(VFS_CONCAT(vfs_result_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()
