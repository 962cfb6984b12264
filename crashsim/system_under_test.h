// The system under test, as the simulator sees it.
//
// The simulator drives a key-value store only through this adapter: open it
// on a Vfs (running its recovery), apply a batch atomically, get, scan all,
// checkpoint, verify, close, and optionally take a snapshot. Nothing else. Our engine is one adapter
// (engine_adapter.h); SQLite through a sqlite3_vfs shim can be another.
//
// The generic invariants (durability, atomicity, ordering, recovery) are
// judged by the simulator from what the adapter returns. Checks that only
// make sense for one system (the B+tree's structure, page leaks) live behind
// verify(), which reports them as findings named by stable invariant names.
//
// Requirements on an implementation:
//   * open() may be called from several threads at once, each with its own
//     Vfs; sessions are used by one thread at a time.
//   * Deterministic: the same files and the same calls give the same Vfs
//     calls, so that a crash state inside recovery can be rebuilt from its id.
//   * All I/O goes through the given Vfs.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crashsim/record/disk_image.h"
#include "vfs/status.h"
#include "vfs/vfs.h"

namespace crashsim {

struct KvOp {
  enum class Kind : uint8_t { kPut, kDelete };
  Kind kind = Kind::kPut;
  std::string key;
  std::string value;  // empty for kDelete
};
using Batch = std::vector<KvOp>;

// A whole key-value state: every key and its value.
using KvState = std::map<std::string, std::string>;

// An engine-specific invariant violation found by verify().
struct SutFinding {
  std::string invariant;  // a stable name: "structure", "leak", ...
  std::string message;    // names the page or record at fault and what was expected
};

// A named part of one file of a crash state, as the system under test lays
// it out. The corrupt model aims its faults at regions, so that a 40-byte
// header in a megabyte of log gets its share (docs/crash-models.md).
struct FileRegion {
  std::string path;  // file of the crash state ("db-wal")
  uint64_t offset = 0;
  uint64_t length = 0;
  // A stable kebab-case name for what the bytes are, the same for every
  // region of that sort: "wal-header", "wal-frame-trailer", "wal-commit-frame",
  // "wal-page-leaf", "data-meta", "data-free", "data-leaf", ...
  std::string kind;
};

// A read view of one commit, from SutSession::snapshot(). Every read through
// it must show the store as it was when it was taken, whatever commits and
// checkpoints come after; the workload runner checks that against the
// oracle (invariant snapshot-isolation). Destroyed before its session closes.
class SutSnapshot {
 public:
  virtual ~SutSnapshot() = default;
  // The value at the snapshot's commit; kNotFound when absent, kExpired when
  // the system gave the snapshot up (SutSession::snapshot_memory_limit).
  virtual vfs::Status get(const std::string& key, std::string* value) = 0;
  virtual vfs::Result<KvState> scan_all() = 0;
};

class SutSession {
 public:
  virtual ~SutSession() = default;
  // Applies the batch atomically and durably; OK means acknowledged.
  virtual vfs::Status apply(const Batch& batch) = 0;
  // Applies `batches` in order, each atomically as its own transaction, and
  // calls on_done(i, status) for batch i as soon as its verdict is known, in
  // order (OK means acknowledged). A system with group commit writes them as
  // one group, sharing a sync; the default applies them one by one, which
  // is what a system without it does with writers that queue.
  virtual void apply_group(const std::vector<Batch>& batches,
                           const std::function<void(size_t, const vfs::Status&)>& on_done) {
    for (size_t i = 0; i < batches.size(); ++i) on_done(i, apply(batches[i]));
  }
  // The committed value; kNotFound when absent.
  virtual vfs::Status get(const std::string& key, std::string* value) = 0;
  virtual vfs::Result<KvState> scan_all() = 0;
  // kNotSupported when the system has no explicit checkpoint.
  virtual vfs::Status checkpoint() = 0;
  // Optional: a snapshot of the last acknowledged commit. kNotSupported (the
  // default) when the system has none: a workload with snapshot steps is then
  // an error naming the system.
  virtual vfs::Result<std::unique_ptr<SutSnapshot>> snapshot() {
    return vfs::Status::not_supported("the system has no snapshots");
  }
  // The memory the system lets held snapshots pin before it expires them
  // (reads through an expired one fail with kExpired); nullopt (the
  // default): snapshots never expire.
  virtual std::optional<uint64_t> snapshot_memory_limit() const { return std::nullopt; }
  // Engine-specific invariants; an empty list when all hold.
  virtual vfs::Result<std::vector<SutFinding>> verify() = 0;
  // Names of the recovery paths the open that made this session took (e.g.
  // "torn-tail-discarded"); they are reported as coverage.
  virtual std::vector<std::string> recovery_paths() = 0;
  virtual vfs::Status close() = 0;
};

class SystemUnderTest {
 public:
  virtual ~SystemUnderTest() = default;
  // Short name for reports ("engine", "engine[no-data-fsync]").
  virtual std::string name() const = 0;
  // Opens the store on `vfs`, creating it when absent and running recovery.
  // The Vfs outlives the session.
  virtual vfs::Result<std::unique_ptr<SutSession>> open(vfs::Vfs& vfs) = 0;
  // Optional: the regions of the files in `image` (read-only; never opens
  // the store), non-overlapping, each inside its file. Empty (the default)
  // means "describes nothing": the corrupt model then falls back to uniform
  // offsets. Called from several threads at once.
  virtual std::vector<FileRegion> describe_regions([[maybe_unused]] const DiskImage& image) const { return {}; }
  // Optional: how many times the defect planted in this system (a mutant)
  // has run so far, counted process-wide over every thread and every system
  // planted with the same defect; nullopt (the default) when none is planted
  // or the system cannot tell. The simulator reads it before and after a
  // run, and a planted defect that never ran is mutant-not-reached.
  virtual std::optional<uint64_t> defect_fired_count() const { return std::nullopt; }
};

}  // namespace crashsim
