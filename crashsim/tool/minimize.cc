#include "crashsim/tool/minimize.h"

#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <set>
#include <utility>

#include "crashsim/check/invariants.h"
#include "crashsim/model/state_id.h"
#include "crashsim/model/timeline.h"
#include "crashsim/simulator.h"
#include "crashsim/tool/scenario_run.h"

namespace crashsim::tool {

namespace {

using vfs::Result;
using vfs::Status;

constexpr size_t kShortValue = 8;

// A script cut into segments: a transaction (its puts, deletes and gets, then
// its commit), or one step outside any transaction (a checkpoint, a reopen, a
// get or a snapshot step between transactions). Steps after the last commit are never applied
// and are left out.
struct Segment {
  std::vector<Step> steps;
  bool txn = false;
};

bool writes(const Step& s) { return s.kind == StepKind::kPut || s.kind == StepKind::kDelete; }

std::vector<Segment> segments_of(const std::vector<Step>& steps) {
  std::vector<Segment> out;
  Segment open{{}, true};
  for (const Step& s : steps) {
    const bool standalone = s.kind != StepKind::kPut && s.kind != StepKind::kDelete && s.kind != StepKind::kCommit;
    if (standalone && open.steps.empty()) {
      out.push_back({{s}, false});
      continue;
    }
    open.steps.push_back(s);
    if (s.kind == StepKind::kCommit || s.kind == StepKind::kQueueCommit) {
      out.push_back(std::move(open));
      open = {{}, true};
    }
  }
  return out;
}

// Which part of the script a reduction removes: a whole segment, or one step
// of a transaction.
struct Unit {
  size_t segment = 0;
  size_t step = kWhole;
  static constexpr size_t kWhole = SIZE_MAX;
  friend auto operator<=>(const Unit&, const Unit&) = default;
};

// The script without `removed`. A transaction left with no put or delete
// loses its commit too (a commit of nothing is not a valid catalog step); its
// gets stay, as reads between transactions.
std::vector<Step> assemble(const std::vector<Segment>& segments, const std::set<Unit>& removed) {
  std::vector<Step> out;
  for (size_t i = 0; i < segments.size(); ++i) {
    if (removed.contains({i, Unit::kWhole})) continue;
    const Segment& seg = segments[i];
    if (!seg.txn) {
      out.insert(out.end(), seg.steps.begin(), seg.steps.end());
      continue;
    }
    std::vector<Step> kept;
    for (size_t j = 0; j + 1 < seg.steps.size(); ++j) {
      if (!removed.contains({i, j})) kept.push_back(seg.steps[j]);
    }
    const bool any_write = std::any_of(kept.begin(), kept.end(), writes);
    out.insert(out.end(), kept.begin(), kept.end());
    if (any_write) out.push_back(seg.steps.back());
  }
  return out;
}

// Drops as many items as possible while fails(kept) holds: chunks of half the
// list, then a quarter, ..., then single items. True when it dropped any.
template <class T, class Fails, class BudgetLeft>
bool drop_chunks(std::vector<T>& items, Fails fails, BudgetLeft budget_left) {
  bool dropped = false;
  for (size_t chunk = std::max<size_t>(items.size() / 2, 1); !items.empty(); chunk /= 2) {
    for (size_t start = 0; start < items.size() && budget_left();) {
      std::vector<T> candidate(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(start));
      const size_t end = std::min(start + chunk, items.size());
      candidate.insert(candidate.end(), items.begin() + static_cast<std::ptrdiff_t>(end), items.end());
      if (fails(candidate)) {
        items = std::move(candidate);
        dropped = true;
      } else {
        start = end;
      }
    }
    if (chunk <= 1 || !budget_left()) break;
  }
  return dropped;
}

// The persisted units (pending writes, or torn sectors) of a reorder or torn
// state: the set bits of its choice, which is hex masks (torn: after
// "SECTOR:", separated by dots; see state_id.h).
size_t persisted_units(const StateIdSegment& seg) {
  size_t n = 0;
  const size_t colon = seg.choice.find(':');
  const std::string_view masks = std::string_view(seg.choice).substr(colon == std::string::npos ? 0 : colon + 1);
  for (char c : masks) {
    const unsigned v = c >= '0' && c <= '9' ? unsigned(c - '0') : c >= 'a' && c <= 'f' ? unsigned(c - 'a' + 10) : 0;
    n += static_cast<size_t>(std::popcount(v));
  }
  return n;
}

class Shrinker {
 public:
  Shrinker(const catalog::ScenarioSpec& spec, const MinimizeGoal& goal, const MinimizeOptions& options)
      : spec_(spec), goal_(goal), options_(options), sut_(spec.system_setup.make()), simulator_(*sut_),
        start_(std::chrono::steady_clock::now()) {
    sim_ = spec.simulation;
    ModelConfig config{.kind = goal.model};
    if (!sim_.models.empty()) {
      config.sector_size = sim_.models.front().sector_size;
      config.seed = sim_.models.front().seed;
    }
    for (const ModelConfig& m : spec.simulation.models) {
      if (m.kind == goal.model) config = m;
    }
    sim_.models = {config};
    sim_.max_states = spec.max_states;
    sim_.jobs = options.jobs;
    sim_.classify_causes = false;
  }

