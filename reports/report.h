// The crash report: what one run of the scenario catalog found.
//
// This is the in-memory form of report.json (schema: reports/report.schema.json,
// prose: docs/reports.md). The tool fills a Report from the simulator's
// results (crashsim/results.h) and the catalog; report_to_json() writes the
// document, adding the fields derived from the data (verdicts, states per
// second, totals); report_from_json() reads a document back, strictly, and
// recomputes those derived fields instead of trusting them. Renderers and
// merge_reports() work from a Report, never from simulator internals, so a
// report can be re-rendered or merged long after the run.
//
// Names of models, invariants, causes and recovery paths are carried
// as strings: this layer renders and combines them, it does not interpret
// them. The one rule it does own is the verdict (case_verdict below).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/kill_matrix.h"
#include "vfs/status.h"

namespace reports {

inline constexpr int kReportFormatVersion = 1;

// What became of one trace entry in the crash state shown (the simulator's
// crashsim::OpFate, same names).
enum class Fate : uint8_t {
  kPersisted,  // issued before the crash and on disk in this state
  kDropped,    // issued before the crash and lost
  kTorn,       // issued before the crash; only some of its sectors are on disk
  kBarrier,    // a sync or sync-dir: makes others durable, has no contents of its own
  kMarker,     // a workload marker (commit acknowledged, ...), not a file-system call
  kNotIssued,  // at or after the crash point
};
std::string_view fate_name(Fate fate);

// The kind of a trace entry, as the picture needs it: the file-system calls
// by name (crashsim::OpKind's names), every workload marker as kMarker.
enum class OpKind : uint8_t { kCreate, kMkdir, kWrite, kTruncate, kSync, kSyncDir, kRename, kRemove, kMarker };
std::string_view op_kind_name(OpKind kind);

struct TimelineOp {
  uint64_t index = 0;     // position in the trace
  OpKind kind = OpKind::kWrite;
  std::string file;       // its lane, one of Timeline::files; empty for a marker
  uint64_t offset = 0;    // writes: where; truncates: the new size
  uint64_t length = 0;    // writes
  Fate fate = Fate::kNotIssued;
  // Free text for the tooltip: the simulator's one-line description
  // ("commit-acked txn 17", "rename db.tmp -> db") and its note
  // ("sectors 0,1 of 8 on disk").
  std::string detail;
};

// The part of the trace around a crash point, for the report's picture.
struct Timeline {
  std::vector<std::string> files;  // one lane each, in this order
  std::vector<TimelineOp> ops;     // ascending index
  // The power went out just before entry `crash_point` was issued: entries
  // with a smaller index were issued, the others never were (trace.h).
  uint64_t crash_point = 0;
};

struct Violation {
  std::string state_id;   // rebuilds the crash state (crashsim/model/state_id.h)
  std::string invariant;
  std::string expected;   // what the invariant required
  std::string observed;   // what the recovered system showed
  std::string message;    // one sentence saying what went wrong; may be empty
  // Why it probably happened ("missing-sync", "logic-error", ...); may be empty.
  std::string cause;
  // Found under a power-loss model in a state a process crash cannot
  // produce: the defect is a missing or misplaced sync, not a logic error.
  bool power_loss_only = false;
  std::string replay;     // shell command that rebuilds and rechecks this state
  std::optional<Timeline> timeline;
};

// `corrupt` cases: what became of the media faults drawn in one kind of
// region (crashsim::FaultTally). Each checked fault is counted once, in the
// first of: silent, caught_by_verify, refused, misreported, tail_dropped,
// recovered, harmless.
struct FaultCounts {
  uint64_t drawn = 0;         // crash states generated with a fault there (duplicates included)
  uint64_t refused = 0;       // the system reported corruption
  uint64_t recovered = 0;     // no error, exactly the allowed state; the damaged bytes were read
  uint64_t harmless = 0;      // no error, exactly the allowed state; the damaged bytes never read
  uint64_t tail_dropped = 0;  // no error, the last commit dropped because the fault hit its bytes
  uint64_t caught_by_verify = 0;  // a stale image: reads answered wrong, verify() then refused
  uint64_t silent = 0;        // no error, a state not allowed (silent-loss, silent-corruption)
  uint64_t misreported = 0;   // an error other than corruption, and no refusal
  friend bool operator==(const FaultCounts&, const FaultCounts&) = default;
};

// A case: one persistence model's run of one scenario, or one of the
// model-independent checks of a scenario ("workload": wrong reads while the
// workload ran; "at-risk": acknowledged commits resting on unsynced data).
struct ModelResult {
  std::string model;
  uint64_t crash_points = 0;        // points the model was applied at
  // Crash states the model allows at those points. A count of choices that
  // can be astronomically large under reorder and torn, hence a double.
  double states_total = 0;
  uint64_t states_generated = 0;    // enumerated, or sampled when over the bound
  bool sampled = false;             // some crash point had to be sampled
  uint64_t states_checked = 0;      // distinct images reopened and checked
  uint64_t duplicates_skipped = 0;  // identical to a state already checked
  // Nested crash states (inside recovery, and after the new commits the
  // recovered store takes), every depth together, then per depth ([d - 1]),
  // and how many of them crashed after the new writes.
  uint64_t recovery_states_checked = 0;
  std::vector<uint64_t> nested_checked_by_depth;
  uint64_t nested_after_new_writes = 0;
  double seconds = 0;
  // Of the checks' time, summed over workers (it can exceed `seconds` with
  // more than one job): judging visible states against the oracle, and the
  // system's verify().
  double oracle_seconds = 0;
  double verify_seconds = 0;
  // Recovery path name (engine RecoveryInfo fields) -> checked states that took it.
  std::map<std::string, uint64_t> recovery_paths;
  // `corrupt` only: region kind ("wal-header", "data-leaf", "uniform" when
  // the system describes no regions) -> what became of its faults.
  std::map<std::string, FaultCounts> fault_regions;
  // Violations found per invariant; `violations` may hold only some of them.
  std::map<std::string, uint64_t> violation_counts;
  std::vector<Violation> violations;
  // Why the case could not run to the end ("" when it did).
  std::string error;
};

// One acknowledged commit that depended on something not yet durable.
struct AtRisk {
  uint64_t txn = 0;
  uint64_t ack_index = 0;  // trace position of the acknowledgement
  struct Item {
    uint64_t op_index = 0;
    std::string path;
    std::string what;  // "4096 bytes at offset 8192 not synced"
  };
  std::vector<Item> items;
};

struct Expectation {
  bool violation = false;  // false: expects a pass
  std::string invariant;   // when `violation`
  // A model case that checked no crash state passes only with this set.
  bool allow_no_states = false;
};

struct ScenarioResult {
  std::string name;
  std::string description;
  std::string file;    // catalog file the scenario came from
  uint64_t index = 0;  // its position in that file's "scenarios" array
  std::vector<std::string> tags;
  std::string system;  // the system under test by its name: "engine", "sqlite[wal,full]" (SystemUnderTest::name())
  std::string mutant = "none";
  // How many times the mutant's defective branch ran; nullopt for the clean
  // engine (or when the system cannot tell). 0 fails the scenario: see kMutantCheck.
  std::optional<uint64_t> mutant_fired;
  Expectation expect;
  // Set when the workload itself could not run; nothing below is then valid.
  std::string error;
  uint64_t trace_ops = 0;  // entries in the recorded trace
  uint64_t commits = 0;    // commit calls
  uint64_t acked = 0;      // acknowledged commits
  std::vector<AtRisk> at_risk;
  std::vector<ModelResult> checks;  // model-independent checks with findings
  std::vector<ModelResult> models;  // one per persistence model run
};

struct RunInfo {
  std::string tool = "crashsim";
  std::string tool_version;
  std::string started;  // ISO 8601, UTC ("2024-05-01T10:00:00Z")
  double duration_seconds = 0;
  uint32_t jobs = 1;
  // The shards this report covers, each "I/N" (1-based); empty for an
  // unsharded run. A merged report lists every shard merged into it.
  std::vector<std::string> shards;
  std::vector<std::string> catalog_files;
  std::string catalog_digest;  // identifies the catalog contents; shards must agree
  std::string command;         // the command line of the run, for the record
};

struct Report {
  RunInfo run;
  std::vector<ScenarioResult> scenarios;
  // What `crashsim mutants` found (reports/kill_matrix.h); its reports hold no scenarios.
  std::optional<KillMatrix> kill_matrix;
};

// --- Verdicts: the one place that decides whether an expectation held. ---

// How one case ended. Each model listed for a scenario is a separate claim:
//   kPass      expected to pass, ran to the end and found no violation;
//   kCaught    expected a violation of X (a mutant's defect) and found at
//              least one: the harness caught it (violations of other
//              invariants are reported but do not change this: one defect
//              often breaks several promises);
//   kDeferred  expected a violation of X and found none, in a report that
//              covers only some shards of its run (is_partial): X may lie in
//              the crash states of another shard, so only the merged report
//              decides; it does not fail the shard (nor does a case of a
//              partial report that checked no crash state: its shard's part
//              of the case is empty);
//   kFail      anything else: a violation where none was expected, an
//              expected one missed by a whole run, a case that did not run to
//              the end, or one that checked no crash state at all (it proved
//              nothing) in a scenario that does not say allow_no_states.
enum class Verdict : uint8_t { kPass, kCaught, kDeferred, kFail };
// "PASS", "CAUGHT", "DEFERRED", "FAIL".
std::string_view verdict_label(Verdict verdict);

// Whether a report covers only some of its run's shards: one shard's report,
// or a merge of some of them (merge --allow-partial).
bool is_partial(const RunInfo& run);
// The shards ("I/N") of the run that a partial report lacks, in order, the
// first `limit` of them.
std::vector<std::string> missing_shards(const RunInfo& run, size_t limit = 16);

// A persistence-model case; `partial` as is_partial(report.run).
Verdict case_verdict(const Expectation& expect, const ModelResult& result, bool partial = false);
// A model-independent check: it ran and, unless the scenario expects a
// violation, found nothing. Under a mutant its findings are supporting
// evidence (kCaught), never a claim of its own. Every shard repeats it, so a
// partial report judges it as a whole one does.
Verdict check_verdict(const Expectation& expect, const ModelResult& check);
// Invariants judged on the recorded run, never in a crash state (a read
// during the workload, a read through a snapshot): crashsim/check/invariants.h.
inline constexpr std::string_view kWorkloadReadInvariant = "workload-read";
inline constexpr std::string_view kSnapshotIsolationInvariant = "snapshot-isolation";
// Whether the scenario expects a violation of one of them: then no model case
// can find it, and the recorded run's check must.
bool judged_on_recorded_run(const Expectation& expect);
// A case or a check of `s`. A model case of a scenario judged on the recorded
// run is judged as a clean scenario's (no violation, some state checked), and
// is kCaught only when one of s.checks found the expected invariant.
Verdict case_or_check_verdict(const ScenarioResult& s, const ModelResult& result, bool is_check,
                              bool partial = false);
// Anything but kFail.
bool case_passed(const Expectation& expect, const ModelResult& result, bool partial = false);
// No crash state checked, at the top level or inside recovery.
bool checked_no_state(const ModelResult& result);
// The check that reports a planted defect that never ran (invariant
// "mutant-not-reached"): the one check that is a claim of its own. Whatever
// the scenario expects, it fails when it found anything: a violation
// credited to a defect that never ran proves nothing.
inline constexpr std::string_view kMutantCheck = "mutant";
bool check_passed(const Expectation& expect, const ModelResult& check);
// The workload ran, at least one model ran, and no case or check failed.
bool scenario_passed(const ScenarioResult& scenario, bool partial = false);

// "pass" or "violation of durability".
std::string describe_expectation(const Expectation& expect);
// "no violations", "no crash state checked", "durability ×3, leak ×1" or
// "error: ...", the expected invariant first.
std::string describe_findings(const ModelResult& result, const Expectation& expect = {});
uint64_t total_violations(const ModelResult& result);

// A case's recorded violations in the order every rendering shows them: the
// first one of each invariant found, the expected invariant's first, then the
// others' by name; then the rest in recorded (crash-point) order. At most
// `limit`. So the FAIL line, the JUnit message, summary.md and the HTML all
// lead with the violation the scenario is about, and show every kind found.
std::vector<const Violation*> showing_order(const ModelResult& result, const Expectation& expect,
                                            size_t limit = SIZE_MAX);

// Calls `f(scenario, case, is_check)` for every check, then every model case.
template <class F>
void for_each_case(const ScenarioResult& s, F&& f) {
  for (const ModelResult& c : s.checks) f(c, true);
  for (const ModelResult& m : s.models) f(m, false);
}
bool case_or_check_passed(const ScenarioResult& s, const ModelResult& result, bool is_check, bool partial = false);

// Every scenario passed and, with a kill matrix, every mutant was killed.
bool report_passed(const Report& report);

struct Totals {
  uint64_t scenarios = 0, scenarios_passed = 0;
  // Checks included; a scenario whose workload could not run is one failed
  // case. Deferred cases (a partial report) count as passed.
  uint64_t cases = 0, cases_passed = 0, cases_deferred = 0;
  uint64_t states_checked = 0;
  uint64_t nested_states_checked = 0;  // besides states_checked
  uint64_t violations = 0;
  double seconds = 0;  // summed over cases (effort, not wall time)
};
// Verdicts as is_partial(report.run) makes them.
Totals compute_totals(const Report& report);

// --- The document. ---

nlohmann::json report_to_json(const Report& report);
// kInvalidArgument listing every problem as "SOURCE (POINTER): message".
vfs::Result<Report> report_from_json(const nlohmann::json& doc, std::string_view source = "report");

}  // namespace reports
