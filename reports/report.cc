#include "reports/report.h"

#include <algorithm>
#include <array>
#include <set>
#include <utility>

#include "reports/json_reader.h"

namespace reports {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 6> kFateNames = {"persisted", "dropped", "torn",
                                                        "barrier",   "marker",  "not-issued"};
constexpr std::array<std::string_view, 9> kOpKindNames = {"create", "mkdir",  "write",  "truncate", "sync",
                                                          "sync-dir", "rename", "remove", "marker"};
constexpr std::array<std::string_view, 2> kVerdictNames = {"pass", "violation"};
constexpr std::array<std::string_view, 1> kFormatNames = {"crashsim-report"};
constexpr double kMaxSeconds = 1e9;

double states_per_second(const ModelResult& m) {
  return m.seconds > 0 ? static_cast<double>(m.states_checked) / m.seconds : 0.0;
}

// "I/N" with 1 <= I <= N.
bool valid_shard(std::string_view s) {
  size_t slash = s.find('/');
  if (slash == std::string_view::npos) return false;
  auto number = [](std::string_view digits, uint64_t& out) {
    if (digits.empty() || digits.size() > 9) return false;
    out = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return false;
      out = out * 10 + static_cast<uint64_t>(c - '0');
    }
    return true;
  };
  uint64_t i = 0, n = 0;
  return number(s.substr(0, slash), i) && number(s.substr(slash + 1), n) && i >= 1 && i <= n;
}

// --- writing ---

json expectation_json(const Expectation& e) {
  json j = {{"verdict", e.violation ? "violation" : "pass"}};
  if (e.violation) j["invariant"] = e.invariant;
  if (e.allow_no_states) j["allow_no_states"] = true;
  return j;
}

json timeline_json(const Timeline& t) {
  json ops = json::array();
  for (const TimelineOp& op : t.ops) {
    json o = {{"index", op.index}, {"kind", op_kind_name(op.kind)}, {"fate", fate_name(op.fate)}};
    if (!op.file.empty()) o["file"] = op.file;
    if (op.kind == OpKind::kWrite || op.kind == OpKind::kTruncate) o["offset"] = op.offset;
    if (op.kind == OpKind::kWrite) o["length"] = op.length;
    if (!op.detail.empty()) o["detail"] = op.detail;
    ops.push_back(std::move(o));
  }
  return {{"files", t.files}, {"ops", std::move(ops)}, {"crash_point", t.crash_point}};
}

json violation_json(const Violation& v) {
  json j = {{"state_id", v.state_id},   {"invariant", v.invariant},
            {"expected", v.expected},   {"observed", v.observed},
            {"power_loss_only", v.power_loss_only}, {"replay", v.replay}};
  if (!v.message.empty()) j["message"] = v.message;
  if (!v.cause.empty()) j["cause"] = v.cause;
  if (v.timeline) j["timeline"] = timeline_json(*v.timeline);
  return j;
}

json fault_regions_json(const std::map<std::string, FaultCounts>& regions) {
  json out = json::object();
  for (const auto& [kind, c] : regions) {
    out[kind] = {{"drawn", c.drawn},       {"refused", c.refused}, {"recovered", c.recovered},
                 {"harmless", c.harmless}, {"tail_dropped", c.tail_dropped}, {"caught_by_verify", c.caught_by_verify},
                 {"silent", c.silent},
                 {"misreported", c.misreported}};
  }
  return out;
}

json case_json(const ModelResult& m, bool passed) {
  json violations = json::array();
  for (const Violation& v : m.violations) violations.push_back(violation_json(v));
  json j = {{"model", m.model},
            {"verdict", passed ? "pass" : "fail"},
            {"crash_points", m.crash_points},
            {"states_total", m.states_total},
            {"states_generated", m.states_generated},
            {"sampled", m.sampled},
            {"states_checked", m.states_checked},
            {"duplicates_skipped", m.duplicates_skipped},
            {"recovery_states_checked", m.recovery_states_checked},
            {"nested_checked_by_depth", m.nested_checked_by_depth},
            {"nested_after_new_writes", m.nested_after_new_writes},
            {"seconds", m.seconds},
            {"oracle_seconds", m.oracle_seconds},
            {"verify_seconds", m.verify_seconds},
            {"states_per_second", states_per_second(m)},
            {"recovery_paths", m.recovery_paths},
            {"violation_counts", m.violation_counts},
            {"violations", std::move(violations)}};
  if (!m.fault_regions.empty()) j["fault_regions"] = fault_regions_json(m.fault_regions);
  if (!m.error.empty()) j["error"] = m.error;
  return j;
}

