// RecordingVfs: a Vfs that appends every mutating call to a trace.
//
// It wraps any Vfs and forwards every call to it; each call that succeeds and
// changes something (create, mkdir, write_at, truncate, sync, sync_dir,
// rename, remove) is appended to the trace, in the order the calls completed
// (one mutex orders them, so the trace is a valid serial history even if the
// system under test uses threads). Reads are not recorded. A failed call is
// not recorded: it changed nothing this model of the disk knows about.
//
// The workload driver adds markers (commit called, commit acknowledged, ...)
// with mark(), so the oracle can tell what had been promised at every point.
//
// With a FaultInjector (crashsim/record/faults.h), calls fail, or land in pieces, as
// it says, without reaching the inner Vfs: a failed sync is recorded as a
// `sync-failed` entry, and the part of a partial or short write that landed
// as ordinary writes, so the trace is still exactly what the files went
// through.
//
// kill_process() models the process dying (kill -9): until restart_process(),
// every call that would change a file or the namespace fails without reaching
// the inner Vfs or the trace. The driver then destroys the session (a
// destructor that tries to close cleanly changes nothing) and opens the store
// again on exactly the files the dead process left, page cache included.
//
// The inner Vfs must hold exactly `initial` when recording starts (nothing,
// for a new workload; a crash state, when recording a recovery): opening a
// file that exists but is not in `initial` fails with kFailedState, because
// its contents would be missing from the trace.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "crashsim/record/faults.h"
#include "crashsim/record/trace.h"
#include "vfs/vfs.h"

namespace crashsim {

class RecordingVfs final : public vfs::Vfs {
 public:
  // `faults` (optional) must outlive the RecordingVfs and the files it opens.
  explicit RecordingVfs(vfs::Vfs& inner, DiskImage initial = {}, FaultInjector* faults = nullptr);
  ~RecordingVfs() override;

  vfs::Result<std::unique_ptr<vfs::File>> open(const std::string& path, vfs::OpenMode mode) override;
  vfs::Status remove(const std::string& path) override;
  vfs::Status rename(const std::string& from, const std::string& to) override;
  vfs::Result<bool> exists(const std::string& path) override;
  vfs::Result<std::vector<std::string>> list_dir(const std::string& dir) override;
  vfs::Status create_dir(const std::string& dir) override;
  vfs::Status sync_dir(const std::string& dir) override;
  vfs::Result<uint64_t> file_size(const std::string& path) override;
  // Passed through unrecorded: a lock changes nothing on disk.
  vfs::Result<std::unique_ptr<vfs::FileLock>> lock(const std::string& path, vfs::LockMode mode) override;

  // Appends a workload marker (number: the transaction, for transaction
  // markers; offset: the attempt, for commit-recovered).
  void mark(OpKind kind, uint64_t number = 0, uint64_t offset = 0);
  // See above: between the two, mutating calls fail with kIoError.
  void kill_process();
  void restart_process();
  // The trace so far (a copy; buffers are shared).
  Trace trace() const;
  uint64_t op_count() const;

 private:
  struct Shared;
  class RecordingFile;
  vfs::Vfs& inner_;
  std::shared_ptr<Shared> shared_;
};

}  // namespace crashsim
