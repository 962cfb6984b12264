// Recording a workload: a step that fails is evidence, verify() after every
// commit names the first bad one, a crash-reopen drops the session as a
// process crash would. Against the LogSystem test double.
#include "crashsim/record/workload_runner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "crashsim/check/invariants.h"
#include "crashsim/simulator.h"
#include "crashsim/test_log_system.h"
#include "crashsim/test_util.h"

namespace crashsim {
namespace {

using ::testing::HasSubstr;
using testing::LogOptions;
using testing::LogSystem;

Step put(std::string k, std::string v) { return {StepKind::kPut, std::move(k), std::move(v)}; }
Step commit() { return {StepKind::kCommit, {}, {}}; }
Step get(std::string k) { return {StepKind::kGet, std::move(k), {}}; }
Step crash_reopen() { return {StepKind::kCrashReopen, {}, {}}; }
Step queue_commit() { return {StepKind::kQueueCommit, {}, {}}; }

size_t count_ops(const Trace& trace, OpKind kind) {
  return static_cast<size_t>(std::count_if(trace.ops.begin(), trace.ops.end(), [kind](const Op& op) { return op.kind == kind; }));
}

Scenario script_scenario(std::vector<Step> steps) {
  Scenario s;
  s.name = "runner";
  s.workload.script = std::move(steps);
  s.options.models = {ModelConfig{.kind = ModelKind::kProcessCrash}, ModelConfig{.kind = ModelKind::kLoseUnsynced}};
  s.options.jobs = 1;
  return s;
}

// The store refuses the third commit with a corruption error although the
// disk is fine: the recording is kept up to there, the failure is a
// `workload` violation at a state a replay can rebuild, and the crash states
// before it are checked.
TEST(WorkloadRunnerTest, AStepThatFailsWithoutInjectedFaultsIsEvidenceNotAnError) {
  LogSystem sut(LogOptions{.refuse_key = "poison"});
  const Simulator sim(sut);
  const Scenario scenario = script_scenario({put("a", "1"), commit(), put("b", "2"), commit(), put("poison", "x"),
                                             commit(), put("c", "3"), commit()});
  auto recording = sim.record(scenario);
  ASSERT_TRUE(recording.ok()) << recording.status().to_string();
  EXPECT_EQ(count_ops(recording->trace, OpKind::kCommitAcked), 2u);
  EXPECT_EQ(count_ops(recording->trace, OpKind::kCloseCalled), 0u);  // it ended at the failure
  ASSERT_EQ(recording->workload_violations.size(), 1u);
  const Violation& raw = recording->workload_violations[0];
  EXPECT_EQ(raw.invariant, "workload");
  EXPECT_THAT(raw.message, HasSubstr("workload step 5 (commit) failed with a corruption error"));
  EXPECT_THAT(raw.observed, HasSubstr("refused (refuse_key)"));

  const ScenarioResult result = sim.check(scenario.name, *recording, scenario.options);
  ASSERT_TRUE(result.error.empty()) << result.error;
  ASSERT_EQ(result.violations.size(), 1u);
  const Violation& v = result.violations[0];
  EXPECT_EQ(v.model, "workload");
  EXPECT_EQ(v.state_id, std::to_string(recording->trace.ops.size()) + ":process-crash");
  EXPECT_FALSE(v.ops.empty());
  EXPECT_TRUE(sim.build_state(*recording, scenario.options, v.state_id).ok());
  for (const ModelResult& m : result.models) {
    EXPECT_GT(m.coverage.states_checked, 0u) << m.model;
    EXPECT_TRUE(m.violations.empty()) << m.model;
  }
}

TEST(WorkloadRunnerTest, AFailureOfTheFirstCommitLeavesNothingAcknowledged) {
  LogSystem sut(LogOptions{.refuse_key = "poison"});
  auto recording = Simulator(sut).record(script_scenario({put("poison", "x"), commit()}));
  ASSERT_TRUE(recording.ok()) << recording.status().to_string();
  ASSERT_EQ(recording->workload_violations.size(), 1u);
  EXPECT_EQ(count_ops(recording->trace, OpKind::kCommitAcked), 0u);
}

TEST(WorkloadRunnerTest, VerifyAfterEveryCommitNamesTheFirstCommitAfterWhichItFails) {
  LogSystem sut(LogOptions{.verify_flags_key = "b"});
  Scenario scenario = script_scenario({put("a", "1"), commit(), put("b", "2"), commit(), put("c", "3"), commit()});
  scenario.workload.verify_each_commit = true;
  auto recording = Simulator(sut).record(scenario);
  ASSERT_TRUE(recording.ok()) << recording.status().to_string();
  ASSERT_EQ(recording->workload_violations.size(), 1u);  // the first only
  const Violation& v = recording->workload_violations[0];
  EXPECT_EQ(v.invariant, "structure");
  EXPECT_THAT(v.message, HasSubstr("after the commit of transaction 1"));
  EXPECT_THAT(v.observed, HasSubstr("record of b flagged"));
  EXPECT_EQ(count_ops(recording->trace, OpKind::kCommitAcked), 3u);  // the run went on

  scenario.workload.verify_each_commit = false;
  auto quiet = Simulator(sut).record(scenario);
  ASSERT_TRUE(quiet.ok());
  EXPECT_TRUE(quiet->workload_violations.empty());
}

TEST(WorkloadRunnerTest, ACrashReopenDropsTheSessionWithoutACloseAndKeepsWhatWasAcknowledged) {
  LogSystem sut;
  const Simulator sim(sut);
  const Scenario scenario = script_scenario({put("a", "1"), commit(), crash_reopen(), get("a"), put("b", "2"),
                                             commit(), crash_reopen(), get("b")});
  auto recording = sim.record(scenario);
  ASSERT_TRUE(recording.ok()) << recording.status().to_string();
  EXPECT_TRUE(recording->workload_violations.empty());
  EXPECT_EQ(count_ops(recording->trace, OpKind::kOpenCalled), 3u);
  EXPECT_EQ(count_ops(recording->trace, OpKind::kCloseCalled), 1u);  // only the final close
  EXPECT_EQ(recording->oracle.txn_count(), 2u);
  const ScenarioResult result = sim.check(scenario.name, *recording, scenario.options);
  ASSERT_TRUE(result.error.empty()) << result.error;
  EXPECT_EQ(result.violation_count(), 0u);
}

// A session of LogSystem whose apply_group acknowledges every batch of a
// group before it applies any: what a group commit that acknowledges before
// its shared sync looks like from outside.
class AckFirstSession final : public testing::ForwardingSession {
 public:
  using ForwardingSession::ForwardingSession;
  void apply_group(const std::vector<Batch>& batches,
                   const std::function<void(size_t, const vfs::Status&)>& on_done) override {
    for (size_t i = 0; i < batches.size(); ++i) on_done(i, vfs::Status());
    for (const Batch& batch : batches) static_cast<void>(inner().apply(batch));
  }
};

// A group's transactions are all called before any is acknowledged, then
// acknowledged one by one in order; the oracle has each as its own
// transaction. A system that applies them one by one passes; one that
// acknowledges a group before writing it loses acknowledged transactions.
TEST(WorkloadRunnerTest, AGroupIsCalledWholeAndAcknowledgedOneByOne) {
  const Scenario scenario = script_scenario({put("a", "1"), queue_commit(), put("b", "2"), queue_commit(),
                                             put("a", "3"), commit(), get("a"), put("c", "4"), commit()});
  LogSystem sut;
  const Simulator sim(sut);
  auto recording = sim.record(scenario);
  ASSERT_TRUE(recording.ok()) << recording.status().to_string();
  EXPECT_TRUE(recording->workload_violations.empty());
  EXPECT_EQ(recording->oracle.txn_count(), 4u);
  std::string markers;
  for (const Op& op : recording->trace.ops) {
    if (op.kind == OpKind::kCommitCalled) markers += "c" + std::to_string(op.number);
    if (op.kind == OpKind::kCommitAcked) markers += "a" + std::to_string(op.number);
  }
  EXPECT_EQ(markers, "c0c1c2a0a1a2c3a3");
  const ScenarioResult result = sim.check(scenario.name, *recording, scenario.options);
  ASSERT_TRUE(result.error.empty()) << result.error;
  EXPECT_EQ(result.violation_count(), 0u);

  testing::WrappedLogSystem<AckFirstSession> ack_first("ack-first");
  const Simulator careless(ack_first);
  auto careless_recording = careless.record(scenario);
  ASSERT_TRUE(careless_recording.ok()) << careless_recording.status().to_string();
  const ScenarioResult caught = careless.check(scenario.name, *careless_recording, scenario.options);
  ASSERT_TRUE(caught.error.empty()) << caught.error;
  bool durability = false;
  for (const ModelResult& m : caught.models) {
    for (const Violation& v : m.violations) durability = durability || v.invariant == invariant::kDurability;
  }
  EXPECT_TRUE(durability) << "a group acknowledged before it was written must lose acknowledged transactions";
}

// A session of LogSystem that writes a group as one record with one sync,
// as a group commit does: when that fails, every batch of the group fails.
class OneRecordPerGroupSession final : public testing::ForwardingSession {
 public:
  using ForwardingSession::ForwardingSession;
  void apply_group(const std::vector<Batch>& batches,
                   const std::function<void(size_t, const vfs::Status&)>& on_done) override {
    Batch all;
    for (const Batch& batch : batches) all.insert(all.end(), batch.begin(), batch.end());
    const vfs::Status s = inner().apply(all);
    for (size_t i = 0; i < batches.size(); ++i) on_done(i, s);
  }
};

// A group whose sync fails: every batch of it is refused, each refusal a
// failed attempt at the same transaction with the refused batches before it.
// The runner and oracle_from_trace must agree on them: after the reopen the
// runner names the attempt the store shows, which the oracle then takes.
TEST(WorkloadRunnerTest, AGroupWhoseSyncFailsIsRefusedWholeAndAnyPrefixMayBeRecovered) {
  testing::WrappedLogSystem<OneRecordPerGroupSession> sut("one-record-per-group");
  const std::vector<Step> steps = {put("a", "1"), commit(), put("b", "2"), queue_commit(), put("c", "3"),
                                   queue_commit(), put("b", "4"), commit(), {StepKind::kReopen, {}, {}},
                                   get("b"), put("e", "5"), commit()};
  auto recording = record_workload(sut, steps, "groups", {FaultSpec{.point = "vfs/sync", .nth = 2}});
  ASSERT_TRUE(recording.ok()) << recording.status().to_string();
  std::string markers;
  for (const Op& op : recording->trace.ops) {
    if (op.kind == OpKind::kCommitCalled) markers += "c" + std::to_string(op.number);
    if (op.kind == OpKind::kCommitAcked) markers += "a" + std::to_string(op.number);
    if (op.kind == OpKind::kCommitFailed) markers += "f" + std::to_string(op.number);
    if (op.kind == OpKind::kCommitRecovered) markers += "r" + std::to_string(op.number) + "." + std::to_string(op.offset);
  }
  // The log store keeps what a failed sync wrote: the reopen shows the whole group, the third attempt.
  EXPECT_EQ(markers, "c0a0c1c2c3f1f1f1r1.2c2a2");
  EXPECT_TRUE(recording->workload_violations.empty());
  ASSERT_EQ(recording->oracle.txn_count(), 3u);
  EXPECT_EQ(recording->oracle.state_after(3), (KvState{{"a", "1"}, {"b", "4"}, {"c", "3"}, {"e", "5"}}));
}

// The log store has no snapshots: a workload that takes one cannot run on
// it, which is the scenario's error (naming the system and the step), not a
// violation; a workload that reads a snapshot it does not hold is refused
// before it runs.
TEST(WorkloadRunnerTest, SnapshotStepsOnASystemWithoutSnapshotsAreAnErrorNamingIt) {
  LogSystem sut;
  const Simulator sim(sut);
  auto recording = sim.record(script_scenario({put("a", "1"), commit(), {StepKind::kSnapshot, {}, {}}}));
  ASSERT_FALSE(recording.ok());
  EXPECT_EQ(recording.status().code(), vfs::StatusCode::kNotSupported);
  EXPECT_THAT(recording.status().to_string(), HasSubstr("workload step 2 (snapshot)"));
  EXPECT_THAT(recording.status().to_string(), HasSubstr("system " + sut.name() + " has no snapshots"));

  auto unheld = sim.record(script_scenario({put("a", "1"), commit(), {StepKind::kSnapshotScan, {}, {}, 3}}));
  ASSERT_FALSE(unheld.ok());
  EXPECT_THAT(unheld.status().to_string(), HasSubstr("step 2 (snapshot-scan) names snapshot 3"));
}

}  // namespace
}  // namespace crashsim
