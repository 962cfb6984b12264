// Group commit: several writes, each its own transaction, share one WAL
// write and one sync (Db::write_group, and writes from several threads).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/db.h"
#include "engine/tree_test_util.h"
#include "engine/wal_format.h"
#include "vfs/mem_vfs.h"
#include "vfs/test_util.h"

namespace engine {
namespace {

using testing::apply;
using testing::Model;

Model contents(Db& db) {
  Model out;
  auto cursor = db.new_cursor();
  EXPECT_TRUE(cursor.ok()) << cursor.status().to_string();
  for ((*cursor)->seek_to_first(); (*cursor)->valid(); (*cursor)->next()) {
    out.emplace((*cursor)->key(), (*cursor)->value());
  }
  EXPECT_TRUE((*cursor)->status().ok()) << (*cursor)->status().to_string();
  return out;
}

std::string key_of(int i) { return "key" + std::to_string(1000000 + i); }

// What the WAL's file sees: syncs and writes counted, a sync or write made
// to fail once armed, and every write's offset and length recorded.
struct WalProbe {
  std::atomic<int> syncs{0};
  std::atomic<int> writes{0};
  bool fail_sync = false;
  bool fail_write = false;
  std::vector<std::pair<uint64_t, uint64_t>> written;  // offset, length
  // Called at each sync, before it runs.
  std::function<void()> on_sync;
};

class ProbedWal : public vfs::test_util::ForwardingFile {
 public:
  ProbedWal(std::unique_ptr<vfs::File> base, WalProbe& probe) : ForwardingFile(std::move(base)), probe_(probe) {}
  vfs::Status write_at(uint64_t offset, std::span<const uint8_t> data) override {
    ++probe_.writes;
    if (probe_.fail_write) return vfs::Status::io_error("write " + path() + ": injected");
    probe_.written.emplace_back(offset, data.size());
    return ForwardingFile::write_at(offset, data);
  }
  vfs::Status sync() override {
    if (probe_.on_sync) probe_.on_sync();
    if (probe_.fail_sync) return vfs::Status::io_error("sync " + path() + ": injected");
    ++probe_.syncs;
    return ForwardingFile::sync();
  }

 private:
  WalProbe& probe_;
};

class ProbedVfs : public vfs::test_util::ForwardingVfs {
 public:
  ProbedVfs(vfs::Vfs& base, WalProbe& probe) : ForwardingVfs(base), probe_(probe) {}

 protected:
  std::unique_ptr<vfs::File> wrap(std::unique_ptr<vfs::File> file) override {
    if (!file->path().ends_with("-wal")) return file;
    return std::make_unique<ProbedWal>(std::move(file), probe_);
  }

 private:
  WalProbe& probe_;
};

class GroupCommitTest : public ::testing::Test {
 protected:
  static Options test_options(Mutant mutant = Mutant::kNone) {
    Options options;
    options.page_size = 512;  // small pages: a few dozen keys split leaves
    options.checkpoint_every_commits = 0;
    options.checkpoint_wal_bytes = 0;
    options.mutant = mutant;
    return options;
  }

  std::unique_ptr<Db> open(Mutant mutant = Mutant::kNone, const std::string& path = "db") {
    auto db = Db::open(vfs_, path, test_options(mutant));
    EXPECT_TRUE(db.ok()) << db.status().to_string();
    return db.ok() ? std::move(db).value() : nullptr;
  }

  // Flips one byte of the WAL in a power cut's files.
  static void damage_wal(vfs::MemVfs& files, uint64_t offset) {
    auto wal = files.open("db-wal", vfs::OpenMode::kMustExist);
    ASSERT_TRUE(wal.ok());
    uint8_t byte = 0;
    ASSERT_TRUE((*wal)->read_at(offset, {&byte, 1}).ok());
    byte ^= 0x5a;
    ASSERT_TRUE((*wal)->write_at(offset, {&byte, 1}).ok());
  }

