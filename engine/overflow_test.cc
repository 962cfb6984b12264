// Overflow chains: the chain functions on a real pager, and values of every
// size through the Db API.
#include "engine/overflow.h"

#include <gtest/gtest.h>

#include <string>

#include "engine/node.h"
#include "engine/tree_test_util.h"
#include "vfs/mem_vfs.h"

namespace engine {
namespace {

using testing::OpenOrDie;
using testing::Problems;
using testing::SmallOptions;

std::string Pattern(size_t n, uint32_t seed) {
  std::string s(n, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (auto& c : s) {
    x = x * 1103515245u + 12345u;
    c = char(x >> 16);
  }
  return s;
}

class ChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PagerOptions options;
    options.page_size = 512;
    auto pager = Pager::open(vfs_, "db", options);
    ASSERT_TRUE(pager.ok()) << pager.status().to_string();
    pager_ = std::move(pager).value();
  }

  // Writes `value` as a chain in its own transaction and returns the first page.
  PageNo Commit(std::string_view value) {
    auto meta = pager_->begin();
    EXPECT_TRUE(meta.ok());
    auto first = write_overflow_chain(*pager_, *meta, value);
    EXPECT_TRUE(first.ok()) << first.status().to_string();
    EXPECT_TRUE(pager_->commit(*meta).ok());
    return first.ok() ? *first : kNoPage;
  }

  // Rewrites page `pgno` in a transaction of its own.
  template <class Edit>
  void Damage(PageNo pgno, Edit edit) {
    auto meta = pager_->begin();
    ASSERT_TRUE(meta.ok());
    auto page = pager_->get_mutable(pgno);
    ASSERT_TRUE(page.ok());
    edit(**page);
    ASSERT_TRUE(pager_->commit(*meta).ok());
  }

  vfs::MemVfs vfs_;
  std::unique_ptr<Pager> pager_;
};

TEST_F(ChainTest, WritesFullPagesThenTheRest) {
  const uint32_t cap = overflow_capacity(512);
  const std::string value = Pattern(2 * cap + 10, 1);
  const PageNo first = Commit(value);
  std::string back(value.size(), '\0');
  ASSERT_TRUE(read_overflow_chain(*pager_, first, uint32_t(value.size()), back).ok());
  EXPECT_EQ(back, value);
  EXPECT_EQ(overflow_pages_for(value.size(), 512), 3u);
  EXPECT_EQ(pager_->meta().page_count, 1u + 3u);

  auto same = overflow_chain_equals(*pager_, first, uint32_t(value.size()), value);
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(*same);
  std::string changed = value;
  changed.back() ^= 1;
  auto different = overflow_chain_equals(*pager_, first, uint32_t(value.size()), changed);
  ASSERT_TRUE(different.ok());
  EXPECT_FALSE(*different);
}

TEST_F(ChainTest, FreeingReturnsEveryPage) {
  const std::string value = Pattern(5 * overflow_capacity(512), 2);
  const PageNo first = Commit(value);
  auto meta = pager_->begin();
  ASSERT_TRUE(meta.ok());
  ASSERT_TRUE(free_overflow_chain(*pager_, *meta, first, uint32_t(value.size())).ok());
  ASSERT_TRUE(pager_->commit(*meta).ok());
  EXPECT_EQ(pager_->meta().freelist_count, 5u);
}

TEST_F(ChainTest, ReadingADamagedChainIsCorruption) {
  const uint32_t cap = overflow_capacity(512);
  const std::string value = Pattern(3 * cap, 3);
  const PageNo first = Commit(value);
  std::string back(value.size(), '\0');

  // A chain cut short.
  Damage(first + 1, [](Page& p) { store_u32(&p.bytes[8], kNoPage); });
  Status s = read_overflow_chain(*pager_, first, uint32_t(value.size()), back);
  EXPECT_TRUE(s.is_corruption()) << s.to_string();
  // A loop back to the first page: the walk is bounded by the length.
  Damage(first + 1, [&](Page& p) { store_u32(&p.bytes[8], first); });
  s = read_overflow_chain(*pager_, first, uint32_t(value.size()), back);
  EXPECT_TRUE(s.is_corruption()) << s.to_string();
  // A wrong used length.
  Damage(first + 1, [&](Page& p) {
    store_u32(&p.bytes[8], first + 2);
    store_u32(&p.bytes[12], cap - 1);
  });
  s = read_overflow_chain(*pager_, first, uint32_t(value.size()), back);
  EXPECT_TRUE(s.is_corruption()) << s.to_string();
  // A page of the wrong type in the chain.
  Damage(first + 1, [&](Page& p) {
    store_u32(&p.bytes[12], cap);
    p.set_type(PageType::kLeaf);
  });
  s = read_overflow_chain(*pager_, first, uint32_t(value.size()), back);
  EXPECT_TRUE(s.is_corruption()) << s.to_string();
  // A last page that links on.
  Damage(first + 1, [&](Page& p) { p.set_type(PageType::kOverflow); });
  Damage(first + 2, [&](Page& p) { store_u32(&p.bytes[8], first); });
  s = read_overflow_chain(*pager_, first, uint32_t(value.size()), back);
  EXPECT_TRUE(s.is_corruption()) << s.to_string();
}

// Values of every interesting size, read back by get and by cursor.
class OverflowValueTest : public ::testing::TestWithParam<uint32_t> {};

TEST_P(OverflowValueTest, ValuesOfEverySizeRoundTrip) {
  const uint32_t page_size = GetParam();
  const NodeGeometry g = NodeGeometry::for_page_size(page_size);
  vfs::MemVfs vfs;
  auto db = OpenOrDie(vfs, "db", SmallOptions(page_size));
  ASSERT_TRUE(db);
  const std::string key = "key";
  const size_t inline_limit = g.max_cell - kSlotSize - kLeafCellHeaderSize - key.size();
  ASSERT_TRUE(g.value_fits_inline(key.size(), inline_limit));
  ASSERT_FALSE(g.value_fits_inline(key.size(), inline_limit + 1));
  const size_t cap = overflow_capacity(page_size);
  for (size_t size : {size_t{0}, size_t{1}, inline_limit, inline_limit + 1, cap, cap + 1, 3 * cap,
                      size_t{3} << 20}) {
    SCOPED_TRACE(size);
    const std::string value = Pattern(size, uint32_t(size));
    ASSERT_TRUE(db->put(key, value).ok());
    ASSERT_TRUE(db->put("neighbour", "n").ok());
    std::string back;
    ASSERT_TRUE(db->get(key, &back).ok());
    EXPECT_EQ(back, value);
    const auto entries = testing::ScanAll(*db);
    ASSERT_EQ(entries.size(), 2u);
    EXPECT_EQ(entries[0].second, value);
    EXPECT_EQ(Problems(*db), std::vector<std::string>{});
  }
}

INSTANTIATE_TEST_SUITE_P(PageSizes, OverflowValueTest, ::testing::Values(512u, 4096u, 65536u));

TEST(OverflowValues, OverwriteAndDeleteFreeTheChain) {
  vfs::MemVfs vfs;
  auto db = OpenOrDie(vfs, "db", SmallOptions(4096));
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->put("small", "s").ok());
  const std::string big = Pattern(1 << 20, 9);
  const uint64_t chain_pages = overflow_pages_for(big.size(), 4096);
  ASSERT_TRUE(db->put("big", big).ok());
  auto with_chain = db->stats();
  ASSERT_TRUE(with_chain.ok());
  EXPECT_EQ(with_chain->free_pages, 0u);

