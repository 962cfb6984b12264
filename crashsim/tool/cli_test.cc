// The crashsim command line end to end, in-process: exit codes, messages,
// reports, replay, shards and merge, minimize.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include <nlohmann/json.hpp>

#include "crashsim/tool/exit_code.h"
#include "crashsim/tool/tool_test_util.h"
#include "reports/report_files.h"
#include "scenarios/catalog.h"
#include "vfs/posix_vfs.h"

namespace crashsim::tool {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::read_file;
using testing::run_cli;
using testing::TempDir;
using testing::write_file;

using Parts = std::vector<std::string>;

// Some line of the text starts with `first` and contains every one of `parts`.
MATCHER_P2(HasLine, first, parts, "") {
  std::istringstream lines(arg);
  for (std::string line; std::getline(lines, line);) {
    const size_t start = line.find_first_not_of(' ');
    if (start == std::string::npos || line.compare(start, std::string(first).size(), first) != 0) continue;
    bool all = true;
    for (const std::string& p : std::vector<std::string>(parts)) all = all && line.find(p) != std::string::npos;
    if (all) return true;
  }
  return false;
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    passing_ = dir_ / "passing.json";
    failing_ = dir_ / "failing.json";
    write_file(passing_, testing::passing_catalog());
    write_file(failing_, testing::failing_catalog());
  }

  nlohmann::json report(const std::string& out_dir) const {
    return nlohmann::json::parse(read_file(out_dir + "/report.json"));
  }

  // The case `model` of scenario `name` in a report.
  static const nlohmann::json& case_of(const nlohmann::json& report, const std::string& name,
                                       const std::string& model) {
    for (const auto& s : report["scenarios"]) {
      if (s["name"] != name) continue;
      for (const auto& m : s["models"]) {
        if (m["model"] == model) return m;
      }
    }
    ADD_FAILURE() << "no case " << name << " [" << model << "]";
    static const nlohmann::json none = nlohmann::json::object();
    return none;
  }

  TempDir dir_;
  std::string passing_;
  std::string failing_;
};

TEST_F(CliTest, EverySubcommandHasHelp) {
  for (const char* cmd : {"run", "list", "replay", "minimize", "merge"}) {
    const auto r = run_cli({cmd, "--help"});
    EXPECT_EQ(r.code, kExitOk) << cmd;
    EXPECT_THAT(r.out, HasSubstr(std::string("crashsim ") + cmd)) << cmd;
  }
  const auto top = run_cli({"--help"});
  EXPECT_EQ(top.code, kExitOk);
  EXPECT_THAT(top.out, AllOf(HasSubstr("run"), HasSubstr("replay"), HasSubstr("minimize"), HasSubstr("merge")));
}

TEST_F(CliTest, UsageErrorsExitTwoWithAMessageNamingTheFlag) {
  struct Case {
    std::vector<std::string> args;
    std::string names;
  };
  const std::vector<Case> cases = {
      {{}, "subcommand"},
      {{"run", passing_, "--bogus"}, "--bogus"},
      {{"run", passing_, "--jobs", "many"}, "--jobs"},
      {{"run", passing_, "--shard", "3/2"}, "--shard"},
      {{"run", passing_, "--shard", "x"}, "--shard"},
      {{"run", passing_, "--max-states", "0"}, "--max-states"},
      {{"run", passing_, "--model", "reordr"}, "--model"},
      {{"run", passing_, "--filter", "no-such-*"}, "--filter"},
      {{"replay", passing_, "--state", "1:lose-unsynced"}, "--scenario"},
      {{"replay", passing_, "--scenario", "nope", "--state", "1:lose-unsynced"}, "nope"},
      {{"replay", passing_, "--scenario", "tiny-clean", "--state", "1:rerorder"}, "--state"},
      {{"minimize", passing_}, "--scenario"},
      {{"merge"}, "dirs"},
  };
  for (const Case& c : cases) {
    const auto r = run_cli(c.args);
    std::string line;
    for (const std::string& a : c.args) line += a + " ";
    EXPECT_EQ(r.code, kExitUsage) << line << "\n" << r.out << r.err;
    EXPECT_THAT(r.err, AllOf(HasSubstr("crashsim: "), HasSubstr(c.names))) << line;
  }
  // A bound is refused in plain words, not with a range up to 1.8e308.
  const auto zero = run_cli({"run", passing_, "--max-states", "0"});
  EXPECT_THAT(zero.err, AllOf(HasSubstr("expected a number above 0, got '0'"), Not(HasSubstr("e+308"))));
}

