#include "crashsim/record/disk_image.h"

#include <gtest/gtest.h>

namespace crashsim {
namespace {

FileContents contents(std::initializer_list<uint8_t> bytes) { return FileContents(Bytes(bytes)); }

TEST(ImageHash, EqualImagesHashEquallyWhateverTheirHistory) {
  DiskImage x;
  x.files["db"] = contents({1, 2});
  x.files["db-wal"] = contents({3});
  DiskImage y;
  y.files["db"] = contents({9, 9, 9});
  y.files["db"].truncate(0);
  y.files["db"].write(0, Bytes{1, 2});
  y.files["db-wal"] = contents({3});
  EXPECT_EQ(x, y);
  EXPECT_EQ(image_hash(x), image_hash(y));
  y.files["db-wal"] = contents({4});
  EXPECT_NE(x, y);
  EXPECT_NE(image_hash(x), image_hash(y));
}

TEST(ImageHash, NamesAndDirectoriesCount) {
  DiskImage x;
  x.files["a"] = contents({1});
  DiskImage y;
  y.files["b"] = contents({1});
  EXPECT_NE(image_hash(x), image_hash(y));
  DiskImage z = x;
  z.dirs.insert("d");
  EXPECT_NE(x, z);
  EXPECT_NE(image_hash(x), image_hash(z));
}

}  // namespace
}  // namespace crashsim
