#include "scenarios/filter.h"

#include <fnmatch.h>

#include <algorithm>

namespace catalog {

std::vector<ScenarioSpec> filter(std::span<const ScenarioSpec> scenarios, const Filter& f) {
  auto name_matches = [&](const ScenarioSpec& s) {
    return f.names.empty() || std::any_of(f.names.begin(), f.names.end(), [&](const std::string& glob) {
             return ::fnmatch(glob.c_str(), s.name.c_str(), 0) == 0;
           });
  };
  auto tag_matches = [&](const ScenarioSpec& s) {
    return f.tags.empty() || std::any_of(f.tags.begin(), f.tags.end(), [&](const std::string& tag) {
             return std::find(s.tags.begin(), s.tags.end(), tag) != s.tags.end();
           });
  };
  std::vector<ScenarioSpec> out;
  for (const ScenarioSpec& s : scenarios) {
    if (!name_matches(s) || !tag_matches(s)) continue;
    ScenarioSpec kept = s;
    if (!f.models.empty()) {
      std::erase_if(kept.simulation.models, [&](const crashsim::ModelConfig& m) {
        return std::find(f.models.begin(), f.models.end(), m.kind) == f.models.end();
      });
      if (kept.simulation.models.empty()) continue;
    }
    out.push_back(std::move(kept));
  }
  return out;
}

}  // namespace catalog
