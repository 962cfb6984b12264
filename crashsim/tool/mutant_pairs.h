// Running one mutant against one scenario, for crashsim mutants (the kill
// matrix of reports/kill_matrix.h).
//
// A pair plants the mutant in the engine (in place of any the scenario
// names), records the scenario's workload and checks its models until the
// first violation, whatever the scenario expects. Pairs must run one at a
// time: the engine counts a mutant's firings process-wide, so two pairs of
// one mutant running at once would count each other's. Each pair uses
// `jobs` threads.
#pragma once

#include <cstdint>
#include <functional>

#include "crashsim/simulator.h"
#include "engine/mutant.h"
#include "reports/kill_matrix.h"
#include "scenarios/catalog.h"

namespace crashsim::tool {

struct PairSettings {
  unsigned jobs = 0;        // 0: one per CPU
  uint64_t max_states = 0;  // per model; overrides the scenario's cap when non-zero
  std::function<void(const Progress&)> progress;
};

// One run of the pair, with the engine's cross-checks on or off.
reports::PairRun run_pair(const catalog::ScenarioSpec& spec, engine::Mutant mutant, bool cross_checks,
                          const PairSettings& settings);

// The pair as the matrix shows it: run with cross-checks, and run again
// without them when only the engine's refusal to open (recovery) caught it.
reports::Pair run_matrix_pair(const catalog::ScenarioSpec& spec, engine::Mutant mutant, const PairSettings& settings);

}  // namespace crashsim::tool
