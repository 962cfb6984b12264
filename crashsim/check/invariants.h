// The invariants every crash state is checked against, and how the generic
// ones are judged from the visible key-value state.
//
// Stable names (used in verdicts, reports and the scenario catalog):
//   recovery                 opening succeeds on every crash state of the non-corrupt models
//   durability               every transaction acknowledged before the crash is fully visible
//   atomicity                no transaction is partly visible (nor a value none committed)
//   ordering                 the visible transactions form a prefix of the commit order
//   structure                the system's verify() finds its structure intact (engine: B+tree invariants)
//   leak                     every page is reachable or free, none both (engine-specific, from verify())
//   idempotent-recovery      a crash during recovery, then a reopen, still satisfies all of the above
//   silent-corruption        (corrupt model) a read returned wrong data without an error
//   silent-loss              (corrupt model) the store shows less than it acknowledged without an
//                            error (beyond the one exception for the last commit's own bytes)
//   writable-after-recovery  after recovery the store accepts a new write and reopens with it
//   workload-read            a get during the workload returned something other than the committed value
//   snapshot-isolation       a read through a snapshot during the workload did not show the state of
//                            the snapshot's commit (or failed, or expired within the system's bound)
//   workload                 a workload step failed on a run without injected faults (the disk was fine)
//   error-discipline         (injected faults) after a failed sync, no commit or checkpoint reports
//                            success until the store is reopened
//   mutant-not-reached       the defect planted in the system never ran (SystemUnderTest::
//                            defect_fired_count): whatever else was found proves nothing about it
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crashsim/check/visible_state.h"
#include "crashsim/model/timeline.h"
#include "crashsim/record/oracle.h"

namespace crashsim {

namespace invariant {
inline constexpr std::string_view kRecovery = "recovery";
inline constexpr std::string_view kDurability = "durability";
inline constexpr std::string_view kAtomicity = "atomicity";
inline constexpr std::string_view kOrdering = "ordering";
inline constexpr std::string_view kStructure = "structure";
inline constexpr std::string_view kLeak = "leak";
inline constexpr std::string_view kIdempotentRecovery = "idempotent-recovery";
inline constexpr std::string_view kSilentCorruption = "silent-corruption";
inline constexpr std::string_view kSilentLoss = "silent-loss";
inline constexpr std::string_view kWritableAfterRecovery = "writable-after-recovery";
inline constexpr std::string_view kWorkloadRead = "workload-read";
inline constexpr std::string_view kWorkload = "workload";
inline constexpr std::string_view kSnapshotIsolation = "snapshot-isolation";
inline constexpr std::string_view kErrorDiscipline = "error-discipline";
inline constexpr std::string_view kMutantNotReached = "mutant-not-reached";
}  // namespace invariant

// One failed invariant in one state, before it is placed in a report.
struct Finding {
  std::string invariant;
  std::string expected;
  std::string observed;
  std::string message;
  // The keys whose values show it, in the order the message names them; the
  // one `expected` and `observed` describe comes last. Empty when no key does
  // (an open that failed, a structural finding).
  std::vector<std::string> keys;
};

// Judges the visible state at a crash point whose markers say `expect`.
// Allowed: S_i for acked <= i <= acked + in_flight (an in-flight commit may
// or may not be visible, but atomically, and those of a group in order), and S_acked with one of the
// expect.failed failed attempts at the next transaction applied (a commit
// that returned an error may still have reached the disk, whole). Otherwise
// the findings say which invariants fail, with one example key each:
//   * S_i with i < acked                      -> durability (a lost suffix)
//   * a key holds a value no transaction committed -> atomicity
//   * some key shows transaction j applied while another shows transaction
//     u <= j not applied: j == u -> atomicity, j > u -> ordering; and
//     durability too when u was acknowledged.
//
// `visible` compares with the oracle's states by its difference from a basis
// when it has one (visible_state.h); the verdict is the same without.
std::vector<Finding> judge_visible_state(const Oracle& oracle, Expectation expect, const VisibleState& visible);
std::vector<Finding> judge_visible_state(const Oracle& oracle, Expectation expect, const KvState& visible);

// What a state read back without any error shows under a media fault.
struct MediaJudgement {
  std::vector<Finding> findings;  // empty when allowed
  bool tail_dropped = false;      // allowed only through the last-commit exception
};

// Judges a state read back without any error from a crash state with one
// media fault (the corrupt model). Allowed is exactly what the same crash
// point without the fault allows (judge_visible_state), and, when the fault
// lies in bytes the last acknowledged commit that wrote anything wrote
// (crashsim/check/fault_footprint.h), S_droppable .. S_acked-1: the commits from
// `droppable` on dropped, as a torn write would leave them (tail_dropped). Anything else:
//   * some key holds a value it never held in S_0..S_acked, other than the
//     in-flight transaction applied whole          -> silent-corruption
//   * else (every key shows a value it held in some earlier prefix: the
//     state lacks acknowledged data)                  -> silent-loss
MediaJudgement judge_under_media_fault(const Oracle& oracle, Expectation expect, const KvState& visible,
                                       std::optional<size_t> droppable);

// `key "k01" = "t3.0:abc"` or `key "k01" absent`, with unprintable bytes as \xNN
// and long values shortened.
std::string describe_entry(const std::string& key, const std::optional<std::string>& value);

}  // namespace crashsim