json at_risk_json(const AtRisk& a) {
  json items = json::array();
  for (const AtRisk::Item& item : a.items)
    items.push_back({{"op_index", item.op_index}, {"path", item.path}, {"what", item.what}});
  return {{"txn", a.txn}, {"ack_index", a.ack_index}, {"items", std::move(items)}};
}

json scenario_json(const ScenarioResult& s, bool partial) {
  json checks = json::array(), models = json::array(), at_risk = json::array();
  for (const ModelResult& c : s.checks) checks.push_back(case_json(c, check_passed(s.expect, c)));
  for (const ModelResult& m : s.models) models.push_back(case_json(m, case_or_check_passed(s, m, false, partial)));
  for (const AtRisk& a : s.at_risk) at_risk.push_back(at_risk_json(a));
  json j = {{"name", s.name},
            {"description", s.description},
            {"file", s.file},
            {"index", s.index},
            {"tags", s.tags},
            {"system", s.system},
            {"mutant", s.mutant},
            {"expect", expectation_json(s.expect)},
            {"verdict", scenario_passed(s, partial) ? "pass" : "fail"},
            {"trace_ops", s.trace_ops},
            {"commits", s.commits},
            {"acked", s.acked},
            {"at_risk", std::move(at_risk)},
            {"checks", std::move(checks)},
            {"models", std::move(models)}};
  if (s.mutant_fired) j["mutant_fired"] = *s.mutant_fired;
  if (!s.error.empty()) j["error"] = s.error;
  return j;
}

// --- reading ---

std::map<std::string, uint64_t> read_counts(const JsonValue& v) {
  std::map<std::string, uint64_t> out;
  if (!v.json().is_object()) {
    v.problem(std::string("expected an object of counts, got ") + v.json().type_name());
    return out;
  }
  for (const auto& [key, value] : v.json().items()) {
    std::optional<uint64_t> n = v.related(value, pointer_append(v.pointer(), key)).as_uint(0, UINT64_MAX);
    if (n) out[key] = *n;
  }
  return out;
}

std::map<std::string, FaultCounts> read_fault_regions(const JsonValue& v) {
  std::map<std::string, FaultCounts> out;
  if (!v.json().is_object()) {
    v.problem(std::string("expected an object of region kinds, got ") + v.json().type_name());
    return out;
  }
  for (const auto& [kind, value] : v.json().items()) {
    FaultCounts& c = out[kind];
    const JsonValue counts = v.related(value, pointer_append(v.pointer(), kind));
    ObjectReader o(counts, {"drawn", "refused", "recovered", "harmless", "tail_dropped", "caught_by_verify", "silent",
                             "misreported"});
    o.read_uint("drawn", Need::kRequired, 0, UINT64_MAX, c.drawn);
    o.read_uint("refused", Need::kRequired, 0, UINT64_MAX, c.refused);
    o.read_uint("recovered", Need::kRequired, 0, UINT64_MAX, c.recovered);
    o.read_uint("harmless", Need::kRequired, 0, UINT64_MAX, c.harmless);
    o.read_uint("tail_dropped", Need::kRequired, 0, UINT64_MAX, c.tail_dropped);
    o.read_uint("caught_by_verify", Need::kRequired, 0, UINT64_MAX, c.caught_by_verify);
    o.read_uint("silent", Need::kRequired, 0, UINT64_MAX, c.silent);
    o.read_uint("misreported", Need::kRequired, 0, UINT64_MAX, c.misreported);
  }
  return out;
}

template <class T, size_t N>
bool read_enum(const ObjectReader& o, std::string_view key, const std::array<std::string_view, N>& names,
               std::string_view what, T& out) {
  std::optional<JsonValue> v = o.member(key, Need::kRequired);
  if (!v) return false;
  std::optional<size_t> i = v->as_name(names, what);
  if (!i) return false;
  out = static_cast<T>(*i);
  return true;
}

template <class T>
std::vector<T> read_list(const ObjectReader& o, std::string_view key, Need need, T (*read_one)(const JsonValue&)) {
  std::vector<T> out;
  std::optional<JsonValue> v = o.member(key, need);
  std::optional<std::vector<JsonValue>> items = v ? v->as_array() : std::nullopt;
  if (items)
    for (const JsonValue& item : *items) out.push_back(read_one(item));
  return out;
}

