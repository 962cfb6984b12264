#include "crashsim/model/state_id.h"

#include <gtest/gtest.h>

namespace crashsim {
namespace {

TEST(StateIdTest, ParsesAndFormatsEveryModel) {
  for (const char* text : {"0:process-crash", "412:lose-unsynced", "412:reorder:b", "412:torn:512:0.ff.3",
                           "412:torn:512:-", "9:corrupt:512:bit-flip:8200:3:wal-header:dir/db-wal"}) {
    const auto id = StateId::parse(text);
    ASSERT_TRUE(id.ok()) << text << ": " << id.status().to_string();
    EXPECT_EQ(id->to_string(), text);
    EXPECT_EQ(id->segments.size(), 1u);
  }
  const auto id = StateId::parse("412:torn:512:0.ff.3");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->segments[0].point, 412u);
  EXPECT_EQ(id->segments[0].model, ModelKind::kTorn);
  EXPECT_EQ(id->segments[0].choice, "512:0.ff.3");
}

TEST(StateIdTest, NestedRecoveryStates) {
  const auto id = StateId::parse("412:reorder:5>17:reorder:1");
  ASSERT_TRUE(id.ok());
  ASSERT_EQ(id->segments.size(), 2u);
  EXPECT_EQ(id->segments[1].point, 17u);
  EXPECT_EQ(id->segments[1].choice, "1");
  EXPECT_EQ(id->to_string(), "412:reorder:5>17:reorder:1");
}

TEST(StateIdTest, RejectsMalformedIds) {
  for (const char* text : {"", "lose-unsynced", "x:lose-unsynced", "12:melt", "12:reorder:", "12:lose-unsynced>",
                           ":reorder:1"}) {
    const auto id = StateId::parse(text);
    EXPECT_FALSE(id.ok()) << text;
    EXPECT_EQ(id.status().code(), id.ok() ? vfs::StatusCode::kOk : vfs::StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace crashsim
