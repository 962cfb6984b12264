#include "reports/kill_matrix.h"

#include <algorithm>
#include <array>
#include <set>

namespace reports {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 4> kOutcomeNames = {"killed", "survived", "not-reached", "error"};
constexpr double kMaxSeconds = 1e9;

json run_json(const PairRun& run) {
  json j = {{"outcome", pair_outcome_name(run.outcome)},
            {"invariants", run.invariants},
            {"fired", run.fired},
            {"states_checked", run.states_checked},
            {"seconds", run.seconds}};
  if (!run.error.empty()) j["error"] = run.error;
  return j;
}

PairRun read_run(const JsonValue& v) {
  PairRun run;
  ObjectReader o(v, {"outcome", "invariants", "fired", "states_checked", "seconds", "error"});
  if (std::optional<JsonValue> outcome = o.member("outcome", Need::kRequired)) {
    if (std::optional<size_t> i = outcome->as_name(kOutcomeNames, "pair outcome")) {
      run.outcome = static_cast<PairOutcome>(*i);
    }
  }
  if (std::optional<JsonValue> found = o.member("invariants", Need::kRequired)) {
    if (auto names = found->as_string_set("invariant")) run.invariants = std::move(*names);
  }
  o.read_uint("fired", Need::kRequired, 0, UINT64_MAX, run.fired);
  o.read_uint("states_checked", Need::kRequired, 0, UINT64_MAX, run.states_checked);
  o.read_number("seconds", Need::kRequired, 0, kMaxSeconds, run.seconds);
  o.read_string("error", Need::kOptional, run.error);
  // What the outcome claims is what the invariants say.
  if (run.outcome == PairOutcome::kKilled && run.invariants.empty()) {
    v.problem("a killed pair names the invariant that killed it");
  } else if (run.outcome != PairOutcome::kKilled && !run.invariants.empty()) {
    v.problem("only a killed pair lists invariants");
  }
  return run;
}

Pair read_pair(const JsonValue& v) {
  Pair pair;
  ObjectReader o(v, {"mutant", "scenario", "run", "cross_checks_off"});
  o.read_string("mutant", Need::kRequired, pair.mutant);
  o.read_string("scenario", Need::kRequired, pair.scenario);
  if (std::optional<JsonValue> run = o.member("run", Need::kRequired)) pair.run = read_run(*run);
  if (std::optional<JsonValue> off = o.member("cross_checks_off", Need::kOptional)) pair.cross_checks_off = read_run(*off);
  return pair;
}

}  // namespace

std::string_view pair_outcome_name(PairOutcome outcome) { return kOutcomeNames[static_cast<size_t>(outcome)]; }

std::vector<const Pair*> killing_pairs(const KillMatrix& matrix, std::string_view mutant) {
  std::vector<const Pair*> out;
  for (const Pair& p : matrix.pairs) {
    if (p.mutant == mutant && p.run.outcome == PairOutcome::kKilled) out.push_back(&p);
  }
  return out;
}

RowCounts row_counts(const KillMatrix& matrix, std::string_view mutant) {
  RowCounts c;
  for (const Pair& p : matrix.pairs) {
    if (p.mutant != mutant) continue;
    switch (p.run.outcome) {
      case PairOutcome::kKilled: ++c.killed; break;
      case PairOutcome::kSurvived: ++c.survived; break;
      case PairOutcome::kNotReached: ++c.not_reached; break;
      case PairOutcome::kError: ++c.errors; break;
    }
  }
  return c;
}

bool mutant_killed(const KillMatrix& matrix, std::string_view mutant) { return !killing_pairs(matrix, mutant).empty(); }

uint64_t mutants_killed(const KillMatrix& matrix) {
  return static_cast<uint64_t>(std::count_if(matrix.mutants.begin(), matrix.mutants.end(),
                                             [&](const std::string& m) { return mutant_killed(matrix, m); }));
}

bool every_mutant_killed(const KillMatrix& matrix) { return mutants_killed(matrix) == matrix.mutants.size(); }

std::string describe_pair(const Pair& pair) {
  const auto describe = [](const PairRun& run) -> std::string {
    switch (run.outcome) {
      case PairOutcome::kKilled: return run.invariants.front();
      case PairOutcome::kSurvived: return "survived";
      case PairOutcome::kNotReached: return "not reached";
      case PairOutcome::kError: return "error: " + run.error;
    }
    return "";
  };
  std::string out = describe(pair.run);
  if (pair.cross_checks_off) out += "; cross-checks off: " + describe(*pair.cross_checks_off);
  return out;
}

json kill_matrix_to_json(const KillMatrix& matrix) {
  json mutants = json::array();
  for (const std::string& m : matrix.mutants) {
    json killed_by = json::array();
    for (const Pair* p : killing_pairs(matrix, m)) killed_by.push_back(p->scenario);
    mutants.push_back({{"mutant", m}, {"verdict", killed_by.empty() ? "survived" : "killed"}, {"killed_by", killed_by}});
  }
  json pairs = json::array();
  for (const Pair& p : matrix.pairs) {
    json j = {{"mutant", p.mutant}, {"scenario", p.scenario}, {"run", run_json(p.run)}};
    if (p.cross_checks_off) j["cross_checks_off"] = run_json(*p.cross_checks_off);
    pairs.push_back(std::move(j));
  }
  return {{"mutants", std::move(mutants)},
          {"scenarios", matrix.scenarios},
          {"max_states", matrix.max_states},
          {"mutants_killed", mutants_killed(matrix)},
          {"pairs", std::move(pairs)}};
}

KillMatrix read_kill_matrix(const JsonValue& v) {
  KillMatrix matrix;
  // "mutants" (with its verdicts) and "mutants_killed" are derived from the pairs: read, recomputed.
  ObjectReader o(v, {"mutants", "scenarios", "max_states", "mutants_killed", "pairs"});
  if (std::optional<JsonValue> mutants = o.member("mutants", Need::kRequired)) {
    if (auto rows = mutants->as_array()) {
      for (const JsonValue& row : *rows) {
        ObjectReader r(row, {"mutant", "verdict", "killed_by"});
        std::string name;
        if (r.read_string("mutant", Need::kRequired, name)) matrix.mutants.push_back(std::move(name));
      }
    }
  }
  if (std::optional<JsonValue> scenarios = o.member("scenarios", Need::kRequired)) {
    if (auto names = scenarios->as_string_set("scenario")) matrix.scenarios = std::move(*names);
  }
  o.read_uint("max_states", Need::kOptional, 0, UINT64_MAX, matrix.max_states);
  if (std::optional<JsonValue> pairs = o.member("pairs", Need::kRequired)) {
    if (auto items = pairs->as_array()) {
      const std::set<std::string> rows(matrix.mutants.begin(), matrix.mutants.end());
      const std::set<std::string> columns(matrix.scenarios.begin(), matrix.scenarios.end());
      for (const JsonValue& item : *items) {
        Pair pair = read_pair(item);
        if (!rows.contains(pair.mutant) || !columns.contains(pair.scenario)) {
          item.problem("pair (" + pair.mutant + ", " + pair.scenario + ") is not in the matrix's mutants and scenarios");
        }
        matrix.pairs.push_back(std::move(pair));
      }
    }
  }
  return matrix;
}

}  // namespace reports
