#include "reports/html.h"

#include <algorithm>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "reports/escape.h"
#include "reports/format.h"
#include "reports/timeline_svg.h"

namespace reports {
namespace {

// No '<' or '&' in here: the stylesheet sits unescaped in XHTML.
constexpr std::string_view kStyle = R"CSS(
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1f2328; margin: 24px 32px; line-height: 1.4; }
h1 { font-size: 24px; margin: 0 0 6px 0; }
h2 { font-size: 19px; margin: 28px 0 10px 0; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
h3 { font-size: 16px; margin: 22px 0 8px 0; }
h4 { font-size: 14px; margin: 14px 0 6px 0; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12.5px; }
pre { background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 10px; white-space: pre-wrap; word-break: break-all; margin: 2px 0; }
.run { color: #57606a; margin: 2px 0; }
.badge { display: inline-block; border-radius: 10px; padding: 1px 9px; font-size: 12px; font-weight: 600; color: #ffffff; vertical-align: middle; }
.badge.pass { background: #1a7f37; }
.badge.fail { background: #cf222e; }
.badge.note { background: #6e7781; }
.cards { display: flex; gap: 12px; margin: 16px 0; flex-wrap: wrap; }
.card { border: 1px solid #d0d7de; border-radius: 8px; padding: 8px 14px; min-width: 130px; }
.card .n { font-size: 22px; font-weight: 600; }
.card .l { color: #57606a; font-size: 12px; }
.card.bad .n { color: #cf222e; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.fail td.v { background: #ffebe9; }
tr.pass td.v { background: #dafbe1; }
td.scenario .desc { color: #57606a; font-size: 12px; max-width: 360px; }
.tag { display: inline-block; background: #ddf4ff; color: #0969da; border-radius: 8px; padding: 0 6px; font-size: 11px; margin-right: 3px; }
.case { border: 1px solid #d0d7de; border-radius: 8px; padding: 4px 16px 12px 16px; margin: 14px 0; }
.case.fail { border-left: 5px solid #cf222e; }
.case.pass { border-left: 5px solid #1a7f37; }
dl.kv { display: grid; grid-template-columns: 90px 1fr; gap: 4px 10px; margin: 6px 0; }
dl.kv dt { color: #57606a; font-weight: 600; font-size: 13px; }
dl.kv dd { margin: 0; }
.timeline-wrap { overflow-x: auto; border: 1px solid #eaeef2; border-radius: 6px; padding: 6px 0; margin-top: 8px; }
.timeline-wrap .markers { margin: 2px 12px 4px 12px; color: #57606a; font-size: 12px; }
.legend-wrap { margin: 6px 0 12px 0; }
.muted { color: #57606a; font-size: 13px; }
.partial { color: #9a6700; font-weight: 600; margin: 2px 0; }
.root-cause { border-top: 1px dashed #d0d7de; margin-top: 10px; }
h4.cause { color: #57606a; }
details > summary { cursor: pointer; color: #0969da; margin: 6px 0; }
footer { margin-top: 36px; color: #8c959f; font-size: 12px; }
table.matrix th.col { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; }
table.matrix td.km { font-size: 11px; white-space: nowrap; text-align: center; }
td.km.killed { background: #dafbe1; }
td.km.survived { background: #fff8c5; }
td.km.not-reached { color: #8c959f; }
td.km.error { background: #ffebe9; }
)CSS";

std::string e(std::string_view text) { return xml_escape(text); }

std::string badge(bool pass) {
  return pass ? "<span class=\"badge pass\">PASS</span>" : "<span class=\"badge fail\">FAIL</span>";
}

// A case's badge says how it passed: a caught mutant is not a plain pass.
std::string badge(Verdict verdict) {
  const char* style = verdict == Verdict::kFail ? "fail" : verdict == Verdict::kDeferred ? "note" : "pass";
  return std::string("<span class=\"badge ") + style + "\">" + std::string(verdict_label(verdict)) + "</span>";
}

std::string card(const std::string& number, std::string_view label, bool bad) {
  return std::string("<div class=\"card") + (bad ? " bad" : "") + "\"><div class=\"n\">" + e(number) +
         "</div><div class=\"l\">" + e(label) + "</div></div>";
}

std::string header(const Report& report, const Totals& t) {
  const bool all_pass = report_passed(report);
  const bool partial = is_partial(report.run);
  std::string out = "<header><h1>Crash simulation report " + badge(all_pass) +
                    (partial ? " <span class=\"badge note\">PARTIAL</span>" : "") + "</h1>" +
                    (partial ? "<p class=\"partial\">" + e(describe_partial(report.run)) + "</p>" : "") +
                    "<p class=\"run\">" + e(describe_run(report.run)) + "</p><p class=\"run\">catalog:";
  for (const std::string& file : report.run.catalog_files) out += " <code>" + e(file) + "</code>";
  if (!report.run.catalog_digest.empty()) out += " (digest <code>" + e(report.run.catalog_digest) + "</code>)";
  out += "</p>";
  if (!report.run.command.empty()) out += "<p class=\"run\">command: <code>" + e(report.run.command) + "</code></p>";
  out += "</header><div class=\"cards\">";
  if (report.kill_matrix) {
    const KillMatrix& m = *report.kill_matrix;
    out += card(format_count(mutants_killed(m)) + " / " + format_count(m.mutants.size()), "mutants killed",
                !every_mutant_killed(m));
    out += card(format_count(m.pairs.size()), "mutant \u00d7 scenario pairs run", false);
    if (report.scenarios.empty()) return out + "</div>";
  }
  out += card(format_count(t.scenarios_passed) + " / " + format_count(t.scenarios), "scenarios passed",
              t.scenarios_passed != t.scenarios);
  out += card(format_count(t.cases - t.cases_passed), "failed cases (scenario \u00d7 model)",
              t.cases_passed != t.cases);
  out += card(format_count(t.states_checked), "crash states checked", false);
  out += card(format_count(t.violations), "violations found", false);
  out += card(format_seconds(t.seconds), "checking time, all cases", false);
  return out + "</div>";
}

// Anchor of a case's section; checks and models of one scenario are numbered apart.
std::string case_anchor(size_t scenario, const ModelResult& c, bool is_check) {
  return "case-" + std::to_string(scenario) + (is_check ? "-check-" : "-model-") + c.model;
}

// One row per case of the scenarios' cases that `wanted` selects, the
// scenario's cells spanning its rows; a scenario with no case to show (its
// workload did not run, no model ran) is one failing row.
template <class Wanted>
std::string verdict_rows(const Report& report, bool partial, Wanted wanted) {
  std::string out;
  for (size_t si = 0; si < report.scenarios.size(); ++si) {
    const ScenarioResult& s = report.scenarios[si];
    std::vector<std::pair<const ModelResult*, bool>> rows;
    if (s.error.empty()) {
      for_each_case(s, [&](const ModelResult& c, bool is_check) {
        if (wanted(case_or_check_verdict(s, c, is_check, partial))) rows.emplace_back(&c, is_check);
      });
    }
    const bool nothing_ran = !s.error.empty() || s.checks.size() + s.models.size() == 0;
    if (rows.empty() && !(nothing_ran && wanted(Verdict::kFail))) continue;
    const std::string span = std::to_string(std::max<size_t>(1, rows.size()));
    std::string scenario_cells = "<td class=\"scenario\" rowspan=\"" + span + "\"><code>" + e(s.name) +
                                 "</code><div class=\"desc\">" + e(s.description) + "</div><div>";
    for (const std::string& tag : s.tags) scenario_cells += "<span class=\"tag\">" + e(tag) + "</span>";
    const std::string fired =
        s.mutant_fired ? "<div class=\"muted\">fired " + e(format_count(*s.mutant_fired)) + "\u00d7</div>" : "";
    scenario_cells += "</div></td><td rowspan=\"" + span + "\">" + e(s.mutant) + fired + "</td><td rowspan=\"" +
                      span + "\">" + e(describe_expectation(s.expect)) + "</td>";
    if (rows.empty()) {
      const std::string why = s.error.empty() ? "no persistence model ran" : "the workload could not run: " + s.error;
      out += "<tr class=\"fail\">" + scenario_cells + "<td colspan=\"4\">" + e(why) + "</td><td class=\"v\">" +
             badge(Verdict::kFail) + "</td></tr>";
      continue;
    }
    for (size_t i = 0; i < rows.size(); ++i) {
      const auto [c, is_check] = rows[i];
      const Verdict verdict = case_or_check_verdict(s, *c, is_check, partial);
      std::string found = e(describe_findings(*c, s.expect));
      if (!c->violations.empty()) found = "<a href=\"#" + e(case_anchor(si, *c, is_check)) + "\">" + found + "</a>";
      out += std::string("<tr class=\"") + (verdict == Verdict::kFail ? "fail" : "pass") + "\">" +
             (i == 0 ? scenario_cells : "") + "<td>" + e(c->model) +
             (is_check ? " <span class=\"muted\">(check)</span>" : "") + "</td><td>" + found +
             "</td><td class=\"num\">" + e(format_states(*c)) + "</td><td class=\"num\">" +
             e(format_seconds(c->seconds)) + "</td><td class=\"v\">" + badge(verdict) + "</td></tr>";
    }
  }
  return out;
}

// Failing (and deferred) cases in the open; passing ones, caught mutants
// included, collapsed below them, so that a large catalog's few failures lead.
std::string verdict_table(const Report& report) {
  const bool partial = is_partial(report.run);
  const std::string head =
      "<thead><tr><th>Scenario</th><th>Mutant</th><th>Expected</th><th>Model</th><th>Found</th>"
      "<th>States checked</th><th>Time</th><th>Verdict</th></tr></thead><tbody>";
  const std::string open_rows =
      verdict_rows(report, partial, [](Verdict v) { return v == Verdict::kFail || v == Verdict::kDeferred; });
  const std::string passing_rows =
      verdict_rows(report, partial, [](Verdict v) { return v == Verdict::kPass || v == Verdict::kCaught; });
  uint64_t passing = 0, caught = 0;
  for (const ScenarioResult& s : report.scenarios) {
    if (!s.error.empty()) continue;
    for_each_case(s, [&](const ModelResult& c, bool is_check) {
      const Verdict v = case_or_check_verdict(s, c, is_check, partial);
      passing += v == Verdict::kPass || v == Verdict::kCaught;
      caught += v == Verdict::kCaught;
    });
  }
  std::string out = "<h2>Verdicts</h2>";
  if (open_rows.empty()) {
    out += "<p class=\"muted\">No case failed.</p>";
  } else {
    out += "<table class=\"verdicts\">" + head + open_rows + "</tbody></table>";
  }
  if (!passing_rows.empty())
    out += "<details class=\"passing\"><summary>" + format_count(passing) + " passing cases (" +
           format_count(caught) + " of them a mutant's defect caught)</summary><table class=\"verdicts\">" + head +
           passing_rows + "</tbody></table></details>";
  return out;
}

// The workload markers of the picture spelled out under it: the flags in
// the marker row carry them only as tooltips.
std::string marker_caption(const Timeline& t) {
  const auto [first, last] = timeline_window(t);
  std::string items;
  for (size_t i = first; i < last; ++i) {
    const TimelineOp& op = t.ops[i];
    if (op.kind != OpKind::kMarker) continue;
    items += (items.empty() ? "" : " \u00b7 ") + ("#" + std::to_string(op.index) + " " + op.detail) +
             (op_issued(t, op) ? "" : " (not reached)");
  }
  return items.empty() ? "" : "<p class=\"markers\">markers: " + e(items) + "</p>";
}

// What a violation's crash lost: the trace entries its timeline shows
// dropped or torn ("#22 torn: write db-wal @40 +1632"), or, when nothing was
// lost, that the state is a process crash's. Violations of one invariant that
// lost the same entries share a root cause.
std::string lost_ops(const Violation& v) {
  if (!v.timeline) return "no timeline recorded";
  std::string out;
  for (const TimelineOp& op : v.timeline->ops) {
    if (op.fate != Fate::kDropped && op.fate != Fate::kTorn) continue;
    const std::string what = op.detail.substr(0, op.detail.find(';'));
    out += (out.empty() ? "" : " \u00b7 ") + ("#" + std::to_string(op.index) + " " +
                                              std::string(fate_name(op.fate)) + ": " + what);
  }
  return out.empty() ? "nothing dropped or torn: every issued write is on disk" : out;
}

struct RootCause {
  std::string invariant;
  std::string lost;
  std::vector<const Violation*> violations;  // in showing order
};

// The recorded violations grouped by root cause, groups in the order their
// first violation is shown (the expected invariant first).
std::vector<RootCause> root_causes(const ModelResult& m, const Expectation& expect) {
  std::vector<RootCause> groups;
  for (const Violation* v : showing_order(m, expect)) {
    const std::string lost = lost_ops(*v);
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const RootCause& g) { return g.invariant == v->invariant && g.lost == lost; });
    if (it == groups.end()) it = groups.insert(groups.end(), RootCause{v->invariant, lost, {}});
    it->violations.push_back(v);
  }
  std::stable_sort(groups.begin(), groups.end(), [&](const RootCause& a, const RootCause& b) {
    return (expect.violation && a.invariant == expect.invariant) > (expect.violation && b.invariant == expect.invariant);
  });
  return groups;
}

std::string violation_block(const Violation& v, const std::string& svg_prefix, bool draw) {
  std::string out = "<div class=\"violation\" data-state=\"" + e(v.state_id) + "\"><h4>" + e(v.invariant) +
                    " <span class=\"muted\">state <code>" + e(v.state_id) + "</code></span>";
  if (v.power_loss_only) out += " <span class=\"badge note\">power loss only</span>";
  out += "</h4>";
  if (!v.message.empty()) out += "<p>" + e(v.message) + "</p>";
  out += "<dl class=\"kv\"><dt>Expected</dt><dd>" + e(v.expected) + "</dd><dt>Observed</dt><dd>" + e(v.observed) +
         "</dd>";
  if (!v.cause.empty()) out += "<dt>Cause</dt><dd>" + e(v.cause) + "</dd>";
  out += "<dt>Replay</dt><dd><pre>" + e(v.replay) + "</pre></dd></dl>";
  if (v.timeline && draw)
    out += "<div class=\"timeline-wrap\">" + render_timeline_svg(*v.timeline, svg_prefix) +
           marker_caption(*v.timeline) + "</div>";
  else if (!v.timeline)
    out += "<p class=\"muted\">No timeline was recorded for this violation.</p>";
  return out + "</div>";
}

// One group: its first violation in full, the others of the same root cause
// as a collapsed list of states with their replay commands.
std::string root_cause_block(const RootCause& g, const std::string& anchor, size_t& pictures) {
  std::string out = "<div class=\"root-cause\"><h4 class=\"cause\">" + e(g.invariant) + " \u00b7 " +
                    format_count(g.violations.size()) + (g.violations.size() == 1 ? " state" : " states") +
                    " \u00b7 lost: " + e(g.lost) + "</h4>";
  const bool draw = pictures < kHtmlViolationsPerCase;
  if (draw && g.violations.front()->timeline) ++pictures;
  out += violation_block(*g.violations.front(), anchor + "-v" + std::to_string(pictures) + "-", draw);
  if (g.violations.size() > 1) {
    out += "<details><summary>" + format_count(g.violations.size() - 1) +
           " more with the same root cause</summary><ul>";
    for (size_t i = 1; i < g.violations.size(); ++i)
      out += "<li>state <code>" + e(g.violations[i]->state_id) + "</code>: <code>" + e(g.violations[i]->replay) +
             "</code></li>";
    out += "</ul></details>";
  }
  return out + "</div>";
}

std::string case_section(const ScenarioResult& s, const ModelResult& m, Verdict verdict, const std::string& anchor) {
  std::string out = std::string("<section class=\"case ") + (verdict == Verdict::kFail ? "fail" : "pass") +
                    "\" id=\"" + e(anchor) + "\"><h3><code>" + e(s.name) + "</code> \u00b7 " + e(m.model) + " " +
                    badge(verdict) + "</h3><p class=\"muted\">expected " + e(describe_expectation(s.expect)) +
                    "; found " + e(describe_findings(m, s.expect)) + "; grouped by root cause (same invariant, same "
                    "trace entries dropped or torn)</p>";
  size_t pictures = 0;
  for (const RootCause& g : root_causes(m, s.expect)) out += root_cause_block(g, anchor, pictures);
  const uint64_t rest = total_violations(m) - m.violations.size();
  if (rest > 0)
    out += "<p class=\"muted\">" + format_count(rest) + " more violations of this case are counted in report.json.</p>";
  return out + "</section>";
}

std::string violations_part(const Report& report) {
  std::string sections;
  const bool partial = is_partial(report.run);
  for (size_t si = 0; si < report.scenarios.size(); ++si) {
    const ScenarioResult& s = report.scenarios[si];
    for_each_case(s, [&](const ModelResult& c, bool is_check) {
      if (!c.violations.empty())
        sections += case_section(s, c, case_or_check_verdict(s, c, is_check, partial), case_anchor(si, c, is_check));
    });
  }
  if (sections.empty()) return "<h2>Violations</h2><p class=\"muted\">No violations were found.</p>";
  return "<h2>Violations</h2><p class=\"muted\">Each picture shows the recorded trace around the crash point: "
         "one lane per file, writes sized by their bytes, syncs as barriers, the crash as a red line. "
         "Hover an operation for its index, byte range and fate.</p><div class=\"legend-wrap\">" +
         render_timeline_legend("legend-") + "</div>" + sections;
}

// Failures with no recorded violation to show: a missing expected
// violation, a case that could not run, a workload that could not run.
std::string unexplained_failures(const Report& report) {
  std::string items;
  for (const ScenarioResult& s : report.scenarios) {
    if (!s.error.empty())
      items += "<li><code>" + e(s.name) + "</code>: the workload could not run: " + e(s.error) + "</li>";
    for_each_case(s, [&](const ModelResult& c, bool is_check) {
      const Verdict verdict = case_or_check_verdict(s, c, is_check, is_partial(report.run));
      if ((verdict == Verdict::kFail || verdict == Verdict::kDeferred) && c.violations.empty())
        items += "<li><code>" + e(s.name) + "</code> \u00b7 " + e(c.model) + " " + badge(verdict) + ": expected " +
                 e(describe_expectation(s.expect)) + ", found " + e(describe_findings(c, s.expect)) + "</li>";
    });
  }
  if (items.empty()) return "";
  return "<h2>Failed or deferred cases without a violation to show</h2><ul>" + items + "</ul>";
}

// "1,234 (1,000 / 234; 800 after new writes)": total, per depth when deeper than 1, after new writes.
std::string nested_cell(const ModelResult& m) {
  std::string out = format_count(m.recovery_states_checked);
  if (m.recovery_states_checked == 0) return out;
  std::string parts;
  if (m.nested_checked_by_depth.size() > 1) {
    for (uint64_t n : m.nested_checked_by_depth) parts += (parts.empty() ? "" : " / ") + format_count(n);
    parts += "; ";
  }
  return out + " (" + parts + format_count(m.nested_after_new_writes) + " after new writes)";
}

std::string coverage_part(const Report& report) {
  std::set<std::string> paths;
  for (const ScenarioResult& s : report.scenarios)
    for (const ModelResult& m : s.models)
      for (const auto& [path, count] : m.recovery_paths) paths.insert(path);
  std::string out =
      "<h2>Coverage</h2><p class=\"muted\">What each case explored, and how many checked crash states made "
      "recovery take each path: a path never taken is a path never tested. Oracle and verify() times are "
      "the checks' time spent judging what the store showed and in its verify(), summed over workers.</p><table><thead><tr>"
      "<th>Scenario</th><th>Model</th><th>Crash points</th><th>States allowed</th><th>Generated</th>"
      "<th>Checked</th><th>Duplicates</th><th>Nested crashes (per depth; after new writes)</th><th>States/s</th>"
      "<th>Oracle time</th><th>verify() time</th>";
  for (const std::string& p : paths) out += "<th>" + e(p) + "</th>";
  out += "</tr></thead><tbody>";
  auto num_cell = [](const std::string& text) { return "<td class=\"num\">" + e(text) + "</td>"; };
  for (const ScenarioResult& s : report.scenarios)
    for (const ModelResult& m : s.models) {
      out += "<tr><td><code>" + e(s.name) + "</code></td><td>" + e(m.model) + "</td>" +
             num_cell(format_count(m.crash_points)) +
             num_cell(format_quantity(m.states_total) + (m.sampled ? " (sampled)" : "")) +
             num_cell(format_count(m.states_generated)) + num_cell(format_count(m.states_checked)) +
             num_cell(format_count(m.duplicates_skipped)) + num_cell(nested_cell(m)) +
             num_cell(format_count(m.seconds > 0 ? static_cast<uint64_t>(m.states_checked / m.seconds) : 0)) +
             num_cell(format_seconds(m.oracle_seconds)) + num_cell(format_seconds(m.verify_seconds));
      for (const std::string& p : paths) {
        auto it = m.recovery_paths.find(p);
        out += num_cell(format_count(it == m.recovery_paths.end() ? 0 : it->second));
      }
      out += "</tr>";
    }
  return out + "</tbody></table>";
}

// One cell of the kill matrix: what killed the pair (and what would have
// with the engine's cross-checks off), or why nothing did.
std::string matrix_cell(const Pair& p) {
  const auto text = [](const PairRun& run) -> std::string {
    switch (run.outcome) {
      case PairOutcome::kKilled: return run.invariants.front();
      case PairOutcome::kSurvived: return "\u00b7";
      case PairOutcome::kNotReached: return "n/r";
      case PairOutcome::kError: return "error";
    }
    return "";
  };
  std::string shown = text(p.run);
  if (p.cross_checks_off) shown += " \u2192 " + text(*p.cross_checks_off);
  const std::string title = p.mutant + " \u00d7 " + p.scenario + ": " + describe_pair(p) + " (fired " +
                            format_count(p.run.fired) + "\u00d7, " + format_count(p.run.states_checked) + " states, " +
                            format_seconds(p.run.seconds) + ")";
  return "<td class=\"km " + std::string(pair_outcome_name(p.run.outcome)) + "\" title=\"" + e(title) + "\">" +
         e(shown) + "</td>";
}

std::string kill_matrix_part(const KillMatrix& m) {
  std::string out = "<h2>Kill matrix</h2><p class=\"muted\">" + format_count(mutants_killed(m)) + " of " +
                    format_count(m.mutants.size()) +
                    " mutants killed. Each mutant ran against each scenario until its first violation (at most " +
                    format_count(m.max_states) +
                    " crash states per model); a cell names the invariant that caught it, \u00b7 where every "
                    "state held, n/r where the mutant never ran. After \u2192: the same pair with the engine's "
                    "cross-checks off, when only its refusal to open caught the mutant.</p>"
                    "<div class=\"timeline-wrap\"><table class=\"matrix\"><thead><tr><th>Mutant</th><th>Verdict</th>";
  for (const std::string& s : m.scenarios) out += "<th class=\"col\"><code>" + e(s) + "</code></th>";
  out += "</tr></thead><tbody>";
  size_t next = 0;
  for (const std::string& mutant : m.mutants) {
    const bool killed = mutant_killed(m, mutant);
    out += std::string("<tr class=\"") + (killed ? "pass" : "fail") + "\"><td><code>" + e(mutant) +
           "</code></td><td class=\"v\">" + badge(killed) + "</td>";
    for (const std::string& scenario : m.scenarios) {
      // Pairs are stored row by row in column order; a missing one shows empty.
      if (next < m.pairs.size() && m.pairs[next].mutant == mutant && m.pairs[next].scenario == scenario) {
        out += matrix_cell(m.pairs[next++]);
      } else {
        out += "<td></td>";
      }
    }
    out += "</tr>";
  }
  return out + "</tbody></table></div>";
}

std::string fault_regions_part(const Report& report) {
  std::string rows;
  auto num_cell = [](uint64_t n) { return "<td class=\"num\">" + e(format_count(n)) + "</td>"; };
  for (const ScenarioResult& s : report.scenarios)
    for (const ModelResult& m : s.models)
      for (const auto& [kind, c] : m.fault_regions) {
        rows += "<tr><td><code>" + e(s.name) + "</code></td><td>" + e(m.model) + "</td><td><code>" + e(kind) +
                "</code></td>" + num_cell(c.drawn) + num_cell(c.refused) + num_cell(c.recovered) +
                num_cell(c.harmless) + num_cell(c.tail_dropped) + num_cell(c.caught_by_verify) + num_cell(c.silent) +
                num_cell(c.misreported) + "</tr>";
      }
  if (rows.empty()) return "";
  return "<h2>Media faults by region</h2><p class=\"muted\">Each kind of region the system under test describes "
         "gets faults of every kind. Refused: a corruption error. Recovered: exactly the state the crash allows, "
         "the damaged bytes read. Harmless: the same, the damaged bytes never read. Tail dropped: the last commit "
         "lost because the fault hit its own bytes. Caught by verify: a lost or misdirected write whose stale "
         "image the reads answered from, found only by verify(). Silent: lost or wrong data without an error. "
         "Misreported: an error that is not a corruption error.</p><table><thead><tr><th>Scenario</th><th>Model</th>"
         "<th>Region</th><th>Drawn</th><th>Refused</th><th>Recovered</th><th>Harmless</th><th>Tail dropped</th>"
         "<th>Caught by verify</th><th>Silent</th><th>Misreported</th></tr></thead><tbody>" +
         rows + "</tbody></table>";
}

std::string at_risk_part(const Report& report) {
  std::string items;
  uint64_t count = 0;
  for (const ScenarioResult& s : report.scenarios)
    for (const AtRisk& a : s.at_risk) {
      ++count;
      items += "<li><code>" + e(s.name) + "</code>: transaction " + std::to_string(a.txn) +
               " was acknowledged at trace entry " + std::to_string(a.ack_index) + " while<ul>";
      for (const AtRisk::Item& item : a.items)
        items += "<li>#" + std::to_string(item.op_index) + " <code>" + e(item.path) + "</code>: " + e(item.what) +
                 "</li>";
      items += "</ul></li>";
    }
  if (items.empty()) return "";
  return "<h2>At risk</h2><details><summary>" + format_count(count) +
         " acknowledged commits depended on something not yet durable when they were acknowledged</summary><ul>" +
         items + "</ul></details>";
}

}  // namespace

std::string render_html(const Report& report) {
  Totals t = compute_totals(report);
  std::string body = header(report, t) + "\n";
  if (report.kill_matrix) body += kill_matrix_part(*report.kill_matrix) + "\n";
  // A report of crashsim mutants holds only its matrix.
  if (!report.scenarios.empty() || !report.kill_matrix) {
    body += verdict_table(report) + "\n" + violations_part(report) + "\n" + unexplained_failures(report) + "\n" +
            at_risk_part(report) + "\n" + coverage_part(report) + "\n" + fault_regions_part(report) + "\n";
  }
  return "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
         "<meta charset=\"utf-8\"/>\n<title>Crash simulation report</title>\n<style>" +
         std::string(kStyle) + "</style>\n</head>\n<body>\n" + body +
         "<footer>" + e(report.run.tool + " " + report.run.tool_version) +
         " \u00b7 report format " + std::to_string(kReportFormatVersion) + "</footer>\n</body>\n</html>\n";
}

}  // namespace reports
