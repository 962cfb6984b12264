// The kill matrix: every mutant run against every scenario of a catalog
// selection (crashsim mutants), and whether one of the harness's invariants
// caught it.
//
// A pair is one mutant planted in the engine under one scenario's workload
// and models, checked until its first violation. Its outcome:
//   killed       some invariant was violated (the first one found is what killed it)
//   survived     the mutant ran, and every state checked held every invariant
//   not-reached  the mutant's defective branch never ran: the scenario cannot tell
//   error        the pair could not run to the end (the message says why)
// A pair killed by `recovery` alone (the engine refused to open) is run again
// with the engine's cross-checks off (engine::Options::cross_checks), to show
// which invariant of the harness catches the defect without the engine
// policing itself. A mutant is killed when some pair killed it.
//
// Like the rest of report.h, plain data with its JSON form; the renderers
// (html.cc, summary.cc, junit.cc) draw it when a report carries one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/json_reader.h"

namespace reports {

enum class PairOutcome : uint8_t { kKilled, kSurvived, kNotReached, kError };
std::string_view pair_outcome_name(PairOutcome outcome);

// One run of a (mutant, scenario) pair.
struct PairRun {
  PairOutcome outcome = PairOutcome::kSurvived;
  // Invariants violated, in the order found; the first is what killed the pair.
  std::vector<std::string> invariants;
  uint64_t fired = 0;           // runs of the mutant's defective branch
  uint64_t states_checked = 0;  // crash states reopened and checked, inside recovery included
  double seconds = 0;
  std::string error;            // kError: why
};

struct Pair {
  std::string mutant;
  std::string scenario;
  PairRun run;
  // The same pair with the engine's cross-checks off, when `run` was killed by recovery alone.
  std::optional<PairRun> cross_checks_off;
};

struct KillMatrix {
  std::vector<std::string> mutants;    // the rows, in engine::all_mutants() order
  std::vector<std::string> scenarios;  // the columns, in catalog order
  std::vector<Pair> pairs;             // every mutant against every scenario, row by row
  // Crash states checked per model and pair, at most (crashsim mutants --max-states).
  uint64_t max_states = 0;
};

// How a mutant's pairs came out.
struct RowCounts {
  uint64_t killed = 0, survived = 0, not_reached = 0, errors = 0;
};
RowCounts row_counts(const KillMatrix& matrix, std::string_view mutant);

// The pairs that killed `mutant`, in column order.
std::vector<const Pair*> killing_pairs(const KillMatrix& matrix, std::string_view mutant);
bool mutant_killed(const KillMatrix& matrix, std::string_view mutant);
// Mutants killed by some pair.
uint64_t mutants_killed(const KillMatrix& matrix);
bool every_mutant_killed(const KillMatrix& matrix);

// "recovery", "recovery; cross-checks off: durability", "survived", "not reached", "error: ...".
std::string describe_pair(const Pair& pair);

nlohmann::json kill_matrix_to_json(const KillMatrix& matrix);
// Problems go to the reader of `v` (json_reader.h), as for the rest of a report.
KillMatrix read_kill_matrix(const JsonValue& v);

}  // namespace reports
