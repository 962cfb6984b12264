// crashsim mutants: every mutant against every selected scenario, the kill
// matrix printed one mutant a line and written with the reports.
#include <algorithm>
#include <chrono>

#include "crashsim/tool/catalog_selection.h"
#include "crashsim/tool/commands.h"
#include "crashsim/tool/exit_code.h"
#include "crashsim/tool/mutant_pairs.h"
#include "crashsim/tool/output_dir.h"
#include "crashsim/tool/run_info.h"
#include "reports/format.h"
#include "reports/report_files.h"
#include "vfs/posix_vfs.h"

namespace crashsim::tool {

namespace {

// Killing scenarios named on a mutant's line; the rest are counted.
constexpr size_t kKillersPrinted = 4;

vfs::Result<std::vector<engine::Mutant>> chosen_mutants(const std::vector<std::string>& names) {
  const std::span<const engine::Mutant> all = engine::all_mutants();
  if (names.empty()) return std::vector<engine::Mutant>(all.begin(), all.end());
  std::vector<engine::Mutant> out;
  for (const engine::Mutant m : all) {
    if (std::find(names.begin(), names.end(), engine::mutant_name(m)) != names.end()) out.push_back(m);
  }
  for (const std::string& name : names) {
    const std::optional<engine::Mutant> m = engine::mutant_from_name(name);
    if (!m || *m == engine::Mutant::kNone) {
      std::string known;
      for (const engine::Mutant k : all) known += (known.empty() ? "" : ", ") + std::string(engine::mutant_name(k));
      return vfs::Status::invalid_argument("--mutant " + name + ": unknown mutant (expected one of: " + known + ")");
    }
  }
  return out;
}

// "KILLED   no-data-fsync: churn-lose-unsynced (durability), ... and 12 more of 47 scenarios".
std::string mutant_line(const reports::KillMatrix& matrix, const std::string& mutant) {
  const std::vector<const reports::Pair*> killers = reports::killing_pairs(matrix, mutant);
  const reports::RowCounts c = reports::row_counts(matrix, mutant);
  std::string line = std::string(killers.empty() ? "SURVIVED " : "KILLED   ") + mutant + ": ";
  for (size_t i = 0; i < std::min(kKillersPrinted, killers.size()); ++i) {
    line += (i == 0 ? "" : ", ") + killers[i]->scenario + " (" + reports::describe_pair(*killers[i]) + ")";
  }
  if (killers.size() > kKillersPrinted) line += " and " + std::to_string(killers.size() - kKillersPrinted) + " more";
  if (killers.empty()) line += "no scenario kills it";
  return line + " [of " + std::to_string(matrix.scenarios.size()) + " scenarios: " + std::to_string(c.survived) +
         " survived, " + std::to_string(c.not_reached) + " not reached" +
         (c.errors > 0 ? ", " + std::to_string(c.errors) + " errors" : "") + "]";
}

}  // namespace

int mutants_command(const MutantsArgs& args, Console& console) {
  vfs::Vfs& fs = vfs::default_vfs();
  vfs::Result<Selected> selected = select_scenarios(fs, args.selection);
  if (!selected.ok()) return report_usage_error(selected.status(), console.err);
  vfs::Result<std::vector<engine::Mutant>> mutants = chosen_mutants(args.mutants);
  if (!mutants.ok()) return report_usage_error(mutants.status(), console.err);
  if (vfs::Status s = ensure_directories(fs, args.out_dir); !s.ok()) {
    return report_usage_error(s.with("--out " + args.out_dir), console.err);
  }

  reports::Report report;
  report.run = run_info(args.jobs, Shard{}, selected->catalog, args.command_line);
  reports::KillMatrix& matrix = report.kill_matrix.emplace();
  matrix.max_states = args.max_states;
  // Mutants are planted in our engine: scenarios on another system (a peer) are no columns.
  std::vector<const catalog::ScenarioSpec*> columns;
  for (const catalog::ScenarioSpec& spec : selected->scenarios) {
    if (spec.system != "engine") continue;
    columns.push_back(&spec);
    matrix.scenarios.push_back(spec.name);
  }

  const auto start = std::chrono::steady_clock::now();
  ProgressPrinter progress(console.err, console.progress_mode);
  const PairSettings settings{args.jobs, args.max_states, [&progress](const Progress& p) { progress.update(p); }};
  for (const engine::Mutant mutant : *mutants) {
    const std::string name(engine::mutant_name(mutant));
    matrix.mutants.push_back(name);
    for (const catalog::ScenarioSpec* spec : columns) {
      progress.begin_scenario(name + " \u00d7 " + spec->name);
      matrix.pairs.push_back(run_matrix_pair(*spec, mutant, settings));
      progress.clear();
    }
    console.out << mutant_line(matrix, name) << '\n';
    console.out.flush();
  }
  report.run.duration_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  if (vfs::Status s = reports::write_report_files(fs, report, args.out_dir); !s.ok()) {
    console.err << "crashsim: write the reports: " << s.to_string() << '\n';
    return kExitUsage;
  }
  console.out << reports::mutants_killed(matrix) << " of " << matrix.mutants.size() << " mutants killed ("
              << matrix.pairs.size() << " pairs, " << reports::format_seconds(report.run.duration_seconds)
              << ")\nreports: " << args.out_dir << "/" << reports::kHtmlFile << " (also " << reports::kReportJsonFile
              << ", " << reports::kJunitFile << ", " << reports::kSummaryFile << ")\n";
  return reports::every_mutant_killed(matrix) ? kExitOk : kExitFailed;
}

}  // namespace crashsim::tool
