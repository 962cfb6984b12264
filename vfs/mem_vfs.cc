#include "vfs/mem_vfs.h"

#include <algorithm>
#include <cerrno>
#include <new>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace vfs {

namespace {

// A directory argument without trailing slashes ("a/" names "a"; "/" stays).
std::string_view dir_name(std::string_view dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.remove_suffix(1);
  return dir;
}

std::string_view base_name(std::string_view path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string rename_subject(std::string_view from, std::string_view to) {
  std::string s(from);
  s.append(" -> ").append(to);
  return s;
}

}  // namespace

struct MemVfs::State {
  // One file. The namespace and every open handle share it, so a handle
  // follows its file through rename() and keeps it readable after remove().
  struct Node {
    // Copy-on-write page by page: writing it never changes an installed image.
    FileContents contents;
    // Advisory locks held on this file (Vfs::lock).
    uint32_t shared_locks = 0;
    bool exclusive_lock = false;
  };

  mutable std::mutex mu;
  std::map<std::string, std::shared_ptr<Node>, std::less<>> files;
  std::set<std::string, std::less<>> dirs;  // every directory except the roots
  uint64_t syncs = 0;

  bool is_dir(std::string_view path) const { return path == "." || path == "/" || dirs.contains(path); }
  bool is_file(std::string_view path) const { return files.contains(path); }

  // The errno POSIX gives for `path`, which names nothing: ENOTDIR when an
  // ancestor is a file, ENOENT otherwise.
  int missing_errno(std::string_view path) const {
    for (std::string_view p = parent_dir_view(path); !is_dir(p); p = parent_dir_view(p)) {
      if (is_file(p)) return ENOTDIR;
    }
    return ENOENT;
  }

  // 0 when the directory that would hold `path` exists, else its errno.
  int parent_errno(std::string_view path) const {
    const std::string_view parent = parent_dir_view(path);
    if (is_dir(parent)) return 0;
    return is_file(parent) ? ENOTDIR : missing_errno(parent);
  }

  // The errno for a directory argument that is not a directory.
  int not_dir_errno(std::string_view dir) const { return is_file(dir) ? ENOTDIR : missing_errno(dir); }

};

class MemVfs::MemFile final : public File {
 public:
  MemFile(std::shared_ptr<State> state, std::shared_ptr<State::Node> node, std::string path, bool read_only)
      : state_(std::move(state)), node_(std::move(node)), path_(std::move(path)), read_only_(read_only) {}

  const std::string& path() const override { return path_; }

  Result<size_t> read_at(uint64_t offset, std::span<uint8_t> buf) override {
    if (!node_) return closed_file_error("read", path_);
    RETURN_IF_ERROR(check_range("read", path_, offset, buf.size()));
    const std::lock_guard lock(state_->mu);
    return node_->contents.read(offset, buf);
  }

  Status write_at(uint64_t offset, std::span<const uint8_t> data) override {
    if (!node_) return closed_file_error("write", path_);
    if (read_only_) return Status::from_errno(EBADF, "write", path_, offset);
    RETURN_IF_ERROR(check_range("write", path_, offset, data.size()));
    if (data.empty()) return Status();
    const std::lock_guard lock(state_->mu);
    try {
      node_->contents.write(offset, data);
    } catch (const std::bad_alloc&) {
      return Status::from_errno(ENOSPC, "write", path_, offset);
    } catch (const std::length_error&) {
      return Status::from_errno(ENOSPC, "write", path_, offset);
    }
    return Status();
  }

  Status truncate(uint64_t size) override {
    if (!node_) return closed_file_error("truncate", path_);
    if (read_only_) return Status::from_errno(EBADF, "truncate", path_, size);
    RETURN_IF_ERROR(check_range("truncate", path_, size, 0));
    const std::lock_guard lock(state_->mu);
    try {
      node_->contents.truncate(size);
    } catch (const std::bad_alloc&) {
      return Status::from_errno(ENOSPC, "truncate", path_, size);
    } catch (const std::length_error&) {
      return Status::from_errno(ENOSPC, "truncate", path_, size);
    }
    return Status();
  }