  // `count` batches of `per_batch` puts of new keys from `first`; every
  // third batch also deletes a key the batch before it put, and every fourth
  // rewrites one, so each batch builds on the one staged before it.
  static std::vector<WriteBatch> batches(int first, int count, int per_batch) {
    std::vector<WriteBatch> out(count);
    for (int b = 0; b < count; ++b) {
      for (int k = 0; k < per_batch; ++k) {
        const int i = first + b * per_batch + k;
        out[b].put(key_of(i), std::string(40 + i % 50, static_cast<char>('a' + i % 26)));
      }
      if (b > 0 && b % 3 == 0) out[b].del(key_of(first + (b - 1) * per_batch));
      if (b > 0 && b % 4 == 0) out[b].put(key_of(first + (b - 1) * per_batch + 1), "rewritten");
    }
    return out;
  }

  vfs::MemVfs mem_;
  WalProbe probe_;
  ProbedVfs vfs_{mem_, probe_};
};

TEST_F(GroupCommitTest, AGroupIsOneWalSyncAndEachBatchItsOwnCommit) {
  auto db = open();
  ASSERT_TRUE(db->put("before", "x").ok());
  const Stats before = *db->stats();
  const int syncs = probe_.syncs;
  const auto group = batches(0, 12, 6);
  std::vector<size_t> told;
  ASSERT_TRUE(db->write_group(group, [&](size_t i, const Status& s) {
                  EXPECT_TRUE(s.ok()) << s.to_string();
                  told.push_back(i);
                }).ok());
  EXPECT_EQ(told, (std::vector<size_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})) << "each told once, in order";
  EXPECT_EQ(probe_.syncs - syncs, 1);
  const Stats after = *db->stats();
  EXPECT_EQ(after.commits - before.commits, 12u);
  EXPECT_EQ(after.wal_syncs - before.wal_syncs, 1u);

