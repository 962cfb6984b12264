#include "crashsim/fault_footprint.h"

#include <gtest/gtest.h>

#include "crashsim/recording_vfs.h"
#include "crashsim/test_util.h"
#include "vfs/mem_vfs.h"

namespace crashsim {
namespace {

using testing::write_text;

// Three acknowledged commits to one log file, 8 bytes each at offsets 0, 8
// and 16, each synced before its ack; the crash comes at the end.
class DroppableCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto f = rec_.open("log", vfs::OpenMode::kCreate);
    ASSERT_TRUE(f.ok());
    file_ = std::move(f).value();
    ASSERT_TRUE(rec_.sync_dir(".").ok());
    for (uint64_t txn = 0; txn < 3; ++txn) {
      rec_.mark(OpKind::kCommitCalled, txn);
      ASSERT_TRUE(write_text(*file_, txn * 8, std::string(8, static_cast<char>('a' + txn))).ok());
      ASSERT_TRUE(file_->sync().ok());
      rec_.mark(OpKind::kCommitAcked, txn);
    }
    trace_ = rec_.trace();
    durable_ = durable_at(trace_, {});
    frontier_ = frontiers_at(trace_, {}, {trace_.ops.size()}).front();
  }

  std::optional<uint64_t> droppable(std::vector<ByteSpan> footprint) {
    return droppable_commit(trace_, durable_, frontier_, footprint);
  }

  vfs::MemVfs mem_;
  RecordingVfs rec_{mem_};
  std::unique_ptr<vfs::File> file_;
  Trace trace_;
  std::vector<uint64_t> durable_;
  Frontier frontier_;
};

TEST_F(DroppableCommitTest, AFaultInTheLastCommitsBytesMayDropItAlone) {
  EXPECT_EQ(droppable({{"log", 20, 21}}), 2u);
}

TEST_F(DroppableCommitTest, AFaultOnlyInAnEarlierCommitDropsNothing) {
  EXPECT_EQ(droppable({{"log", 9, 10}}), std::nullopt) << "the last commit's intact bytes show it was durable";
  EXPECT_EQ(droppable({{"log", 0, 1}, {"log", 20, 21}}), 2u) << "the commit before last is the furthest back";
}

TEST_F(DroppableCommitTest, AFaultInTheLastTwoCommitsMayDropBoth) {
  // A misdirected part of the last commit's write that landed on the one before.
  EXPECT_EQ(droppable({{"log", 16, 24}, {"log", 8, 16}}), 1u);
}

TEST_F(DroppableCommitTest, BytesOutsideEveryCommitDropNothing) {
  EXPECT_EQ(droppable({{"log", 100, 101}}), std::nullopt);
  EXPECT_EQ(droppable({{"other", 16, 17}}), std::nullopt);
}

}  // namespace
}  // namespace crashsim
