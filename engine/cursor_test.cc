#include "engine/cursor.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "engine/tree_test_util.h"
#include "vfs/mem_vfs.h"

namespace engine {
namespace {

using testing::NumberedKey;
using testing::OpenOrDie;
using testing::SmallOptions;

class CursorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = OpenOrDie(vfs_, "db", SmallOptions(512, 4));
    ASSERT_TRUE(db_);
  }

  // Even-numbered keys 0, 2, ..., 2*(n-1), enough of them for a deep tree.
  void FillEven(int n) {
    WriteBatch batch;
    for (int i = 0; i < n; ++i) batch.put(NumberedKey(2 * i), "v" + std::to_string(2 * i));
    ASSERT_TRUE(db_->write(batch).ok());
  }

  std::unique_ptr<Cursor> NewCursor() {
    auto cursor = db_->new_cursor();
    EXPECT_TRUE(cursor.ok()) << cursor.status().to_string();
    return cursor.ok() ? std::move(cursor).value() : nullptr;
  }

  vfs::MemVfs vfs_;
  std::unique_ptr<Db> db_;
};

TEST_F(CursorTest, EmptyTreeIsInvalidButOk) {
  auto c = NewCursor();
  EXPECT_FALSE(c->valid());
  c->seek_to_first();
  EXPECT_FALSE(c->valid());
  EXPECT_TRUE(c->status().ok());
  c->seek("anything");
  EXPECT_FALSE(c->valid());
  EXPECT_TRUE(c->status().ok());
  c->next();
  EXPECT_FALSE(c->valid());
}

TEST_F(CursorTest, IteratesEveryKeyInOrderAcrossLeaves) {
  FillEven(2000);
  auto stats = db_->stats();
  ASSERT_TRUE(stats.ok());
  ASSERT_GE(stats->depth, 3u);
  auto c = NewCursor();
  int i = 0;
  for (c->seek_to_first(); c->valid(); c->next(), ++i) {
    ASSERT_EQ(c->key(), NumberedKey(2 * i));
    ASSERT_EQ(c->value(), "v" + std::to_string(2 * i));
  }
  EXPECT_EQ(i, 2000);
  EXPECT_TRUE(c->status().ok());
}

TEST_F(CursorTest, SeekLandsOnTheFirstKeyAtOrAbove) {
  FillEven(2000);
  auto c = NewCursor();
  c->seek(NumberedKey(1000));  // present
  ASSERT_TRUE(c->valid());
  EXPECT_EQ(c->key(), NumberedKey(1000));
  c->seek(NumberedKey(1001));  // between two keys
  ASSERT_TRUE(c->valid());
  EXPECT_EQ(c->key(), NumberedKey(1002));
  c->seek("");  // before everything
  ASSERT_TRUE(c->valid());
  EXPECT_EQ(c->key(), NumberedKey(0));
  c->seek(NumberedKey(3997));  // between the last two
  ASSERT_TRUE(c->valid());
  EXPECT_EQ(c->key(), NumberedKey(3998));
  c->next();
  EXPECT_FALSE(c->valid());
  c->seek(NumberedKey(3999));  // past the end
  EXPECT_FALSE(c->valid());
  EXPECT_TRUE(c->status().ok());
  // Every gap, so seeks land at the end of a leaf and climb to the next one.
  for (int i = 0; i < 1999; ++i) {
    c->seek(NumberedKey(2 * i + 1));
    ASSERT_TRUE(c->valid());
    ASSERT_EQ(c->key(), NumberedKey(2 * i + 2));
  }
}

TEST_F(CursorTest, SeekToItsOwnKeyIsSafe) {
  FillEven(50);
  auto c = NewCursor();
  c->seek(NumberedKey(20));
  ASSERT_TRUE(c->valid());
  c->seek(c->key());  // the argument views the leaf the cursor holds
  ASSERT_TRUE(c->valid());
  EXPECT_EQ(c->key(), NumberedKey(20));
  // After a write replaced that leaf's image, the cursor holds the only
  // reference to the old one: the seek must keep it alive while it reads
  // the key (AddressSanitizer sees the use after free otherwise), and finds
  // the value of the cursor's own commit.
  ASSERT_TRUE(db_->put(NumberedKey(20), "rewritten").ok());
  c->seek(c->key());
  ASSERT_TRUE(c->valid());
  EXPECT_EQ(c->key(), NumberedKey(20));
  EXPECT_EQ(c->value(), "v20");
}

