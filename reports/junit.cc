#include "reports/junit.h"

#include <cstdio>
#include <map>
#include <vector>

#include "reports/escape.h"
#include "reports/format.h"

namespace reports {
namespace {

// JUnit's time attribute: seconds with a dot, no unit.
std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s);
  return buf;
}

// Every recorded violation, one paragraph each, for the failure's text.
std::string violation_details(const ModelResult& m) {
  std::string out;
  for (const Violation& v : m.violations) {
    out += "state " + v.state_id + ": " + v.invariant + (v.power_loss_only ? " (power loss only)" : "") +
           (v.message.empty() ? "" : "\n  " + v.message) + "\n  expected: " + v.expected +
           "\n  observed: " + v.observed + "\n  replay:   " + v.replay + "\n";
  }
  const uint64_t unlisted = total_violations(m) - m.violations.size();
  if (unlisted > 0) out += "(" + std::to_string(unlisted) + " more violations counted, not recorded)\n";
  return out;
}

std::string open_testcase(const ScenarioResult& s, const std::string& label, double seconds) {
  return "    <testcase classname=\"" + xml_escape("crashsim." + file_stem(s.file)) + "\" name=\"" +
         xml_escape(s.name + " [" + label + "]") + "\" time=\"" + seconds_text(seconds) + "\">\n";
}

std::string error_element(const std::string& error) {
  return "      <error type=\"error\" message=\"" + xml_escape(error) + "\">" + xml_escape(error) + "</error>\n";
}

std::string testcase(const ScenarioResult& s, const ModelResult& m, bool passed) {
  std::string out = open_testcase(s, m.model, m.seconds);
  if (!m.error.empty()) {
    out += error_element(m.error);
  } else if (!passed) {
    std::string message = "expected " + describe_expectation(s.expect) + ", found " + describe_findings(m);
    // The replay of the first violation when one was recorded; a missing
    // expected violation has nothing to replay but the scenario itself.
    if (!m.violations.empty()) message += "; replay: " + m.violations.front().replay;
    out += "      <failure type=\"expectation\" message=\"" + xml_escape(message) + "\">" +
           xml_escape(message + "\n" + s.description + "\n" + violation_details(m)) + "</failure>\n";
  }
  return out + "    </testcase>\n";
}

struct Suite {
  uint64_t tests = 0, failures = 0, errors = 0;
  double seconds = 0;
  std::string cases;
};

void add_scenario(const ScenarioResult& s, Suite& suite) {
  if (!s.error.empty()) {
    // The workload did not run: one errored case stands for the scenario.
    ++suite.tests;
    ++suite.errors;
    suite.cases += open_testcase(s, "workload", 0) + error_element(s.error) + "    </testcase>\n";
    return;
  }
  for_each_case(s, [&](const ModelResult& c, bool is_check) {
    const bool passed = case_or_check_passed(s, c, is_check);
    ++suite.tests;
    suite.seconds += c.seconds;
    if (!c.error.empty()) ++suite.errors;
    else if (!passed) ++suite.failures;
    suite.cases += testcase(s, c, passed);
  });
}

// One case per mutant: it passes when some scenario killed it.
void add_kill_matrix(const KillMatrix& m, Suite& suite) {
  for (const std::string& mutant : m.mutants) {
    ++suite.tests;
    double seconds = 0;
    for (const Pair& p : m.pairs) {
      if (p.mutant == mutant) seconds += p.run.seconds;
    }
    suite.seconds += seconds;
    suite.cases += "    <testcase classname=\"crashsim.mutants\" name=\"" + xml_escape(mutant) + "\" time=\"" +
                   seconds_text(seconds) + "\">\n";
    if (!mutant_killed(m, mutant)) {
      ++suite.failures;
      const std::string message = "mutant " + mutant + " survived every scenario of the selection";
      suite.cases += "      <failure type=\"survived\" message=\"" + xml_escape(message) + "\">" +
                     xml_escape(message) + "</failure>\n";
    }
    suite.cases += "    </testcase>\n";
  }
}

}  // namespace

std::string render_junit(const Report& report) {
  // Suites in the order their files first appear.
  std::vector<std::string> files;
  std::map<std::string, Suite> suites;
  for (const ScenarioResult& s : report.scenarios) {
    if (!suites.contains(s.file)) files.push_back(s.file);
    add_scenario(s, suites[s.file]);
  }
  if (report.kill_matrix) {
    files.emplace_back("mutants");
    add_kill_matrix(*report.kill_matrix, suites["mutants"]);
  }

  Suite all;
  std::string body;
  for (const std::string& file : files) {
    const Suite& suite = suites[file];
    all.tests += suite.tests;
    all.failures += suite.failures;
    all.errors += suite.errors;
    body += "  <testsuite name=\"" + xml_escape(file) + "\" tests=\"" + std::to_string(suite.tests) +
            "\" failures=\"" + std::to_string(suite.failures) + "\" errors=\"" + std::to_string(suite.errors) +
            "\" skipped=\"0\" time=\"" + seconds_text(suite.seconds) + "\" timestamp=\"" +
            xml_escape(report.run.started) + "\">\n" + suite.cases + "  </testsuite>\n";
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"crashsim\" tests=\"" +
         std::to_string(all.tests) + "\" failures=\"" + std::to_string(all.failures) + "\" errors=\"" +
         std::to_string(all.errors) + "\" time=\"" + seconds_text(report.run.duration_seconds) + "\">\n" + body +
         "</testsuites>\n";
}

}  // namespace reports
