// Deliberate defects, for proving that the crash harness catches them.
//
// Each mutant puts back one bug from the project's original fix plan (or one
// we thought of) as a small branch at the exact site of the defect, written
//   if (mutant_active(opts.mutant, Mutant::kNoDataFsync)) { ...defect... }
// never as a separate copy of the code. When the build option `mutants` is
// off (a release build) mutant_active() is constant false and the branches
// compile away.
//
// Each time mutant_active() answers true it counts one firing of that
// mutant (mutant_fired_count): a call site evaluates it only where the
// defective branch is about to run, last in its condition, so that a
// scenario whose workload never reaches the defect can be told apart
// (crashsim reports it as mutant-not-reached) from one whose checks missed it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace engine {

enum class Mutant {
  kNone = 0,
  kNoDataFsync,               // fix-plan bug 1: data-file page writes are never synced
  kTruncateBeforeDataFsync,   // bug 2: checkpoint resets the WAL before the data file is synced
  kMetaBypassesWal,           // bug 3: root pointer and free-list head written straight to the data file
  kAdditiveChecksum,          // bug 4: WAL and page checksums are a byte sum mod 2^32
  kLeakEmptyLeaves,           // bug 5: deletes never free emptied leaves
  kStaleMetaInPut,            // bug 6: an insert keeps using metadata read before a split changed it
  kNoCommitRecord,            // recovery replays page frames without requiring the commit marker
  kNoWalSalt,                 // recovery accepts frames left from before the last WAL reset
  kRetryFailedFsync,          // a failed sync is retried and a later success is trusted
  // Creation
  kNoCreateDirSync,           // a new database's directory entries are never synced
  // Commit
  kNoCommitSync,              // a commit is acknowledged once its frames are written, before any sync
  kNonceKeptAfterFailedWrite, // a failed write of a transaction does not use up its nonce
  kFailedCommitCached,        // a commit whose write failed leaves its page images in the cache
  kGroupAckBeforeSync,        // a write of a group commit is acknowledged before the group's WAL write and sync
  // Checkpoint
  kCheckpointSkipsLastPage,   // the checkpoint copies every page of the WAL but the highest-numbered
  kCheckpointRunIgnoresGaps,  // the checkpoint writes pages after a gap in one run, at the wrong offsets
  // WAL reset
  kWalTailNotReset,           // after a reset, new frames go on after the old generation's instead of at slot 0
  kUnsyncedWalReset,          // the reset header is not synced before frames of the new generation are written
  // Recovery
  kRecoveryKeepsTornTail,     // the next commit after recovery goes after a dropped transaction's frames
  kReplayKeepsOldestImage,    // replay takes a page's first image in the log instead of its latest
  kRecoveryLogNotDurable,     // recovery checkpoints replayed frames without first making them durable
  kRecoveryRewritesLastTxnOnly,  // recovery writes back only the last transaction of the last write, not the whole group
  kGroupTxnCommitsAlone,      // recovery commits a group's earlier transaction without the group's meta frame
  // Free list
  kFreeCountNotUpdated,       // freeing pages does not count them in the meta page's free-list count
  kFreeListHeadNotPopped,     // allocating from the free list does not advance its head
  // Checksums and page addressing
  kChecksumSkipsPageNumber,   // the page checksum does not fold in the page number
  kDataReadSkipsChecksum,     // a page read from the data file is used without checking its checksum
  // Snapshots
  kCheckpointOverwritesSnapshotPages,  // a checkpoint keeps no image for a snapshot behind the last commit
};

// Stable kebab-case name ("no-data-fsync"), used by the scenario catalog.
std::string_view mutant_name(Mutant m);
// Inverse of mutant_name; nullopt for an unknown name ("none" is kNone).
std::optional<Mutant> mutant_from_name(std::string_view name);
// Every mutant except kNone, in declaration order.
std::span<const Mutant> all_mutants();

// How many times `m`'s defective branch has run in this process, on every
// thread, since it started; 0 for kNone and when mutants are compiled out.
uint64_t mutant_fired_count(Mutant m);

#ifdef ENGINE_MUTANTS
constexpr bool kMutantsCompiled = true;
// Counts one firing of `m` (a relaxed atomic increment).
void count_mutant_firing(Mutant m);
// True when `m` is the configured mutant, counting one firing.
inline bool mutant_active(Mutant configured, Mutant m) {
  if (configured != m) return false;
  count_mutant_firing(m);
  return true;
}
#else
constexpr bool kMutantsCompiled = false;
inline constexpr bool mutant_active(Mutant, Mutant) { return false; }
#endif

}  // namespace engine
