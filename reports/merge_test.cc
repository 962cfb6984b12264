#include "reports/merge.h"

#include <algorithm>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "reports/sample_report.h"

namespace reports {
namespace {

using ::testing::HasSubstr;
namespace t = reports::testing;

// Shard `i` of `n` of the sample run, holding the given scenarios.
Report shard(int i, int n, std::vector<size_t> scenarios) {
  const Report all = t::sample_report();
  Report r;
  r.run = all.run;
  r.run.shards = {std::to_string(i) + "/" + std::to_string(n)};
  r.run.started = "2024-05-01T10:0" + std::to_string(i) + ":00Z";
  r.run.duration_seconds = 10.0 * i;
  for (size_t s : scenarios) r.scenarios.push_back(all.scenarios[s]);
  return r;
}

TEST(Merge, ShardsOfDisjointScenariosComeBackInCatalogOrder) {
  const std::vector<Report> shards = {shard(2, 2, {t::kHostileNames, t::kCaughtMutant, t::kMissedMutant}),
                                      shard(1, 2, {t::kWorkloadError, t::kFailingCheckpoint, t::kPassingChurn})};
  auto merged = merge_parsed_reports(shards);
  ASSERT_TRUE(merged.ok()) << merged.status().to_string();
  std::vector<std::string> names;
  for (const ScenarioResult& s : merged->scenarios) names.push_back(s.name);
  const Report all = t::sample_report();
  // ci.json by index (2, 3, 6, 18), then extended.json (0, 1): the sample's own order.
  std::vector<std::string> expected;
  for (const ScenarioResult& s : all.scenarios) expected.push_back(s.name);
  EXPECT_EQ(names, expected);
  EXPECT_EQ(merged->run.shards, (std::vector<std::string>{"1/2", "2/2"}));
  EXPECT_EQ(merged->run.started, "2024-05-01T10:01:00Z");
  EXPECT_EQ(merged->run.duration_seconds, 20.0);
  EXPECT_EQ(merged->run.jobs, 4u);
  EXPECT_TRUE(merged->run.command.empty());
  EXPECT_EQ(compute_totals(*merged).scenarios_passed, 2u);
}

TEST(Merge, ACaseSplitAcrossShardsAddsUpAndRecomputesItsVerdict) {
  // The missed mutant's states split in two: shard 2 finds the violation.
  Report a = shard(1, 2, {t::kMissedMutant});
  Report b = shard(2, 2, {t::kMissedMutant});
  ModelResult& found = b.scenarios[0].models[0];
  found.violation_counts = {{"recovery", 2}};
  Violation v;
  v.state_id = "40:lose-unsynced";
  v.invariant = "recovery";
  v.expected = "open succeeds";
  v.observed = "corruption";
  v.replay = "crashsim replay ...";
  found.violations = {v};
  found.recovery_paths = {{"checkpoint-redone", 5}};
  a.scenarios[0].models[0].recovery_paths = {{"checkpoint-redone", 1}, {"torn-tail-discarded", 2}};
  found.fault_regions = {{"wal-header", {4, 1, 1, 0, 1, 2, 1, 0}}};
  a.scenarios[0].models[0].fault_regions = {{"wal-header", {3, 2, 0, 1, 0, 1, 0, 0}}, {"data-leaf", {2, 2, 0, 0, 0, 0, 0, 0}}};
  ASSERT_FALSE(scenario_passed(a.scenarios[0]));
  a.scenarios[0].models[0].nested_checked_by_depth = {10};
  found.nested_checked_by_depth = {5, 3};
  found.nested_after_new_writes = 4;

  auto merged = merge_parsed_reports(std::vector<Report>{a, b});
  ASSERT_TRUE(merged.ok()) << merged.status().to_string();
  const ModelResult& m = merged->scenarios[0].models[0];
  EXPECT_EQ(m.states_checked, 2 * a.scenarios[0].models[0].states_checked);
  EXPECT_EQ(m.states_total, a.scenarios[0].models[0].states_total);
  EXPECT_DOUBLE_EQ(m.seconds, 2 * a.scenarios[0].models[0].seconds);
  EXPECT_EQ(m.violation_counts.at("recovery"), 2u);
  EXPECT_EQ(m.violations.size(), 1u);
  EXPECT_EQ(m.recovery_paths.at("checkpoint-redone"), 6u);
  EXPECT_EQ(m.recovery_paths.at("torn-tail-discarded"), 2u);
  EXPECT_EQ(m.nested_checked_by_depth, (std::vector<uint64_t>{15, 3}));
  EXPECT_EQ(m.nested_after_new_writes, 4u);
  EXPECT_EQ(m.fault_regions.at("wal-header"), (FaultCounts{7, 3, 1, 1, 1, 3, 1, 0}));
  EXPECT_EQ(m.fault_regions.at("data-leaf"), (FaultCounts{2, 2, 0, 0, 0, 0, 0, 0}));
  EXPECT_TRUE(scenario_passed(merged->scenarios[0]));
}

TEST(Merge, WhatEveryShardRepeatsIsNotCountedTwice) {
  const Report a = shard(1, 2, {t::kHostileNames});
  const Report b = shard(2, 2, {t::kHostileNames});
  auto merged = merge_parsed_reports(std::vector<Report>{a, b});
  ASSERT_TRUE(merged.ok()) << merged.status().to_string();
  const ScenarioResult& s = merged->scenarios[0];
  ASSERT_EQ(s.checks.size(), 1u);
  EXPECT_EQ(s.checks[0].violation_counts.at("workload-read"), 1u);
  EXPECT_EQ(s.checks[0].violations.size(), 1u);
  EXPECT_EQ(s.at_risk.size(), 1u);
  // The same error from both shards is said once.
  EXPECT_EQ(s.models[0].error, a.scenarios[0].models[0].error);
}

// A mutant that fires only in the recovery of states shard 2 checked was
// reached by the run, although shard 1 never saw it fire.
TEST(Merge, AMutantReachedByOneShardWasReached) {
  Report a = shard(1, 2, {t::kCaughtMutant});
  Report b = shard(2, 2, {t::kCaughtMutant});
  ModelResult not_reached;
  not_reached.model = std::string(kMutantCheck);
  not_reached.violation_counts = {{"mutant-not-reached", 1}};
  a.scenarios[0].mutant_fired = 0;
  a.scenarios[0].checks.push_back(not_reached);
  b.scenarios[0].mutant_fired = 5;
  ASSERT_FALSE(scenario_passed(a.scenarios[0]));
  auto merged = merge_parsed_reports(std::vector<Report>{a, b});
  ASSERT_TRUE(merged.ok()) << merged.status().to_string();
  EXPECT_EQ(merged->scenarios[0].mutant_fired, std::optional<uint64_t>(5));
  EXPECT_TRUE(scenario_passed(merged->scenarios[0]));

  b.scenarios[0].mutant_fired = 0;
  b.scenarios[0].checks.push_back(not_reached);
  auto neither = merge_parsed_reports(std::vector<Report>{a, b});
  ASSERT_TRUE(neither.ok()) << neither.status().to_string();
  EXPECT_FALSE(scenario_passed(neither->scenarios[0]));
}

TEST(Merge, ViolationsAreUnitedByStateAndSortedByCrashPoint) {
  Report a = shard(1, 2, {t::kFailingCheckpoint});
  Report b = shard(2, 2, {t::kFailingCheckpoint});
  b.scenarios[0].models[0].violations[0].state_id = "99:lose-unsynced";  // new; 121 is in both
  auto merged = merge_parsed_reports(std::vector<Report>{a, b});
  ASSERT_TRUE(merged.ok()) << merged.status().to_string();
  std::vector<std::string> ids;
  for (const Violation& v : merged->scenarios[0].models[0].violations) ids.push_back(v.state_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"99:lose-unsynced", "120:lose-unsynced", "121:lose-unsynced"}));
  EXPECT_EQ(merged->scenarios[0].models[0].violation_counts.at("durability"), 4u);
}

