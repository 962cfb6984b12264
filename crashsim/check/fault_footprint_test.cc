#include "crashsim/check/fault_footprint.h"

#include <gtest/gtest.h>

#include "crashsim/record/recording_vfs.h"
#include "crashsim/test_util.h"
#include "vfs/mem_vfs.h"

namespace crashsim {
namespace {

using testing::write_text;

// Three acknowledged commits to one log file, 8 bytes each at offsets 0, 8
// and 16, each synced before its ack; the crash comes at the end.
struct ThreeCommits {
  Trace trace;
  std::vector<uint64_t> durable;
  Frontier frontier;
};

ThreeCommits record_three_commits() {
  vfs::MemVfs mem;
  RecordingVfs rec(mem);
  auto log = rec.open("log", vfs::OpenMode::kCreate);
  EXPECT_TRUE(log.ok());
  EXPECT_TRUE(rec.sync_dir(".").ok());
  for (uint64_t txn = 0; txn < 3; ++txn) {
    rec.mark(OpKind::kCommitCalled, txn);
    EXPECT_TRUE(write_text(**log, txn * 8, std::string(8, static_cast<char>('a' + txn))).ok());
    EXPECT_TRUE((*log)->sync().ok());
    rec.mark(OpKind::kCommitAcked, txn);
  }
  ThreeCommits out;
  out.trace = rec.trace();
  out.durable = durable_at(out.trace, {});
  out.frontier = frontiers_at(out.trace, {}, {out.trace.ops.size()}).front();
  return out;
}

class DroppableCommitTest : public ::testing::Test {
 protected:
  std::optional<uint64_t> droppable(std::vector<ByteSpan> footprint) const {
    return droppable_commit(run_.trace, run_.durable, run_.frontier, footprint);
  }

  const ThreeCommits run_ = record_three_commits();
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
