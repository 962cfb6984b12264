// The crashsim subcommands, each a function from parsed arguments to an exit
// code (exit_code.h). cli.cc parses the command line into these structs;
// tests call either level. Output goes to the given streams, never to the
// process's own, so that a test can read it.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "crashsim/simulator.h"
#include "crashsim/tool/progress.h"

namespace crashsim::tool {

struct Console {
  std::ostream& out;
  std::ostream& err;
  ProgressPrinter::Mode progress_mode = ProgressPrinter::Mode::kPlain;  // of `err`
};

// Which scenarios of which catalog files (run, list).
struct CatalogSelection {
  std::vector<std::string> paths;  // files or directories; empty: "scenarios"
  std::vector<std::string> names;  // --filter globs
  std::vector<std::string> tags;   // --tag
  std::vector<std::string> models; // --model
};

struct RunArgs {
  CatalogSelection selection;
  unsigned jobs = 0;  // 0: one per CPU
  Shard shard;
  std::string out_dir = "reports/out";
  std::optional<uint64_t> max_states;
  uint64_t max_memory_bytes = 0;  // --max-memory; 0: no bound
  std::string program = "crashsim";  // as invoked, for the replay commands printed
  std::string command_line;          // recorded in the report
};
int run_command(const RunArgs& args, Console& console);

int list_command(const CatalogSelection& selection, Console& console);

struct ReplayArgs {
  std::string catalog;
  std::string scenario;
  std::string state;
  std::optional<std::string> trace;  // a trace saved by `run` (bit-exact)
  std::optional<std::string> keep;   // write the crash state's files here
  bool verbose = false;
  std::string program = "crashsim";  // as invoked, to find the btree beside it
};
int replay_command(const ReplayArgs& args, Console& console);

struct MinimizeArgs {
  std::string catalog;
  std::string scenario;
  std::optional<std::string> invariant;  // default: the expected one, else the first found
  std::optional<std::string> model;      // default: the first model where it fails
  std::string out_dir = "reports/out/minimized";
  uint32_t max_attempts = 300;  // simulator runs while shrinking the workload
  double max_seconds = 600;
  unsigned jobs = 0;
  std::string program = "crashsim";
};
int minimize_command(const MinimizeArgs& args, Console& console);

struct MutantsArgs {
  CatalogSelection selection;      // the scenarios each mutant runs against
  std::vector<std::string> mutants;  // --mutant names; empty: every mutant
  unsigned jobs = 0;                 // 0: one per CPU
  uint64_t max_states = 300;         // crash states per model and pair, at most
  std::string out_dir = "reports/out/mutants";
  std::string command_line;          // recorded in the report
};
// Exit 0 when every mutant was killed by some scenario, 1 otherwise.
int mutants_command(const MutantsArgs& args, Console& console);

struct MergeArgs {
  std::vector<std::string> dirs;  // each holds a report.json
  std::string out_dir = "reports/out/merged";
  bool allow_partial = false;     // merge some shards only, into a report marked partial
};
int merge_command(const MergeArgs& args, Console& console);

}  // namespace crashsim::tool