TEST_F(CursorTest, ReadsItsOwnCommitWhenAWriteCommitsAfter) {
  FillEven(500);
  auto c = NewCursor();
  c->seek(NumberedKey(100));
  ASSERT_TRUE(c->valid());
  const std::string_view before = c->key();
  // A concurrent batch: a key before the cursor, one right after it, and the
  // key that was next is deleted; a key further on is rewritten. The cursor
  // reads the commit it was made at, so it sees none of it.
  WriteBatch batch;
  batch.put(NumberedKey(99), "new-before");
  batch.put(NumberedKey(101), "new-after");
  batch.del(NumberedKey(102));
  batch.put(NumberedKey(104), "rewritten");
  ASSERT_TRUE(db_->write(batch).ok());
  EXPECT_EQ(before, NumberedKey(100));  // views stay good until the next call
  c->next();
  ASSERT_TRUE(c->valid());
  EXPECT_EQ(c->key(), NumberedKey(102));
  EXPECT_EQ(c->value(), "v102");
  c->next();
  ASSERT_TRUE(c->valid());
  EXPECT_EQ(c->key(), NumberedKey(104));
  EXPECT_EQ(c->value(), "v104");
  // A new cursor sees the batch.
  auto fresh = NewCursor();
  fresh->seek(NumberedKey(100));
  fresh->next();
  ASSERT_TRUE(fresh->valid());
  EXPECT_EQ(fresh->key(), NumberedKey(101));
  EXPECT_EQ(fresh->value(), "new-after");
}

// A cursor stepping onto a leaf fetches the next one early (engine/cursor.cc
// load_ahead): what it fetches must be that leaf as the cursor's commit left
// it, whether the fetch came before or after later commits rewrote it and a
// checkpoint moved it to the data file.
TEST_F(CursorTest, LeavesFetchedAheadAreOfItsOwnCommit) {
  FillEven(600);
  for (const bool forward : {true, false}) {
    SCOPED_TRACE(forward ? "next" : "prev");
    auto c = NewCursor();
    forward ? c->seek_to_first() : c->seek_to_last();
    int seen = 0;
    for (int i = forward ? 0 : 599; c->valid(); forward ? c->next() : c->prev(), i += forward ? 1 : -1, ++seen) {
      ASSERT_EQ(c->key(), NumberedKey(2 * i));
      ASSERT_EQ(c->value(), "v" + std::to_string(2 * i));
      if (seen % 7 != 0) continue;
      // Rewrite every key, so every leaf gets a new image, and move those
      // images to the data file.
      WriteBatch batch;
      for (int k = 0; k < 600; ++k) batch.put(NumberedKey(2 * k), "w" + std::to_string(seen));
      ASSERT_TRUE(db_->write(batch).ok());
      ASSERT_TRUE(db_->checkpoint().ok());
    }
    EXPECT_EQ(seen, 600);
    EXPECT_TRUE(c->status().ok());
    FillEven(600);
  }
}

TEST_F(CursorTest, BackwardMovesOnAnEmptyTreeAreInvalidButOk) {
  auto c = NewCursor();
  c->seek_to_last();
  EXPECT_FALSE(c->valid());
  c->seek_for_prev("anything");
  EXPECT_FALSE(c->valid());
  c->prev();
  EXPECT_FALSE(c->valid());
  EXPECT_TRUE(c->status().ok());
}

TEST_F(CursorTest, IteratesEveryKeyBackwardsAcrossLeaves) {
  FillEven(2000);
  auto c = NewCursor();
  int i = 1999;
  for (c->seek_to_last(); c->valid(); c->prev(), --i) {
    ASSERT_EQ(c->key(), NumberedKey(2 * i));
    ASSERT_EQ(c->value(), "v" + std::to_string(2 * i));
  }
  EXPECT_EQ(i, -1);
  EXPECT_TRUE(c->status().ok());
  c->prev();  // stays invalid
  EXPECT_FALSE(c->valid());
}

TEST_F(CursorTest, SeekForPrevLandsOnTheLastKeyAtOrBelow) {
  FillEven(2000);
  auto c = NewCursor();
  c->seek_for_prev(NumberedKey(1000));  // present
  ASSERT_TRUE(c->valid());
  EXPECT_EQ(c->key(), NumberedKey(1000));
  c->seek_for_prev(NumberedKey(3999));  // past the end
  ASSERT_TRUE(c->valid());
  EXPECT_EQ(c->key(), NumberedKey(3998));
  c->seek_for_prev("");  // before everything
  EXPECT_FALSE(c->valid());
  EXPECT_TRUE(c->status().ok());
  // Every gap, so seeks land before the start of a leaf and climb to the previous one.
  for (int i = 0; i < 1999; ++i) {
    c->seek_for_prev(NumberedKey(2 * i + 1));
    ASSERT_TRUE(c->valid());
    ASSERT_EQ(c->key(), NumberedKey(2 * i));
    c->next();
    ASSERT_TRUE(c->valid());
    ASSERT_EQ(c->key(), NumberedKey(2 * i + 2)) << "next after seek_for_prev";
    c->prev();
    ASSERT_TRUE(c->valid());
    ASSERT_EQ(c->key(), NumberedKey(2 * i)) << "prev after next";
  }
}

