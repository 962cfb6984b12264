// The scenario catalog: what to run, read strictly before anything runs.
//
// A catalog file is {"version": 1, "scenarios": [ ... ]} (schema:
// scenarios/catalog.schema.json; every field and default: docs/catalog.md).
// load_catalog() reads every file, checks every field of every scenario and
// reports every problem at once, one line each:
//   scenarios/ci.json: scenario 'churn' (/scenarios/3/crash/model): unknown model
//   'reordr' (expected one of: process-crash, lose-unsynced, reorder, torn, corrupt)
// so a catalog either loads whole or nothing runs. Scenario names are unique
// across all the files loaded together.
//
// The loaded form is plain data: ScenarioSpec below, built from the
// simulator's and the engine's own option types, with every omitted
// optional field set to its documented default.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crashsim/record/workload.h"
#include "crashsim/simulator.h"
#include "engine/db.h"
#include "scenarios/systems.h"
#include "vfs/status.h"
#include "vfs/vfs.h"

namespace catalog {

inline constexpr int kCatalogVersion = 1;

// Every invariant name (crashsim/check/invariants.h). An expectation may use each
// but "error-discipline" and "workload", which no model reports (they are the
// "faults" and "workload" checks).
std::span<const std::string_view> invariant_names();

// The filler a {"op": "put", "value_size": N} script step writes: N bytes
// cycling through 'a'..'z', starting at letter (step index mod 26), so that
// two steps writing the same size still write different bytes.
std::string filler_value(size_t step_index, uint64_t size);

struct Expectation {
  // nullopt: no violation of any invariant may be found. Otherwise the name
  // of an invariant of which at least one violation must be found, under
  // every model the scenario lists (each model is a separate claim).
  std::optional<std::string> violation;
  // A case (one model) that checks no crash state fails, unless this is set:
  // a scenario that means some model to find nothing to check says so.
  bool allow_no_states = false;
};

// One scenario, as the simulator and the engine adapter take it. The
// workload and simulation options are the simulator's own types; the
// catalog only fills them in (docs/catalog.md maps each field).
struct ScenarioSpec {
  std::string name;  // unique across the catalog; [a-z0-9][a-z0-9._-]*
  std::string description;
  std::vector<std::string> tags;
  std::string file;  // the catalog file it came from, as given to load_catalog
  size_t index = 0;  // its position in that file's "scenarios" array

  // The system the scenario runs on ("engine.system"; scenarios/systems.h).
  std::string system = "engine";
  // page_size is always set (4096 when the catalog omits it). Read from the
  // engine block only when `system` is "engine"; the defaults otherwise.
  engine::Options engine;
  // Builds the system with the scenario's settings (for "engine" too).
  SystemSetup system_setup;
  crashsim::WorkloadSpec workload;  // a generator or a script
  // I/O errors injected while the workload is recorded (crashsim/record/faults.h).
  std::vector<crashsim::FaultSpec> faults;
  // models (each with the scenario's sector size and seed), crash points,
  // nesting, continuation, fs.after_failed_sync; every other field keeps the
  // simulator's default.
  crashsim::SimulationOptions simulation;
  // Crash states checked per model, at most. The tool copies it (or its
  // --max-states) into SimulationOptions::max_states, which enforces it.
  uint64_t max_states = 10000;
  Expectation expect;

  // The simulator's view: name, workload, options and faults.
  crashsim::Scenario scenario() const;
};

struct Catalog {
  std::vector<std::string> files;  // in load order
  // "crc32:xxxxxxxx" over the files' bytes in load order: the shards of one
  // run must agree on it (reports/merge.h).
  std::string digest;
  std::vector<ScenarioSpec> scenarios;  // file order, then position in the file
};

// How system "engine" is built with `options`, and the settings it shows:
// what read_system gives an engine scenario, and what a tool that changes a
// scenario's engine options (crashsim mutants plants a mutant) rebuilds
// ScenarioSpec::system_setup with.
SystemSetup engine_setup(const engine::Options& options);

// Reads and checks one catalog file's text; problems name `file`. Duplicate
// names within the file are problems; across files, load_catalog checks.
vfs::Result<std::vector<ScenarioSpec>> parse_catalog(std::string_view text, const std::string& file);

// Loads each path: a file, or a directory whose *.json files (except
// *.schema.json) load in name order. kInvalidArgument lists every problem.
vfs::Result<Catalog> load_catalog(vfs::Vfs& vfs, std::span<const std::string> paths);
vfs::Result<Catalog> load_catalog(vfs::Vfs& vfs, const std::string& path);

}  // namespace catalog
