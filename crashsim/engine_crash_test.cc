// The real engine under the simulator: clean, it shows no violation over
// thousands of crash states per model; with a sync removed (a mutant), the
// simulator finds the durability violation and blames the missing sync.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "crashsim/check/image_io.h"
#include "crashsim/check/invariants.h"
#include "crashsim/engine_adapter.h"
#include "crashsim/simulator.h"
#include "vfs/posix_vfs.h"

namespace crashsim {
namespace {

engine::Options engine_options(engine::Mutant mutant = engine::Mutant::kNone) {
  engine::Options o;
  o.page_size = 4096;
  o.checkpoint_every_commits = 8;  // several checkpoints, hence data-file writes, per run
  o.mutant = mutant;
  return o;
}

// Small transactions over 48 keys, a checkpoint every 8 commits and a reopen
// every 25: commits, checkpoints, recovery and clean closes all get crashed in.
// Each clean run below checks at least 2000 distinct crash states.
Scenario churn(ModelConfig model, uint32_t transactions, uint32_t nested_per_state = 8) {
  Scenario s;
  s.name = "engine-churn";
  s.workload.generator = GeneratorSpec{.seed = 11, .transactions = transactions, .max_ops_per_txn = 5,
                                       .key_space = 48, .max_value_size = 48, .reopen_every = 25};
  s.options.models = {model};
  s.options.jobs = 2;
  s.options.nesting.states_per_state = nested_per_state;
  return s;
}

// Distinct crash states reopened and judged, at the top level and inside recovery.
uint64_t checked_of(const ModelResult& m) { return m.coverage.states_checked + m.coverage.recovery_states_checked; }

void expect_clean(const ScenarioResult& r, uint64_t min_checked) {
  ASSERT_TRUE(r.error.empty()) << r.error;
  for (const Violation& v : r.violations) ADD_FAILURE() << v.model << " " << v.state_id << " " << v.invariant << ": " << v.message;
  ASSERT_EQ(r.models.size(), 1u);
  const ModelResult& m = r.models[0];
  for (const Violation& v : m.violations) {
    ADD_FAILURE() << m.model << " " << v.state_id << " " << v.invariant << ": " << v.message << " expected "
                  << v.expected << " observed " << v.observed;
  }
  EXPECT_GE(checked_of(m), min_checked) << m.model;
}

// Every crash point, and a seeded sample of 8 nested states of each (crashes
// inside its recovery and after the new commits that follow it).
TEST(EngineCrashTest, ProcessCrashIsClean) {
  EngineSystem sut(engine_options());
  expect_clean(Simulator(sut).run(churn({.kind = ModelKind::kProcessCrash}, 400)), 2000);
}

TEST(EngineCrashTest, LoseUnsyncedIsClean) {
  EngineSystem sut(engine_options());
  const ScenarioResult r = Simulator(sut).run(churn({.kind = ModelKind::kLoseUnsynced}, 700));
  expect_clean(r, 2000);
  EXPECT_TRUE(r.at_risk.empty());
}

TEST(EngineCrashTest, ReorderIsClean) {
  EngineSystem sut(engine_options());
  expect_clean(Simulator(sut).run(churn({.kind = ModelKind::kReorder, .samples_per_point = 16}, 400)), 2000);
}

TEST(EngineCrashTest, TornIsClean) {
  EngineSystem sut(engine_options());
  expect_clean(Simulator(sut).run(churn({.kind = ModelKind::kTorn, .samples_per_point = 16}, 60)), 2000);
}

// Under media faults aimed at every region of both files, every fault is
// refused or recovered from exactly (or hit dead bytes, or dropped only the
// last commit that it damaged): never silent.
TEST(EngineCrashTest, CorruptIsRefusedOrRecoveredNeverSilent) {
  EngineSystem sut(engine_options());
  const ScenarioResult r =
      Simulator(sut).run(churn({.kind = ModelKind::kCorrupt, .corrupt_points = 60, .faults_per_point = 50}, 100));
  expect_clean(r, 2000);
  const Coverage& c = r.models[0].coverage;
  EXPECT_EQ(c.faults.checked(), c.states_checked);
  EXPECT_EQ(c.faults.silent + c.faults.misreported, 0u);
  EXPECT_GT(c.faults.refused, 0u);
  EXPECT_GT(c.faults.recovered, 0u);
  for (const char* kind : {"wal-header", "wal-commit-frame", "wal-frame-trailer", "wal-page-leaf", "data-meta",
                           "data-leaf"}) {
    EXPECT_TRUE(c.fault_regions.contains(kind)) << kind;
  }
}

// The regions the corrupt model aims at: at every crash point they tile both
// files exactly (no gap, no overlap), and over a run every part of the format
// the run writes shows up under its own kind.
TEST(EngineCrashTest, RegionsTileBothFilesAndNameEveryPart) {
  EngineSystem sut(engine_options());
  const Scenario s = churn({.kind = ModelKind::kLoseUnsynced}, 30);
  const Simulator sim(sut);
  auto recording = sim.record(s);
  ASSERT_TRUE(recording.ok()) << recording.status().to_string();
  std::set<std::string> kinds;
  for (uint64_t p : recording->trace.canonical_points()) {
    auto image = sim.build_state(*recording, s.options, std::to_string(p) + ":lose-unsynced");
    ASSERT_TRUE(image.ok()) << image.status().to_string();
    std::map<std::string, uint64_t> covered;  // path -> end of the last region
    for (const FileRegion& r : sut.describe_regions(*image)) {
      ASSERT_TRUE(image->files.contains(r.path)) << r.path;
      EXPECT_EQ(r.offset, covered[r.path]) << "point " << p << ": " << r.kind << " in " << r.path;
      EXPECT_GT(r.length, 0u);
      covered[r.path] = r.offset + r.length;
      kinds.insert(r.kind);
    }
    for (const auto& [path, bytes] : image->files) EXPECT_EQ(covered[path], bytes.size()) << "point " << p << ": " << path;
  }
  for (const char* kind : {"wal-header", "wal-commit-frame", "wal-frame-trailer", "wal-page-leaf", "wal-stale-frame",
                           "wal-empty-slot", "data-meta", "data-leaf"}) {
    EXPECT_TRUE(kinds.contains(kind)) << kind;
  }
  for (const std::string& kind : kinds) EXPECT_EQ(kind.find("unknown"), std::string::npos) << kind;
}

// Data-file pages written by a checkpoint are never synced, yet the WAL is
// reset: the at-risk report names the unsynced data-file write at the next
// acknowledgement, and every crash state that loses it fails, under power
// loss only.
TEST(EngineCrashTest, NoDataFsyncIsCaughtAsAMissingSync) {
  EngineSystem sut(engine_options(engine::Mutant::kNoDataFsync));
  Scenario s = churn({.kind = ModelKind::kLoseUnsynced}, 30);
  const ScenarioResult r = Simulator(sut).run(s);
  ASSERT_TRUE(r.error.empty()) << r.error;
  ASSERT_FALSE(r.at_risk.empty());
  const AtRiskItem& first = r.at_risk.front().items.front();
  EXPECT_EQ(first.path, "db");
  EXPECT_NE(first.what.find("not synced"), std::string::npos) << first.what;
  bool durability = false;
  for (const Violation& v : r.violations) durability = durability || v.invariant == "durability";
  EXPECT_TRUE(durability);
  const ModelResult& m = r.models[0];
  ASSERT_FALSE(m.violations.empty());
  for (const Violation& v : m.violations) {
    EXPECT_EQ(v.cause, Cause::kMissingSync) << v.state_id << " " << v.invariant;
    EXPECT_TRUE(std::any_of(v.ops.begin(), v.ops.end(), [](const OpRecord& op) {
      return op.fate == OpFate::kDropped && op.op.starts_with("write db @");
    })) << v.state_id << ": the lost data-file write is shown";
  }
}

// The planted defect's runs are counted: a workload that never reaches it
// fails as mutant-not-reached whatever else was found, one that does not.
TEST(EngineCrashTest, AMutantThatNeverFiresIsNotReached) {
  Scenario s = churn({.kind = ModelKind::kProcessCrash}, 20);
  s.workload.generator->reopen_every = 0;
  EngineSystem unreached(engine_options(engine::Mutant::kRetryFailedFsync));  // no sync ever fails here
  const ScenarioResult r = Simulator(unreached).run(s);
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.defect_fired, std::optional<uint64_t>(0));
  ASSERT_EQ(r.violations.size(), 1u);
  EXPECT_EQ(r.violations[0].model, "mutant");
  EXPECT_EQ(r.violations[0].invariant, invariant::kMutantNotReached);
  EXPECT_FALSE(r.passed());