  const SimulationOptions& simulation() const { return sim_; }
  uint32_t attempts() const { return attempts_; }
  bool budget_left() const {
    return attempts_ < options_.max_attempts && std::chrono::steady_clock::now() - start_ < options_.max_time;
  }

  // Runs the goal's model on `steps`; when the goal's invariant fails,
  // remembers the recording and its violations of it. An empty script never
  // counts: it is no catalog scenario (the loader refuses "script": []), and
  // what fails without a single step (creating the store) is no reproducer.
  bool fails(const std::vector<Step>& steps) {
    if (steps.empty()) return false;
    ++attempts_;
    Scenario scenario = spec_.scenario();
    scenario.workload.generator.reset();
    scenario.workload.script = steps;
    scenario.options = sim_;
    Result<Recording> recording = simulator_.record(scenario);
    if (!recording.ok()) return false;
    const ScenarioResult result = simulator_.check(spec_.name, *recording, sim_);
    if (!result.error.empty()) return false;
    std::vector<Violation> hits;
    for (const ModelResult& m : result.models) {
      for (const Violation& v : m.violations) {
        if (v.invariant == goal_.invariant) hits.push_back(v);
      }
    }
    if (hits.empty()) return false;
    best_steps_ = steps;
    best_recording_ = std::move(recording).value();
    best_hits_ = std::move(hits);
    return true;
  }

  // One round of phases 1-3 on the best script; true when it removed anything.
  bool shrink_round() {
    bool any = false;
    any |= drop_units([](const Segment& s) { return s.txn; }, /*steps_inside=*/false, "transactions");
    any |= drop_units([](const Segment& s) { return s.txn; }, /*steps_inside=*/true, "ops in transactions");
    any |= drop_units([](const Segment& s) { return !s.txn; }, /*steps_inside=*/false, "checkpoints and reopens");
    return any;
  }

  // Phase 4: every value cut to kShortValue bytes, in one attempt.
  void shorten_values() {
    std::vector<Step> steps = best_steps_;
    bool changed = false;
    for (Step& s : steps) {
      if (s.kind == StepKind::kPut && s.value.size() > kShortValue) {
        s.value.resize(kShortValue);
        changed = true;
      }
    }
    if (changed && budget_left() && fails(steps)) log("values shortened to " + std::to_string(kShortValue) + " bytes");
  }

