// VfsEnv: a leveldb::Env whose files are the files of a vfs::Vfs, and whose
// background work runs on the caller's thread, in order.
//
// Files mirror LevelDB's own env_posix.cc call for call, so that crashsim's
// RecordingVfs sees the writes and syncs LevelDB really issues:
//   * a WritableFile buffers appends in 64 KiB, as PosixWritableFile does: an
//     append that fits stays in the buffer, Flush() and Close() write the
//     buffer, an append larger than the buffer is written at once. The log
//     writer flushes after every record, so each log record is one write.
//   * Sync() of a file whose name starts with "MANIFEST" first syncs its
//     directory (SyncDirIfManifest), then writes the buffer and syncs the
//     file (fdatasync). No other call syncs a directory: LevelDB renames
//     CURRENT into place and creates log and table files without one.
//   * NewWritableFile truncates an existing file (O_TRUNC); NewAppendableFile
//     appends; LockFile creates the LOCK file (no other process exists, so
//     the lock itself always succeeds).
//   * info logs are not files here: the adapter passes its own Logger.
//
// Paths: LevelDB names its files "<dbname>/<file>". The database directory
// is the root of the Vfs, which exists before the store does (as a user's
// directory would): "<dbname>" maps to "." and "<dbname>/NAME" to "NAME". Any
// other path is refused with InvalidArgument.
//
// Background work: Schedule() and StartThread() only queue the function;
// run_queued() runs the queue, and anything the work queues in turn, on the
// calling thread until it is empty. The adapter calls it after every call
// into LevelDB returns, so the same workload gives the same calls in the same
// order on every run. LevelDB waits for its background thread only when a
// write finds the previous memtable still unflushed, when level 0 reaches
// its stop trigger, in CompactRange() and in ~DB(); draining after every
// call keeps the first two from happening, the adapter never calls
// CompactRange(), and it drains before deleting the DB.
#pragma once

#include <leveldb/env.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "vfs/vfs.h"

namespace crashsim::peers {

class VfsEnv final : public leveldb::EnvWrapper {
 public:
  // `files` outlives the Env; `dbname` is the name the DB is opened with.
  VfsEnv(vfs::Vfs& files, std::string dbname);

  // Runs queued background work until none is left.
  void run_queued();

  leveldb::Status NewSequentialFile(const std::string& name, leveldb::SequentialFile** result) override;
  leveldb::Status NewRandomAccessFile(const std::string& name, leveldb::RandomAccessFile** result) override;
  leveldb::Status NewWritableFile(const std::string& name, leveldb::WritableFile** result) override;
  leveldb::Status NewAppendableFile(const std::string& name, leveldb::WritableFile** result) override;
  bool FileExists(const std::string& name) override;
  leveldb::Status GetChildren(const std::string& dir, std::vector<std::string>* result) override;
  leveldb::Status RemoveFile(const std::string& name) override;
  leveldb::Status CreateDir(const std::string& dir) override;
  leveldb::Status RemoveDir(const std::string& dir) override;
  leveldb::Status GetFileSize(const std::string& name, uint64_t* size) override;
  leveldb::Status RenameFile(const std::string& from, const std::string& to) override;
  leveldb::Status LockFile(const std::string& name, leveldb::FileLock** lock) override;
  leveldb::Status UnlockFile(leveldb::FileLock* lock) override;
  void Schedule(void (*work)(void*), void* arg) override;
  void StartThread(void (*work)(void*), void* arg) override;
  leveldb::Status GetTestDirectory(std::string* path) override;
  leveldb::Status NewLogger(const std::string& name, leveldb::Logger** result) override;

 private:
  // The Vfs path of a LevelDB path, or an error naming it.
  leveldb::Status map_path(const std::string& name, std::string* path) const;
  // Opens the file LevelDB calls `name`.
  leveldb::Status open_file(const std::string& name, vfs::OpenMode mode, std::unique_ptr<vfs::File>* file);

  vfs::Vfs& files_;
  std::string dbname_;
  std::vector<std::pair<void (*)(void*), void*>> queue_;
};

// LevelDB's Status for a Vfs error, and back: kNotFound and kCorruption keep
// their kind, everything else is an I/O error; the message is kept.
leveldb::Status to_leveldb(const vfs::Status& status);
vfs::Status from_leveldb(const leveldb::Status& status, std::string_view context);

}  // namespace crashsim::peers
