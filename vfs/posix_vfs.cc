#include "vfs/posix_vfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <fiu.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace vfs {

Status failpoint::check(const char* point, std::string_view op, std::string_view path,
                        std::optional<uint64_t> offset) {
  if (fiu_fail(point) == 0) return Status();
  const auto info = reinterpret_cast<intptr_t>(fiu_failinfo());
  return Status::from_errno(info != 0 ? static_cast<int>(info) : EIO, op, path, offset);
}

namespace {

// Runs `call` (a system call returning -1 and setting errno on failure) until
// it reports something other than EINTR. The eintr failpoint plays the part of
// a signal arriving: the attempt it hits reports EINTR without making the
// call, and the loop treats it exactly as a real EINTR. The attempt after an
// injected one always makes the real call, so the loop ends even while the
// point stays enabled.
template <class Call>
auto retry_on_eintr(Call call) -> decltype(call()) {
  bool injected_last = false;
  for (;;) {
    decltype(call()) rc;
    if (!injected_last && fiu_fail(failpoint::kEintr) != 0) {
      injected_last = true;
      rc = -1;
      errno = EINTR;
    } else {
      injected_last = false;
      rc = call();
    }
    if (rc != -1 || errno != EINTR) return rc;
  }
}

// Moves `length` bytes at `offset` with `syscall(done, ask, at)` (pread or
// pwrite of `ask` bytes at file offset `at`, buffer position `done`), looping
// over short transfers. Returns the bytes moved, fewer than `length` only
// when a call moves nothing: end of file for a read; for a write the caller
// reports it as an error, since asking again would spin forever.
template <class Syscall>
Result<size_t> transfer_all(std::string_view op, const std::string& path, uint64_t offset, size_t length,
                            Syscall syscall) {
  size_t done = 0;
  while (done < length) {
    size_t ask = length - done;
    if (fiu_fail(failpoint::kShortIo) != 0) ask = std::max<size_t>(1, ask / 2);
    const auto at = static_cast<off_t>(offset + done);
    const ssize_t rc = retry_on_eintr([&] { return syscall(done, ask, at); });
    if (rc < 0) return Status::from_errno(errno, op, path, offset + done);
    if (rc == 0) break;
    done += static_cast<size_t>(rc);
  }
  return done;
}

class PosixFile final : public File {
 public:
  PosixFile(int fd, std::string path, bool read_only) : fd_(fd), path_(std::move(path)), read_only_(read_only) {}
  ~PosixFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  const std::string& path() const override { return path_; }

  Result<size_t> read_at(uint64_t offset, std::span<uint8_t> buf) override {
    if (fd_ < 0) return closed_file_error("read", path_);
    RETURN_IF_ERROR(failpoint::check(failpoint::kRead, "read", path_, offset));
    RETURN_IF_ERROR(check_range("read", path_, offset, buf.size()));
    return transfer_all("read", path_, offset, buf.size(), [&](size_t done, size_t ask, off_t at) {
      return ::pread(fd_, buf.data() + done, ask, at);
    });
  }

  Status write_at(uint64_t offset, std::span<const uint8_t> data) override {
    if (fd_ < 0) return closed_file_error("write", path_);
    if (read_only_) return Status::from_errno(EBADF, "write", path_, offset);
    RETURN_IF_ERROR(failpoint::check(failpoint::kWrite, "write", path_, offset));
    RETURN_IF_ERROR(check_range("write", path_, offset, data.size()));
    ASSIGN_OR_RETURN(const size_t written,
                     transfer_all("write", path_, offset, data.size(), [&](size_t done, size_t ask, off_t at) {
                       return ::pwrite(fd_, data.data() + done, ask, at);
                     }));
    if (written != data.size()) {
      return Status::io_error("write " + path_ + " at offset " + std::to_string(offset + written) +
                              ": pwrite accepted 0 bytes of the " + std::to_string(data.size() - written) +
                              " remaining");
    }
    return Status();
  }

  Status truncate(uint64_t size) override {
    if (fd_ < 0) return closed_file_error("truncate", path_);
    // ftruncate(2) would say EINVAL; both Vfs implementations say EBADF.
    if (read_only_) return Status::from_errno(EBADF, "truncate", path_, size);
    RETURN_IF_ERROR(failpoint::check(failpoint::kTruncate, "truncate", path_, size));
    RETURN_IF_ERROR(check_range("truncate", path_, size, 0));
    if (retry_on_eintr([&] { return ::ftruncate(fd_, static_cast<off_t>(size)); }) != 0) {
      return Status::from_errno(errno, "truncate", path_, size);
    }
    return Status();
  }

  Status sync() override {
    if (fd_ < 0) return closed_file_error("sync", path_);
    RETURN_IF_ERROR(failpoint::check(failpoint::kSync, "sync", path_));
    if (retry_on_eintr([&] { return ::fdatasync(fd_); }) != 0) return Status::from_errno(errno, "sync", path_);
    return Status();
  }

  Result<uint64_t> size() override {
    if (fd_ < 0) return closed_file_error("size", path_);
    RETURN_IF_ERROR(failpoint::check(failpoint::kSize, "size", path_));
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return Status::from_errno(errno, "size", path_);
    return static_cast<uint64_t>(st.st_size);
  }

  Status close() override {
    if (fd_ < 0) return Status();
    const int fd = std::exchange(fd_, -1);
    // Linux releases the descriptor even when close reports EINTR, so there
    // is nothing to retry; durability was decided by sync(), not here.
    if (::close(fd) != 0 && errno != EINTR) return Status::from_errno(errno, "close", path_);
    return Status();
  }

