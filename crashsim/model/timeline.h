// Timeline: what the disk holds, and what is still volatile, at any point of a trace.
//
// Walking a trace once, the walker keeps for every inode its live contents
// (every op so far applied: what the page cache holds), its durable contents
// (as of its last sync) and the writes and truncates issued since then; and
// for the namespace, the live entries and the durable ones (as of the last
// sync_dir of each directory). A Frontier is a snapshot of that at one crash
// point: a handful of shared file contents and small maps, from which every
// persistence model builds its crash states without rerunning anything.
//
// File contents are FileContents values, copy-on-write page by page: a
// snapshot shares the walker's contents, and the next write to a file copies
// only the chunks it touches (and the nodes above them), so a Frontier never
// changes and costs O(chunks written since the previous one).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "crashsim/record/disk_image.h"
#include "crashsim/record/trace.h"
#include "vfs/status.h"

namespace crashsim {

// What a failed sync (a `sync-failed` trace entry) does to the writes that
// were pending on its file. (Rebello et al., "Can Applications Recover from
// fsync Failures?", USENIX ATC 2020, measured both behaviours.)
enum class AfterFailedSync : uint8_t {
  // ext4 (data=ordered) and most Linux file systems: the pages are marked
  // clean. Reads may still show them until they are evicted, but they never
  // reach the disk, and a later sync that succeeds does not write them: the
  // writes are dropped from every later crash state. Modelled at the worst
  // case, where none of them had reached the disk before the error.
  kDrop,
  // File systems that keep the pages dirty and retry: the writes stay pending
  // as if the sync had not been called, and a later sync makes them durable.
  kKeep,
};
std::string_view after_failed_sync_name(AfterFailedSync profile);  // "drop", "keep"
std::optional<AfterFailedSync> after_failed_sync_from_name(std::string_view name);

// How the simulated file system treats directory entries and failed syncs.
struct FsRules {
  // false (the default, ext4 without auto_da_alloc): creations, renames and
  // removals are durable only after a sync_dir of their directory.
  // true: a creation (file or directory) is durable at once; renames and
  // removals still need the sync_dir.
  bool creations_durable = false;
  AfterFailedSync after_failed_sync = AfterFailedSync::kDrop;
};

// What the oracle may expect at a crash point, from the trace's markers.
struct Expectation {
  uint64_t acked = 0;      // transactions 0..acked-1 were acknowledged
  // Transactions acked .. acked+in_flight-1 were called and not yet
  // acknowledged: one commit, or the transactions of a group commit.
  uint64_t in_flight = 0;
  // Attempts at transaction `acked` that failed (commit-failed) so far: each
  // was never acknowledged, but may have reached the disk.
  uint64_t failed = 0;
  friend bool operator==(const Expectation&, const Expectation&) = default;
};

struct InodeView {
  FileContents live;     // after every op before the point
  FileContents durable;  // as of the inode's last sync (empty before any)
  // Trace indices of the writes and truncates issued since that sync, in
  // order; a truncate to the size the file already had is left out (it
  // changes nothing, so nothing of it can be lost).
  std::vector<uint64_t> pending;
  // A failed sync dropped writes (AfterFailedSync::kDrop): a sync makes
  // durable `durable` plus the pending ops, not `live`.
  bool dropped = false;
};

// A create, mkdir, rename or remove not yet durable: its trace index, and the
// directories a sync_dir of which makes it durable (for a rename, either of
// its two: ext4 and XFS commit a rename as one journal transaction).
struct PendingNamespaceOp {
  uint64_t index = 0;
  std::set<std::string> dirs;
  InodeId inode = 0;  // a rename: the file it moved
};

// A directory tree as a crash state holds it: names and directories.
struct Namespace {
  std::map<std::string, InodeId> names;
  std::set<std::string> dirs;  // other than the roots
};

struct Frontier {
  uint64_t point = 0;
  Expectation expect;
  FsRules rules;  // the rules the walk that took this snapshot followed
  std::map<std::string, InodeId> live_names;
  std::map<std::string, InodeId> durable_names;
  std::set<std::string> live_dirs;     // directories other than the roots
  std::set<std::string> durable_dirs;  // those whose entry in their parent is durable
  // The create, mkdir, rename and remove entries no sync_dir has covered yet
  // (of their directory; of both, for a rename), in trace order.
  std::vector<PendingNamespaceOp> pending_namespace;
  // Every inode some live or durable name, or a pending create, refers to.
  std::map<InodeId, InodeView> inodes;

