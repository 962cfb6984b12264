#include "crashsim/tool/minimize.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "crashsim/engine_adapter.h"
#include "crashsim/model/state_id.h"
#include "crashsim/simulator.h"
#include "crashsim/tool/tool_test_util.h"

namespace crashsim::tool {
namespace {

catalog::ScenarioSpec scenario_named(const std::string& catalog_text, const std::string& name) {
  auto specs = catalog::parse_catalog(catalog_text, "test.json");
  EXPECT_TRUE(specs.ok()) << specs.status().to_string();
  for (catalog::ScenarioSpec& s : *specs) {
    if (s.name == name) return s;
  }
  ADD_FAILURE() << "no scenario " << name;
  return {};
}

// A generated workload under the stale-meta-in-put mutant: the first root
// split commits a meta page that no longer matches its frames.
constexpr char kStaleMeta[] = R"({"version": 1, "scenarios": [{
  "name": "stale-meta", "description": "d", "engine": {"page_size": 512, "checkpoint_every": 0,
  "mutant": "stale-meta-in-put"},
  "workload": {"seed": 35, "transactions": 10, "ops_per_txn": [3, 6], "key_space": 300, "key_size": [8, 16],
               "value_size": [40, 80], "mix": {"put": 1.0}},
  "crash": {"model": "process-crash", "max_states": 1000},
  "expect": {"verdict": "violation", "invariant": "recovery"}}]})";

TEST(MinimizeTest, AGeneratedWorkloadShrinksToAFewTransactions) {
  const catalog::ScenarioSpec spec = scenario_named(kStaleMeta, "stale-meta");
  const auto goal = choose_goal(spec, std::nullopt, std::nullopt, 2);
  ASSERT_TRUE(goal.ok()) << goal.status().to_string();
  EXPECT_EQ(goal->invariant, "recovery");
  EXPECT_EQ(goal->model, ModelKind::kProcessCrash);
  std::vector<std::string> log;
  MinimizeOptions options;
  options.max_attempts = 150;
  options.jobs = 2;
  options.log = [&log](const std::string& line) { log.push_back(line); };
  const auto m = minimize(spec, *goal, options);
  ASSERT_TRUE(m.ok()) << m.status().to_string();
  EXPECT_GT(m->original_steps, 30u);
  EXPECT_LT(m->steps.size(), m->original_steps / 2);
  EXPECT_GE(m->steps.size(), 1u) << "a reproducer keeps a step: the catalog refuses an empty script";
  EXPECT_EQ(m->violation.invariant, "recovery");
  EXPECT_FALSE(log.empty());
  EXPECT_LE(m->attempts, 150u + 1);

  // The reproducer loads as a catalog scenario with exactly the minimized steps.
  const std::string file = reproducer_catalog_text(reproducer_scenario(spec, *goal, *m, "stale-meta-min"));
  const catalog::ScenarioSpec again = scenario_named(file, "stale-meta-min");
  EXPECT_EQ(again.workload.script, m->steps);
  EXPECT_EQ(again.engine.mutant, engine::Mutant::kStaleMetaInPut);
  EXPECT_EQ(again.expect.violation, "recovery");
}

TEST(MinimizeTest, ATornStateKeepsFewerPersistedSectors) {
  const catalog::ScenarioSpec spec = scenario_named(testing::passing_catalog(), "torn-no-commit-record");
  const MinimizeGoal goal{"atomicity", ModelKind::kTorn};
  MinimizeOptions options;
  options.max_attempts = 40;
  options.jobs = 2;
  const auto m = minimize(spec, goal, options);
  ASSERT_TRUE(m.ok()) << m.status().to_string();
  EXPECT_LT(m->steps.size(), 25u);
  EXPECT_EQ(m->violation.invariant, "atomicity");
  const auto id = StateId::parse(m->state_id);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->segments[0].model, ModelKind::kTorn);
  // Each sector still persisted is needed: without any one of them the violation is gone.
  EngineSystem engine(spec.engine);
  const Simulator sim(engine);
  const StateIdSegment seg = id->segments[0];
  const Frontier frontier = frontiers_at(m->recording.trace, spec.simulation.fs, {seg.point}).front();
  const auto choice = decode_choice(seg.model, seg.choice, m->recording.trace, frontier);
  ASSERT_TRUE(choice.ok()) << choice.status().to_string();
  size_t persisted = 0;
  for (size_t i = 0; i < choice->persisted.size(); ++i) {
    for (size_t j = 0; j < choice->persisted[i].size(); ++j) {
      if (!choice->persisted[i].test(j)) continue;
      ++persisted;
      Choice fewer = *choice;
      fewer.persisted[i].set(j, false);
      const std::string fewer_id = format_segment({seg.point, seg.model, encode_choice(seg.model, fewer)});
      const auto found = sim.replay(spec.name, m->recording, spec.simulation, fewer_id);
      ASSERT_TRUE(found.ok()) << found.status().to_string();
      for (const Violation& v : *found) EXPECT_NE(v.invariant, "atomicity") << fewer_id;
    }
  }
  EXPECT_GT(persisted, 0u) << "a torn commit with nothing of it on disk shows no partial transaction";
}

TEST(MinimizeTest, AScenarioExpectedToPassIsShrunkTowardTheMostBasicPromiseItBreaks) {
  // The mutant breaks recovery at earlier crash points than atomicity; a reproducer of the
  // half-applied transaction is the one worth having, and what the mutant is about.
  const catalog::ScenarioSpec spec = scenario_named(testing::failing_catalog(), "mutant-expected-to-pass");
  const auto goal = choose_goal(spec, std::nullopt, std::nullopt, 2);
  ASSERT_TRUE(goal.ok()) << goal.status().to_string();
  EXPECT_EQ(goal->invariant, "atomicity");
  EXPECT_EQ(goal->model, ModelKind::kTorn);
  // --invariant still wins.
  const auto asked = choose_goal(spec, std::string("recovery"), std::nullopt, 2);
  ASSERT_TRUE(asked.ok());
  EXPECT_EQ(asked->invariant, "recovery");
}

TEST(MinimizeTest, AGoalTheScenarioDoesNotShowIsNotFound) {
  const catalog::ScenarioSpec spec = scenario_named(testing::passing_catalog(), "torn-no-commit-record");
  MinimizeOptions options;
  options.max_attempts = 5;
  const auto m = minimize(spec, MinimizeGoal{"leak", ModelKind::kTorn}, options);
  EXPECT_TRUE(m.status().is_not_found()) << m.status().to_string();
  const auto clean = choose_goal(scenario_named(testing::passing_catalog(), "tiny-clean"), std::nullopt,
                                 std::nullopt, 2);
  EXPECT_TRUE(clean.status().is_not_found()) << clean.status().to_string();
}

}  // namespace
}  // namespace crashsim::tool
