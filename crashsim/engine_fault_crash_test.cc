// The real engine under the simulator with injected I/O errors: a failed WAL
// write or sync, a full disk and short writes during the recorded run, then
// every crash state on top. The clean engine keeps every promise; the
// retry-failed-fsync mutant is caught by error-discipline, and under the
// "drop" profile (ext4) by durability too, since the retried sync never
// wrote the pages the failed one lost.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "crashsim/check/invariants.h"
#include "crashsim/engine_adapter.h"
#include "crashsim/simulator.h"
#include "crashsim/test_util.h"

namespace crashsim {
namespace {

engine::Options engine_options(engine::Mutant mutant = engine::Mutant::kNone) {
  engine::Options o;
  o.page_size = 512;
  o.checkpoint_every_commits = 6;
  o.mutant = mutant;
  return o;
}

std::vector<ModelConfig> models() {
  return {{.kind = ModelKind::kProcessCrash},
          {.kind = ModelKind::kLoseUnsynced},
          {.kind = ModelKind::kReorder, .samples_per_point = 12},
          {.kind = ModelKind::kTorn, .samples_per_point = 12}};
}

// 30 small transactions with a reopen every 10 commits: a failed sync in
// one session is followed by a reopen, which runs recovery on what the
// failed session left.
Scenario scenario(std::string name, std::vector<FaultSpec> faults,
                  AfterFailedSync profile = AfterFailedSync::kDrop) {
  Scenario s;
  s.name = std::move(name);
  s.workload.generator = GeneratorSpec{.seed = 3, .transactions = 30, .max_ops_per_txn = 4, .key_space = 24,
                                       .max_value_size = 40, .reopen_every = 10};
  s.options.models = models();
  s.options.jobs = 2;
  s.options.nesting.states_per_state = 2;
  s.options.fs.after_failed_sync = profile;
  s.faults = std::move(faults);
  return s;
}


void expect_clean(const ScenarioResult& r) {
  ASSERT_TRUE(r.error.empty()) << r.error;
  for (const Violation& v : r.violations) ADD_FAILURE() << v.model << " " << v.state_id << " " << v.invariant << ": " << v.message;
  for (const ModelResult& m : r.models) {
    for (const Violation& v : m.violations) {
      ADD_FAILURE() << m.model << " " << v.state_id << " " << v.invariant << ": " << v.message << " expected "
                    << v.expected << " observed " << v.observed;
    }
    EXPECT_GT(m.coverage.states_checked, 0u) << m.model;
  }
}

// Some commit really failed: the scenario tested what it meant to.
void expect_commits_refused(const ScenarioResult& r) { EXPECT_LT(r.acked, r.commits) << r.scenario; }

TEST(EngineFaultCrashTest, AFailedWalWriteIsNeverAcknowledgedAndLosesNothing) {
  EngineSystem sut(engine_options());
  const ScenarioResult r = Simulator(sut).run(
      scenario("eio-on-wal-write", {{.point = fault_point::kWrite, .nth = 5, .err = EIO, .file = "db-wal"},
                                    {.point = fault_point::kWrite, .nth = 12, .err = EIO, .file = "db-wal",
                                     .partial = true}}));
  expect_clean(r);
  expect_commits_refused(r);
}

TEST(EngineFaultCrashTest, AFailedWalSyncFailsTheSessionAndLosesNothing) {
  for (AfterFailedSync profile : {AfterFailedSync::kDrop, AfterFailedSync::kKeep}) {
    SCOPED_TRACE(std::string(after_failed_sync_name(profile)));
    EngineSystem sut(engine_options());
    const ScenarioResult r = Simulator(sut).run(
        scenario("eio-on-wal-sync", {{.point = fault_point::kSync, .nth = 4, .err = EIO, .file = "db-wal"}}, profile));
    expect_clean(r);
    expect_commits_refused(r);
  }
}

TEST(EngineFaultCrashTest, AFullDiskFailsCommitsCleanlyUntilThereIsSpace) {
  EngineSystem sut(engine_options());
  const ScenarioResult r = Simulator(sut).run(scenario(
      "enospc", {{.point = fault_point::kWrite, .nth = 6, .times = 4, .err = ENOSPC},
                 {.point = fault_point::kWrite, .nth = 20, .err = ENOSPC, .file = "db-wal", .partial = true}}));
  expect_clean(r);
  expect_commits_refused(r);
}

TEST(EngineFaultCrashTest, ShortWritesLoseNothing) {
  EngineSystem sut(engine_options());
  const ScenarioResult r =
      Simulator(sut).run(scenario("short-writes", {{.point = fault_point::kShortWrite, .probability = 0.3, .seed = 7}}));
  expect_clean(r);
  EXPECT_EQ(r.acked, r.commits);
}

TEST(EngineFaultCrashTest, ADataFileSyncFailingInACheckpointLosesNothing) {
  EngineSystem sut(engine_options());
  const ScenarioResult r =
      Simulator(sut).run(scenario("eio-on-data-sync", {{.point = fault_point::kSync, .nth = 2, .err = EIO, .file = "db"}}));
  expect_clean(r);
}

TEST(EngineFaultCrashTest, TheRetryFailedFsyncMutantIsCaught) {
  if (!engine::kMutantsCompiled) GTEST_SKIP() << "built without mutants";
  EngineSystem sut(engine_options(engine::Mutant::kRetryFailedFsync));
  const std::vector<FaultSpec> faults = {{.point = fault_point::kSync, .nth = 4, .err = EIO, .file = "db-wal"}};
  const ScenarioResult dropped = Simulator(sut).run(scenario("retry-failed-fsync", faults, AfterFailedSync::kDrop));
  ASSERT_TRUE(dropped.error.empty()) << dropped.error;
  const std::set<std::string> found = testing::invariants_of(dropped);
  EXPECT_TRUE(found.contains(std::string(invariant::kErrorDiscipline)));
  // ext4 dropped the frames; the retried sync wrote nothing; the
  // acknowledged transaction is gone after a power loss.
  EXPECT_TRUE(found.contains(std::string(invariant::kDurability)));

  // Where the file system keeps the pages and retries, the retry does write
  // them: only the discipline is broken.
  const ScenarioResult kept = Simulator(sut).run(scenario("retry-failed-fsync", faults, AfterFailedSync::kKeep));
  ASSERT_TRUE(kept.error.empty()) << kept.error;
  EXPECT_EQ(testing::invariants_of(kept), std::set<std::string>{std::string(invariant::kErrorDiscipline)});
}

}  // namespace
}  // namespace crashsim
