// Injected I/O errors in the simulator: which calls a fault hits, what the
// recording VFS does and records for each, what a failed sync does to later
// crash states under each profile, how a failed commit enters the oracle,
// and the error-discipline check, down to a run of the LogSystem test
// double, a store that simply goes on after a failed sync.
#include "crashsim/record/faults.h"

#include <fiu-control.h>
#include <fiu.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "crashsim/check/error_discipline.h"
#include "crashsim/check/invariants.h"
#include "crashsim/model/persistence_model.h"
#include "crashsim/model/timeline.h"
#include "crashsim/record/recording_vfs.h"
#include "crashsim/record/trace_io.h"
#include "crashsim/record/workload_runner.h"
#include "crashsim/simulator.h"
#include "crashsim/test_log_system.h"
#include "crashsim/test_util.h"
#include "vfs/mem_vfs.h"

namespace crashsim {
namespace {

using ::testing::HasSubstr;
using testing::bytes_of;
using testing::file_text;
using testing::write_text;

FaultSpec nth(const char* point, uint64_t n, int err = EIO, std::string file = {}) {
  return {.point = point, .nth = n, .err = err, .file = std::move(file)};
}

// ---- which calls a fault hits ------------------------------------------------

TEST(FaultSpecTest, RefusesWhatCannotBeInjected) {
  EXPECT_TRUE(validate(nth(fault_point::kSync, 3)).ok());
  EXPECT_TRUE(validate({.point = fault_point::kWrite, .probability = 0.5, .partial = true}).ok());
  EXPECT_TRUE(validate({.point = fault_point::kShortWrite, .nth = 1, .err = 0}).ok());
  const std::vector<std::pair<FaultSpec, std::string>> bad = {
      {nth("vfs/posix/sync", 1), "unknown point"},
      {{.point = fault_point::kSync}, "exactly one of nth"},
      {{.point = fault_point::kSync, .nth = 2, .probability = 0.5}, "exactly one of nth"},
      {{.point = fault_point::kSync, .probability = 1.5}, "outside (0, 1]"},
      {nth(fault_point::kSync, 1, EINTR), "errno 4"},
      {{.point = fault_point::kSync, .nth = 1, .partial = true}, "partial applies to vfs/write only"},
  };
  for (const auto& [fault, why] : bad) {
    const vfs::Status s = validate(fault);
    EXPECT_EQ(s.code(), vfs::StatusCode::kInvalidArgument) << describe_fault_spec(fault);
    EXPECT_THAT(s.message(), HasSubstr(why));
  }
  EXPECT_EQ(errno_from_name("ENOSPC"), ENOSPC);
  EXPECT_EQ(errno_name(EDQUOT), "EDQUOT");
  EXPECT_FALSE(errno_from_name("EINTR"));
}

TEST(FaultInjectorTest, NthCountsOnlyTheCallsOfItsPointAndFile) {
  FaultInjector injector({{.point = fault_point::kSync, .nth = 2, .times = 2, .err = ENOSPC, .file = "wal"}});
  std::vector<bool> hit;
  for (const char* path : {"wal", "db", "wal", "wal", "db", "wal", "wal"}) {
    EXPECT_FALSE(injector.on_call(fault_point::kWrite, path));
    const auto f = injector.on_call(fault_point::kSync, path);
    hit.push_back(f.has_value());
    if (f) {
      EXPECT_EQ(f->err, ENOSPC);
    }
  }
  // The wal's syncs are calls 1, 2, 3, 4, 5: the 2nd and 3rd are hit.
  EXPECT_EQ(hit, (std::vector<bool>{false, false, true, true, false, false, false}));
  EXPECT_EQ(injector.injected(), 2u);
}

TEST(FaultInjectorTest, TimesZeroHitsEveryCallFromTheNthOn) {
  FaultInjector injector({{.point = fault_point::kWrite, .nth = 3, .times = 0, .err = ENOSPC}});
  int hits = 0;
  for (int i = 0; i < 10; ++i) hits += injector.on_call(fault_point::kWrite, "f") ? 1 : 0;
  EXPECT_EQ(hits, 8);
}

TEST(FaultInjectorTest, ProbabilityIsSeededAndRoughlyRight) {
  auto draws = [](uint64_t seed) {
    FaultInjector injector({{.point = fault_point::kRead, .probability = 0.25, .seed = seed}});
    std::vector<bool> out;
    for (int i = 0; i < 2000; ++i) out.push_back(injector.on_call(fault_point::kRead, "f").has_value());
    return out;
  };
  const std::vector<bool> a = draws(7);
  EXPECT_EQ(a, draws(7));
  EXPECT_NE(a, draws(8));
  const auto hits = std::count(a.begin(), a.end(), true);
  EXPECT_GT(hits, 400);
  EXPECT_LT(hits, 600);
}

TEST(FaultInjectorTest, ThePointsAlsoAnswerToLibfiu) {
  ASSERT_EQ(fiu_init(0), 0);
  FaultInjector injector({});
  EXPECT_FALSE(injector.on_call(fault_point::kSync, "db"));
  ASSERT_EQ(fiu_enable(fault_point::kSync, 1, reinterpret_cast<void*>(intptr_t{ENOSPC}), FIU_ONETIME), 0);
  const auto f = injector.on_call(fault_point::kSync, "db");
  fiu_disable(fault_point::kSync);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->kind, InjectedFault::Kind::kFail);
  EXPECT_EQ(f->err, ENOSPC);
  EXPECT_FALSE(injector.on_call(fault_point::kSync, "db"));
}

// ---- what the recording VFS does with a fault ----------------------------------

class FaultyRecordingTest : public ::testing::Test {
 protected:
  void start(std::vector<FaultSpec> faults) {
    injector_.emplace(std::move(faults));
    rec_.emplace(mem_, DiskImage{}, &*injector_);
    auto file = rec_->open("f", vfs::OpenMode::kCreate);
    ASSERT_TRUE(file.ok()) << file.status().to_string();
    file_ = std::move(file).value();
  }
  std::vector<std::string> ops() const {
    std::vector<std::string> out;
    for (const Op& op : rec_->trace().ops) out.push_back(describe_op(op));
    return out;
  }
  std::string contents() {
    auto size = mem_.file_size("f");
    Bytes b(size.ok() ? *size : 0);
    EXPECT_TRUE(file_->read_at(0, b).ok());
    return testing::text_of(b);
  }

