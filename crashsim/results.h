// What a simulation produced, as plain data for report renderers.
//
// Nothing here refers to the simulator's internals: a renderer needs only
// this header (and may print every string as is). Every violation carries the
// state id that rebuilds its crash state (Simulator::build_state), the stable
// invariant name, what was expected and what was observed, and the trace
// entries around the crash point with what became of each.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crashsim {

// What became of one trace entry in one crash state.
enum class OpFate : uint8_t {
  kPersisted,  // issued before the crash and on disk in this state
  kDropped,    // issued before the crash and lost
  kTorn,       // issued before the crash; only some of its sectors are on disk
  kBarrier,    // a sync or sync_dir: makes others durable, has no contents of its own
  kMarker,     // a workload marker (commit acknowledged, ...), not a file-system call
  kNotIssued,  // at or after the crash point
};
std::string_view op_fate_name(OpFate fate);

struct OpRecord {
  uint64_t index = 0;  // position in the trace
  std::string op;      // "write db-wal @8192 +4096"
  OpFate fate = OpFate::kNotIssued;
  std::string note;    // e.g. "sectors 0,1 of 8 on disk", "its directory entry is not durable"
  // The entry's parts, for drawing it: its kind ("write", "sync-dir",
  // "commit-acked": the trace's op names), the file or directory it acts on
  // (empty for a marker), and for a write its offset and length (for a
  // truncate, offset is the new size).
  std::string kind;
  std::string path;
  uint64_t offset = 0;
  uint64_t length = 0;
};

// Why a violation probably happened, from comparing power loss with a process crash.
enum class Cause : uint8_t {
  kLogicError,   // the invariant also fails when only the process dies (nothing lost): a logic error
  kMissingSync,  // it fails only when unsynced data is lost: a missing or misplaced sync
  kMediaFault,   // `corrupt` model: the system returned damaged data as good
  kUnknown,
};
std::string_view cause_name(Cause cause);

struct Violation {
  std::string scenario;
  // The persistence model; "at-risk" for the acknowledgement check,
  // "workload" for a wrong read while the workload ran (no crash state) and
  // "mutant" for a planted defect that never ran (mutant-not-reached).
  std::string model;
  std::string state_id;  // rebuilds the crash state; see docs/crash-models.md
  uint64_t crash_point = 0;
  std::string invariant;  // stable name, see crashsim/check/invariants.h
  std::string expected;   // e.g. key "k0007" = "t12.3:abc" (from transaction 12)
  std::string observed;   // e.g. key "k0007" absent
  std::string message;    // one sentence saying what went wrong
  // The keys whose values show it (Finding::keys): a reader looks them up in
  // the crash state to see the violation for themselves.
  std::vector<std::string> keys;
  Cause cause = Cause::kUnknown;
  std::string cause_note;
  // The entries around the crash point, plus every earlier one that was
  // dropped or torn, ascending.
  std::vector<OpRecord> ops;
};

// Nested crash states at one depth (docs/crash-models.md, "Nested crashes").
struct NestedCoverage {
  uint64_t generated = 0;
  uint64_t checked = 0;  // distinct (image, expectation, oracle) checks
  uint64_t duplicates_skipped = 0;
  // Of `checked`: the crash came after recovery returned, while the store
  // took the continuation's new commits, checkpoint or close.
  uint64_t after_new_writes = 0;
};

// `corrupt` only: what became of the media faults of one kind of region (or
// of all of them). `drawn` counts the crash states generated (duplicates
// included); each distinct state checked lands in exactly one other count.
struct FaultTally {
  uint64_t drawn = 0;
  uint64_t refused = 0;       // the system reported corruption (open, scan, get, verify)
  uint64_t recovered = 0;     // no error, exactly the allowed state, the damaged bytes were read
  uint64_t harmless = 0;      // no error, exactly the allowed state, the damaged bytes never read
  uint64_t tail_dropped = 0;  // no error, the last acknowledged commit dropped (the one exception)
  // A stale image (lost or misdirected write): reads answered a state not
  // allowed, then verify() refused.
  uint64_t caught_by_verify = 0;
  uint64_t silent = 0;        // no error and a state not allowed: silent-loss or silent-corruption
  uint64_t misreported = 0;   // an error other than corruption, and no refusal
  uint64_t checked() const {
    return refused + recovered + harmless + tail_dropped + caught_by_verify + silent + misreported;
  }
  friend bool operator==(const FaultTally&, const FaultTally&) = default;
};

struct Coverage {
  uint64_t crash_points = 0;  // crash points the model was applied at
  // States the model allows at those points: choices, before deduplication.
  // May be astronomically large under reorder and torn, hence a double.
  double states_allowed = 0;
  uint64_t states_generated = 0;  // enumerated, or sampled when over the bound
  bool sampled = false;           // some crash point had more states than the bound
  uint64_t states_checked = 0;    // distinct images (with distinct expectations) checked
  uint64_t duplicates_skipped = 0;
  // Nested crash states (inside recovery, and after the new commits that
  // follow it), every depth together, and per depth: nested[d - 1].
  uint64_t recovery_states_generated = 0;
  uint64_t recovery_states_checked = 0;
  uint64_t recovery_duplicates_skipped = 0;
  std::vector<NestedCoverage> nested;
  // Recovery path name -> checked states whose recovery took it.
  std::map<std::string, uint64_t> recovery_paths;
  // `corrupt` only: every fault, and the faults by the kind of region they
  // were drawn in (FileRegion::kind; "uniform" when the system under test
  // describes no regions).
  FaultTally faults;
  std::map<std::string, FaultTally> fault_regions;
  // Of the checks' time (every worker's, summed: with --jobs above 1 it can
  // exceed the model's wall time), what judging the visible states against
  // the oracle took, and what the system's verify() took.
  double oracle_seconds = 0;
  double verify_seconds = 0;
};

struct ModelResult {
  std::string model;
  Coverage coverage;
  std::vector<Violation> violations;  // sorted by state id
  double seconds = 0;                 // wall time for this model
  double states_per_second = 0;       // (states + recovery states generated) / seconds
};

// A durable-before-acknowledgement check: what an acknowledged commit
// depended on that was not yet durable when it was acknowledged.
struct AtRiskItem {
  uint64_t op_index = 0;  // the write, truncate or namespace change at risk
  std::string path;
  std::string what;  // "4096 bytes at offset 8192 not synced", "directory entry not synced (sync_dir .)"
};
struct AtRiskReport {
  uint64_t txn = 0;
  uint64_t ack_index = 0;  // trace position of the acknowledgement
  std::vector<AtRiskItem> items;
};

struct ScenarioResult {
  std::string scenario;
  std::string system;  // SystemUnderTest::name()
  std::string error;   // set when the workload itself could not run; nothing else is then valid
  uint64_t trace_ops = 0;
  uint64_t commits = 0;  // commit calls
  uint64_t acked = 0;    // acknowledged commits
  // Runs of the system's planted defect while the workload was recorded and
  // its crash states checked; nullopt when none is planted.
  std::optional<uint64_t> defect_fired;
  std::vector<AtRiskReport> at_risk;   // only acknowledgements with something at risk
  std::vector<Violation> violations;   // at-risk, workload and mutant findings
  std::vector<ModelResult> models;

  uint64_t violation_count() const {
    uint64_t n = violations.size();
    for (const ModelResult& m : models) n += m.violations.size();
    return n;
  }
  bool passed() const { return error.empty() && violation_count() == 0; }
};

}  // namespace crashsim
