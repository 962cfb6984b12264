#include "crashsim/tool/catalog_selection.h"

#include <sstream>

#include "crashsim/model/persistence_model.h"
#include "crashsim/tool/exit_code.h"
#include "scenarios/filter.h"

namespace crashsim::tool {

namespace {

// "scenarios/" and "scenarios" name the same directory; the catalog's file
// names (in reports and replay commands) should not differ by a slash.
std::string without_trailing_slash(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

std::string model_names() {
  std::string out;
  for (ModelKind k : {ModelKind::kProcessCrash, ModelKind::kLoseUnsynced, ModelKind::kReorder, ModelKind::kTorn,
                      ModelKind::kCorrupt}) {
    out += (out.empty() ? "" : ", ") + std::string(model_name(k));
  }
  return out;
}

vfs::Result<catalog::Catalog> load(vfs::Vfs& vfs, const std::vector<std::string>& paths) {
  std::vector<std::string> cleaned;
  for (const std::string& p : paths.empty() ? std::vector<std::string>{kDefaultCatalog} : paths) {
    cleaned.push_back(without_trailing_slash(p));
  }
  return catalog::load_catalog(vfs, cleaned);
}

}  // namespace

vfs::Result<Selected> select_scenarios(vfs::Vfs& vfs, const CatalogSelection& selection) {
  catalog::Filter filter{selection.names, selection.tags, {}};
  for (const std::string& name : selection.models) {
    const std::optional<ModelKind> kind = model_from_name(name);
    if (!kind) {
      return vfs::Status::invalid_argument("--model: unknown model '" + name + "' (expected one of: " + model_names() +
                                           ")");
    }
    filter.models.push_back(*kind);
  }
  Selected out;
  ASSIGN_OR_RETURN(out.catalog, load(vfs, selection.paths));
  out.scenarios = catalog::filter(out.catalog.scenarios, filter);
  if (out.scenarios.empty()) {
    return vfs::Status::invalid_argument("no scenario of " + std::to_string(out.catalog.scenarios.size()) +
                                         " matches the --filter, --tag and --model given");
  }
  return out;
}

vfs::Result<catalog::ScenarioSpec> find_scenario(vfs::Vfs& vfs, const std::string& path, const std::string& name) {
  ASSIGN_OR_RETURN(catalog::Catalog c, load(vfs, {path}));
  for (catalog::ScenarioSpec& spec : c.scenarios) {
    if (spec.name == name) return std::move(spec);
  }
  return vfs::Status::invalid_argument("--scenario: no scenario named '" + name + "' in " + path);
}

int report_usage_error(const vfs::Status& status, std::ostream& err) {
  std::istringstream lines(status.message());
  for (std::string line; std::getline(lines, line);) err << "crashsim: " << line << '\n';
  return kExitUsage;
}

}  // namespace crashsim::tool
