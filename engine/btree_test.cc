// The B+tree through the public API: a model-based randomized test against
// std::map, page reuse under churn, shrinking after mass deletes, and the two
// tree mutants.
#include "engine/btree.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <functional>
#include <string>
#include <vector>

#include "engine/node.h"
#include "engine/pager.h"
#include "engine/tree_test_util.h"
#include "vfs/mem_vfs.h"
#include "vfs/posix_vfs.h"

namespace engine {
namespace {

using testing::HasKind;
using testing::NumberedKey;
using testing::OpenOrDie;
using testing::Problems;
using testing::ScanAll;
using testing::SmallOptions;

using Model = std::map<std::string, std::string>;

struct ModelParams {
  uint32_t page_size;
  size_t cache_pages;
  int batches;
};

void PrintTo(const ModelParams& p, std::ostream* os) {
  *os << "page_size=" << p.page_size << " cache_pages=" << p.cache_pages << " batches=" << p.batches;
}

// Random keys and values aimed at the tree's edges: the empty key, keys of
// exactly max_key_size, shared prefixes, 0x00 and 0xff bytes, and values on
// both sides of the inline limit.
class Workload {
 public:
  Workload(uint64_t seed, uint32_t page_size)
      : rng_(seed), geometry_(NodeGeometry::for_page_size(page_size)) {
    keys_.push_back("");
    keys_.push_back(std::string(1, '\0'));
    keys_.push_back(std::string(3, '\xff'));
    for (int i = 0; i < 4; ++i) keys_.push_back(std::string(geometry_.max_key, char('a' + i)));
    const std::string prefix(geometry_.max_key / 2, 'p');
    for (int i = 0; i < 40; ++i) keys_.push_back(prefix + std::to_string(i));
    while (keys_.size() < 400) {
      std::string k(1 + rng_() % 24, 'x');
      for (auto& c : k) c = char('a' + rng_() % 6);
      keys_.push_back(k);
    }
  }

  std::mt19937_64& rng() { return rng_; }
  const std::string& any_key() { return keys_[rng_() % keys_.size()]; }
  std::string absent_key(const Model& model) {
    for (;;) {
      std::string k = "absent-" + std::to_string(rng_() % 100000);
      if (!model.count(k)) return k;
    }
  }

  std::string value_for(const std::string& key) {
    const uint64_t inline_limit = geometry_.max_cell - kSlotSize - kLeafCellHeaderSize - key.size();
    size_t length;
    switch (rng_() % 10) {
      case 0: length = 0; break;
      case 1: case 2: case 3: case 4: length = 1 + rng_() % 40; break;
      case 5: case 6: length = size_t(inline_limit - 1 + rng_() % 4); break;  // limit-1 .. limit+2
      case 7: case 8: length = size_t(inline_limit + 1 + rng_() % (3 * geometry_.page_size)); break;
      default: length = rng_() % (geometry_.max_cell / 2); break;
    }
    std::string v(length, '\0');
    const char base = char(rng_());
    for (size_t i = 0; i < length; ++i) v[i] = char(base + i * 7 + (i >> 8));
    return v;
  }