  // The violating state with the fewest persisted writes, each of them then
  // dropped in turn (under torn, then each sector) while the invariant still fails.
  Status shrink_state(Minimized& out) {
    const Violation* start = nullptr;
    for (const Violation& v : best_hits_) {
      const Result<StateId> id = StateId::parse(v.state_id);
      if (!id.ok()) continue;
      if (start == nullptr) start = &v;
      const Result<StateId> best = StateId::parse(start->state_id);
      const bool top = id->segments.size() == 1;
      const bool best_top = best.ok() && best->segments.size() == 1;
      if (top && (!best_top || persisted_units(id->segments[0]) < persisted_units(best->segments[0]))) start = &v;
    }
    if (start == nullptr) {
      return Status::invalid_argument("no violation of '" + goal_.invariant + "' has a crash state");
    }
    out.state_id = start->state_id;
    out.violation = *start;
    ASSIGN_OR_RETURN(const StateId id, StateId::parse(start->state_id));
    const StateIdSegment seg = id.segments[0];
    if (id.segments.size() != 1 || (seg.model != ModelKind::kReorder && seg.model != ModelKind::kTorn)) return Status();
    const Trace& trace = best_recording_.trace;
    const Frontier frontier = frontiers_at(trace, sim_.fs, {seg.point}).front();
    ASSIGN_OR_RETURN(Choice choice, decode_choice(seg.model, seg.choice, trace, frontier));
    auto try_choice = [&](const Choice& candidate) {
      if (std::chrono::steady_clock::now() - start_ >= options_.max_time) return false;
      ++attempts_;
      const std::string candidate_id = format_segment({seg.point, seg.model, encode_choice(seg.model, candidate)});
      const Result<std::vector<Violation>> found = simulator_.replay(spec_.name, best_recording_, sim_, candidate_id);
      if (!found.ok()) return false;
      for (const Violation& v : *found) {
        if (v.invariant != goal_.invariant) continue;
        out.state_id = candidate_id;
        out.violation = v;
        return true;
      }
      return false;
    };
    for (size_t i = 0; i < choice.persisted.size(); ++i) {
      if (choice.persisted[i].none()) continue;
      Choice candidate = choice;
      candidate.persisted[i] = Mask(choice.persisted[i].size());
      if (try_choice(candidate)) {
        choice = std::move(candidate);
        log("crash state: pending write " + std::to_string(i) + " dropped: " + out.state_id);
      }
    }
    if (seg.model == ModelKind::kTorn) {
      for (size_t i = 0; i < choice.persisted.size(); ++i) {
        for (size_t j = 0; j < choice.persisted[i].size(); ++j) {
          if (!choice.persisted[i].test(j)) continue;
          Choice candidate = choice;
          candidate.persisted[i].set(j, false);
          if (try_choice(candidate)) {
            choice = std::move(candidate);
            log("crash state: sector " + std::to_string(j) + " of pending write " + std::to_string(i) +
                " dropped: " + out.state_id);
          }
        }
      }
    }
    return Status();
  }

  const std::vector<Step>& best_steps() const { return best_steps_; }
  Recording take_recording() { return std::move(best_recording_); }

 private:
  // Drops units of the segments `eligible` selects: whole segments, or (with
  // steps_inside) single puts, deletes and gets inside them.
  template <class Eligible>
  bool drop_units(Eligible eligible, bool steps_inside, const std::string& what) {
    const std::vector<Segment> segments = segments_of(best_steps_);
    std::vector<Unit> units;
    for (size_t i = 0; i < segments.size(); ++i) {
      if (!eligible(segments[i])) continue;
      if (!steps_inside) {
        units.push_back({i, Unit::kWhole});
        continue;
      }
      for (size_t j = 0; j + 1 < segments[i].steps.size(); ++j) units.push_back({i, j});
    }
    const std::vector<Unit> all = units;
    const size_t before = best_steps_.size();
    const bool dropped = drop_chunks(
        units,
        [&](const std::vector<Unit>& kept) {
          std::set<Unit> removed(all.begin(), all.end());
          for (const Unit& u : kept) removed.erase(u);
          return fails(assemble(segments, removed));
        },
        [this] { return budget_left(); });
    if (dropped) {
      log(what + ": " + std::to_string(before) + " -> " + std::to_string(best_steps_.size()) + " steps (" +
          std::to_string(attempts_) + " runs so far)");
    }
    return dropped;
  }

  void log(const std::string& line) const {
    if (options_.log) options_.log(line);
  }

