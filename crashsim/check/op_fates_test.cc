#include "crashsim/check/op_fates.h"

#include <gtest/gtest.h>

#include "crashsim/record/recording_vfs.h"
#include "crashsim/test_util.h"
#include "vfs/mem_vfs.h"

namespace crashsim {
namespace {

using testing::write_text;

class OpFatesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto f = rec_.open("f", vfs::OpenMode::kCreate);  // 0
    ASSERT_TRUE(f.ok());
    file_ = std::move(f).value();
    ASSERT_TRUE(rec_.sync_dir(".").ok());                            // 1
    ASSERT_TRUE(write_text(*file_, 0, "AAAA").ok());                 // 2
    ASSERT_TRUE(file_->sync().ok());                                 // 3
    rec_.mark(OpKind::kCommitAcked, 0);                              // 4
    ASSERT_TRUE(write_text(*file_, 0, std::string(8, 'x')).ok());    // 5: sectors 0, 1 of 4 bytes
    ASSERT_TRUE(file_->sync().ok());                                 // 6
    trace_ = rec_.trace();
    durable_ = durable_at(trace_, {});
    frontier_ = frontiers_at(trace_, {}, {6}).front();  // the crash comes just before the second sync
  }

  std::vector<OpRecord> fates(ModelKind kind, const Choice& choice) {
    return ops_around(trace_, durable_, frontier_, kind, choice, 10);
  }

  vfs::MemVfs mem_;
  RecordingVfs rec_{mem_};
  std::unique_ptr<vfs::File> file_;
  Trace trace_;
  std::vector<uint64_t> durable_;
  Frontier frontier_;
};

TEST_F(OpFatesTest, LoseUnsyncedDropsThePendingWrite) {
  const std::vector<OpRecord> ops = fates(ModelKind::kLoseUnsynced, Choice{});
  ASSERT_EQ(ops.size(), 7u);
  EXPECT_EQ(ops[0].fate, OpFate::kPersisted);  // create, covered by the sync-dir
  EXPECT_EQ(ops[1].fate, OpFate::kBarrier);
  EXPECT_EQ(ops[2].fate, OpFate::kPersisted);
  EXPECT_EQ(ops[2].note, "synced by op 3");
  EXPECT_EQ(ops[4].fate, OpFate::kMarker);
  EXPECT_EQ(ops[5].fate, OpFate::kDropped);
  EXPECT_EQ(ops[5].op, "write f @0 +8");
  EXPECT_EQ(ops[6].fate, OpFate::kNotIssued);
}

TEST_F(OpFatesTest, TornNamesTheSectorsThatReachedTheDisk) {
  const auto choice = decode_choice(ModelKind::kTorn, "4:2", trace_, frontier_);
  ASSERT_TRUE(choice.ok());
  const std::vector<OpRecord> ops = fates(ModelKind::kTorn, *choice);
  EXPECT_EQ(ops[5].fate, OpFate::kTorn);
  EXPECT_EQ(ops[5].note, "sectors 1 of 2 (4 bytes each) reached the disk");
}

TEST_F(OpFatesTest, TornNamesTheSectorThatHoldsNoise) {
  const auto choice = decode_choice(ModelKind::kTorn, "4:1:g0.1", trace_, frontier_);
  ASSERT_TRUE(choice.ok()) << choice.status().to_string();
  const std::vector<OpRecord> ops = fates(ModelKind::kTorn, *choice);
  EXPECT_EQ(ops[5].fate, OpFate::kTorn);
  EXPECT_EQ(ops[5].note, "sector 1 of 2 (4 bytes each) holds noise: it was being written; sectors 0 reached the disk");
}

TEST(OpFatesNamespaceTest, ReorderShowsWhetherAnUncoveredCreationReachedTheDisk) {
  vfs::MemVfs mem;
  RecordingVfs rec(mem);
  auto f = rec.open("f", vfs::OpenMode::kCreate);  // 0, never covered by a sync-dir
  ASSERT_TRUE(f.ok() && write_text(**f, 0, "data").ok());  // 1
  ASSERT_TRUE((*f)->sync().ok());                         // 2
  const Trace trace = rec.trace();
  const Frontier frontier = frontiers_at(trace, {}, {3}).front();
  for (const char* text : {"0", "1"}) {
    const auto choice = decode_choice(ModelKind::kReorder, text, trace, frontier);
    ASSERT_TRUE(choice.ok()) << choice.status().to_string();
    const std::vector<OpRecord> ops = ops_around(trace, durable_at(trace, {}), frontier, ModelKind::kReorder, *choice, 5);
    ASSERT_EQ(ops.size(), 3u);
    const bool created = std::string(text) == "1";
    EXPECT_EQ(ops[0].fate, created ? OpFate::kPersisted : OpFate::kDropped) << text;
    EXPECT_EQ(ops[0].note, created ? "no sync_dir of . before the crash, but it reached the disk in this state"
                                   : "no sync_dir of . before the crash");
    // The write was synced, but the file has a name only if its creation reached the disk.
    EXPECT_EQ(ops[1].fate, created ? OpFate::kPersisted : OpFate::kDropped) << text;
  }
}

TEST_F(OpFatesTest, ProcessCrashKeepsEverythingIssued) {
  for (const OpRecord& op : fates(ModelKind::kProcessCrash, Choice{})) {
    if (op.index < 6 && !is_marker(trace_.ops[op.index].kind) && trace_.ops[op.index].kind != OpKind::kSync &&
        trace_.ops[op.index].kind != OpKind::kSyncDir) {
      EXPECT_EQ(op.fate, OpFate::kPersisted) << op.op;
    }
  }
}

TEST_F(OpFatesTest, DroppedOpsFarBeforeTheWindowAreStillShown) {
  const std::vector<OpRecord> ops = ops_around(trace_, durable_, frontier_, ModelKind::kLoseUnsynced, Choice{}, 0);
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].index, 5u);
  EXPECT_EQ(ops[0].fate, OpFate::kDropped);
}

}  // namespace
}  // namespace crashsim