  Model model{{"before", "x"}};
  for (const auto& batch : group) apply(model, batch);
  EXPECT_EQ(contents(*db), model);
  EXPECT_TRUE(db->verify()->ok());
  // Recovery replays the group's transactions like any others.
  db.reset();
  auto reopened = open();
  EXPECT_EQ(contents(*reopened), model);
  EXPECT_TRUE(reopened->verify()->ok());
}

TEST_F(GroupCommitTest, ABatchThatFailsFailsAloneAndTheOthersCommitInOrder) {
  auto db = open();
  std::vector<WriteBatch> group(3);
  group[0].put("a", "1");
  group[1].put("b", "2");
  group[1].put(std::string(max_key_size(512) + 1, 'k'), "too long");
  group[2].put("a", "3");
  std::vector<Status> told(3);
  const Status s = db->write_group(group, [&](size_t i, const Status& st) { told[i] = st; });
  EXPECT_TRUE(s.code() == vfs::StatusCode::kInvalidArgument) << s.to_string();
  EXPECT_TRUE(told[0].ok());
  EXPECT_TRUE(told[1].code() == vfs::StatusCode::kInvalidArgument) << told[1].to_string();
  EXPECT_TRUE(told[2].ok());
  EXPECT_EQ(contents(*db), (Model{{"a", "3"}}));
}

// The readers' view moves only once the group is durable: a batch is never
// acknowledged, nor visible, before the sync its frames depend on.
TEST_F(GroupCommitTest, EveryBatchIsAcknowledgedOnlyAfterTheSharedSync) {
  for (const Mutant mutant : {Mutant::kNone, Mutant::kGroupAckBeforeSync}) {
    if (mutant != Mutant::kNone && !kMutantsCompiled) continue;
    SCOPED_TRACE(mutant_name(mutant));
    auto db = open(mutant, std::string(mutant_name(mutant)));
    int told_before_sync = -1;
    int told = 0;
    probe_.on_sync = [&] {
      if (told_before_sync < 0) told_before_sync = told;
    };
    ASSERT_TRUE(db->write_group(batches(0, 4, 3), [&](size_t, const Status&) { ++told; }).ok());
    probe_.on_sync = nullptr;
    EXPECT_EQ(told, 4);
    if (mutant == Mutant::kNone) {
      EXPECT_EQ(told_before_sync, 0) << "a batch was acknowledged before the group's sync";
    } else {
      EXPECT_EQ(told_before_sync, 4) << "the mutant acknowledges every batch of the group before its sync";
    }
  }
}

TEST_F(GroupCommitTest, AFailedSyncFailsEveryBatchOfTheGroupAndEntersTheFailedState) {
  auto db = open();
  ASSERT_TRUE(db->put("before", "x").ok());
  probe_.fail_sync = true;
  std::vector<Status> told;
  std::vector<WriteBatch> group = batches(0, 3, 4);
  group.insert(group.begin() + 1, WriteBatch());
  group[1].del("absent");  // changes nothing, so stages nothing; it still fails with the group
  const Status s = db->write_group(group, [&](size_t, const Status& st) { told.push_back(st); });
  EXPECT_FALSE(s.ok());
  ASSERT_EQ(told.size(), 4u);
  for (const Status& st : told) EXPECT_FALSE(st.ok()) << "a batch of a group whose sync failed was acknowledged";
  probe_.fail_sync = false;
  EXPECT_TRUE(db->put("after", "y").code() == vfs::StatusCode::kFailedState);
  EXPECT_EQ(contents(*db), (Model{{"before", "x"}})) << "readers never saw the group";
}

TEST_F(GroupCommitTest, AFailedWriteOfSeveralTransactionsEntersTheFailedStateAndOfOneDoesNot) {
  auto db = open();
  probe_.fail_write = true;
  EXPECT_FALSE(db->put("one", "1").ok());
  probe_.fail_write = false;
  EXPECT_TRUE(db->put("two", "2").ok()) << "a failed write of one transaction is simply rolled back";

  probe_.fail_write = true;
  EXPECT_FALSE(db->write_group(batches(0, 2, 2)).ok());
  probe_.fail_write = false;
  EXPECT_TRUE(db->put("three", "3").code() == vfs::StatusCode::kFailedState)
      << "after a failed write of two, a shorter rewrite could leave the second's frames in sequence";
  EXPECT_EQ(contents(*db), (Model{{"two", "2"}}));
}

// A group whose sync failed may be on disk or not; if recovery takes it, it
// first writes back every frame of the last write (not only its last
// transaction's), since none of them is known to be durable.
TEST_F(GroupCommitTest, RecoveryWritesBackEveryTransactionOfTheLastWrite) {
  auto db = open();
  ASSERT_TRUE(db->put("before", "x").ok());
  const uint64_t group_start = db->stats()->wal_bytes;
  probe_.fail_sync = true;
  const auto group = batches(0, 3, 4);
  EXPECT_FALSE(db->write_group(group).ok());
  probe_.fail_sync = false;
  ASSERT_TRUE(db->close().ok());

  probe_.written.clear();
  auto reopened = open();
  ASSERT_FALSE(probe_.written.empty());
  const uint64_t slot = wal_slot_size(512);
  // Each transaction has a leaf at least, and the last the meta page too.
  EXPECT_EQ(probe_.written.front().first, group_start) << "the write back must start at the group's first frame";
  EXPECT_EQ((probe_.written.front().second) % slot, 0u);
  EXPECT_GE(probe_.written.front().second, (3 + 1) * slot);
  Model model{{"before", "x"}};
  for (const auto& batch : group) apply(model, batch);
  EXPECT_EQ(contents(*reopened), model) << "MemVfs keeps what a failed sync wrote: recovery finds the whole group";
}

// A power cut's files, as a new MemVfs.
std::unique_ptr<vfs::MemVfs> files_of(const vfs::MemVfs& mem) {
  auto copy = std::make_unique<vfs::MemVfs>();
  for (const auto& [path, bytes] : mem.snapshot()) copy->install_file(path, bytes);
  return copy;
}

// A torn group that recovery drops whole (its first transaction damaged, a
// later one intact) leaves that later transaction's frames past the WAL's
// end. When recovery does not checkpoint, it zeroes them: otherwise a
// shorter next commit would line them up next in sequence, and the recovery
// after it would apply frames written on a history it dropped.
TEST_F(GroupCommitTest, ATornGroupsLaterFramesNeverFollowTheNextCommit) {
  auto db = open();
  ASSERT_TRUE(db->put("base", "x").ok());
  ASSERT_TRUE(db->checkpoint().ok());  // the group opens a generation: nothing is replayed before it
  const uint64_t group_start = db->stats()->wal_bytes;
  std::vector<WriteBatch> group(2);
  group[0].put("long", std::string(1500, 'l'));  // overflow pages: a transaction of many frames
  group[1].put("later", "y");
  ASSERT_TRUE(db->write_group(group).ok());

  // The first transaction's first frame is damaged; the rest is intact.
  auto crashed = files_of(mem_);
  damage_wal(*crashed, group_start + 100);
  const Options options = test_options();
  auto recovered = Db::open(*crashed, "db", options);
  ASSERT_TRUE(recovered.ok()) << recovered.status().to_string();
  EXPECT_EQ(contents(**recovered), (Model{{"base", "x"}})) << "the torn group is dropped whole";
  ASSERT_TRUE((*recovered)->put("next", "z").ok());  // two frames where the dropped transaction had more

  auto again = files_of(*crashed);
  auto reopened = Db::open(*again, "db", options);
  ASSERT_TRUE(reopened.ok()) << reopened.status().to_string();
  EXPECT_EQ(contents(**reopened), (Model{{"base", "x"}, {"next", "z"}}));
  auto report = (*reopened)->verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok());
}

