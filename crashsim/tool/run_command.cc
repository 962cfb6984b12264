// crashsim run: every selected scenario, a verdict line per case, the reports.
#include <chrono>

#include "crashsim/record/trace_io.h"
#include "crashsim/tool/catalog_selection.h"
#include "crashsim/tool/commands.h"
#include "crashsim/tool/exit_code.h"
#include "crashsim/tool/output_dir.h"
#include "crashsim/tool/report_document.h"
#include "crashsim/tool/run_info.h"
#include "crashsim/tool/scenario_run.h"
#include "crashsim/tool/verdict_lines.h"
#include "reports/report_files.h"
#include "vfs/posix_vfs.h"

namespace crashsim::tool {

namespace {

// Saves the trace of a scenario that found violations, so that the replay
// commands in the report rebuild its crash states bit for bit (the engine's
// random database id makes a re-recording differ in its bytes). nullopt,
// with a warning, when it cannot be written: the commands then re-record.
std::optional<std::string> save_scenario_trace(vfs::Vfs& fs, const RunArgs& args, const catalog::ScenarioSpec& spec,
                                               const Recording& recording, std::ostream& err) {
  const std::string path = args.out_dir + "/traces/" + spec.name + ".trace";
  const vfs::Status s = save_trace(fs, path, recording.trace, trace_meta(spec));
  if (s.ok()) return path;
  err << "crashsim: warning: save trace of " << spec.name << ": " << s.to_string() << '\n';
  return std::nullopt;
}

}  // namespace

int run_command(const RunArgs& args, Console& console) {
  vfs::Vfs& fs = vfs::default_vfs();
  vfs::Result<Selected> selected = select_scenarios(fs, args.selection);
  if (!selected.ok()) return report_usage_error(selected.status(), console.err);
  if (vfs::Status s = ensure_directories(fs, args.out_dir + "/traces"); !s.ok()) {
    return report_usage_error(s.with("--out " + args.out_dir), console.err);
  }

  reports::Report report;
  report.run = run_info(args.jobs, args.shard, selected->catalog, args.command_line);
  const auto start = std::chrono::steady_clock::now();
  ProgressPrinter progress(console.err, console.progress_mode);
  const RunSettings settings{args.jobs, args.max_states, args.shard,
                             [&progress](const Progress& p) { progress.update(p); }, args.max_memory_bytes};
  for (const catalog::ScenarioSpec& spec : selected->scenarios) {
    progress.begin_scenario(spec.name);
    const ScenarioRun run = run_scenario(spec, settings);
    progress.clear();
    ReplaySpelling spelling{args.program, std::nullopt};
    if (run.recording && run.result.violation_count() > 0) {
      spelling.trace_path = save_scenario_trace(fs, args, spec, *run.recording, console.err);
    }
    reports::ScenarioResult scenario = report_scenario(spec, run.result, spelling);
    for (const std::string& line : verdict_lines(scenario, report.run)) console.out << line << '\n';
    console.out.flush();
    report.scenarios.push_back(std::move(scenario));
  }
  report.run.duration_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  if (vfs::Status s = reports::write_report_files(fs, report, args.out_dir); !s.ok()) {
    console.err << "crashsim: write the reports: " << s.to_string() << '\n';
    return kExitUsage;
  }
  console.out << closing_lines(report, args.out_dir);
  const reports::Totals totals = reports::compute_totals(report);
  return totals.scenarios_passed == totals.scenarios ? kExitOk : kExitFailed;
}

}  // namespace crashsim::tool
