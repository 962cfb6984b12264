#include "crashsim/tool/cli.h"

#include <CLI/CLI.hpp>

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "crashsim/tool/exit_code.h"

namespace crashsim::tool {

namespace {

// "I/N" with 1 <= I <= N, as the user writes it, to the 0-based Shard.
std::optional<Shard> parse_shard(const std::string& text) {
  const size_t slash = text.find('/');
  if (slash == std::string::npos) return std::nullopt;
  uint32_t i = 0;
  uint32_t n = 0;
  const char* end = text.data() + text.size();
  const auto a = std::from_chars(text.data(), text.data() + slash, i);
  const auto b = std::from_chars(text.data() + slash + 1, end, n);
  if (a.ec != std::errc() || a.ptr != text.data() + slash || b.ec != std::errc() || b.ptr != end) return std::nullopt;
  if (i < 1 || i > n) return std::nullopt;
  return Shard{i - 1, n};
}

// A non-negative decimal number, as an environment variable holds it.
std::optional<uint32_t> parse_count(const char* text) {
  uint32_t n = 0;
  const char* end = text + std::strlen(text);
  const auto r = std::from_chars(text, end, n);
  if (r.ec != std::errc() || r.ptr != end || r.ptr == text) return std::nullopt;
  return n;
}

// The shard a CI system asks for when --shard is not given: GoogleTest's
// GTEST_SHARD_INDEX (0-based) and GTEST_TOTAL_SHARDS, else GitLab's
// CI_NODE_INDEX (1-based) and CI_NODE_TOTAL (set by `parallel:`). nullopt
// when neither pair is set; an error naming the variables for a bad pair.
std::optional<Shard> shard_from_environment(std::string& source, std::string& error) {
  struct Convention {
    const char* index;
    const char* total;
    uint32_t first;  // the index of the first shard
  };
  for (const Convention& c : {Convention{"GTEST_SHARD_INDEX", "GTEST_TOTAL_SHARDS", 0},
                              Convention{"CI_NODE_INDEX", "CI_NODE_TOTAL", 1}}) {
    const char* index = std::getenv(c.index);
    const char* total = std::getenv(c.total);
    if (index == nullptr && total == nullptr) continue;
    source = std::string(c.index) + "=" + (index ? index : "") + " " + c.total + "=" + (total ? total : "");
    const std::optional<uint32_t> i = index ? parse_count(index) : std::nullopt;
    const std::optional<uint32_t> n = total ? parse_count(total) : std::nullopt;
    if (!i || !n || *i < c.first || *i - c.first >= *n) {
      error = source + ": expected both set, with " + std::to_string(c.first) + " <= " + c.index + " <= " +
              c.total + (c.first == 0 ? " - 1" : "");
      return std::nullopt;
    }
    return Shard{*i - c.first, *n};
  }
  return std::nullopt;
}

// Refuses zero and negative values in plain words (CLI::PositiveNumber
// would print its range, up to 1.8e308).
CLI::Validator positive() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        char* end = nullptr;
        const double d = std::strtod(value.c_str(), &end);
        if (end == value.c_str() || *end != '\0' || !(d > 0)) return "expected a number above 0, got '" + value + "'";
        return {};
      },
      "> 0");
}

// A repeatable flag taking one value per occurrence (so that a catalog path
// after it is not taken for a second value).
template <class T>
CLI::Option* add_repeatable(CLI::App* cmd, const std::string& name, std::vector<T>& values, const std::string& help) {
  return cmd->add_option(name, values, help)->allow_extra_args(false);
}

void add_selection(CLI::App* cmd, CatalogSelection& selection) {
  cmd->add_option("catalog", selection.paths, "catalog files, or directories of them (default: scenarios)");
  add_repeatable(cmd, "--filter", selection.names, "only scenarios whose name matches this shell glob (repeatable)");
  add_repeatable(cmd, "--tag", selection.tags, "only scenarios carrying this tag (repeatable)");
  add_repeatable(cmd, "--model", selection.models,
                 "only these persistence models (repeatable): process-crash, lose-unsynced, reorder, torn, corrupt");
}

std::string joined_command_line(int argc, const char* const* argv) {
  std::string out = "crashsim";
  for (int i = 1; i < argc; ++i) out += std::string(" ") + argv[i];
  return out;
}

int usage_error(const std::string& message, Console& console) {
  console.err << "crashsim: " << message
              << "\ncrashsim: run 'crashsim --help' or 'crashsim COMMAND --help' for usage\n";
  return kExitUsage;
}

}  // namespace

