// FileContents: a file's bytes as a value, shared page by page.
//
// The crash simulator keeps thousands of versions of the same few files (one
// per crash point and per crash state), each differing from the next in a
// few pages. FileContents stores a file as fixed-size chunks of kChunkSize
// bytes under a two-level tree (a root of leaves of kLeafChunks chunks), every
// node immutable once shared:
//
//  - copying a FileContents is O(1): the copy shares the root;
//  - a write copies only what it touches: the root's list of leaves, the
//    leaves and the chunks on its path that something else still shares;
//  - two versions that share a node are equal there without looking inside.
//
// Each chunk carries the XXH3 hash of its bytes, and the file keeps the sum
// over its chunks of a mix of (chunk hash, chunk index), so hash() is O(1)
// and a write updates it in time proportional to the chunks it touches.
//
// Invariants: the file has ceil(size / kChunkSize) chunks; the bytes of the
// last chunk past `size` are zero (so a file that grows reads zeros there, as
// POSIX requires, and equal contents mean equal chunks); a chunk reachable
// from more than one FileContents is never written. Unwritten chunks (a gap
// a write past the end or a growing truncate leaves) share one zero chunk.
//
// Thread-safety: as a std::vector's. Distinct FileContents values that share
// nodes may be used from different threads at once (shared nodes are only
// read, and a node is written only while its holder is its sole owner).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <unordered_set>
#include <vector>

namespace vfs {

using Bytes = std::vector<uint8_t>;

class FileContents {
 public:
  static constexpr size_t kChunkSize = 4096;
  static constexpr size_t kLeafChunks = 64;

  FileContents() = default;  // empty
  explicit FileContents(std::span<const uint8_t> bytes);

  uint64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Copies the bytes at [offset, offset + out.size()) that exist into `out`;
  // returns how many (fewer at the end of the file, 0 past it).
  size_t read(uint64_t offset, std::span<uint8_t> out) const;
  // The byte at `offset` (< size()).
  uint8_t at(uint64_t offset) const;
  // The whole file, flat (a copy).
  Bytes to_bytes() const;

  // POSIX semantics: a write past the end zero-fills the gap; a truncate
  // shrinks or zero-extends.
  void write(uint64_t offset, std::span<const uint8_t> data);
  void truncate(uint64_t size);

  // A 64-bit hash of the size and the bytes: equal contents hash equally,
  // whatever their history. O(1).
  uint64_t hash() const;

  // Equal size and bytes. Shared nodes are equal without being read; chunks
  // whose hashes differ are unequal without being read.
  friend bool operator==(const FileContents& a, const FileContents& b);

  // Adds to `seen` the identities of this file's storage nodes not in it yet
  // (a node already there is skipped with everything under it) and returns
  // the bytes of the chunks among them: what keeping this file costs beyond
  // the files whose nodes `seen` holds.
  uint64_t add_unseen_storage(std::unordered_set<const void*>& seen) const;

  // The chunks this file holds that `other` does not hold at the same index,
  // counted by identity (what a copy-on-write copy of `other` has written).
  size_t chunks_not_shared_with(const FileContents& other) const;

 private:
  struct Chunk {
    std::array<uint8_t, kChunkSize> bytes{};
    uint64_t hash = 0;
  };
  using ChunkPtr = std::shared_ptr<const Chunk>;
  struct Leaf {
    std::array<ChunkPtr, kLeafChunks> chunks;  // null past the last chunk
  };
  using LeafPtr = std::shared_ptr<const Leaf>;
  using Root = std::vector<LeafPtr>;

  static const ChunkPtr& zero_chunk();
  static uint64_t term(uint64_t chunk_hash, uint64_t index);
  uint64_t chunk_count() const { return (size_ + kChunkSize - 1) / kChunkSize; }
  const Chunk& chunk(uint64_t index) const;
  // The chunk at `index` (< chunk_count()), made private to this file for writing.
  Chunk& writable_chunk(uint64_t index);
  // Rehashes a chunk written through writable_chunk() and updates sum_.
  void rehash(uint64_t index, Chunk& chunk, uint64_t old_hash);
  // Root::size() leaves for `chunks` chunks, new chunks the zero chunk.
  void resize_chunks(uint64_t chunks);

  std::shared_ptr<const Root> root_;  // null when empty
  uint64_t size_ = 0;
  uint64_t sum_ = 0;  // sum over chunks of term(chunk hash, index)
};

}  // namespace vfs
