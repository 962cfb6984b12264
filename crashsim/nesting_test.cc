// Nested crash states against the LogSystem test double: every kind of
// nesting (to a depth, after new writes, mixed sequences) finds the defect
// only it can see, and a nested id rebuilds its state exactly.
#include "crashsim/nesting.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "crashsim/check/continuation.h"
#include "crashsim/check/invariants.h"
#include "crashsim/record/trace_io.h"
#include "crashsim/simulator.h"
#include "crashsim/test_log_system.h"
#include "crashsim/test_util.h"

namespace crashsim {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using testing::invariants_of;
using testing::LogOptions;
using testing::LogSystem;

Scenario scenario(ModelKind kind, uint32_t transactions = 8) {
  Scenario s;
  s.name = "log-nesting";
  s.workload.generator = GeneratorSpec{.seed = 21, .transactions = transactions, .key_space = 12};
  s.options.models = {ModelConfig{.kind = kind, .samples_per_point = 16, .sector_size = 64, .seed = 3}};
  s.options.jobs = 2;
  return s;
}

const ModelResult& only_model(const ScenarioResult& r) {
  EXPECT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.models.size(), 1u);
  return r.models.front();
}

size_t depth_of(const std::string& id) { return static_cast<size_t>(std::count(id.begin(), id.end(), '>')); }

TEST(NestingTest, ACorrectStoreIsCleanAtEveryDepthAndEveryDepthIsCounted) {
  LogSystem log;
  for (ModelKind kind : {ModelKind::kProcessCrash, ModelKind::kLoseUnsynced, ModelKind::kTorn}) {
    Scenario s = scenario(kind, 5);
    s.options.nesting.depth = 2;
    s.options.continuation.commits = 2;
    const ScenarioResult m_run = Simulator(log).run(s);
  const ModelResult& m = only_model(m_run);
    for (const Violation& v : m.violations) ADD_FAILURE() << v.state_id << " " << v.invariant << ": " << v.message;
    ASSERT_EQ(m.coverage.nested.size(), 2u) << m.model;
    uint64_t checked = 0;
    for (const NestedCoverage& level : m.coverage.nested) {
      EXPECT_GT(level.checked, 0u) << m.model;
      EXPECT_GT(level.after_new_writes, 0u) << m.model;
      EXPECT_EQ(level.checked + level.duplicates_skipped, level.generated) << m.model;
      checked += level.checked;
    }
    EXPECT_EQ(checked, m.coverage.recovery_states_checked);
  }
}

TEST(NestingTest, DepthZeroChecksNoNestedState) {
  LogSystem log;
  Scenario s = scenario(ModelKind::kLoseUnsynced, 4);
  s.options.nesting.depth = 0;
  const ScenarioResult m_run = Simulator(log).run(s);
  const ModelResult& m = only_model(m_run);
  EXPECT_TRUE(m.coverage.nested.empty());
  EXPECT_EQ(m.coverage.recovery_states_checked, 0u);
  EXPECT_GT(m.coverage.states_checked, 0u);
}

// Recovery shows records a crashed process left in the page cache without
// syncing them. A process crash alone loses nothing, a power loss alone
// finds nothing unsynced to show; a process crash, recovery, then a power
// loss loses what the reopened store showed.
TEST(NestingTest, ARecoveryThatDoesNotMakeItsWorkDurableIsFoundByAMixedSequenceOnly) {
  LogSystem log(LogOptions{.sync_recovered = false});
  Scenario s = scenario(ModelKind::kProcessCrash);
  const ScenarioResult mixed_run = Simulator(log).run(s);
  const ModelResult& mixed = only_model(mixed_run);
  ASSERT_FALSE(mixed.violations.empty());
  for (const Violation& v : mixed.violations) {
    EXPECT_THAT(v.state_id, ContainsRegex("^[0-9]+:process-crash>[0-9]+:lose-unsynced$"));
    EXPECT_EQ(v.invariant, invariant::kDurability) << v.message;
    EXPECT_THAT(v.message, HasSubstr("was recovered and took new commits"));
    EXPECT_EQ(v.cause, Cause::kMissingSync);
  }
  s.options.nesting.models = {ModelKind::kProcessCrash};
  EXPECT_TRUE(Simulator(log).run(s).passed()) << "process crashes alone never lose page-cache data";
  s = scenario(ModelKind::kLoseUnsynced);
  EXPECT_TRUE(Simulator(log).run(s).passed()) << "after a power loss everything recovery reads is durable";
}