TEST_F(CliTest, AMalformedCatalogExitsTwoNamingTheFileAndTheJsonPointer) {
  const std::string bad_model = dir_ / "bad-model.json";
  std::string text = testing::passing_catalog();
  text.replace(text.find(R"(["lose-unsynced", "reorder"])"), 28, R"("reordr")");
  write_file(bad_model, text);
  auto r = run_cli({"run", bad_model, "--out", dir_ / "out"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, AllOf(HasSubstr(bad_model), HasSubstr("/scenarios/0/crash/model"), HasSubstr("reordr")));
  EXPECT_EQ(r.out, "");
  EXPECT_FALSE(std::filesystem::exists(dir_ / "out/report.json"));

  const std::string broken = dir_ / "broken.json";
  write_file(broken, "{\"version\": 1,\n \"scenarios\": [}\n");
  r = run_cli({"list", broken});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, AllOf(HasSubstr(broken + ":2:"), HasSubstr("malformed JSON")));

  r = run_cli({"list", dir_ / "missing.json"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("missing.json"));
}

TEST_F(CliTest, ListShowsEachScenarioWithModelsExpectationMutantAndTags) {
  const auto r = run_cli({"list", passing_, failing_});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("SCENARIO"));
  EXPECT_THAT(r.out, HasLine("tiny-clean", Parts{"lose-unsynced,reorder", "pass", "tiny,clean"}));
  EXPECT_THAT(r.out, HasLine("torn-no-commit-record", Parts{"torn", "violation of atomicity", "no-commit-record"}));
  EXPECT_THAT(r.out, HasSubstr("4 scenarios from " + passing_ + ", " + failing_));
  const auto filtered =
      run_cli({"list", passing_, failing_, "--tag", "clean", "--filter", "tiny-*", "--model", "reorder"});
  EXPECT_THAT(filtered.out, AllOf(HasLine("tiny-clean", Parts{"reorder"}), Not(HasSubstr("lose-unsynced")),
                                  HasSubstr("1 scenario from ")));
}

TEST_F(CliTest, RunExitsZeroWhenEveryExpectationHoldsAndWritesTheReports) {
  const std::string out = dir_ / "out";
  const auto r = run_cli({"run", passing_, "--out", out, "--jobs", "2"});
  ASSERT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("PASS tiny-clean [lose-unsynced] "));
  EXPECT_THAT(r.out, HasSubstr("PASS tiny-clean [reorder] "));
  EXPECT_THAT(r.out, HasSubstr("CAUGHT torn-no-commit-record [torn] "));
  EXPECT_THAT(r.out, HasSubstr("expected violation of 'atomicity' found: "));
  EXPECT_THAT(r.out, HasSubstr("2 of 2 scenarios passed"));
  EXPECT_THAT(r.out, HasSubstr("reports: " + out + "/report.html"));
  for (const char* file : {"report.json", "junit.xml", "summary.md", "report.html"}) {
    EXPECT_TRUE(std::filesystem::exists(out + "/" + file)) << file;
  }
  // report.json reads back strictly; the mutant's trace was saved and its replay commands use it.
  const auto parsed = reports::read_report_file(vfs::default_vfs(), out + "/report.json");
  ASSERT_TRUE(parsed.ok()) << parsed.status().to_string();
  EXPECT_TRUE(std::filesystem::exists(out + "/traces/torn-no-commit-record.trace"));
  EXPECT_FALSE(std::filesystem::exists(out + "/traces/tiny-clean.trace"));
  const nlohmann::json doc = report(out);
  const auto& torn = case_of(doc, "torn-no-commit-record", "torn");
  ASSERT_FALSE(torn["violations"].empty());
  EXPECT_THAT(torn["violations"][0]["replay"].get<std::string>(),
              AllOf(HasSubstr("replay " + passing_ + " --scenario torn-no-commit-record --state "),
                    HasSubstr("--trace " + out + "/traces/torn-no-commit-record.trace")));
  EXPECT_TRUE(torn["violations"][0].contains("timeline"));
}