Expectation read_expectation(const JsonValue& v) {
  Expectation e;
  ObjectReader o(v, {"verdict", "invariant", "allow_no_states"});
  o.read_bool("allow_no_states", Need::kOptional, e.allow_no_states);
  size_t verdict = 0;
  if (!read_enum(o, "verdict", kVerdictNames, "verdict", verdict)) return e;
  e.violation = verdict == 1;
  if (e.violation) o.read_string("invariant", Need::kRequired, e.invariant);
  else if (o.has("invariant"))
    o.member("invariant", Need::kOptional)->problem("'invariant' is only allowed with verdict 'violation'");
  return e;
}

TimelineOp read_op(const JsonValue& v) {
  TimelineOp op;
  ObjectReader o(v, {"index", "kind", "file", "offset", "length", "fate", "detail"});
  o.read_uint("index", Need::kRequired, 0, UINT64_MAX, op.index);
  read_enum(o, "kind", kOpKindNames, "operation kind", op.kind);
  read_enum(o, "fate", kFateNames, "fate", op.fate);
  o.read_string("file", op.kind == OpKind::kMarker ? Need::kOptional : Need::kRequired, op.file);
  o.read_uint("offset", Need::kOptional, 0, UINT64_MAX, op.offset);
  o.read_uint("length", Need::kOptional, 0, UINT64_MAX, op.length);
  o.read_string("detail", Need::kOptional, op.detail);
  return op;
}

Timeline read_timeline(const JsonValue& v) {
  Timeline t;
  ObjectReader o(v, {"files", "ops", "crash_point"});
  if (std::optional<JsonValue> files = o.member("files", Need::kRequired))
    if (auto names = files->as_string_set("file")) t.files = std::move(*names);
  o.read_uint("crash_point", Need::kRequired, 0, UINT64_MAX, t.crash_point);
  t.ops = read_list(o, "ops", Need::kRequired, &read_op);
  // Lanes and order are what the picture relies on.
  for (size_t i = 0; i < t.ops.size(); ++i) {
    const TimelineOp& op = t.ops[i];
    const std::string at = pointer_append(pointer_append(v.pointer(), "ops"), i);
    if (!op.file.empty() && std::find(t.files.begin(), t.files.end(), op.file) == t.files.end())
      v.related(v.json(), pointer_append(at, "file")).problem("file '" + op.file + "' is not in the timeline's files");
    if (i > 0 && op.index <= t.ops[i - 1].index)
      v.related(v.json(), pointer_append(at, "index")).problem("operations must be in ascending index order");
  }
  return t;
}

Violation read_violation(const JsonValue& v) {
  Violation out;
  ObjectReader o(v, {"state_id", "invariant", "expected", "observed", "message", "cause", "power_loss_only", "replay",
                     "timeline"});
  o.read_string("state_id", Need::kRequired, out.state_id);
  o.read_string("invariant", Need::kRequired, out.invariant);
  o.read_string("expected", Need::kRequired, out.expected);
  o.read_string("observed", Need::kRequired, out.observed);
  o.read_string("message", Need::kOptional, out.message);
  o.read_string("cause", Need::kOptional, out.cause);
  o.read_bool("power_loss_only", Need::kRequired, out.power_loss_only);
  o.read_string("replay", Need::kRequired, out.replay);
  if (std::optional<JsonValue> t = o.member("timeline", Need::kOptional)) out.timeline = read_timeline(*t);
  return out;
}

