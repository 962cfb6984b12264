// verify() against planted defects: each test builds a sound database,
// damages it through the pager (or the file) in one specific way, and
// checks that verify reports that kind of violation.
#include "engine/verify.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "engine/node.h"
#include "engine/overflow.h"
#include "engine/tree_test_util.h"
#include "vfs/mem_vfs.h"

namespace engine {
namespace {

using Kind = Violation::Kind;
using testing::HasKind;
using testing::NumberedKey;
using testing::OpenOrDie;
using testing::SmallOptions;

constexpr uint32_t kPageSize = 512;

class VerifyTest : public ::testing::Test {
 protected:
  // 600 short entries (a depth-3 tree) and a few overflow values in a key
  // range of their own ("ovf..." sorts after "k...").
  void SetUp() override {
    auto db = OpenOrDie(vfs_, "db", SmallOptions(kPageSize));
    ASSERT_TRUE(db);
    WriteBatch batch;
    for (int i = 0; i < 600; ++i) batch.put(NumberedKey(i), "value" + std::to_string(i));
    for (int i = 0; i < 4; ++i) batch.put("ovf" + std::to_string(i), std::string(3000, char('A' + i)));
    ASSERT_TRUE(db->write(batch).ok());
    auto stats = db->stats();
    ASSERT_TRUE(stats.ok());
    ASSERT_EQ(stats->depth, 3u);  // the plants below need leaves under internal nodes under the root
    auto report = db->verify();
    ASSERT_TRUE(report.ok());
    ASSERT_TRUE(report->ok()) << ::testing::PrintToString(testing::Problems(*db));
    ASSERT_TRUE(db->close().ok());
  }

  // Runs `edit` in one pager transaction on the closed database.
  void Plant(const std::function<void(Pager&, Meta&)>& edit) {
    PagerOptions options;
    auto pager = Pager::open(vfs_, "db", options);
    ASSERT_TRUE(pager.ok()) << pager.status().to_string();
    auto meta = (*pager)->begin();
    ASSERT_TRUE(meta.ok());
    edit(**pager, *meta);
    ASSERT_TRUE((*pager)->commit(*meta).ok());
    ASSERT_TRUE((*pager)->close().ok());
  }

  VerifyReport Verify() {
    auto db = OpenOrDie(vfs_, "db", Options{});
    if (!db) return {};
    auto report = db->verify();
    EXPECT_TRUE(report.ok()) << report.status().to_string();
    if (!report.ok()) return {};
    for (const auto& v : report->violations)
      std::cout << "  " << violation_kind_name(v.kind) << " page " << v.page << ": " << v.message << "\n";
    return std::move(report).value();
  }

  static NodeView View(Pager& pager, PageNo pgno) {
    auto page = pager.get(pgno);
    EXPECT_TRUE(page.ok());
    held_.push_back(*page);
    return NodeView((*page)->bytes);
  }

  // The tree's nodes level by level from the root.
  static std::vector<std::vector<PageNo>> Levels(Pager& pager, const Meta& meta) {
    std::vector<std::vector<PageNo>> levels{{meta.root}};
    while (!View(pager, levels.back().front()).is_leaf()) {
      std::vector<PageNo> next;
      for (PageNo p : levels.back()) {
        const NodeView node = View(pager, p);
        for (uint32_t c = 0; c <= node.count(); ++c) next.push_back(node.child(c));
      }
      levels.push_back(next);
    }
    return levels;
  }

  // The leaf holding an overflow value and that cell's index.
  static std::pair<PageNo, uint32_t> OverflowCell(Pager& pager, const Meta& meta) {
    const auto levels = Levels(pager, meta);
    for (PageNo leaf : levels.back()) {
      const NodeView node = View(pager, leaf);
      for (uint32_t i = 0; i < node.count(); ++i)
        if (node.value(i).overflow) return {leaf, i};
    }
    ADD_FAILURE() << "no overflow value";
    return {kNoPage, 0};
  }

  static MutableNode Edit(Pager& pager, PageNo pgno) {
    auto page = pager.get_mutable(pgno);
    EXPECT_TRUE(page.ok());
    return MutableNode((*page)->bytes);
  }

