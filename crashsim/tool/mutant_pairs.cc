#include "crashsim/tool/mutant_pairs.h"

#include <algorithm>
#include <chrono>

#include "crashsim/check/invariants.h"
#include "crashsim/tool/scenario_run.h"

namespace crashsim::tool {

namespace {

// Invariants violated, in the order the run found them: the recorded run's
// own checks first, then each model's. mutant-not-reached is the outcome,
// not a kill.
std::vector<std::string> invariants_found(const ScenarioResult& result) {
  std::vector<std::string> out;
  const auto add = [&out](const Violation& v) {
    if (v.invariant == invariant::kMutantNotReached) return;
    if (std::find(out.begin(), out.end(), v.invariant) == out.end()) out.push_back(v.invariant);
  };
  for (const Violation& v : result.violations) add(v);
  for (const ModelResult& m : result.models)
    for (const Violation& v : m.violations) add(v);
  return out;
}

}  // namespace

reports::PairRun run_pair(const catalog::ScenarioSpec& spec, engine::Mutant mutant, bool cross_checks,
                          const PairSettings& settings) {
  catalog::ScenarioSpec planted = spec;
  planted.engine.mutant = mutant;
  planted.engine.cross_checks = cross_checks;
  planted.system_setup = catalog::engine_setup(planted.engine);
  planted.workload.verify_each_commit = true;  // as the catalog does for every mutant scenario
  RunSettings run_settings;
  run_settings.jobs = settings.jobs;
  if (settings.max_states != 0) run_settings.max_states = settings.max_states;
  run_settings.progress = settings.progress;
  run_settings.first_violation_only = true;

  const auto start = std::chrono::steady_clock::now();
  const ScenarioRun run = run_scenario(planted, run_settings);
  reports::PairRun out;
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const ScenarioResult& r = run.result;
  for (const ModelResult& m : r.models) out.states_checked += m.coverage.states_checked + m.coverage.recovery_states_checked;
  out.fired = r.defect_fired.value_or(0);
  if (!r.error.empty()) {
    out.outcome = reports::PairOutcome::kError;
    out.error = r.error;
    return out;
  }
  // Nothing found while the mutant never ran can be credited to it.
  if (out.fired == 0) {
    out.outcome = reports::PairOutcome::kNotReached;
    return out;
  }
  out.invariants = invariants_found(r);
  if (!out.invariants.empty()) out.outcome = reports::PairOutcome::kKilled;
  return out;
}

reports::Pair run_matrix_pair(const catalog::ScenarioSpec& spec, engine::Mutant mutant, const PairSettings& settings) {
  reports::Pair pair;
  pair.mutant = std::string(engine::mutant_name(mutant));
  pair.scenario = spec.name;
  pair.run = run_pair(spec, mutant, true, settings);
  const std::vector<std::string>& found = pair.run.invariants;
  const bool refusal_only = !found.empty() && std::all_of(found.begin(), found.end(), [](const std::string& i) {
    return i == invariant::kRecovery;
  });
  if (refusal_only) pair.cross_checks_off = run_pair(spec, mutant, false, settings);
  return pair;
}

}  // namespace crashsim::tool