ModelResult read_case(const JsonValue& v) {
  ModelResult m;
  // "verdict" and "states_per_second" are derived: accepted, recomputed.
  ObjectReader o(v, {"model", "verdict", "crash_points", "states_total", "states_generated", "sampled",
                     "states_checked", "duplicates_skipped", "recovery_states_checked", "nested_checked_by_depth",
                     "nested_after_new_writes", "seconds", "oracle_seconds", "verify_seconds", "states_per_second",
                     "recovery_paths", "fault_regions",
                     "violation_counts", "violations", "error"});
  o.read_string("model", Need::kRequired, m.model);
  o.read_uint("crash_points", Need::kOptional, 0, UINT64_MAX, m.crash_points);
  o.read_number("states_total", Need::kRequired, 0, 1e308, m.states_total);
  o.read_uint("states_generated", Need::kOptional, 0, UINT64_MAX, m.states_generated);
  o.read_bool("sampled", Need::kOptional, m.sampled);
  o.read_uint("states_checked", Need::kRequired, 0, UINT64_MAX, m.states_checked);
  o.read_uint("duplicates_skipped", Need::kOptional, 0, UINT64_MAX, m.duplicates_skipped);
  o.read_uint("recovery_states_checked", Need::kOptional, 0, UINT64_MAX, m.recovery_states_checked);
  if (auto d = o.member("nested_checked_by_depth", Need::kOptional)) {
    for (const JsonValue& item : d->as_array().value_or(std::vector<JsonValue>{})) {
      m.nested_checked_by_depth.push_back(item.as_uint(0, UINT64_MAX).value_or(0));
    }
  }
  o.read_uint("nested_after_new_writes", Need::kOptional, 0, UINT64_MAX, m.nested_after_new_writes);
  o.read_number("seconds", Need::kRequired, 0, kMaxSeconds, m.seconds);
  o.read_number("oracle_seconds", Need::kOptional, 0, kMaxSeconds, m.oracle_seconds);
  o.read_number("verify_seconds", Need::kOptional, 0, kMaxSeconds, m.verify_seconds);
  if (auto p = o.member("recovery_paths", Need::kOptional)) m.recovery_paths = read_counts(*p);
  if (auto f = o.member("fault_regions", Need::kOptional)) m.fault_regions = read_fault_regions(*f);
  if (auto c = o.member("violation_counts", Need::kRequired)) m.violation_counts = read_counts(*c);
  m.violations = read_list(o, "violations", Need::kRequired, &read_violation);
  o.read_string("error", Need::kOptional, m.error);
  // The listed violations are examples of the counted ones, never more.
  std::map<std::string, uint64_t> listed;
  for (const Violation& violation : m.violations) ++listed[violation.invariant];
  for (const auto& [invariant, n] : listed) {
    auto it = m.violation_counts.find(invariant);
    const uint64_t counted = it == m.violation_counts.end() ? 0 : it->second;
    if (counted < n)
      v.related(v.json(), pointer_append(v.pointer(), "violation_counts"))
          .problem("counts " + std::to_string(counted) + " '" + invariant + "' violations but lists " +
                   std::to_string(n));
  }
  return m;
}

AtRisk read_at_risk(const JsonValue& v) {
  AtRisk out;
  ObjectReader o(v, {"txn", "ack_index", "items"});
  o.read_uint("txn", Need::kRequired, 0, UINT64_MAX, out.txn);
  o.read_uint("ack_index", Need::kRequired, 0, UINT64_MAX, out.ack_index);
  out.items = read_list(o, "items", Need::kRequired, +[](const JsonValue& item) {
    AtRisk::Item i;
    ObjectReader r(item, {"op_index", "path", "what"});
    r.read_uint("op_index", Need::kRequired, 0, UINT64_MAX, i.op_index);
    r.read_string("path", Need::kRequired, i.path);
    r.read_string("what", Need::kRequired, i.what);
    return i;
  });
  return out;
}

// Each case name once per list.
void check_unique_cases(const JsonValue& v, std::string_view key, const std::vector<ModelResult>& cases) {
  std::set<std::string> seen;
  for (size_t i = 0; i < cases.size(); ++i)
    if (!seen.insert(cases[i].model).second)
      v.related(v.json(), pointer_append(pointer_append(v.pointer(), key), i))
          .problem("'" + cases[i].model + "' appears twice");
}