  Status sync() override {
    if (!node_) return closed_file_error("sync", path_);
    const std::lock_guard lock(state_->mu);
    ++state_->syncs;
    return Status();
  }

  Result<uint64_t> size() override {
    if (!node_) return closed_file_error("size", path_);
    const std::lock_guard lock(state_->mu);
    return node_->contents.size();
  }

  Status close() override {
    node_.reset();
    return Status();
  }

 private:
  std::shared_ptr<State> state_;  // outlives the MemVfs while a handle is open
  std::shared_ptr<State::Node> node_;  // null once closed
  std::string path_;
  const bool read_only_;  // opened with OpenMode::kReadOnly
};

MemVfs::MemVfs() : state_(std::make_shared<State>()) {}
MemVfs::~MemVfs() = default;

Result<std::unique_ptr<File>> MemVfs::open(const std::string& path, OpenMode mode) {
  const std::lock_guard lock(state_->mu);
  if (const auto it = state_->files.find(path); it != state_->files.end()) {
    return std::unique_ptr<File>(std::make_unique<MemFile>(state_, it->second, path, mode == OpenMode::kReadOnly));
  }
  if (state_->is_dir(path)) return Status::from_errno(EISDIR, "open", path);
  if (path.empty() || mode != OpenMode::kCreate) return Status::from_errno(state_->missing_errno(path), "open", path);
  if (const int err = state_->parent_errno(path)) return Status::from_errno(err, "open", path);
  auto node = std::make_shared<State::Node>();
  state_->files.emplace(path, node);
  return std::unique_ptr<File>(std::make_unique<MemFile>(state_, std::move(node), path, /*read_only=*/false));
}

Status MemVfs::remove(const std::string& path) {
  const std::lock_guard lock(state_->mu);
  if (const auto it = state_->files.find(path); it != state_->files.end()) {
    state_->files.erase(it);
    return Status();
  }
  if (state_->is_dir(path)) return Status::from_errno(EISDIR, "remove", path);
  return Status::from_errno(state_->missing_errno(path), "remove", path);
}

Status MemVfs::rename(const std::string& from, const std::string& to) {
  const std::lock_guard lock(state_->mu);
  auto& files = state_->files;
  const auto it = files.find(from);
  if (it == files.end()) {
    if (state_->is_dir(from)) {
      return Status::not_supported("rename " + rename_subject(from, to) + ": MemVfs renames files, not directories");
    }
    return Status::from_errno(state_->missing_errno(from), "rename", rename_subject(from, to));
  }
  if (from == to) return Status();
  if (state_->is_dir(to)) return Status::from_errno(EISDIR, "rename", rename_subject(from, to));
  if (const int err = state_->parent_errno(to)) return Status::from_errno(err, "rename", rename_subject(from, to));
  // Re-key the map node rather than copy it; the Node, and so every open
  // handle's view of the file, is untouched.
  auto entry = files.extract(it);
  entry.key() = to;
  files.erase(to);
  files.insert(std::move(entry));
  return Status();
}

Result<bool> MemVfs::exists(const std::string& path) {
  const std::lock_guard lock(state_->mu);
  return state_->is_file(path) || state_->is_dir(dir_name(path));
}

Result<std::vector<std::string>> MemVfs::list_dir(const std::string& dir) {
  const std::string_view d = dir_name(dir);
  const std::lock_guard lock(state_->mu);
  if (!state_->is_dir(d)) return Status::from_errno(state_->not_dir_errno(d), "list_dir", dir);
  std::vector<std::string> names;
  for (const auto& [path, node] : state_->files) {
    if (parent_dir_view(path) == d) names.emplace_back(base_name(path));
  }
  for (const auto& path : state_->dirs) {
    if (parent_dir_view(path) == d) names.emplace_back(base_name(path));
  }
  std::sort(names.begin(), names.end());
  return names;
}

Status MemVfs::create_dir(const std::string& dir) {
  const std::string_view d = dir_name(dir);
  const std::lock_guard lock(state_->mu);
  if (state_->is_dir(d)) return Status();
  if (state_->is_file(d)) return Status::from_errno(EEXIST, "create_dir", dir);
  if (const int err = state_->parent_errno(d)) return Status::from_errno(err, "create_dir", dir);
  state_->dirs.emplace(d);
  return Status();
}

Status MemVfs::sync_dir(const std::string& dir) {
  const std::string_view d = dir_name(dir);
  const std::lock_guard lock(state_->mu);
  if (!state_->is_dir(d)) return Status::from_errno(state_->not_dir_errno(d), "sync_dir", dir);
  ++state_->syncs;
  return Status();
}

Result<uint64_t> MemVfs::file_size(const std::string& path) {
  const std::lock_guard lock(state_->mu);
  if (const auto it = state_->files.find(path); it != state_->files.end()) {
    return it->second->contents.size();
  }
  if (state_->is_dir(path)) return Status::from_errno(EISDIR, "file_size", path);
  return Status::from_errno(state_->missing_errno(path), "file_size", path);
}

class MemVfs::MemFileLock final : public FileLock {
 public:
  MemFileLock(std::shared_ptr<State> state, std::shared_ptr<State::Node> node, LockMode mode)
      : state_(std::move(state)), node_(std::move(node)), mode_(mode) {}
  ~MemFileLock() override {
    const std::lock_guard lock(state_->mu);
    if (mode_ == LockMode::kShared) {
      --node_->shared_locks;
    } else {
      node_->exclusive_lock = false;
    }
  }

