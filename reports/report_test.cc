#include "reports/report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "reports/sample_report.h"

namespace reports {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
namespace t = reports::testing;

ModelResult found(std::map<std::string, uint64_t> counts, std::string error = {}) {
  ModelResult m;
  m.model = "reorder";
  m.states_checked = 10;
  m.violation_counts = std::move(counts);
  m.error = std::move(error);
  return m;
}

TEST(Verdict, PassNeedsNoViolationAtAll) {
  const Expectation pass;
  EXPECT_TRUE(case_passed(pass, found({})));
  EXPECT_TRUE(case_passed(pass, found({{"durability", 0}})));
  EXPECT_FALSE(case_passed(pass, found({{"leak", 1}})));
  EXPECT_FALSE(case_passed(pass, found({}, "open failed")));
}

TEST(Verdict, ViolationNeedsOneOfTheNamedInvariant) {
  const Expectation want{true, "durability"};
  EXPECT_TRUE(case_passed(want, found({{"durability", 2}})));
  EXPECT_TRUE(case_passed(want, found({{"durability", 1}, {"structure", 5}})));  // others may come along
  EXPECT_FALSE(case_passed(want, found({{"structure", 5}})));
  EXPECT_FALSE(case_passed(want, found({})));
  EXPECT_FALSE(case_passed(want, found({{"durability", 3}}, "crashed")));
}

TEST(Verdict, ACaseThatCheckedNoStateFailsUnlessTheScenarioAllowsIt) {
  ModelResult nothing = found({});
  nothing.states_checked = 0;
  EXPECT_FALSE(case_passed(Expectation{}, nothing));
  EXPECT_EQ(describe_findings(nothing), "no crash state checked");
  Expectation allowed;
  allowed.allow_no_states = true;
  EXPECT_TRUE(case_passed(allowed, nothing));
  ModelResult only_inside_recovery = nothing;
  only_inside_recovery.recovery_states_checked = 1;
  EXPECT_TRUE(case_passed(Expectation{}, only_inside_recovery));
  ModelResult caught = found({{"durability", 1}});
  caught.states_checked = 0;
  EXPECT_FALSE(case_passed(Expectation{true, "durability"}, caught));
}

TEST(Verdict, ChecksAreEvidenceNotClaims) {
  EXPECT_TRUE(check_passed(Expectation{}, found({})));
  EXPECT_FALSE(check_passed(Expectation{}, found({{"workload-read", 1}})));
  EXPECT_TRUE(check_passed(Expectation{true, "durability"}, found({})));
  EXPECT_TRUE(check_passed(Expectation{true, "durability"}, found({{"workload-read", 1}})));
  EXPECT_FALSE(check_passed(Expectation{true, "durability"}, found({}, "error")));
}

// No crash state can show a wrong read during the workload: a scenario that
// expects one is caught by its recorded run's check, its cases clean.
TEST(Verdict, AnInvariantOfTheRecordedRunIsFoundByItsCheck) {
  ScenarioResult s;
  s.expect = Expectation{true, "snapshot-isolation"};
  s.models.push_back(found({}));
  EXPECT_EQ(case_or_check_verdict(s, s.models[0], false), Verdict::kFail);  // nothing found it
  ModelResult workload = found({{"snapshot-isolation", 2}});
  workload.model = "workload";
  s.checks.push_back(workload);
  EXPECT_EQ(case_or_check_verdict(s, s.models[0], false), Verdict::kCaught);
  EXPECT_EQ(case_or_check_verdict(s, s.checks[0], true), Verdict::kCaught);
  EXPECT_TRUE(scenario_passed(s));
  s.models[0] = found({{"durability", 1}});  // the crash states are held to a clean scenario's rules
  EXPECT_EQ(case_or_check_verdict(s, s.models[0], false), Verdict::kFail);
  s.checks[0] = found({{"workload-read", 1}});
  s.models[0] = found({});
  EXPECT_EQ(case_or_check_verdict(s, s.models[0], false), Verdict::kFail);  // another invariant
  EXPECT_FALSE(judged_on_recorded_run(Expectation{true, "durability"}));
  EXPECT_FALSE(judged_on_recorded_run(Expectation{}));
}

// A mutant that never fired proves nothing, whatever the scenario expects.
TEST(Verdict, TheMutantCheckIsAClaimOfItsOwn) {
  ModelResult not_reached = found({{"mutant-not-reached", 1}});
  not_reached.model = std::string(kMutantCheck);
  EXPECT_FALSE(check_passed(Expectation{true, "durability"}, not_reached));
  EXPECT_FALSE(check_passed(Expectation{}, not_reached));
  ScenarioResult s = t::sample_report().scenarios[t::kCaughtMutant];
  ASSERT_TRUE(scenario_passed(s));
  s.checks.push_back(not_reached);
  EXPECT_FALSE(scenario_passed(s));
}

TEST(ReportJson, MutantFiredRoundTripsAndIsOptional) {
  Report r = t::sample_report();
  r.scenarios[t::kCaughtMutant].mutant_fired = 17;
  const json doc = report_to_json(r);
  EXPECT_EQ(doc["scenarios"][t::kCaughtMutant]["mutant_fired"], 17);
  EXPECT_FALSE(doc["scenarios"][t::kPassingChurn].contains("mutant_fired"));
  auto back = report_from_json(doc);
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(back->scenarios[t::kCaughtMutant].mutant_fired, std::optional<uint64_t>(17));
  EXPECT_EQ(back->scenarios[t::kPassingChurn].mutant_fired, std::nullopt);
}

TEST(Verdict, ACaughtMutantIsLabelledSoAndAPartialReportDefersWhatItDidNotFind) {
  const Expectation want{true, "atomicity"};
  EXPECT_EQ(case_verdict(Expectation{}, found({})), Verdict::kPass);
  EXPECT_EQ(case_verdict(want, found({{"atomicity", 8}, {"recovery", 63}})), Verdict::kCaught);
  EXPECT_EQ(case_verdict(want, found({{"recovery", 63}})), Verdict::kFail);
  EXPECT_EQ(case_verdict(want, found({{"recovery", 63}}), /*partial=*/true), Verdict::kDeferred);
  EXPECT_EQ(case_verdict(want, found({}, "crashed"), /*partial=*/true), Verdict::kFail);
  EXPECT_EQ(case_verdict(Expectation{}, found({{"leak", 1}}), /*partial=*/true), Verdict::kFail);
  EXPECT_EQ(check_verdict(want, found({{"durability", 2}})), Verdict::kCaught);
  EXPECT_EQ(verdict_label(Verdict::kCaught), "CAUGHT");
  EXPECT_EQ(verdict_label(Verdict::kDeferred), "DEFERRED");

  RunInfo run;
  EXPECT_FALSE(is_partial(run));
  run.shards = {"2/3"};
  EXPECT_TRUE(is_partial(run));
  EXPECT_EQ(missing_shards(run), (std::vector<std::string>{"1/3", "3/3"}));
  run.shards = {"1/3", "2/3", "3/3"};
  EXPECT_FALSE(is_partial(run));
}

TEST(Verdict, ViolationsAreShownTheFirstOfEachInvariantFirstTheExpectedOneLeading) {
  ModelResult m = found({{"atomicity", 2}, {"recovery", 3}, {"leak", 1}});
  for (const char* id_and_invariant : {"3:recovery", "4:recovery", "5:leak", "9:recovery", "12:atomicity", "20:atomicity"}) {
    const std::string s = id_and_invariant;
    Violation v;
    v.state_id = s.substr(0, s.find(':')) + ":torn";
    v.invariant = s.substr(s.find(':') + 1);
    m.violations.push_back(v);
  }
  std::vector<std::string> order;
  for (const Violation* v : showing_order(m, Expectation{true, "atomicity"})) order.push_back(v->state_id);
  EXPECT_EQ(order, (std::vector<std::string>{"12:torn", "5:torn", "3:torn", "4:torn", "9:torn", "20:torn"}));
  order.clear();
  for (const Violation* v : showing_order(m, Expectation{true, "recovery"})) order.push_back(v->state_id);
  EXPECT_EQ(order, (std::vector<std::string>{"3:torn", "12:torn", "5:torn", "4:torn", "9:torn", "20:torn"}));
  EXPECT_EQ(showing_order(m, Expectation{}, 2).size(), 2u);
  EXPECT_EQ(showing_order(m, Expectation{}).front()->state_id, "12:torn");  // by name: atomicity, leak, recovery
  EXPECT_EQ(describe_findings(m, Expectation{true, "recovery"}), "recovery \u00d73, atomicity \u00d72, leak \u00d71");
}

TEST(Verdict, ScenarioNeedsEveryCaseAndARun) {
  const Report r = t::sample_report();
  EXPECT_TRUE(scenario_passed(r.scenarios[t::kPassingChurn]));
  EXPECT_TRUE(scenario_passed(r.scenarios[t::kCaughtMutant]));
  EXPECT_FALSE(scenario_passed(r.scenarios[t::kFailingCheckpoint]));  // one model of two failed
  EXPECT_FALSE(scenario_passed(r.scenarios[t::kMissedMutant]));
  EXPECT_FALSE(scenario_passed(r.scenarios[t::kHostileNames]));
  EXPECT_FALSE(scenario_passed(r.scenarios[t::kWorkloadError]));
  ScenarioResult empty = r.scenarios[t::kPassingChurn];
  empty.models.clear();
  EXPECT_FALSE(scenario_passed(empty));
}

TEST(Verdict, Descriptions) {
  EXPECT_EQ(describe_expectation(Expectation{}), "pass");
  EXPECT_EQ(describe_expectation(Expectation{true, "leak"}), "violation of leak");
  EXPECT_EQ(describe_findings(found({})), "no violations");
  EXPECT_EQ(describe_findings(found({{"durability", 3}, {"leak", 1}})), "durability \u00d73, leak \u00d71");
  EXPECT_EQ(describe_findings(found({{"leak", 1}}, "boom")), "error: boom");
}

TEST(Totals, CountCasesChecksAndErroredWorkloads) {
  const Totals tot = compute_totals(t::sample_report());
  EXPECT_EQ(tot.scenarios, 6u);
  EXPECT_EQ(tot.scenarios_passed, 2u);
  // 1 + 1 + 2 + 1 + (1 model + 1 check) + 1 errored workload
  EXPECT_EQ(tot.cases, 8u);
  EXPECT_EQ(tot.cases_passed, 4u);  // churn, caught, checkpoint/reorder, hostile's workload check
  EXPECT_EQ(tot.violations, 3u + 2u + 1u);  // caught mutant, failing checkpoint, workload check
}

TEST(ReportJson, RoundTripsTheSample) {
  const Report r = t::sample_report();
  const json doc = report_to_json(r);
  auto back = report_from_json(doc);
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(report_to_json(*back), doc);
  EXPECT_EQ(doc["format"], "crashsim-report");
  EXPECT_EQ(doc["totals"]["scenarios_passed"], 2);
  EXPECT_EQ(doc["scenarios"][t::kFailingCheckpoint]["verdict"], "fail");
  EXPECT_EQ(doc["scenarios"][t::kFailingCheckpoint]["models"][1]["verdict"], "pass");
  EXPECT_EQ(doc["scenarios"][t::kCaughtMutant]["models"][0]["violations"][0]["timeline"]["crash_point"], 31);
  EXPECT_EQ(doc["scenarios"][t::kCaughtMutant]["system"], "engine[no-commit-record]");
}

TEST(ReportJson, DerivedFieldsAreRecomputedNotTrusted) {
  json doc = report_to_json(t::sample_report());
  doc["scenarios"][t::kMissedMutant]["verdict"] = "pass";
  doc["scenarios"][t::kMissedMutant]["models"][0]["verdict"] = "pass";
  doc["totals"]["scenarios_passed"] = 6;
  auto back = report_from_json(doc);
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  const json again = report_to_json(*back);
  EXPECT_EQ(again["scenarios"][t::kMissedMutant]["verdict"], "fail");
  EXPECT_EQ(again["totals"]["scenarios_passed"], 2);
}

struct Tamper {
  const char* what;
  std::function<void(json&)> change;
  const char* pointer;
  const char* message;
};

TEST(ReportJson, ReadingIsStrictAndNamesThePointer) {
  const std::vector<Tamper> cases = {
      {"unknown field", [](json& d) { d["scenarios"][0]["models"][0]["bogus"] = 1; },
       "/scenarios/0/models/0/bogus", "unknown field 'bogus'"},
      {"wrong type", [](json& d) { d["scenarios"][0]["models"][0]["states_checked"] = "many"; },
       "/scenarios/0/models/0/states_checked", "expected an integer"},
      {"missing field", [](json& d) { d["run"].erase("started"); }, "/run/started",
       "missing required field 'started'"},
      {"bad shard", [](json& d) { d["run"]["shards"] = {"3/2"}; }, "/run/shards/0", "is not I/N"},
      {"shards of two runs", [](json& d) { d["run"]["shards"] = {"1/2", "2/3"}; }, "/run/shards/1",
       "is of another run than shard '1/2'"},
      {"format version", [](json& d) { d["version"] = 2; }, "/version", "not supported"},
      {"duplicate scenario", [](json& d) { d["scenarios"].push_back(d["scenarios"][0]); }, "/scenarios/6",
       "appears twice"},
      {"more listed than counted",
       [](json& d) { d["scenarios"][1]["models"][0]["violation_counts"]["atomicity"] = 0; },
       "/scenarios/1/models/0/violation_counts", "counts 0 'atomicity' violations but lists 1"},
      {"lane not in files",
       [](json& d) { d["scenarios"][1]["models"][0]["violations"][0]["timeline"]["ops"][0]["file"] = "nope"; },
       "/scenarios/1/models/0/violations/0/timeline/ops/0/file", "not in the timeline's files"},
      {"ops out of order",
       [](json& d) { d["scenarios"][1]["models"][0]["violations"][0]["timeline"]["ops"][1]["index"] = 1; },
       "/scenarios/1/models/0/violations/0/timeline/ops/1/index", "ascending"},
      {"unknown fate",
       [](json& d) { d["scenarios"][1]["models"][0]["violations"][0]["timeline"]["ops"][0]["fate"] = "lost"; },
       "/scenarios/1/models/0/violations/0/timeline/ops/0/fate", "unknown fate 'lost'"},
      {"expect pass with invariant", [](json& d) { d["scenarios"][0]["expect"]["invariant"] = "leak"; },
       "/scenarios/0/expect/invariant", "only allowed with verdict 'violation'"},
      {"model twice", [](json& d) { d["scenarios"][2]["models"][1]["model"] = "lose-unsynced"; },
       "/scenarios/2/models/1", "'lose-unsynced' appears twice"},
      {"fault count not a count",
       [](json& d) { d["scenarios"][4]["models"][0]["fault_regions"]["wal-header"]["silent"] = -1; },
       "/scenarios/4/models/0/fault_regions/wal-header/silent", "expected"},
      {"fault count missing", [](json& d) { d["scenarios"][4]["models"][0]["fault_regions"]["wal-header"].erase("drawn"); },
       "/scenarios/4/models/0/fault_regions/wal-header/drawn", "missing required field 'drawn'"},
  };
  for (const Tamper& c : cases) {
    json doc = report_to_json(t::sample_report());
    c.change(doc);
    auto r = report_from_json(doc, "shard.json");
    ASSERT_FALSE(r.ok()) << c.what;
    EXPECT_THAT(r.status().message(), HasSubstr(std::string("shard.json (") + c.pointer + "): ")) << c.what;
    EXPECT_THAT(r.status().message(), HasSubstr(c.message)) << c.what;
  }
}

TEST(ReportJson, EveryProblemIsReportedAtOnce) {
  json doc = report_to_json(t::sample_report());
  doc["run"]["jobs"] = 0;
  doc["scenarios"][0]["index"] = -1;
  doc["extra"] = true;
  auto r = report_from_json(doc);
  ASSERT_FALSE(r.ok());
  const std::string message = r.status().message();
  EXPECT_EQ(std::count(message.begin(), message.end(), '\n'), 2) << message;
}

TEST(ReportJson, NotAnObject) {
  auto r = report_from_json(json::array());
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("report (/): expected an object, got array"));
}

}  // namespace
}  // namespace reports