TEST_F(CursorTest, MovesBackOverItsOwnCommitWhenAWriteCommitsAfter) {
  FillEven(500);
  auto c = NewCursor();
  c->seek(NumberedKey(100));
  ASSERT_TRUE(c->valid());
  WriteBatch batch;
  batch.put(NumberedKey(99), "new-before");
  batch.del(NumberedKey(98));
  ASSERT_TRUE(db_->write(batch).ok());
  c->prev();
  ASSERT_TRUE(c->valid());
  EXPECT_EQ(c->key(), NumberedKey(98));
  EXPECT_EQ(c->value(), "v98");
}

// Against a model: random puts and deletes over a small key space, then
// every key probed both ways and the whole tree walked backwards.
TEST_F(CursorTest, MatchesAnOrderedMapBothWays) {
  std::map<std::string, std::string> model;
  uint64_t x = 12345;
  auto rand = [&x] {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    return x >> 33;
  };
  for (int round = 0; round < 30; ++round) {
    WriteBatch batch;
    for (int i = 0; i < 40; ++i) {
      const std::string key = NumberedKey(static_cast<int>(rand() % 600) * 2);
      if (rand() % 3 == 0) {
        batch.del(key);
        model.erase(key);
      } else {
        const std::string value = "r" + std::to_string(round) + "." + std::to_string(i);
        batch.put(key, value);
        model[key] = value;
      }
    }
    ASSERT_TRUE(db_->write(batch).ok());
  }
  auto c = NewCursor();
  for (int probe = -1; probe <= 1201; ++probe) {
    const std::string key = probe < 0 ? std::string() : NumberedKey(probe);
    c->seek_for_prev(key);
    auto it = model.upper_bound(key);
    if (it == model.begin()) {
      EXPECT_FALSE(c->valid()) << probe;
    } else {
      --it;
      ASSERT_TRUE(c->valid()) << probe;
      EXPECT_EQ(c->key(), it->first) << probe;
      EXPECT_EQ(c->value(), it->second) << probe;
    }
  }
  auto it = model.rbegin();
  for (c->seek_to_last(); c->valid(); c->prev(), ++it) {
    ASSERT_NE(it, model.rend());
    ASSERT_EQ(c->key(), it->first);
  }
  EXPECT_EQ(it, model.rend());
  EXPECT_TRUE(c->status().ok());
}

TEST_F(CursorTest, SurvivesMassDeletesUnderIt) {
  FillEven(2000);
  auto c = NewCursor();
  c->seek(NumberedKey(2000));
  ASSERT_TRUE(c->valid());
  WriteBatch batch;
  for (int i = 1001; i < 1990; ++i) batch.del(NumberedKey(2 * i));  // the pages under the cursor go away
  ASSERT_TRUE(db_->write(batch).ok());
  ASSERT_TRUE(db_->checkpoint().ok());
  // Freed, reused and overwritten in the data file: the cursor still walks
  // the tree of its commit.
  for (int i = 0; i < 300; ++i) ASSERT_TRUE(db_->put(NumberedKey(2 * i + 1), std::string(100, 'r')).ok());
  ASSERT_TRUE(db_->checkpoint().ok());
  int seen = 0;
  for (c->next(); c->valid(); c->next(), ++seen) EXPECT_EQ(c->key(), NumberedKey(2002 + 2 * seen));
  ASSERT_TRUE(c->status().ok()) << c->status().to_string();
  EXPECT_EQ(seen, 999);  // 2002 .. 3998
}

TEST_F(CursorTest, AssemblesOverflowValues) {
  const std::string big(10000, 'b');
  ASSERT_TRUE(db_->put("a", "small").ok());
  ASSERT_TRUE(db_->put("b", big).ok());
  ASSERT_TRUE(db_->put("c", "").ok());
  auto c = NewCursor();
  c->seek_to_first();
  ASSERT_TRUE(c->valid());
  EXPECT_EQ(c->value(), "small");
  c->next();
  ASSERT_TRUE(c->valid());
  EXPECT_EQ(c->value(), big);
  c->next();
  ASSERT_TRUE(c->valid());
  EXPECT_EQ(c->key(), "c");
  EXPECT_EQ(c->value(), "");
  c->next();
  EXPECT_FALSE(c->valid());
  EXPECT_TRUE(c->status().ok());
}

TEST_F(CursorTest, ReportsAClosedDatabase) {
  FillEven(10);
  auto c = NewCursor();
  c->seek_to_first();
  ASSERT_TRUE(c->valid());
  ASSERT_TRUE(db_->close().ok());
  c->seek_to_first();
  EXPECT_FALSE(c->valid());
  EXPECT_FALSE(c->status().ok());
  db_.reset();  // the cursor outlives the Db
  c->seek("x");
  EXPECT_FALSE(c->valid());
}

}  // namespace
}  // namespace engine
