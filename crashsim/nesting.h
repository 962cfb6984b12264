// Nested crash states: crashes during the store's own run on a crash state.
//
// When a checked state of a non-corrupt model was recorded (checker.h,
// AfterRecovery: its recovery, then the continuation's new commits,
// checkpoint and close), every canonical point q of that run is a crash
// point too, under each nested model, with every choice the model has there.
// Its id is the parent's plus ">q:<model>[:<choice>]".
//
// Which disk the nested state's model cuts from depends on the parent's:
//   * after a power loss (lose-unsynced, reorder, torn) the parent's image is
//     what the media holds: the store's run starts from it, all durable;
//   * after a process crash the page cache survived: the store's run goes on
//     from the parent's frontier (continue_trace), so a power loss in it
//     drops whatever neither the workload nor the recovery had synced. This
//     is the mixed sequence that finds a recovery that does not make its own
//     work durable.
// What it must show: before the open returned, what the parent state was
// allowed to show (a crash inside recovery: idempotent-recovery); after it,
// the continuation's oracle (continuation.h).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "crashsim/check/checker.h"
#include "crashsim/check/continuation.h"
#include "crashsim/recipe.h"
#include "crashsim/simulator.h"
#include "vfs/status.h"

namespace crashsim {

// The models nested states of a `parent` state take (NestingOptions::models).
std::vector<ModelKind> nested_models(const NestingOptions& nesting, ModelKind parent);

// The store's run on `parent`, as its nested states crash in it.
struct NestedTrace {
  std::shared_ptr<const TraceContext> tc;
  // Entries of tc before `base` are the parent's trace (after a process
  // crash; 0 otherwise): segment point q is tc's point base + q.
  uint64_t base = 0;
  uint64_t length = 0;     // entries of the store's run
  uint64_t open_done = 0;  // its open-done marker, in the store's run
  ContinuationOracle continuation;
};
// `workload` is the oracle of a recipe without one.
vfs::Result<NestedTrace> nested_trace(const Recipe& parent, AfterRecovery after, const Oracle& workload,
                                      ContinuationOracles& oracles, FsRules rules);

// The state at point q of `run` under `kind`, without its frontier and
// choice: id segment, expectation, oracle, depth.
Recipe nested_recipe(const Recipe& parent, const NestedTrace& run, uint64_t q, ModelKind kind);

// Every nested state of `parent` under each of nested_models(), or a seeded
// sample of nesting.states_per_state of them; `config` gives the bounds,
// sector size and seed of every nested model.
vfs::Result<std::vector<Recipe>> nested_recipes(const Recipe& parent, AfterRecovery after, const Oracle& workload,
                                                ContinuationOracles& oracles, const ModelConfig& config,
                                                const SimulationOptions& options);

}  // namespace crashsim