// A group's transactions but its last carry no meta frame: they commit
// with the last one's. A group whose last transaction is torn is dropped
// whole, however complete the earlier ones are; none was acknowledged.
TEST_F(GroupCommitTest, AGroupWhoseMetaFrameIsTornIsDroppedWhole) {
  auto db = open();
  ASSERT_TRUE(db->put("base", "x").ok());
  ASSERT_TRUE(db->checkpoint().ok());
  const uint64_t group_start = db->stats()->wal_bytes;
  std::vector<WriteBatch> group(3);
  group[0].put("a", "1");
  group[1].put("b", "2");
  group[2].put("c", "3");
  ASSERT_TRUE(db->write_group(group).ok());
  const uint64_t slot = wal_slot_size(512);
  const uint64_t group_end = db->stats()->wal_bytes;
  EXPECT_EQ(group_end - group_start, 4 * slot) << "three leaves and one meta frame";

  for (const bool torn : {false, true}) {
    auto crashed = files_of(mem_);
    if (torn) damage_wal(*crashed, group_end - slot + 100);
    auto recovered = Db::open(*crashed, "db", test_options());
    ASSERT_TRUE(recovered.ok()) << recovered.status().to_string();
    const Model whole{{"base", "x"}, {"a", "1"}, {"b", "2"}, {"c", "3"}};
    const Model before{{"base", "x"}};
    EXPECT_EQ(contents(**recovered), torn ? before : whole) << (torn ? "torn" : "whole");
  }
}

// Threads writing at once: each write is acknowledged once, only once
// durable, and a writer reads its own acknowledged write back at once.
TEST_F(GroupCommitTest, ConcurrentWritersEachSeeTheirOwnAcknowledgedWrites) {
  auto db = open();
  const uint64_t commits_before = db->stats()->commits;
  constexpr int kThreads = 8;
  constexpr int kWrites = 40;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int w = 0; w < kWrites; ++w) {
        const std::string key = key_of(t * kWrites + w);
        const std::string value = "thread " + std::to_string(t) + " write " + std::to_string(w);
        std::string read;
        if (!db->put(key, value).ok() || !db->get(key, &read).ok() || read != value) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(db->stats()->commits - commits_before, uint64_t{kThreads * kWrites});
  EXPECT_EQ(contents(*db).size(), size_t{kThreads * kWrites});
  EXPECT_TRUE(db->verify()->ok());
}

// A leader that has yielded its core for a while sleeps until a write
// queues or its patience (half the last flush) ends; a write that queues
// while it sleeps still shares its sync. Slow syncs stretch the patience far
// past the yielding, so the second write comes while the leader sleeps.
TEST_F(GroupCommitTest, AWriteThatQueuesWhileTheLeaderSleepsSharesItsSync) {
  auto db = open();
  probe_.on_sync = [] { std::this_thread::sleep_for(std::chrono::milliseconds(300)); };
  // A round of two writes: the next leader waits for two.
  ASSERT_TRUE(db->write_group(batches(0, 2, 1)).ok());
  const int syncs_before = probe_.syncs;
  std::thread first([&] { EXPECT_TRUE(db->put("first", "1").ok()); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_TRUE(db->put("second", "2").ok());
  first.join();
  probe_.on_sync = nullptr;
  EXPECT_EQ(probe_.syncs - syncs_before, 1);
  EXPECT_EQ(contents(*db).size(), size_t{4});
}

}  // namespace
}  // namespace engine
