// The crash simulator: record a workload once, then check every crash state
// the chosen persistence models allow.
//
//   Simulator sim(sut);
//   ScenarioResult r = sim.run({"churn", workload, options});
//
// run() expands the workload, records it through a RecordingVfs (trace +
// oracle), builds the at-risk report, then for each model: selects crash
// points, enumerates or samples the model's choices at each, builds each
// crash state from the trace (never rerunning the workload), skips states
// whose image and expectation were already checked, keeps at most
// `max_states` of the rest (and of those, its shard's), checks them on
// `jobs` threads, then the nested crash states of each (inside its recovery
// and after the new commits the recovered store takes, to `nesting.depth`),
// and finally compares power-loss violations with a process crash at the
// same point to tell a missing sync from a logic error.
// Results do not depend on `jobs`: every list is in a fixed order.
//
// Reproduction: build_state() rebuilds the exact bytes of a state from its id,
// replay() rechecks one state, write_state_to_directory() (image_io.h) puts it
// on a real disk.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "crashsim/check/checker.h"
#include "crashsim/check/continuation.h"
#include "crashsim/model/persistence_model.h"
#include "crashsim/model/timeline.h"
#include "crashsim/record/disk_image.h"
#include "crashsim/record/faults.h"
#include "crashsim/record/workload.h"
#include "crashsim/record/workload_runner.h"
#include "crashsim/results.h"
#include "crashsim/system_under_test.h"
#include "vfs/status.h"

