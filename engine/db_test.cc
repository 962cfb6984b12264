// The Db API's contract: option checks, size limits, batches as single
// transactions (all or nothing, nothing committed when nothing changes),
// close, and use from several threads.
#include "engine/db.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/tree_test_util.h"
#include "vfs/mem_vfs.h"
#include "vfs/test_util.h"

namespace engine {
namespace {

using testing::NumberedKey;
using testing::OpenOrDie;
using testing::Problems;
using testing::ScanAll;
using testing::SmallOptions;

TEST(DbOpen, RefusesPageSizesOutsideThePowersOfTwoFrom512To65536) {
  vfs::MemVfs vfs;
  for (uint32_t size : {256u, 1000u, 131072u}) {
    auto db = Db::open(vfs, "db", SmallOptions(size));
    ASSERT_FALSE(db.ok()) << size;
    EXPECT_EQ(db.status().code(), vfs::StatusCode::kInvalidArgument);
    EXPECT_NE(db.status().message().find(std::to_string(size)), std::string::npos) << db.status().message();
  }
}

TEST(DbOpen, MutantOptionFollowsTheBuild) {
  vfs::MemVfs vfs;
  Options options;
  options.mutant = Mutant::kLeakEmptyLeaves;
  auto db = Db::open(vfs, "db", options);
  if (kMutantsCompiled) {
    EXPECT_TRUE(db.ok()) << db.status().to_string();
  } else {
    ASSERT_FALSE(db.ok());
    EXPECT_EQ(db.status().code(), vfs::StatusCode::kInvalidArgument);
  }
}

TEST(DbOpen, ReadOnlyOpenOfAMissingDatabaseFails) {
  vfs::MemVfs vfs;
  Options options;
  options.create_if_missing = false;
  auto db = Db::open(vfs, "nothing-here", options);
  ASSERT_FALSE(db.ok());
  EXPECT_FALSE(*vfs.exists("nothing-here"));
}

TEST(DbLimits, KeysUpToMaxKeySizeAreStoredLongerOnesRefused) {
  vfs::MemVfs vfs;
  for (uint32_t page_size : {512u, 4096u, 65536u}) {
    auto db = OpenOrDie(vfs, "db" + std::to_string(page_size), SmallOptions(page_size));
    ASSERT_TRUE(db);
    const uint32_t limit = max_key_size(page_size);
    EXPECT_EQ(limit, page_size / 4);
    const std::string longest(limit, 'k');
    ASSERT_TRUE(db->put(longest, "fits").ok());
    std::string v;
    ASSERT_TRUE(db->get(longest, &v).ok());
    EXPECT_EQ(v, "fits");

    auto before = db->stats();
    WriteBatch batch;
    batch.put("fine", "1");
    batch.put(std::string(limit + 1, 'k'), "too long");
    const Status s = db->write(batch);
    EXPECT_EQ(s.code(), vfs::StatusCode::kInvalidArgument);
    EXPECT_NE(s.message().find(std::to_string(limit + 1)), std::string::npos) << s.message();
    EXPECT_NE(s.message().find(std::to_string(limit)), std::string::npos) << s.message();
    auto after = db->stats();
    ASSERT_TRUE(before.ok() && after.ok());
    EXPECT_EQ(after->commits, before->commits);  // refused before the transaction began
    EXPECT_TRUE(db->get("fine", &v).is_not_found());
    EXPECT_EQ(db->del(std::string(limit + 1, 'k')).code(), vfs::StatusCode::kInvalidArgument);
    EXPECT_EQ(db->get(std::string(limit + 1, 'k'), &v).code(), vfs::StatusCode::kInvalidArgument);
  }
}

TEST(DbLimits, ValuesOverTheMaximumAreRefused) {
  vfs::MemVfs vfs;
  auto db = OpenOrDie(vfs, "db", SmallOptions(4096));
  ASSERT_TRUE(db);
  const std::string too_big(kMaxValueSize + 1, 'v');
  const Status s = db->put("k", too_big);
  EXPECT_EQ(s.code(), vfs::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find(std::to_string(kMaxValueSize)), std::string::npos) << s.message();
  auto stats = db->stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->page_count, 1u);  // not a page touched
}

TEST(DbKeys, TheEmptyKeyIsAnOrdinaryKeyThatSortsFirst) {
  vfs::MemVfs vfs;
  auto db = OpenOrDie(vfs, "db", SmallOptions(512));
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->put("a", "1").ok());
  ASSERT_TRUE(db->put("", "empty").ok());
  std::string v;
  ASSERT_TRUE(db->get("", &v).ok());
  EXPECT_EQ(v, "empty");
  const auto entries = ScanAll(*db);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].first, "");
  ASSERT_TRUE(db->del("").ok());
  EXPECT_TRUE(db->get("", &v).is_not_found());
}