  ASSERT_TRUE(db->put("big", "tiny now").ok());  // overwrite: the chain goes back
  auto overwritten = db->stats();
  ASSERT_TRUE(overwritten.ok());
  EXPECT_EQ(overwritten->free_pages, chain_pages);
  EXPECT_EQ(Problems(*db), std::vector<std::string>{});

  ASSERT_TRUE(db->put("big", big).ok());  // the freed pages are used again
  auto reused = db->stats();
  ASSERT_TRUE(reused.ok());
  EXPECT_EQ(reused->page_count, with_chain->page_count);
  EXPECT_EQ(reused->free_pages, 0u);

  ASSERT_TRUE(db->del("big").ok());
  auto deleted = db->stats();
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(deleted->free_pages, chain_pages);
  EXPECT_EQ(Problems(*db), std::vector<std::string>{});
}

TEST(OverflowValues, PutOfTheStoredValueCommitsNothing) {
  vfs::MemVfs vfs;
  auto db = OpenOrDie(vfs, "db", SmallOptions(512));
  ASSERT_TRUE(db);
  const std::string big = Pattern(5000, 4);
  ASSERT_TRUE(db->put("big", big).ok());
  ASSERT_TRUE(db->put("small", "same").ok());
  auto before = db->stats();
  ASSERT_TRUE(db->put("big", big).ok());
  ASSERT_TRUE(db->put("small", "same").ok());
  auto after = db->stats();
  ASSERT_TRUE(before.ok() && after.ok());
  EXPECT_EQ(after->commits, before->commits);
  std::string changed = big;
  changed[4999] ^= 1;
  ASSERT_TRUE(db->put("big", changed).ok());
  auto changed_stats = db->stats();
  ASSERT_TRUE(changed_stats.ok());
  EXPECT_EQ(changed_stats->commits, before->commits + 1);
}

// One value past 16 MiB, across a reopen (the WAL and the checkpoint carry it).
TEST(OverflowValues, SixteenMegabyteValue) {
  vfs::MemVfs vfs;
  const std::string value = Pattern((16u << 20) + 12345, 16);
  {
    auto db = OpenOrDie(vfs, "db", SmallOptions(4096));
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->put("huge", value).ok());
    ASSERT_TRUE(db->close().ok());
  }
  auto db = OpenOrDie(vfs, "db", SmallOptions(0, 64));
  ASSERT_TRUE(db);
  std::string back;
  ASSERT_TRUE(db->get("huge", &back).ok());
  EXPECT_TRUE(back == value);
  EXPECT_EQ(Problems(*db), std::vector<std::string>{});
  ASSERT_TRUE(db->del("huge").ok());
  auto stats = db->stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->free_pages, stats->page_count - 1);
}

}  // namespace
}  // namespace engine
