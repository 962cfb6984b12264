// Snapshots and cursors read one commit, whatever commits and checkpoints
// follow (docs/concurrency.md), and readers never wait for a writer's I/O.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "engine/db.h"
#include "engine/tree_test_util.h"
#include "vfs/mem_vfs.h"
#include "vfs/test_util.h"

namespace engine {
namespace {

using testing::OpenOrDie;
using Model = std::map<std::string, std::string>;

std::string Key(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "key%06d", i);
  return buf;
}

// Every entry a cursor reads, in order, with any error as a last entry.
Model Scan(Cursor& cursor) {
  Model seen;
  for (cursor.seek_to_first(); cursor.valid(); cursor.next()) seen.emplace(cursor.key(), cursor.value());
  if (!cursor.status().ok()) seen.emplace("<error>", cursor.status().to_string());
  return seen;
}

Model Scan(Snapshot& snapshot) {
  auto cursor = snapshot.new_cursor();
  EXPECT_TRUE(cursor.ok()) << cursor.status().to_string();
  return cursor.ok() ? Scan(**cursor) : Model{};
}

// Small pages and a small cache, so that a few hundred keys make a tree of
// several levels whose pages the cache cannot all hold, and checkpoints
// every few commits, so that a snapshot outlives many of them.
Options Churning() {
  Options o = testing::SmallOptions(512, 8);
  o.checkpoint_every_commits = 3;
  return o;
}

TEST(Snapshot, SeesItsCommitAcrossCommitsAndCheckpoints) {
  vfs::MemVfs vfs;
  auto db = OpenOrDie(vfs, "db", Churning());
  std::mt19937_64 rng(testing::TestSeed());
  Model model;
  struct Held {
    std::unique_ptr<Snapshot> snapshot;
    Model expected;
  };
  std::vector<Held> held;
  for (int round = 0; round < 60; ++round) {
    WriteBatch batch;
    for (int i = 0; i < 12; ++i) {
      const std::string key = Key(int(rng() % 400));
      if (rng() % 3 == 0) {
        batch.del(key);
        model.erase(key);
      } else {
        // Some values overflow a 512-byte page, so chains are read at old commits too.
        const std::string value(rng() % 5 == 0 ? 700 + rng() % 900 : 1 + rng() % 40, char('a' + round % 26));
        batch.put(key, value);
        model[key] = value;
      }
    }
    ASSERT_TRUE(db->write(batch).ok());
    if (round % 7 == 0) {
      auto snapshot = db->snapshot();
      ASSERT_TRUE(snapshot.ok()) << snapshot.status().to_string();
      held.push_back({std::move(*snapshot), model});
    }
  }
  ASSERT_TRUE(db->checkpoint().ok());
  for (const Held& h : held) {
    SCOPED_TRACE("snapshot at txn " + std::to_string(h.snapshot->sequence()));
    EXPECT_EQ(Scan(*h.snapshot), h.expected);
    for (int i = 0; i < 400; i += 13) {
      std::string value;
      const Status s = h.snapshot->get(Key(i), &value);
      const auto it = h.expected.find(Key(i));
      if (it == h.expected.end()) {
        EXPECT_TRUE(s.is_not_found()) << Key(i) << ": " << s.to_string();
      } else {
        ASSERT_TRUE(s.ok()) << Key(i) << ": " << s.to_string();
        EXPECT_EQ(value, it->second) << Key(i);
      }
    }
  }
  const std::vector<std::pair<std::string, std::string>> expected(model.begin(), model.end());
  EXPECT_EQ(testing::ScanAll(*db), expected);
  EXPECT_TRUE(testing::Problems(*db).empty());
}

TEST(Snapshot, ACursorNeverJumpsToALaterCommit) {
  vfs::MemVfs vfs;
  auto db = OpenOrDie(vfs, "db", Churning());
  Model before;
  for (int i = 0; i < 300; ++i) {
    ASSERT_TRUE(db->put(Key(i), "old" + std::to_string(i)).ok());
    before[Key(i)] = "old" + std::to_string(i);
  }
  auto cursor = db->new_cursor();
  ASSERT_TRUE(cursor.ok());
  Cursor& c = **cursor;
  Model seen;
  c.seek_to_first();
  for (int i = 0; i < 100 && c.valid(); ++i, c.next()) seen.emplace(c.key(), c.value());
  // Under the cursor: the keys ahead deleted, others rewritten and added,
  // the tree reshaped, and checkpoints overwriting the pages it reads.
  for (int i = 100; i < 300; i += 2) ASSERT_TRUE(db->del(Key(i)).ok());
  for (int i = 0; i < 300; i += 3) ASSERT_TRUE(db->put(Key(i) + "x", std::string(600, 'n')).ok());
  ASSERT_TRUE(db->checkpoint().ok());
  for (; c.valid(); c.next()) seen.emplace(c.key(), c.value());
  ASSERT_TRUE(c.status().ok()) << c.status().to_string();
  EXPECT_EQ(seen, before);
  // Backwards too, over the same commit.
  Model back;
  for (c.seek_to_last(); c.valid(); c.prev()) back.emplace(c.key(), c.value());
  EXPECT_EQ(back, before);
}

TEST(Snapshot, AtTheLastCommitReadsWhatGetReads) {
  vfs::MemVfs vfs;
  auto db = OpenOrDie(vfs, "db", Options{});
  ASSERT_TRUE(db->put("a", "1").ok());
  auto snapshot = db->snapshot();
  ASSERT_TRUE(snapshot.ok());
  std::string value;
  ASSERT_TRUE((*snapshot)->get("a", &value).ok());
  EXPECT_EQ(value, "1");
  EXPECT_TRUE((*snapshot)->get("b", &value).is_not_found());
  ASSERT_TRUE(db->put("a", "2").ok());
  ASSERT_TRUE((*snapshot)->get("a", &value).ok());
  EXPECT_EQ(value, "1");
  ASSERT_TRUE(db->get("a", &value).ok());
  EXPECT_EQ(value, "2");
}

TEST(Snapshot, PastItsMemoryBoundItExpiresInsteadOfReadingWrong) {
  vfs::MemVfs vfs;
  Options options = Churning();
  options.checkpoint_every_commits = 0;
  options.snapshot_memory_limit = 4 * 512;  // four kept pages
  auto db = OpenOrDie(vfs, "db", options);
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(db->put(Key(i), "v1").ok());
  ASSERT_TRUE(db->checkpoint().ok());
  auto old_snapshot = db->snapshot();
  ASSERT_TRUE(old_snapshot.ok());
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(db->put(Key(i), "v2").ok());
  ASSERT_TRUE(db->checkpoint().ok());  // overwrites far more than four of its pages
  std::string value;
  const Status s = (*old_snapshot)->get(Key(7), &value);
  EXPECT_EQ(s.code(), vfs::StatusCode::kExpired) << s.to_string();
  EXPECT_NE(s.message().find("snapshot_memory_limit"), std::string::npos) << s.to_string();
  auto cursor = (*old_snapshot)->new_cursor();
  ASSERT_TRUE(cursor.ok());
  (*cursor)->seek_to_first();
  EXPECT_FALSE((*cursor)->valid());
  EXPECT_EQ((*cursor)->status().code(), vfs::StatusCode::kExpired);
  // A new snapshot reads the last commit again.
  auto fresh = db->snapshot();
  ASSERT_TRUE(fresh.ok());
  ASSERT_TRUE((*fresh)->get(Key(7), &value).ok());
  EXPECT_EQ(value, "v2");
}

TEST(Snapshot, APlainCursorPastTheBoundMovesOnInTheLastCommit) {
  vfs::MemVfs vfs;
  Options options = Churning();
  options.checkpoint_every_commits = 0;
  options.snapshot_memory_limit = 4 * 512;
  auto db = OpenOrDie(vfs, "db", options);
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(db->put(Key(i), "v1").ok());
  auto cursor = db->new_cursor();
  ASSERT_TRUE(cursor.ok());
  Cursor& c = **cursor;
  std::vector<std::string> keys;
  c.seek_to_first();
  for (int i = 0; i < 10 && c.valid(); ++i, c.next()) {
    keys.emplace_back(c.key());
    EXPECT_EQ(c.value(), "v1");
  }
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(db->put(Key(i), "v2").ok());
  ASSERT_TRUE(db->checkpoint().ok());  // expires the cursor's point
  ASSERT_TRUE(c.valid());
  keys.emplace_back(c.key());
  EXPECT_EQ(c.value(), "v1") << "the entry the cursor stood on before";
  for (c.next(); c.valid(); c.next()) {
    keys.emplace_back(c.key());
    EXPECT_EQ(c.value(), "v2") << c.key();
  }
  ASSERT_TRUE(c.status().ok()) << c.status().to_string();
  ASSERT_EQ(keys.size(), 200u);  // each key once, in order
  for (int i = 0; i < 200; ++i) EXPECT_EQ(keys[i], Key(i));
}

TEST(Snapshot, WithinItsMemoryBoundItSurvivesCheckpoints) {
  vfs::MemVfs vfs;
  Options options = Churning();
  options.checkpoint_every_commits = 0;
  options.snapshot_memory_limit = 1 << 20;
  auto db = OpenOrDie(vfs, "db", options);
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(db->put(Key(i), "v1").ok());
  auto old_snapshot = db->snapshot();
  ASSERT_TRUE(old_snapshot.ok());
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 200; ++i) ASSERT_TRUE(db->put(Key(i), "v" + std::to_string(round + 2)).ok());
    ASSERT_TRUE(db->checkpoint().ok());
  }
  std::string value;
  ASSERT_TRUE((*old_snapshot)->get(Key(7), &value).ok());
  EXPECT_EQ(value, "v1");
}

