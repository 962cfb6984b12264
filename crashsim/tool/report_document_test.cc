#include "crashsim/tool/report_document.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "crashsim/tool/verdict_lines.h"

namespace crashsim::tool {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

OpRecord record(uint64_t index, std::string kind, std::string path, OpFate fate, std::string note = {}) {
  OpRecord r;
  r.index = index;
  r.kind = kind;
  r.path = path;
  r.op = kind + " " + path;
  r.fate = fate;
  r.note = std::move(note);
  r.offset = 4096;
  r.length = 512;
  return r;
}

catalog::ScenarioSpec spec() {
  catalog::ScenarioSpec s;
  s.name = "churn";
  s.description = "d";
  s.file = "scenarios/ci.json";
  s.index = 3;
  s.tags = {"ci"};
  s.engine.mutant = engine::Mutant::kNoCommitRecord;
  s.expect.violation = "atomicity";
  return s;
}

TEST(ReportDocumentTest, ShellQuotingLeavesPlainWordsAlone) {
  EXPECT_EQ(shell_quote("412:torn:512:0.ff.3"), "412:torn:512:0.ff.3");
  EXPECT_EQ(shell_quote("12:torn:512:1>3:torn:512:-"), "'12:torn:512:1>3:torn:512:-'");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_quote(""), "''");
  EXPECT_EQ(replay_command(spec(), "5:reorder:3", {"build/crashsim", "out/traces/churn.trace"}),
            "build/crashsim replay scenarios/ci.json --scenario churn --state 5:reorder:3 "
            "--trace out/traces/churn.trace");
}

TEST(ReportDocumentTest, TheTimelineHasALanePerFileAndTheCrashPointOfTheLastSegment) {
  Violation v;
  v.state_id = "40:torn:512:3>7:torn:512:1";
  v.crash_point = 40;
  v.ops = {record(3, "write", "db-wal", OpFate::kPersisted), record(4, "commit-acked", "", OpFate::kMarker),
           record(5, "sync-dir", ".", OpFate::kBarrier), record(6, "write", "db", OpFate::kTorn, "sectors 0 of 1"),
           record(7, "sync", "db-wal", OpFate::kNotIssued)};
  const std::optional<reports::Timeline> t = timeline_of(v);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->crash_point, 7u);
  EXPECT_THAT(t->files, ElementsAre("db-wal", ".", "db"));
  ASSERT_EQ(t->ops.size(), 5u);
  EXPECT_EQ(t->ops[0].kind, reports::OpKind::kWrite);
  EXPECT_EQ(t->ops[0].offset, 4096u);
  EXPECT_EQ(t->ops[0].length, 512u);
  EXPECT_EQ(t->ops[1].kind, reports::OpKind::kMarker);
  EXPECT_EQ(t->ops[1].file, "");
  EXPECT_EQ(t->ops[2].kind, reports::OpKind::kSyncDir);
  EXPECT_EQ(t->ops[2].length, 0u);
  EXPECT_EQ(t->ops[3].fate, reports::Fate::kTorn);
  EXPECT_EQ(t->ops[3].detail, "write db; sectors 0 of 1");
  EXPECT_EQ(t->ops[4].fate, reports::Fate::kNotIssued);
  EXPECT_FALSE(timeline_of(Violation{}).has_value());
}

TEST(ReportDocumentTest, AScenarioResultBecomesCasesAndChecksWithCountedViolations) {
  ScenarioResult r;
  r.scenario = "churn";
  r.trace_ops = 90;
  r.commits = 5;
  r.acked = 5;
  Violation at_risk;
  at_risk.model = "at-risk";
  at_risk.invariant = "durability";
  at_risk.state_id = "12:lose-unsynced";
  r.violations = {at_risk};
  r.at_risk = {{2, 11, {{9, "db", "4096 bytes at offset 0 not synced"}}}};
  ModelResult torn;
  torn.model = "torn";
  torn.coverage.states_checked = 40;
  torn.coverage.states_allowed = 1e21;
  torn.coverage.recovery_paths = {{"torn-tail-discarded", 7}};
  for (int i = 0; i < 15; ++i) {
    Violation v;
    v.model = "torn";
    v.invariant = "atomicity";
    v.state_id = std::to_string(20 + i) + ":torn:512:1";
    v.cause = Cause::kMissingSync;
    torn.violations.push_back(v);
  }
  Violation other;
  other.invariant = "structure";
  other.state_id = "50:torn:512:-";
  torn.violations.push_back(other);
  r.models = {torn};

  const reports::ScenarioResult out = report_scenario(spec(), r, {"crashsim", "t.trace"});
  EXPECT_EQ(out.mutant, "no-commit-record");
  EXPECT_TRUE(out.expect.violation);
  EXPECT_EQ(out.expect.invariant, "atomicity");
  EXPECT_EQ(out.index, 3u);
  ASSERT_EQ(out.checks.size(), 1u);
  EXPECT_EQ(out.checks[0].model, "at-risk");
  EXPECT_EQ(out.checks[0].violation_counts.at("durability"), 1u);
  ASSERT_EQ(out.at_risk.size(), 1u);
  EXPECT_EQ(out.at_risk[0].items.at(0).path, "db");
  ASSERT_EQ(out.models.size(), 1u);
  const reports::ModelResult& m = out.models[0];
  EXPECT_EQ(m.states_total, 1e21);
  EXPECT_EQ(m.recovery_paths.at("torn-tail-discarded"), 7u);
  EXPECT_EQ(m.violation_counts.at("atomicity"), 15u);
  EXPECT_EQ(m.violation_counts.at("structure"), 1u);
  ASSERT_EQ(m.violations.size(), kViolationsRecordedPerInvariant + 1);
  EXPECT_TRUE(m.violations[0].power_loss_only);
  EXPECT_EQ(m.violations[0].cause, "missing-sync");
  EXPECT_THAT(m.violations[0].replay, HasSubstr("--state 20:torn:512:1 --trace t.trace"));
  EXPECT_EQ(m.violations.back().cause, "");
  EXPECT_TRUE(reports::scenario_passed(out));
}

