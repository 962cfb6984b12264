#include "reports/kill_matrix.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "reports/html.h"
#include "reports/junit.h"
#include "reports/report.h"
#include "reports/summary.h"

namespace reports {
namespace {

using ::testing::HasSubstr;

PairRun run_of(PairOutcome outcome, std::vector<std::string> invariants = {}) {
  PairRun run;
  run.outcome = outcome;
  run.invariants = std::move(invariants);
  run.fired = outcome == PairOutcome::kNotReached ? 0 : 3;
  run.states_checked = 40;
  run.seconds = 0.5;
  return run;
}

// Two mutants, two scenarios: no-data-fsync killed by recovery, and by
// durability once the engine's cross-checks are off; the other survives.
KillMatrix sample_matrix() {
  KillMatrix m;
  m.mutants = {"no-data-fsync", "checksum-skips-page-number"};
  m.scenarios = {"churn", "torn"};
  m.max_states = 300;
  Pair caught{"no-data-fsync", "churn", run_of(PairOutcome::kKilled, {"recovery"}),
              run_of(PairOutcome::kKilled, {"durability", "atomicity"})};
  m.pairs = {caught,
             {"no-data-fsync", "torn", run_of(PairOutcome::kNotReached), std::nullopt},
             {"checksum-skips-page-number", "churn", run_of(PairOutcome::kSurvived), std::nullopt},
             {"checksum-skips-page-number", "torn", run_of(PairOutcome::kSurvived), std::nullopt}};
  return m;
}

// A report of crashsim mutants: a run and the sample matrix, no scenarios.
Report report_of_sample_matrix() {
  Report r;
  r.run.tool_version = "1";
  r.run.started = "2024-05-01T10:00:00Z";
  r.kill_matrix = sample_matrix();
  return r;
}

TEST(KillMatrix, AMutantIsKilledWhenSomePairKilledIt) {
  const KillMatrix m = sample_matrix();
  EXPECT_TRUE(mutant_killed(m, "no-data-fsync"));
  EXPECT_FALSE(mutant_killed(m, "checksum-skips-page-number"));
  EXPECT_EQ(mutants_killed(m), 1u);
  EXPECT_FALSE(every_mutant_killed(m));
  EXPECT_EQ(killing_pairs(m, "no-data-fsync").size(), 1u);
  const RowCounts c = row_counts(m, "checksum-skips-page-number");
  EXPECT_EQ(c.survived, 2u);
  EXPECT_EQ(c.killed + c.not_reached + c.errors, 0u);
  EXPECT_EQ(describe_pair(m.pairs[0]), "recovery; cross-checks off: durability");
  EXPECT_EQ(describe_pair(m.pairs[1]), "not reached");
}

TEST(KillMatrix, RoundTripsThroughTheReportAndRecomputesVerdicts) {
  nlohmann::json doc = report_to_json(report_of_sample_matrix());
  EXPECT_EQ(doc["kill_matrix"]["mutants_killed"], 1);
  EXPECT_EQ(doc["kill_matrix"]["mutants"][0]["killed_by"], nlohmann::json({"churn"}));
  doc["kill_matrix"]["mutants"][1]["verdict"] = "killed";  // derived: not trusted
  auto back = report_from_json(doc);
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  ASSERT_TRUE(back->kill_matrix.has_value());
  EXPECT_FALSE(mutant_killed(*back->kill_matrix, "checksum-skips-page-number"));
  EXPECT_EQ(back->kill_matrix->pairs[0].cross_checks_off->invariants,
            (std::vector<std::string>{"durability", "atomicity"}));
  EXPECT_FALSE(report_passed(*back));
}

TEST(KillMatrix, ReadingRefusesPairsOutsideTheMatrixAndKillsWithoutAnInvariant) {
  nlohmann::json doc = report_to_json(report_of_sample_matrix());
  doc["kill_matrix"]["pairs"][2]["scenario"] = "elsewhere";
  doc["kill_matrix"]["pairs"][3]["run"]["outcome"] = "killed";
  const auto back = report_from_json(doc);
  ASSERT_FALSE(back.ok());
  EXPECT_THAT(back.status().message(), HasSubstr("/kill_matrix/pairs/2"));
  EXPECT_THAT(back.status().message(), HasSubstr("(checksum-skips-page-number, elsewhere) is not in the matrix"));
  EXPECT_THAT(back.status().message(), HasSubstr("/kill_matrix/pairs/3/run"));
  EXPECT_THAT(back.status().message(), HasSubstr("names the invariant that killed it"));
}

TEST(KillMatrix, EveryRenderingShowsIt) {
  const Report r = report_of_sample_matrix();
  const std::string html = render_html(r);
  EXPECT_THAT(html, HasSubstr("<h2>Kill matrix</h2>"));
  EXPECT_THAT(html, HasSubstr("recovery \u2192 durability"));
  EXPECT_THAT(html, HasSubstr("badge fail"));
  const std::string summary = render_summary(r);
  EXPECT_THAT(summary, HasSubstr("1 of 2 mutants killed"));
  EXPECT_THAT(summary, HasSubstr("nothing: survived 2, not reached 0, errors 0"));
  const std::string junit = render_junit(r);
  EXPECT_THAT(junit, HasSubstr("<testsuite name=\"mutants\" tests=\"2\" failures=\"1\""));
  EXPECT_THAT(junit, HasSubstr("mutant checksum-skips-page-number survived"));
}

}  // namespace
}  // namespace reports
