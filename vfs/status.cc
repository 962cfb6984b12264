#include "vfs/status.h"

#include <cerrno>
#include <cstring>

namespace vfs {

std::string_view status_code_name(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kNotFound: return "not-found";
    case StatusCode::kCorruption: return "corruption";
    case StatusCode::kIoError: return "io-error";
    case StatusCode::kNoSpace: return "no-space";
    case StatusCode::kInvalidArgument: return "invalid-argument";
    case StatusCode::kFailedState: return "failed-state";
    case StatusCode::kNotSupported: return "not-supported";
    case StatusCode::kBusy: return "busy";
    case StatusCode::kExpired: return "expired";
  }
  return "unknown";
}

Status Status::from_errno(int err, std::string_view op, std::string_view path, std::optional<uint64_t> offset) {
  std::string msg;
  msg.append(op).append(" ").append(path);
  if (offset) msg.append(" at offset ").append(std::to_string(*offset));
  // strerrordesc_np and strerrorname_np (glibc 2.32) read static tables, so
  // unlike strerror they are safe to call from several threads at once.
  msg.append(": ");
  if (const char* desc = strerrordesc_np(err)) {
    msg.append(desc);
  } else {
    msg.append("Unknown error ").append(std::to_string(err));
  }
  if (const char* name = strerrorname_np(err)) msg.append(" (").append(name).append(")");
  StatusCode code = StatusCode::kIoError;
  if (err == ENOENT) code = StatusCode::kNotFound;
  if (err == ENOSPC || err == EDQUOT) code = StatusCode::kNoSpace;
  return Status(code, std::move(msg), err);
}

Status Status::with(std::string_view context) const {
  if (ok()) return *this;
  std::string msg(context);
  msg.append(": ").append(message_);
  return Status(code_, std::move(msg), errno_);
}

std::string Status::to_string() const {
  if (ok()) return "ok";
  std::string s(status_code_name(code_));
  s.append(": ").append(message_);
  return s;
}

}  // namespace vfs
