#include "crashsim/disk_image.h"

#include <memory>
#include <vector>

#include <gtest/gtest.h>

namespace crashsim {
namespace {

SharedBytes buffer(std::initializer_list<uint8_t> bytes) { return std::make_shared<const Bytes>(bytes); }

TEST(HashCache, RemembersALiveBufferByIdentity) {
  HashCache cache;
  const SharedBytes a = buffer({1, 2, 3});
  EXPECT_FALSE(cache.find(a));
  EXPECT_EQ(cache.hash(a), bytes_hash(*a));
  EXPECT_EQ(cache.find(a), bytes_hash(*a));
  // Equal contents in another buffer: not the same entry.
  EXPECT_FALSE(cache.find(buffer({1, 2, 3})));
}

TEST(HashCache, ForgetsAFreedBufferWhoseAddressIsReused) {
  HashCache cache;
  // Buffer and control block allocated apart (not make_shared), so the
  // buffer's memory is freed while the cache's weak reference lives on.
  std::shared_ptr<const Bytes> first(new Bytes{1, 2, 3});
  const Bytes* address = first.get();
  cache.insert(first, 42);  // a stand-in hash, so a stale hit would show
  first.reset();
  // Allocate until a new buffer lands where the freed one was.
  std::vector<SharedBytes> keep;
  SharedBytes reused;
  for (int i = 0; i < 10000 && !reused; ++i) {
    std::shared_ptr<const Bytes> b(new Bytes{4, 5, 6});
    if (b.get() == address) reused = b;
    keep.push_back(std::move(b));
  }
  if (!reused) GTEST_SKIP() << "the allocator never reused the address";
  EXPECT_FALSE(cache.find(reused));
  EXPECT_EQ(cache.hash(reused), bytes_hash(*reused));
}

TEST(HashCache, KeepsNoBufferAlive) {
  HashCache cache;
  auto a = std::make_shared<const Bytes>(Bytes(4096, 7));
  const std::weak_ptr<const Bytes> watch = a;
  cache.hash(a);
  a.reset();
  EXPECT_TRUE(watch.expired());
}

TEST(ImageHash, EqualImagesHashEquallyWhetherCachedOrNot) {
  HashCache cache;
  DiskImage x;
  x.files["db"] = buffer({1, 2});
  x.files["db-wal"] = buffer({3});
  DiskImage y;
  y.files["db"] = buffer({1, 2});
  y.files["db-wal"] = buffer({3});
  EXPECT_EQ(image_hash(x, &cache), image_hash(y));
  y.files["db-wal"] = buffer({4});
  EXPECT_NE(image_hash(x, &cache), image_hash(y, &cache));
}

}  // namespace
}  // namespace crashsim
