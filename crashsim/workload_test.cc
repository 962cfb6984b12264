#include "crashsim/workload.h"

#include <gtest/gtest.h>

#include <set>

#include "crashsim/oracle.h"

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
