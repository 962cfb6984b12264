// I/O errors during a commit, on real files: a failed WAL write or sync is
// never acknowledged; a failed sync puts the database into its failed state
// until it is reopened; a full disk fails the commit cleanly and writes
// resume once there is space again (docs/failure-semantics.md).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <string>

#include "engine/fault_test_util.h"

namespace engine {
namespace {

using ::testing::HasSubstr;
using testing::expect_holds_exactly;
using testing::expect_holds_one_of;
using testing::FaultTest;
using testing::numbered_puts;
using testing::ScopedFailpoint;
using vfs::StatusCode;
namespace failpoint = vfs::failpoint;

class CommitFault : public FaultTest {
 protected:
  // Commits a few batches, then one whose WAL sync fails with `err`;
  // returns what the engine answered for that one.
  Status write_through_failed_wal_sync(Db& db, const WriteBatch& doomed, int err) {
    for (int round = 0; round < 3; ++round) EXPECT_TRUE(write(db, numbered_puts(round * 20, 20, 40)).ok());
    ScopedFailpoint sync = ScopedFailpoint::once(failpoint::kSync, err);
    return write(db, doomed);
  }

  // Every kind of write is refused with kFailedState naming `cause`.
  void expect_writes_refused(Db& db, const std::string& cause) {
    const Status put = db.put("k000001", "after the failure");
    const Status del = db.del("k000002");
    const Status batch = db.write(numbered_puts(500, 3, 10));
    const Status checkpoint = db.checkpoint();
    for (const Status& s : {put, del, batch, checkpoint}) {
      EXPECT_EQ(s.code(), StatusCode::kFailedState) << s.to_string();
      EXPECT_THAT(s.message(), HasSubstr("failed state after: " + cause));
      EXPECT_THAT(s.message(), HasSubstr("reopen"));
    }
  }
};

TEST_F(CommitFault, AFailedWalWriteIsNotAcknowledgedAndTheDatabaseStaysWritable) {
  auto db = open_db();
  ASSERT_TRUE(write(*db, numbered_puts(0, 30, 50)).ok());
  {
    ScopedFailpoint wal_write = ScopedFailpoint::once(failpoint::kWrite, EIO);
    const Status failed = write(*db, numbered_puts(100, 10, 50));
    EXPECT_EQ(failed.code(), StatusCode::kIoError) << failed.to_string();
    EXPECT_THAT(failed.message(), HasSubstr("write " + path_ + "-wal at offset"));
    EXPECT_THAT(failed.message(), HasSubstr("Input/output error"));
  }
  std::string value;
  EXPECT_TRUE(db->get(testing::NumberedKey(100), &value).is_not_found());
  expect_holds_exactly(*db, model_);

  // Not a failed state: the next commit goes through without a reopen.
  ASSERT_TRUE(write(*db, numbered_puts(200, 10, 50)).ok());
  db = reopen(std::move(db));
  expect_holds_exactly(*db, model_);
}

TEST_F(CommitFault, AFailedWalSyncFailsTheCommitAndEveryLaterWriteUntilReopen) {
  auto db = open_db();
  const WriteBatch doomed = numbered_puts(1000, 8, 40);
  const Status failed = write_through_failed_wal_sync(*db, doomed, EIO);
  ASSERT_EQ(failed.code(), StatusCode::kIoError) << failed.to_string();
  const std::string cause = "sync " + path_ + "-wal: Input/output error (EIO)";
  EXPECT_THAT(failed.message(), HasSubstr(cause));

  expect_writes_refused(*db, cause);
  // Reads of committed data keep working, and show nothing of the failed batch.
  expect_holds_exactly(*db, model_);

  db = reopen(std::move(db));
  // The failed sync never reached the kernel, so its frames may be on disk:
  // the batch may come back, but only whole.
  expect_holds_one_of(*db, model_, doomed);
  const auto found = testing::ScanAll(*db);
  model_ = testing::Model(found.begin(), found.end());
  ASSERT_TRUE(write(*db, numbered_puts(2000, 10, 40)).ok());
  db = reopen(std::move(db));
  expect_holds_exactly(*db, model_);
}

// The check above, a commit whose sync failed must not be acknowledged, is
// what catches an engine that retries the sync and trusts the second answer:
// after a real failed fsync the kernel may have dropped the very pages the
// retry then "syncs" (PostgreSQL's fsyncgate).
TEST_F(CommitFault, TheRetryFailedFsyncMutantIsCaughtAcknowledgingACommitWhoseSyncFailed) {
  if (!kMutantsCompiled) GTEST_SKIP() << "built without mutants";
  Options options = quiet_options();
  options.mutant = Mutant::kRetryFailedFsync;
  auto db = open_db(options);
  const Status answered = write_through_failed_wal_sync(*db, numbered_puts(1000, 8, 40), EIO);
  EXPECT_TRUE(answered.ok()) << "the mutant should have retried the sync and acknowledged: " << answered.to_string();
  EXPECT_TRUE(db->put("later", "accepted").ok()) << "the mutant never enters the failed state";
}

TEST_F(CommitFault, ADiskFullCommitFailsCleanlyAndWritesResumeOnceThereIsSpace) {
  auto db = open_db();
  ASSERT_TRUE(write(*db, numbered_puts(0, 40, 60)).ok());
  {
    ScopedFailpoint full = ScopedFailpoint::always(failpoint::kWrite, ENOSPC);
    for (int attempt = 0; attempt < 3; ++attempt) {
      const Status failed = write(*db, numbered_puts(100 + attempt * 10, 10, 60));
      EXPECT_TRUE(failed.is_no_space()) << failed.to_string();
      EXPECT_THAT(failed.message(), HasSubstr("No space left on device (ENOSPC)"));
      EXPECT_THAT(failed.message(), HasSubstr(path_ + "-wal"));
    }
    const Status checkpoint = db->checkpoint();
    EXPECT_TRUE(checkpoint.is_no_space()) << checkpoint.to_string();
    // Readable and consistent while the disk is full.
    expect_holds_exactly(*db, model_);
  }
  ASSERT_TRUE(write(*db, numbered_puts(300, 10, 60)).ok());
  ASSERT_TRUE(db->checkpoint().ok());
  db = reopen(std::move(db));
  expect_holds_exactly(*db, model_);
}

// Some file systems (NFS, thin-provisioned volumes) report a full disk only
// at fsync. That is a failed sync like any other.
TEST_F(CommitFault, ADiskFullSyncFailsTheDatabaseUntilReopen) {
  auto db = open_db();
  const WriteBatch doomed = numbered_puts(1000, 5, 40);
  const Status failed = write_through_failed_wal_sync(*db, doomed, ENOSPC);
  ASSERT_TRUE(failed.is_no_space()) << failed.to_string();
  expect_writes_refused(*db, "sync " + path_ + "-wal: No space left on device (ENOSPC)");
  expect_holds_exactly(*db, model_);
  db = reopen(std::move(db));
  expect_holds_one_of(*db, model_, doomed);
  EXPECT_TRUE(db->put("after reopen", "accepted").ok());
}

// Random WAL write failures (libfiu's generator, fixed seed): each failed
// commit is refused, the others acknowledged, and nothing is ever lost or
// half-applied. A failed write never reached the disk here, so the contents
// must equal exactly the acknowledged batches.
TEST_F(CommitFault, RandomWalWriteFailuresLoseNoAcknowledgedCommit) {
  auto db = open_db();
  int refused = 0;
  {
    ScopedFailpoint flaky = ScopedFailpoint::random(failpoint::kWrite, 0.3f, 20240611, EIO);
    for (int round = 0; round < 40; ++round) {
      WriteBatch batch = numbered_puts(round * 7, 12, 30 + round, round);
      batch.del(testing::NumberedKey(round * 3));
      const Status s = write(*db, batch);
      if (!s.ok()) {
        ++refused;
        EXPECT_EQ(s.code(), StatusCode::kIoError) << s.to_string();
      }
    }
  }
  EXPECT_GT(refused, 0);
  EXPECT_LT(refused, 40);
  expect_holds_exactly(*db, model_);
  db = reopen(std::move(db));
  expect_holds_exactly(*db, model_);
}

// Random sync failures: every failure ends a session (failed state); each
// reopen finds every acknowledged batch, and the refused one whole or not at all.
TEST_F(CommitFault, EverySessionEndedByARandomSyncFailureRecoversEveryAcknowledgedCommit) {
  auto db = open_db();
  int sessions_failed = 0;
  int round = 0;
  for (int session = 0; session < 4; ++session) {
    ScopedFailpoint flaky = ScopedFailpoint::random(failpoint::kSync, 0.15f, 77 + session, EIO);
    WriteBatch refused;
    for (; round < 30 * (session + 1); ++round) {
      const WriteBatch batch = numbered_puts(round * 5, 10, 20 + round % 50, round);
      const Status s = write(*db, batch);
      if (!s.ok()) {
        ASSERT_EQ(s.code(), StatusCode::kIoError) << s.to_string();
        refused = batch;
        ++sessions_failed;
        EXPECT_EQ(db->put("x", "y").code(), StatusCode::kFailedState);
        break;
      }
    }
    flaky.disable();
    db = reopen(std::move(db));
    expect_holds_one_of(*db, model_, refused);
    const auto found = testing::ScanAll(*db);
    model_ = testing::Model(found.begin(), found.end());
  }
  EXPECT_GT(sessions_failed, 0);
}

}  // namespace
}  // namespace engine
