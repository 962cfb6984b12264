// MemVfs: files and directories in memory, with PosixVfs's semantics.
//
// It is what the crash simulator materialises crash states into, thousands of
// times a second, so file contents are FileContents values, shared page by
// page (vfs/file_contents.h): install_file() takes them without copying, and
// a write copies only the chunks it touches. A crash state built from shared
// images therefore costs a copy of only the pages recovery writes to.
//
// Durability is not modelled here: every operation is immediately "on disk"
// and sync()/sync_dir() only count calls. Deciding what a crash keeps is the
// simulator's job (crashsim/), not this class's.
//
// Paths are plain strings; "a/b" lives in directory "a" ("a" and "./a" are
// different names). The root directories "." and "/" always exist. Errors
// carry the errno POSIX would give (ENOENT, ENOTDIR, EISDIR, EEXIST) and read
// exactly like PosixVfs's; running out of memory is reported as ENOSPC.
// rename() moves files only: renaming a directory is kNotSupported.
//
// Thread-safe: one mutex guards the namespace, and each file's contents are
// guarded by the same mutex. An open File refers to the file itself, as a
// POSIX descriptor does: it follows a rename(), keeps a removed file readable,
// and keeps working after the MemVfs is destroyed.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "vfs/file_contents.h"
#include "vfs/vfs.h"

namespace vfs {

using SharedBytes = std::shared_ptr<const Bytes>;

class MemVfs final : public Vfs {
 public:
  MemVfs();
  ~MemVfs() override;

  Result<std::unique_ptr<File>> open(const std::string& path, OpenMode mode) override;
  Status remove(const std::string& path) override;
  Status rename(const std::string& from, const std::string& to) override;
  Result<bool> exists(const std::string& path) override;
  Result<std::vector<std::string>> list_dir(const std::string& dir) override;
  Status create_dir(const std::string& dir) override;
  Status sync_dir(const std::string& dir) override;
  Result<uint64_t> file_size(const std::string& path) override;
  // Locks belong to the file, not its name (they follow a rename), as
  // flock's do. A crash state is a new MemVfs: no lock survives a crash.
  Result<std::unique_ptr<FileLock>> lock(const std::string& path, LockMode mode) override;

  // Creates or replaces `path` with `contents`, shared: a later write to the
  // file copies the chunks it touches, never changing `contents`. Missing
  // parent directories are created, as by mkdir -p. Handles open on a
  // replaced file keep the old one.
  void install_file(const std::string& path, FileContents contents);
  // The same from a flat buffer (copied; a null pointer installs an empty file).
  void install_file(const std::string& path, const SharedBytes& contents);
  // Every file and its current contents, flat copies sorted by path.
  std::map<std::string, SharedBytes> snapshot() const;
  // The same, shared (O(1) per file): a later write to a file copies the
  // chunks it touches, so these never change.
  std::map<std::string, FileContents> contents() const;
  // Every directory, including the roots.
  std::set<std::string> directories() const;

  // How many File::sync() and sync_dir() calls have succeeded.
  uint64_t sync_count() const;

 private:
  struct State;
  class MemFile;
  class MemFileLock;
  std::shared_ptr<State> state_;
};

}  // namespace vfs