ScenarioResult read_scenario(const JsonValue& v) {
  ScenarioResult s;
  ObjectReader o(v, {"name", "description", "file", "index", "tags", "system", "mutant", "mutant_fired", "expect",
                     "verdict", "error", "trace_ops", "commits", "acked", "at_risk", "checks", "models"});
  o.read_string("name", Need::kRequired, s.name);
  o.read_string("description", Need::kOptional, s.description);
  o.read_string("file", Need::kRequired, s.file);
  o.read_uint("index", Need::kRequired, 0, UINT64_MAX, s.index);
  if (auto tags = o.member("tags", Need::kOptional))
    if (auto set = tags->as_string_set("tag")) s.tags = std::move(*set);
  o.read_string("system", Need::kOptional, s.system);
  o.read_string("mutant", Need::kOptional, s.mutant);
  if (o.has("mutant_fired")) {
    uint64_t fired = 0;
    if (o.read_uint("mutant_fired", Need::kOptional, 0, UINT64_MAX, fired)) s.mutant_fired = fired;
  }
  if (auto e = o.member("expect", Need::kRequired)) s.expect = read_expectation(*e);
  o.read_string("error", Need::kOptional, s.error);
  o.read_uint("trace_ops", Need::kOptional, 0, UINT64_MAX, s.trace_ops);
  o.read_uint("commits", Need::kOptional, 0, UINT64_MAX, s.commits);
  o.read_uint("acked", Need::kOptional, 0, UINT64_MAX, s.acked);
  s.at_risk = read_list(o, "at_risk", Need::kOptional, &read_at_risk);
  s.checks = read_list(o, "checks", Need::kOptional, &read_case);
  s.models = read_list(o, "models", Need::kRequired, &read_case);
  check_unique_cases(v, "checks", s.checks);
  check_unique_cases(v, "models", s.models);
  if (s.error.empty() && s.models.empty() && o.has("models"))
    o.member("models", Need::kOptional)->problem("a scenario that ran has at least one model");
  return s;
}

RunInfo read_run(const JsonValue& v) {
  RunInfo r;
  ObjectReader o(v, {"tool", "tool_version", "started", "duration_seconds", "jobs", "shards", "catalog", "command"});
  o.read_string("tool", Need::kRequired, r.tool);
  o.read_string("tool_version", Need::kRequired, r.tool_version);
  o.read_string("started", Need::kRequired, r.started);
  o.read_number("duration_seconds", Need::kRequired, 0, kMaxSeconds, r.duration_seconds);
  o.read_uint("jobs", Need::kRequired, 1, 1u << 16, r.jobs);
  o.read_string("command", Need::kOptional, r.command);
  if (auto shards = o.member("shards", Need::kOptional)) {
    if (auto set = shards->as_string_set("shard")) {
      for (size_t i = 0; i < set->size(); ++i) {
        const std::string& shard = (*set)[i];
        const JsonValue item = v.related(v.json(), pointer_append(shards->pointer(), i));
        if (!valid_shard(shard)) {
          item.problem("shard '" + shard + "' is not I/N with 1 <= I <= N");
        } else if (valid_shard(set->front()) && shard.substr(shard.find('/')) != set->front().substr(set->front().find('/'))) {
          item.problem("shard '" + shard + "' is of another run than shard '" + set->front() + "' (a different N)");
        }
      }
      r.shards = std::move(*set);
    }
  }
  if (auto catalog = o.member("catalog", Need::kRequired)) {
    ObjectReader c(*catalog, {"files", "digest"});
    if (auto files = c.member("files", Need::kRequired))
      if (auto set = files->as_string_set("catalog file")) r.catalog_files = std::move(*set);
    c.read_string("digest", Need::kRequired, r.catalog_digest);
  }
  return r;
}

}  // namespace

std::string_view fate_name(Fate fate) { return kFateNames[static_cast<size_t>(fate)]; }
std::string_view op_kind_name(OpKind kind) { return kOpKindNames[static_cast<size_t>(kind)]; }

uint64_t total_violations(const ModelResult& result) {
  uint64_t n = 0;
  for (const auto& [invariant, count] : result.violation_counts) n += count;
  return n;
}

std::string_view verdict_label(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPass: return "PASS";
    case Verdict::kCaught: return "CAUGHT";
    case Verdict::kDeferred: return "DEFERRED";
    case Verdict::kFail: return "FAIL";
  }
  return "FAIL";
}

namespace {

// N of a sharded run's "I/N" (the reader has checked the form; merge, that all agree).
uint64_t shard_count(const RunInfo& run) {
  const std::string& first = run.shards.front();
  return std::stoull(first.substr(first.find('/') + 1));
}

}  // namespace

std::vector<std::string> missing_shards(const RunInfo& run, size_t limit) {
  std::vector<std::string> missing;
  if (run.shards.empty()) return missing;
  const uint64_t n = shard_count(run);
  for (uint64_t i = 1; i <= n && missing.size() < limit; ++i) {
    const std::string shard = std::to_string(i) + "/" + std::to_string(n);
    if (std::find(run.shards.begin(), run.shards.end(), shard) == run.shards.end()) missing.push_back(shard);
  }
  return missing;
}