 private:
  std::mt19937_64 rng_;
  NodeGeometry geometry_;
  std::vector<std::string> keys_;
};

void ExpectMatchesModel(Db& db, const Model& model, Workload& w) {
  const auto entries = ScanAll(db);
  ASSERT_EQ(entries.size(), model.size());
  auto it = model.begin();
  for (const auto& [k, v] : entries) {
    ASSERT_EQ(k, it->first);
    ASSERT_EQ(v, it->second) << "value of key of " << k.size() << " bytes";
    ++it;
  }
  for (const auto& [k, v] : model) {
    std::string got;
    ASSERT_TRUE(db.get(k, &got).ok()) << "key of " << k.size() << " bytes";
    ASSERT_EQ(got, v);
  }
  for (int i = 0; i < 20; ++i) {
    std::string got;
    EXPECT_TRUE(db.get(w.absent_key(model), &got).is_not_found());
  }
  auto stats = db.stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->key_count, model.size());
}

// Thousands of random batches against a std::map, with reopens at random
// points and verify() after each reopen and at the end.
void RunModel(vfs::Vfs& vfs, const std::string& path, const ModelParams& p, uint64_t seed) {
  SCOPED_TRACE("seed " + std::to_string(seed) + " (rerun with BTREE_TEST_SEED=" + std::to_string(seed) + ")");
  Workload w(seed, p.page_size);
  Options options = SmallOptions(p.page_size, p.cache_pages);
  options.checkpoint_every_commits = 64;
  auto db = OpenOrDie(vfs, path, options);
  ASSERT_TRUE(db);
  Model model;
  for (int b = 0; b < p.batches; ++b) {
    WriteBatch batch;
    Model next = model;
    const int ops = 1 + int(w.rng()() % (w.rng()() % 8 == 0 ? 48 : 10));
    for (int i = 0; i < ops; ++i) {
      const uint64_t dice = w.rng()() % 100;
      if (dice < 55) {
        const std::string& k = w.any_key();
        std::string v = w.value_for(k);
        batch.put(k, v);
        next[k] = std::move(v);
      } else if (dice < 85 && !next.empty()) {
        auto it = next.begin();
        std::advance(it, w.rng()() % next.size());
        batch.del(it->first);
        next.erase(it);
      } else {
        batch.del(w.absent_key(next));
      }
    }
    const Status s = db->write(batch);
    ASSERT_TRUE(s.ok()) << "batch " << b << ": " << s.to_string();
    model = std::move(next);

    if (b % 97 == 0) {
      // A batch that changes nothing commits nothing.
      auto before = db->stats();
      WriteBatch idle;
      idle.del(w.absent_key(model));
      if (!model.empty()) idle.put(model.begin()->first, model.begin()->second);
      ASSERT_TRUE(db->write(idle).ok());
      auto after = db->stats();
      ASSERT_TRUE(before.ok() && after.ok());
      EXPECT_EQ(after->commits, before->commits);
      EXPECT_EQ(after->wal_bytes, before->wal_bytes);
    }
    if (w.rng()() % 100 < 3) {
      ASSERT_TRUE(db->close().ok());
      options.cache_pages = 2 + w.rng()() % 30;
      db = OpenOrDie(vfs, path, options);
      ASSERT_TRUE(db);
      ASSERT_EQ(Problems(*db), std::vector<std::string>{}) << "after reopen at batch " << b;
    }
    if (b % 250 == 0) {
      std::string got;
      for (const auto& [k, v] : model) {
        ASSERT_TRUE(db->get(k, &got).ok());
        ASSERT_EQ(got, v);
      }
    }
  }
  EXPECT_EQ(Problems(*db), std::vector<std::string>{});
  ExpectMatchesModel(*db, model, w);
  ASSERT_TRUE(db->close().ok());
  db = OpenOrDie(vfs, path, options);
  ASSERT_TRUE(db);
  EXPECT_EQ(Problems(*db), std::vector<std::string>{});
  ExpectMatchesModel(*db, model, w);
}

class ModelTest : public ::testing::TestWithParam<ModelParams> {};

TEST_P(ModelTest, RandomBatchesMatchStdMapOnMemVfs) {
  vfs::MemVfs vfs;
  RunModel(vfs, "db", GetParam(), testing::TestSeed());
}

INSTANTIATE_TEST_SUITE_P(PageSizes, ModelTest,
                         ::testing::Values(ModelParams{512, 4, 3000}, ModelParams{4096, 8, 2000},
                                           ModelParams{16384, 4, 1000}, ModelParams{65536, 3, 300}));

TEST(ModelTestPosix, RandomBatchesMatchStdMapOnPosixVfs) {
  testing::TempDir dir;
  RunModel(vfs::default_vfs(), dir.path() + "/db", ModelParams{1024, 8, 150}, testing::TestSeed());
}

// Page reuse (rule 5 of the fix plan): a fixed key set put and deleted over
// and over must not grow the file once the first cycle has sized it.
TEST(Churn, FixedKeySetReusesPages) {
  vfs::MemVfs vfs;
  auto db = OpenOrDie(vfs, "db", SmallOptions(512, 8));
  ASSERT_TRUE(db);
  std::mt19937 rng(11);
  const int kKeys = 600;
  // The puts run in one fixed order, so every cycle asks for the same pages
  // at its peak; the deletes run in a new order each time, so the free list
  // comes back shuffled.
  std::vector<int> put_order(kKeys);
  for (int i = 0; i < kKeys; ++i) put_order[i] = i;
  std::shuffle(put_order.begin(), put_order.end(), rng);
  auto cycle = [&] {
    for (int start = 0; start < kKeys; start += 40) {
      WriteBatch batch;
      for (int i = start; i < std::min(kKeys, start + 40); ++i) {
        const int k = put_order[i];
        // Every tenth key carries an overflow value, so chains churn too.
        batch.put(NumberedKey(k), std::string(k % 10 == 0 ? 1500 : 30 + k % 50, char('a' + k % 26)));
      }
      ASSERT_TRUE(db->write(batch).ok());
    }
    std::vector<int> del_order = put_order;
    std::shuffle(del_order.begin(), del_order.end(), rng);
    for (int start = 0; start < kKeys; start += 40) {
      WriteBatch batch;
      for (int i = start; i < std::min(kKeys, start + 40); ++i) batch.del(NumberedKey(del_order[i]));
      ASSERT_TRUE(db->write(batch).ok());
    }
  };
  cycle();
  auto first = db->stats();
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->key_count, 0u);
  EXPECT_EQ(first->depth, 0u);
  EXPECT_EQ(first->free_pages, first->page_count - 1);  // an empty tree holds no pages
  for (int i = 0; i < 20; ++i) cycle();
  auto last = db->stats();
  ASSERT_TRUE(last.ok());
  EXPECT_LE(last->page_count, first->page_count + 4)
      << "the file grew from " << first->page_count << " to " << last->page_count << " pages under churn";
  EXPECT_EQ(Problems(*db), std::vector<std::string>{});
}