 private:
  int fd_;  // -1 once closed
  std::string path_;
  const bool read_only_;  // opened with OpenMode::kReadOnly
};

}  // namespace

Result<std::unique_ptr<File>> PosixVfs::open(const std::string& path, OpenMode mode) {
  RETURN_IF_ERROR(failpoint::check(failpoint::kOpen, "open", path));
  const int access = mode == OpenMode::kReadOnly ? O_RDONLY : O_RDWR;
  const int flags = access | O_CLOEXEC | (mode == OpenMode::kCreate ? O_CREAT : 0);
  const int fd = retry_on_eintr([&] { return ::open(path.c_str(), flags, 0644); });
  if (fd < 0) return Status::from_errno(errno, "open", path);
  // open(2) refuses a directory only for writing; read-only, it is refused here, as in every other mode.
  struct stat st {};
  if (mode == OpenMode::kReadOnly && ::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    return Status::from_errno(EISDIR, "open", path);
  }
  return std::unique_ptr<File>(std::make_unique<PosixFile>(fd, path, mode == OpenMode::kReadOnly));
}

Status PosixVfs::remove(const std::string& path) {
  RETURN_IF_ERROR(failpoint::check(failpoint::kRemove, "remove", path));
  if (::unlink(path.c_str()) != 0) return Status::from_errno(errno, "remove", path);
  return Status();
}

Status PosixVfs::rename(const std::string& from, const std::string& to) {
  const std::string both = from + " -> " + to;
  RETURN_IF_ERROR(failpoint::check(failpoint::kRename, "rename", both));
  if (::rename(from.c_str(), to.c_str()) != 0) return Status::from_errno(errno, "rename", both);
  return Status();
}

Result<bool> PosixVfs::exists(const std::string& path) {
  RETURN_IF_ERROR(failpoint::check(failpoint::kExists, "exists", path));
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) return true;
  // ENOTDIR: a component of the path is a file, so nothing can exist below it.
  if (errno == ENOENT || errno == ENOTDIR) return false;
  return Status::from_errno(errno, "exists", path);
}

Result<std::vector<std::string>> PosixVfs::list_dir(const std::string& dir) {
  RETURN_IF_ERROR(failpoint::check(failpoint::kListDir, "list_dir", dir));
  // glibc's opendir already opens with O_CLOEXEC.
  const std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), &::closedir);
  if (!d) return Status::from_errno(errno, "list_dir", dir);
  std::vector<std::string> names;
  for (;;) {
    errno = 0;  // readdir returns nullptr both at the end and on error
    const dirent* entry = ::readdir(d.get());
    if (entry == nullptr) break;
    const std::string_view name(entry->d_name);
    if (name != "." && name != "..") names.emplace_back(name);
  }
  if (errno != 0) return Status::from_errno(errno, "list_dir", dir);
  std::sort(names.begin(), names.end());
  return names;
}

Status PosixVfs::create_dir(const std::string& dir) {
  RETURN_IF_ERROR(failpoint::check(failpoint::kCreateDir, "create_dir", dir));
  if (::mkdir(dir.c_str(), 0755) == 0) return Status();
  const int err = errno;
  struct stat st {};
  if (err == EEXIST && ::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return Status();
  return Status::from_errno(err, "create_dir", dir);
}

Status PosixVfs::sync_dir(const std::string& dir) {
  RETURN_IF_ERROR(failpoint::check(failpoint::kSyncDir, "sync_dir", dir));
  const int fd = retry_on_eintr([&] { return ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); });
  if (fd < 0) return Status::from_errno(errno, "sync_dir", dir);
  const int rc = retry_on_eintr([&] { return ::fsync(fd); });
  const int err = errno;
  ::close(fd);
  if (rc != 0) return Status::from_errno(err, "sync_dir", dir);
  return Status();
}

Result<uint64_t> PosixVfs::file_size(const std::string& path) {
  RETURN_IF_ERROR(failpoint::check(failpoint::kSize, "file_size", path));
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Status::from_errno(errno, "file_size", path);
  if (S_ISDIR(st.st_mode)) return Status::from_errno(EISDIR, "file_size", path);
  return static_cast<uint64_t>(st.st_size);
}

namespace {

// The descriptor the lock was taken on: closing it releases the lock (the
// kernel does the same when the process dies).
class PosixFileLock final : public FileLock {
 public:
  explicit PosixFileLock(int fd) : fd_(fd) {}
  ~PosixFileLock() override { ::close(fd_); }

 private:
  int fd_;
};

}  // namespace

Result<std::unique_ptr<FileLock>> PosixVfs::lock(const std::string& path, LockMode mode) {
  RETURN_IF_ERROR(failpoint::check(failpoint::kLock, "lock", path));
  const int fd = retry_on_eintr([&] { return ::open(path.c_str(), O_RDONLY | O_CLOEXEC); });
  if (fd < 0) return Status::from_errno(errno, "lock", path);
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    return Status::from_errno(EISDIR, "lock", path);
  }
  const int how = (mode == LockMode::kShared ? LOCK_SH : LOCK_EX) | LOCK_NB;
  if (retry_on_eintr([&] { return ::flock(fd, how); }) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return lock_conflict(path, mode);
    }
    return Status::from_errno(err, "lock", path);
  }
  return std::unique_ptr<FileLock>(std::make_unique<PosixFileLock>(fd));
}

Vfs& default_vfs() {
  static PosixVfs vfs;
  return vfs;
}

}  // namespace vfs