// Recovery leaves a torn tail in place and appends after it; the clean
// close compacts the log, hiding the debris from the reopen that follows.
// Only a crash after the new commits, before that close, sees them lost.
TEST(NestingTest, DebrisOfATornTailIsFoundByCrashingAfterTheNewCommits) {
  LogSystem log(LogOptions{.keep_torn_tail = true, .compact_on_close = true});
  Scenario s = scenario(ModelKind::kTorn);
  const ScenarioResult torn_run = Simulator(log).run(s);
  const ModelResult& torn = only_model(torn_run);
  ASSERT_FALSE(torn.violations.empty());
  EXPECT_TRUE(invariants_of(torn_run).contains(std::string(invariant::kDurability)));
  for (const Violation& v : torn.violations) {
    EXPECT_EQ(depth_of(v.state_id), 1u) << v.state_id;
    EXPECT_THAT(v.message, HasSubstr("was recovered and took new commits")) << v.state_id;
  }
  s.options.nesting.depth = 0;
  EXPECT_TRUE(Simulator(log).run(s).passed()) << "writable-after-recovery alone is blind to it";
}

TEST(NestingTest, ANonIdempotentRecoveryIsCaughtInsideRecovery) {
  LogSystem log(LogOptions{.unsafe_recovery_rewrite = true});
  const ScenarioResult torn_run = Simulator(log).run(scenario(ModelKind::kTorn, 6));
  const ModelResult& torn = only_model(torn_run);
  ASSERT_FALSE(torn.violations.empty());
  EXPECT_TRUE(std::any_of(torn.violations.begin(), torn.violations.end(), [](const Violation& v) {
    return v.invariant == invariant::kIdempotentRecovery && v.message.find("inside the recovery") != std::string::npos;
  }));
}

// Mixed and depth-2 ids rebuild the same bytes from a saved trace, and a
// replay finds what the run found.
TEST(NestingTest, NestedIdsOfEveryKindAreRebuiltAndReplayed) {
  LogSystem log(LogOptions{.sync_on_commit = false});
  Scenario s = scenario(ModelKind::kProcessCrash, 4);
  s.options.nesting.depth = 2;
  s.options.continuation.commits = 2;
  const Simulator sim(log);
  auto recording = sim.record(s);
  ASSERT_TRUE(recording.ok()) << recording.status().to_string();
  const ScenarioResult r = sim.check(s.name, *recording, s.options);
  const ModelResult& m = only_model(r);
  auto bytes = encode_trace(recording->trace, R"({"scenario": "log-nesting"})");
  ASSERT_TRUE(bytes.ok());
  auto loaded = decode_trace(*bytes);
  ASSERT_TRUE(loaded.ok());
  auto again = recording_from_trace(loaded->trace, recording->steps);
  ASSERT_TRUE(again.ok());
  std::set<size_t> depths;
  for (const Violation& v : m.violations) {
    if (!depths.insert(depth_of(v.state_id)).second) continue;
    auto original = sim.build_state(*recording, s.options, v.state_id);
    auto rebuilt = sim.build_state(*again, s.options, v.state_id);
    ASSERT_TRUE(original.ok() && rebuilt.ok()) << v.state_id;
    EXPECT_EQ(*original, *rebuilt) << v.state_id;
    auto replayed = sim.replay(s.name, *again, s.options, v.state_id);
    ASSERT_TRUE(replayed.ok()) << v.state_id << ": " << replayed.status().to_string();
    std::set<std::string> same_state, found;
    for (const Violation& w : m.violations) {
      if (w.state_id == v.state_id) same_state.insert(w.invariant);
    }
    for (const Violation& w : *replayed) found.insert(w.invariant);
    EXPECT_EQ(found, same_state) << v.state_id;
    auto view = sim.view_state(*again, s.options, v.state_id, 2);
    ASSERT_TRUE(view.ok()) << v.state_id;
    EXPECT_EQ(view->depth, depth_of(v.state_id));
  }
  EXPECT_TRUE(depths.contains(1) && depths.contains(2)) << "violations at depths 1 and 2 expected";
}