TEST(Snapshot, OutlivingTheDatabaseItFailsCleanly) {
  vfs::MemVfs vfs;
  auto db = OpenOrDie(vfs, "db", Options{});
  ASSERT_TRUE(db->put("a", "1").ok());
  auto snapshot = db->snapshot();
  ASSERT_TRUE(snapshot.ok());
  auto cursor = (*snapshot)->new_cursor();
  ASSERT_TRUE(cursor.ok());
  ASSERT_TRUE(db->close().ok());
  db.reset();
  std::string value;
  EXPECT_EQ((*snapshot)->get("a", &value).code(), vfs::StatusCode::kInvalidArgument);
  (*cursor)->seek_to_first();
  EXPECT_FALSE((*cursor)->valid());
  EXPECT_FALSE((*cursor)->status().ok());
}

// A Vfs whose syncs of one file stop until the test lets them go: a sync
// that takes as long as the test wants, so a test can read while it runs.
class GatedVfs final : public vfs::test_util::ForwardingVfs {
 public:
  explicit GatedVfs(vfs::Vfs& base) : ForwardingVfs(base) {}

  // The next sync of `path` waits, after telling wait_until_held(), until release().
  void hold_next_sync(std::string path) {
    std::lock_guard lock(mu_);
    gated_path_ = std::move(path);
    holding_ = false;
    released_ = false;
  }
  void wait_until_held() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return holding_; });
  }
  void release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  class File final : public vfs::test_util::ForwardingFile {
   public:
    File(GatedVfs& owner, std::unique_ptr<vfs::File> base) : ForwardingFile(std::move(base)), owner_(owner) {}
    Status sync() override {
      owner_.gate(path());
      return ForwardingFile::sync();
    }

   private:
    GatedVfs& owner_;
  };

  std::unique_ptr<vfs::File> wrap(std::unique_ptr<vfs::File> file) override {
    return std::make_unique<File>(*this, std::move(file));
  }

  void gate(const std::string& path) {
    std::unique_lock lock(mu_);
    if (path != gated_path_) return;
    gated_path_.clear();
    holding_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return released_; });
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::string gated_path_;
  bool holding_ = false;
  bool released_ = false;
};

