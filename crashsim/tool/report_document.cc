#include "crashsim/tool/report_document.h"

#include <algorithm>
#include <array>
#include <utility>

#include "crashsim/model/state_id.h"

namespace crashsim::tool {

namespace {

constexpr std::array<std::pair<std::string_view, reports::OpKind>, 8> kFsOps = {{
    {"create", reports::OpKind::kCreate},
    {"mkdir", reports::OpKind::kMkdir},
    {"write", reports::OpKind::kWrite},
    {"truncate", reports::OpKind::kTruncate},
    {"sync", reports::OpKind::kSync},
    {"sync-dir", reports::OpKind::kSyncDir},
    {"rename", reports::OpKind::kRename},
    {"remove", reports::OpKind::kRemove},
}};

reports::OpKind report_op_kind(std::string_view kind) {
  for (const auto& [name, k] : kFsOps) {
    if (name == kind) return k;
  }
  return reports::OpKind::kMarker;
}

reports::Fate report_fate(OpFate fate) {
  switch (fate) {
    case OpFate::kPersisted: return reports::Fate::kPersisted;
    case OpFate::kDropped: return reports::Fate::kDropped;
    case OpFate::kTorn: return reports::Fate::kTorn;
    case OpFate::kBarrier: return reports::Fate::kBarrier;
    case OpFate::kMarker: return reports::Fate::kMarker;
    case OpFate::kNotIssued: return reports::Fate::kNotIssued;
  }
  return reports::Fate::kNotIssued;
}

// Characters a shell takes literally.
bool shell_safe(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("-_./:=,+@%").find(c) != std::string_view::npos;
}

reports::Violation report_violation(const catalog::ScenarioSpec& spec, const Violation& v,
                                    const ReplaySpelling& spelling) {
  reports::Violation out;
  out.state_id = v.state_id;
  out.invariant = v.invariant;
  out.expected = v.expected;
  out.observed = v.observed;
  out.message = v.message;
  out.cause = v.cause == Cause::kUnknown ? "" : std::string(cause_name(v.cause));
  out.power_loss_only = v.cause == Cause::kMissingSync;
  out.replay = v.state_id.empty() ? "" : replay_command(spec, v.state_id, spelling);
  out.timeline = timeline_of(v);
  return out;
}

// Counts every violation per invariant and keeps the first few of each.
void add_violations(const catalog::ScenarioSpec& spec, const std::vector<Violation>& violations,
                    const ReplaySpelling& spelling, reports::ModelResult& out) {
  for (const Violation& v : violations) {
    if (++out.violation_counts[v.invariant] <= kViolationsRecordedPerInvariant) {
      out.violations.push_back(report_violation(spec, v, spelling));
    }
  }
}

reports::ModelResult report_model(const catalog::ScenarioSpec& spec, const ModelResult& m,
                                  const ReplaySpelling& spelling) {
  reports::ModelResult out;
  out.model = m.model;
  const Coverage& c = m.coverage;
  out.crash_points = c.crash_points;
  out.states_total = c.states_allowed;
  out.states_generated = c.states_generated;
  out.sampled = c.sampled;
  out.states_checked = c.states_checked;
  out.duplicates_skipped = c.duplicates_skipped;
  out.recovery_states_checked = c.recovery_states_checked;
  for (const NestedCoverage& level : c.nested) {
    out.nested_checked_by_depth.push_back(level.checked);
    out.nested_after_new_writes += level.after_new_writes;
  }
  out.seconds = m.seconds;
  out.oracle_seconds = c.oracle_seconds;
  out.verify_seconds = c.verify_seconds;
  out.recovery_paths = c.recovery_paths;
  for (const auto& [kind, t] : c.fault_regions) {
    out.fault_regions[kind] = {t.drawn,        t.refused,          t.recovered, t.harmless,
                               t.tail_dropped, t.caught_by_verify, t.silent,    t.misreported};
  }
  add_violations(spec, m.violations, spelling, out);
  return out;
}

}  // namespace

std::string shell_quote(std::string_view word) {
  if (!word.empty() && std::all_of(word.begin(), word.end(), shell_safe)) return std::string(word);
  std::string out = "'";
  for (char c : word) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string replay_command(const catalog::ScenarioSpec& spec, const std::string& state_id,
                           const ReplaySpelling& spelling) {
  std::string cmd = shell_quote(spelling.program) + " replay " + shell_quote(spec.file) + " --scenario " +
                    shell_quote(spec.name) + " --state " + shell_quote(state_id);
  if (spelling.trace_path) cmd += " --trace " + shell_quote(*spelling.trace_path);
  return cmd;
}

std::optional<reports::Timeline> timeline_of(const Violation& violation) {
  if (violation.ops.empty()) return std::nullopt;
  reports::Timeline t;
  // The ops of a crash inside recovery are those of recovery's trace, whose
  // crash point is the id's last segment.
  const vfs::Result<StateId> id = StateId::parse(violation.state_id);
  t.crash_point = id.ok() ? id->segments.back().point : violation.crash_point;
  for (const OpRecord& r : violation.ops) {
    reports::TimelineOp op;
    op.index = r.index;
    op.kind = report_op_kind(r.kind);
    op.fate = report_fate(r.fate);
    op.detail = r.note.empty() ? r.op : r.op + "; " + r.note;
    if (op.kind != reports::OpKind::kMarker) {
      op.file = r.path;
      if (std::find(t.files.begin(), t.files.end(), r.path) == t.files.end()) t.files.push_back(r.path);
    }
    if (op.kind == reports::OpKind::kWrite || op.kind == reports::OpKind::kTruncate) {
      op.offset = r.offset;
      op.length = r.length;
    }
    t.ops.push_back(std::move(op));
  }
  return t;
}

reports::ScenarioResult report_scenario(const catalog::ScenarioSpec& spec, const ScenarioResult& result,
                                        const ReplaySpelling& spelling) {
  reports::ScenarioResult out;
  out.name = spec.name;
  out.description = spec.description;
  out.file = spec.file;
  out.index = spec.index;
  out.tags = spec.tags;
  out.system = result.system;
  out.mutant = std::string(engine::mutant_name(spec.engine.mutant));
  out.mutant_fired = result.defect_fired;
  out.expect.violation = spec.expect.violation.has_value();
  out.expect.invariant = spec.expect.violation.value_or("");
  out.expect.allow_no_states = spec.expect.allow_no_states;
  out.error = result.error;
  out.trace_ops = result.trace_ops;
  out.commits = result.commits;
  out.acked = result.acked;
  for (const AtRiskReport& a : result.at_risk) {
    reports::AtRisk r{a.txn, a.ack_index, {}};
    for (const AtRiskItem& item : a.items) r.items.push_back({item.op_index, item.path, item.what});
    out.at_risk.push_back(std::move(r));
  }
  // Model-independent findings, one check per kind ("workload", "at-risk", "mutant"), in the order first found.
  std::vector<std::pair<std::string, std::vector<Violation>>> checks;
  for (const Violation& v : result.violations) {
    auto it = std::find_if(checks.begin(), checks.end(), [&](const auto& c) { return c.first == v.model; });
    if (it == checks.end()) it = checks.insert(checks.end(), {v.model, {}});
    it->second.push_back(v);
  }
  for (const auto& [name, violations] : checks) {
    reports::ModelResult check;
    check.model = name;
    add_violations(spec, violations, spelling, check);
    out.checks.push_back(std::move(check));
  }
  for (const ModelResult& m : result.models) out.models.push_back(report_model(spec, m, spelling));
  return out;
}

}  // namespace crashsim::tool
