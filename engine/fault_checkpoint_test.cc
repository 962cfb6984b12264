// I/O errors during a checkpoint, on real files: a failed data-file write
// leaves the WAL intact and the checkpoint is retried later or by recovery;
// a failed sync of either file puts the database into its failed state and
// loses nothing; a commit whose WAL sync succeeded stays acknowledged
// whatever its automatic checkpoint then meets (docs/failure-semantics.md).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <string>

#include "engine/fault_test_util.h"

namespace engine {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::expect_holds_exactly;
using testing::FaultTest;
using testing::numbered_puts;
using testing::ScopedFailpoint;
using vfs::StatusCode;
namespace failpoint = vfs::failpoint;

constexpr int kCommits = 6;

class CheckpointFaultBase : public FaultTest {
 protected:
  // kCommits acknowledged commits, all still only in the WAL.
  std::unique_ptr<Db> open_with_commits() {
    auto db = open_db();
    for (int round = 0; round < kCommits; ++round) EXPECT_TRUE(write(*db, numbered_puts(round * 15, 15, 45)).ok());
    return db;
  }

  Stats stats_of(Db& db) {
    auto stats = db.stats();
    EXPECT_TRUE(stats.ok()) << stats.status().to_string();
    return stats.ok() ? *stats : Stats{};
  }
};

// Parameter: the errno of the failed data-file write.
class CheckpointFault : public CheckpointFaultBase, public ::testing::WithParamInterface<int> {};

TEST_P(CheckpointFault, AFailedDataFileWriteLeavesTheWalIntactAndIsRetried) {
  const int err = GetParam();
  auto db = open_with_commits();
  const uint64_t wal_bytes = stats_of(*db).wal_bytes;
  {
    ScopedFailpoint data_write = ScopedFailpoint::once(failpoint::kWrite, err);
    const Status failed = db->checkpoint();
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.sys_errno(), err) << failed.to_string();
    EXPECT_THAT(failed.message(), HasSubstr("checkpoint of " + path_));
    EXPECT_THAT(failed.message(), HasSubstr("write " + path_ + " at offset"));
  }
  const Stats after = stats_of(*db);
  EXPECT_EQ(after.wal_bytes, wal_bytes);
  EXPECT_EQ(after.checkpoints, 0u);
  expect_holds_exactly(*db, model_);

  // Not a failed state: commits go on, and the checkpoint succeeds later.
  ASSERT_TRUE(write(*db, numbered_puts(500, 10, 45)).ok());
  ASSERT_TRUE(db->checkpoint().ok());
  EXPECT_EQ(stats_of(*db).checkpoints, 1u);
  db = reopen(std::move(db));
  expect_holds_exactly(*db, model_);
}

TEST_P(CheckpointFault, ACheckpointThatCannotWriteAtCloseIsRedoneByRecovery) {
  const int err = GetParam();
  auto db = open_with_commits();
  {
    ScopedFailpoint data_write = ScopedFailpoint::always(failpoint::kWrite, err);
    const Status closed = db->close();
    EXPECT_EQ(closed.sys_errno(), err) << closed.to_string();
  }
  db = open_db();
  const Stats stats = stats_of(*db);
  EXPECT_GE(stats.recovery.txns_replayed, uint64_t{kCommits});
  EXPECT_TRUE(stats.recovery.checkpoint_redone);
  expect_holds_exactly(*db, model_);
}

INSTANTIATE_TEST_SUITE_P(Errnos, CheckpointFault, ::testing::Values(EIO, ENOSPC),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return std::string(info.param == EIO ? "EIO" : "ENOSPC");
                         });

class CheckpointSyncFault : public CheckpointFaultBase {};

TEST_F(CheckpointSyncFault, AFailedDataFileSyncFailsTheDatabaseAndLosesNothing) {
  auto db = open_with_commits();
  {
    ScopedFailpoint data_sync = ScopedFailpoint::once(failpoint::kSync, EIO);
    const Status failed = db->checkpoint();
    EXPECT_EQ(failed.code(), StatusCode::kIoError) << failed.to_string();
    EXPECT_THAT(failed.message(), HasSubstr("sync " + path_ + ": Input/output error"));
  }
  const Status refused = db->put("later", "refused");
  EXPECT_EQ(refused.code(), StatusCode::kFailedState) << refused.to_string();
  EXPECT_THAT(refused.message(), HasSubstr("failed state after: sync " + path_ + ": Input/output error"));
  expect_holds_exactly(*db, model_);

  db = reopen(std::move(db));
  // The WAL was never reset, so recovery replays every commit from it.
  EXPECT_GE(stats_of(*db).recovery.txns_replayed, uint64_t{kCommits});
  expect_holds_exactly(*db, model_);
  ASSERT_TRUE(write(*db, numbered_puts(700, 5, 45)).ok());
}

