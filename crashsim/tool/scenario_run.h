// Running one catalog scenario against its system: the simulator options a
// scenario and the command line give, and the recording (re-recorded, or
// rebuilt from a saved trace) that replay and minimize start from.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "crashsim/record/workload_runner.h"
#include "crashsim/results.h"
#include "crashsim/simulator.h"
#include "scenarios/catalog.h"
#include "vfs/status.h"
#include "vfs/vfs.h"

namespace crashsim::tool {

// What the command line adds to a scenario.
struct RunSettings {
  unsigned jobs = 0;                      // 0: one per CPU
  std::optional<uint64_t> max_states;     // overrides every scenario's cap
  Shard shard;
  std::function<void(const Progress&)> progress;
  uint64_t max_memory_bytes = 0;  // SimulationOptions::max_memory_bytes
  // SimulationOptions::stop_at_first_violation, and no cause classification (crashsim mutants).
  bool first_violation_only = false;
};

// The scenario's simulation options with its max_states (or the override),
// the shard, jobs and progress filled in.
SimulationOptions simulation_options(const catalog::ScenarioSpec& spec, const RunSettings& settings);

struct ScenarioRun {
  std::optional<Recording> recording;  // absent when the workload could not run
  ScenarioResult result;
};

// Records the workload and checks every model of the scenario.
ScenarioRun run_scenario(const catalog::ScenarioSpec& spec, const RunSettings& settings);

// The recording of `spec`'s workload: rebuilt from a saved trace when
// `trace_path` is set (bit for bit what the run saw; the trace must have been
// saved for this scenario), else recorded again (the same ops; the engine's
// random database id makes the bytes differ).
vfs::Result<Recording> recording_for(vfs::Vfs& vfs, const catalog::ScenarioSpec& spec,
                                     const std::optional<std::string>& trace_path);

// The JSON object saved as a trace's meta: {"scenario": NAME, "file": CATALOG FILE}.
std::string trace_meta(const catalog::ScenarioSpec& spec);

}  // namespace crashsim::tool
