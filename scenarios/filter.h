// Choosing the scenarios of a catalog to run (crashsim run --scenario/--tag/--model).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "crashsim/model/persistence_model.h"
#include "scenarios/catalog.h"

namespace catalog {

// Each list left empty selects everything; the three combine with AND.
struct Filter {
  // Shell globs (fnmatch(3)) on the scenario name; a scenario matching any is kept.
  std::vector<std::string> names;
  // A scenario carrying any of these tags is kept.
  std::vector<std::string> tags;
  // A scenario running any of these models is kept, with its model list
  // narrowed to them (in the scenario's own order).
  std::vector<crashsim::ModelKind> models;
};

std::vector<ScenarioSpec> filter(std::span<const ScenarioSpec> scenarios, const Filter& filter);

}  // namespace catalog