// The shards of one report are distinct (the reader keeps a set, merge refuses repeats).
bool is_partial(const RunInfo& run) { return !run.shards.empty() && run.shards.size() < shard_count(run); }

bool checked_no_state(const ModelResult& result) {
  return result.states_checked == 0 && result.recovery_states_checked == 0;
}

Verdict case_verdict(const Expectation& expect, const ModelResult& result, bool partial) {
  if (!result.error.empty()) return Verdict::kFail;
  if (checked_no_state(result) && !expect.allow_no_states) return partial ? Verdict::kDeferred : Verdict::kFail;
  if (!expect.violation) return total_violations(result) == 0 ? Verdict::kPass : Verdict::kFail;
  auto it = result.violation_counts.find(expect.invariant);
  if (it != result.violation_counts.end() && it->second > 0) return Verdict::kCaught;
  return partial ? Verdict::kDeferred : Verdict::kFail;
}

Verdict check_verdict(const Expectation& expect, const ModelResult& check) {
  if (!check.error.empty()) return Verdict::kFail;
  if (total_violations(check) == 0) return Verdict::kPass;
  return expect.violation && check.model != kMutantCheck ? Verdict::kCaught : Verdict::kFail;
}

bool judged_on_recorded_run(const Expectation& expect) {
  return expect.violation && (expect.invariant == kWorkloadReadInvariant || expect.invariant == kSnapshotIsolationInvariant);
}

Verdict case_or_check_verdict(const ScenarioResult& s, const ModelResult& result, bool is_check, bool partial) {
  if (is_check) return check_verdict(s.expect, result);
  if (!judged_on_recorded_run(s.expect)) return case_verdict(s.expect, result, partial);
  // Its crash states are judged as a clean scenario's; what it expects, the
  // recorded run's check must have found (every shard repeats the checks).
  Expectation clean = s.expect;
  clean.violation = false;
  const Verdict states = case_verdict(clean, result, partial);
  if (states != Verdict::kPass) return states;
  const bool found = std::any_of(s.checks.begin(), s.checks.end(), [&](const ModelResult& c) {
    const auto it = c.violation_counts.find(s.expect.invariant);
    return it != c.violation_counts.end() && it->second > 0;
  });
  return found ? Verdict::kCaught : Verdict::kFail;
}

bool case_passed(const Expectation& expect, const ModelResult& result, bool partial) {
  return case_verdict(expect, result, partial) != Verdict::kFail;
}

bool check_passed(const Expectation& expect, const ModelResult& check) {
  return check_verdict(expect, check) != Verdict::kFail;
}

bool case_or_check_passed(const ScenarioResult& s, const ModelResult& result, bool is_check, bool partial) {
  return case_or_check_verdict(s, result, is_check, partial) != Verdict::kFail;
}

bool scenario_passed(const ScenarioResult& s, bool partial) {
  if (!s.error.empty() || s.models.empty()) return false;
  bool all = true;
  for_each_case(s, [&](const ModelResult& c, bool is_check) {
    all = all && case_or_check_passed(s, c, is_check, partial);
  });
  return all;
}

bool report_passed(const Report& report) {
  const bool partial = is_partial(report.run);
  const bool scenarios = std::all_of(report.scenarios.begin(), report.scenarios.end(),
                                     [partial](const ScenarioResult& s) { return scenario_passed(s, partial); });
  return scenarios && (!report.kill_matrix || every_mutant_killed(*report.kill_matrix));
}

std::vector<const Violation*> showing_order(const ModelResult& result, const Expectation& expect, size_t limit) {
  std::vector<const Violation*> firsts, rest;
  for (const Violation& v : result.violations) {
    const bool seen = std::any_of(firsts.begin(), firsts.end(),
                                  [&](const Violation* f) { return f->invariant == v.invariant; });
    (seen ? rest : firsts).push_back(&v);
  }
  auto rank = [&](const Violation* v) { return std::make_pair(!(expect.violation && v->invariant == expect.invariant), v->invariant); };
  std::stable_sort(firsts.begin(), firsts.end(), [&](const Violation* a, const Violation* b) { return rank(a) < rank(b); });
  firsts.insert(firsts.end(), rest.begin(), rest.end());
  if (firsts.size() > limit) firsts.resize(limit);
  return firsts;
}

std::string describe_expectation(const Expectation& expect) {
  return expect.violation ? "violation of " + expect.invariant : "pass";
}

