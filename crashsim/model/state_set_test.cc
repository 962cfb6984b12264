#include "crashsim/model/state_set.h"

#include <gtest/gtest.h>

#include "crashsim/test_util.h"

namespace crashsim {
namespace {

using testing::contents_of;

DiskImage image_of(std::string_view db, std::string_view wal) {
  DiskImage image;
  image.files["db"] = contents_of(db);
  image.files["db-wal"] = contents_of(wal);
  return image;
}

StateSet::Rebuild no_rebuild() {
  return [](const std::string& id) -> vfs::Result<DiskImage> {
    return vfs::Status::invalid_argument("unexpected rebuild of " + id);
  };
}

TEST(StateSetTest, AnEqualImageWithTheSameExpectationIsADuplicate) {
  StateSet set(1 << 20, no_rebuild());
  const DiskImage a = image_of("data", "log");
  EXPECT_TRUE(*set.insert(a, 7, {3, false}, "1:lose-unsynced"));
  EXPECT_FALSE(*set.insert(image_of("data", "log"), 7, {3, false}, "2:lose-unsynced"));
  EXPECT_TRUE(*set.insert(a, 7, {3, true}, "3:lose-unsynced"));  // another expectation
  EXPECT_TRUE(*set.insert(a, 7, {3, false}, "1:lose-unsynced>4:lose-unsynced", 99, 1)) << "another oracle";
}

// A check goes as deep into nested states as its depth allows: an equal state
// nested deeper is a duplicate, one higher up is checked again.
TEST(StateSetTest, AnEqualStateIsADuplicateOnlyAtTheSameDepthOrDeeper) {
  StateSet set(1 << 20, no_rebuild());
  const DiskImage a = image_of("data", "log");
  EXPECT_TRUE(*set.insert(a, 7, {3, false}, "1:torn:512:1>2:torn:512:-", 0, 1));
  EXPECT_FALSE(*set.insert(a, 7, {3, false}, "1:torn:512:1>3:torn:512:-", 0, 1));
  EXPECT_FALSE(*set.insert(a, 7, {3, false}, "1:torn:512:1>3:torn:512:->1:torn:512:-", 0, 2));
  EXPECT_TRUE(*set.insert(a, 7, {3, false}, "4:torn:512:-", 0, 0));
  EXPECT_FALSE(*set.insert(a, 7, {3, false}, "5:torn:512:1>1:torn:512:-", 0, 1));
}

// The case the 64-bit hash alone got wrong: equal hashes, different bytes.
TEST(StateSetTest, AHashCollisionIsNotADuplicate) {
  StateSet set(1 << 20, no_rebuild());
  EXPECT_TRUE(*set.insert(image_of("data", "log"), 7, {3, false}, "1:lose-unsynced"));
  const DiskImage other = image_of("data", "LOG");
  EXPECT_TRUE(*set.insert(other, 7, {3, false}, "2:lose-unsynced"));
  EXPECT_FALSE(*set.insert(image_of("data", "LOG"), 7, {3, false}, "3:lose-unsynced"));
  EXPECT_EQ(set.collisions(), 2u);  // "LOG" vs "log" in the insert, then in the last insert
}

TEST(StateSetTest, SharedChunksAreCountedOnce) {
  constexpr uint64_t kChunk = FileContents::kChunkSize;
  StateSet set(1 << 20, no_rebuild());
  DiskImage a;
  a.files["db"] = FileContents(Bytes(10 * kChunk, 1));
  a.files["db-wal"] = contents_of("ab");
  DiskImage b = a;
  b.files["db"].write(3 * kChunk, Bytes{2});
  ASSERT_TRUE(*set.insert(a, 1, {}, "1:lose-unsynced"));
  ASSERT_TRUE(*set.insert(b, 2, {}, "2:lose-unsynced"));
  // a's ten chunks and its WAL's one, then the one chunk b's write copied.
  EXPECT_EQ(set.retained_bytes(), (10 + 1 + 1) * kChunk);
}

// The simulator keeps rebuild frontiers only once this turns false.
TEST(StateSetTest, ItHoldsEveryImageUntilAStateIsInsertedPastTheBudget) {
  StateSet set(1, no_rebuild());
  EXPECT_TRUE(set.holds_every_image());
  EXPECT_TRUE(*set.insert(image_of("data", "log"), 7, {}, "1:lose-unsynced"));
  EXPECT_TRUE(set.holds_every_image()) << "the budget was not spent before this insert";
  EXPECT_FALSE(*set.insert(image_of("data", "log"), 7, {}, "2:lose-unsynced"));
  EXPECT_TRUE(set.holds_every_image()) << "a duplicate is not kept at all";
  EXPECT_TRUE(*set.insert(image_of("data", "LOG"), 8, {}, "3:lose-unsynced"));
  EXPECT_FALSE(set.holds_every_image());
}

TEST(StateSetTest, PastTheBudgetImagesAreRebuiltFromTheirIds) {
  std::vector<std::string> rebuilt;
  StateSet set(0, [&rebuilt](const std::string& id) -> vfs::Result<DiskImage> {
    rebuilt.push_back(id);
    return image_of("data", id == "1:lose-unsynced" ? "log" : "LOG");
  });
  EXPECT_TRUE(*set.insert(image_of("data", "log"), 7, {}, "1:lose-unsynced"));
  EXPECT_EQ(set.retained_bytes(), 0u);
  EXPECT_TRUE(rebuilt.empty());
  EXPECT_FALSE(*set.insert(image_of("data", "log"), 7, {}, "2:lose-unsynced"));
  EXPECT_TRUE(*set.insert(image_of("data", "LOG"), 7, {}, "3:lose-unsynced"));
  EXPECT_EQ(rebuilt, (std::vector<std::string>{"1:lose-unsynced", "1:lose-unsynced"}));
}

TEST(StateSetTest, ARebuildThatFailsIsAnError) {
  StateSet set(0, no_rebuild());
  ASSERT_TRUE(*set.insert(image_of("a", "b"), 7, {}, "1:lose-unsynced"));
  const vfs::Result<bool> r = set.insert(image_of("a", "b"), 7, {}, "2:lose-unsynced");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("unexpected rebuild of 1:lose-unsynced"), std::string::npos);
}

}  // namespace
}  // namespace crashsim
