#include "engine/page_cache.h"

#include <gtest/gtest.h>

#include <memory>

namespace engine {
namespace {

PageRef page(PageNo pgno, uint8_t marker = 0) {
  auto p = std::make_shared<Page>(pgno, 512);
  p->bytes[100] = marker;
  return p;
}

TEST(PageCache, MissThenHitReturnsTheSameImageWithoutCopying) {
  PageCache cache(4);
  EXPECT_EQ(cache.lookup(3), nullptr);
  const PageRef image = page(3);
  cache.insert(image);
  EXPECT_EQ(cache.lookup(3).get(), image.get());
  EXPECT_EQ(cache.peek(3).get(), image.get());
}

TEST(PageCache, InsertingAPageAgainReplacesItsImage) {
  PageCache cache(4);
  cache.insert(page(3, 1));
  cache.insert(page(3, 2));
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.lookup(3)->bytes[100], 2);
}

TEST(PageCache, NeverHoldsMoreThanItsCapacity) {
  PageCache cache(8);
  for (PageNo pgno = 1; pgno <= 100; ++pgno) {
    cache.insert(page(pgno));
    ASSERT_LE(cache.size(), 8u);
  }
  EXPECT_EQ(cache.size(), 8u);
  int cached = 0;
  for (PageNo pgno = 1; pgno <= 100; ++pgno) cached += cache.peek(pgno) != nullptr;
  EXPECT_EQ(cached, 8);
}

TEST(PageCache, APageInUseKeepsItsPlaceWhileAScanPassesThrough) {
  PageCache cache(4);
  cache.insert(page(1));
  for (PageNo pgno = 100; pgno < 140; ++pgno) {
    ASSERT_NE(cache.lookup(1), nullptr) << "hot page evicted before inserting page " << pgno;
    cache.insert(page(pgno));
  }
}

TEST(PageCache, AnEvictedImageStaysValidForItsHolder) {
  PageCache cache(1);
  cache.insert(page(1, 7));
  const PageRef held = cache.lookup(1);
  cache.insert(page(2));
  EXPECT_EQ(cache.lookup(1), nullptr);
  EXPECT_EQ(held->bytes[100], 7);
}

// The index is an array by page number: page numbers far apart, below and
// above the ones cached, and the slot an evicted page leaves must all map
// to the right image or to none.
TEST(PageCache, FindsEachImageByItsOwnPageNumberAcrossAWideRange) {
  PageCache cache(3);
  const PageNo numbers[] = {5, 1'000'000, 0};
  for (PageNo pgno : numbers) cache.insert(page(pgno, static_cast<uint8_t>(pgno % 251)));
  for (PageNo pgno : numbers) ASSERT_EQ(cache.lookup(pgno)->bytes[100], pgno % 251) << pgno;
  for (PageNo absent : {PageNo{1}, PageNo{6}, PageNo{999'999}, PageNo{1'000'001}, PageNo{4'000'000'000}})
    EXPECT_EQ(cache.peek(absent), nullptr) << absent;
  cache.insert(page(7, 77));  // every entry was referenced: the hand clears them all, then evicts the first
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_EQ(cache.peek(5), nullptr);
  EXPECT_EQ(cache.peek(7)->bytes[100], 77);
  EXPECT_EQ(cache.peek(1'000'000)->bytes[100], 1'000'000 % 251);
  EXPECT_EQ(cache.peek(0)->bytes[100], 0);
}

TEST(PageCache, ZeroCapacityCachesNothing) {
  PageCache cache(0);
  cache.insert(page(1));
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.lookup(1), nullptr);
}

}  // namespace
}  // namespace engine