  // Every file and directory as the page cache holds it (process crash).
  DiskImage live_image() const;
  // The durable entries that are reachable (every ancestor directory durable)
  // and the durable contents of their inodes (power loss).
  std::map<std::string, InodeId> reachable_durable_names() const;
  std::set<std::string> reachable_durable_dirs() const;
  DiskImage durable_image() const;
  // The pending writes and truncates of every inode that a reachable durable
  // name refers to, in trace order.
  std::vector<uint64_t> durable_pending() const;
  // What reorder and torn choose from, in trace order: the pending namespace
  // entries, and the pending writes and truncates of every inode a durable
  // name or a pending create refers to (durable_pending() when no namespace
  // entry is pending). A write to a file that a choice leaves without a
  // reachable name changes nothing in that state.
  std::vector<uint64_t> reorderable() const;
  // The durable namespace with the pending namespace entries for which
  // `persisted(index)` holds applied on top, in trace order (a rename or a
  // remove of a name that is not there does nothing), reduced to what is
  // reachable: every ancestor directory present.
  Namespace namespace_with(const Trace& trace, const std::function<bool(uint64_t index)>& persisted) const;
};

class TimelineWalker {
 public:
  TimelineWalker(const Trace& trace, FsRules rules);
  // Resumes at `start`, a frontier at start.point of a trace whose entries
  // before that point are those of `trace` (continue_trace() builds one), so
  // the entries before it are not walked again.
  TimelineWalker(const Trace& trace, FsRules rules, const Frontier& start);

  // Applies trace entries up to (not including) `point`; points only increase.
  void advance_to(uint64_t point);
  uint64_t position() const { return position_; }
  Frontier frontier() const;

 private:
  struct InodeState {
    FileContents live;
    FileContents durable;
    std::vector<uint64_t> pending;
    // A failed sync dropped writes (AfterFailedSync::kDrop): `live` holds
    // bytes the disk never will, so a sync makes durable the durable
    // contents plus the pending ops, not `live`.
    bool dropped = false;
  };
  void apply(uint64_t index);
  void sync(InodeState& inode);
  void sync_dir(const std::string& dir);

  const Trace& trace_;
  FsRules rules_;
  uint64_t position_ = 0;
  Expectation expect_;
  std::map<InodeId, InodeState> inodes_;
  std::map<std::string, InodeId> live_names_;
  std::map<std::string, InodeId> durable_names_;
  std::set<std::string> live_dirs_;
  std::set<std::string> durable_dirs_;
  std::vector<PendingNamespaceOp> pending_namespace_;
};

// What the disk goes through when a process crash at `at` (a frontier of
// `before`) is followed by `after`, recorded from at.live_image(): the
// entries of `before` up to the crash point (the page cache survived them),
// then those of `after` with its inodes renumbered (the files of its initial
// image become the inodes their paths have at `at`, its creations new ones).
// A power loss anywhere in `after` then drops what neither run had synced.
vfs::Result<Trace> continue_trace(const Trace& before, const Frontier& at, const Trace& after);

// Frontiers at each of `points` (ascending), from one walk.
std::vector<Frontier> frontiers_at(const Trace& trace, FsRules rules, const std::vector<uint64_t>& points);

// For every trace entry, the index of the barrier that made it durable: the
// next sync of its inode for a write or truncate (none when a failed sync
// dropped it first, under AfterFailedSync::kDrop), the next sync_dir of its
// directory (both directories for a rename) for a namespace change, its own
// index for a creation under creations_durable. UINT64_MAX when none
// followed, and for markers and barriers themselves.
std::vector<uint64_t> durable_at(const Trace& trace, FsRules rules);

inline constexpr uint64_t kNever = UINT64_MAX;

}  // namespace crashsim