TEST(Merge, RefusesReportsOfDifferentRuns) {
  struct Case {
    const char* what;
    std::function<void(Report&, Report&)> change;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"catalog digest", [](Report&, Report& b) { b.run.catalog_digest = "crc32:ffffffff"; },
       "report #2 (shard 2/2) ran a different catalog (digest crc32:ffffffff"},
      {"catalog files", [](Report&, Report& b) { b.run.catalog_files.pop_back(); }, "ran a different catalog"},
      {"overlap", [](Report&, Report& b) { b.run.shards = {"1/2"}; },
       "shard 1/2 is in both report #1 (shard 1/2) and report #2 (shard 1/2)"},
      {"unsharded", [](Report&, Report& b) { b.run.shards.clear(); },
       "report #2 (unsharded) covers the whole run, so it overlaps every other report"},
      {"shard count", [](Report&, Report& b) { b.run.shards = {"2/3"}; },
       "splits the run into 3 shards but an earlier report into 2"},
      {"tool version", [](Report&, Report& b) { b.run.tool_version = "0.2.0"; }, "was written by crashsim 0.2.0"},
      {"state space", [](Report&, Report& b) { b.scenarios[0].models[0].states_total += 1; },
       "scenario 'checkpoint-then-crash' case 'lose-unsynced': shards disagree on the crash states"},
      {"scenario fields", [](Report&, Report& b) { b.scenarios[0].expect = {true, "leak"}; },
       "scenario 'checkpoint-then-crash' differs between shards"},
      {"trace", [](Report& a, Report& b) { a.scenarios[0].trace_ops = 10; b.scenarios[0].trace_ops = 11; },
       "shards recorded different runs (trace entries 10 vs 11); the workload is not deterministic"},
  };
  for (const Case& c : cases) {
    Report a = shard(1, 2, {t::kFailingCheckpoint});
    Report b = shard(2, 2, {t::kFailingCheckpoint});
    c.change(a, b);
    auto merged = merge_parsed_reports(std::vector<Report>{a, b});
    ASSERT_FALSE(merged.ok()) << c.what;
    EXPECT_EQ(merged.status().code(), vfs::StatusCode::kInvalidArgument) << c.what;
    EXPECT_THAT(merged.status().message(), HasSubstr(c.message)) << c.what;
  }
  EXPECT_FALSE(merge_parsed_reports(std::vector<Report>{}).ok());
}