// After deleting almost everything the tree is shallow again: lookups stay
// logarithmic in what is left, not in what once was.
TEST(Shrink, MassDeletesCollapseTheTree) {
  vfs::MemVfs vfs;
  auto db = OpenOrDie(vfs, "db", SmallOptions(512, 8));
  ASSERT_TRUE(db);
  const int kKeys = 5000;
  for (int start = 0; start < kKeys; start += 250) {
    WriteBatch batch;
    for (int i = start; i < start + 250; ++i) batch.put(NumberedKey(i), "value-" + std::to_string(i));
    ASSERT_TRUE(db->write(batch).ok());
  }
  auto full = db->stats();
  ASSERT_TRUE(full.ok());
  EXPECT_GE(full->depth, 3u);

  std::vector<int> order(kKeys);
  for (int i = 0; i < kKeys; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937(5));
  const int kKeep = 8;
  for (int start = kKeep; start < kKeys; start += 300) {
    WriteBatch batch;
    for (int i = start; i < std::min(kKeys, start + 300); ++i) batch.del(NumberedKey(order[i]));
    ASSERT_TRUE(db->write(batch).ok());
  }
  auto shrunk = db->stats();
  ASSERT_TRUE(shrunk.ok());
  EXPECT_EQ(shrunk->key_count, uint64_t(kKeep));
  EXPECT_EQ(shrunk->depth, 1u) << "eight short keys fit one leaf";
  EXPECT_EQ(shrunk->free_pages, shrunk->page_count - 2);  // everything but the meta page and the root
  EXPECT_EQ(Problems(*db), std::vector<std::string>{});
  for (int i = 0; i < kKeep; ++i) {
    std::string v;
    EXPECT_TRUE(db->get(NumberedKey(order[i]), &v).ok());
    EXPECT_EQ(v, "value-" + std::to_string(order[i]));
  }
}

// Splits and merges of internal nodes with separators of every length, up
// to max_key_size: redistribution can swap a short separator for a long
// one, which may split the parent.
TEST(LongKeys, MaximumSizeKeysSplitAndMergeInternalNodes) {
  vfs::MemVfs vfs;
  const uint32_t page_size = 512;
  auto db = OpenOrDie(vfs, "db", SmallOptions(page_size, 8));
  ASSERT_TRUE(db);
  std::mt19937 rng(21);
  Model model;
  for (int round = 0; round < 6; ++round) {
    for (int i = 0; i < 300; ++i) {
      std::string k(1 + rng() % max_key_size(page_size), 'k');
      for (auto& c : k) c = char('a' + rng() % 3);
      if (rng() % 4 == 0) k.resize(max_key_size(page_size), 'z');
      ASSERT_TRUE(db->put(k, "v").ok());
      model[k] = "v";
    }
    for (auto it = model.begin(); it != model.end();) {
      if (rng() % 3 != 0) {
        ASSERT_TRUE(db->del(it->first).ok());
        it = model.erase(it);
      } else {
        ++it;
      }
    }
    ASSERT_EQ(Problems(*db), std::vector<std::string>{}) << "round " << round;
  }
  const auto entries = ScanAll(*db);
  EXPECT_EQ(entries, (std::vector<std::pair<std::string, std::string>>(model.begin(), model.end())));
}

