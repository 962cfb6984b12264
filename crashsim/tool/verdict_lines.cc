#include "crashsim/tool/verdict_lines.h"

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include "reports/format.h"
#include "reports/report_files.h"

namespace crashsim::tool {

namespace {

std::string plural(uint64_t n, const std::string& word) {
  return reports::format_count(n) + " " + word + (n == 1 ? "" : "s");
}

// "5,327 states (+1,560 duplicates)": the distinct states checked, and the
// duplicates skipped, which together are what the progress line counted.
std::string states_phrase(const reports::ModelResult& c) {
  std::string out = plural(c.states_checked, "state");
  if (c.duplicates_skipped > 0) out += " (+" + plural(c.duplicates_skipped, "duplicate") + ")";
  if (c.recovery_states_checked > 0) out += " (+" + reports::format_count(c.recovery_states_checked) + " nested)";
  return out;
}

// "3 violations of 'atomicity', 1 of 'durability'", the expected invariant first.
std::string describe_counts(const reports::ModelResult& c, const reports::Expectation& expect) {
  std::vector<std::pair<std::string, uint64_t>> counts;
  for (const auto& [invariant, n] : c.violation_counts) {
    if (n > 0) counts.emplace_back(invariant, n);
  }
  std::stable_partition(counts.begin(), counts.end(),
                        [&](const auto& e) { return expect.violation && e.first == expect.invariant; });
  std::string out;
  for (const auto& [invariant, n] : counts) {
    out += out.empty() ? plural(n, "violation") + " of '" + invariant + "'"
                       : ", " + reports::format_count(n) + " of '" + invariant + "'";
  }
  return out;
}

// " (first of each: atomicity at state 12:torn:1, recovery at state 3:torn:0) — replay: ..."
std::string first_of_each(const reports::ModelResult& c, const reports::Expectation& expect) {
  std::string states;
  const std::vector<const reports::Violation*> shown = reports::showing_order(c, expect);
  std::set<std::string> listed;
  for (const reports::Violation* v : shown) {
    if (!listed.insert(v->invariant).second) break;  // past the first of each
    states += (states.empty() ? "" : ", ") + v->invariant + " at state " + v->state_id;
  }
  if (shown.empty()) return "";
  // A finding about the whole run (mutant-not-reached) has no crash state to name.
  if (shown.front()->state_id.empty()) return ": " + shown.front()->message;
  std::string out = " (first of each: " + states + ")";
  if (!shown.front()->replay.empty()) out += " — replay: " + shown.front()->replay;
  return out;
}

std::string case_line(const reports::ScenarioResult& s, const reports::ModelResult& c, bool is_check,
                      const reports::RunInfo& run) {
  const reports::Verdict verdict = reports::case_or_check_verdict(s, c, is_check, reports::is_partial(run));
  std::string line = std::string(reports::verdict_label(verdict)) + " " + s.name + " [" + c.model + "] ";
  if (!c.error.empty()) return line + "error: " + c.error;
  if (!is_check && reports::checked_no_state(c) && !s.expect.allow_no_states &&
      verdict != reports::Verdict::kDeferred) {
    return line + "checked no crash state, which proves nothing (a scenario that means it says "
                  "\"allow_no_states\": true in \"expect\")";
  }
  switch (verdict) {
    case reports::Verdict::kPass:
      return line + states_phrase(c) + ", 0 violations (" + reports::format_seconds(c.seconds) + ")";
    case reports::Verdict::kCaught:
      if (is_check) return line + "found " + describe_counts(c, s.expect) + " (supporting the expected violation)";
      if (reports::judged_on_recorded_run(s.expect)) {
        return line + states_phrase(c) + ", 0 violations; the expected violation of '" + s.expect.invariant +
               "' was found by the recorded run (" + reports::format_seconds(c.seconds) + ")";
      }
      return line + states_phrase(c) + ", expected violation of '" + s.expect.invariant +
             "' found: " + describe_counts(c, s.expect) + " (" + reports::format_seconds(c.seconds) + ")";
    case reports::Verdict::kDeferred: {
      std::string shards;
      for (const std::string& shard : run.shards) shards += (shards.empty() ? "" : " ") + shard;
      if (reports::checked_no_state(c)) {
        return line + "no crash state of this case is in this report (shard " + shards +
               "): the merged report decides";
      }
      return line + "expected violation of '" + s.expect.invariant + "', none among this report's " +
             states_phrase(c) + " (shard " + shards + "): another shard may hold it, the merged report decides";
    }
    case reports::Verdict::kFail:
      break;
  }
  if (reports::judged_on_recorded_run(s.expect) && !is_check && reports::total_violations(c) == 0) {
    return line + "expected violation of '" + s.expect.invariant + "' from the recorded run, which found none (" +
           states_phrase(c) + ", 0 violations)";
  }
  if (s.expect.violation && !is_check && reports::total_violations(c) == 0) {
    return line + "expected violation of '" + s.expect.invariant + "', found none in " + states_phrase(c);
  }
  line += s.expect.violation && !is_check ? "expected violation of '" + s.expect.invariant + "', found only "
                                          : std::string("found ");
  return line + describe_counts(c, s.expect) + first_of_each(c, s.expect);
}

}  // namespace

std::vector<std::string> verdict_lines(const reports::ScenarioResult& scenario, const reports::RunInfo& run) {
  if (!scenario.error.empty()) return {"FAIL " + scenario.name + " [workload] error: " + scenario.error};
  std::vector<std::string> lines;
  reports::for_each_case(scenario, [&](const reports::ModelResult& c, bool is_check) {
    lines.push_back(case_line(scenario, c, is_check, run));
  });
  return lines;
}

std::string closing_lines(const reports::Report& report, const std::string& dir) {
  const reports::Totals t = reports::compute_totals(report);
  std::string out = std::to_string(t.scenarios_passed) + " of " + std::to_string(t.scenarios) +
                    " scenarios passed (" + std::to_string(t.cases_passed) + " of " + std::to_string(t.cases) +
                    " cases" +
                    (t.cases_deferred > 0 ? ", " + std::to_string(t.cases_deferred) + " deferred to the merge" : "") +
                    ")\n";
  if (reports::is_partial(report.run)) out += reports::describe_partial(report.run) + "\n";
  return out + "reports: " + dir + "/" + reports::kHtmlFile + " (also " + reports::kReportJsonFile + ", " +
         reports::kJunitFile + ", " + reports::kSummaryFile + ")\n";
}

}  // namespace crashsim::tool
