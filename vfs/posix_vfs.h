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
// Two more points exercise the retry loops instead of failing:
//   vfs/posix/short_io  each pread/pwrite transfers at most half of what is asked
//   vfs/posix/eintr     the next pread/pwrite/fdatasync reports EINTR once
// e.g. fiu_enable("vfs/posix/sync", 1, reinterpret_cast<void*>(intptr_t{ENOSPC}), 0).
#pragma once

#include "vfs/vfs.h"

namespace vfs {

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
};

// The process-wide PosixVfs, the engine's default.
Vfs& default_vfs();

}  // namespace vfs
