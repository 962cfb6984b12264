// Shrinking a failing scenario to a small reproducer (crashsim minimize).
//
// Greedy delta debugging against one model and one invariant: the workload
// (as a script) is cut down while the simulator still finds a violation of
// that invariant under that model:
//   1. whole transactions (with their commit), in chunks of halves, quarters,
//      ... down to single transactions;
//   2. single puts, deletes and gets inside the remaining transactions (a
//      transaction left with nothing to commit goes, commit and all);
//   3. single checkpoint and reopen steps;
//   4. once, every value shortened to 8 bytes;
// repeated until a round removes nothing or the budget (simulator runs, time)
// is spent. Then the crash state is shrunk: starting from the violating state
// with the fewest persisted pending writes, each persisted write (and, under
// torn, each persisted sector) is dropped in turn while the state still
// violates the invariant; fewer persisted writes is a simpler story.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crashsim/model/persistence_model.h"
#include "crashsim/record/workload.h"
#include "crashsim/record/workload_runner.h"
#include "crashsim/results.h"
#include "scenarios/catalog.h"
#include "vfs/status.h"

namespace crashsim::tool {

struct MinimizeGoal {
  std::string invariant;
  ModelKind model = ModelKind::kLoseUnsynced;
};

struct MinimizeOptions {
  uint32_t max_attempts = 300;  // simulator runs while shrinking the workload
  std::chrono::duration<double> max_time = std::chrono::minutes(10);
  unsigned jobs = 0;
  std::function<void(const std::string&)> log;  // one line per accepted reduction
};

struct Minimized {
  std::vector<Step> steps;  // the smallest script found that still fails
  Recording recording;      // its recording (saved with the reproducer)
  std::string state_id;     // the smallest crash state found violating the goal
  Violation violation;      // the violation it shows
  size_t original_steps = 0;
  uint32_t attempts = 0;          // simulator runs and state rechecks
  bool budget_exhausted = false;  // stopped by the budget, not because nothing more could go
};

// The invariant and model to keep failing: `invariant` and `model` when given;
// otherwise the scenario's expected violation under its first model, or, for
// a scenario expected to pass, the first violation a full run finds
// (kNotFound when it finds none).
vfs::Result<MinimizeGoal> choose_goal(const catalog::ScenarioSpec& spec, const std::optional<std::string>& invariant,
                                      const std::optional<std::string>& model, unsigned jobs);

// kNotFound when the scenario's workload does not show the goal's violation.
vfs::Result<Minimized> minimize(const catalog::ScenarioSpec& spec, const MinimizeGoal& goal,
                                const MinimizeOptions& options);

// The reproducer as a catalog scenario named `name`: the scenario's engine
// options, the minimized script, the goal's model and the scenario's crash
// settings, expecting a violation of the goal's invariant.
nlohmann::ordered_json reproducer_scenario(const catalog::ScenarioSpec& spec, const MinimizeGoal& goal,
                                           const Minimized& minimized, const std::string& name);

// A catalog file holding `scenario`, laid out as the shipped catalog is: one
// line per field, one line per script step.
std::string reproducer_catalog_text(const nlohmann::ordered_json& scenario);

}  // namespace crashsim::tool