TEST(NestingTest, BadNestedIdsAreRefusedWithTheReason) {
  LogSystem log;
  const Scenario s = scenario(ModelKind::kLoseUnsynced, 2);
  const Simulator sim(log);
  auto recording = sim.record(s);
  ASSERT_TRUE(recording.ok());
  const std::string end = std::to_string(recording->trace.ops.size());
  for (const std::string& id :
       {end + ":lose-unsynced>9999:lose-unsynced", end + ":lose-unsynced>1:corrupt:512:bit-flip:0:1:-:log",
        end + ":corrupt:512:bit-flip:0:1:-:log>1:lose-unsynced"}) {
    auto img = sim.build_state(*recording, s.options, id);
    ASSERT_FALSE(img.ok()) << id;
    EXPECT_EQ(img.status().code(), vfs::StatusCode::kInvalidArgument) << id << ": " << img.status().to_string();
    EXPECT_THAT(img.status().to_string(), HasSubstr("segment 2")) << id;
  }
}

// The continuation's oracle: the transactions of the recovered state, then
// one per new commit; a crash point's expectation counts its markers.
TEST(NestingTest, TheContinuationIsAFunctionOfTheRecoveredState) {
  const Oracle workload({{{KvOp::Kind::kPut, "a", "1"}}, {{KvOp::Kind::kPut, "b", "2"}}, {{KvOp::Kind::kPut, "c", "3"}}});
  const KvState recovered = workload.state_after(2);
  EXPECT_EQ(continuation_batches(recovered, 2).at(1).size(), 3u);  // put, overwrite, delete
  EXPECT_EQ(continuation_batches(KvState{}, 2).at(1).size(), 1u);
  // The touched keys sit at fixed strides modulo |V|, found in one walk
  // whatever order the commits ask for them in: here positions 2; 1, 2; 0, 1.
  const std::vector<Batch> batches = continuation_batches({{"a", "1"}, {"b", "2"}, {"c", "3"}}, 3);
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[0][1].key, "c");
  EXPECT_EQ(batches[1][1].key, "b");
  EXPECT_EQ(batches[1][2].key, "c");
  EXPECT_EQ(batches[2][1].key, "a");
  EXPECT_EQ(batches[2][2].key, "b");
  ContinuationOracles oracles(3);
  const ContinuationOracle prefix = oracles.get(workload, 0, recovered, 2);
  EXPECT_EQ(prefix.base, 2u);
  ASSERT_EQ(prefix.oracle->txn_count(), 5u);
  EXPECT_EQ(prefix.oracle->state_after(2), recovered);
  EXPECT_EQ(prefix.oracle->value_after(3, kProbeKey), "c1:written after recovery");
  EXPECT_EQ(oracles.get(workload, 0, recovered, 2).oracle, prefix.oracle) << "built once";
  const ContinuationOracle whole = oracles.get(workload, 0, recovered, std::nullopt);
  EXPECT_EQ(whole.base, 1u);
  EXPECT_EQ(whole.oracle->state_after(1), recovered);
  EXPECT_NE(whole.id, prefix.id);
  EXPECT_NE(whole.id, 0u);
  Trace t;
  for (OpKind kind : {OpKind::kOpenDone, OpKind::kTxnBegin, OpKind::kCommitCalled, OpKind::kCommitAcked,
                      OpKind::kTxnBegin, OpKind::kCommitCalled}) {
    Op op;
    op.kind = kind;
    op.number = kind == OpKind::kOpenDone ? 0u : (t.ops.size() < 4 ? 1u : 2u);
    t.ops.push_back(std::move(op));
  }
  EXPECT_EQ(continuation_expectation(t, 0, 1, 2), (Expectation{.acked = 2}));
  EXPECT_EQ(continuation_expectation(t, 0, 3, 2), (Expectation{.acked = 2, .in_flight = 1}));
  EXPECT_EQ(continuation_expectation(t, 0, 4, 2), (Expectation{.acked = 3}));
  EXPECT_EQ(continuation_expectation(t, 0, 6, 2), (Expectation{.acked = 3, .in_flight = 1}));
}

