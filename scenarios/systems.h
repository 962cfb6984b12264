// The systems a scenario can run on, and how a program adds its own.
//
// A scenario's "engine" block names its system and holds that system's
// settings, read as strictly as the rest of the catalog:
//   "engine": {"system": "sqlite", "journal_mode": "wal", "synchronous": "full"}
// "system" defaults to "engine", our B+tree engine (its settings fill
// ScenarioSpec::engine; catalog.cc reads them). Built in besides, each a
// kind in this registry:
//   sqlite   journal_mode, synchronous, page_size, checkpoint (scenarios/peer_systems.h)
//   leveldb  sync, paranoid_checks, verify_checksums, write_buffer_size
// A program that links the catalog adds a kind with register_system() before
// it loads a catalog; the crashsim tool's commands (crashsim/tool/cli.h) then
// run, list, replay and minimize scenarios naming it. docs/catalog.md lists
// every setting; docs/testing-your-engine.md shows a whole program.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "crashsim/system_under_test.h"
#include "reports/json_reader.h"
#include "vfs/status.h"

namespace catalog {

// A new system under test, configured as the scenario says. Called once per
// use (a run, a replay, a minimize); what it returns must follow the rules of
// crashsim/system_under_test.h (open() from several threads at once).
using SystemFactory = std::function<std::unique_ptr<crashsim::SystemUnderTest>()>;

// What reading a scenario's system settings gives.
struct SystemSetup {
  SystemFactory make;
  // Every setting with the value it took, defaults included, spelled as in
  // the engine block (without "system"): what `crashsim minimize` writes
  // back into a reproducer.
  nlohmann::ordered_json settings = nlohmann::ordered_json::object();
};

// A kind of system the engine block can name.
struct SystemKind {
  std::string name;                   // [a-z0-9][a-z0-9_-]*, not "engine"
  std::vector<std::string> settings;  // the keys its engine block may hold besides "system"
  uint32_t max_key_size = 65536;      // the longest key a scenario may write, in bytes
  // Reads the settings from `block`, an ObjectReader over exactly `settings`
  // and "system" (any other key is already an "unknown field" problem), and
  // records every problem through it. The setup is used only when the
  // catalog had no problem at all.
  std::function<SystemSetup(const reports::ObjectReader& block)> read;
};

// Adds a kind. kInvalidArgument when the name is malformed or taken, a
// setting is named "system", or `read` is empty.
vfs::Status register_system(SystemKind kind);

// The kind called `name`, or null ("engine" is not a kind: catalog.cc reads it).
const SystemKind* find_system(std::string_view name);

// "engine", then every kind in registration order (the built-ins first).
std::vector<std::string> system_names();

// Reads a uint32 setting that must be a power of two in [lo, hi] into `out`,
// recording "KEY N is not a power of two in [LO, HI]" otherwise; false when
// `out` was not set.
bool read_power_of_two(const reports::ObjectReader& o, std::string_view key, uint32_t lo, uint32_t hi, uint32_t& out);

}  // namespace catalog