TEST_F(CliTest, RunExitsOneWhenAnExpectationFailsAndSaysHowToReplayIt) {
  const auto r = run_cli({"run", failing_, "--out", dir_ / "out"});
  EXPECT_EQ(r.code, kExitFailed) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("FAIL clean-expected-to-fail [lose-unsynced] expected violation of 'durability', "
                               "found none in "));
  EXPECT_THAT(r.out, AllOf(HasSubstr("FAIL mutant-expected-to-pass [torn] found "), HasSubstr("of 'atomicity'"),
                           HasSubstr("(first of each: atomicity at state "),
                           HasSubstr(" — replay: crashsim replay " + failing_)));
  EXPECT_THAT(r.out, HasSubstr("0 of 2 scenarios passed"));
}

TEST_F(CliTest, MaxStatesCapsEveryModel) {
  const std::string out = dir_ / "out";
  // Seven states may miss the mutant's violation, so the run may fail; it must not check more.
  ASSERT_NE(run_cli({"run", passing_, "--out", out, "--max-states", "7"}).code, kExitUsage);
  const nlohmann::json doc = report(out);
  for (const auto& s : doc["scenarios"]) {
    for (const auto& m : s["models"]) EXPECT_LE(m["states_checked"].get<uint64_t>(), 7u) << s["name"];
  }
  EXPECT_EQ(case_of(doc, "torn-no-commit-record", "torn")["states_checked"], 7u);
  EXPECT_TRUE(case_of(doc, "torn-no-commit-record", "torn")["sampled"].get<bool>());
}

TEST_F(CliTest, ShardsCheckTheStatesOfTheWholeRunAndMergeIntoItsReport) {
  const std::string whole = dir_ / "whole";
  ASSERT_EQ(run_cli({"run", passing_, "--out", whole}).code, kExitOk);
  std::vector<std::string> shard_dirs;
  for (const char* shard : {"1/2", "2/2"}) {
    shard_dirs.push_back(dir_ / (std::string("shard-") + shard[0]));
    const auto r = run_cli({"run", passing_, "--out", shard_dirs.back(), "--shard", shard});
    // A shard may hold none of the mutant's violating states: that defers the verdict to the merge, it does
    // not fail the shard.
    EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
    EXPECT_THAT(r.out, HasSubstr("partial: this report holds shard " + std::string(shard)));
  }
  const std::string merged = dir_ / "merged";
  const auto m = run_cli({"merge", shard_dirs[0], shard_dirs[1], "--out", merged});
  ASSERT_EQ(m.code, kExitOk) << m.out << m.err;
  EXPECT_THAT(m.out, AllOf(HasSubstr("merged 2 reports (shards 1/2 2/2)"), HasSubstr("2 of 2 scenarios passed")));
  const nlohmann::json a = report(whole);
  const nlohmann::json b = report(merged);
  for (const auto& [name, model] : std::vector<std::pair<std::string, std::string>>{
           {"tiny-clean", "lose-unsynced"}, {"tiny-clean", "reorder"}, {"torn-no-commit-record", "torn"}}) {
    const auto& x = case_of(a, name, model);
    const auto& y = case_of(b, name, model);
    for (const char* field : {"verdict", "crash_points", "states_generated", "states_checked", "duplicates_skipped",
                              "violation_counts", "states_total"}) {
      EXPECT_EQ(x[field], y[field]) << name << " [" << model << "] " << field;
    }
  }
  // Overlapping shards, and an unsharded report, are refused.
  const auto twice = run_cli({"merge", shard_dirs[0], shard_dirs[0], "--out", dir_ / "bad"});
  EXPECT_EQ(twice.code, kExitUsage);
  EXPECT_THAT(twice.err, HasSubstr("1/2"));
  EXPECT_EQ(run_cli({"merge", whole, shard_dirs[1], "--out", dir_ / "bad"}).code, kExitUsage);
  // One shard of two is not the run: refused, naming the missing shard, unless a partial merge is asked for.
  const auto alone = run_cli({"merge", shard_dirs[0], "--out", dir_ / "alone"});
  EXPECT_EQ(alone.code, kExitUsage);
  EXPECT_THAT(alone.err, HasSubstr("shard 2/2 of the run is missing"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "alone/report.json"));
  const auto partial = run_cli({"merge", shard_dirs[0], "--out", dir_ / "partial", "--allow-partial"});
  EXPECT_EQ(partial.code, kExitOk) << partial.out << partial.err;
  EXPECT_THAT(partial.out, HasSubstr("partial: this report holds shard 1/2 of the run, shard 2/2 is missing"));
  EXPECT_THAT(read_file(dir_ / "partial/summary.md"), HasSubstr("Crash simulation (partial)"));
  EXPECT_THAT(read_file(dir_ / "partial/junit.xml"), HasSubstr("<testsuites name=\"crashsim (partial)\""));
  EXPECT_THAT(read_file(dir_ / "partial/report.html"), HasSubstr("PARTIAL"));
}

