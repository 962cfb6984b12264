#include "engine/mutant.h"

#include <array>
#include <atomic>
#include <utility>

namespace engine {
namespace {

constexpr std::array<std::pair<Mutant, std::string_view>, 29> kNames{{
    {Mutant::kNone, "none"},
    {Mutant::kNoDataFsync, "no-data-fsync"},
    {Mutant::kTruncateBeforeDataFsync, "truncate-before-data-fsync"},
    {Mutant::kMetaBypassesWal, "meta-bypasses-wal"},
    {Mutant::kAdditiveChecksum, "additive-checksum"},
    {Mutant::kLeakEmptyLeaves, "leak-empty-leaves"},
    {Mutant::kStaleMetaInPut, "stale-meta-in-put"},
    {Mutant::kNoCommitRecord, "no-commit-record"},
    {Mutant::kNoWalSalt, "no-wal-salt"},
    {Mutant::kRetryFailedFsync, "retry-failed-fsync"},
    {Mutant::kNoCreateDirSync, "no-create-dir-sync"},
    {Mutant::kNoCommitSync, "no-commit-sync"},
    {Mutant::kNonceKeptAfterFailedWrite, "nonce-kept-after-failed-write"},
    {Mutant::kFailedCommitCached, "failed-commit-cached"},
    {Mutant::kGroupAckBeforeSync, "group-ack-before-sync"},
    {Mutant::kCheckpointSkipsLastPage, "checkpoint-skips-last-page"},
    {Mutant::kCheckpointRunIgnoresGaps, "checkpoint-run-ignores-gaps"},
    {Mutant::kWalTailNotReset, "wal-tail-not-reset"},
    {Mutant::kUnsyncedWalReset, "unsynced-wal-reset"},
    {Mutant::kRecoveryKeepsTornTail, "recovery-keeps-torn-tail"},
    {Mutant::kReplayKeepsOldestImage, "replay-keeps-oldest-image"},
    {Mutant::kRecoveryLogNotDurable, "recovery-log-not-durable"},
    {Mutant::kRecoveryRewritesLastTxnOnly, "recovery-rewrites-last-txn-only"},
    {Mutant::kGroupTxnCommitsAlone, "group-txn-commits-alone"},
    {Mutant::kFreeCountNotUpdated, "free-count-not-updated"},
    {Mutant::kFreeListHeadNotPopped, "free-list-head-not-popped"},
    {Mutant::kChecksumSkipsPageNumber, "checksum-skips-page-number"},
    {Mutant::kDataReadSkipsChecksum, "data-read-skips-checksum"},
    {Mutant::kCheckpointOverwritesSnapshotPages, "checkpoint-overwrites-snapshot-pages"},
}};

constexpr std::array<Mutant, kNames.size() - 1> kAll = [] {
  std::array<Mutant, kNames.size() - 1> all{};
  for (size_t i = 1; i < kNames.size(); ++i) all[i - 1] = kNames[i].first;
  return all;
}();

// kNames lists the mutants in declaration order, so a mutant's value is its position.
static_assert([] {
  for (size_t i = 0; i < kNames.size(); ++i)
    if (static_cast<size_t>(kNames[i].first) != i) return false;
  return true;
}());

// Firings by mutant value (kNone's stays 0).
std::array<std::atomic<uint64_t>, kNames.size()> fired{};

}  // namespace

std::string_view mutant_name(Mutant m) {
  for (const auto& [mutant, name] : kNames)
    if (mutant == m) return name;
  return "unknown";
}

std::optional<Mutant> mutant_from_name(std::string_view name) {
  for (const auto& [mutant, n] : kNames)
    if (n == name) return mutant;
  return std::nullopt;
}

std::span<const Mutant> all_mutants() { return kAll; }

uint64_t mutant_fired_count(Mutant m) {
  const size_t i = static_cast<size_t>(m);
  return i < fired.size() ? fired[i].load(std::memory_order_relaxed) : 0;
}

#ifdef ENGINE_MUTANTS
void count_mutant_firing(Mutant m) {
  const size_t i = static_cast<size_t>(m);
  if (i > 0 && i < fired.size()) fired[i].fetch_add(1, std::memory_order_relaxed);
}
#endif

}  // namespace engine
