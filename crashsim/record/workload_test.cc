#include "crashsim/record/workload.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "crashsim/record/oracle.h"

namespace crashsim {
namespace {

TEST(WorkloadTest, TheGeneratorIsDeterministicAndFollowsItsSpec) {
  const GeneratorSpec spec{.seed = 42, .transactions = 30, .min_ops_per_txn = 2, .max_ops_per_txn = 3,
                           .key_space = 10, .min_key_size = 12, .max_key_size = 12, .min_value_size = 20,
                           .max_value_size = 30, .reopen_every = 10, .crash_reopen_every = 15,
                           .checkpoint_every = 7};
  const auto a = expand_workload({spec, {}});
  const auto b = expand_workload({spec, {}});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, *b);
  size_t commits = 0, reopens = 0, crash_reopens = 0, checkpoints = 0, ops = 0;
  std::set<std::string> keys;
  for (const Step& s : *a) {
    switch (s.kind) {
      case StepKind::kCommit: ++commits; break;
      case StepKind::kReopen: ++reopens; break;
      case StepKind::kCrashReopen: ++crash_reopens; break;
      case StepKind::kCheckpoint: ++checkpoints; break;
      case StepKind::kQueueCommit: ADD_FAILURE() << "a queue-commit without group_commits"; break;
      case StepKind::kPut:
        EXPECT_GE(s.value.size(), 20u);
        EXPECT_LE(s.value.size(), 30u);
        [[fallthrough]];
      case StepKind::kDelete:
      case StepKind::kGet:
        ++ops;
        EXPECT_EQ(s.key.size(), 12u);
        keys.insert(s.key);
        break;
      case StepKind::kSnapshot:
      case StepKind::kSnapshotGet:
      case StepKind::kSnapshotScan:
      case StepKind::kRelease:
        ADD_FAILURE() << "a snapshot step without snapshot_every";
        break;
    }
  }
  EXPECT_EQ(commits, 30u);
  EXPECT_EQ(reopens, 3u);
  EXPECT_EQ(crash_reopens, 2u);
  EXPECT_EQ(checkpoints, 4u);
  EXPECT_GE(ops, 60u);
  EXPECT_LE(ops, 90u);
  EXPECT_LE(keys.size(), 10u);
  GeneratorSpec other = spec;
  other.seed = 43;
  EXPECT_NE(*expand_workload({other, {}}), *a);
}

TEST(WorkloadTest, GroupCommitsHoldAllButTheLastTransactionOfEachGroup) {
  const GeneratorSpec spec{.seed = 3, .transactions = 10, .reopen_every = 4, .group_commits = 4};
  const auto steps = expand_workload({spec, {}});
  ASSERT_TRUE(steps.ok());
  std::string shape;
  for (const Step& s : *steps) {
    if (s.kind == StepKind::kQueueCommit) shape += "q";
    if (s.kind == StepKind::kCommit) shape += "c";
    if (s.kind == StepKind::kReopen) shape += "r";
  }
  // Groups of four, the last one short; the reopen every 4 commits comes
  // after a group's commit only.
  EXPECT_EQ(shape, "qqqcrqqqcrqc");
  EXPECT_EQ(Oracle::commit_batches(*steps).size(), 10u) << "every held transaction is committed by its group";
}

// Snapshots come from their own stream: without the snapshot steps the
// workload is the one of the spec without snapshots. Each is read after every
// commit while held, scanned and released after snapshot_hold commits, or
// dropped (no release) by a reopen.
TEST(WorkloadTest, GeneratedSnapshotsAreHeldAcrossCommitsAndCheckpoints) {
  GeneratorSpec spec{.seed = 5, .transactions = 24, .key_space = 16, .reopen_every = 20, .checkpoint_every = 3,
                     .snapshot_every = 2, .snapshot_hold = 5, .snapshot_reads = 2};
  const auto a = expand_workload({spec, {}});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, *expand_workload({spec, {}}));
  EXPECT_TRUE(check_snapshot_steps(*a).ok()) << check_snapshot_steps(*a).to_string();
  std::vector<Step> without;
  std::map<uint32_t, size_t> gets, scans, releases;
  uint32_t taken = 0;
  size_t checkpoints_while_held = 0;
  std::set<uint32_t> held;
  for (const Step& s : *a) {
    switch (s.kind) {
      case StepKind::kSnapshot: held.insert(taken++); break;
      case StepKind::kSnapshotGet: ++gets[s.snapshot]; break;
      case StepKind::kSnapshotScan: ++scans[s.snapshot]; break;
      case StepKind::kRelease: ++releases[s.snapshot]; held.erase(s.snapshot); break;
      case StepKind::kReopen: held.clear(); [[fallthrough]];
      default: without.push_back(s);
    }
    if (s.kind == StepKind::kCheckpoint) checkpoints_while_held += !held.empty();
  }
  spec.snapshot_every = 0;
  EXPECT_EQ(without, *expand_workload({spec, {}}));
  EXPECT_EQ(taken, 12u);  // after commits 2, 4, ..., 24
  EXPECT_GE(checkpoints_while_held, 5u);
  // Snapshot 0 (after commit 2) is read after commits 3..7, then released.
  EXPECT_EQ(gets[0], 10u);
  EXPECT_EQ(scans[0], 1u);
  EXPECT_EQ(releases[0], 1u);
  // Snapshot 8 (after commit 18) is dropped by the reopen after commit 20.
  EXPECT_EQ(gets[8], 4u);
  EXPECT_EQ(releases.count(8), 0u);
  spec.snapshot_every = 2;
  spec.snapshot_hold = 0;
  EXPECT_FALSE(expand_workload({spec, {}}).ok());
}

