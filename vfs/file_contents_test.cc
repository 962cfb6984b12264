#include "vfs/file_contents.h"

#include <random>
#include <unordered_set>
#include <vector>

#include <gtest/gtest.h>

namespace vfs {
namespace {

constexpr size_t kChunk = FileContents::kChunkSize;

Bytes pattern(size_t n, uint8_t seed) {
  Bytes out(n);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(seed + i * 7);
  return out;
}

// The reference: a flat buffer with POSIX write and truncate.
void flat_write(Bytes& file, uint64_t offset, const Bytes& data) {
  if (file.size() < offset + data.size()) file.resize(offset + data.size(), 0);
  std::copy(data.begin(), data.end(), file.begin() + static_cast<std::ptrdiff_t>(offset));
}

TEST(FileContents, ReadsBackWhatWasWrittenWithZeroGaps) {
  FileContents f;
  f.write(3 * kChunk + 10, pattern(100, 1));
  EXPECT_EQ(f.size(), 3 * kChunk + 110);
  Bytes expected(3 * kChunk + 110, 0);
  flat_write(expected, 3 * kChunk + 10, pattern(100, 1));
  EXPECT_EQ(f.to_bytes(), expected);
  std::vector<uint8_t> tail(50);
  EXPECT_EQ(f.read(3 * kChunk + 90, tail), 20u);
  EXPECT_EQ(f.read(f.size(), tail), 0u);
}

TEST(FileContents, ShrinkingThenGrowingReadsZeros) {
  FileContents f(pattern(2 * kChunk, 3));
  f.truncate(kChunk + 5);
  f.truncate(2 * kChunk);
  Bytes expected = pattern(kChunk + 5, 3);
  expected.resize(2 * kChunk, 0);
  EXPECT_EQ(f.to_bytes(), expected);
  EXPECT_EQ(f, FileContents(expected));
  EXPECT_EQ(f.hash(), FileContents(expected).hash());
}

TEST(FileContents, ACopyIsNeverChangedByWritesToTheOriginal) {
  FileContents f(pattern(200 * kChunk, 5));
  const FileContents copy = f;
  const Bytes before = copy.to_bytes();
  f.write(70 * kChunk + 100, pattern(10, 9));
  f.truncate(10 * kChunk + 1);
  EXPECT_EQ(copy.to_bytes(), before);
  EXPECT_EQ(copy.hash(), FileContents(before).hash());
}

TEST(FileContents, AWriteCopiesOnlyTheChunksItTouches) {
  FileContents f(pattern(200 * kChunk, 5));
  const FileContents copy = f;
  f.write(70 * kChunk + kChunk - 2, pattern(4, 9));  // straddles chunks 70 and 71
  EXPECT_EQ(f.chunks_not_shared_with(copy), 2u);
  EXPECT_EQ(copy.chunks_not_shared_with(f), 2u);
  std::unordered_set<const void*> seen;
  copy.add_unseen_storage(seen);
  // The new version costs its two chunks (and the nodes above them).
  EXPECT_EQ(f.add_unseen_storage(seen), 2 * kChunk);
  EXPECT_EQ(f.add_unseen_storage(seen), 0u);
}

TEST(FileContents, EqualBytesAreEqualWhateverTheirHistory) {
  FileContents a(pattern(3 * kChunk, 1));
  FileContents b;
  b.write(2 * kChunk, pattern(kChunk, static_cast<uint8_t>(1 + 2 * kChunk * 7)));
  b.write(0, pattern(2 * kChunk, 1));
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.hash(), b.hash());
  b.write(kChunk, Bytes{0});
  EXPECT_NE(a, b);
  EXPECT_NE(a.hash(), b.hash());
  // Same bytes, different sizes: a trailing zero matters.
  FileContents c(Bytes{1, 2});
  FileContents d(Bytes{1, 2, 0});
  EXPECT_NE(c, d);
  EXPECT_NE(c.hash(), d.hash());
  EXPECT_NE(FileContents(), FileContents(Bytes{0}));
}

// Random writes and truncates against a flat buffer, with versions kept
// along the way: every version reads back its bytes, hashes as a fresh copy
// of them does, and equals exactly the versions with the same bytes.
TEST(FileContents, RandomEditsMatchAFlatBuffer) {
  std::mt19937_64 rng(18);
  FileContents f;
  Bytes flat;
  std::vector<std::pair<FileContents, Bytes>> versions;
  for (int step = 0; step < 3000; ++step) {
    const uint64_t limit = 80 * kChunk;
    if (rng() % 8 == 0) {
      const uint64_t size = rng() % limit;
      f.truncate(size);
      flat.resize(size, 0);
    } else {
      const uint64_t offset = rng() % limit;
      const Bytes data = pattern(1 + rng() % (3 * kChunk), static_cast<uint8_t>(rng()));
      f.write(offset, data);
      flat_write(flat, offset, data);
    }
    if (step % 50 == 0) versions.emplace_back(f, flat);
  }
  versions.emplace_back(f, flat);
  for (size_t i = 0; i < versions.size(); ++i) {
    const auto& [contents, bytes] = versions[i];
    ASSERT_EQ(contents.to_bytes(), bytes) << "version " << i;
    ASSERT_EQ(contents.hash(), FileContents(bytes).hash()) << "version " << i;
    for (size_t j = 0; j < versions.size(); ++j) {
      ASSERT_EQ(contents == versions[j].first, bytes == versions[j].second) << i << " vs " << j;
    }
  }
}

}  // namespace
}  // namespace vfs
