// Loading the catalog a subcommand names and choosing its scenarios.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "crashsim/tool/commands.h"
#include "scenarios/catalog.h"
#include "vfs/status.h"
#include "vfs/vfs.h"

namespace crashsim::tool {

inline constexpr char kDefaultCatalog[] = "scenarios";

struct Selected {
  catalog::Catalog catalog;
  std::vector<catalog::ScenarioSpec> scenarios;  // after the filters
};

// kInvalidArgument for a catalog that does not load (every problem, one per
// line), an unknown --model, or filters that select nothing.
vfs::Result<Selected> select_scenarios(vfs::Vfs& vfs, const CatalogSelection& selection);

// The scenario named `name` in the catalog at `path`; kInvalidArgument when
// the catalog does not load or has no such scenario.
vfs::Result<catalog::ScenarioSpec> find_scenario(vfs::Vfs& vfs, const std::string& path, const std::string& name);

// Prints "crashsim: LINE" for each line of the status message; returns kExitUsage.
int report_usage_error(const vfs::Status& status, std::ostream& err);

}  // namespace crashsim::tool
