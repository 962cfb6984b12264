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

// Every recorded violation, one paragraph each, for the failure's text, the
// first of each invariant first (showing_order).
std::string violation_details(const ModelResult& m, const Expectation& expect) {
  std::string out;
  for (const Violation* shown : showing_order(m, expect)) {
    const Violation& v = *shown;
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

std::string testcase(const ScenarioResult& s, const ModelResult& m, Verdict verdict) {
  std::string out = open_testcase(s, m.model, m.seconds);
  const std::string found = "expected " + describe_expectation(s.expect) + ", found " + describe_findings(m, s.expect);
  if (!m.error.empty()) {
    out += error_element(m.error);
  } else if (verdict == Verdict::kFail) {
    std::string message = found;
    // The replay of the violation shown first when one was recorded; a missing
    // expected violation has nothing to replay but the scenario itself.
    const std::vector<const Violation*> first = showing_order(m, s.expect, 1);
    if (!first.empty()) message += "; replay: " + first.front()->replay;
    out += "      <failure type=\"expectation\" message=\"" + xml_escape(message) + "\">" +
           xml_escape(message + "\n" + s.description + "\n" + violation_details(m, s.expect)) + "</failure>\n";
  } else if (verdict == Verdict::kDeferred) {
    // JUnit has no "decided elsewhere": a skip, saying where it is decided.
    const std::string message = "deferred: expected " + describe_expectation(s.expect) +
                                ", none in this shard's states; the merged report decides";
    out += "      <skipped message=\"" + xml_escape(message) + "\"/>\n";
  } else if (verdict == Verdict::kCaught) {
    out += "      <system-out>" + xml_escape("caught: " + found + "\n" + violation_details(m, s.expect)) +
           "</system-out>\n";
  }
  return out + "    </testcase>\n";
}

struct Suite {
  uint64_t tests = 0, failures = 0, errors = 0, skipped = 0;
  double seconds = 0;
  std::string cases;
};

void add_scenario(const ScenarioResult& s, bool partial, Suite& suite) {
  if (!s.error.empty()) {
    // The workload did not run: one errored case stands for the scenario.
    ++suite.tests;
    ++suite.errors;
    suite.cases += open_testcase(s, "workload", 0) + error_element(s.error) + "    </testcase>\n";
    return;
  }
  for_each_case(s, [&](const ModelResult& c, bool is_check) {
    const Verdict verdict = case_or_check_verdict(s, c, is_check, partial);
    ++suite.tests;
    suite.seconds += c.seconds;
    if (!c.error.empty()) ++suite.errors;
    else if (verdict == Verdict::kFail) ++suite.failures;
    else if (verdict == Verdict::kDeferred) ++suite.skipped;
    suite.cases += testcase(s, c, verdict);
  });
}

}  // namespace

std::string render_junit(const Report& report) {
  // Suites in the order their files first appear.
  std::vector<std::string> files;
  std::map<std::string, Suite> suites;
  const bool partial = is_partial(report.run);
  for (const ScenarioResult& s : report.scenarios) {
    if (!suites.contains(s.file)) files.push_back(s.file);
    add_scenario(s, partial, suites[s.file]);
  }
  const std::string properties =
      partial ? "    <properties><property name=\"partial\" value=\"" + xml_escape(describe_partial(report.run)) +
                    "\"/></properties>\n"
              : "";

  Suite all;
  std::string body;
  for (const std::string& file : files) {
    const Suite& suite = suites[file];
    all.tests += suite.tests;
    all.failures += suite.failures;
    all.errors += suite.errors;
    body += "  <testsuite name=\"" + xml_escape(file) + "\" tests=\"" + std::to_string(suite.tests) +
            "\" failures=\"" + std::to_string(suite.failures) + "\" errors=\"" + std::to_string(suite.errors) +
            "\" skipped=\"" + std::to_string(suite.skipped) + "\" time=\"" + seconds_text(suite.seconds) +
            "\" timestamp=\"" + xml_escape(report.run.started) + "\">\n" + properties + suite.cases +
            "  </testsuite>\n";
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"" +
         std::string(partial ? "crashsim (partial)" : "crashsim") + "\" tests=\"" +
         std::to_string(all.tests) + "\" failures=\"" + std::to_string(all.failures) + "\" errors=\"" +
         std::to_string(all.errors) + "\" time=\"" + seconds_text(report.run.duration_seconds) + "\">\n" + body +
         "</testsuites>\n";
}

}  // namespace reports