TEST(DbBatches, ChangingNothingWritesNothing) {
  vfs::MemVfs vfs;
  auto db = OpenOrDie(vfs, "db", SmallOptions(512));
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->put("present", "v").ok());
  auto before = db->stats();
  ASSERT_TRUE(before.ok());
  ASSERT_TRUE(db->write(WriteBatch{}).ok());
  WriteBatch absent;
  absent.del("missing-1");
  absent.del("missing-2");
  ASSERT_TRUE(db->write(absent).ok());
  ASSERT_TRUE(db->del("missing-3").ok());
  auto after = db->stats();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->commits, before->commits);
  EXPECT_EQ(after->wal_bytes, before->wal_bytes);
  EXPECT_EQ(after->wal_syncs, before->wal_syncs);
}

TEST(DbBatches, LaterOpsSeeEarlierOnesOfTheSameBatch) {
  vfs::MemVfs vfs;
  auto db = OpenOrDie(vfs, "db", SmallOptions(512));
  ASSERT_TRUE(db);
  WriteBatch batch;
  batch.put("a", "1");
  batch.put("a", "2");
  batch.del("b");
  batch.put("b", "3");
  batch.put("c", "4");
  batch.del("c");
  ASSERT_TRUE(db->write(batch).ok());
  const auto entries = ScanAll(*db);
  EXPECT_EQ(entries, (std::vector<std::pair<std::string, std::string>>{{"a", "2"}, {"b", "3"}}));
  auto stats = db->stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->key_count, 2u);
}

// A Vfs over MemVfs whose reads fail once a budget is spent, to break a
// batch in the middle.
class FailingReadsVfs final : public vfs::test_util::ForwardingVfs {
 public:
  explicit FailingReadsVfs(vfs::MemVfs& base) : ForwardingVfs(base) {}
  // Reads left before they fail; negative: never fail.
  void set_read_budget(int reads) { budget_ = reads; }

 private:
  class File final : public vfs::test_util::ForwardingFile {
   public:
    File(std::unique_ptr<vfs::File> base, int& budget) : ForwardingFile(std::move(base)), budget_(budget) {}
    Result<size_t> read_at(uint64_t offset, std::span<uint8_t> buf) override {
      if (budget_ == 0) return Status::io_error("read " + path() + " at offset " + std::to_string(offset) + ": injected");
      if (budget_ > 0) --budget_;
      return ForwardingFile::read_at(offset, buf);
    }

   private:
    int& budget_;
  };

  std::unique_ptr<vfs::File> wrap(std::unique_ptr<vfs::File> file) override {
    return std::make_unique<File>(std::move(file), budget_);
  }

  int budget_ = -1;
};

// A batch that fails at any point leaves nothing of itself behind: tried
// with the failure at every read the batch makes.
TEST(DbBatches, AFailedBatchLeavesNothingVisible) {
  vfs::MemVfs mem;
  FailingReadsVfs vfs(mem);
  const Options options = SmallOptions(512, 1);
  std::vector<std::pair<std::string, std::string>> original;
  {
    auto db = OpenOrDie(vfs, "db", options);
    ASSERT_TRUE(db);
    WriteBatch fill;
    for (int i = 0; i < 400; i += 2) fill.put(NumberedKey(i), "old");
    ASSERT_TRUE(db->write(fill).ok());
    original = ScanAll(*db);
  }
  bool failed_mid_batch = false;
  for (int budget = 0; budget < 60; ++budget) {
    SCOPED_TRACE("read budget " + std::to_string(budget));
    vfs.set_read_budget(-1);
    auto db = OpenOrDie(vfs, "db", options);
    ASSERT_TRUE(db);
    vfs.set_read_budget(budget);
    WriteBatch batch;  // new keys and overwrites spread over the whole key range
    for (int i = 1; i < 400; i += 37) batch.put(NumberedKey(i), "new");
    for (int i = 0; i < 400; i += 51) batch.put(NumberedKey(i), "overwritten");
    for (int i = 4; i < 400; i += 43) batch.del(NumberedKey(i));
    const Status s = db->write(batch);
    vfs.set_read_budget(-1);
    if (s.ok()) break;  // the budget covered the whole batch
    failed_mid_batch = failed_mid_batch || s.message().find("operation 0 ") == std::string::npos;
    EXPECT_EQ(ScanAll(*db), original) << s.to_string();
    EXPECT_EQ(Problems(*db), std::vector<std::string>{});
    ASSERT_TRUE(db->close().ok());
  }
  EXPECT_TRUE(failed_mid_batch) << "no budget broke the batch after its first operation";
}

TEST(DbClose, CallsAfterCloseFailAndCloseIsIdempotent) {
  vfs::MemVfs vfs;
  auto db = OpenOrDie(vfs, "db", SmallOptions(512));
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->put("k", "v").ok());
  ASSERT_TRUE(db->close().ok());
  EXPECT_TRUE(db->close().ok());
  std::string v;
  EXPECT_FALSE(db->put("k", "v").ok());
  EXPECT_FALSE(db->get("k", &v).ok());
  EXPECT_FALSE(db->verify().ok());
  EXPECT_FALSE(db->stats().ok());
  EXPECT_FALSE(db->new_cursor().ok());
}

