// crashsim minimize: shrink a failing scenario, print the reproducer.
#include "crashsim/engine_adapter.h"
#include "crashsim/record/trace_io.h"
#include "crashsim/simulator.h"
#include "crashsim/tool/catalog_selection.h"
#include "crashsim/tool/commands.h"
#include "crashsim/tool/exit_code.h"
#include "crashsim/tool/minimize.h"
#include "crashsim/tool/output_dir.h"
#include "crashsim/tool/report_document.h"
#include "crashsim/tool/scenario_run.h"
#include "reports/text_file.h"
#include "vfs/posix_vfs.h"

namespace crashsim::tool {

namespace {

// A reproducer proves itself before it is kept: its catalog file loads, and
// the crash state it names, rebuilt from its saved trace, still violates the
// goal's invariant.
vfs::Status check_reproducer(vfs::Vfs& fs, const catalog::ScenarioSpec& written, const std::string& trace_path,
                             const std::string& state_id, const MinimizeGoal& goal) {
  ASSIGN_OR_RETURN(const catalog::ScenarioSpec spec, find_scenario(fs, written.file, written.name));
  ASSIGN_OR_RETURN(const Recording recording, recording_for(fs, spec, trace_path));
  EngineSystem engine(spec.engine);
  const Simulator simulator(engine);
  ASSIGN_OR_RETURN(const std::vector<Violation> found,
                   simulator.replay(spec.name, recording, simulation_options(spec, RunSettings{}), state_id));
  for (const Violation& v : found) {
    if (v.invariant == goal.invariant) return vfs::Status();
  }
  return vfs::Status::failed_state("state " + state_id + " of " + written.file + ", replayed from " + trace_path +
                                   ", shows no violation of '" + goal.invariant + "'");
}

}  // namespace

int minimize_command(const MinimizeArgs& args, Console& console) {
  vfs::Vfs& fs = vfs::default_vfs();
  vfs::Result<catalog::ScenarioSpec> spec = find_scenario(fs, args.catalog, args.scenario);
  if (!spec.ok()) return report_usage_error(spec.status(), console.err);
  vfs::Result<MinimizeGoal> goal = choose_goal(*spec, args.invariant, args.model, args.jobs);
  if (!goal.ok()) {
    if (!goal.status().is_not_found()) return report_usage_error(goal.status(), console.err);
    console.err << "crashsim: " << goal.status().message() << '\n';
    return kExitFailed;
  }
  console.err << "minimizing " << spec->name << ": keeping a violation of '" << goal->invariant << "' under "
              << model_name(goal->model) << " (at most " << args.max_attempts << " runs, " << args.max_seconds
              << " s)\n";
  MinimizeOptions options;
  options.max_attempts = args.max_attempts;
  options.max_time = std::chrono::duration<double>(args.max_seconds);
  options.jobs = args.jobs;
  options.log = [&console](const std::string& line) { console.err << "  " << line << '\n'; };
  vfs::Result<Minimized> minimized = minimize(*spec, *goal, options);
  if (!minimized.ok()) {
    if (!minimized.status().is_not_found()) return report_usage_error(minimized.status(), console.err);
    console.err << "crashsim: " << minimized.status().message() << '\n';
    return kExitFailed;
  }

  // The reproducer is a catalog file of its own, with the trace it was found
  // in, so that its replay command rebuilds the state bit for bit.
  catalog::ScenarioSpec reproducer = *spec;
  reproducer.name = spec->name + "-min";
  reproducer.file = args.out_dir + "/" + reproducer.name + ".json";
  const std::string trace_path = args.out_dir + "/" + reproducer.name + ".trace";
  const std::string text = reproducer_catalog_text(reproducer_scenario(*spec, *goal, *minimized, reproducer.name));
  vfs::Status s = ensure_directories(fs, args.out_dir);
  if (s.ok()) s = reports::write_text_file(fs, reproducer.file, text);
  if (s.ok()) s = save_trace(fs, trace_path, minimized->recording.trace, trace_meta(reproducer));
  if (!s.ok()) return report_usage_error(s.with("--out " + args.out_dir), console.err);
  if (const vfs::Status proof = check_reproducer(fs, reproducer, trace_path, minimized->state_id, *goal);
      !proof.ok()) {
    (void)fs.remove(reproducer.file);
    (void)fs.remove(trace_path);
    console.err << "crashsim: the reproducer did not reproduce, so it was not kept: " << proof.to_string() << '\n';
    return kExitFailed;
  }

  console.out << "smallest reproducer: " << minimized->steps.size() << " of " << minimized->original_steps
              << " steps, crash state " << minimized->state_id << " (" << minimized->attempts << " runs"
              << (minimized->budget_exhausted ? ", budget spent: it may shrink further" : "") << ")\n"
              << "  expected: " << minimized->violation.expected << '\n'
              << "  observed: " << minimized->violation.observed << '\n'
              << text
              << "written to " << reproducer.file << " (trace: " << trace_path << "), and checked: it loads, and "
              << "its crash state, rebuilt from the trace, violates '" << goal->invariant << "'\n"
              << "replay: "
              << replay_command(reproducer, minimized->state_id, ReplaySpelling{args.program, trace_path}) << '\n';
  return kExitOk;
}

}  // namespace crashsim::tool
