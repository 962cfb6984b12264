// PosixVfs: real files through pread/pwrite/fdatasync/fsync.
//
// Reads and writes loop over short transfers and EINTR; files are opened with
// O_CLOEXEC; sync() is fdatasync(2) and sync_dir() is fsync(2) on the
// directory. Every call passes a libfiu failpoint first. Enabling a point
// makes the call fail without touching the OS, with the errno given as the
// point's failinfo (EIO when none is given):
//   vfs/posix/open  vfs/posix/read  vfs/posix/write  vfs/posix/truncate
//   vfs/posix/sync  vfs/posix/size  vfs/posix/remove vfs/posix/rename
//   vfs/posix/sync_dir  vfs/posix/list_dir  vfs/posix/create_dir
//   vfs/posix/exists  vfs/posix/lock
// (vfs/posix/size covers both File::size and Vfs::file_size.)
// Two more points exercise the retry loops instead of failing:
//   vfs/posix/short_io  each pread/pwrite transfers at most half of what is
//                       asked (at least one byte), so the loop must go round
//   vfs/posix/eintr     each system call that is retried on EINTR (open,
//                       pread, pwrite, ftruncate, fdatasync, fsync) first
//                       reports EINTR once, then the real call is made;
//                       with FIU_ONETIME only the next such call is hit
// e.g. fiu_enable("vfs/posix/sync", 1, reinterpret_cast<void*>(intptr_t{ENOSPC}), 0).
// The names are below as constants; docs/vfs.md has the details.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "vfs/vfs.h"

namespace vfs {

namespace failpoint {

inline constexpr char kOpen[] = "vfs/posix/open";
inline constexpr char kRead[] = "vfs/posix/read";
inline constexpr char kWrite[] = "vfs/posix/write";
inline constexpr char kTruncate[] = "vfs/posix/truncate";
inline constexpr char kSync[] = "vfs/posix/sync";
inline constexpr char kSize[] = "vfs/posix/size";
inline constexpr char kRemove[] = "vfs/posix/remove";
inline constexpr char kRename[] = "vfs/posix/rename";
inline constexpr char kSyncDir[] = "vfs/posix/sync_dir";
inline constexpr char kListDir[] = "vfs/posix/list_dir";
inline constexpr char kCreateDir[] = "vfs/posix/create_dir";
inline constexpr char kExists[] = "vfs/posix/exists";
inline constexpr char kLock[] = "vfs/posix/lock";
inline constexpr char kShortIo[] = "vfs/posix/short_io";
inline constexpr char kEintr[] = "vfs/posix/eintr";

// Every point that makes its call fail (all but kShortIo and kEintr).
inline constexpr std::array<const char*, 13> kFailingPoints = {
    kOpen, kRead, kWrite, kTruncate, kSync, kSize,
    kRemove, kRename, kSyncDir, kListDir, kCreateDir, kExists, kLock};

// OK when `point` is not enabled; otherwise the failure it injects, built by
// Status::from_errno from the point's failinfo taken as an errno (EIO when
// the failinfo is 0). Other Vfs implementations that offer the same points
// call this too, so an injected failure reads the same everywhere.
Status check(const char* point, std::string_view op, std::string_view path,
             std::optional<uint64_t> offset = std::nullopt);

}  // namespace failpoint

class PosixVfs final : public Vfs {
 public:
  Result<std::unique_ptr<File>> open(const std::string& path, OpenMode mode) override;
  Status remove(const std::string& path) override;
  Status rename(const std::string& from, const std::string& to) override;
  Result<bool> exists(const std::string& path) override;
  Result<std::vector<std::string>> list_dir(const std::string& dir) override;
  Status create_dir(const std::string& dir) override;
  Status sync_dir(const std::string& dir) override;
  Result<uint64_t> file_size(const std::string& path) override;
  // flock(2) on a descriptor of its own, LOCK_NB; EWOULDBLOCK becomes kBusy.
  Result<std::unique_ptr<FileLock>> lock(const std::string& path, LockMode mode) override;
};

// The process-wide PosixVfs, the engine's default.
Vfs& default_vfs();

}  // namespace vfs
