// Short transfers, interrupted calls and read errors, on real files: the
// first two are absorbed by PosixVfs's retry loops and cost no byte; a read
// error is always an error (from get, a cursor, verify or open), never
// missing or wrong data, and leaves nothing behind once the disk reads again
// (docs/failure-semantics.md).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/fault_test_util.h"

namespace engine {
namespace {

using ::testing::HasSubstr;
using testing::expect_holds_exactly;
using testing::FaultTest;
using testing::Model;
using testing::numbered_puts;
using testing::NumberedKey;
using testing::ScopedFailpoint;
using vfs::StatusCode;
namespace failpoint = vfs::failpoint;

class IoFault : public FaultTest {
 protected:
  // Batches of puts and deletes with values from a few bytes to several
  // pages (overflow chains), checkpointing now and then, so that every kind
  // of write the engine makes happens: WAL frames and header, data pages.
  void run_workload(Db& db) {
    for (int round = 0; round < 24; ++round) {
      WriteBatch batch = numbered_puts(round * 4, 6, round % 3 == 0 ? 1500 : 10 + round * 9, round);
      batch.del(NumberedKey(round * 2));
      ASSERT_TRUE(write(db, batch).ok()) << round;
      if (round % 8 == 7) {
        ASSERT_TRUE(db.checkpoint().ok()) << round;
      }
    }
  }
};

TEST_F(IoFault, ShortTransfersAndInterruptedCallsLoseNoByte) {
  {
    ScopedFailpoint short_io = ScopedFailpoint::behaviour(failpoint::kShortIo);
    ScopedFailpoint eintr = ScopedFailpoint::behaviour(failpoint::kEintr);
    auto db = open_db();  // creation too goes through the loops
    run_workload(*db);
    expect_holds_exactly(*db, model_);
    db = reopen(std::move(db));
    expect_holds_exactly(*db, model_);
  }
  auto db = open_db();
  expect_holds_exactly(*db, model_);
}

// Where the pages a read needs live: the data file (after a checkpoint) or
// the WAL (committed, not yet checkpointed).
enum class PagesIn { kDataFile, kWal };

class ReadFault : public IoFault, public ::testing::WithParamInterface<PagesIn> {
 protected:
  // Enough keys for a tree of many pages, far more than the cache holds.
  std::unique_ptr<Db> populated() {
    auto db = open_db();
    for (int round = 0; round < 8; ++round) EXPECT_TRUE(write(*db, numbered_puts(round * 40, 40, 30)).ok());
    if (GetParam() == PagesIn::kDataFile) db = reopen(std::move(db));
    return db;
  }
};

void expect_read_error(const Status& s) {
  EXPECT_EQ(s.code(), StatusCode::kIoError) << s.to_string();
  EXPECT_THAT(s.message(), HasSubstr("read "));
  EXPECT_THAT(s.message(), HasSubstr("Input/output error (EIO)"));
}

TEST_P(ReadFault, EveryReadFailingIsAnErrorFromGetCursorAndVerify) {
  auto db = populated();
  {
    ScopedFailpoint reads = ScopedFailpoint::always(failpoint::kRead, EIO);
    int errors = 0;
    for (const auto& [key, value] : model_) {
      std::string got;
      const Status s = db->get(key, &got);
      if (s.ok()) {
        EXPECT_EQ(got, value) << key;  // served from the cache
      } else {
        expect_read_error(s);
        ++errors;
      }
    }
    EXPECT_GT(errors, 0);

    auto cursor = db->new_cursor();
    ASSERT_TRUE(cursor.ok()) << cursor.status().to_string();
    size_t seen = 0;
    for ((*cursor)->seek_to_first(); (*cursor)->valid(); (*cursor)->next()) ++seen;
    EXPECT_LT(seen, model_.size());
    expect_read_error((*cursor)->status());

    // A failed read says nothing about the file: verify() reports the
    // error, not the pages it could not reach as leaks.
    const auto report = db->verify();
    ASSERT_FALSE(report.ok()) << report->violations.size() << " violations reported instead";
    expect_read_error(report.status());
  }
  // Nothing of the failures stayed behind (no empty page in the cache).
  expect_holds_exactly(*db, model_);
}

// Reads failing at random (libfiu's generator, fixed seed): each answer is
// the right value or an error, never "not found" and never another value;
// a cursor yields an exact prefix of the contents and then stops with the error.
TEST_P(ReadFault, RandomReadFailuresNeverYieldMissingOrWrongData) {
  auto db = populated();
  int errors = 0;
  int answers = 0;
  {
    ScopedFailpoint reads = ScopedFailpoint::random(failpoint::kRead, 0.3f, 4242, EIO);
    for (const auto& [key, value] : model_) {
      std::string got;
      const Status s = db->get(key, &got);
      if (s.ok()) {
        EXPECT_EQ(got, value) << key;
        ++answers;
      } else {
        expect_read_error(s);
        ++errors;
      }
    }
    for (int scan = 0; scan < 5; ++scan) {
      auto cursor = db->new_cursor();
      ASSERT_TRUE(cursor.ok()) << cursor.status().to_string();
      auto expected = model_.begin();
      for ((*cursor)->seek_to_first(); (*cursor)->valid(); (*cursor)->next(), ++expected) {
        ASSERT_NE(expected, model_.end());
        ASSERT_EQ((*cursor)->key(), expected->first);
        ASSERT_EQ((*cursor)->value(), expected->second);
      }
      if (expected != model_.end()) expect_read_error((*cursor)->status());
    }
  }
  EXPECT_GT(errors, 0);
  EXPECT_GT(answers, 0);
  expect_holds_exactly(*db, model_);
}

INSTANTIATE_TEST_SUITE_P(Pages, ReadFault, ::testing::Values(PagesIn::kDataFile, PagesIn::kWal),
                         [](const ::testing::TestParamInfo<PagesIn>& info) {
                           return std::string(info.param == PagesIn::kDataFile ? "InDataFile" : "InWal");
                         });

// An open whose reads fail must fail, never take the files for an empty or
// unfinished database and create one over them. The WAL still holds
// transactions (the close could not checkpoint), so recovery has work.
TEST_F(IoFault, AnOpenThatCannotReadFailsAndLeavesTheDatabaseAlone) {
  auto db = open_db();
  for (int round = 0; round < 5; ++round) ASSERT_TRUE(write(*db, numbered_puts(round * 30, 30, 30)).ok());
  {
    ScopedFailpoint no_checkpoint = ScopedFailpoint::always(failpoint::kWrite, EIO);
    EXPECT_FALSE(db->close().ok());
  }
  for (const char* point : {failpoint::kOpen, failpoint::kRead, failpoint::kSize}) {
    ScopedFailpoint failing = ScopedFailpoint::always(point, EIO);
    auto opened = Db::open(vfs_, path_, quiet_options());
    ASSERT_FALSE(opened.ok()) << point;
    EXPECT_EQ(opened.status().code(), StatusCode::kIoError) << opened.status().to_string();
  }
  // Each try opens its own copy of the files, so that every one meets the
  // same WAL to recover, whatever the tries before it did.
  for (unsigned seed = 1; seed <= 20; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const std::string copy = dir_.path() + "/copy" + std::to_string(seed);
    std::filesystem::copy_file(path_, copy);
    std::filesystem::copy_file(path_ + "-wal", copy + "-wal");
    ScopedFailpoint flaky = ScopedFailpoint::random(failpoint::kRead, 0.05f, seed, EIO);
    auto opened = Db::open(vfs_, copy, quiet_options());
    flaky.disable();
    if (opened.ok()) {
      expect_holds_exactly(**opened, model_);
    } else {
      EXPECT_EQ(opened.status().code(), StatusCode::kIoError) << opened.status().to_string();
    }
  }
  db = open_db();
  expect_holds_exactly(*db, model_);
}

}  // namespace
}  // namespace engine