TEST(DbStats, ReportTheTreeAndTheFile) {
  vfs::MemVfs vfs;
  auto db = OpenOrDie(vfs, "db", SmallOptions(1024));
  ASSERT_TRUE(db);
  auto empty = db->stats();
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->page_size, 1024u);
  EXPECT_EQ(empty->depth, 0u);
  EXPECT_EQ(empty->key_count, 0u);
  EXPECT_EQ(empty->page_count, 1u);
  WriteBatch batch;
  for (int i = 0; i < 1000; ++i) batch.put(NumberedKey(i), "v");
  ASSERT_TRUE(db->write(batch).ok());
  auto full = db->stats();
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->key_count, 1000u);
  EXPECT_GE(full->depth, 2u);
  EXPECT_GT(full->page_count, 10u);
  EXPECT_GT(full->wal_bytes, empty->wal_bytes);
  EXPECT_EQ(full->commits, empty->commits + 1);
  ASSERT_TRUE(db->checkpoint().ok());
  auto checkpointed = db->stats();
  ASSERT_TRUE(checkpointed.ok());
  EXPECT_EQ(checkpointed->checkpoints, full->checkpoints + 1);
  EXPECT_LT(checkpointed->wal_bytes, full->wal_bytes);
}

TEST(DbThreads, WritersReadersAndCursorsShareOneDb) {
  vfs::MemVfs vfs;
  auto db = OpenOrDie(vfs, "db", SmallOptions(512, 8));
  ASSERT_TRUE(db);
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&db, t] {
      for (int i = 0; i < 300; ++i) {
        const std::string key = NumberedKey(i * 3 + t);
        EXPECT_TRUE(db->put(key, std::to_string(t)).ok());
        if (i % 3 == 0) {
          EXPECT_TRUE(db->del(key).ok());
        }
      }
    });
  }
  threads.emplace_back([&db] {
    for (int round = 0; round < 20; ++round) {
      auto cursor = db->new_cursor();
      ASSERT_TRUE(cursor.ok());
      std::string last;
      bool first = true;
      for ((*cursor)->seek_to_first(); (*cursor)->valid(); (*cursor)->next()) {
        EXPECT_TRUE(first || std::string((*cursor)->key()) > last);  // order holds across concurrent commits
        last = (*cursor)->key();
        first = false;
      }
      EXPECT_TRUE((*cursor)->status().ok());
    }
  });
  for (auto& th : threads) th.join();
  auto stats = db->stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->key_count, 600u);
  EXPECT_EQ(Problems(*db), std::vector<std::string>{});
}

// Readers' gets beside writers: the writers stage beside readers holding
// the lock shared (docs/concurrency.md), and a cache smaller than the tree
// makes both sides read past it. Every key is always present, and a reader
// never sees a key's value go back to an older round.
TEST(DbThreads, GetsBesideWritersSeeEachKeyOnlyMoveForward) {
  vfs::MemVfs vfs;
  auto db = OpenOrDie(vfs, "db", SmallOptions(512, 12));
  ASSERT_TRUE(db);
  constexpr int kKeys = 300;
  constexpr int kRounds = 6;
  const auto value_of = [](int round, int k) { return std::to_string(round) + "-" + std::to_string(k); };
  WriteBatch fill;
  for (int k = 0; k < kKeys; ++k) fill.put(NumberedKey(k), value_of(0, k));
  ASSERT_TRUE(db->write(fill).ok());

  std::atomic<int> writers_left{2};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 1; round <= kRounds; ++round) {
        for (int k = t; k < kKeys; k += 2) EXPECT_TRUE(db->put(NumberedKey(k), value_of(round, k)).ok());
      }
      --writers_left;
    });
  }
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&, r] {
      std::vector<int> seen(kKeys, 0);
      for (int k = r; writers_left.load() > 0; k = (k + 7) % kKeys) {
        std::string value;
        const Status s = db->get(NumberedKey(k), &value);
        ASSERT_TRUE(s.ok()) << NumberedKey(k) << ": " << s.to_string();
        const size_t dash = value.find('-');
        ASSERT_NE(dash, std::string::npos) << value;
        ASSERT_EQ(value.substr(dash + 1), std::to_string(k));
        const int round = std::stoi(value.substr(0, dash));
        ASSERT_GE(round, seen[k]) << NumberedKey(k) << " went back to an older value";
        seen[k] = round;
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int k = 0; k < kKeys; ++k) {
    std::string value;
    ASSERT_TRUE(db->get(NumberedKey(k), &value).ok());
    EXPECT_EQ(value, value_of(kRounds, k));
  }
  EXPECT_EQ(Problems(*db), std::vector<std::string>{});
}

}  // namespace
}  // namespace engine