// MUTANT leak-empty-leaves: emptied leaves are unlinked but never freed;
// verify reports them as leaks. The same workload is clean without it.
TEST(TreeMutants, LeakEmptyLeavesShowsAsLeaks) {
  if (!kMutantsCompiled) GTEST_SKIP() << "mutants are not compiled in";
  for (const Mutant mutant : {Mutant::kNone, Mutant::kLeakEmptyLeaves}) {
    SCOPED_TRACE(std::string(mutant_name(mutant)));
    vfs::MemVfs vfs;
    Options options = SmallOptions(512, 8);
    options.mutant = mutant;
    auto db = OpenOrDie(vfs, "db", options);
    ASSERT_TRUE(db);
    // Values large enough that a leaf holding a single one is not underfull,
    // so deleting a contiguous range one key at a time empties whole leaves
    // instead of merging them first.
    WriteBatch fill;
    for (int i = 0; i < 400; ++i) fill.put(NumberedKey(i), std::string(110, 'v'));
    ASSERT_TRUE(db->write(fill).ok());
    for (int i = 100; i < 300; ++i) ASSERT_TRUE(db->del(NumberedKey(i)).ok());
    auto report = db->verify();
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(HasKind(*report, Violation::Kind::kLeak), mutant == Mutant::kLeakEmptyLeaves)
        << ::testing::PrintToString(Problems(*db));
    EXPECT_EQ(report->ok(), mutant == Mutant::kNone);
  }
}

// MUTANT stale-meta-in-put: a put that splits commits the Meta from before
// the split, so the new root (and the pages allocated) are lost.
TEST(TreeMutants, StaleMetaInPutLosesKeysOrBreaksTheTree) {
  if (!kMutantsCompiled) GTEST_SKIP() << "mutants are not compiled in";
  for (const Mutant mutant : {Mutant::kNone, Mutant::kStaleMetaInPut}) {
    SCOPED_TRACE(std::string(mutant_name(mutant)));
    vfs::MemVfs vfs;
    Options options = SmallOptions(512, 8);
    options.mutant = mutant;
    auto db = OpenOrDie(vfs, "db", options);
    ASSERT_TRUE(db);
    bool write_failed = false;
    for (int i = 0; i < 200 && !write_failed; ++i) write_failed = !db->put(NumberedKey(i), "value").ok();
    // Reopen: what counts is what was committed.
    ASSERT_TRUE(db->close().ok() || write_failed);
    db = OpenOrDie(vfs, "db", options);
    ASSERT_TRUE(db);
    int lost = 0;
    for (int i = 0; i < 200; ++i) {
      std::string v;
      if (!db->get(NumberedKey(i), &v).ok()) ++lost;
    }
    const bool broken = write_failed || lost > 0 || !Problems(*db).empty();
    EXPECT_EQ(broken, mutant == Mutant::kStaleMetaInPut) << lost << " keys lost";
  }
}

// A tree of 512-byte pages whose cache holds all of it, as the shared-read
// tests need: every node they read stays cached.
struct CachedTree {
  vfs::MemVfs vfs;
  std::unique_ptr<Pager> pager = open_pager(vfs);
  BTree tree{*pager, Mutant::kNone};

  static std::unique_ptr<Pager> open_pager(vfs::MemVfs& vfs) {
    PagerOptions options;
    options.page_size = 512;
    options.cache_pages = 1024;
    auto opened = Pager::open(vfs, "db", options);
    EXPECT_TRUE(opened.ok()) << opened.status().to_string();
    return opened.ok() ? std::move(*opened) : nullptr;
  }
};

