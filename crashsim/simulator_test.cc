// The simulator, end to end, against the LogSystem test double: a correct
// store shows no violation under any model, and each deliberately removed
// piece of its durability argument shows up as the violation it should.
#include "crashsim/simulator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "crashsim/check/image_io.h"
#include "crashsim/check/invariants.h"
#include "crashsim/record/trace_io.h"
#include "crashsim/test_log_system.h"
#include "crashsim/test_util.h"
#include "vfs/posix_vfs.h"

namespace crashsim {
namespace {

using testing::LogOptions;
using testing::LogSystem;

Scenario small_scenario(std::vector<ModelConfig> models, uint32_t transactions = 12) {
  Scenario s;
  s.name = "log-churn";
  s.workload.generator = GeneratorSpec{.seed = 5, .transactions = transactions, .key_space = 16};
  s.options.models = std::move(models);
  s.options.jobs = 2;
  return s;
}

ModelConfig model(ModelKind kind) {
  return ModelConfig{.kind = kind, .samples_per_point = 24, .sector_size = 64, .seed = 9};
}

std::vector<ModelConfig> every_crash_model() {
  std::vector<ModelConfig> out;
  for (ModelKind k : {ModelKind::kProcessCrash, ModelKind::kLoseUnsynced, ModelKind::kReorder, ModelKind::kTorn}) {
    out.push_back(model(k));
  }
  return out;
}

const ModelResult& result_of(const ScenarioResult& r, ModelKind kind) {
  for (const ModelResult& m : r.models) {
    if (m.model == model_name(kind)) return m;
  }
  ADD_FAILURE() << "no result for " << model_name(kind);
  static const ModelResult none;
  return none;
}

std::set<std::string> invariants_of(const std::vector<Violation>& vs) {
  std::set<std::string> out;
  for (const Violation& v : vs) out.insert(v.invariant);
  return out;
}

TEST(SimulatorTest, ACorrectStoreShowsNoViolationUnderAnyCrashModel) {
  LogSystem log;
  const ScenarioResult r = Simulator(log).run(small_scenario(every_crash_model()));
  ASSERT_TRUE(r.error.empty()) << r.error;
  for (const ModelResult& m : r.models) {
    for (const Violation& v : m.violations) ADD_FAILURE() << m.model << " " << v.state_id << " " << v.invariant << ": " << v.message;
    EXPECT_GT(m.coverage.states_checked, 0u) << m.model;
    EXPECT_EQ(m.coverage.states_checked + m.coverage.duplicates_skipped, m.coverage.states_generated) << m.model;
  }
  EXPECT_TRUE(r.at_risk.empty());
  EXPECT_TRUE(r.passed());
  EXPECT_EQ(r.acked, 12u);
  // Torn writes were cut off by recovery, and recovery's own writes were crashed in.
  const Coverage& torn = result_of(r, ModelKind::kTorn).coverage;
  EXPECT_GT(torn.recovery_paths.count("torn-tail-discarded") ? torn.recovery_paths.at("torn-tail-discarded") : 0, 0u);
  EXPECT_GT(torn.recovery_states_checked, 0u);
  // Under lose-unsynced, the states between a write and its sync repeat the previous one.
  EXPECT_GT(result_of(r, ModelKind::kLoseUnsynced).coverage.duplicates_skipped, 0u);
}

// The log store ends its log at the first damaged record, as SQLite's WAL
// does: a fault in the last record drops that commit alone (allowed, counted
// apart); a fault in an earlier one silently loses every later acknowledged
// commit. Under the old rule ("any prefix is fine under a media fault") this
// store passed.
TEST(SimulatorTest, CuttingTheLogAtAnEarlierDamagedRecordIsSilentLoss) {
  LogSystem log(LogOptions{.describe_records = true});
  ModelConfig corrupt = model(ModelKind::kCorrupt);
  corrupt.corrupt_points = 6;
  const ScenarioResult r = Simulator(log).run(small_scenario({corrupt}));
  ASSERT_TRUE(r.error.empty()) << r.error;
  const ModelResult& m = result_of(r, ModelKind::kCorrupt);
  EXPECT_TRUE(invariants_of(m.violations).contains("silent-loss"));
  for (const Violation& v : m.violations) {
    EXPECT_EQ(v.cause, Cause::kMediaFault) << v.state_id;
    EXPECT_THAT(v.state_id, ::testing::HasSubstr(":log-record-")) << "the fault's region is in its id";
  }
  const FaultTally& all = m.coverage.faults;
  EXPECT_EQ(all.checked(), m.coverage.states_checked);
  EXPECT_EQ(all.drawn, m.coverage.states_generated);
  EXPECT_GT(all.tail_dropped, 0u);
  EXPECT_GT(all.silent, 0u);
  EXPECT_EQ(all.refused, 0u) << "this store never refuses";
  EXPECT_EQ(all.harmless, 0u) << "this store reads every byte of its log";
  // Every kind of region got every kind of fault, and the rows add up.
  ASSERT_EQ(m.coverage.fault_regions.size(), 2u);
  FaultTally sum;
  for (const auto& [kind, t] : m.coverage.fault_regions) {
    EXPECT_GE(t.drawn, static_cast<uint64_t>(kFaultKinds) * corrupt.corrupt_points) << kind;
    sum.drawn += t.drawn;
    sum.silent += t.silent;
    sum.tail_dropped += t.tail_dropped;
  }
  EXPECT_EQ(sum.drawn, all.drawn);
  EXPECT_EQ(sum.silent, all.silent);
  EXPECT_EQ(sum.tail_dropped, all.tail_dropped);
  // Replaying a silent-loss state gives the same violation.
  auto recording = Simulator(log).record(small_scenario({corrupt}));
  ASSERT_TRUE(recording.ok());
  for (const Violation& v : m.violations) {
    if (v.invariant != "silent-loss") continue;
    auto again = Simulator(log).replay("log-churn", *recording, small_scenario({corrupt}).options, v.state_id);
    ASSERT_TRUE(again.ok()) << again.status().to_string();
    EXPECT_EQ(invariants_of(*again), std::set<std::string>{"silent-loss"}) << v.state_id;
    break;
  }
}

// A system that describes nothing gets its faults at uniform offsets.
TEST(SimulatorTest, WithoutRegionsFaultsFallBackToUniformOffsets) {
  LogSystem log;
  const ScenarioResult r = Simulator(log).run(small_scenario({model(ModelKind::kCorrupt)}));
  ASSERT_TRUE(r.error.empty()) << r.error;
  const Coverage& c = result_of(r, ModelKind::kCorrupt).coverage;
  ASSERT_EQ(c.fault_regions.size(), 1u);
  EXPECT_EQ(c.fault_regions.begin()->first, "uniform");
  EXPECT_EQ(c.fault_regions.begin()->second, c.faults);
  EXPECT_GT(c.faults.drawn, 0u);
}

TEST(SimulatorTest, ASkippedSyncIsADurabilityViolationUnderPowerLossOnly) {
  LogSystem log(LogOptions{.sync_on_commit = false});
  const ScenarioResult r = Simulator(log).run(
      small_scenario({model(ModelKind::kProcessCrash), model(ModelKind::kLoseUnsynced), model(ModelKind::kReorder)}));
  ASSERT_TRUE(r.error.empty()) << r.error;
  // A process crash alone loses nothing; a power loss after its recovery
  // (a mixed sequence, nested in the process-crash case) does.
  for (const Violation& v : result_of(r, ModelKind::kProcessCrash).violations) {
    EXPECT_THAT(v.state_id, ::testing::ContainsRegex(">[0-9]+:lose-unsynced$")) << v.message;
  }
  EXPECT_FALSE(result_of(r, ModelKind::kProcessCrash).violations.empty());
  const ModelResult& lose = result_of(r, ModelKind::kLoseUnsynced);
  ASSERT_FALSE(lose.violations.empty());
  EXPECT_TRUE(invariants_of(lose.violations).contains("durability"));
  for (const Violation& v : lose.violations) {
    EXPECT_EQ(v.cause, Cause::kMissingSync) << v.state_id;
    EXPECT_FALSE(v.expected.empty());
    EXPECT_TRUE(std::any_of(v.ops.begin(), v.ops.end(), [](const OpRecord& op) { return op.fate == OpFate::kDropped; }))
        << v.state_id << ": the dropped write must be shown";
  }
  EXPECT_FALSE(result_of(r, ModelKind::kReorder).violations.empty());
  // The at-risk report names the unsynced write before any crash state is built.
  ASSERT_FALSE(r.at_risk.empty());
  EXPECT_EQ(r.at_risk.front().items.front().path, "log");
  EXPECT_THAT(r.at_risk.front().items.front().what, ::testing::HasSubstr("not synced"));
  EXPECT_TRUE(invariants_of(r.violations).contains("durability"));
}

TEST(SimulatorTest, AFileWhoseEntryIsNeverSyncedIsLost) {
  LogSystem log(LogOptions{.sync_dir_on_create = false});
  Scenario s = small_scenario({model(ModelKind::kLoseUnsynced)}, 4);
  const ScenarioResult r = Simulator(log).run(s);
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(invariants_of(result_of(r, ModelKind::kLoseUnsynced).violations).contains("durability"));
  ASSERT_FALSE(r.at_risk.empty());
  EXPECT_THAT(r.at_risk.front().items.front().what, ::testing::HasSubstr("directory entry not durable"));
  // On a file system that makes creations durable, the same store is fine.
  s.options.fs.creations_durable = true;
  const ScenarioResult ok = Simulator(log).run(s);
  EXPECT_TRUE(ok.passed()) << ok.violation_count();
}

TEST(SimulatorTest, ANonIdempotentRecoveryIsCaughtByCrashingInsideRecovery) {
  LogSystem log(LogOptions{.unsafe_recovery_rewrite = true});
  Scenario s = small_scenario({model(ModelKind::kTorn)}, 6);
  const ScenarioResult r = Simulator(log).run(s);
  ASSERT_TRUE(r.error.empty()) << r.error;
  const ModelResult& torn = result_of(r, ModelKind::kTorn);
  ASSERT_TRUE(invariants_of(torn.violations).contains("idempotent-recovery"));
  for (const Violation& v : torn.violations) {
    EXPECT_NE(v.state_id.find('>'), std::string::npos) << "only crashes inside recovery break this store";
  }
  s.options.nesting.depth = 0;
  EXPECT_TRUE(Simulator(log).run(s).passed());
}

namespace {

constexpr uint64_t kRecentPoints = 16;

// The violations' state ids and invariants, in order.
std::vector<std::string> violation_ids(const ModelResult& m) {
  std::vector<std::string> out;
  for (const Violation& v : m.violations) out.push_back(v.state_id + " " + v.invariant);
  return out;
}

// Two runs of one scenario checked the same states and found the same violations.
void expect_same_checks(const ScenarioResult& one, const ScenarioResult& other) {
  ASSERT_EQ(one.models.size(), other.models.size());
  for (size_t i = 0; i < one.models.size(); ++i) {
    const Coverage& a = one.models[i].coverage;
    const Coverage& b = other.models[i].coverage;
    EXPECT_EQ(a.states_checked, b.states_checked) << one.models[i].model;
    EXPECT_EQ(a.duplicates_skipped, b.duplicates_skipped) << one.models[i].model;
    EXPECT_EQ(a.recovery_states_checked, b.recovery_states_checked) << one.models[i].model;
    EXPECT_EQ(violation_ids(one.models[i]), violation_ids(other.models[i]));
  }
}

}  // namespace

// Past the budget, states are rebuilt from the frontiers the run keeps
// (the first point's, as every 256th, and the last 16 points'): the same
// duplicates, the same checks.
TEST(SimulatorTest, StatesRebuiltPastTheDeduplicationBudgetGiveTheSameRun) {
  LogSystem log(LogOptions{.sync_on_commit = false});
  Scenario s = small_scenario({model(ModelKind::kLoseUnsynced), model(ModelKind::kTorn)}, 20);
  const ScenarioResult kept = Simulator(log).run(s);
  s.options.dedup_budget_bytes = 1;
  const ScenarioResult rebuilt = Simulator(log).run(s);
  for (const ModelResult& m : kept.models) {
    EXPECT_GT(m.coverage.crash_points, kRecentPoints) << "some rebuilds start from the first point's frontier";
    EXPECT_GT(m.coverage.duplicates_skipped, 0u) << m.model;
  }
  expect_same_checks(kept, rebuilt);
}

TEST(SimulatorTest, ResultsDoNotDependOnTheNumberOfJobs) {
  LogSystem log(LogOptions{.sync_on_commit = false});
  Scenario s = small_scenario({model(ModelKind::kReorder), model(ModelKind::kTorn)}, 6);
  s.options.jobs = 1;
  const ScenarioResult one = Simulator(log).run(s);
  s.options.jobs = 3;
  const ScenarioResult three = Simulator(log).run(s);
  expect_same_checks(one, three);
  for (const ModelResult& m : one.models) EXPECT_FALSE(m.violations.empty()) << m.model;
}

TEST(SimulatorTest, AViolationIsRebuiltAndReplayedFromItsIdAlone) {
  LogSystem log(LogOptions{.sync_on_commit = false});
  const Scenario s = small_scenario({model(ModelKind::kTorn)}, 6);
  const Simulator sim(log);
  auto recording = sim.record(s);
  ASSERT_TRUE(recording.ok());
  const ScenarioResult r = sim.check(s.name, *recording, s.options);
  const ModelResult& torn = result_of(r, ModelKind::kTorn);
  ASSERT_FALSE(torn.violations.empty());
  const Violation& v = torn.violations.back();

  // Through a saved trace, as a CI failure would be rebuilt elsewhere.
  auto bytes = encode_trace(recording->trace, R"({"scenario": "log-churn"})");
  ASSERT_TRUE(bytes.ok());
  auto loaded = decode_trace(*bytes);
  ASSERT_TRUE(loaded.ok()) << loaded.status().to_string();
  auto again = recording_from_trace(loaded->trace, recording->steps);
  ASSERT_TRUE(again.ok()) << again.status().to_string();

  auto original = sim.build_state(*recording, s.options, v.state_id);
  auto rebuilt = sim.build_state(*again, s.options, v.state_id);
  ASSERT_TRUE(original.ok() && rebuilt.ok());
  EXPECT_EQ(*original, *rebuilt);
  auto replayed = sim.replay(s.name, *again, s.options, v.state_id);
  ASSERT_TRUE(replayed.ok()) << replayed.status().to_string();
  std::set<std::string> same_state;
  for (const Violation& w : torn.violations) {
    if (w.state_id == v.state_id) same_state.insert(w.invariant);
  }
  EXPECT_EQ(invariants_of(*replayed), same_state);
  EXPECT_EQ(replayed->front().cause, Cause::kMissingSync);

  // And onto a real directory, byte for byte.
  const std::string dir = ::testing::TempDir() + "crashsim_state_XXXXXX";
  std::vector<char> tmpl(dir.begin(), dir.end());
  tmpl.push_back('\0');
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  const std::string root(tmpl.data());
  ASSERT_TRUE(write_state_to_directory(*original, root + "/keep").ok());
  for (const auto& [path, contents] : original->files) {
    auto f = vfs::default_vfs().open(root + "/keep/" + path, vfs::OpenMode::kMustExist);
    ASSERT_TRUE(f.ok());
    Bytes back(contents.size());
    ASSERT_TRUE((*f)->read_at(0, back).ok());
    EXPECT_EQ(back, contents.to_bytes());
  }
  std::filesystem::remove_all(root);
}

TEST(SimulatorTest, BadIdsAreRefusedWithTheReason) {
  LogSystem log;
  const Scenario s = small_scenario({model(ModelKind::kReorder)}, 2);
  const Simulator sim(log);
  auto recording = sim.record(s);
  ASSERT_TRUE(recording.ok());
  for (const char* id : {"9999:lose-unsynced", "3:reorder:ff", "3:torn:512:zz", "melt"}) {
    auto img = sim.build_state(*recording, s.options, id);
    EXPECT_FALSE(img.ok()) << id;
    EXPECT_EQ(img.status().code(), vfs::StatusCode::kInvalidArgument) << id << ": " << img.status().to_string();
  }
}

TEST(SimulatorTest, PointSelections) {
  LogSystem log;
  const Scenario s = small_scenario({}, 3);
  auto recording = Simulator(log).record(s);
  ASSERT_TRUE(recording.ok());
  const Trace& t = recording->trace;
  SimulationOptions o;
  const std::vector<uint64_t> all = select_points(t, o);
  EXPECT_EQ(all, t.canonical_points());
  o.points = PointSelection::kAroundSyncs;
  const std::vector<uint64_t> around = select_points(t, o);
  EXPECT_LE(around.size(), all.size());
  for (uint64_t p : around) EXPECT_TRUE(t.is_canonical_point(p));
  o.points = PointSelection::kSample;
  o.point_samples = 3;
  const std::vector<uint64_t> sample = select_points(t, o);
  EXPECT_EQ(sample.size(), 3u);
  EXPECT_EQ(sample, select_points(t, o));
  EXPECT_TRUE(std::is_sorted(sample.begin(), sample.end()));
}

}  // namespace
}  // namespace crashsim
