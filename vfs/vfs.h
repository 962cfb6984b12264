// The virtual file system: the only door between the project and the disk.
//
// The engine never calls the OS itself. Everything it does to a file goes
// through a Vfs (modelled on LevelDB's Env and SQLite's sqlite3_vfs) so that
// the crash simulator can record it and build the disk states a crash could
// leave, and so that faults can be injected at each call.
//
// Semantics every implementation honours (the conformance suite in
// vfs_conformance_test.cc checks them against PosixVfs and MemVfs alike):
//   * read_at returns fewer bytes than asked only at end of file; a read that
//     starts at or past the end returns 0 bytes, not an error.
//   * write_at past the end extends the file; the gap reads back as zeros.
//   * truncate shrinks or extends (with zeros) to exactly the size given.
//   * sync() makes the file's contents and size durable (fdatasync). It does
//     NOT make the file's directory entry durable: a newly created or renamed
//     file survives power loss only after sync_dir() of its directory.
//   * rename() atomically replaces an existing target.
//   * Missing paths give StatusCode::kNotFound; every error message names the
//     operation, the path and, for reads and writes, the offset.
//   * lock() is advisory and per handle (flock semantics): two locks on one
//     file conflict whether they come from two processes or from one, and a
//     lock goes away with its handle, or with the process that held it.
//
// Thread safety: a Vfs may be used from several threads. A File's read_at
// may run on several threads at once, and beside one other call on the same
// File from another thread; every other call on a File is made by one
// thread at a time (docs/vfs.md).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vfs/status.h"

namespace vfs {

enum class OpenMode : uint8_t {
  kMustExist,  // fail with kNotFound when the file does not exist
  kCreate,     // create an empty file when it does not exist
  kReadOnly,   // as kMustExist, for reading only: write_at and truncate fail (EBADF)
};

class File {
 public:
  virtual ~File() = default;  // closes the file, ignoring errors; call close() to see them

  File() = default;
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  // The path the file was opened with.
  virtual const std::string& path() const = 0;

  // Reads up to buf.size() bytes starting at offset into buf and returns how
  // many were read; fewer than asked only when the file ends first.
  virtual Result<size_t> read_at(uint64_t offset, std::span<uint8_t> buf) = 0;

  // Writes all of data at offset (a short transfer is retried, never returned).
  virtual Status write_at(uint64_t offset, std::span<const uint8_t> data) = 0;

  // Sets the file's size; a larger size pads with zeros.
  virtual Status truncate(uint64_t size) = 0;

  // Makes the contents and size durable (fdatasync semantics).
  virtual Status sync() = 0;

  virtual Result<uint64_t> size() = 0;

  // Releases the handle. Idempotent; later calls other than close() fail.
  virtual Status close() = 0;
};

enum class LockMode : uint8_t {
  kShared,     // many holders at once; conflicts with kExclusive
  kExclusive,  // one holder; conflicts with every other lock
};

// An advisory lock on one file, held until this object is destroyed.
class FileLock {
 public:
  virtual ~FileLock() = default;
  FileLock() = default;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
};

class Vfs {
 public:
  virtual ~Vfs() = default;

  virtual Result<std::unique_ptr<File>> open(const std::string& path, OpenMode mode) = 0;
  virtual Status remove(const std::string& path) = 0;
  // Atomically replaces `to` when it exists.
  virtual Status rename(const std::string& from, const std::string& to) = 0;
  virtual Result<bool> exists(const std::string& path) = 0;
  // Names (not paths) of the entries of a directory, sorted.
  virtual Result<std::vector<std::string>> list_dir(const std::string& dir) = 0;
  // Creates one directory; succeeds when it already exists.
  virtual Status create_dir(const std::string& dir) = 0;
  // Makes the creations, renames and removals inside `dir` durable (fsync of the directory).
  virtual Status sync_dir(const std::string& dir) = 0;
  virtual Result<uint64_t> file_size(const std::string& path) = 0;
  // Takes an advisory lock on the existing file `path` without waiting:
  // kBusy ("lock <path>: ...") when another handle holds a conflicting one,
  // kNotFound when the file does not exist. It guards nothing by itself:
  // every user of the file must take it (the engine does, at open).
  virtual Result<std::unique_ptr<FileLock>> lock(const std::string& path, LockMode mode) = 0;
};

// The directory part of a path ("." when there is none), as sync_dir expects.
std::string parent_dir(const std::string& path);
// The same, as a view into `path` (no allocation); "." and "/" are static.
std::string_view parent_dir_view(std::string_view path);

// Largest offset and file size any Vfs accepts: that of a 64-bit off_t.
inline constexpr uint64_t kMaxFileOffset = (uint64_t{1} << 63) - 1;

// OK when [offset, offset + length) ends at or below kMaxFileOffset;
// otherwise kInvalidArgument naming the operation, path and offset. Every
// implementation checks reads, writes and truncates with it, so an absurd
// offset fails the same way everywhere.
Status check_range(std::string_view op, std::string_view path, uint64_t offset, uint64_t length);

// What lock() returns when another handle's lock conflicts: kBusy,
// "lock <path>: the file is in use (...)".
Status lock_conflict(std::string_view path, LockMode mode);

// What every File operation other than close() returns once the handle is
// closed: kInvalidArgument, "<op> <path>: the file handle is closed".
Status closed_file_error(std::string_view op, std::string_view path);

}  // namespace vfs