// The checkpoint's last steps write the WAL header of the next generation
// and sync it: after a failure there the header on disk may name either
// generation. Parameter: the failing point, vfs/posix/write or /sync.
class WalResetFault : public CheckpointFaultBase, public ::testing::WithParamInterface<const char*> {};

TEST_P(WalResetFault, AFailedWalResetFailsTheDatabaseAndLosesNothing) {
  // The meta page and one leaf: the data pages go out in one write, then the
  // header; the data file is synced, then the WAL. So the second call of
  // either kind is the WAL's, which the message confirms.
  auto db = open_db();
  ASSERT_TRUE(write(*db, numbered_puts(0, 3, 20)).ok());
  {
    ScopedFailpoint reset = ScopedFailpoint::nth(GetParam(), 2, EIO);
    const Status failed = db->checkpoint();
    ASSERT_FALSE(failed.ok());
    EXPECT_THAT(failed.message(), HasSubstr(path_ + "-wal"));
  }
  EXPECT_EQ(db->put("later", "refused").code(), StatusCode::kFailedState);
  expect_holds_exactly(*db, model_);
  db = reopen(std::move(db));
  expect_holds_exactly(*db, model_);
  ASSERT_TRUE(write(*db, numbered_puts(10, 3, 20)).ok());
  db = reopen(std::move(db));
  expect_holds_exactly(*db, model_);
}

INSTANTIATE_TEST_SUITE_P(Points, WalResetFault, ::testing::Values(failpoint::kWrite, failpoint::kSync),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           return std::string(info.param == failpoint::kWrite ? "Write" : "Sync");
                         });

// Automatic checkpoints run inside the commit that triggers them, after its
// WAL sync: the commit is durable and stays acknowledged.
class AutoCheckpointFault : public CheckpointFaultBase {};

TEST_F(AutoCheckpointFault, ACommitStaysAcknowledgedWhenItsCheckpointCannotWrite) {
  Options options = quiet_options();
  options.checkpoint_every_commits = 1;
  auto db = open_db(options);
  ASSERT_TRUE(write(*db, numbered_puts(0, 20, 40)).ok());
  const uint64_t checkpoints = stats_of(*db).checkpoints;
  {
    // The commit's WAL write goes through; the checkpoint's data write does not.
    ScopedFailpoint data_write = ScopedFailpoint::nth(failpoint::kWrite, 2, ENOSPC);
    ASSERT_TRUE(write(*db, numbered_puts(100, 20, 40)).ok());
    EXPECT_EQ(data_write.calls(), 2u);
  }
  EXPECT_EQ(stats_of(*db).checkpoints, checkpoints);
  ASSERT_TRUE(write(*db, numbered_puts(200, 20, 40)).ok());
  EXPECT_EQ(stats_of(*db).checkpoints, checkpoints + 1);
  db = reopen(std::move(db), options);
  expect_holds_exactly(*db, model_);
}

TEST_F(AutoCheckpointFault, ACommitStaysAcknowledgedWhenItsCheckpointCannotSync) {
  Options options = quiet_options();
  options.checkpoint_every_commits = 1;
  auto db = open_db(options);
  ASSERT_TRUE(write(*db, numbered_puts(0, 20, 40)).ok());
  {
    // The commit's WAL sync goes through; the checkpoint's data-file sync does not.
    ScopedFailpoint data_sync = ScopedFailpoint::nth(failpoint::kSync, 2, EIO);
    ASSERT_TRUE(write(*db, numbered_puts(100, 20, 40)).ok());
  }
  const Status refused = db->put("later", "refused");
  EXPECT_EQ(refused.code(), StatusCode::kFailedState) << refused.to_string();
  EXPECT_THAT(refused.message(), HasSubstr("sync " + path_ + ":"));
  EXPECT_THAT(refused.message(), Not(HasSubstr("-wal")));
  db = reopen(std::move(db), options);
  expect_holds_exactly(*db, model_);
}

}  // namespace
}  // namespace engine