  vfs::MemVfs mem_;
  std::optional<FaultInjector> injector_;
  std::optional<RecordingVfs> rec_;
  std::unique_ptr<vfs::File> file_;
};

TEST_F(FaultyRecordingTest, AFailedWriteChangesNothingAndIsNotRecorded) {
  start({nth(fault_point::kWrite, 1)});
  const vfs::Status s = write_text(*file_, 0, "abcdef");
  EXPECT_EQ(s.sys_errno(), EIO);
  EXPECT_EQ(s.message(), "write f at offset 0: Input/output error (EIO)");
  EXPECT_EQ(contents(), "");
  EXPECT_EQ(ops(), (std::vector<std::string>{"create f"}));
}

TEST_F(FaultyRecordingTest, APartialWriteLandsHalfAndFails) {
  start({{.point = fault_point::kWrite, .nth = 1, .err = ENOSPC, .partial = true}});
  const vfs::Status s = write_text(*file_, 0, "abcdef");
  EXPECT_TRUE(s.is_no_space()) << s.to_string();
  EXPECT_THAT(s.message(), HasSubstr("No space left on device (ENOSPC)"));
  EXPECT_EQ(contents(), "abc");
  EXPECT_EQ(ops(), (std::vector<std::string>{"create f", "write f @0 +3"}));
}

TEST_F(FaultyRecordingTest, AShortWriteLandsInTwoPiecesAndSucceeds) {
  start({{.point = fault_point::kShortWrite, .nth = 1}});
  ASSERT_TRUE(write_text(*file_, 10, "abcdefg").ok());
  EXPECT_EQ(contents(), std::string(10, '\0') + "abcdefg");
  EXPECT_EQ(ops(), (std::vector<std::string>{"create f", "write f @10 +3", "write f @13 +4"}));
}

TEST_F(FaultyRecordingTest, AFailedSyncIsRecordedAsSuch) {
  start({nth(fault_point::kSync, 1)});
  ASSERT_TRUE(write_text(*file_, 0, "abc").ok());
  const vfs::Status s = file_->sync();
  EXPECT_EQ(s.message(), "sync f: Input/output error (EIO)");
  ASSERT_TRUE(file_->sync().ok());
  EXPECT_EQ(ops(), (std::vector<std::string>{"create f", "write f @0 +3", "sync-failed f", "sync f"}));
}

TEST_F(FaultyRecordingTest, OtherCallsFailWithTheirOwnMessages) {
  start({nth(fault_point::kRead, 1), nth(fault_point::kTruncate, 1, EROFS), nth(fault_point::kOpen, 2),
         nth(fault_point::kSyncDir, 1)});
  Bytes buf(4);
  EXPECT_EQ(file_->read_at(8, buf).status().message(), "read f at offset 8: Input/output error (EIO)");
  EXPECT_THAT(file_->truncate(5).message(), HasSubstr("truncate f at offset 5: Read-only file system (EROFS)"));
  EXPECT_EQ(rec_->open("g", vfs::OpenMode::kCreate).status().message(), "open g: Input/output error (EIO)");
  EXPECT_EQ(rec_->sync_dir(".").message(), "sync_dir .: Input/output error (EIO)");
  EXPECT_EQ(ops(), (std::vector<std::string>{"create f"}));
}

// ---- what a failed sync does to later crash states ------------------------------

// "old" synced; "NEW" written over it, its sync fails; "+" appended and
// synced; the crash comes after that sync.
Trace failed_sync_trace() {
  vfs::MemVfs mem;
  FaultInjector injector({nth(fault_point::kSync, 2)});
  RecordingVfs rec(mem, {}, &injector);
  auto f = rec.open("f", vfs::OpenMode::kCreate);                       // 0
  EXPECT_TRUE(rec.sync_dir(".").ok());                                  // 1
  EXPECT_TRUE(write_text(**f, 0, "old").ok());                          // 2
  EXPECT_TRUE((*f)->sync().ok());                                       // 3
  EXPECT_TRUE(write_text(**f, 0, "NEW").ok());                          // 4
  EXPECT_FALSE((*f)->sync().ok());                                      // 5 sync-failed
  EXPECT_TRUE(write_text(**f, 3, "+").ok());                            // 6
  EXPECT_TRUE((*f)->sync().ok());                                       // 7
  return rec.trace();
}

DiskImage state_at(const Trace& trace, FsRules rules, ModelKind kind, uint64_t point) {
  const Frontier f = frontiers_at(trace, rules, {point}).front();
  auto image = build_image(kind, trace, f, Choice{});
  EXPECT_TRUE(image.ok()) << image.status().to_string();
  return image.ok() ? *image : DiskImage{};
}

TEST(FailedSyncProfileTest, DropLosesThePendingWritesForGoodEvenAfterALaterSync) {
  const Trace trace = failed_sync_trace();
  ASSERT_EQ(trace.ops[5].kind, OpKind::kSyncFailed);
  const FsRules drop{.after_failed_sync = AfterFailedSync::kDrop};
  EXPECT_EQ(file_text(state_at(trace, drop, ModelKind::kLoseUnsynced, 8), "f"), "old+");
  // The page cache still shows the dropped write: a process crash keeps it.
  EXPECT_EQ(file_text(state_at(trace, drop, ModelKind::kProcessCrash, 8), "f"), "NEW+");
  // Nothing of it is pending any more: no reorder state can bring it back.
  const Frontier f = frontiers_at(trace, drop, {6}).front();
  EXPECT_TRUE(f.durable_pending().empty());
  EXPECT_EQ(durable_at(trace, drop)[4], kNever);
  EXPECT_EQ(durable_at(trace, drop)[6], 7u);
}

TEST(FailedSyncProfileTest, KeepLeavesThemPendingUntilTheNextSync) {
  const Trace trace = failed_sync_trace();
  const FsRules keep{.after_failed_sync = AfterFailedSync::kKeep};
  EXPECT_EQ(file_text(state_at(trace, keep, ModelKind::kLoseUnsynced, 8), "f"), "NEW+");
  const Frontier f = frontiers_at(trace, keep, {6}).front();
  EXPECT_EQ(f.durable_pending(), (std::vector<uint64_t>{4}));
  EXPECT_EQ(durable_at(trace, keep)[4], 7u);
  EXPECT_EQ(after_failed_sync_from_name("keep"), AfterFailedSync::kKeep);
  EXPECT_EQ(after_failed_sync_name(AfterFailedSync::kDrop), "drop");
}

// ---- failed commits in the oracle ---------------------------------------------------

std::vector<Step> three_commits() {
  return {{StepKind::kPut, "a", "1"}, {StepKind::kCommit, {}, {}}, {StepKind::kPut, "b", "2"},
          {StepKind::kCommit, {}, {}}, {StepKind::kPut, "c", "3"}, {StepKind::kCommit, {}, {}}};
}

Op marker(OpKind kind, uint64_t number, uint64_t offset = 0) {
  Op op;
  op.kind = kind;
  op.number = number;
  op.offset = offset;
  return op;
}

Trace markers(std::vector<std::pair<OpKind, uint64_t>> list) {
  Trace t;
  for (const auto& [kind, number] : list) t.ops.push_back(marker(kind, number));
  return t;
}

TEST(FailedCommitOracleTest, AFailedAttemptIsNoTransactionButMayBeVisibleUntilTheNextAck) {
  // The commit of {b=2} fails; the next commit step, {c=3}, becomes transaction 1.
  const Trace trace = markers({{OpKind::kCommitCalled, 0}, {OpKind::kCommitAcked, 0}, {OpKind::kCommitCalled, 1},
                               {OpKind::kCommitFailed, 1}, {OpKind::kCommitCalled, 1}, {OpKind::kCommitAcked, 1}});
  auto oracle = oracle_from_trace(three_commits(), trace);
  ASSERT_TRUE(oracle.ok()) << oracle.status().to_string();
  ASSERT_EQ(oracle->txn_count(), 2u);
  EXPECT_EQ(oracle->state_after(2), (KvState{{"a", "1"}, {"c", "3"}}));
  ASSERT_EQ(oracle->failed_count(1), 1u);

  const KvState with_failed{{"a", "1"}, {"b", "2"}};
  EXPECT_TRUE(judge_visible_state(*oracle, {.acked = 1, .failed = 1}, with_failed).empty());
  EXPECT_TRUE(judge_visible_state(*oracle, {.acked = 1, .failed = 1}, KvState{{"a", "1"}}).empty());
  // Before the attempt was made, or once the next commit is acknowledged, it may not show.
  EXPECT_FALSE(judge_visible_state(*oracle, {.acked = 1}, with_failed).empty());
  EXPECT_FALSE(judge_visible_state(*oracle, {.acked = 2}, with_failed).empty());

  // The timeline counts the failed attempts of the next transaction.
  const Frontier f = frontiers_at(trace, {}, {5}).front();
  EXPECT_EQ(f.expect, (Expectation{.acked = 1, .in_flight = 1, .failed = 1}));
}

// A group of three whose shared sync failed: the files may hold any prefix
// of it, so the failed attempts are the prefixes, each applied whole; a
// later transaction of the group without an earlier one never is.
TEST(FailedCommitOracleTest, AFailedGroupLeavesAnyPrefixOfItPossible) {
  const std::vector<Step> steps = {{StepKind::kPut, "a", "1"}, {StepKind::kQueueCommit, {}, {}},
                                   {StepKind::kPut, "b", "2"}, {StepKind::kQueueCommit, {}, {}},
                                   {StepKind::kPut, "a", "3"}, {StepKind::kCommit, {}, {}},
                                   {StepKind::kPut, "d", "4"}, {StepKind::kCommit, {}, {}}};
  const Trace trace = markers({{OpKind::kCommitCalled, 0}, {OpKind::kCommitCalled, 1}, {OpKind::kCommitCalled, 2},
                               {OpKind::kCommitFailed, 0}, {OpKind::kCommitFailed, 0}, {OpKind::kCommitFailed, 0},
                               {OpKind::kCommitCalled, 0}, {OpKind::kCommitFailed, 0}});
  auto oracle = oracle_from_trace(steps, trace);
  ASSERT_TRUE(oracle.ok()) << oracle.status().to_string();
  ASSERT_EQ(oracle->txn_count(), 0u);
  ASSERT_EQ(oracle->failed_count(0), 4u);
  EXPECT_EQ(oracle->state_with_failed(0, 0), (KvState{{"a", "1"}}));
  EXPECT_EQ(oracle->state_with_failed(0, 1), (KvState{{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(oracle->state_with_failed(0, 2), (KvState{{"a", "3"}, {"b", "2"}}));
  EXPECT_EQ(oracle->state_with_failed(0, 3), (KvState{{"d", "4"}})) << "a later commit is a group of its own";
  const Expectation after = {.failed = 4};
  EXPECT_TRUE(judge_visible_state(*oracle, after, KvState{{"a", "1"}, {"b", "2"}}).empty());
  EXPECT_FALSE(judge_visible_state(*oracle, after, KvState{{"b", "2"}}).empty()) << "the second without the first";
  EXPECT_FALSE(judge_visible_state(*oracle, after, KvState{{"a", "3"}}).empty()) << "the third without the second";
}

TEST(FailedCommitOracleTest, ARecoveredAttemptBecomesTheTransaction) {
  Trace trace = markers({{OpKind::kCommitCalled, 0}, {OpKind::kCommitFailed, 0}, {OpKind::kCommitCalled, 0},
                         {OpKind::kCommitFailed, 0}, {OpKind::kCommitRecovered, 0}, {OpKind::kCommitCalled, 1},
                         {OpKind::kCommitAcked, 1}});
  trace.ops[4].offset = 1;  // the second failed attempt, {b=2}
  auto oracle = oracle_from_trace(three_commits(), trace);
  ASSERT_TRUE(oracle.ok()) << oracle.status().to_string();
  EXPECT_EQ(oracle->state_after(2), (KvState{{"b", "2"}, {"c", "3"}}));

  trace.ops[4].offset = 2;
  EXPECT_THAT(oracle_from_trace(three_commits(), trace).status().message(), HasSubstr("was not made"));
  EXPECT_THAT(oracle_from_trace({}, trace).status().message(), HasSubstr("calls a commit"));
}

TEST(FailedCommitOracleTest, TheNewEntriesSurviveATraceFile) {
  const Trace trace = failed_sync_trace();
  Trace with_markers = trace;
  with_markers.ops.push_back(marker(OpKind::kCommitFailed, 4));
  with_markers.ops.push_back(marker(OpKind::kCommitRecovered, 4, 2));
  auto bytes = encode_trace(with_markers);
  ASSERT_TRUE(bytes.ok()) << bytes.status().to_string();
  auto loaded = decode_trace(*bytes);
  ASSERT_TRUE(loaded.ok()) << loaded.status().to_string();
  ASSERT_EQ(loaded->trace.ops.size(), with_markers.ops.size());
  for (size_t i = 0; i < with_markers.ops.size(); ++i) {
    EXPECT_EQ(describe_op(loaded->trace.ops[i]), describe_op(with_markers.ops[i])) << i;
    EXPECT_EQ(loaded->trace.ops[i].inode, with_markers.ops[i].inode) << i;
  }
}

// ---- error-discipline -----------------------------------------------------------------

Op file_op(OpKind kind, InodeId inode, std::string path) {
  Op op;
  op.kind = kind;
  op.inode = inode;
  op.path = std::move(path);
  return op;
}

TEST(ErrorDisciplineTest, NothingMayRestOnARetriedSyncOrBeAcceptedAfterAFailedOne) {
  Trace t;
  auto add = [&t](Op op) { t.ops.push_back(std::move(op)); };
  add(marker(OpKind::kOpenCalled, 0));                 // 0
  add(marker(OpKind::kCommitCalled, 0));               // 1
  add(file_op(OpKind::kSyncFailed, 1, "wal"));         // 2
  add(file_op(OpKind::kSync, 1, "wal"));               // 3: the retry
  add(marker(OpKind::kCommitAcked, 0));                // 4: rests on it
  add(marker(OpKind::kCommitCalled, 1));               // 5
  add(marker(OpKind::kCommitAcked, 1));                // 6: accepted in the failed state
  add(marker(OpKind::kCheckpointCalled, 0));           // 7
  add(marker(OpKind::kCheckpointDone, 0));             // 8: likewise
  add(marker(OpKind::kOpenCalled, 0));                 // 9: reopened, all forgiven
  add(marker(OpKind::kCommitCalled, 2));               // 10
  add(file_op(OpKind::kSync, 1, "wal"));               // 11: the commit is durable here
  add(file_op(OpKind::kSyncFailed, 2, "db"));          // 12: its automatic checkpoint fails
  add(marker(OpKind::kCommitAcked, 2));                // 13: rightly acknowledged
  add(marker(OpKind::kCommitCalled, 3));               // 14
  add(marker(OpKind::kCommitAcked, 3));                // 15: but nothing new is accepted
  const std::vector<DisciplineFinding> findings = error_discipline_findings(t);
  ASSERT_EQ(findings.size(), 4u);
  EXPECT_EQ(findings[0].index, 4u);
  EXPECT_EQ(findings[0].failed_sync, 2u);
  EXPECT_EQ(findings[0].message,
            "transaction 0 was acknowledged on the strength of the sync wal at op 3, a retry of the sync-failed wal "
            "at op 2: a retried sync proves nothing");
  EXPECT_EQ(findings[1].index, 6u);
  EXPECT_THAT(findings[1].message, HasSubstr("was called after the sync-failed wal at op 2, while the store should be "
                                             "in its failed state"));
  EXPECT_EQ(findings[2].index, 8u);
  EXPECT_THAT(findings[2].message, HasSubstr("a checkpoint reported success although it was started after"));
  EXPECT_EQ(findings[3].index, 15u);
  EXPECT_EQ(findings[3].failed_sync, 12u);
}

// ---- a whole run: the LogSystem goes on after a failed sync ----------------------------

Scenario log_scenario(std::vector<FaultSpec> faults, AfterFailedSync profile) {
  Scenario s;
  s.name = "log-faults";
  s.workload.generator = GeneratorSpec{.seed = 5, .transactions = 10, .key_space = 8};
  s.options.models = {{.kind = ModelKind::kProcessCrash}, {.kind = ModelKind::kLoseUnsynced}};
  s.options.jobs = 1;
  s.options.fs.after_failed_sync = profile;
  s.faults = std::move(faults);
  return s;
}


TEST(FaultyRunTest, AFailedWriteIsNotAcknowledgedAndBreaksNothing) {
  testing::LogSystem sut;
  const ScenarioResult r = Simulator(sut).run(log_scenario({nth(fault_point::kWrite, 4)}, AfterFailedSync::kDrop));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.commits, 10u);
  EXPECT_EQ(r.acked, 9u);
  EXPECT_EQ(testing::invariants_of(r), std::set<std::string>{});
}

// The LogSystem's next commit overwrites the failed record's place, so no
// crash state loses anything, under either profile; but it accepted and
// acknowledged commits while it should have been refusing them, which only
// the discipline check sees.
TEST(FaultyRunTest, GoingOnAfterAFailedSyncIsCaughtByTheDisciplineCheck) {
  testing::LogSystem sut;
  const std::vector<FaultSpec> faults = {nth(fault_point::kSync, 4, EIO, "log")};
  for (AfterFailedSync profile : {AfterFailedSync::kDrop, AfterFailedSync::kKeep}) {
    SCOPED_TRACE(std::string(after_failed_sync_name(profile)));
    const ScenarioResult r = Simulator(sut).run(log_scenario(faults, profile));
    ASSERT_TRUE(r.error.empty()) << r.error;
    EXPECT_EQ(testing::invariants_of(r), std::set<std::string>{std::string(invariant::kErrorDiscipline)});
    ASSERT_FALSE(r.violations.empty());
    const Violation& v = r.violations.front();
    EXPECT_EQ(v.model, "faults");
    EXPECT_THAT(v.message, HasSubstr("although it was called after the sync-failed log"));
    EXPECT_THAT(v.state_id, HasSubstr(":lose-unsynced"));
  }
}

TEST(FaultyRunTest, FaultsThatNeverFireChangeNothingAndBadOnesAreRefused) {
  testing::LogSystem sut;
  // Faults planned for calls that never come: the run must behave as before.
  const ScenarioResult r = Simulator(sut).run(log_scenario({nth(fault_point::kSync, 1000)}, AfterFailedSync::kDrop));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.acked, r.commits);
  const ScenarioResult bad =
      Simulator(sut).run(log_scenario({{.point = fault_point::kSync, .nth = 1, .err = EINTR}}, AfterFailedSync::kDrop));
  EXPECT_THAT(bad.error, HasSubstr("errno 4"));
}

}  // namespace
}  // namespace crashsim