 private:
  std::shared_ptr<State> state_;
  std::shared_ptr<State::Node> node_;
  LockMode mode_;
};

Result<std::unique_ptr<FileLock>> MemVfs::lock(const std::string& path, LockMode mode) {
  const std::lock_guard lock(state_->mu);
  const auto it = state_->files.find(path);
  if (it == state_->files.end()) {
    return Status::from_errno(state_->is_dir(path) ? EISDIR : state_->missing_errno(path), "lock", path);
  }
  State::Node& node = *it->second;
  const bool conflicts = node.exclusive_lock || (mode == LockMode::kExclusive && node.shared_locks > 0);
  if (conflicts) {
    return lock_conflict(path, mode);
  }
  if (mode == LockMode::kShared) {
    ++node.shared_locks;
  } else {
    node.exclusive_lock = true;
  }
  return std::unique_ptr<FileLock>(std::make_unique<MemFileLock>(state_, it->second, mode));
}

void MemVfs::install_file(const std::string& path, FileContents contents) {
  const std::lock_guard lock(state_->mu);
  for (std::string_view p = parent_dir_view(path); !state_->is_dir(p); p = parent_dir_view(p)) {
    state_->dirs.emplace(p);
  }
  auto node = std::make_shared<State::Node>();
  node->contents = std::move(contents);
  state_->files.insert_or_assign(path, std::move(node));
}

void MemVfs::install_file(const std::string& path, const SharedBytes& contents) {
  install_file(path, contents ? FileContents(*contents) : FileContents());
}

std::map<std::string, SharedBytes> MemVfs::snapshot() const {
  const std::lock_guard lock(state_->mu);
  std::map<std::string, SharedBytes> out;
  for (const auto& [path, node] : state_->files) {
    out.emplace_hint(out.end(), path, std::make_shared<const Bytes>(node->contents.to_bytes()));
  }
  return out;
}

std::map<std::string, FileContents> MemVfs::contents() const {
  const std::lock_guard lock(state_->mu);
  std::map<std::string, FileContents> out;
  for (const auto& [path, node] : state_->files) out.emplace_hint(out.end(), path, node->contents);
  return out;
}

std::set<std::string> MemVfs::directories() const {
  const std::lock_guard lock(state_->mu);
  std::set<std::string> out(state_->dirs.begin(), state_->dirs.end());
  out.emplace(".");
  out.emplace("/");
  return out;
}

uint64_t MemVfs::sync_count() const {
  const std::lock_guard lock(state_->mu);
  return state_->syncs;
}

}  // namespace vfs
