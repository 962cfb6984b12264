// Workloads: what the simulator makes the system under test do.
//
// A workload is a list of steps (put, delete, get, commit, queue-commit,
// checkpoint, reopen, crash-reopen, and the snapshot steps below), either
// written out as a script or produced by a seeded generator.
// Puts and deletes accumulate into the current transaction; commit applies it
// as one batch. Steps after the last commit are never applied. Gets read
// committed data and are checked against the oracle while the workload runs.
//
// Snapshots: a snapshot step takes snapshot number i (counting from 0 over
// the run) of the last acknowledged commit; snapshot-get and snapshot-scan
// read through snapshot `Step::snapshot`, and each read must equal the state
// at the snapshot's commit, however many commits and checkpoints came after
// (invariant snapshot-isolation). A snapshot is held until its release step,
// or until a reopen or crash-reopen drops it; reading a snapshot that is not
// held is an invalid workload.
//
// The generator is deterministic across platforms (crashsim/rng.h): the same
// spec always gives the same steps, keys and values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vfs/status.h"

namespace crashsim {

// kReopen closes cleanly, then opens. kCrashReopen drops the session as a
// process crash would (nothing more reaches the files; the page cache
// survives), then opens on the same files: recovery runs in the middle of the
// run, and what was acknowledged stays promised.
// kQueueCommit ends the transaction as commit does, but holds it: the next
// kCommit writes every held transaction and its own as one group
// (SutSession::apply_group), each its own transaction in step order,
// acknowledged one by one. Held transactions that no commit follows are
// never applied.
enum class StepKind : uint8_t {
  kPut,
  kDelete,
  kGet,
  kCommit,
  kCheckpoint,
  kReopen,
  kCrashReopen,
  kQueueCommit,
  kSnapshot,
  kSnapshotGet,
  kSnapshotScan,
  kRelease,
};
std::string_view step_kind_name(StepKind kind);
std::optional<StepKind> step_kind_from_name(std::string_view name);
// snapshot-get, snapshot-scan and release: the steps that name a held snapshot.
bool names_snapshot(StepKind kind);

struct Step {
  StepKind kind = StepKind::kCommit;
  std::string key;        // put, delete, get, snapshot-get
  std::string value;      // put
  uint32_t snapshot = 0;  // snapshot-get, snapshot-scan, release: the snapshot's number
  friend bool operator==(const Step&, const Step&) = default;
};

struct GeneratorSpec {
  uint64_t seed = 1;
  uint32_t transactions = 60;
  uint32_t min_ops_per_txn = 1;  // puts, deletes and gets per transaction
  uint32_t max_ops_per_txn = 4;
  uint32_t key_space = 64;  // distinct keys
  uint32_t min_key_size = 8;
  uint32_t max_key_size = 16;
  uint32_t min_value_size = 8;
  uint32_t max_value_size = 64;
  // Relative weights of the op mix.
  uint32_t put_weight = 70;
  uint32_t delete_weight = 20;
  uint32_t get_weight = 10;
  uint32_t reopen_every = 0;      // close and reopen after every N commits (0: never)
  uint32_t crash_reopen_every = 0;  // crash-reopen after every N commits (0: never)
  uint32_t checkpoint_every = 0;  // explicit checkpoint after every N commits (0: never)
  // Commit in groups of this many transactions (queue-commit steps, then a
  // commit); 0 and 1: every transaction commits alone. The every-N steps
  // above come only after a group's commit.
  uint32_t group_commits = 0;
  // Snapshots: take one after every N commits (0: never); release each after
  // it was held for snapshot_hold more commits, with a snapshot-scan first;
  // after every commit, snapshot_reads snapshot-gets of random keys through
  // every held snapshot. A reopen or crash-reopen drops the held ones.
  // Drawn from their own stream: the other steps are those of the spec
  // without snapshots.
  uint32_t snapshot_every = 0;
  uint32_t snapshot_hold = 4;  // at least 1
  uint32_t snapshot_reads = 1;
};

// Exactly one of the two is used: the generator when set, else the script.
struct WorkloadSpec {
  std::optional<GeneratorSpec> generator;
  std::vector<Step> script;
  // Run the system's verify() after every acknowledged commit while
  // recording; the first commit after which it fails is a violation.
  bool verify_each_commit = false;
};

// kInvalidArgument naming the first step that reads or releases a snapshot
// that is not held then (never taken, released, or dropped by a reopen).
vfs::Status check_snapshot_steps(const std::vector<Step>& steps);

// The steps of a workload; kInvalidArgument naming the bad field of a generator spec.
vfs::Result<std::vector<Step>> expand_workload(const WorkloadSpec& spec);

// Key number `index` of a generator's key space: "k" + fixed-width index,
// padded with letters to a length drawn from [min_key_size, max_key_size].
std::string generated_key(const GeneratorSpec& spec, uint32_t index);

}  // namespace crashsim