  EngineSystem reached(engine_options(engine::Mutant::kNoDataFsync));  // every checkpoint runs it
  const ScenarioResult fired = Simulator(reached).run(s);
  ASSERT_TRUE(fired.defect_fired.has_value());
  EXPECT_GE(*fired.defect_fired, 2u) << "two checkpoints in the recorded run alone";
  for (const Violation& v : fired.violations) EXPECT_NE(v.invariant, invariant::kMutantNotReached);

  EngineSystem clean(engine_options());
  EXPECT_EQ(Simulator(clean).run(s).defect_fired, std::nullopt);
}

// Asking only whether a defect is caught: the run ends after the batch of
// states that found the first violation, and the next model never runs.
// A snapshot held across a commit and a checkpoint, read key by key and
// scanned, while the workload is recorded (no crash state needed).
std::vector<Step> snapshot_across_checkpoint() {
  return {{StepKind::kPut, "a", "old-a"}, {StepKind::kPut, "b", "old-b"}, {StepKind::kCommit, {}, {}},
          {StepKind::kSnapshot, {}, {}},  {StepKind::kPut, "a", "new-a"}, {StepKind::kDelete, "b", {}},
          {StepKind::kPut, "c", "new-c"}, {StepKind::kCommit, {}, {}},    {StepKind::kCheckpoint, {}, {}},
          {StepKind::kSnapshotGet, "a", {}, 0}, {StepKind::kSnapshotScan, {}, {}, 0}, {StepKind::kRelease, {}, {}, 0},
          {StepKind::kGet, "a", {}}};
}

TEST(EngineCrashTest, SnapshotsHeldAcrossACheckpointReadTheirCommit) {
  EngineSystem sut(engine_options());
  auto recording = record_workload(sut, snapshot_across_checkpoint(), "snapshots");
  ASSERT_TRUE(recording.ok()) << recording.status().to_string();
  EXPECT_TRUE(recording->workload_violations.empty()) << recording->workload_violations.front().message;
}

// Past Options::snapshot_memory_limit the checkpoint expires the snapshot
// rather than keep its pages: reads through it fail with kExpired, which the
// runner allows because the snapshot could pin more than the bound.
TEST(EngineCrashTest, AnExpiredSnapshotIsAllowedOnlyPastTheBound) {
  engine::Options options = engine_options();
  options.snapshot_memory_limit = 1;
  EngineSystem sut(options);
  auto recording = record_workload(sut, snapshot_across_checkpoint(), "snapshots");
  ASSERT_TRUE(recording.ok()) << recording.status().to_string();
  EXPECT_TRUE(recording->workload_violations.empty()) << recording->workload_violations.front().observed;
}

// checkpoint-overwrites-snapshot-pages: the checkpoint keeps no image for the
// snapshot, and reads through it see the data file's new pages.
TEST(EngineCrashTest, ACheckpointThatOverwritesASnapshotsPagesIsSnapshotIsolation) {
  if (!engine::kMutantsCompiled) GTEST_SKIP() << "mutants are compiled out";
  EngineSystem sut(engine_options(engine::Mutant::kCheckpointOverwritesSnapshotPages));
  auto recording = record_workload(sut, snapshot_across_checkpoint(), "snapshots");
  ASSERT_TRUE(recording.ok()) << recording.status().to_string();
  ASSERT_EQ(recording->workload_violations.size(), 2u);  // the get and the scan
  const Violation& get = recording->workload_violations[0];
  EXPECT_EQ(get.invariant, "snapshot-isolation");
  EXPECT_EQ(get.model, "workload");
  EXPECT_EQ(get.expected, describe_entry("a", "old-a"));
  EXPECT_EQ(get.observed, describe_entry("a", "new-a"));
  EXPECT_EQ(get.keys, std::vector<std::string>{"a"});
  EXPECT_NE(get.message.find("snapshot 0, taken after 1 commits"), std::string::npos) << get.message;
  EXPECT_EQ(recording->workload_violations[1].keys, std::vector<std::string>{"a"});
  EXPECT_GT(sut.defect_fired_count().value_or(0), 0u);
}

TEST(EngineCrashTest, StopAtFirstViolationChecksUpToOneBatchOfOneModel) {
  EngineSystem sut(engine_options(engine::Mutant::kReplayKeepsOldestImage));
  Scenario s = churn({.kind = ModelKind::kProcessCrash}, 150, 0);
  s.options.models.push_back({.kind = ModelKind::kLoseUnsynced});
  const ScenarioResult all = Simulator(sut).run(s);
  ASSERT_EQ(all.models.size(), 2u);
  ASSERT_FALSE(all.models[0].violations.empty());
  s.options.stop_at_first_violation = true;
  const ScenarioResult first = Simulator(sut).run(s);
  ASSERT_EQ(first.models.size(), 1u);
  EXPECT_FALSE(first.models[0].violations.empty());
  EXPECT_LT(first.models[0].coverage.states_checked, all.models[0].coverage.states_checked);
}

// What an engineer does with a failure: rebuild the state from its id, write
// it to a real directory, and open it there with the engine.
TEST(EngineCrashTest, AFailingStateOpensTheSameWayFromARealDirectory) {
  EngineSystem sut(engine_options(engine::Mutant::kNoDataFsync));
  const Scenario s = churn({.kind = ModelKind::kLoseUnsynced}, 30);
  const Simulator sim(sut);
  auto recording = sim.record(s);
  ASSERT_TRUE(recording.ok());
  const ScenarioResult r = sim.check(s.name, *recording, s.options);
  const Violation* failed_open = nullptr;
  for (const Violation& v : r.models[0].violations) {
    if (v.invariant == "recovery" && failed_open == nullptr) failed_open = &v;
  }
  ASSERT_NE(failed_open, nullptr);
  auto image = sim.build_state(*recording, s.options, failed_open->state_id);
  ASSERT_TRUE(image.ok()) << image.status().to_string();

  std::string tmpl = ::testing::TempDir() + "crashsim_engine_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  ASSERT_TRUE(write_state_to_directory(*image, tmpl).ok());
  auto db = engine::Db::open(vfs::default_vfs(), tmpl + "/db", engine_options());
  ASSERT_FALSE(db.ok());
  // Same error code (the message names the real path instead of "db").
  const std::string code(vfs::status_code_name(db.status().code()));
  EXPECT_EQ(failed_open->observed.substr(0, failed_open->observed.find(':')), code) << db.status().to_string();
  std::filesystem::remove_all(tmpl);
}

}  // namespace
}  // namespace crashsim