  vfs::MemVfs vfs_;
  static inline std::vector<PageRef> held_;  // keeps viewed images alive
};

TEST_F(VerifyTest, SoundDatabaseHasNoViolations) {
  const VerifyReport report = Verify();
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.keys_checked, 604u);
  EXPECT_GT(report.pages_checked, 50u);
}

TEST_F(VerifyTest, KeysOutOfOrderInALeaf) {
  Plant([](Pager& pager, Meta& meta) {
    const PageNo leaf = Levels(pager, meta).back()[1];
    MutableNode node = Edit(pager, leaf);
    const std::vector<uint8_t> first(node.cell(0).begin(), node.cell(0).end());
    node.remove(0);
    ASSERT_TRUE(node.insert(node.count(), first));
  });
  EXPECT_TRUE(HasKind(Verify(), Kind::kKeyOrder));
}

TEST_F(VerifyTest, LeakedPage) {
  PageNo leaked = kNoPage;
  Plant([&](Pager& pager, Meta& meta) {
    auto page = pager.allocate(meta, PageType::kLeaf);
    ASSERT_TRUE(page.ok());
    MutableNode((*page)->bytes).init(PageType::kLeaf);
    leaked = (*page)->pgno;
  });
  const VerifyReport report = Verify();
  ASSERT_EQ(report.violations.size(), 1u);
  EXPECT_EQ(report.violations[0].kind, Kind::kLeak);
  EXPECT_EQ(report.violations[0].page, leaked);
}

TEST_F(VerifyTest, PageReferencedTwiceFromTheTree) {
  Plant([](Pager& pager, Meta& meta) {
    MutableNode root = Edit(pager, meta.root);
    const PageNo first_child = root.child(0);
    std::vector<uint8_t> cell;
    encode_internal_cell(&cell, root.key(0), first_child);  // child 1 := child 0
    root.remove(0);
    ASSERT_TRUE(root.insert(0, cell));
  });
  const VerifyReport report = Verify();
  EXPECT_TRUE(HasKind(report, Kind::kDoubleReference));
  EXPECT_TRUE(HasKind(report, Kind::kLeak));  // the subtree no longer linked
}

TEST_F(VerifyTest, PageInTheTreeAndOnTheFreeList) {
  Plant([](Pager& pager, Meta& meta) {
    const PageNo leaf = Levels(pager, meta).back()[2];
    ASSERT_TRUE(pager.free(meta, leaf).ok());  // freed but still linked
  });
  const VerifyReport report = Verify();
  EXPECT_TRUE(HasKind(report, Kind::kDoubleReference));
  EXPECT_TRUE(HasKind(report, Kind::kPageType));  // the tree reaches a free page
}

TEST_F(VerifyTest, SeparatorAboveItsRightChildsKeys) {
  Plant([](Pager& pager, Meta& meta) {
    const PageNo parent = Levels(pager, meta)[1][0];
    MutableNode node = Edit(pager, parent);
    const PageNo child = node.child(1);
    // Raise separator 0 just past the first key of child 1, staying below separator 1.
    const std::string raised = std::string(View(pager, Levels(pager, meta).back()[1]).key(0)) + "\x01";
    std::vector<uint8_t> cell;
    encode_internal_cell(&cell, raised, child);
    node.remove(0);
    ASSERT_TRUE(node.insert(0, cell));
  });
  const VerifyReport report = Verify();
  EXPECT_TRUE(HasKind(report, Kind::kSeparator));
  EXPECT_FALSE(HasKind(report, Kind::kKeyOrder));
}

TEST_F(VerifyTest, UnderfullLeaf) {
  Plant([](Pager& pager, Meta& meta) {
    MutableNode leaf = Edit(pager, Levels(pager, meta).back()[3]);
    while (leaf.count() > 1) {
      leaf.remove(1);
      --meta.key_count;
    }
  });
  const VerifyReport report = Verify();
  ASSERT_EQ(report.violations.size(), 1u);
  EXPECT_EQ(report.violations[0].kind, Kind::kFill);
}

TEST_F(VerifyTest, DepthDisagreesWithMeta) {
  Plant([](Pager&, Meta& meta) { ++meta.depth; });
  EXPECT_TRUE(HasKind(Verify(), Kind::kDepth));
}

TEST_F(VerifyTest, InternalNodeWhereLeavesBelong) {
  Plant([](Pager&, Meta& meta) { --meta.depth; });
  EXPECT_TRUE(HasKind(Verify(), Kind::kDepth));
}

TEST_F(VerifyTest, RootOutsideTheFile) {
  Plant([](Pager&, Meta& meta) { meta.root = meta.page_count + 10; });
  const VerifyReport report = Verify();
  EXPECT_TRUE(HasKind(report, Kind::kMeta));
  EXPECT_TRUE(HasKind(report, Kind::kLeak));  // nothing is reachable any more
}

TEST_F(VerifyTest, InternalRootWithASingleChild) {
  Plant([](Pager& pager, Meta& meta) {
    MutableNode root = Edit(pager, meta.root);
    while (root.count() > 0) root.remove(0);
  });
  const VerifyReport report = Verify();
  EXPECT_TRUE(HasKind(report, Kind::kFill));
  EXPECT_TRUE(HasKind(report, Kind::kLeak));
}

TEST_F(VerifyTest, FreeListCountDisagreesWithTheList) {
  Plant([](Pager&, Meta& meta) { meta.freelist_count += 2; });
  const VerifyReport report = Verify();
  ASSERT_EQ(report.violations.size(), 1u);
  EXPECT_EQ(report.violations[0].kind, Kind::kMeta);
}

TEST_F(VerifyTest, KeyCountDisagreesWithTheTree) {
  Plant([](Pager&, Meta& meta) { meta.key_count += 3; });
  const VerifyReport report = Verify();
  ASSERT_EQ(report.violations.size(), 1u);
  EXPECT_EQ(report.violations[0].kind, Kind::kMeta);
}

TEST_F(VerifyTest, OverflowChainShorterThanItsValue) {
  Plant([](Pager& pager, Meta& meta) {
    const auto [leaf, index] = OverflowCell(pager, meta);
    const StoredValue v = View(pager, leaf).value(index);
    // Cut the chain after its first page; the rest leaks.
    auto first = pager.get_mutable(v.first_page);
    ASSERT_TRUE(first.ok());
    store_u32(&(*first)->bytes[8], kNoPage);
  });
  const VerifyReport report = Verify();
  EXPECT_TRUE(HasKind(report, Kind::kOverflowChain));
  EXPECT_TRUE(HasKind(report, Kind::kLeak));
}

TEST_F(VerifyTest, OverflowChainLoop) {
  Plant([](Pager& pager, Meta& meta) {
    const auto [leaf, index] = OverflowCell(pager, meta);
    const StoredValue v = View(pager, leaf).value(index);
    PageNo last = v.first_page;
    while (PageNo next = load_u32(&pager.get(last).value()->bytes[8])) last = next;
    auto page = pager.get_mutable(last);
    ASSERT_TRUE(page.ok());
    store_u32(&(*page)->bytes[8], v.first_page);
  });
  EXPECT_TRUE(HasKind(Verify(), Kind::kOverflowChain));
}

TEST_F(VerifyTest, ChildLinkToAnOverflowPage) {
  Plant([](Pager& pager, Meta& meta) {
    const auto [leaf, index] = OverflowCell(pager, meta);
    const PageNo chain_page = View(pager, leaf).value(index).first_page;
    Edit(pager, meta.root).set_leftmost_child(chain_page);
  });
  const VerifyReport report = Verify();
  EXPECT_TRUE(HasKind(report, Kind::kPageType));
  EXPECT_TRUE(HasKind(report, Kind::kDoubleReference));
}

TEST_F(VerifyTest, BrokenNodeLayout) {
  Plant([](Pager& pager, Meta& meta) {
    const PageNo leaf = Levels(pager, meta).back()[0];
    auto page = pager.get_mutable(leaf);
    ASSERT_TRUE(page.ok());
    store_u32(&(*page)->bytes[8], 100000);  // cell count
  });
  EXPECT_TRUE(HasKind(Verify(), Kind::kBadPage));
}

// Reads check a node when its image enters the cache, not on every visit;
// a node that fails the check must keep failing, never be cached as good.
TEST_F(VerifyTest, GetReportsABrokenNodeOnEveryRead) {
  PageNo leaf = kNoPage;
  Plant([&leaf](Pager& pager, Meta& meta) {
    leaf = Levels(pager, meta).back()[0];
    auto page = pager.get_mutable(leaf);
    ASSERT_TRUE(page.ok());
    store_u32(&(*page)->bytes[8], 100000);  // cell count
  });
  auto db = OpenOrDie(vfs_, "db", Options{});
  ASSERT_TRUE(db);
  std::string value;
  EXPECT_TRUE(db->get(NumberedKey(599), &value).ok()) << "a sound leaf";
  for (int attempt = 0; attempt < 2; ++attempt) {
    const Status s = db->get(NumberedKey(0), &value);
    EXPECT_TRUE(s.is_corruption()) << s.to_string();
    EXPECT_THAT(s.message(), ::testing::HasSubstr("page " + std::to_string(leaf) + " of db is not a valid tree node"));
  }
}

TEST_F(VerifyTest, BadChecksumOnDisk) {
  PageNo leaf = kNoPage;
  {
    auto pager = Pager::open(vfs_, "db", PagerOptions{});
    ASSERT_TRUE(pager.ok());
    leaf = Levels(**pager, (*pager)->meta()).back()[4];
    ASSERT_TRUE((*pager)->close().ok());  // checkpointed: the page is in the data file
  }
  auto file = vfs_.open("db", vfs::OpenMode::kMustExist);
  ASSERT_TRUE(file.ok());
  const uint8_t garbage[4] = {0xde, 0xad, 0xbe, 0xef};
  ASSERT_TRUE((*file)->write_at(uint64_t{leaf} * kPageSize + 100, garbage).ok());
  ASSERT_TRUE((*file)->close().ok());
  const VerifyReport report = Verify();
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.violations[0].kind, Kind::kBadPage);
  EXPECT_EQ(report.violations[0].page, leaf);
}

