#include "reports/summary.h"

#include <algorithm>

#include "reports/escape.h"
#include "reports/format.h"

namespace reports {
namespace {

// Replay commands shown per failing case; the rest are in report.json.
constexpr size_t kReplaysShown = 3;

constexpr std::string_view kPassMark = "\u2705";  // white heavy check mark
constexpr std::string_view kFailMark = "\u274c";  // cross mark
constexpr std::string_view kPartialMark = "\u26a0\ufe0f";  // warning sign

// The verdict cell: a mark and the label, so that a caught mutant does not
// read as a plain pass next to its violation count.
std::string verdict_cell(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPass: return std::string(kPassMark);
    case Verdict::kCaught: return std::string(kPassMark) + " caught";
    case Verdict::kDeferred: return "\u23f8\ufe0f deferred";  // pause button: the merge decides
    case Verdict::kFail: break;
  }
  return std::string(kFailMark);
}

std::string case_row(const ScenarioResult& s, const ModelResult& m, Verdict verdict, bool with_mutant) {
  std::string row = "| " + verdict_cell(verdict) + " | " + markdown_code(s.name, true) + " | " +
                    markdown_text(m.model) + " | ";
  if (with_mutant) row += markdown_text(s.mutant) + " | ";
  return row + markdown_text(describe_expectation(s.expect)) + " | " +
         markdown_text(describe_findings(m, s.expect)) + " | " + format_states(m) + " | " +
         format_seconds(m.seconds) + " |\n";
}

std::string failure_detail(const ScenarioResult& s, const ModelResult& m) {
  std::string out = "**" + markdown_code(s.name, false) + " \u00b7 " + markdown_text(m.model) + "**: expected " +
                    markdown_text(describe_expectation(s.expect)) + ", found " +
                    markdown_text(describe_findings(m, s.expect)) + "\n\n";
  if (m.violations.empty()) {
    if (s.expect.violation && m.error.empty())
      out += "The expected violation was not found: the harness missed the defect it should catch.\n\n";
    return out;
  }
  const std::vector<const Violation*> shown = showing_order(m, s.expect, kReplaysShown);
  std::string commands;
  for (size_t i = 0; i < shown.size(); ++i) {
    const Violation& v = *shown[i];
    commands += "# state " + v.state_id + ": " + v.invariant + "\n" + v.replay + (i + 1 < shown.size() ? "\n" : "");
  }
  out += markdown_code_block(commands, "sh");
  if (m.violations.size() > shown.size())
    out += "\n" + std::to_string(m.violations.size() - shown.size()) + " more recorded in `report.json`.\n";
  return out + "\n";
}

// Killing scenarios named per mutant; the rest are counted.
constexpr size_t kKillersShown = 3;

std::string kill_matrix_part(const KillMatrix& m) {
  std::string rows;
  for (const std::string& mutant : m.mutants) {
    const std::vector<const Pair*> killers = killing_pairs(m, mutant);
    std::string by;
    for (size_t i = 0; i < std::min(kKillersShown, killers.size()); ++i)
      by += (i == 0 ? "" : ", ") + markdown_code(killers[i]->scenario, true) + " (" +
            markdown_text(describe_pair(*killers[i])) + ")";
    if (killers.size() > kKillersShown) by += " and " + format_count(killers.size() - kKillersShown) + " more";
    if (killers.empty()) {
      const RowCounts c = row_counts(m, mutant);
      by = "nothing: survived " + format_count(c.survived) + ", not reached " + format_count(c.not_reached) +
           ", errors " + format_count(c.errors);
    }
    rows += "| " + std::string(killers.empty() ? kFailMark : kPassMark) + " | " + markdown_code(mutant, true) +
            " | " + by + " |\n";
  }
  return "### Kill matrix: " + format_count(mutants_killed(m)) + " of " + format_count(m.mutants.size()) +
         " mutants killed\n\nEach mutant against each of " + format_count(m.scenarios.size()) +
         " scenarios, until its first violation; after \"cross-checks off\", the same pair without the engine's "
         "refusals to open.\n\n|  | Mutant | Killed by |\n|---|---|---|\n" + rows + "\n";
}

// One table per case that drew media faults: what became of them, by region kind.
std::string fault_regions_part(const Report& report) {
  std::string out;
  for (const ScenarioResult& s : report.scenarios) {
    for (const ModelResult& m : s.models) {
      if (m.fault_regions.empty()) continue;
      out += "**" + markdown_code(s.name, false) + " \u00b7 " + markdown_text(m.model) + "**\n\n" +
             "| Region | Drawn | Refused | Recovered | Harmless | Tail dropped | Caught by verify | Silent | Misreported |\n"
             "|---|---|---|---|---|---|---|---|---|\n";
      for (const auto& [kind, c] : m.fault_regions) {
        out += "| " + markdown_code(kind, true) + " | " + format_count(c.drawn) + " | " + format_count(c.refused) +
               " | " + format_count(c.recovered) + " | " + format_count(c.harmless) + " | " +
               format_count(c.tail_dropped) + " | " + format_count(c.caught_by_verify) + " | " + format_count(c.silent) + " | " + format_count(c.misreported) +
               " |\n";
      }
      out += "\n";
    }
  }
  if (out.empty()) return "";
  return "<details><summary>Media faults by region</summary>\n\n" + out + "</details>\n";
}

}  // namespace

