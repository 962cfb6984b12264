// Deliberate defects, for proving that the crash harness catches them.
//
// Each mutant puts back one bug from the project's original fix plan (or one
// we thought of) as a small branch at the exact site of the defect, written
//   if (mutant_active(opts.mutant, Mutant::kNoDataFsync)) { ...defect... }
// never as a separate copy of the code. When the build option `mutants` is
// off (a release build) mutant_active() is constant false and the branches
// compile away.
#pragma once

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
};

// Stable kebab-case name ("no-data-fsync"), used by the scenario catalog.
std::string_view mutant_name(Mutant m);
// Inverse of mutant_name; nullopt for an unknown name ("none" is kNone).
std::optional<Mutant> mutant_from_name(std::string_view name);
// Every mutant except kNone, in declaration order.
std::span<const Mutant> all_mutants();

#ifdef ENGINE_MUTANTS
constexpr bool kMutantsCompiled = true;
inline bool mutant_active(Mutant configured, Mutant m) { return configured == m; }
#else
constexpr bool kMutantsCompiled = false;
inline constexpr bool mutant_active(Mutant, Mutant) { return false; }
#endif

}  // namespace engine
