// crashsim replay: one crash state, op by op.
//
// Rebuilds the state from its id (from the saved trace when --trace is given,
// else from a new recording of the scenario), shows what became of the trace
// entries around its crash point, reopens the system on it through a
// RecordingVfs to show recovery's own calls and the recovery paths it took,
// then rechecks every invariant. --keep writes the state's files to a real
// directory (before recovery touched them).
#include <algorithm>
#include <cstdio>
#include <set>
#include <string_view>

#include "crashsim/check/image_io.h"
#include "crashsim/check/invariants.h"
#include "crashsim/record/recording_vfs.h"
#include "crashsim/tool/catalog_selection.h"
#include "crashsim/tool/commands.h"
#include "crashsim/tool/exit_code.h"
#include "crashsim/tool/output_dir.h"
#include "crashsim/tool/replay_hint.h"
#include "crashsim/tool/scenario_run.h"
#include "reports/format.h"
#include "vfs/mem_vfs.h"
#include "vfs/posix_vfs.h"

namespace crashsim::tool {

namespace {

constexpr uint32_t kContextOps = 8;
constexpr uint32_t kVerboseContextOps = 1u << 30;  // the whole trace
constexpr size_t kRecoveryOpsShown = 40;

std::string describe_files(const DiskImage& image) {
  std::string out;
  for (const auto& [path, bytes] : image.files) {
    out += (out.empty() ? "" : ", ") + path + " (" + reports::format_count(bytes.size()) + " bytes)";
  }
  return out.empty() ? "no files" : out;
}

std::string in_flight_range(const Expectation& e) {
  return std::to_string(e.acked) + ".." + std::to_string(e.acked + e.in_flight - 1);
}

std::string describe_expectation(const StateView& view) {
  const Expectation& e = view.expect;
  if (view.after_new_writes) {
    // The continuation's oracle: transaction 0 is the recovered state, i the i-th new commit.
    std::string out = e.acked <= 1 ? "the recovered state, no new commit acknowledged"
                                   : "the recovered state and new commits 1.." + std::to_string(e.acked - 1) + " acknowledged";
    if (e.in_flight == 1) out += ", new commit " + std::to_string(e.acked) + " in flight";
    if (e.in_flight > 1) out += ", new commits " + in_flight_range(e) + " in flight";
    return out;
  }
  std::string out = e.acked == 0 ? "no transaction acknowledged"
                                 : "transactions 0.." + std::to_string(e.acked - 1) + " acknowledged";
  if (e.in_flight == 1) out += ", transaction " + std::to_string(e.acked) + " in flight";
  if (e.in_flight > 1) out += ", transactions " + in_flight_range(e) + " in flight (a group commit)";
  return out;
}

std::string describe_crash(const StateView& view) {
  if (view.after_new_writes) {
    return "a crash after recovery returned, while the store took new commits, before entry #";
  }
  return view.depth > 0 ? "a crash inside recovery, before entry #" : "crash before trace entry #";
}

// Where the run stopped: a process crash keeps every write the kernel took.
std::string crash_words(ModelKind model) {
  return model == ModelKind::kProcessCrash ? "process killed here" : "power lost here";
}

void print_ops(const StateView& view, std::ostream& out) {
  out << (view.depth > 0 ? "entries of the store's run on the parent state" : "trace entries")
      << " around the crash point (fate in this state):\n";
  bool crash_shown = false;
  uint64_t next = view.ops.empty() ? 0 : view.ops.front().index;
  for (const OpRecord& r : view.ops) {
    if (r.index != next) out << "        ...\n";
    if (!crash_shown && r.index >= view.crash_point) {
      out << "  ----- " << crash_words(view.model) << ": entries from #" << view.crash_point
          << " on were never issued -----\n";
      crash_shown = true;
    }
    char head[64];
    std::snprintf(head, sizeof head, "  #%-6llu %-11s ", static_cast<unsigned long long>(r.index),
                  std::string(op_fate_name(r.fate)).c_str());
    out << head << r.op << (r.note.empty() ? "" : "  (" + r.note + ")") << '\n';
    next = r.index + 1;
  }
  if (!crash_shown) out << "  ----- " << crash_words(view.model) << ", after the last entry -----\n";
}

// Reopens the system on the state as the checks do, through a RecordingVfs.
void print_recovery(SystemUnderTest& sut, const DiskImage& image, bool verbose, std::ostream& out) {
  vfs::MemVfs mem;
  if (vfs::Status s = install_image(image, mem); !s.ok()) {
    out << "recovery: cannot install the state: " << s.to_string() << '\n';
    return;
  }
  RecordingVfs recording(mem, image);
  vfs::Result<std::unique_ptr<SutSession>> session = sut.open(recording);
  const Trace trace = recording.trace();
  out << "recovery (opening the store on this state): " << trace.ops.size() << " calls\n";
  for (size_t i = 0; i < trace.ops.size() && (verbose || i < kRecoveryOpsShown); ++i) {
    out << "  #" << i << " " << describe_op(trace.ops[i]) << '\n';
  }
  if (!verbose && trace.ops.size() > kRecoveryOpsShown) {
    out << "  ... " << trace.ops.size() - kRecoveryOpsShown << " more (--verbose shows all)\n";
  }
  if (!session.ok()) {
    out << "open failed: " << session.status().to_string() << '\n';
    return;
  }
  std::string paths;
  for (const std::string& p : (*session)->recovery_paths()) paths += (paths.empty() ? "" : ", ") + p;
  out << "recovery paths taken: " << (paths.empty() ? "none (nothing to recover)" : paths) << '\n';
  // The checks below reopen the state on their own; a failing close is theirs to judge (recovery).
  if (const vfs::Status s = (*session)->close(); !s.ok()) out << "close failed: " << s.to_string() << '\n';
}

// The invariants replay judges for a state of `model` (as Simulator::replay does).
std::vector<std::string_view> judged_invariants(const StateView& view, const SimulationOptions& options) {
  if (view.model == ModelKind::kCorrupt) {
    return {invariant::kRecovery, invariant::kSilentLoss, invariant::kSilentCorruption};
  }
  std::vector<std::string_view> out = {invariant::kRecovery,  invariant::kDurability, invariant::kAtomicity,
                                       invariant::kOrdering,  invariant::kStructure,  invariant::kLeak};
  if (options.post_recovery_write) out.push_back(invariant::kWritableAfterRecovery);
  if (view.depth > 0 && !view.after_new_writes) out = {invariant::kIdempotentRecovery};
  return out;
}

void print_verdicts(const StateView& view, const SimulationOptions& options, const std::vector<Violation>& found,
                    std::ostream& out) {
  out << "invariants:\n";
  std::set<std::string> listed;
  for (std::string_view name : judged_invariants(view, options)) listed.emplace(name);
  for (const Violation& v : found) listed.insert(v.invariant);
  // A recovery violation (open, scan or close failed) stops the checks after it.
  const bool all_checks_ran = std::none_of(found.begin(), found.end(),
                                           [](const Violation& v) { return v.invariant == invariant::kRecovery; });
  for (const std::string& name : listed) {
    size_t n = 0;
    for (const Violation& v : found) n += v.invariant == name;
    char head[48];
    std::snprintf(head, sizeof head, "  %-24s ", name.c_str());
    const char* verdict = n > 0            ? "VIOLATED"
                          : all_checks_ran ? "held"
                                           : "no violation (checks after the failed step did not run)";
    out << head << verdict << '\n';
    for (const Violation& v : found) {
      if (v.invariant != name) continue;
      out << "      " << v.message << '\n'
          << "      expected: " << v.expected << '\n'
          << "      observed: " << v.observed << '\n';
      if (!v.cause_note.empty()) out << "      cause: " << cause_name(v.cause) << ": " << v.cause_note << '\n';
    }
  }
}

// The first violation of each invariant, the scenario's expected one first,
// as btree commands on the kept files (replay_hint.h).
void print_hints(const std::vector<Violation>& found, const std::optional<std::string>& expected,
                 const KeptState& kept, std::ostream& out) {
  std::vector<const Violation*> firsts;
  for (const Violation& v : found) {
    const bool seen = std::any_of(firsts.begin(), firsts.end(),
                                  [&](const Violation* f) { return f->invariant == v.invariant; });
    if (!seen) firsts.push_back(&v);
  }
  std::stable_sort(firsts.begin(), firsts.end(), [&](const Violation* a, const Violation* b) {
    return std::make_pair(a->invariant != expected, a->invariant) < std::make_pair(b->invariant != expected, b->invariant);
  });
  out << "\nsee it on the kept files (read-only commands: " << kept.dir << " stays byte-identical):\n";
  for (const Violation* v : firsts) {
    for (const std::string& line : replay_hint(*v, kept)) out << "  " << line << '\n';
  }
}

}  // namespace

int replay_command(const ReplayArgs& args, Console& console) {
  vfs::Vfs& fs = vfs::default_vfs();
  vfs::Result<catalog::ScenarioSpec> spec = find_scenario(fs, args.catalog, args.scenario);
  if (!spec.ok()) return report_usage_error(spec.status(), console.err);
  vfs::Result<Recording> recording = recording_for(fs, *spec, args.trace);
  if (!recording.ok()) return report_usage_error(recording.status().with("--trace"), console.err);
  const std::unique_ptr<SystemUnderTest> sut = spec->system_setup.make();
  const Simulator simulator(*sut);
  const SimulationOptions options = simulation_options(*spec, RunSettings{});
  vfs::Result<StateView> view =
      simulator.view_state(*recording, options, args.state, args.verbose ? kVerboseContextOps : kContextOps);
  if (!view.ok()) return report_usage_error(view.status().with("--state " + args.state), console.err);

  std::ostream& out = console.out;
  out << "scenario " << spec->name << " (" << spec->file << "), system " << sut->name() << '\n'
      << "trace: " << recording->trace.ops.size() << " entries"
      << (args.trace ? ", from " + *args.trace + " (the bytes the run saw)"
                     : ", recorded again (same ops; the engine's random database id changes some bytes)")
      << '\n'
      << "state " << args.state << ": " << model_name(view->model) << ", "
      << describe_crash(*view) << view->crash_point << "; " << describe_expectation(*view) << '\n'
      << "crash state: " << describe_files(view->image) << "\n\n";
  print_ops(*view, out);
  out << '\n';
  if (args.keep) {
    vfs::Status s = ensure_directories(fs, *args.keep);
    if (s.ok()) s = write_state_to_directory(view->image, *args.keep);
    if (!s.ok()) return report_usage_error(s.with("--keep " + *args.keep), console.err);
    out << "crash state written to " << *args.keep << " (as the crash left it, before recovery"
        << (spec->system == "engine" ? "; the commands after the verdicts show each violation on it" : "") << ")\n\n";
  }
  print_recovery(*sut, view->image, args.verbose, out);
  out << '\n';
  vfs::Result<std::vector<Violation>> found = simulator.replay(spec->name, *recording, options, args.state);
  if (!found.ok()) return report_usage_error(found.status().with("recheck state " + args.state), console.err);
  print_verdicts(*view, options, *found, out);
  // The btree tool opens only the engine's files.
  if (spec->system == "engine" && args.keep && !found->empty()) {
    print_hints(*found, spec->expect.violation,
                KeptState{btree_beside(args.program), *args.keep, "db", spec->engine.mutant}, out);
  } else if (spec->system == "engine" && !found->empty()) {
    out << "\n(--keep DIR writes this state's files and prints the btree commands that show each violation on them)\n";
  }
  return found->empty() ? kExitOk : kExitFailed;
}

}  // namespace crashsim::tool