std::string render_summary(const Report& report) {
  const Totals t = compute_totals(report);
  if (report.kill_matrix && report.scenarios.empty()) {
    return "## " + std::string(report_passed(report) ? kPassMark : kFailMark) + " Mutants\n\n" +
           markdown_text(describe_run(report.run)) + "\n\n" + kill_matrix_part(*report.kill_matrix);
  }
  const uint64_t failed = t.scenarios - t.scenarios_passed;
  const bool partial = is_partial(report.run);
  std::string out = "## " + std::string(failed != 0 ? kFailMark : partial ? kPartialMark : kPassMark) +
                    " Crash simulation" + (partial ? " (partial)" : "") + ": ";
  out += failed == 0 ? "all " + format_count(t.scenarios) + " scenarios passed\n\n"
                     : format_count(failed) + " of " + format_count(t.scenarios) + " scenarios failed\n\n";
  if (partial) out += std::string(kPartialMark) + " **" + markdown_text(describe_partial(report.run)) + "**\n\n";
  out += format_count(t.cases) + " cases (" + format_count(t.cases_passed) + " passed, " +
         format_count(t.cases - t.cases_passed) + " failed" +
         (t.cases_deferred > 0 ? ", " + format_count(t.cases_deferred) + " deferred to the merge" : "") +
         ") \u00b7 " + format_count(t.states_checked) + " crash states checked, and " +
         format_count(t.nested_states_checked) + " nested ones \u00b7 " +
         format_count(t.violations) + " violations found\n\n";
  out += markdown_text(describe_run(report.run)) + "; catalog:";
  for (const std::string& file : report.run.catalog_files) out += " " + markdown_code(file, false);
  out += "\n\n";

  std::string failing_rows, details, all_rows;
  for (const ScenarioResult& s : report.scenarios) {
    if (!s.error.empty()) {
      details += "**" + markdown_code(s.name, false) + "**: the workload could not run: " + markdown_text(s.error) +
                 "\n\n";
      continue;
    }
    for_each_case(s, [&](const ModelResult& m, bool is_check) {
      const Verdict verdict = case_or_check_verdict(s, m, is_check, partial);
      all_rows += case_row(s, m, verdict, true);
      if (verdict != Verdict::kFail) return;
      failing_rows += case_row(s, m, verdict, false);
      details += failure_detail(s, m);
    });
  }
  if (!details.empty()) {
    out += "### Failing cases\n\n";
    if (!failing_rows.empty())
      out += "|  | Scenario | Model | Expected | Found | States | Time |\n|---|---|---|---|---|---|---|\n" +
             failing_rows + "\n";
    out += details;
  }
  out += "<details><summary>All " + format_count(t.cases) + " cases</summary>\n\n" +
         "|  | Scenario | Model | Mutant | Expected | Found | States | Time |\n|---|---|---|---|---|---|---|---|\n" +
         all_rows + "\n</details>\n";
  return out + fault_regions_part(report);
}

}  // namespace reports
