#include "crashsim/tool/verdict_lines.h"

#include "reports/format.h"
#include "reports/report_files.h"

namespace crashsim::tool {

namespace {

std::string plural(uint64_t n, const std::string& word) {
  return reports::format_count(n) + " " + word + (n == 1 ? "" : "s");
}

// "3 violations of 'atomicity', 1 of 'durability'".
std::string describe_counts(const reports::ModelResult& c) {
  std::string out;
  for (const auto& [invariant, n] : c.violation_counts) {
    if (n == 0) continue;
    out += out.empty() ? plural(n, "violation") + " of '" + invariant + "'"
                       : ", " + reports::format_count(n) + " of '" + invariant + "'";
  }
  return out;
}

std::string case_line(const reports::ScenarioResult& s, const reports::ModelResult& c, bool is_check) {
  const bool passed = reports::case_or_check_passed(s, c, is_check);
  std::string line = std::string(passed ? "PASS " : "FAIL ") + s.name + " [" + c.model + "] ";
  const uint64_t found = reports::total_violations(c);
  if (!c.error.empty()) return line + "error: " + c.error;
  if (!is_check && reports::checked_no_state(c) && !s.expect.allow_no_states) {
    return line + "checked no crash state, which proves nothing (a scenario that means it says "
                  "\"allow_no_states\": true in \"expect\")";
  }
  if (passed) {
    if (is_check) return line + "found " + describe_counts(c) + " (supporting the expected violation)";
    line += plural(c.states_checked, "state");
    line += s.expect.violation ? ", expected violation of '" + s.expect.invariant + "' found (" +
                                     plural(found, "violation") + ")"
                               : ", " + plural(found, "violation");
    return line + " (" + reports::format_seconds(c.seconds) + ")";
  }
  if (s.expect.violation && !is_check && found == 0) {
    return line + "expected violation of '" + s.expect.invariant + "', found none (" +
           plural(c.states_checked, "state") + ")";
  }
  if (s.expect.violation && !is_check) {
    line += "expected violation of '" + s.expect.invariant + "', found only " + describe_counts(c);
  } else {
    line += "found " + describe_counts(c);
  }
  if (!c.violations.empty()) {  // recorded in crash-point order
    const reports::Violation& v = c.violations.front();
    // A finding about the whole run (mutant-not-reached) has no crash state to name.
    if (v.state_id.empty()) return line + ": " + v.message;
    line += " (first: state " + v.state_id + ")";
    if (!v.replay.empty()) line += " — replay: " + v.replay;
  }
  return line;
}

}  // namespace

std::vector<std::string> verdict_lines(const reports::ScenarioResult& scenario) {
  if (!scenario.error.empty()) return {"FAIL " + scenario.name + " [workload] error: " + scenario.error};
  std::vector<std::string> lines;
  reports::for_each_case(scenario, [&](const reports::ModelResult& c, bool is_check) {
    lines.push_back(case_line(scenario, c, is_check));
  });
  return lines;
}

std::string closing_lines(const reports::Report& report, const std::string& dir) {
  const reports::Totals t = reports::compute_totals(report);
  return std::to_string(t.scenarios_passed) + " of " + std::to_string(t.scenarios) + " scenarios passed (" +
         std::to_string(t.cases_passed) + " of " + std::to_string(t.cases) + " cases)\nreports: " + dir + "/" +
         reports::kHtmlFile + " (also " + reports::kReportJsonFile + ", " + reports::kJunitFile + ", " +
         reports::kSummaryFile + ")\n";
}

}  // namespace crashsim::tool
