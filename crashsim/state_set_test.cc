#include "crashsim/state_set.h"

#include <gtest/gtest.h>

#include "crashsim/test_util.h"

namespace crashsim {
namespace {

using testing::bytes_of;

DiskImage image_of(std::string_view db, std::string_view wal) {
  DiskImage image;
  image.files["db"] = bytes_of(db);
  image.files["db-wal"] = bytes_of(wal);
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
  EXPECT_TRUE(*set.contains(a, 7, {3, false}));
  EXPECT_FALSE(*set.contains(a, 7, {4, false}));
}

// The case the 64-bit hash alone got wrong: equal hashes, different bytes.
TEST(StateSetTest, AHashCollisionIsNotADuplicate) {
  StateSet set(1 << 20, no_rebuild());
  EXPECT_TRUE(*set.insert(image_of("data", "log"), 7, {3, false}, "1:lose-unsynced"));
  const DiskImage other = image_of("data", "LOG");
  EXPECT_FALSE(*set.contains(other, 7, {3, false}));
  EXPECT_TRUE(*set.insert(other, 7, {3, false}, "2:lose-unsynced"));
  EXPECT_FALSE(*set.insert(image_of("data", "LOG"), 7, {3, false}, "3:lose-unsynced"));
  EXPECT_EQ(set.collisions(), 3u);  // "LOG" vs "log" in contains, in insert, then in the last insert
}

TEST(StateSetTest, SharedBuffersAreCountedOnce) {
  StateSet set(1 << 20, no_rebuild());
  const DiskImage a = image_of("0123456789", "ab");
  DiskImage b = a;
  b.files["db-wal"] = bytes_of("abc");
  ASSERT_TRUE(*set.insert(a, 1, {}, "1:lose-unsynced"));
  ASSERT_TRUE(*set.insert(b, 2, {}, "2:lose-unsynced"));
  EXPECT_EQ(set.retained_bytes(), 10u + 2u + 3u);
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
