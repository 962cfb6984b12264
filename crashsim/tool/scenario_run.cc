#include "crashsim/tool/scenario_run.h"

#include <nlohmann/json.hpp>

#include <utility>

#include "crashsim/record/trace_io.h"

namespace crashsim::tool {

SimulationOptions simulation_options(const catalog::ScenarioSpec& spec, const RunSettings& settings) {
  SimulationOptions options = spec.simulation;
  options.max_states = settings.max_states.value_or(spec.max_states);
  options.jobs = settings.jobs;
  options.shard = settings.shard;
  options.max_memory_bytes = settings.max_memory_bytes;
  options.progress = settings.progress;
  if (settings.first_violation_only) {
    options.stop_at_first_violation = true;
    options.classify_causes = false;
  }
  return options;
}

ScenarioRun run_scenario(const catalog::ScenarioSpec& spec, const RunSettings& settings) {
  const std::unique_ptr<SystemUnderTest> sut = spec.system_setup.make();
  const Simulator simulator(*sut);
  ScenarioRun run;
  vfs::Result<Recording> recording = simulator.record(spec.scenario());
  if (!recording.ok()) {
    run.result.scenario = spec.name;
    run.result.system = sut->name();
    run.result.error = recording.status().with("record the workload").to_string();
    return run;
  }
  run.result = simulator.check(spec.name, *recording, simulation_options(spec, settings));
  run.recording = std::move(recording).value();
  return run;
}

vfs::Result<Recording> recording_for(vfs::Vfs& vfs, const catalog::ScenarioSpec& spec,
                                     const std::optional<std::string>& trace_path) {
  if (!trace_path) {
    const std::unique_ptr<SystemUnderTest> sut = spec.system_setup.make();
    return Simulator(*sut).record(spec.scenario());
  }
  ASSIGN_OR_RETURN(LoadedTrace loaded, load_trace(vfs, *trace_path));
  const nlohmann::json meta = nlohmann::json::parse(loaded.meta_json, nullptr, /*allow_exceptions=*/false);
  const auto scenario = meta.is_object() ? meta.find("scenario") : meta.end();
  if (scenario == meta.end() || !scenario->is_string() || scenario->get<std::string>() != spec.name) {
    return vfs::Status::invalid_argument("trace " + *trace_path + " was not saved for scenario '" + spec.name +
                                         "' (its meta: " + loaded.meta_json + ")");
  }
  ASSIGN_OR_RETURN(std::vector<Step> steps, expand_workload(spec.workload));
  vfs::Result<Recording> recording = recording_from_trace(std::move(loaded.trace), std::move(steps));
  if (!recording.ok()) return recording.status().with("trace " + *trace_path);
  return recording;
}

std::string trace_meta(const catalog::ScenarioSpec& spec) {
  return nlohmann::json{{"scenario", spec.name}, {"file", spec.file}}.dump();
}

}  // namespace crashsim::tool