namespace crashsim {

enum class PointSelection : uint8_t {
  kAll,          // every canonical crash point
  kAroundSyncs,  // just before and just after every sync and sync_dir, and the end
  kSample,       // a seeded sample of point_samples canonical points
};
std::string_view point_selection_name(PointSelection selection);
std::optional<PointSelection> point_selection_from_name(std::string_view name);

// One part of a run split across machines (crashsim run --shard I/N). The
// distinct crash states of each model are partitioned by a stable hash of
// their ids, after deduplication, so the shards of a run together check
// exactly the states the whole run checks. Crash states inside recovery go
// with their parent state.
struct Shard {
  uint32_t index = 0;  // 0-based, < count
  uint32_t count = 1;
  bool owns(std::string_view state_id) const;
  // Crash points are counted (Coverage::crash_points) by one shard each, so that counts add up.
  bool owns_point(uint64_t point) const;
};

// How far one model's run has got.
struct Progress {
  std::string model;
  // The first pass of a run with max_states or a shard: every state is built
  // and deduplicated, none checked yet; states_done/total count that pass.
  bool deduplicating = false;
  uint64_t states_done = 0;   // crash states of the workload's trace considered so far
  uint64_t states_total = 0;  // ... and in all, for this model (after max_states and sharding)
  uint64_t recovery_states_checked = 0;
  uint64_t violations = 0;  // found so far by this model
};

// Crashes after a recovery (docs/crash-models.md, "Nested crashes"). Each
// checked state of a non-corrupt model is opened through a RecordingVfs, and
// the store's whole run on it is recorded: its recovery, then the
// continuation (continuation.h: new commits, a checkpoint, a clean close).
// Every canonical point of that run is a nested crash state, checked with
// every choice its model has there, and deduplicated like any other.
struct NestingOptions {
  // 0: no nested state; 1: the store's run on each state of the workload's
  // trace; 2: also its run on each of those nested states; ... up to
  // kMaxNestingDepth.
  uint32_t depth = 1;
  // The models nested states are built under (never corrupt). Empty: the
  // parent's model, and lose-unsynced as well after a process crash (a
  // power loss during or after the recovery of a process crash).
  std::vector<ModelKind> models;
  // Nested states per parent state, at most (a seeded sample); 0: all.
  uint32_t states_per_state = 0;
};
inline constexpr uint32_t kMaxNestingDepth = 3;

struct SimulationOptions {
  std::vector<ModelConfig> models;  // run in this order
  PointSelection points = PointSelection::kAll;
  uint64_t point_samples = 256;
  uint64_t point_seed = 1;
  FsRules fs;
  unsigned jobs = 0;  // worker threads; 0: one per CPU
  // After the checks, the recovered store takes the continuation's commits
  // and must reopen with them (writable-after-recovery); without it, the
  // store's run ends at a clean close right after the checks.
  bool post_recovery_write = true;
  ContinuationOptions continuation;
  NestingOptions nesting;
  // Run process-crash at the crash points of power-loss violations.
  bool classify_causes = true;
  // Report each acknowledgement that rested on non-durable data (the at-risk
  // report) as a durability violation. Off for a system that promises no
  // durability on acknowledgement, or that leaves writes non-durable on
  // purpose where losing them is harmless: the report is still made, and
  // the models stay the judges.
  bool at_risk_check = true;
  // Trace entries shown on each side of the crash point in a violation.
  uint32_t context_ops = 6;
  // Crash states of the workload's trace checked per model, at most (0: no
  // bound; nested states are bounded by nesting.states_per_state).
  // When a model has more distinct states, the max_states whose ids rank
  // first under a stable hash are checked, so the sample is the same on
  // every run and every machine, and spread over the whole trace.
  uint64_t max_states = 0;
  // Stop at the first violation: a model's run ends after the batch of
  // states that found it, and no later model runs (nor any model, when the
  // recorded run itself broke an invariant). For asking only whether a
  // defect is caught at all (crashsim mutants); coverage then counts only
  // what was checked.
  bool stop_at_first_violation = false;
  Shard shard;
  // Resident memory the run may use, in bytes (0: no bound): past it the
  // scenario stops with an error instead of running the machine out of
  // memory (crashsim/memory_bound.h says when it is checked).
  uint64_t max_memory_bytes = 0;
  // Distinct chunks each model run's deduplication keeps to compare states
  // with; past it a state is rebuilt from its id when a later one matches
  // its hash (docs/crash-models.md, "Deduplication"). The default holds every
  // chunk the 5,000-commit workload of docs/benchmarks.md writes; the
  // verdicts do not depend on it, only the time.
  uint64_t dedup_budget_bytes = uint64_t{1} << 30;
  // Called after each batch of states, on the thread that called run() or check().
  std::function<void(const Progress&)> progress;
};

// Every model with its defaults, in the order process-crash, lose-unsynced,
// reorder, torn, corrupt, all seeded with `seed`.
std::vector<ModelConfig> all_models(uint64_t seed = 1);

// kInvalidArgument naming the first bad model or field.
vfs::Status validate(const SimulationOptions& options);

// One crash state rebuilt from its id (Simulator::view_state).
struct StateView {
  DiskImage image;
  ModelKind model = ModelKind::kLoseUnsynced;
  uint32_t depth = 0;         // nested crashes: segments of the id after the first
  bool after_new_writes = false;  // nested, and the crash came after the open returned
  uint64_t crash_point = 0;   // in the trace the id's last segment crashes in
  // What the state must show: the workload's acknowledgements at the
  // top-level crash point, or the continuation's (continuation.h).
  Expectation expect;
  std::vector<OpRecord> ops;  // ascending
};

struct Scenario {
  std::string name;
  WorkloadSpec workload;
  SimulationOptions options;
  // I/O errors injected while the workload is recorded (crashsim/record/faults.h);
  // what a failed sync does to pending writes is options.fs.after_failed_sync.
  std::vector<FaultSpec> faults;
};

// The crash points `options` selects in `trace`, ascending.
std::vector<uint64_t> select_points(const Trace& trace, const SimulationOptions& options);

class Simulator {
 public:
  explicit Simulator(SystemUnderTest& sut) : sut_(sut) {}

  // Expands, records and checks. A workload that cannot run sets `error`.
  ScenarioResult run(const Scenario& scenario) const;

  vfs::Result<Recording> record(const Scenario& scenario) const;
  ScenarioResult check(const std::string& scenario, const Recording& recording,
                       const SimulationOptions& options) const;

  // The exact crash state `state_id` names. A nested id rechecks its parent
  // state through a RecordingVfs to get the trace of the store's run on it.
  vfs::Result<DiskImage> build_state(const Recording& recording, const SimulationOptions& options,
                                     const std::string& state_id) const;
  // The state `state_id` names, with what became of the trace entries around
  // its crash point (`context` each side, and every earlier one lost). For a
  // nested crash, the entries are those of the trace it crashes in.
  vfs::Result<StateView> view_state(const Recording& recording, const SimulationOptions& options,
                                    const std::string& state_id, uint32_t context) const;
  // Checks that one state and returns its violations (cause classified as in check()).
  vfs::Result<std::vector<Violation>> replay(const std::string& scenario, const Recording& recording,
                                             const SimulationOptions& options, const std::string& state_id) const;

 private:
  SystemUnderTest& sut_;
};

}  // namespace crashsim
