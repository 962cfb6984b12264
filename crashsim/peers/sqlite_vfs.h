// SqliteVfs: a sqlite3_vfs whose files are the files of a vfs::Vfs.
//
// SQLite reaches the disk only through a sqlite3_vfs. This one sends every
// open, read, write, truncate, sync, delete and directory sync to a vfs::Vfs,
// so that crashsim's RecordingVfs sees exactly what SQLite asked for. It
// mirrors the unix VFS (os_unix.c) call for call; anything more would make
// SQLite look safer than it is, anything less less safe:
//
//   xOpen     Vfs::open, creating the file when SQLITE_OPEN_CREATE is given.
//             A main journal, super journal or WAL opened with CREATE owes
//             one directory sync, issued right after its first successful
//             xSync (unixOpen's `syncDir`, UNIXFILE_DIRSYNC in unixSync).
//             The main database file owes none: os_unix.c never syncs the
//             directory for it.
//   xSync     File::sync. On Linux the unix VFS calls fdatasync() for every
//             flag combination (SQLITE_SYNC_NORMAL, SQLITE_SYNC_FULL, with or
//             without SQLITE_SYNC_DATAONLY; F_FULLFSYNC is macOS only), which
//             is File::sync's contract.
//   xDelete   Vfs::remove; then, when `dirSync` is set (SQLite sets it for a
//             rollback journal under synchronous=EXTRA), Vfs::sync_dir of the
//             file's directory. A missing file is SQLITE_IOERR_DELETE_NOENT.
//   xAccess   SQLITE_ACCESS_EXISTS: the file exists and is not empty (a
//             zero-length journal is no journal, as in unixAccess);
//             SQLITE_ACCESS_READWRITE: the file exists.
//   xRead     a short read zero-fills the rest and is SQLITE_IOERR_SHORT_READ.
//   xDeviceCharacteristics  SQLITE_IOCAP_POWERSAFE_OVERWRITE, the unix VFS's
//             default (psow=1): a write never damages bytes outside its range,
//             which the torn model honours (it tears at sector granularity
//             within the write).
//   xSectorSize  4096 (SQLITE_DEFAULT_SECTOR_SIZE).
//   locks     none are taken: one connection uses one Vfs, so xLock and
//             xUnlock succeed and xCheckReservedLock reports no other holder.
//   shared memory  none (io methods version 1): WAL mode needs
//             locking_mode=EXCLUSIVE, which keeps the WAL index on the heap.
//   temporary files  refused (SQLITE_CANTOPEN): run with temp_store=MEMORY.
//
// Errors: the vfs::Status behind the last failed call is kept
// (take_last_error()) so the adapter can report which file, offset and errno
// a SQLite error code stands for.
//
// Each SqliteVfs registers its own sqlite3_vfs under a unique name (never as
// the default) and unregisters it when destroyed; a connection opened with
// that name must be closed first. Several may exist at once, one per thread.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <string>

#include "vfs/status.h"
#include "vfs/vfs.h"

namespace crashsim::peers {

class SqliteVfs {
 public:
  // Registers a sqlite3_vfs over `files`, which must outlive this object.
  static vfs::Result<std::unique_ptr<SqliteVfs>> register_over(vfs::Vfs& files);
  ~SqliteVfs();

  SqliteVfs(const SqliteVfs&) = delete;
  SqliteVfs& operator=(const SqliteVfs&) = delete;

  // The name to pass to sqlite3_open_v2.
  const char* name() const { return name_.c_str(); }

  // The error of the last call that failed since the previous take, or OK.
  vfs::Status take_last_error();

  // Used by the sqlite3_vfs callbacks.
  vfs::Vfs& files() { return files_; }
  void set_last_error(vfs::Status status) { last_error_ = std::move(status); }

 private:
  SqliteVfs(vfs::Vfs& files, std::string name);

  vfs::Vfs& files_;
  std::string name_;
  sqlite3_vfs vfs_{};
  vfs::Status last_error_;
};

}  // namespace crashsim::peers