// Reads made while a writer's sync of `held_file` is stopped: they return
// (the test would hang otherwise) and see the last published commit, whose
// value of Key(5) is `published`; a snapshot taken before the write goes on
// reading its own.
void ReadWhileSyncIsHeld(const std::string& held_file, Options options, const std::function<Status(Db&)>& write,
                         const std::string& published) {
  vfs::MemVfs mem;
  GatedVfs vfs(mem);
  auto db = OpenOrDie(vfs, "db", options);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(db->put(Key(i), "before").ok());
  auto before = db->snapshot();
  ASSERT_TRUE(before.ok());
  vfs.hold_next_sync(held_file);
  Status written;
  std::thread writer([&] { written = write(*db); });
  // However the checks below end, the writer is let go and joined.
  struct LetGo {
    GatedVfs& vfs;
    std::thread& writer;
    ~LetGo() {
      vfs.release();
      if (writer.joinable()) writer.join();
    }
  } let_go{vfs, writer};
  vfs.wait_until_held();
  std::string value;
  ASSERT_TRUE(db->get(Key(5), &value).ok());
  EXPECT_EQ(value, published);
  auto cursor = db->new_cursor();
  ASSERT_TRUE(cursor.ok());
  Model seen = Scan(**cursor);
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_EQ(seen[Key(5)], published);
  EXPECT_EQ(seen[Key(99)], "before");
  ASSERT_TRUE((*before)->get(Key(5), &value).ok());
  EXPECT_EQ(value, "before");
  ASSERT_TRUE(db->stats().ok());
  vfs.release();
  writer.join();
  ASSERT_TRUE(written.ok()) << written.to_string();
  ASSERT_TRUE(db->get(Key(5), &value).ok());
  EXPECT_EQ(value, "after");
  ASSERT_TRUE((*before)->get(Key(5), &value).ok());
  EXPECT_EQ(value, "before");
  EXPECT_EQ(Scan(**before).size(), 100u);
}

