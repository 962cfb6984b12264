// SimulationOptions::max_states, ::shard and ::progress, and
// Simulator::view_state, against the LogSystem test double.
//
// To see exactly which states a run checked, the store under test reports a
// finding on every state it is opened on: the violations of a run are then
// its checked states, one each.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "crashsim/model/state_id.h"
#include "crashsim/simulator.h"
#include "crashsim/test_log_system.h"
#include "crashsim/test_util.h"

namespace crashsim {
namespace {

using testing::LogSystem;

// A session of LogSystem whose verify() finds fault with every state.
class FlagEverySession final : public testing::ForwardingSession {
 public:
  using ForwardingSession::ForwardingSession;
  vfs::Result<std::vector<SutFinding>> verify() override {
    return std::vector<SutFinding>{{"structure", "flagged: every state is reported"}};
  }
};
using FlagEverySystem = testing::WrappedLogSystem<FlagEverySession>;

Scenario scenario(ModelKind kind, uint32_t transactions = 10) {
  Scenario s;
  s.name = "limits";
  s.workload.generator = GeneratorSpec{.seed = 3, .transactions = transactions, .key_space = 12};
  s.options.models = {ModelConfig{.kind = kind, .samples_per_point = 16, .sector_size = 64, .seed = 4}};
  s.options.jobs = 2;
  s.options.nesting.depth = 0;
  s.options.post_recovery_write = false;
  s.options.classify_causes = false;
  return s;
}

// The top-level states a run checked (one "structure" violation each).
std::set<std::string> checked_ids(const ScenarioResult& r) {
  std::set<std::string> ids;
  for (const ModelResult& m : r.models) {
    for (const Violation& v : m.violations) {
      if (v.invariant == "structure") ids.insert(v.state_id);
    }
  }
  return ids;
}

const Coverage& coverage(const ScenarioResult& r) { return r.models.at(0).coverage; }

TEST(SimulatorLimitsTest, MaxStatesBoundsTheStatesCheckedWithASampleSpreadOverTheTrace) {
  FlagEverySystem sut("flag-every");
  const Simulator sim(sut);
  Scenario s = scenario(ModelKind::kTorn, 40);
  const ScenarioResult whole = sim.run(s);
  ASSERT_TRUE(whole.error.empty()) << whole.error;
  const uint64_t distinct = coverage(whole).states_checked;
  ASSERT_GT(distinct, 100u);

  s.options.max_states = distinct / 4;
  const ScenarioResult capped = sim.run(s);
  ASSERT_TRUE(capped.error.empty()) << capped.error;
  EXPECT_EQ(coverage(capped).states_checked, s.options.max_states);
  EXPECT_TRUE(coverage(capped).sampled);
  EXPECT_EQ(coverage(capped).states_generated, coverage(whole).states_generated);
  const std::set<std::string> ids = checked_ids(capped);
  EXPECT_EQ(ids.size(), s.options.max_states);
  // A subset of the distinct states, from the whole trace, not only its start.
  const std::set<std::string> all = checked_ids(whole);
  for (const std::string& id : ids) EXPECT_TRUE(all.contains(id)) << id;
  uint64_t last_point = 0;
  for (const std::string& id : ids) last_point = std::max(last_point, StateId::parse(id)->segments[0].point);
  EXPECT_GT(last_point, whole.trace_ops / 2);
  // The same sample every time.
  EXPECT_EQ(checked_ids(sim.run(s)), ids);
}

TEST(SimulatorLimitsTest, ACapAboveTheDistinctStatesChangesNothing) {
  FlagEverySystem sut("flag-every");
  const Simulator sim(sut);
  Scenario s = scenario(ModelKind::kReorder);
  const ScenarioResult whole = sim.run(s);
  s.options.max_states = coverage(whole).states_checked;
  const ScenarioResult capped = sim.run(s);
  EXPECT_EQ(checked_ids(capped), checked_ids(whole));
  EXPECT_EQ(coverage(capped).duplicates_skipped, coverage(whole).duplicates_skipped);
  EXPECT_EQ(coverage(capped).sampled, coverage(whole).sampled);
}

TEST(SimulatorLimitsTest, ShardsPartitionExactlyTheStatesOfTheWholeRun) {
  FlagEverySystem sut("flag-every");
  const Simulator sim(sut);
  for (ModelKind kind : {ModelKind::kLoseUnsynced, ModelKind::kReorder, ModelKind::kTorn}) {
    for (uint64_t cap : {uint64_t{0}, uint64_t{60}}) {
      Scenario s = scenario(kind);
      s.options.max_states = cap;
      const ScenarioResult whole = sim.run(s);
      ASSERT_TRUE(whole.error.empty()) << whole.error;
      const std::set<std::string> expected = checked_ids(whole);
      for (uint32_t n : {2u, 3u}) {
        std::set<std::string> united;
        Coverage sum;
        for (uint32_t i = 0; i < n; ++i) {
          s.options.shard = Shard{i, n};
          const ScenarioResult part = sim.run(s);
          ASSERT_TRUE(part.error.empty()) << part.error;
          for (const std::string& id : checked_ids(part)) {
            EXPECT_TRUE(united.insert(id).second) << id << " checked by two shards";
          }
          const Coverage& c = coverage(part);
          sum.crash_points += c.crash_points;
          sum.states_generated += c.states_generated;
          sum.states_checked += c.states_checked;
          sum.duplicates_skipped += c.duplicates_skipped;
          EXPECT_EQ(c.states_allowed, coverage(whole).states_allowed);
        }
        const std::string what = std::string(model_name(kind)) + " cap " + std::to_string(cap) + " in " +
                                 std::to_string(n) + " shards";
        EXPECT_EQ(united, expected) << what;
        EXPECT_EQ(sum.crash_points, coverage(whole).crash_points) << what;
        EXPECT_EQ(sum.states_generated, coverage(whole).states_generated) << what;
        EXPECT_EQ(sum.states_checked, coverage(whole).states_checked) << what;
        EXPECT_EQ(sum.duplicates_skipped, coverage(whole).duplicates_skipped) << what;
      }
    }
  }
}

TEST(SimulatorLimitsTest, ProgressCountsUpToTheTotal) {
  FlagEverySystem sut("flag-every");
  Scenario s = scenario(ModelKind::kTorn, 40);
  s.options.max_states = 300;
  std::vector<Progress> seen;
  s.options.progress = [&seen](const Progress& p) { seen.push_back(p); };
  const ScenarioResult r = Simulator(sut).run(s);
  // The capped run first deduplicates every state it generates, then checks 300.
  std::vector<Progress> dedup;
  std::vector<Progress> checks;
  for (const Progress& p : seen) (p.deduplicating ? dedup : checks).push_back(p);
  ASSERT_FALSE(dedup.empty());
  EXPECT_EQ(dedup.back().states_done, coverage(r).states_generated);
  EXPECT_EQ(dedup.back().states_total, coverage(r).states_generated);
  ASSERT_GE(checks.size(), 2u);
  EXPECT_EQ(checks.front().states_done, 0u);
  for (size_t i = 1; i < checks.size(); ++i) EXPECT_GE(checks[i].states_done, checks[i - 1].states_done);
  EXPECT_EQ(seen.back().model, "torn");
  EXPECT_FALSE(seen.back().deduplicating);
  EXPECT_EQ(seen.back().states_done, seen.back().states_total);
  EXPECT_EQ(seen.back().states_total, 300u);
  EXPECT_EQ(seen.back().violations, r.violation_count());
}

TEST(SimulatorLimitsTest, AScenarioPastTheMemoryBoundStopsWithAnErrorNamingItAndTheBound) {
  FlagEverySystem sut("flag-every");
  const Simulator sim(sut);
  Scenario s = scenario(ModelKind::kLoseUnsynced);
  s.options.max_memory_bytes = 4096;  // below any process's resident memory
  const ScenarioResult stopped = sim.run(s);
  EXPECT_THAT(stopped.error, ::testing::HasSubstr("scenario limits"));
  EXPECT_THAT(stopped.error, ::testing::HasSubstr("passed the memory bound of 4.0 KiB"));
  EXPECT_TRUE(stopped.models.empty());
  s.options.max_memory_bytes = uint64_t{1} << 50;  // far above it
  EXPECT_TRUE(sim.run(s).error.empty());
}

TEST(SimulatorLimitsTest, ABadShardIsRefused) {
  SimulationOptions options;
  options.shard = Shard{2, 2};
  EXPECT_EQ(validate(options).code(), vfs::StatusCode::kInvalidArgument);
  options.shard = Shard{0, 0};
  EXPECT_EQ(validate(options).code(), vfs::StatusCode::kInvalidArgument);
}

TEST(SimulatorLimitsTest, ViewStateShowsTheEntriesAroundTheCrashWithTheirParts) {
  testing::LogSystem log(testing::LogOptions{.sync_on_commit = false});
  const Simulator sim(log);
  Scenario s = scenario(ModelKind::kLoseUnsynced);
  auto recording = sim.record(s);
  ASSERT_TRUE(recording.ok()) << recording.status().to_string();
  const uint64_t end = recording->trace.ops.size();
  const auto view = sim.view_state(*recording, s.options, std::to_string(end) + ":lose-unsynced", 4);
  ASSERT_TRUE(view.ok()) << view.status().to_string();
  EXPECT_EQ(view->crash_point, end);
  EXPECT_EQ(view->depth, 0u);
  EXPECT_EQ(view->expect.acked, 10u);
  ASSERT_FALSE(view->ops.empty());
  // Commits are never synced here, so earlier writes show as dropped, each with its file and extent.
  bool dropped_write = false;
  for (const OpRecord& r : view->ops) {
    if (r.kind != "write" || r.fate != OpFate::kDropped) continue;
    dropped_write = true;
    EXPECT_EQ(r.path, "log");
    EXPECT_GT(r.length, 0u);
  }
  EXPECT_TRUE(dropped_write);
  EXPECT_FALSE(sim.view_state(*recording, s.options, "99999:lose-unsynced", 4).ok());
}

}  // namespace
}  // namespace crashsim