// Random damage that keeps checksums valid (written through the pager): the
// engine must report it or live with it, never crash, hang or read out of
// bounds (the sanitizer build makes the last one fail loudly). verify runs
// on every crash state the simulator builds, and writes follow recovery.
TEST_F(VerifyTest, RandomDamageIsSurvived) {
  const auto files = vfs_.snapshot();
  std::mt19937 rng{uint32_t(testing::TestSeed())};
  int reported = 0;
  for (int round = 0; round < 150; ++round) {
    vfs::MemVfs damaged;
    for (const auto& [path, bytes] : files) damaged.install_file(path, bytes);
    {
      auto pager = Pager::open(damaged, "db", PagerOptions{});
      ASSERT_TRUE(pager.ok());
      auto meta = (*pager)->begin();
      ASSERT_TRUE(meta.ok());
      const PageNo victim = 1 + rng() % (meta->page_count - 1);
      auto page = (*pager)->get_mutable(victim);
      ASSERT_TRUE(page.ok());
      for (uint32_t n = 1 + rng() % 4; n > 0; --n) (*page)->bytes[4 + rng() % (kPageSize - 4)] ^= uint8_t(1 + rng() % 255);
      ASSERT_TRUE((*pager)->commit(*meta).ok());
      ASSERT_TRUE((*pager)->close().ok());
    }
    auto db = OpenOrDie(damaged, "db", SmallOptions(0, 4));
    ASSERT_TRUE(db);
    auto report = db->verify();
    ASSERT_TRUE(report.ok()) << report.status().to_string();
    if (!report->ok()) ++reported;
    auto cursor = db->new_cursor();  // the scan may fail; it must not crash
    ASSERT_TRUE(cursor.ok());
    for ((*cursor)->seek_to_first(); (*cursor)->valid(); (*cursor)->next()) {
    }
    std::string v;
    for (int i = 0; i < 600; i += 7) static_cast<void>(db->get(NumberedKey(i), &v));
    WriteBatch batch;
    for (int i = 0; i < 600; i += 13) batch.del(NumberedKey(i));
    batch.put("ovf1", std::string(10, 'x'));
    static_cast<void>(db->write(batch));
    static_cast<void>(db->close());
  }
  EXPECT_GT(reported, 0);
}

}  // namespace
}  // namespace engine
