#include "vfs/file_contents.h"

#include <algorithm>
#include <atomic>
#include <cstring>

#include <xxhash.h>

namespace vfs {

namespace {

// A node held by `ptr`, made private to its holder: copied when anything else
// shares it. Objects are created non-const (make_shared<T>) and only held as
// const, so writing one that nothing else references is defined.
template <class T>
T& make_private(std::shared_ptr<const T>& ptr) {
  if (ptr.use_count() == 1) {
    // Pairs with the release in the last other holder's reference drop, so
    // its reads of the node happen before the writes about to be made.
    std::atomic_thread_fence(std::memory_order_acquire);
  } else {
    ptr = std::make_shared<T>(*ptr);
  }
  return const_cast<T&>(*ptr);
}

}  // namespace

FileContents::FileContents(std::span<const uint8_t> bytes) { write(0, bytes); }

const FileContents::ChunkPtr& FileContents::zero_chunk() {
  static const ChunkPtr zero = [] {
    auto c = std::make_shared<Chunk>();
    c->hash = XXH3_64bits(c->bytes.data(), kChunkSize);
    return ChunkPtr(std::move(c));
  }();
  return zero;
}

uint64_t FileContents::term(uint64_t chunk_hash, uint64_t index) {
  const uint64_t v[2] = {chunk_hash, index};
  return XXH3_64bits(v, sizeof v);
}

uint64_t FileContents::hash() const {
  const uint64_t v[2] = {sum_, size_};
  return XXH3_64bits(v, sizeof v);
}

const FileContents::Chunk& FileContents::chunk(uint64_t index) const {
  return *(*root_)[index / kLeafChunks]->chunks[index % kLeafChunks];
}

FileContents::Chunk& FileContents::writable_chunk(uint64_t index) {
  Root& root = make_private(root_);
  Leaf& leaf = make_private(root[index / kLeafChunks]);
  return make_private(leaf.chunks[index % kLeafChunks]);
}

void FileContents::rehash(uint64_t index, Chunk& chunk, uint64_t old_hash) {
  chunk.hash = XXH3_64bits(chunk.bytes.data(), kChunkSize);
  sum_ += term(chunk.hash, index) - term(old_hash, index);
}

void FileContents::resize_chunks(uint64_t chunks) {
  const uint64_t old = chunk_count();
  if (chunks == old) return;
  for (uint64_t i = chunks; i < old; ++i) sum_ -= term(chunk(i).hash, i);
  if (chunks == 0) {
    root_.reset();
    return;
  }
  if (!root_) root_ = std::make_shared<Root>();
  Root& root = make_private(root_);
  const uint64_t leaves = (chunks + kLeafChunks - 1) / kLeafChunks;
  root.resize(leaves);
  for (LeafPtr& leaf : root) {
    if (!leaf) leaf = std::make_shared<Leaf>();
  }
  // The chunks between old and chunks: cleared when shrinking, zero when growing.
  const uint64_t from = std::min(old, chunks);
  const uint64_t to = std::min(std::max(old, chunks), leaves * kLeafChunks);
  for (uint64_t i = from; i < to;) {
    Leaf& leaf = make_private(root[i / kLeafChunks]);
    for (const uint64_t leaf_end = std::min(to, (i / kLeafChunks + 1) * kLeafChunks); i < leaf_end; ++i) {
      if (chunks > old) {
        leaf.chunks[i % kLeafChunks] = zero_chunk();
        sum_ += term(zero_chunk()->hash, i);
      } else {
        leaf.chunks[i % kLeafChunks].reset();
      }
    }
  }
}

void FileContents::truncate(uint64_t size) {
  if (size == size_) return;
  const uint64_t chunks = (size + kChunkSize - 1) / kChunkSize;
  if (size > size_) {
    // The last chunk's bytes past size_ are already zero.
    resize_chunks(chunks);
    size_ = size;
    return;
  }
  resize_chunks(chunks);
  size_ = size;
  if (const uint64_t keep = size % kChunkSize; keep != 0) {
    Chunk& last = writable_chunk(chunks - 1);
    const uint64_t old_hash = last.hash;
    std::memset(last.bytes.data() + keep, 0, kChunkSize - keep);
    rehash(chunks - 1, last, old_hash);
  }
}

void FileContents::write(uint64_t offset, std::span<const uint8_t> data) {
  if (data.empty()) return;
  if (offset + data.size() > size_) truncate(offset + data.size());
  for (size_t done = 0; done < data.size();) {
    const uint64_t pos = offset + done;
    const uint64_t index = pos / kChunkSize;
    const size_t within = pos % kChunkSize;
    const size_t n = std::min(kChunkSize - within, data.size() - done);
    Chunk& c = writable_chunk(index);
    const uint64_t old_hash = c.hash;
    std::memcpy(c.bytes.data() + within, data.data() + done, n);
    rehash(index, c, old_hash);
    done += n;
  }
}

size_t FileContents::read(uint64_t offset, std::span<uint8_t> out) const {
  if (offset >= size_) return 0;
  const size_t total = static_cast<size_t>(std::min<uint64_t>(out.size(), size_ - offset));
  for (size_t done = 0; done < total;) {
    const uint64_t pos = offset + done;
    const size_t within = pos % kChunkSize;
    const size_t n = std::min(kChunkSize - within, total - done);
    std::memcpy(out.data() + done, chunk(pos / kChunkSize).bytes.data() + within, n);
    done += n;
  }
  return total;
}

uint8_t FileContents::at(uint64_t offset) const { return chunk(offset / kChunkSize).bytes[offset % kChunkSize]; }

Bytes FileContents::to_bytes() const {
  Bytes out(size_);
  read(0, out);
  return out;
}

bool operator==(const FileContents& a, const FileContents& b) {
  if (a.size_ != b.size_) return false;
  if (a.root_ == b.root_) return true;
  // sum_ is a function of the bytes: different sums, different bytes.
  if (a.sum_ != b.sum_) return false;
  for (size_t l = 0; l < a.root_->size(); ++l) {
    const FileContents::Leaf* la = (*a.root_)[l].get();
    const FileContents::Leaf* lb = (*b.root_)[l].get();
    if (la == lb) continue;
    for (size_t c = 0; c < FileContents::kLeafChunks && la->chunks[c]; ++c) {
      const FileContents::Chunk* ca = la->chunks[c].get();
      const FileContents::Chunk* cb = lb->chunks[c].get();
      if (ca == cb) continue;
      if (ca->hash != cb->hash || ca->bytes != cb->bytes) return false;
    }
  }
  return true;
}

uint64_t FileContents::add_unseen_storage(std::unordered_set<const void*>& seen) const {
  if (!root_ || !seen.insert(root_.get()).second) return 0;
  uint64_t bytes = 0;
  for (const LeafPtr& leaf : *root_) {
    if (!seen.insert(leaf.get()).second) continue;
    for (const ChunkPtr& c : leaf->chunks) {
      if (c && seen.insert(c.get()).second) bytes += kChunkSize;
    }
  }
  return bytes;
}

size_t FileContents::chunks_not_shared_with(const FileContents& other) const {
  const uint64_t n = chunk_count();
  size_t out = 0;
  for (uint64_t i = 0; i < n; ++i) {
    if (i >= other.chunk_count() || &chunk(i) != &other.chunk(i)) ++out;
  }
  return out;
}

}  // namespace vfs
