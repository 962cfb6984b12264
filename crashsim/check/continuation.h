// The continuation: what a recovered store does after recovery, so that a
// crash after it has taken new writes can be checked too.
//
// Once recovery has run on a crash state and the store shows a state V
// (already judged against the parent's oracle), the checker goes on with
// `commits` new commits, a checkpoint after the first half of them when
// asked, and a clean close. With the trace of all that recorded, a crash at
// any of its points is a crash state too ("nested", docs/crash-models.md):
//   * before the open returned, it is a crash inside recovery, judged by what
//     the parent state allowed;
//   * after it, by the continuation's own oracle: the transactions that make
//     V, then one per new commit. When V is S_k of the parent's oracle (the
//     usual case) those are the parent's transactions 0..k-1, so a lost one
//     is named as in any durability finding; otherwise (V shows a failed
//     attempt applied, or the parent state already broke an invariant) a
//     single transaction that writes V. What was acknowledged (V, and the
//     new commits acknowledged before the crash) is all there, in order, and
//     the commit in flight is all or nothing.
// The new commits touch the tree where V has keys (an overwrite and, from the
// second commit on, a delete of one of V's keys) and append keys after every
// workload key, so they land next to whatever debris recovery left behind.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "crashsim/model/timeline.h"
#include "crashsim/record/oracle.h"
#include "crashsim/record/trace.h"
#include "crashsim/system_under_test.h"

namespace crashsim {

struct ContinuationOptions {
  uint32_t commits = 3;     // >= 1: the first is the probe of writable-after-recovery
  bool checkpoint = false;  // a checkpoint after commit ceil(commits / 2)
  friend bool operator==(const ContinuationOptions&, const ContinuationOptions&) = default;
};

// The batches of new commits 1..`commits` after recovery showed `recovered`
// (element i - 1 is commit i). A function of its arguments only, so a state
// id rebuilds the same run.
std::vector<Batch> continuation_batches(const KvState& recovered, uint32_t commits);

// A continuation's oracle: `base` transactions make the recovered state,
// transaction base + i - 1 is new commit i.
struct ContinuationOracle {
  std::shared_ptr<const Oracle> oracle;
  uint64_t id = 0;  // never 0 (the workload's oracle); equal ids, equal oracles
  uint64_t base = 0;
};

// Builds each continuation oracle once: recovered states that are the same
// prefix of the same parent oracle share it. Thread-safe.
class ContinuationOracles {
 public:
  explicit ContinuationOracles(uint32_t commits) : commits_(commits) {}
  // `recovered` was judged by `parent` (named `parent_id`: 0 for the
  // workload's oracle); `prefix` is k when it is the parent's S_k.
  ContinuationOracle get(const Oracle& parent, uint64_t parent_id, const KvState& recovered,
                         std::optional<uint64_t> prefix);

 private:
  const uint32_t commits_;
  std::mutex mu_;
  std::map<std::pair<uint64_t, uint64_t>, ContinuationOracle> by_prefix_;
};

// What a crash at point `q` of a recorded recovery-and-continuation trace
// must show, when the open returned at trace entry `open_done` (its marker)
// and q > open_done: the `base` transactions of the recovered state and the
// new commits acknowledged before q, and those in flight.
Expectation continuation_expectation(const Trace& trace, uint64_t open_done, uint64_t q, uint64_t base);

// The first key every continuation key sorts after: no workload may use it
// or a key after it (it is the writable-after-recovery probe key).
inline constexpr char kProbeKey[] = "\xff\xff" "crashsim-probe";

}  // namespace crashsim