TEST(ReadersBesideAWriter, ReadWhileACommitSyncs) {
  ReadWhileSyncIsHeld("db-wal", Options{}, [](Db& db) { return db.put(Key(5), "after"); }, "before");
}

TEST(ReadersBesideAWriter, ReadWhileACheckpointSyncsTheDataFile) {
  Options options;
  options.checkpoint_every_commits = 0;
  ReadWhileSyncIsHeld(
      "db", options,
      [](Db& db) {
        RETURN_IF_ERROR(db.put(Key(5), "after"));
        return db.checkpoint();
      },
      "after");
}

// Threads reading snapshots while a writer commits batches that keep one
// invariant: every key holds the same value. A reader that saw a commit in
// part, or two commits at once, finds two values.
TEST(ReadersBesideAWriter, EveryReadSeesOneWholeCommit) {
  vfs::MemVfs vfs;
  Options options = Churning();
  options.checkpoint_every_commits = 5;
  auto db = OpenOrDie(vfs, "db", options);
  constexpr int kKeys = 120;
  const auto write_all = [&](int round) {
    WriteBatch batch;
    for (int i = 0; i < kKeys; ++i) batch.put(Key(i), "round" + std::to_string(round) + std::string(round % 3 * 300, '.'));
    return db->write(batch);
  };
  ASSERT_TRUE(write_all(0).ok());
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::vector<std::string> failures;
  std::mutex failures_mu;
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      while (!done) {
        auto snapshot = db->snapshot();
        if (!snapshot.ok()) {
          std::lock_guard lock(failures_mu);
          failures.push_back(snapshot.status().to_string());
          return;
        }
        const Model seen = Scan(**snapshot);
        std::string value;
        const Status got = (*snapshot)->get(Key(kKeys / 2), &value);
        bool whole = seen.size() == kKeys && got.ok() && value == seen.begin()->second;
        for (const auto& [k, v] : seen) whole = whole && v == seen.begin()->second;
        if (!whole) {
          std::lock_guard lock(failures_mu);
          std::string values;
          for (const auto& [k, v] : seen) values += " " + k + "=" + v.substr(0, 8) + "/" + std::to_string(v.size());
          failures.push_back("snapshot at txn " + std::to_string((*snapshot)->sequence()) + " saw " +
                             std::to_string(seen.size()) + " keys, not all alike; get: " + got.to_string() + " " +
                             value.substr(0, 8) + "; scan:" + values);
          return;
        }
        ++reads;
      }
    });
  }
  Status written;
  for (int round = 1; round <= 60 && written.ok(); ++round) written = write_all(round);
  // At least a few reads overlap the commits, however the threads were scheduled.
  for (int round = 61; reads < 3 && written.ok(); ++round) {
    std::lock_guard lock(failures_mu);
    if (!failures.empty()) break;
    written = write_all(round);
  }
  done = true;
  for (auto& r : readers) r.join();
  ASSERT_TRUE(written.ok()) << written.to_string();
  EXPECT_TRUE(failures.empty()) << failures.front();
  EXPECT_GT(reads.load(), 0);
}

