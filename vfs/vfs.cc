#include "vfs/vfs.h"

namespace vfs {

std::string_view parent_dir_view(std::string_view path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string parent_dir(const std::string& path) { return std::string(parent_dir_view(path)); }

Status check_range(std::string_view op, std::string_view path, uint64_t offset, uint64_t length) {
  if (offset <= kMaxFileOffset && length <= kMaxFileOffset - offset) return Status();
  std::string msg(op);
  msg.append(" ").append(path).append(" at offset ").append(std::to_string(offset));
  msg.append(": ").append(std::to_string(length)).append(" bytes from there pass the largest file offset ");
  msg.append(std::to_string(kMaxFileOffset));
  return Status::invalid_argument(std::move(msg));
}

Status closed_file_error(std::string_view op, std::string_view path) {
  std::string msg(op);
  msg.append(" ").append(path).append(": the file handle is closed");
  return Status::invalid_argument(std::move(msg));
}

Status lock_conflict(std::string_view path, LockMode mode) {
  std::string msg("lock ");
  msg.append(path).append(": the file is in use (");
  msg.append(mode == LockMode::kShared ? "a writer holds it" : "a reader or a writer holds it");
  msg.append(" open); only one writer, or any number of readers, at a time");
  return Status::busy(std::move(msg));
}

}  // namespace vfs
