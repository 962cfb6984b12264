// crashsim mutants on the ci part of the shipped catalog: the kill matrix CI
// keeps (in <build>/reports-mutants), and what it must show.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <set>

#include "crashsim/tool/exit_code.h"
#include "crashsim/tool/tool_test_util.h"
#include "reports/report_files.h"
#include "scenarios/catalog.h"
#include "vfs/posix_vfs.h"

namespace crashsim::tool {
namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : fallback;
}

// Every mutant with a ci scenario is killed by some ci scenario, each pair
// by a harness invariant; a mutant whose scenario is pending (it waits for a
// harness capability) survives: the day it is killed, its scenario belongs in ci.
TEST(ShippedCatalogMutants, TheCiTagKillsEveryMutantButThePendingOnes) {
  const std::string catalog_dir = env_or("CATALOG_DIR", "scenarios");
  testing::TempDir scratch;
  const std::string out = env_or("MUTANTS_OUT", scratch / "mutants");
  const auto r = testing::run_cli({"mutants", catalog_dir, "--tag", "ci", "--jobs", "2", "--out", out});
  ASSERT_NE(r.code, kExitUsage) << r.err;

  auto catalog = catalog::load_catalog(vfs::default_vfs(), catalog_dir);
  ASSERT_TRUE(catalog.ok()) << catalog.status().to_string();
  std::set<std::string> pending;
  for (const catalog::ScenarioSpec& s : catalog->scenarios) {
    if (std::find(s.tags.begin(), s.tags.end(), "pending") != s.tags.end()) {
      pending.insert(std::string(engine::mutant_name(s.engine.mutant)));
    }
  }
  auto report = reports::read_report_file(vfs::default_vfs(), out + "/report.json");
  ASSERT_TRUE(report.ok()) << report.status().to_string();
  ASSERT_TRUE(report->kill_matrix.has_value());
  const reports::KillMatrix& matrix = *report->kill_matrix;
  ASSERT_EQ(matrix.mutants.size(), engine::all_mutants().size());
  for (const std::string& mutant : matrix.mutants) {
    EXPECT_EQ(reports::mutant_killed(matrix, mutant), !pending.contains(mutant)) << mutant << "\n" << r.out;
  }
  EXPECT_EQ(r.code, pending.empty() ? kExitOk : kExitFailed) << r.out;
}

}  // namespace
}  // namespace crashsim::tool