// Threads doing plain gets, and gets through snapshots taken at the last
// commit, while a writer commits rounds that rewrite every key with its
// round number. A get sees the last commit published when it starts, so a
// thread's gets never go back to an earlier round, and a value is always
// one whole round's. With a cache that holds the tree, most of these gets
// run side by side under the shared lock (BTree::get_shared); with a small
// one, most take it exclusively to read their pages.
void GetsNeverGoBack(size_t cache_pages) {
  vfs::MemVfs vfs;
  Options options = testing::SmallOptions(512, cache_pages);
  options.checkpoint_every_commits = 7;
  auto db = OpenOrDie(vfs, "db", options);
  constexpr int kKeys = 150;
  const auto value_of = [](int round, int key) { return "round" + std::to_string(round) + ":" + Key(key); };
  const auto write_round = [&](int round) {
    WriteBatch batch;
    for (int i = 0; i < kKeys; ++i) batch.put(Key(i), value_of(round, i));
    return db->write(batch);
  };
  ASSERT_TRUE(write_round(0).ok());
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::vector<std::string> failures;
  std::mutex failures_mu;
  const auto fail = [&](std::string what) {
    std::lock_guard lock(failures_mu);
    failures.push_back(std::move(what));
  };
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&, t] {
      int last_round = 0;
      for (uint32_t n = t; !done; n += 7) {
        const int key = int(n % kKeys);
        std::string value;
        Status got;
        if (n % 5 == 0) {
          auto snapshot = db->snapshot();
          got = snapshot.ok() ? (*snapshot)->get(Key(key), &value) : snapshot.status();
        } else {
          got = db->get(Key(key), &value);
        }
        const size_t colon = value.find(':');
        const int round = got.ok() && value.starts_with("round") && colon != std::string::npos
                              ? std::atoi(value.substr(5, colon - 5).c_str())
                              : -1;
        if (round < last_round || value != value_of(round, key)) {
          return fail("get of " + Key(key) + " after round " + std::to_string(last_round) + ": " + got.to_string() +
                      " '" + value + "'");
        }
        last_round = round;
        ++reads;
      }
    });
  }
  Status written;
  for (int round = 1; round <= 40 && written.ok(); ++round) written = write_round(round);
  for (int round = 41; reads < 100 && written.ok(); ++round) written = write_round(round);
  done = true;
  for (auto& r : readers) r.join();
  ASSERT_TRUE(written.ok()) << written.to_string();
  EXPECT_TRUE(failures.empty()) << failures.front();
}

TEST(ReadersBesideAWriter, SharedGetsNeverGoBack) { GetsNeverGoBack(1024); }

TEST(ReadersBesideAWriter, GetsThatMissTheCacheNeverGoBack) { GetsNeverGoBack(8); }

}  // namespace
}  // namespace engine