TEST_F(CliTest, TheShardCanComeFromTheEnvironmentAsCiSystemsSetIt) {
  struct Env {
    const char* index;
    const char* total;
    const char* recorded;  // in report.json; nullptr: a usage error naming the variables
  };
  for (const Env& e : {Env{"GTEST_SHARD_INDEX=1", "GTEST_TOTAL_SHARDS=2", "2/2"},
                       Env{"CI_NODE_INDEX=1", "CI_NODE_TOTAL=2", "1/2"},
                       Env{"CI_NODE_INDEX=3", "CI_NODE_TOTAL=2", nullptr},
                       Env{"GTEST_SHARD_INDEX=x", "GTEST_TOTAL_SHARDS=2", nullptr}}) {
    const std::string index(e.index), total(e.total);
    const std::string index_name = index.substr(0, index.find('=')), total_name = total.substr(0, total.find('='));
    ::setenv(index_name.c_str(), index.substr(index.find('=') + 1).c_str(), 1);
    ::setenv(total_name.c_str(), total.substr(total.find('=') + 1).c_str(), 1);
    const std::string out = dir_ / ("env-" + index_name + index.substr(index.find('=') + 1));
    const auto r = run_cli({"run", passing_, "--out", out, "--filter", "tiny-*"});
    ::unsetenv(index_name.c_str());
    ::unsetenv(total_name.c_str());
    if (e.recorded == nullptr) {
      EXPECT_EQ(r.code, kExitUsage) << index;
      EXPECT_THAT(r.err, AllOf(HasSubstr(index), HasSubstr(total_name))) << index;
      continue;
    }
    ASSERT_EQ(r.code, kExitOk) << index << r.out << r.err;
    EXPECT_THAT(r.err, HasSubstr("shard " + std::string(e.recorded) + " (from " + index));
    EXPECT_EQ(report(out)["run"]["shards"], nlohmann::json::array({e.recorded})) << index;
  }
  // --shard wins over the environment.
  ::setenv("CI_NODE_INDEX", "2", 1);
  ::setenv("CI_NODE_TOTAL", "2", 1);
  const auto flag = run_cli({"run", passing_, "--out", dir_ / "flag", "--filter", "tiny-*", "--shard", "1/1"});
  ::unsetenv("CI_NODE_INDEX");
  ::unsetenv("CI_NODE_TOTAL");
  ASSERT_EQ(flag.code, kExitOk) << flag.err;
  EXPECT_TRUE(report(dir_ / "flag")["run"]["shards"].empty());
}