int crashsim_main(int argc, const char* const* argv, Console& console) {
  CLI::App app{"crashsim: runs the crash scenario catalog against the engine and explains what it finds"};
  app.name("crashsim");
  app.require_subcommand(1);
  app.footer("Exit codes: 0 every expectation held; 1 one did not (replay: an invariant was violated; minimize: "
             "nothing to minimize); 2 usage, catalog or report errors. See docs/crashsim-tool.md.");

  RunArgs run;
  std::string shard;
  CLI::App* run_cmd = app.add_subcommand("run", "run scenarios, print a verdict per scenario and model, write reports");
  add_selection(run_cmd, run.selection);
  run_cmd->add_option("--jobs", run.jobs, "worker threads (default: one per CPU)");
  run_cmd->add_option("--shard", shard,
                      "check only shard I of N of every model's crash states (1 <= I <= N); default: from "
                      "GTEST_SHARD_INDEX/GTEST_TOTAL_SHARDS or CI_NODE_INDEX/CI_NODE_TOTAL when set");
  run_cmd->add_option("--out", run.out_dir, "directory for report.json, junit.xml, summary.md, report.html")
      ->capture_default_str();
  run_cmd->add_option("--max-states", run.max_states, "crash states checked per model, overriding each scenario's cap")
      ->check(positive());
  run_cmd
      ->add_option("--max-memory", run.max_memory_bytes,
                   "stop a scenario whose resident memory is found past SIZE (read after recording, every 256 crash points "
                   "and between batches of 256 states, so it can pass SIZE by one batch; e.g. 512MiB, 4GiB; a bare "
                   "number is bytes)")
      ->transform(CLI::AsSizeValue(false))
      ->check(positive());

  CatalogSelection list;
  CLI::App* list_cmd = app.add_subcommand("list", "list scenarios with their models, expectation, mutant and tags");
  add_selection(list_cmd, list);

  ReplayArgs replay;
  CLI::App* replay_cmd =
      app.add_subcommand("replay", "rebuild one crash state, rerun recovery and the checks, show it op by op");
  replay_cmd->add_option("catalog", replay.catalog, "the catalog file holding the scenario")->required();
  replay_cmd->add_option("--scenario", replay.scenario, "scenario name")->required();
  replay_cmd->add_option("--state", replay.state, "state id, e.g. 412:reorder:b")->required();
  replay_cmd->add_option("--trace", replay.trace, "the trace a run saved (reports/out/traces/NAME.trace): bit-exact");
  replay_cmd->add_option("--keep", replay.keep, "write the crash state's files into this directory");
  replay_cmd->add_flag("--verbose", replay.verbose, "show the whole trace up to the crash and all of recovery");

  MinimizeArgs minimize;
  CLI::App* minimize_cmd =
      app.add_subcommand("minimize", "shrink a failing scenario's workload and crash state to a small reproducer");
  minimize_cmd->add_option("catalog", minimize.catalog, "the catalog file holding the scenario")->required();
  minimize_cmd->add_option("--scenario", minimize.scenario, "scenario name")->required();
  minimize_cmd->add_option("--invariant", minimize.invariant,
                           "the invariant that must keep failing (default: the expected one, else the first found)");
  minimize_cmd->add_option("--model", minimize.model, "the model to shrink under (default: the first that fails)");
  minimize_cmd->add_option("--out", minimize.out_dir, "directory for the reproducer's catalog file and trace")
      ->capture_default_str();
  minimize_cmd->add_option("--max-attempts", minimize.max_attempts, "simulator runs at most")
      ->capture_default_str()
      ->check(positive());
  minimize_cmd->add_option("--max-seconds", minimize.max_seconds, "time budget")
      ->capture_default_str()
      ->check(positive());
  minimize_cmd->add_option("--jobs", minimize.jobs, "worker threads (default: one per CPU)");

  MutantsArgs mutants;
  CLI::App* mutants_cmd = app.add_subcommand(
      "mutants", "run every mutant against the selected scenarios and write the kill matrix (exit 0: all killed)");
  add_selection(mutants_cmd, mutants.selection);
  add_repeatable(mutants_cmd, "--mutant", mutants.mutants, "only this mutant (repeatable; default: every mutant)");
  mutants_cmd->add_option("--jobs", mutants.jobs, "worker threads per pair (default: one per CPU)");
  mutants_cmd->add_option("--max-states", mutants.max_states, "crash states checked per model and pair, at most")
      ->capture_default_str()
      ->check(positive());
  mutants_cmd->add_option("--out", mutants.out_dir, "directory for report.json (with the kill matrix) and the rest")
      ->capture_default_str();

  MergeArgs merge;
  CLI::App* merge_cmd = app.add_subcommand("merge", "combine the reports of a sharded run's shards into one");
  merge_cmd->add_option("dirs", merge.dirs, "report directories, one per shard")->required();
  merge_cmd->add_option("--out", merge.out_dir, "directory for the merged reports")->capture_default_str();
  merge_cmd->add_flag("--allow-partial", merge.allow_partial,
                      "merge even when some shards of the run are missing; every report then says partial");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e, console.out, console.err);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e, console.out, console.err);
  } catch (const CLI::ParseError& e) {
    return usage_error(e.what(), console);
  }

  if (run_cmd->parsed()) {
    if (!shard.empty()) {
      const std::optional<Shard> s = parse_shard(shard);
      if (!s) return usage_error("--shard " + shard + ": expected I/N with 1 <= I <= N", console);
      run.shard = *s;
    } else {
      std::string source, error;
      const std::optional<Shard> s = shard_from_environment(source, error);
      if (!error.empty()) return usage_error(error, console);
      if (s) {
        run.shard = *s;
        console.err << "crashsim: shard " << s->index + 1 << "/" << s->count << " (from " << source << ")\n";
      }
    }
    run.program = argv[0];
    run.command_line = joined_command_line(argc, argv);
    return run_command(run, console);
  }
  if (list_cmd->parsed()) return list_command(list, console);
  if (mutants_cmd->parsed()) {
    mutants.command_line = joined_command_line(argc, argv);
    return mutants_command(mutants, console);
  }
  if (replay_cmd->parsed()) {
    replay.program = argv[0];
    return replay_command(replay, console);
  }
  if (minimize_cmd->parsed()) {
    minimize.program = argv[0];
    return minimize_command(minimize, console);
  }
  return merge_command(merge, console);
}

}  // namespace crashsim::tool