// A walk resumed from a frontier of the continued trace sees what a walk
// from the start sees, and the continued trace maps recovery's files onto the
// inodes their paths had at the crash.
TEST(NestingTest, AContinuedTraceIsWalkedFromTheCrashPointAsFromTheStart) {
  LogSystem log(LogOptions{.sync_on_commit = false});
  const Scenario s = scenario(ModelKind::kProcessCrash, 3);
  auto recording = Simulator(log).record(s);
  ASSERT_TRUE(recording.ok());
  const Trace& before = recording->trace;
  const uint64_t point = before.canonical_points()[before.canonical_points().size() / 2];
  const Frontier at = frontiers_at(before, s.options.fs, {point}).front();
  const DiskImage image = at.live_image();
  const StateOutcome outcome =
      check_state(log, recording->oracle, image, at.expect, CheckOptions{.media_fault = {}, .continuation = {}, .record_recovery = true});
  ASSERT_TRUE(outcome.after_recovery.has_value());
  const Trace& after = outcome.after_recovery->trace;
  auto continued = continue_trace(before, at, after);
  ASSERT_TRUE(continued.ok()) << continued.status().to_string();
  ASSERT_EQ(continued->ops.size(), point + after.ops.size());
  TimelineWalker resumed(*continued, s.options.fs, at);
  TimelineWalker fresh(*continued, s.options.fs);
  for (uint64_t p = point; p <= continued->ops.size(); ++p) {
    resumed.advance_to(p);
    fresh.advance_to(p);
    const Frontier a = resumed.frontier();
    const Frontier b = fresh.frontier();
    EXPECT_EQ(a.live_image(), b.live_image()) << p;
    EXPECT_EQ(a.durable_image(), b.durable_image()) << p;
    EXPECT_EQ(a.durable_pending(), b.durable_pending()) << p;
  }
  // At the end of the run, the page cache holds what the store's own run left.
  TimelineWalker alone(after, s.options.fs);
  alone.advance_to(after.ops.size());
  fresh.advance_to(continued->ops.size());
  EXPECT_EQ(fresh.frontier().live_image(), alone.frontier().live_image());
}

// A store that drops op `kLost` of every batch it applies (the continuation's
// commits are [probe put, overwrite, delete]).
template <size_t kLost>
class LosesOpSession final : public testing::ForwardingSession {
 public:
  using ForwardingSession::ForwardingSession;
  vfs::Status apply(const Batch& batch) override {
    Batch kept = batch;
    if (kept.size() > kLost) kept.erase(kept.begin() + kLost);
    return inner().apply(kept);
  }
};

// A store that adds a key after the probe keys to every batch it applies: a
// write nobody made, sorting after everything the reopen expects.
class AddsKeySession final : public testing::ForwardingSession {
 public:
  using ForwardingSession::ForwardingSession;
  vfs::Status apply(const Batch& batch) override {
    Batch more = batch;
    more.push_back({KvOp::Kind::kPut, std::string(kProbeKey) + "~", "never written"});
    return inner().apply(more);
  }
};

// The reopen after the new commits must show the recovered state with every
// new commit applied: a lost overwrite (a value), a lost delete (a key still
// there) and a key nobody wrote are each writable-after-recovery.
TEST(NestingTest, TheReopenAfterTheNewCommitsSeesALostOverwriteALostDeleteAndAnExtraKey) {
  LogSystem log;
  const Scenario s = scenario(ModelKind::kProcessCrash, 6);
  auto recording = Simulator(log).record(s);
  ASSERT_TRUE(recording.ok());
  const uint64_t point = recording->trace.canonical_points().back();
  const Frontier at = frontiers_at(recording->trace, s.options.fs, {point}).front();
  const DiskImage image = at.live_image();
  ASSERT_GE(recording->oracle.size_after(recording->oracle.txn_count()), 2u);
  EXPECT_TRUE(check_state(log, recording->oracle, image, at.expect, CheckOptions{}).findings.empty());
  testing::WrappedLogSystem<LosesOpSession<1>> loses_overwrite("loses-overwrite");
  testing::WrappedLogSystem<LosesOpSession<2>> loses_delete("loses-delete");
  testing::WrappedLogSystem<AddsKeySession> adds_key("adds-key");
  for (SystemUnderTest* sut : std::initializer_list<SystemUnderTest*>{&loses_overwrite, &loses_delete, &adds_key}) {
    const StateOutcome outcome = check_state(*sut, recording->oracle, image, at.expect, CheckOptions{});
    ASSERT_EQ(outcome.findings.size(), 1u) << sut->name();
    EXPECT_EQ(outcome.findings[0].invariant, invariant::kWritableAfterRecovery) << sut->name();
  }
}

}  // namespace
}  // namespace crashsim