TEST(Merge, DocumentsAreReadStrictlyFirst) {
  nlohmann::json good = report_to_json(shard(1, 2, {t::kPassingChurn}));
  nlohmann::json bad = report_to_json(shard(2, 2, {t::kCaughtMutant}));
  bad["run"]["jobs"] = -1;
  auto merged = merge_reports({good, bad});
  ASSERT_FALSE(merged.ok());
  EXPECT_THAT(merged.status().message(), HasSubstr("report #2 (/run/jobs)"));

  auto ok = merge_reports({good, report_to_json(shard(2, 2, {t::kCaughtMutant}))});
  ASSERT_TRUE(ok.ok()) << ok.status().to_string();
  EXPECT_EQ((*ok)["totals"]["scenarios"], 2);
  EXPECT_EQ((*ok)["run"]["shards"], nlohmann::json({"1/2", "2/2"}));
}

TEST(Merge, AMissingShardIsRefusedUnlessAPartialMergeIsAskedFor) {
  const std::vector<Report> one_of_two = {shard(1, 2, {t::kMissedMutant, t::kPassingChurn})};
  auto refused = merge_parsed_reports(one_of_two);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), vfs::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(), HasSubstr("shard 2/2 of the run is missing (the reports hold 1/2)"));
  EXPECT_THAT(refused.status().message(), HasSubstr("--allow-partial"));
  const std::vector<Report> two_of_four = {shard(1, 4, {t::kPassingChurn}), shard(3, 4, {t::kPassingChurn})};
  auto two_missing = merge_parsed_reports(two_of_four);
  ASSERT_FALSE(two_missing.ok());
  EXPECT_THAT(two_missing.status().message(), HasSubstr("shards 2/4, 4/4 of the run are missing"));

  auto partial = merge_parsed_reports(one_of_two, /*allow_partial=*/true);
  ASSERT_TRUE(partial.ok()) << partial.status().to_string();
  EXPECT_TRUE(is_partial(partial->run));
  EXPECT_EQ(missing_shards(partial->run), std::vector<std::string>{"2/2"});
  // The mutant's expected violation may lie in shard 2: deferred, not failed, and the run passes.
  const ScenarioResult& missed = *std::find_if(partial->scenarios.begin(), partial->scenarios.end(),
                                               [](const ScenarioResult& s) { return s.name == "mutant-no-data-fsync"; });
  EXPECT_EQ(case_verdict(missed.expect, missed.models[0], true), Verdict::kDeferred);
  EXPECT_EQ(compute_totals(*partial).cases_deferred, 1u);
  EXPECT_EQ(compute_totals(*partial).scenarios_passed, 2u);
  // Once every shard is there, the same case fails.
  EXPECT_EQ(case_verdict(missed.expect, missed.models[0], false), Verdict::kFail);
}

TEST(Merge, ASingleReportComesBackAsItWas) {
  const Report r = t::sample_report();
  auto merged = merge_parsed_reports(std::vector<Report>{r});
  ASSERT_TRUE(merged.ok()) << merged.status().to_string();
  EXPECT_EQ(report_to_json(*merged), report_to_json(r));
}

}  // namespace
}  // namespace reports
