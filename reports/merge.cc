#include "reports/merge.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>

namespace reports {
namespace {

using vfs::Status;

std::string name_of(const Report& r, size_t k) {
  std::string label = "report #" + std::to_string(k + 1);
  if (r.run.shards.empty()) return label + " (unsharded)";
  label += r.run.shards.size() == 1 ? " (shard " : " (shards ";
  for (size_t i = 0; i < r.run.shards.size(); ++i) label += (i ? " " : "") + r.run.shards[i];
  return label + ")";
}

// "I/N" -> {I, N}; the reader has checked the form.
std::pair<uint64_t, uint64_t> parse_shard(const std::string& s) {
  size_t slash = s.find('/');
  return {std::stoull(s.substr(0, slash)), std::stoull(s.substr(slash + 1))};
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

Status check_same_run(std::span<const Report> reports) {
  const Report& first = reports.front();
  std::map<std::string, size_t> shard_owner;
  uint64_t shard_count = 0;
  for (size_t k = 0; k < reports.size(); ++k) {
    const Report& r = reports[k];
    if (r.run.catalog_digest != first.run.catalog_digest || r.run.catalog_files != first.run.catalog_files)
      return Status::invalid_argument("merge: " + name_of(r, k) + " ran a different catalog (digest " +
                                      r.run.catalog_digest + ", files " + join(r.run.catalog_files) + ") than " +
                                      name_of(first, 0) + " (digest " + first.run.catalog_digest + ", files " +
                                      join(first.run.catalog_files) + ")");
    if (r.run.tool != first.run.tool || r.run.tool_version != first.run.tool_version)
      return Status::invalid_argument("merge: " + name_of(r, k) + " was written by " + r.run.tool + " " +
                                      r.run.tool_version + " but " + name_of(first, 0) + " by " + first.run.tool +
                                      " " + first.run.tool_version);
    if (r.run.shards.empty() && reports.size() > 1)
      return Status::invalid_argument("merge: " + name_of(r, k) +
                                      " covers the whole run, so it overlaps every other report");
    for (const std::string& shard : r.run.shards) {
      const uint64_t count = parse_shard(shard).second;
      if (shard_count == 0) shard_count = count;
      if (count != shard_count)
        return Status::invalid_argument("merge: " + name_of(r, k) + " splits the run into " + std::to_string(count) +
                                        " shards but an earlier report into " + std::to_string(shard_count));
      auto [it, inserted] = shard_owner.emplace(shard, k);
      if (!inserted)
        return Status::invalid_argument("merge: shard " + shard + " is in both " + name_of(reports[it->second], it->second) +
                                        " and " + name_of(r, k));
    }
  }
  return Status();
}

std::string case_name(const ScenarioResult& s, const ModelResult& m) {
  return "scenario '" + s.name + "' case '" + m.model + "'";
}

// State ids start with the crash point: order by it, then by the whole id.
bool state_order(const Violation& a, const Violation& b) {
  auto point = [](const std::string& id) {
    uint64_t n = 0;
    for (char c : id) {
      if (c < '0' || c > '9') break;
      n = n * 10 + static_cast<uint64_t>(c - '0');
    }
    return n;
  };
  return std::make_pair(point(a.state_id), a.state_id) < std::make_pair(point(b.state_id), b.state_id);
}

void union_violations(std::vector<Violation>& into, const std::vector<Violation>& from) {
  std::set<std::pair<std::string, std::string>> seen;
  for (const Violation& v : into) seen.emplace(v.state_id, v.invariant);
  for (const Violation& v : from)
    if (seen.emplace(v.state_id, v.invariant).second) into.push_back(v);
  std::stable_sort(into.begin(), into.end(), state_order);
}

void join_error(std::string& into, const std::string& from) {
  if (!from.empty() && into.find(from) == std::string::npos) into += (into.empty() ? "" : "; ") + from;
}

// Shards that split a model's crash states checked disjoint sets: add up.
Status add_model(const ScenarioResult& s, ModelResult& into, const ModelResult& from) {
  if (into.states_total != from.states_total)
    return Status::invalid_argument("merge: " + case_name(s, from) +
                                    ": shards disagree on the crash states the model allows (" +
                                    std::to_string(into.states_total) + " vs " + std::to_string(from.states_total) + ")");
  into.crash_points += from.crash_points;
  into.states_generated += from.states_generated;
  into.sampled = into.sampled || from.sampled;
  into.states_checked += from.states_checked;
  into.duplicates_skipped += from.duplicates_skipped;
  into.recovery_states_checked += from.recovery_states_checked;
  if (into.nested_checked_by_depth.size() < from.nested_checked_by_depth.size())
    into.nested_checked_by_depth.resize(from.nested_checked_by_depth.size());
  for (size_t d = 0; d < from.nested_checked_by_depth.size(); ++d)
    into.nested_checked_by_depth[d] += from.nested_checked_by_depth[d];
  into.nested_after_new_writes += from.nested_after_new_writes;
  into.seconds += from.seconds;
  into.oracle_seconds += from.oracle_seconds;
  into.verify_seconds += from.verify_seconds;
  for (const auto& [path, n] : from.recovery_paths) into.recovery_paths[path] += n;
  for (const auto& [kind, c] : from.fault_regions) {
    FaultCounts& sum = into.fault_regions[kind];
    sum.drawn += c.drawn;
    sum.refused += c.refused;
    sum.recovered += c.recovered;
    sum.harmless += c.harmless;
    sum.tail_dropped += c.tail_dropped;
    sum.caught_by_verify += c.caught_by_verify;
    sum.silent += c.silent;
    sum.misreported += c.misreported;
  }
  for (const auto& [invariant, n] : from.violation_counts) into.violation_counts[invariant] += n;
  union_violations(into.violations, from.violations);
  join_error(into.error, from.error);
  return Status();
}

// A check looks at the workload's run, which every shard repeats: the same
// findings, not more of them.
void add_check(ModelResult& into, const ModelResult& from) {
  into.seconds = std::max(into.seconds, from.seconds);
  for (const auto& [invariant, n] : from.violation_counts)
    into.violation_counts[invariant] = std::max(into.violation_counts[invariant], n);
  union_violations(into.violations, from.violations);
  join_error(into.error, from.error);
}

bool same_catalog_fields(const ScenarioResult& a, const ScenarioResult& b) {
  return std::tie(a.description, a.file, a.index, a.tags, a.system, a.mutant, a.expect.violation,
                  a.expect.invariant, a.expect.allow_no_states) ==
         std::tie(b.description, b.file, b.index, b.tags, b.system, b.mutant, b.expect.violation,
                  b.expect.invariant, b.expect.allow_no_states);
}

// The recorded run of a scenario is deterministic: two shards that recorded
// it must have recorded the same trace.
Status merge_run_counter(const ScenarioResult& s, std::string_view what, uint64_t& into, uint64_t from) {
  if (into != 0 && from != 0 && into != from)
    return Status::invalid_argument("merge: scenario '" + s.name + "': shards recorded different runs (" +
                                    std::string(what) + " " + std::to_string(into) + " vs " + std::to_string(from) +
                                    "); the workload is not deterministic");
  into = std::max(into, from);
  return Status();
}

Status add_scenario(ScenarioResult& into, const ScenarioResult& from) {
  if (!same_catalog_fields(into, from))
    return Status::invalid_argument("merge: scenario '" + from.name +
                                    "' differs between shards (description, file, position, tags, system, mutant or expectation)");
  RETURN_IF_ERROR(merge_run_counter(from, "trace entries", into.trace_ops, from.trace_ops));
  RETURN_IF_ERROR(merge_run_counter(from, "commits", into.commits, from.commits));
  RETURN_IF_ERROR(merge_run_counter(from, "acknowledged commits", into.acked, from.acked));
  join_error(into.error, from.error);
  for (const AtRisk& a : from.at_risk) {
    auto same = [&](const AtRisk& x) { return x.txn == a.txn && x.ack_index == a.ack_index; };
    if (std::none_of(into.at_risk.begin(), into.at_risk.end(), same)) into.at_risk.push_back(a);
  }
  auto find = [](std::vector<ModelResult>& list, const std::string& name) {
    return std::find_if(list.begin(), list.end(), [&](const ModelResult& x) { return x.model == name; });
  };
  for (const ModelResult& c : from.checks) {
    auto it = find(into.checks, c.model);
    if (it == into.checks.end()) into.checks.push_back(c);
    else add_check(*it, c);
  }
  // A mutant reached by any shard's states was reached by the run: it may
  // fire only in the recovery of states another shard did not check.
  if (from.mutant_fired) into.mutant_fired = into.mutant_fired.value_or(0) + *from.mutant_fired;
  if (into.mutant_fired > 0u) std::erase_if(into.checks, [](const ModelResult& c) { return c.model == kMutantCheck; });
  for (const ModelResult& m : from.models) {
    auto it = find(into.models, m.model);
    if (it == into.models.end()) into.models.push_back(m);
    else RETURN_IF_ERROR(add_model(from, *it, m));
  }
  return Status();
}

// Every shard of the run, unless a partial merge was asked for.
Status check_complete(const RunInfo& merged, bool allow_partial) {
  if (allow_partial || !is_partial(merged)) return Status();
  const std::vector<std::string> missing = missing_shards(merged);
  return Status::invalid_argument("merge: shard" + std::string(missing.size() == 1 ? " " : "s ") + join(missing) +
                                  " of the run " + (missing.size() == 1 ? "is" : "are") + " missing (the reports hold " +
                                  join(merged.shards) +
                                  "); a mutant's expected violation may lie in a missing shard's states, so merge "
                                  "every shard, or pass --allow-partial for a report marked partial");
}

}  // namespace

vfs::Result<Report> merge_parsed_reports(std::span<const Report> reports, bool allow_partial) {
  if (reports.empty()) return Status::invalid_argument("merge: no reports given");
  for (size_t k = 0; k < reports.size(); ++k) {
    if (reports[k].kill_matrix) {
      return Status::invalid_argument("merge: report #" + std::to_string(k + 1) +
                                      " holds a kill matrix (crashsim mutants), which has no shards to merge");
    }
  }
  RETURN_IF_ERROR(check_same_run(reports));

  Report merged;
  merged.run = reports.front().run;
  merged.run.shards.clear();
  merged.run.command.clear();
  merged.run.jobs = 0;
  for (const Report& r : reports) {
    merged.run.started = std::min(merged.run.started, r.run.started);  // ISO 8601 UTC orders as text
    merged.run.duration_seconds = std::max(merged.run.duration_seconds, r.run.duration_seconds);
    merged.run.jobs += r.run.jobs;
    merged.run.shards.insert(merged.run.shards.end(), r.run.shards.begin(), r.run.shards.end());
    for (const ScenarioResult& s : r.scenarios) {
      auto it = std::find_if(merged.scenarios.begin(), merged.scenarios.end(),
                             [&](const ScenarioResult& x) { return x.name == s.name; });
      if (it == merged.scenarios.end()) merged.scenarios.push_back(s);
      else RETURN_IF_ERROR(add_scenario(*it, s));
    }
  }
  if (reports.size() == 1) merged.run.command = reports.front().run.command;
  std::sort(merged.run.shards.begin(), merged.run.shards.end(),
            [](const std::string& a, const std::string& b) { return parse_shard(a) < parse_shard(b); });
  RETURN_IF_ERROR(check_complete(merged.run, allow_partial));

  // Catalog order: the file's place in the run's list, then the scenario's place in its file.
  const std::vector<std::string>& files = merged.run.catalog_files;
  auto file_rank = [&](const std::string& f) {
    return static_cast<size_t>(std::find(files.begin(), files.end(), f) - files.begin());
  };
  std::stable_sort(merged.scenarios.begin(), merged.scenarios.end(),
                   [&](const ScenarioResult& a, const ScenarioResult& b) {
                     return std::make_tuple(file_rank(a.file), a.file, a.index) <
                            std::make_tuple(file_rank(b.file), b.file, b.index);
                   });
  return merged;
}

vfs::Result<nlohmann::json> merge_reports(const std::vector<nlohmann::json>& docs, bool allow_partial) {
  std::vector<Report> reports;
  for (size_t k = 0; k < docs.size(); ++k) {
    ASSIGN_OR_RETURN(Report r, report_from_json(docs[k], "report #" + std::to_string(k + 1)));
    reports.push_back(std::move(r));
  }
  ASSIGN_OR_RETURN(Report merged, merge_parsed_reports(reports, allow_partial));
  return report_to_json(merged);
}

}  // namespace reports
