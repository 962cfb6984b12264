// The trace: everything a run did to its files, in order.
//
// RecordingVfs appends every mutating Vfs call (reads are not recorded) and
// the workload driver appends markers (transaction begin, commit called,
// commit acknowledged, ...) to the same sequence. A trace starts from an
// initial disk image, empty for a workload and a crash state for the trace of
// a recovery, so that every crash state can be rebuilt from the trace alone.
//
// Files are identified by inode, not path: a handle keeps writing to its file
// after rename() or remove(), and a file's contents (made durable by sync())
// and its directory entry (made durable by sync_dir()) are separate things,
// exactly as in POSIX. The files of the initial image get inodes 1..n in path
// order; every create gets the next number.
//
// Crash points: crash point p means "the power went out just before trace
// entry p was issued" (p == ops.size(): after the last one). Between two
// mutating calls the disk cannot change, so the simulator only uses canonical
// points: p == ops.size(), or ops[p] is a mutating call. Markers before p
// count as done; that is the strictest reading (an acknowledgement just
// before the next write counts), and the one the oracle uses.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crashsim/record/disk_image.h"

namespace crashsim {

using InodeId = uint32_t;

enum class OpKind : uint8_t {
  // Mutating file-system calls, recorded by RecordingVfs.
  kCreate,    // path, inode: a new empty file and its directory entry
  kMkdir,     // path: a new directory
  kWrite,     // inode, offset, data (path: the name it was opened under)
  kTruncate,  // inode, offset = the new size
  kSync,      // inode: contents and size durable
  kSyncDir,   // path = the directory: its entries durable
  kRename,    // path -> path2, replacing path2
  kRemove,    // path: the directory entry (the inode lives while open)
  kSyncFailed,  // inode: a sync that reported an error (an injected fault,
                // crashsim/record/faults.h); what it did to the pending writes is
                // FsRules::after_failed_sync
  // Markers appended by the workload driver; number = transaction number
  // (commit order, from 0) for the transaction markers.
  kTxnBegin,
  kCommitCalled,
  kCommitAcked,
  kCommitFailed,     // the commit returned an error: not acknowledged
  kCommitRecovered,  // at a reopen, the store showed failed attempt `offset`
                     // of transaction `number` applied: it counts from here
  kCheckpointCalled,
  kCheckpointDone,
  kOpenCalled,
  kOpenDone,
  kCloseCalled,
  kCloseDone,
};

// Stable kebab-case name ("write", "commit-acked"), used in the trace file and reports.
std::string_view op_kind_name(OpKind kind);
bool op_kind_from_name(std::string_view name, OpKind* kind);
// True for the file-system calls, false for markers.
bool is_mutating(OpKind kind);
bool is_marker(OpKind kind);

struct Op {
  OpKind kind = OpKind::kTxnBegin;
  InodeId inode = 0;   // kCreate, kWrite, kTruncate, kSync, kSyncFailed
  uint64_t offset = 0;  // kWrite: where; kTruncate: the new size; kCommitRecovered: the attempt
  uint64_t number = 0;  // markers: the transaction number
  std::string path;     // see OpKind
  std::string path2;    // kRename: the target
  SharedBytes data;     // kWrite: the bytes written (never null for a write)

  uint64_t length() const { return data ? data->size() : 0; }
};

// One line for humans: "write db-wal @8192 +4096", "commit-acked txn 17".
std::string describe_op(const Op& op);

struct Trace {
  DiskImage initial;  // durable at the start
  std::vector<Op> ops;

  bool is_canonical_point(uint64_t p) const { return p == ops.size() || (p < ops.size() && is_mutating(ops[p].kind)); }
  // Every canonical crash point, ascending.
  std::vector<uint64_t> canonical_points() const;
  // The number of files in `initial`, i.e. the last inode it uses.
  InodeId initial_inodes() const { return static_cast<InodeId>(initial.files.size()); }
};

}  // namespace crashsim
