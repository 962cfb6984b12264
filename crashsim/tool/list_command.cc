// crashsim list: the selected scenarios, one line each, as a table.
#include <algorithm>
#include <array>
#include <vector>

#include "crashsim/model/persistence_model.h"
#include "crashsim/tool/catalog_selection.h"
#include "crashsim/tool/commands.h"
#include "crashsim/tool/exit_code.h"
#include "vfs/posix_vfs.h"

namespace crashsim::tool {

namespace {

std::string joined(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

std::array<std::string, 5> row(const catalog::ScenarioSpec& spec) {
  std::vector<std::string> models;
  for (const ModelConfig& m : spec.simulation.models) models.emplace_back(model_name(m.kind));
  const std::string expect = spec.expect.violation ? "violation of " + *spec.expect.violation : "pass";
  // The system's own name says its settings that matter: "engine[no-commit-record]", "sqlite[wal,full]".
  return {spec.name, joined(models, ","), expect, spec.system_setup.make()->name(), joined(spec.tags, ",")};
}

}  // namespace

int list_command(const CatalogSelection& selection, Console& console) {
  vfs::Result<Selected> selected = select_scenarios(vfs::default_vfs(), selection);
  if (!selected.ok()) return report_usage_error(selected.status(), console.err);
  std::vector<std::array<std::string, 5>> rows = {{"SCENARIO", "MODELS", "EXPECT", "SYSTEM", "TAGS"}};
  for (const catalog::ScenarioSpec& spec : selected->scenarios) rows.push_back(row(spec));
  std::array<size_t, 5> width{};
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  }
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 2, ' ');
    }
    console.out << line << '\n';
  }
  const size_t n = selected->scenarios.size();
  console.out << n << (n == 1 ? " scenario" : " scenarios") << " from " << joined(selected->catalog.files, ", ")
              << '\n';
  return kExitOk;
}

}  // namespace crashsim::tool
