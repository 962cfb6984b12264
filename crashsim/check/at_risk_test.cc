#include "crashsim/check/at_risk.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "crashsim/record/recording_vfs.h"
#include "crashsim/test_util.h"
#include "vfs/mem_vfs.h"

namespace crashsim {
namespace {

using ::testing::HasSubstr;
using testing::write_text;

TEST(AtRiskTest, ListsWhatAnAcknowledgedCommitLeftVolatile) {
  vfs::MemVfs mem;
  RecordingVfs rec(mem);
  auto wal = rec.open("wal", vfs::OpenMode::kCreate);  // 0, never sync_dir'd
  ASSERT_TRUE(wal.ok());
  ASSERT_TRUE(write_text(**wal, 0, "frame").ok());      // 1
  ASSERT_TRUE((*wal)->sync().ok());                     // 2
  rec.mark(OpKind::kCommitAcked, 0);                    // 3
  ASSERT_TRUE(rec.sync_dir(".").ok());                  // 4
  ASSERT_TRUE(write_text(**wal, 5, "frame2").ok());     // 5
  rec.mark(OpKind::kCommitAcked, 1);                    // 6
  ASSERT_TRUE((*wal)->sync().ok());                     // 7
  rec.mark(OpKind::kCommitAcked, 2);                    // 8

  const std::vector<AtRiskReport> reports = at_risk_reports(rec.trace(), {});
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0].txn, 0u);
  ASSERT_EQ(reports[0].items.size(), 1u);
  EXPECT_EQ(reports[0].items[0].op_index, 0u);
  EXPECT_THAT(reports[0].items[0].what, HasSubstr("directory entry not durable"));
  EXPECT_EQ(reports[1].txn, 1u);
  ASSERT_EQ(reports[1].items.size(), 1u);
  EXPECT_EQ(reports[1].items[0].op_index, 5u);
  EXPECT_EQ(reports[1].items[0].what, "6 bytes at offset 5 not synced");

  EXPECT_EQ(at_risk_reports(rec.trace(), {.creations_durable = true}).size(), 1u);
}

}  // namespace
}  // namespace crashsim