  const catalog::ScenarioSpec& spec_;
  const MinimizeGoal& goal_;
  const MinimizeOptions& options_;
  std::unique_ptr<SystemUnderTest> sut_;
  Simulator simulator_;
  SimulationOptions sim_;
  const std::chrono::steady_clock::time_point start_;
  uint32_t attempts_ = 0;
  std::vector<Step> best_steps_;
  Recording best_recording_;
  std::vector<Violation> best_hits_;
};

// Which of several broken invariants a scenario expected to pass is shrunk
// toward: the promises a user relies on first, then the ones that fail as a
// consequence of another (a store that lost data also fails to take writes
// or to recover twice), then any other, by name.
size_t invariant_rank(const std::string& name) {
  static constexpr std::array<std::string_view, 10> kOrder = {
      invariant::kDurability, invariant::kAtomicity, invariant::kOrdering,
      invariant::kSilentCorruption, invariant::kSilentLoss, invariant::kRecovery,
      invariant::kStructure, invariant::kLeak, invariant::kWritableAfterRecovery,
      invariant::kIdempotentRecovery};
  const auto it = std::find(kOrder.begin(), kOrder.end(), name);
  return static_cast<size_t>(it - kOrder.begin());
}

nlohmann::ordered_json points_json(const SimulationOptions& sim) {
  switch (sim.points) {
    case PointSelection::kAll: return "all";
    case PointSelection::kAroundSyncs: return "syncs";
    case PointSelection::kSample: return {{"sample", sim.point_samples}};
  }
  return "all";
}

// Every field, so the reproducer crashes after recovery exactly as the run
// did (the checkpoint default depends on the workload, which minimizing changes).
nlohmann::ordered_json recovery_crashes_json(const SimulationOptions& sim) {
  nlohmann::ordered_json models = nlohmann::ordered_json::array();
  for (ModelKind kind : sim.nesting.models) models.push_back(model_name(kind));
  nlohmann::ordered_json out = {{"depth", sim.nesting.depth}};
  if (!models.empty()) out["models"] = std::move(models);
  out["commits"] = sim.continuation.commits;
  out["checkpoint"] = sim.continuation.checkpoint;
  out["states_per_state"] = sim.nesting.states_per_state;
  return out;
}

}  // namespace

Result<MinimizeGoal> choose_goal(const catalog::ScenarioSpec& spec, const std::optional<std::string>& invariant,
                                 const std::optional<std::string>& model, unsigned jobs) {
  MinimizeGoal goal;
  if (model) {
    const std::optional<ModelKind> kind = model_from_name(*model);
    if (!kind) return Status::invalid_argument("--model: unknown model '" + *model + "'");
    goal.model = *kind;
  } else if (!spec.simulation.models.empty()) {
    goal.model = spec.simulation.models.front().kind;
  }
  if (invariant) {
    goal.invariant = *invariant;
    return goal;
  }
  if (spec.expect.violation) {
    goal.invariant = *spec.expect.violation;
    return goal;
  }
  // Expected to pass: minimize what it found instead, under the model it was
  // found in, the most basic promise broken first (invariant_rank).
  const ScenarioRun run = run_scenario(spec, RunSettings{jobs, std::nullopt, Shard{}, nullptr});
  if (!run.result.error.empty()) return Status::invalid_argument("scenario '" + spec.name + "': " + run.result.error);
  const Violation* best = nullptr;
  std::string best_model;
  for (const ModelResult& m : run.result.models) {
    if (model && m.model != *model) continue;
    for (const Violation& v : m.violations) {
      if (best == nullptr || invariant_rank(v.invariant) < invariant_rank(best->invariant)) {
        best = &v;
        best_model = m.model;
      }
    }
  }
  if (best != nullptr) {
    goal.invariant = best->invariant;
    goal.model = *model_from_name(best_model);
    return goal;
  }
  return Status::not_found("scenario '" + spec.name + "' finds no violation in any crash state: nothing to minimize");
}

Result<Minimized> minimize(const catalog::ScenarioSpec& spec, const MinimizeGoal& goal,
                           const MinimizeOptions& options) {
  ASSIGN_OR_RETURN(std::vector<Step> steps, expand_workload(spec.workload));
  Shrinker shrinker(spec, goal, options);
  Minimized out;
  out.original_steps = steps.size();
  // The script as segments (steps after the last commit left out) must fail to begin with.
  if (!shrinker.fails(assemble(segments_of(steps), {}))) {
    return Status::not_found("scenario '" + spec.name + "' shows no violation of '" + goal.invariant +
                                    "' under " + std::string(model_name(goal.model)) + ": nothing to minimize");
  }
  bool shortened = false;
  while (shrinker.budget_left()) {
    const bool removed = shrinker.shrink_round();
    if (!shortened) {
      shrinker.shorten_values();
      shortened = true;
    } else if (!removed) {
      break;
    }
  }
  out.budget_exhausted = !shrinker.budget_left();
  RETURN_IF_ERROR(shrinker.shrink_state(out));
  out.steps = shrinker.best_steps();
  out.recording = shrinker.take_recording();
  out.attempts = shrinker.attempts();
  return out;
}

nlohmann::ordered_json reproducer_scenario(const catalog::ScenarioSpec& spec, const MinimizeGoal& goal,
                                           const Minimized& minimized, const std::string& name) {
  using Json = nlohmann::ordered_json;
  Json script = Json::array();
  for (const Step& s : minimized.steps) {
    Json step = {{"op", std::string(step_kind_name(s.kind))}};
    if (s.kind == StepKind::kPut || s.kind == StepKind::kDelete || s.kind == StepKind::kGet ||
        s.kind == StepKind::kSnapshotGet) {
      step["key"] = s.key;
    }
    if (s.kind == StepKind::kPut) step["value"] = s.value;
    if (names_snapshot(s.kind)) step["snapshot"] = s.snapshot;
    script.push_back(std::move(step));
  }
  Json workload = {{"script", std::move(script)}};
  if (spec.workload.verify_each_commit) workload["verify_each_commit"] = true;
  ModelConfig config{.kind = goal.model};
  if (!spec.simulation.models.empty()) config = spec.simulation.models.front();
  Json engine = Json::object();
  if (spec.system != "engine") engine["system"] = spec.system;
  for (const auto& [key, value] : spec.system_setup.settings.items()) engine[key] = value;
  return {
      {"name", name},
      {"description", "Minimized by crashsim minimize from scenario '" + spec.name + "' (" + spec.file + "): " +
                          std::to_string(minimized.steps.size()) + " of " + std::to_string(minimized.original_steps) +
                          " steps; under " + std::string(model_name(goal.model)) + ", crash state " +
                          minimized.state_id + " violates " + goal.invariant + "."},
      {"tags", {"minimized"}},
      {"engine", std::move(engine)},
      {"workload", std::move(workload)},
      {"crash",
       {{"model", model_name(goal.model)},
        {"points", points_json(spec.simulation)},
        {"max_states", spec.max_states},
        {"sector_size", config.sector_size},
        {"recovery_crashes", recovery_crashes_json(spec.simulation)},
        {"seed", config.seed},
        {"creations_durable", spec.simulation.fs.creations_durable},
        {"at_risk", spec.simulation.at_risk_check}}},
      {"expect", {{"verdict", "violation"}, {"invariant", goal.invariant}}},
  };
}

std::string reproducer_catalog_text(const nlohmann::ordered_json& scenario) {
  std::string out = "{\"version\": " + std::to_string(catalog::kCatalogVersion) + ", \"scenarios\": [\n  {\n";
  bool first = true;
  for (const auto& [key, value] : scenario.items()) {
    out += first ? "" : ",\n";
    first = false;
    out += "    " + nlohmann::ordered_json(key).dump() + ": ";
    if (key != "workload" || !value.contains("script")) {
      out += value.dump();
      continue;
    }
    out += "{\"script\": [\n";
    const auto& steps = value["script"];
    for (size_t i = 0; i < steps.size(); ++i) out += "      " + steps[i].dump() + (i + 1 < steps.size() ? ",\n" : "\n");
    out += "    ]}";
  }
  return out + "\n  }\n]}\n";
}

}  // namespace crashsim::tool