// BTree::get_shared answers only from what it can read without changing
// anything, and never from images or links a commit has replaced: the
// readers that run it side by side hold the readers' lock shared, so none
// of them may digest, link or cache, and none may see an older commit than
// the last published.
TEST(SharedReads, AnswerOnlyFromCachedDigestedNodesOfTheLastCommit) {
  CachedTree cached;
  ASSERT_NE(cached.pager, nullptr);
  Pager& pager = *cached.pager;
  BTree& tree = cached.tree;
  {
    auto meta = pager.begin();
    ASSERT_TRUE(meta.ok());
    for (int i = 0; i < 200; ++i) ASSERT_TRUE(tree.put(*meta, NumberedKey(i), "first" + std::to_string(i)).ok());
    ASSERT_TRUE(tree.put(*meta, "overflow", std::string(2000, 'o')).ok());
    ASSERT_TRUE(pager.commit(*meta).ok());
  }
  const auto get_shared = [&](const std::string& key, std::string* value) {
    return tree.get_shared(pager.meta().root, pager.meta().depth, key, value);
  };
  const auto get = [&](const std::string& key, std::string* value) {
    return tree.get(pager.meta().root, pager.meta().depth, key, value);
  };
  ASSERT_GE(pager.meta().depth, 2u);  // links from an internal node to leaves
  std::string value;
  // The commit's images are cached, but nobody has digested them yet.
  EXPECT_FALSE(get_shared(NumberedKey(7), &value).has_value());
  ASSERT_TRUE(get(NumberedKey(7), &value).ok());
  auto shared = get_shared(NumberedKey(7), &value);
  ASSERT_TRUE(shared.has_value());
  EXPECT_TRUE(shared->ok()) << shared->to_string();
  EXPECT_EQ(value, "first7");
  shared = get_shared(NumberedKey(7) + "+", &value);
  ASSERT_TRUE(shared.has_value());
  EXPECT_TRUE(shared->is_not_found()) << shared->to_string();
  // A value in overflow pages would have to be read through the cache.
  ASSERT_TRUE(get("overflow", &value).ok());
  EXPECT_FALSE(get_shared("overflow", &value).has_value());

  // A commit that replaces one leaf: its parent's link to it, made under
  // the epoch before, now leads to the replaced image.
  ASSERT_TRUE(get(NumberedKey(150), &value).ok());
  // Held, as another reader's cursor may hold them: a stale link would find
  // the old bytes, not freed memory that may happen to hold the new ones.
  std::vector<PageRef> first_images;
  for (PageNo n = 1; n < pager.meta().page_count; ++n) {
    auto image = pager.get_committed(n);
    ASSERT_TRUE(image.ok());
    first_images.push_back(*image);
  }
  auto meta = pager.begin();
  ASSERT_TRUE(meta.ok());
  ASSERT_TRUE(tree.put(*meta, NumberedKey(7), "second7").ok());
  ASSERT_TRUE(pager.commit(*meta).ok());
  const auto answered = get_shared(NumberedKey(7), &value);
  EXPECT_TRUE(!answered.has_value() || (answered->ok() && value == "second7")) << value;
  ASSERT_TRUE(get(NumberedKey(7), &value).ok());
  shared = get_shared(NumberedKey(7), &value);
  ASSERT_TRUE(shared.has_value());
  EXPECT_TRUE(shared->ok());
  EXPECT_EQ(value, "second7");
  // A leaf the commit left alone: answered from its image, or not at all.
  const auto untouched = get_shared(NumberedKey(150), &value);
  EXPECT_TRUE(!untouched.has_value() || (untouched->ok() && value == "first150")) << value;
}

// A commit that splits a leaf rewrites its parent; the first read through
// the parent's new image links every child the cache holds digested
// (BTree::link_cached_children), and those links must lead each key to its
// own leaf.
TEST(SharedReads, ARewrittenParentLeadsEveryKeyToItsOwnLeaf) {
  CachedTree cached;
  ASSERT_NE(cached.pager, nullptr);
  Pager& pager = *cached.pager;
  BTree& tree = cached.tree;
  const auto commit = [&](const std::function<void(Meta&)>& puts) {
    auto meta = pager.begin();
    ASSERT_TRUE(meta.ok());
    puts(*meta);
    ASSERT_TRUE(pager.commit(*meta).ok());
  };
  commit([&](Meta& meta) {
    for (int i = 0; i < 200; ++i) ASSERT_TRUE(tree.put(meta, NumberedKey(i), "first" + std::to_string(i)).ok());
  });
  ASSERT_EQ(pager.meta().depth, 2u);
  std::string value;
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(tree.get(pager.meta().root, 2, NumberedKey(i), &value).ok());
  const PageNo root = pager.meta().root;
  commit([&](Meta& meta) {
    for (int j = 0; j < 20; ++j) ASSERT_TRUE(tree.put(meta, NumberedKey(100) + "-" + std::to_string(j), "x").ok());
  });
  ASSERT_EQ(pager.meta().root, root);
  ASSERT_EQ(pager.meta().depth, 2u) << "the split must rewrite the root, not grow the tree";
  ASSERT_TRUE(tree.get(root, 2, NumberedKey(100) + "-0", &value).ok());

  int answered = 0;
  for (int i = 0; i < 200; ++i) {
    const auto shared = tree.get_shared(root, 2, NumberedKey(i), &value);
    if (!shared.has_value()) continue;
    ++answered;
    EXPECT_TRUE(shared->ok()) << NumberedKey(i) << ": " << shared->to_string();
    EXPECT_EQ(value, "first" + std::to_string(i));
  }
  EXPECT_GE(answered, 150) << "the leaves the split left alone are cached and digested";
}

}  // namespace
}  // namespace engine