TEST(VerdictLinesTest, SayWhatWasExpectedAndWhatWasFound) {
  reports::ScenarioResult s;
  s.name = "churn";
  reports::ModelResult m;
  m.model = "reorder";
  m.states_checked = 12345;
  m.seconds = 3.2;
  s.models = {m};
  const reports::RunInfo whole;
  EXPECT_THAT(verdict_lines(s, whole), ElementsAre("PASS churn [reorder] 12,345 states, 0 violations (3.2 s)"));
  // The distinct states and the duplicates add up to what the progress line counted.
  s.models[0].duplicates_skipped = 1560;
  EXPECT_THAT(verdict_lines(s, whole),
              ElementsAre("PASS churn [reorder] 12,345 states (+1,560 duplicates), 0 violations (3.2 s)"));
  s.models[0].duplicates_skipped = 0;

  s.expect = {true, "durability"};
  EXPECT_THAT(verdict_lines(s, whole),
              ElementsAre("FAIL churn [reorder] expected violation of 'durability', found none in 12,345 states"));

  s.expect = {};
  s.models[0].violation_counts = {{"atomicity", 3}};
  reports::Violation v;
  v.state_id = "412:reorder:b";
  v.invariant = "atomicity";
  v.replay = "crashsim replay x";
  s.models[0].violations = {v};
  EXPECT_THAT(verdict_lines(s, whole), ElementsAre("FAIL churn [reorder] found 3 violations of 'atomicity' (first of "
                                                   "each: atomicity at state 412:reorder:b) \u2014 replay: crashsim "
                                                   "replay x"));

  s.expect = {true, "atomicity"};
  EXPECT_THAT(verdict_lines(s, whole), ElementsAre("CAUGHT churn [reorder] 12,345 states, expected violation of "
                                                   "'atomicity' found: 3 violations of 'atomicity' (3.2 s)"));

  s.error = "record the workload: failed";
  EXPECT_THAT(verdict_lines(s, whole), ElementsAre("FAIL churn [workload] error: record the workload: failed"));
}

TEST(VerdictLinesTest, LeadWithTheExpectedInvariantAndShowTheFirstOfEachKind) {
  reports::ScenarioResult s;
  s.name = "mutant";
  s.expect = {true, "durability"};
  reports::ModelResult m;
  m.model = "process-crash";
  m.states_checked = 9;
  m.seconds = 0.5;
  m.violation_counts = {{"durability", 2}, {"recovery", 1}, {"writable-after-recovery", 14}};
  for (const auto& [id, invariant] : std::vector<std::pair<std::string, std::string>>{
           {"3:process-crash", "writable-after-recovery"}, {"5:process-crash", "writable-after-recovery"},
           {"28:process-crash", "durability"}, {"30:process-crash", "recovery"}}) {
    reports::Violation v;
    v.state_id = id;
    v.invariant = invariant;
    v.replay = "crashsim replay --state " + id;
    m.violations.push_back(v);
  }
  s.models = {m};
  reports::RunInfo shard_one;
  shard_one.shards = {"1/2"};
  // The expected invariant was found: caught, with it first in the counts.
  EXPECT_THAT(verdict_lines(s, shard_one),
              ElementsAre("CAUGHT mutant [process-crash] 9 states, expected violation of 'durability' found: 2 "
                          "violations of 'durability', 1 of 'recovery', 14 of 'writable-after-recovery' (0.500 s)"));

  // Not found: a whole run fails naming the first state of each kind it did find, the replay of the first.
  s.expect = {true, "atomicity"};
  EXPECT_THAT(verdict_lines(s, reports::RunInfo{}),
              ElementsAre("FAIL mutant [process-crash] expected violation of 'atomicity', found only 2 violations of "
                          "'durability', 1 of 'recovery', 14 of 'writable-after-recovery' (first of each: durability "
                          "at state 28:process-crash, recovery at state 30:process-crash, writable-after-recovery at "
                          "state 3:process-crash) \u2014 replay: crashsim replay --state 28:process-crash"));
  // ... and one shard of two defers it to the merge.
  EXPECT_THAT(verdict_lines(s, shard_one),
              ElementsAre("DEFERRED mutant [process-crash] expected violation of 'atomicity', none among this "
                          "report's 9 states (shard 1/2): another shard may hold it, the merged report decides"));
}

}  // namespace
}  // namespace crashsim::tool