std::string describe_findings(const ModelResult& result, const Expectation& expect) {
  if (!result.error.empty()) return "error: " + result.error;
  std::string expected, others;
  for (const auto& [invariant, count] : result.violation_counts) {
    if (count == 0) continue;
    const std::string item = invariant + " \u00d7" + std::to_string(count);
    std::string& into = expect.violation && invariant == expect.invariant ? expected : others;
    into += (into.empty() ? "" : ", ") + item;
  }
  const std::string out = expected.empty() || others.empty() ? expected + others : expected + ", " + others;
  if (!out.empty()) return out;
  return checked_no_state(result) ? "no crash state checked" : "no violations";
}

Totals compute_totals(const Report& report) {
  Totals t;
  const bool partial = is_partial(report.run);
  for (const ScenarioResult& s : report.scenarios) {
    ++t.scenarios;
    if (scenario_passed(s, partial)) ++t.scenarios_passed;
    // A workload that could not run counts as one failed case, as in junit.xml.
    if (!s.error.empty()) ++t.cases;
    for_each_case(s, [&](const ModelResult& c, bool is_check) {
      ++t.cases;
      const Verdict verdict = case_or_check_verdict(s, c, is_check, partial);
      if (verdict != Verdict::kFail) ++t.cases_passed;
      if (verdict == Verdict::kDeferred) ++t.cases_deferred;
      t.states_checked += c.states_checked;
      t.nested_states_checked += c.recovery_states_checked;
      t.violations += total_violations(c);
      t.seconds += c.seconds;
    });
  }
  return t;
}

json report_to_json(const Report& report) {
  const RunInfo& r = report.run;
  json run = {{"tool", r.tool},
              {"tool_version", r.tool_version},
              {"started", r.started},
              {"duration_seconds", r.duration_seconds},
              {"jobs", r.jobs},
              {"shards", r.shards},
              {"catalog", {{"files", r.catalog_files}, {"digest", r.catalog_digest}}}};
  if (!r.command.empty()) run["command"] = r.command;

  json scenarios = json::array();
  for (const ScenarioResult& s : report.scenarios) scenarios.push_back(scenario_json(s, is_partial(r)));
  const Totals t = compute_totals(report);
  json totals = {{"scenarios", t.scenarios},           {"scenarios_passed", t.scenarios_passed},
                 {"cases", t.cases},                   {"cases_passed", t.cases_passed},
                 {"states_checked", t.states_checked}, {"nested_states_checked", t.nested_states_checked},
                 {"violations", t.violations},
                 {"seconds", t.seconds}};
  json doc = {{"format", kFormatNames[0]},
              {"version", kReportFormatVersion},
              {"run", std::move(run)},
              {"totals", std::move(totals)},
              {"scenarios", std::move(scenarios)}};
  if (report.kill_matrix) doc["kill_matrix"] = kill_matrix_to_json(*report.kill_matrix);
  return doc;
}

vfs::Result<Report> report_from_json(const json& doc, std::string_view source) {
  std::vector<JsonProblem> problems;
  Report report;
  const JsonValue root(doc, "", problems);
  ObjectReader o(root, {"format", "version", "run", "totals", "scenarios", "kill_matrix"});
  if (auto f = o.member("format", Need::kRequired)) f->as_name(kFormatNames, "format");
  int version = 0;
  if (auto v = o.member("version", Need::kRequired)) {
    if (auto n = v->as_uint(0, UINT32_MAX)) {
      version = static_cast<int>(*n);
      if (version != kReportFormatVersion)
        v->problem("report format version " + std::to_string(version) + " is not supported (this build reads " +
                   std::to_string(kReportFormatVersion) + ")");
    }
  }
  if (auto run = o.member("run", Need::kRequired)) report.run = read_run(*run);
  report.scenarios = read_list(o, "scenarios", Need::kRequired, &read_scenario);
  if (auto matrix = o.member("kill_matrix", Need::kOptional)) report.kill_matrix = read_kill_matrix(*matrix);
  std::set<std::string> seen;
  for (size_t i = 0; i < report.scenarios.size(); ++i)
    if (!seen.insert(report.scenarios[i].name).second)
      root.related(doc, pointer_append("/scenarios", i))
          .problem("scenario '" + report.scenarios[i].name + "' appears twice");
  if (!problems.empty()) return vfs::Status::invalid_argument(format_problems(source, problems));
  return report;
}

}  // namespace reports