TEST_F(CliTest, ReplayRebuildsAMutantViolationFromTheSavedTrace) {
  const std::string out = dir_ / "out";
  ASSERT_EQ(run_cli({"run", passing_, "--out", out}).code, kExitOk);
  const nlohmann::json doc = report(out);
  const auto& torn = case_of(doc, "torn-no-commit-record", "torn");
  std::string state;
  for (const auto& v : torn["violations"]) {
    if (v["invariant"] == "atomicity") state = v["state_id"];
  }
  ASSERT_FALSE(state.empty());
  const std::string keep = dir_ / "kept";
  const auto r = run_cli({"replay", passing_, "--scenario", "torn-no-commit-record", "--state", state, "--trace",
                          out + "/traces/torn-no-commit-record.trace", "--keep", keep});
  EXPECT_EQ(r.code, kExitFailed) << r.err;
  EXPECT_THAT(r.out, AllOf(HasSubstr("state " + state + ": torn"), HasSubstr("power lost here"), HasSubstr("torn "),
                           HasSubstr("recovery paths taken: "), HasSubstr("from " + out + "/traces/")));
  EXPECT_THAT(r.out, HasLine("atomicity", Parts{"VIOLATED"}));
  EXPECT_THAT(r.out, HasLine("durability", Parts{"held"}));
  EXPECT_TRUE(std::filesystem::exists(keep + "/db-wal"));
  // The commands that show it on the kept files carry the mutant and get the keys the violation names.
  EXPECT_THAT(r.out, AllOf(HasSubstr("see it on the kept files (read-only commands: " + keep + " stays byte-identical)"),
                           HasSubstr("btree --mutant no-commit-record " + keep + "/db get "),
                           HasSubstr("# atomicity: transaction ")));
  // Without the trace the scenario is recorded again: the same state id still shows the violation.
  const auto again = run_cli({"replay", passing_, "--scenario", "torn-no-commit-record", "--state", state});
  EXPECT_EQ(again.code, kExitFailed);
  EXPECT_THAT(again.out, HasSubstr("recorded again"));
  // A trace saved for another scenario is refused.
  const auto wrong = run_cli({"replay", passing_, "--scenario", "tiny-clean", "--state", "1:lose-unsynced", "--trace",
                              out + "/traces/torn-no-commit-record.trace"});
  EXPECT_EQ(wrong.code, kExitUsage);
  EXPECT_THAT(wrong.err, HasSubstr("not saved for scenario 'tiny-clean'"));
}

TEST_F(CliTest, ReplayKeepsACleanStateThatTheBtreeToolVerifies) {
  const std::string out = dir_ / "out";
  ASSERT_EQ(run_cli({"run", passing_, "--out", out, "--filter", "tiny-*"}).code, kExitOk);
  nlohmann::json doc = report(out);
  const std::string state = std::to_string(doc["scenarios"][0]["trace_ops"].get<uint64_t>()) + ":lose-unsynced";
  const std::string keep = dir_ / "kept";
  const auto r = run_cli({"replay", passing_, "--scenario", "tiny-clean", "--state", state, "--keep", keep});
  ASSERT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_THAT(r.out, Not(HasSubstr("VIOLATED")));
  const char* btree = std::getenv("BTREE");
  if (btree == nullptr) GTEST_SKIP() << "BTREE (the btree tool's path) is not set";
  const std::string cmd = std::string(btree) + " " + keep + "/db verify > " + (dir_ / "verify.txt") + " 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << read_file(dir_ / "verify.txt");
}

TEST_F(CliTest, MinimizePrintsASmallerReproducerWhoseReplayShowsTheViolation) {
  const std::string out = dir_ / "min";
  const auto r = run_cli({"minimize", passing_, "--scenario", "torn-no-commit-record", "--out", out,
                          "--max-attempts", "60", "--jobs", "2"});
  ASSERT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("keeping a violation of 'atomicity' under torn"));
  EXPECT_THAT(r.out, AllOf(HasSubstr("smallest reproducer: "), HasSubstr(" of 25 steps"),
                           HasSubstr("\"name\": \"torn-no-commit-record-min\"")));
  // The reproducer is a catalog file of its own; its replay command shows the violation.
  const std::string file = out + "/torn-no-commit-record-min.json";
  const auto loaded = catalog::load_catalog(vfs::default_vfs(), file);
  ASSERT_TRUE(loaded.ok()) << loaded.status().to_string();
  ASSERT_EQ(loaded->scenarios.size(), 1u);
  EXPECT_LT(loaded->scenarios[0].workload.script.size(), 25u);
  const size_t at = r.out.find("replay: crashsim replay ");
  ASSERT_NE(at, std::string::npos);
  std::vector<std::string> args;
  std::istringstream words(r.out.substr(at + std::string("replay: crashsim ").size()));
  for (std::string w; words >> w;) args.push_back(w);
  const auto replay = run_cli(args);
  EXPECT_EQ(replay.code, kExitFailed) << replay.err;
  EXPECT_THAT(replay.out, HasLine("atomicity", Parts{"VIOLATED"}));
}

TEST_F(CliTest, MinimizeOnAPassingScenarioHasNothingToDo) {
  const auto r = run_cli({"minimize", passing_, "--scenario", "tiny-clean", "--out", dir_ / "min"});
  EXPECT_EQ(r.code, kExitFailed);
  EXPECT_THAT(r.err, HasSubstr("nothing to minimize"));
}

}  // namespace
}  // namespace crashsim::tool