TEST(WorkloadTest, SnapshotStepsMustNameAHeldSnapshot) {
  const Step take{StepKind::kSnapshot, {}, {}, 0};
  const Step read0{StepKind::kSnapshotGet, "a", {}, 0};
  const Step release0{StepKind::kRelease, {}, {}, 0};
  const Step reopen{StepKind::kReopen, {}, {}};
  EXPECT_TRUE(check_snapshot_steps({take, read0, release0}).ok());
  const vfs::Status early = check_snapshot_steps({read0});
  EXPECT_EQ(early.code(), vfs::StatusCode::kInvalidArgument);
  EXPECT_NE(early.message().find("step 0 (snapshot-get) names snapshot 0, which is not held there (not taken yet"),
            std::string::npos)
      << early.to_string();
  const vfs::Status late = check_snapshot_steps({take, release0, read0});
  EXPECT_NE(late.message().find("step 2 (snapshot-get)"), std::string::npos) << late.to_string();
  EXPECT_NE(late.message().find("released, or dropped by a reopen"), std::string::npos);
  EXPECT_FALSE(check_snapshot_steps({take, reopen, read0}).ok());
  EXPECT_EQ(step_kind_from_name("snapshot-scan"), StepKind::kSnapshotScan);
  EXPECT_EQ(step_kind_name(StepKind::kRelease), "release");
}

TEST(WorkloadTest, KeysAreDistinctPerIndexAndStable) {
  const GeneratorSpec spec{.key_space = 1000, .min_key_size = 4, .max_key_size = 20};
  std::set<std::string> keys;
  for (uint32_t i = 0; i < 1000; ++i) keys.insert(generated_key(spec, i));
  EXPECT_EQ(keys.size(), 1000u);
  EXPECT_EQ(generated_key(spec, 7).substr(0, 4), "k007");
}

TEST(WorkloadTest, AScriptIsUsedAsWritten) {
  const std::vector<Step> script{{StepKind::kPut, "a", "1"}, {StepKind::kCommit, {}, {}}};
  EXPECT_EQ(*expand_workload({std::nullopt, script}), script);
}

TEST(WorkloadTest, BadSpecsAreRefused) {
  EXPECT_FALSE(expand_workload({GeneratorSpec{.min_ops_per_txn = 5, .max_ops_per_txn = 2}, {}}).ok());
  EXPECT_FALSE(expand_workload({GeneratorSpec{.key_space = 0}, {}}).ok());
  EXPECT_FALSE(expand_workload({GeneratorSpec{.put_weight = 0, .delete_weight = 0, .get_weight = 0}, {}}).ok());
  EXPECT_EQ(step_kind_from_name("del"), StepKind::kDelete);
  EXPECT_EQ(step_kind_name(StepKind::kReopen), "reopen");
  EXPECT_EQ(step_kind_from_name("crash-reopen"), StepKind::kCrashReopen);
}

}  // namespace
}  // namespace crashsim
