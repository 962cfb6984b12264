#include "engine/node.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace engine {
namespace {

std::vector<uint8_t> LeafCell(std::string_view key, std::string_view value) {
  std::vector<uint8_t> cell;
  encode_inline_leaf_cell(&cell, key, value);
  return cell;
}

std::vector<uint8_t> InternalCell(std::string_view key, PageNo child) {
  std::vector<uint8_t> cell;
  encode_internal_cell(&cell, key, child);
  return cell;
}

std::vector<std::string> Keys(const NodeView& node) {
  std::vector<std::string> keys;
  for (uint32_t i = 0; i < node.count(); ++i) keys.emplace_back(node.key(i));
  return keys;
}

class NodeLayoutTest : public ::testing::TestWithParam<uint32_t> {};

TEST_P(NodeLayoutTest, EmptyLeafHasTheWholeUsableArea) {
  std::vector<uint8_t> page(GetParam(), 0xAB);
  MutableNode node(page);
  node.init(PageType::kLeaf);
  EXPECT_EQ(node.validate(), "");
  EXPECT_EQ(node.count(), 0u);
  EXPECT_EQ(node.content_start(), GetParam());
  EXPECT_EQ(node.used_bytes(), 0u);
  EXPECT_EQ(node.free_bytes(), NodeGeometry::for_page_size(GetParam()).usable);
  EXPECT_EQ(node.lower_bound("x").index, 0u);
  EXPECT_FALSE(node.lower_bound("x").found);
}

TEST_P(NodeLayoutTest, InsertKeepsSlotOrderAndRemoveRepacks) {
  std::vector<uint8_t> page(GetParam());
  MutableNode node(page);
  node.init(PageType::kLeaf);
  ASSERT_TRUE(node.insert(0, LeafCell("m", "middle")));
  ASSERT_TRUE(node.insert(0, LeafCell("a", "")));
  ASSERT_TRUE(node.insert(2, LeafCell("z", "last value")));
  ASSERT_TRUE(node.insert(2, LeafCell("q", "qq")));
  EXPECT_EQ(node.validate(), "");
  EXPECT_EQ(Keys(node), (std::vector<std::string>{"a", "m", "q", "z"}));
  EXPECT_EQ(node.value(1).inline_bytes, "middle");
  EXPECT_EQ(node.value(0).inline_bytes, "");
  EXPECT_FALSE(node.value(0).overflow);

  const uint32_t used_before = node.used_bytes();
  node.remove(1);  // "m": cells stored below it slide up
  EXPECT_EQ(node.validate(), "");
  EXPECT_EQ(Keys(node), (std::vector<std::string>{"a", "q", "z"}));
  EXPECT_EQ(node.value(2).inline_bytes, "last value");
  EXPECT_EQ(node.value(1).inline_bytes, "qq");
  EXPECT_EQ(used_before - node.used_bytes(), kSlotSize + LeafCell("m", "middle").size());
  node.remove(0);
  node.remove(1);
  node.remove(0);
  EXPECT_EQ(node.count(), 0u);
  EXPECT_EQ(node.content_start(), GetParam());
  EXPECT_EQ(node.validate(), "");
}

TEST_P(NodeLayoutTest, LowerBoundFindsKeysAndGaps) {
  std::vector<uint8_t> page(GetParam());
  MutableNode node(page);
  node.init(PageType::kLeaf);
  const std::vector<std::string> keys = {"", "b", "bb", "d", std::string("d\0", 2), "\xff"};
  for (const auto& k : keys) ASSERT_TRUE(node.insert(node.count(), LeafCell(k, "v")));
  for (uint32_t i = 0; i < keys.size(); ++i) {
    const auto pos = node.lower_bound(keys[i]);
    EXPECT_TRUE(pos.found) << i;
    EXPECT_EQ(pos.index, i);
  }
  EXPECT_EQ(node.lower_bound("a").index, 1u);
  EXPECT_FALSE(node.lower_bound("a").found);
  EXPECT_EQ(node.lower_bound("c").index, 3u);
  EXPECT_EQ(node.lower_bound("\xff\xff").index, keys.size());
}

// The search compares keys eight bytes at a time: byte order must stay
// memcmp's (unsigned bytes, a prefix first) across every length and word
// boundary, in leaves and internal nodes alike.
TEST_P(NodeLayoutTest, SearchesOrderKeysAsUnsignedBytesAtEveryLength) {
  std::mt19937 rng{7};
  const auto random_key = [&rng] {
    std::string key(rng() % 18, '\0');
    for (char& c : key) c = static_cast<char>("\x00\x01\x7f\x80\xfe\xff"[rng() % 6]);
    return key;
  };
  std::set<std::string> stored;
  while (stored.size() < 16) stored.insert(random_key());  // fits a 512-byte node
  const std::vector<std::string> sorted(stored.begin(), stored.end());
  std::vector<uint8_t> leaf_page(GetParam());
  std::vector<uint8_t> internal_page(GetParam());
  MutableNode leaf(leaf_page);
  MutableNode internal(internal_page);
  leaf.init(PageType::kLeaf);
  internal.init(PageType::kInternal, 1);
  for (uint32_t i = 0; i < sorted.size(); ++i) {
    ASSERT_TRUE(leaf.insert(i, LeafCell(sorted[i], "v")));
    ASSERT_TRUE(internal.insert(i, InternalCell(sorted[i], i + 2)));
  }
  for (int probe = 0; probe < 2000; ++probe) {
    const std::string key = probe % 3 == 0 ? sorted[rng() % sorted.size()] : random_key();
    const auto lower = std::lower_bound(sorted.begin(), sorted.end(), key);
    const auto upper = std::upper_bound(sorted.begin(), sorted.end(), key);
    const auto pos = leaf.lower_bound(key);
    EXPECT_EQ(pos.index, lower - sorted.begin()) << ::testing::PrintToString(key);
    EXPECT_EQ(pos.found, lower != sorted.end() && *lower == key);
    EXPECT_EQ(internal.child_index(key), upper - sorted.begin()) << ::testing::PrintToString(key);
  }
}

// Searching through a key digest must answer every question exactly as the
// plain view of the same bytes does, and both as std::lower_bound and
// std::upper_bound over the sorted keys: positions, found, children, values,
// counts and types, for a leaf and an internal node holding `sorted`.
void ExpectDigestSearchesAgree(uint32_t page_size, const std::vector<std::string>& sorted,
                               const std::vector<std::string>& probes) {
  std::vector<uint8_t> leaf_page(page_size);
  std::vector<uint8_t> internal_page(page_size);
  MutableNode leaf(leaf_page);
  MutableNode internal(internal_page);
  leaf.init(PageType::kLeaf);
  internal.init(PageType::kInternal, 1);
  for (uint32_t i = 0; i < sorted.size(); ++i) {
    ASSERT_TRUE(leaf.insert(i, LeafCell(sorted[i], "value " + std::to_string(i))));
    ASSERT_TRUE(internal.insert(i, InternalCell(sorted[i], i + 2)));
  }
  const std::vector<uint64_t> leaf_digest = leaf.key_digest();
  const std::vector<uint64_t> internal_digest = internal.key_digest();
  const NodeView fast_leaf(leaf_page, leaf_digest);
  const NodeView fast_internal(internal_page, internal_digest);
  ASSERT_EQ(fast_leaf.count(), sorted.size());
  ASSERT_EQ(fast_internal.count(), sorted.size());
  EXPECT_TRUE(fast_leaf.is_leaf());
  EXPECT_EQ(fast_internal.type(), PageType::kInternal);
  for (uint32_t i = 0; i < sorted.size(); ++i) {
    EXPECT_EQ(fast_leaf.key(i), sorted[i]);
    EXPECT_EQ(fast_leaf.value(i).inline_bytes, "value " + std::to_string(i));
    EXPECT_EQ(fast_internal.key(i), sorted[i]);
  }
  for (uint32_t i = 0; i <= sorted.size(); ++i) EXPECT_EQ(fast_internal.child(i), internal.child(i)) << i;
  for (const std::string& key : probes) {
    const auto lower = std::lower_bound(sorted.begin(), sorted.end(), key);
    const auto upper = std::upper_bound(sorted.begin(), sorted.end(), key);
    const auto pos = fast_leaf.lower_bound(key);
    EXPECT_EQ(pos.index, lower - sorted.begin()) << ::testing::PrintToString(key);
    EXPECT_EQ(pos.found, lower != sorted.end() && *lower == key) << ::testing::PrintToString(key);
    EXPECT_EQ(fast_internal.child_index(key), upper - sorted.begin()) << ::testing::PrintToString(key);
    EXPECT_EQ(fast_internal.child_index(key), internal.child_index(key));
  }
}

// Keys over a tiny alphabet that includes the zero byte, so that keys tie on
// their heads (a key padded with zeros against one that holds zeros), share
// long prefixes, or are prefixes of each other; with and without a common
// prefix longer than a head.
TEST_P(NodeLayoutTest, DigestSearchesAgreeWithThePlainSearch) {
  std::mt19937 rng{11};
  for (const std::string& common : {std::string(), std::string("user:0000"), std::string(40, '\x7f')}) {
    const auto random_key = [&] {
      std::string key = common.substr(0, rng() % 4 == 0 ? rng() % (common.size() + 1) : common.size());
      const size_t extra = rng() % 14;
      for (size_t i = 0; i < extra; ++i) key.push_back("\x00\x01\xff"[rng() % 3]);
      return key;
    };
    for (int round = 0; round < 20; ++round) {
      std::set<std::string> stored;
      const size_t want = 1 + rng() % 8;  // 512-byte nodes hold them
      while (stored.size() < want) stored.insert(random_key());
      const std::vector<std::string> sorted(stored.begin(), stored.end());
      std::vector<std::string> probes(sorted);
      for (int p = 0; p < 200; ++p) probes.push_back(random_key());
      probes.push_back("");
      probes.push_back(std::string(60, '\xff'));
      ExpectDigestSearchesAgree(GetParam(), sorted, probes);
    }
  }
}

TEST_P(NodeLayoutTest, DigestOfAnEmptyNodeFindsNothing) {
  ExpectDigestSearchesAgree(GetParam(), {}, {"", "a", std::string(3, '\0')});
}

// An internal node's digest holds a link per child, each with the mark its
// child was lent under; recording one child's link leaves the others alone.
// A leaf's digest has no links, and a digest stands alone as a view.
TEST_P(NodeLayoutTest, ChildLinksKeepTheirOwnMarks) {
  std::vector<uint8_t> internal_page(GetParam());
  MutableNode internal(internal_page);
  internal.init(PageType::kInternal, 7);
  for (uint32_t i = 0; i < 3; ++i) ASSERT_TRUE(internal.insert(i, InternalCell("key" + std::to_string(i), 8 + i)));
  std::vector<uint64_t> digest = internal.key_digest();
  const NodeView parent(internal_page, digest);
  const NodeView alone(parent.link(), GetParam());
  EXPECT_EQ(alone.count(), 3u);
  EXPECT_EQ(alone.child(0), 7u);
  EXPECT_EQ(alone.child_index("key1"), 2u);

  std::vector<uint8_t> child_pages[2] = {std::vector<uint8_t>(GetParam()), std::vector<uint8_t>(GetParam())};
  std::vector<uint64_t> child_digests[2];
  for (int i = 0; i < 2; ++i) {
    MutableNode(child_pages[i]).init(PageType::kLeaf);
    child_digests[i] = NodeView(child_pages[i]).key_digest();
  }
  const NodeLink first{child_pages[0].data(), child_digests[0].data(), child_digests[0].size(), {5, 70000}};
  const NodeLink second{child_pages[1].data(), child_digests[1].data(), child_digests[1].size(), {9, 3}};
  for (uint32_t i = 0; i < 4; ++i) EXPECT_EQ(parent.linked_child(i).mark.stamp, 0u) << "nothing recorded yet";
  NodeView::link_child(parent.link(), 1, first);
  NodeView::link_child(parent.link(), 3, second);
  EXPECT_EQ(parent.linked_child(1).page, first.page);
  EXPECT_EQ(parent.linked_child(1).digest, first.digest);
  EXPECT_EQ(parent.linked_child(1).digest_words, first.digest_words);
  EXPECT_EQ(parent.linked_child(1).mark.stamp, 5u);
  EXPECT_EQ(parent.linked_child(1).mark.slot, 70000u);
  EXPECT_EQ(parent.linked_child(3).digest, second.digest);
  EXPECT_EQ(parent.linked_child(3).mark.stamp, 9u);
  EXPECT_EQ(parent.linked_child(3).mark.slot, 3u);
  EXPECT_EQ(parent.linked_child(0).mark.stamp, 0u) << "child 0 was never linked";
  NodeView::link_child(parent.link(), 3, first);
  EXPECT_EQ(parent.linked_child(3).page, first.page);
  EXPECT_EQ(parent.linked_child(3).mark.stamp, 5u);
  EXPECT_EQ(parent.linked_child(1).page, first.page) << "relinking child 3 left child 1 alone";
  EXPECT_EQ(parent.child_index("key2"), 3u) << "links leave the search alone";
  EXPECT_EQ(NodeView(second, GetParam()).count(), 0u);
  EXPECT_TRUE(NodeView(second, GetParam()).is_leaf());
}

TEST_P(NodeLayoutTest, FullNodeRefusesAnInsertAndStaysUnchanged) {
  std::vector<uint8_t> page(GetParam());
  MutableNode node(page);
  node.init(PageType::kLeaf);
  const std::string value(100, 'v');
  uint32_t n = 0;
  while (node.insert(n, LeafCell("key" + std::to_string(100000 + n), value))) ++n;
  EXPECT_LT(node.free_bytes(), LeafCell("key100000", value).size() + kSlotSize);
  const std::vector<uint8_t> before = page;
  EXPECT_FALSE(node.insert(0, LeafCell("a", value)));
  EXPECT_EQ(page, before);
  EXPECT_EQ(node.validate(), "");
  EXPECT_EQ(node.used_bytes() + node.free_bytes(), NodeGeometry::for_page_size(GetParam()).usable);
}

TEST_P(NodeLayoutTest, InternalNodeRoutesKeysToChildren) {
  std::vector<uint8_t> page(GetParam());
  MutableNode node(page);
  node.init(PageType::kInternal, 7);
  ASSERT_TRUE(node.insert(0, InternalCell("g", 8)));
  ASSERT_TRUE(node.insert(1, InternalCell("p", 9)));
  EXPECT_EQ(node.validate(), "");
  EXPECT_EQ(node.child(0), 7u);
  EXPECT_EQ(node.child(1), 8u);
  EXPECT_EQ(node.child(2), 9u);
  EXPECT_EQ(node.child_index(""), 0u);
  EXPECT_EQ(node.child_index("f"), 0u);
  EXPECT_EQ(node.child_index("g"), 1u);  // a separator belongs to its right child
  EXPECT_EQ(node.child_index("o"), 1u);
  EXPECT_EQ(node.child_index("p"), 2u);
  EXPECT_EQ(node.child_index("zzz"), 2u);
  EXPECT_EQ(internal_cell_key(node.cell(1)), "p");
  EXPECT_EQ(internal_cell_child(node.cell(1)), 9u);
  node.set_leftmost_child(5);
  EXPECT_EQ(node.child(0), 5u);
}

TEST_P(NodeLayoutTest, OverflowCellRecordsChainHeadAndLength) {
  std::vector<uint8_t> page(GetParam());
  MutableNode node(page);
  node.init(PageType::kLeaf);
  std::vector<uint8_t> cell;
  encode_overflow_leaf_cell(&cell, "big", 5'000'000, 42);
  ASSERT_TRUE(node.insert(0, cell));
  EXPECT_EQ(node.validate(), "");
  const StoredValue v = node.value(0);
  EXPECT_TRUE(v.overflow);
  EXPECT_EQ(v.length, 5'000'000u);
  EXPECT_EQ(v.first_page, 42u);
  EXPECT_EQ(leaf_cell_key(node.cell(0)), "big");
}

TEST_P(NodeLayoutTest, MaximumKeysFitThreeToANode) {
  const NodeGeometry g = NodeGeometry::for_page_size(GetParam());
  std::vector<uint8_t> page(GetParam());
  MutableNode leaf(page);
  leaf.init(PageType::kLeaf);
  std::vector<uint8_t> cell;
  for (char c : {'a', 'b', 'c'}) {
    encode_overflow_leaf_cell(&cell, std::string(g.max_key, c), 1u << 20, 3);
    ASSERT_EQ(cell.size() + kSlotSize, g.max_cell);
    ASSERT_TRUE(leaf.insert(leaf.count(), cell));
  }
  EXPECT_EQ(leaf.validate(), "");
  std::vector<uint8_t> ipage(GetParam());
  MutableNode internal(ipage);
  internal.init(PageType::kInternal, 2);
  for (char c : {'a', 'b', 'c'}) ASSERT_TRUE(internal.insert(internal.count(), InternalCell(std::string(g.max_key, c), 3)));
  EXPECT_EQ(internal.validate(), "");
}

// A random mix of inserts and removes against a std::map, checking after every
// step that the slots, the packing and the free-space accounting hold.
TEST_P(NodeLayoutTest, RandomInsertRemoveMatchesModel) {
  std::mt19937 rng(GetParam());
  std::vector<uint8_t> page(GetParam());
  MutableNode node(page);
  node.init(PageType::kLeaf);
  std::map<std::string, std::string> model;
  for (int step = 0; step < 3000; ++step) {
    const std::string key = "k" + std::to_string(rng() % 400);
    const auto pos = node.lower_bound(key);
    ASSERT_EQ(pos.found, model.count(key) == 1);
    if (pos.found) {
      node.remove(pos.index);
      model.erase(key);
    } else {
      const std::string value(rng() % 60, char('a' + rng() % 26));
      if (node.insert(pos.index, LeafCell(key, value))) model[key] = value;
    }
    ASSERT_EQ(node.validate(), "") << "step " << step;
    ASSERT_EQ(node.count(), model.size());
  }
  uint32_t i = 0;
  for (const auto& [k, v] : model) {
    EXPECT_EQ(node.key(i), k);
    EXPECT_EQ(node.value(i).inline_bytes, v);
    ++i;
  }
}

INSTANTIATE_TEST_SUITE_P(PageSizes, NodeLayoutTest, ::testing::Values(512u, 4096u, 65536u));

TEST(NodeLayout, LargestPageUsesOffsetsUpTo65535) {
  std::vector<uint8_t> page(65536);
  MutableNode node(page);
  node.init(PageType::kLeaf);
  EXPECT_EQ(node.content_start(), 65536u);  // needs the u32 field
  ASSERT_TRUE(node.insert(0, LeafCell("last", "x")));
  EXPECT_EQ(node.content_start(), 65536u - LeafCell("last", "x").size());
  const std::string value(16000, 'v');
  uint32_t n = 1;
  while (node.insert(0, LeafCell("k" + std::to_string(n), value))) ++n;
  EXPECT_EQ(node.validate(), "");
  EXPECT_EQ(node.key(node.count() - 1), "last");
  node.remove(node.count() - 1);  // the cell at the very top of the page
  EXPECT_EQ(node.validate(), "");
  EXPECT_EQ(node.value(0).inline_bytes, value);
}

TEST(NodeValidate, ReportsDamagedLayouts) {
  std::vector<uint8_t> page(512);
  MutableNode node(page);
  node.init(PageType::kLeaf);
  ASSERT_TRUE(node.insert(0, LeafCell("a", "1")));
  ASSERT_TRUE(node.insert(1, LeafCell("b", "2")));
  ASSERT_EQ(node.validate(), "");

  auto damaged = [&](auto edit) {
    std::vector<uint8_t> copy = page;
    edit(copy);
    return NodeView(copy).validate();
  };
  EXPECT_NE(damaged([](auto& p) { p[4] = uint8_t(PageType::kOverflow); }), "");
  EXPECT_NE(damaged([](auto& p) { store_u32(&p[8], 1000); }), "");                 // count
  EXPECT_NE(damaged([](auto& p) { store_u32(&p[12], 600); }), "");                 // content start past the end
  EXPECT_NE(damaged([](auto& p) { store_u16(&p[kNodeHeaderSize], 510); }), "");    // slot near the end
  EXPECT_NE(damaged([](auto& p) { store_u16(&p[kNodeHeaderSize], 30); }), "");     // slot below the cells
  EXPECT_NE(damaged([&](auto& p) { p[load_u16(&p[kNodeHeaderSize])] = 0x80; }), "");  // flags
  EXPECT_NE(damaged([&](auto& p) { store_u32(&p[load_u16(&p[kNodeHeaderSize]) + 3], 0xFFFFFFFF); }), "");
  EXPECT_NE(damaged([&](auto& p) { store_u32(&p[load_u16(&p[kNodeHeaderSize]) + 3], 3); }), "");  // sizes no longer add up

  std::vector<uint8_t> overflow_cell;
  encode_overflow_leaf_cell(&overflow_cell, "big", (64u << 20) + 1, 9);
  EXPECT_NE(damaged([&](auto& p) { ASSERT_TRUE(MutableNode(p).insert(0, overflow_cell)); }), "");
  // Issue 17: an overflow cell of length 0 read as an empty value, exit 0.
  // Any length short enough to stay inline is damage.
  const uint32_t inline_limit = NodeGeometry::for_page_size(512).max_cell - kSlotSize - kLeafCellHeaderSize - 3;
  for (const uint32_t length : {0u, 1u, inline_limit}) {
    SCOPED_TRACE(length);
    overflow_cell.clear();
    encode_overflow_leaf_cell(&overflow_cell, "big", length, 9);
    const std::string problem = damaged([&](auto& p) { ASSERT_TRUE(MutableNode(p).insert(0, overflow_cell)); });
    EXPECT_NE(problem.find("cell 0 keeps a value of " + std::to_string(length) + " bytes in an overflow chain"),
              std::string::npos)
        << problem;
  }
  overflow_cell.clear();
  encode_overflow_leaf_cell(&overflow_cell, "big", inline_limit + 1, 9);
  EXPECT_EQ(damaged([&](auto& p) { ASSERT_TRUE(MutableNode(p).insert(0, overflow_cell)); }), "");

  std::vector<uint8_t> ipage(512);
  MutableNode internal(ipage);
  internal.init(PageType::kInternal, 0);
  EXPECT_NE(internal.validate(), "");  // leftmost child 0
  internal.set_leftmost_child(4);
  ASSERT_TRUE(internal.insert(0, InternalCell("k", 0)));
  EXPECT_NE(internal.validate(), "");  // cell child 0
}

TEST(NodeGeometry, BoundsHoldForEveryPageSize) {
  for (uint32_t size = 512; size <= 65536; size *= 2) {
    SCOPED_TRACE(size);
    const NodeGeometry g = NodeGeometry::for_page_size(size);
    EXPECT_EQ(g.usable, size - kNodeHeaderSize);
    EXPECT_EQ(g.max_key, size / 4);
    EXPECT_LE(3 * g.max_cell, g.usable);  // three maximum cells per node
    EXPECT_GT(g.min_fill, 0u);
    // The inequalities docs/tree-pages.md uses to show splits and rebalances
    // leave both sides at or above min_fill and at or below usable.
    EXPECT_LE(2 * g.min_fill + 2 * g.max_cell, g.usable);  // smaller side >= min_fill
    EXPECT_LE(g.min_fill + 2 * g.max_cell, g.usable);      // larger side fits after a rebalance
    EXPECT_TRUE(g.value_fits_inline(g.max_key, 4));
    EXPECT_FALSE(g.value_fits_inline(0, g.max_cell));
    EXPECT_TRUE(g.value_fits_inline(0, g.max_cell - kSlotSize - kLeafCellHeaderSize));
  }
}

TEST(ChooseCut, BalancesLeafBytes) {
  const std::vector<uint32_t> even(10, 50);
  EXPECT_EQ(choose_cut(even, false, 400), 5u);
  const std::vector<uint32_t> skewed = {300, 10, 10, 10, 10, 10};
  EXPECT_EQ(choose_cut(skewed, false, 400), 1u);  // the big cell alone on the left
  const std::vector<uint32_t> tail = {10, 10, 10, 10, 10, 300};
  EXPECT_EQ(choose_cut(tail, false, 400), 5u);
}

TEST(ChooseCut, InternalCutMovesOneCellUp) {
  const std::vector<uint32_t> even(11, 50);
  EXPECT_EQ(choose_cut(even, true, 400), 5u);  // five left, one up, five right
  const std::vector<uint32_t> big_middle = {40, 40, 40, 300, 40, 40, 40};
  EXPECT_EQ(choose_cut(big_middle, true, 200), 3u);  // the big separator goes up
}

TEST(ChooseCut, RefusesRunsThatCannotFitTwoNodes) {
  const std::vector<uint32_t> too_big = {300, 300, 300};
  EXPECT_EQ(choose_cut(too_big, false, 400), kNoCut);
  const std::vector<uint32_t> single = {10};
  EXPECT_EQ(choose_cut(single, false, 400), kNoCut);  // a leaf cut needs a cell on each side
}

TEST(ChooseCut, SidesStayAboveMinFillForWorstCaseRuns) {
  // Runs the tree can hand to choose_cut: more than one node's worth of bytes
  // in cells of at most max_cell, up to an underfull node plus a full sibling
  // plus a separator (a rebalance). Both sides must come out within
  // [min_fill, usable].
  std::mt19937 rng(7);
  for (uint32_t size : {512u, 4096u, 65536u}) {
    const NodeGeometry g = NodeGeometry::for_page_size(size);
    for (int trial = 0; trial < 300; ++trial) {
      for (bool internal : {false, true}) {
        std::vector<uint32_t> cells;
        uint64_t total = 0;
        const uint64_t target = g.usable + rng() % g.min_fill;
        const uint32_t small = internal ? kSlotSize + kInternalCellHeaderSize : kSlotSize + kLeafCellHeaderSize;
        while (total <= target) {
          const uint32_t b = (rng() % 3 == 0) ? g.max_cell : small + rng() % (g.max_cell - small + 1);
          cells.push_back(b);
          total += b;
        }
        const uint32_t cut = choose_cut(cells, internal, g.usable);
        ASSERT_NE(cut, kNoCut);
        uint64_t left = 0;
        for (uint32_t i = 0; i < cut; ++i) left += cells[i];
        const uint64_t right = total - left - (internal ? cells[cut] : 0);
        EXPECT_GE(left, g.min_fill);
        EXPECT_GE(right, g.min_fill);
        EXPECT_LE(left, g.usable);
        EXPECT_LE(right, g.usable);
      }
    }
  }
}

TEST(ShortestSeparator, IsAPrefixOfTheRightKeyAboveTheLeftKey) {
  EXPECT_EQ(shortest_separator("abc", "abd"), "abd");
  EXPECT_EQ(shortest_separator("abc", "abzzz"), "abz");
  EXPECT_EQ(shortest_separator("ab", "abc"), "abc");
  EXPECT_EQ(shortest_separator("", "q"), "q");
  EXPECT_EQ(shortest_separator("apple", "banana"), "b");
  std::mt19937 rng(3);
  for (int i = 0; i < 2000; ++i) {
    std::string a(rng() % 6, 'a'), b(rng() % 6, 'a');
    for (auto& c : a) c = char('a' + rng() % 3);
    for (auto& c : b) c = char('a' + rng() % 3);
    if (a == b) continue;
    if (b < a) std::swap(a, b);
    const std::string_view s = shortest_separator(a, b);
    EXPECT_LT(std::string_view(a), s);
    EXPECT_LE(s, std::string_view(b));
  }
}

}  // namespace
}  // namespace engine
