// DiskImage: a crash state as a value.
//
// A crash state is an independent image of every directory and file (as
// Pebble's MemFS crash clones are), never the live files of the run that
// produced it. File contents are shared, immutable buffers, so thousands of
// images built from one trace cost little more than the bytes that differ.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>

#include "vfs/mem_vfs.h"

namespace crashsim {

using vfs::Bytes;
using vfs::SharedBytes;

struct DiskImage {
  // Every directory other than the roots "." and "/".
  std::set<std::string> dirs;
  // Every file and its contents (never null).
  std::map<std::string, SharedBytes> files;

  // Same directories and same file contents (buffers compared by value).
  friend bool operator==(const DiskImage& a, const DiskImage& b);
};

// Memoizes bytes_hash by buffer identity: crash states of one model share
// most of their buffers, and hashing them again would dominate the cost of
// deduplication. Holds no buffer alive: an entry whose buffer was freed is
// ignored (its address may since hold another buffer) and dropped as the
// cache grows, so a cache may live as long as a model's run. Thread-safe.
class HashCache {
 public:
  uint64_t hash(const SharedBytes& bytes);
  std::optional<uint64_t> find(const SharedBytes& bytes);
  void insert(const SharedBytes& bytes, uint64_t hash);

 private:
  struct Entry {
    std::weak_ptr<const Bytes> buffer;
    uint64_t hash = 0;
  };
  std::mutex mu_;
  std::unordered_map<const Bytes*, Entry> hashes_;
  size_t prune_at_ = 1024;  // drop the entries of freed buffers when the map reaches this size
};

// A 64-bit hash of an image's names and contents, for deduplication: equal
// images hash equally; different images collide with probability ~2^-64.
uint64_t image_hash(const DiskImage& image, HashCache* cache = nullptr);
uint64_t bytes_hash(std::span<const uint8_t> bytes);

// The empty buffer, shared.
const SharedBytes& empty_bytes();

// Buffer edits with POSIX semantics: a write past the end zero-fills the gap;
// a truncate shrinks or zero-extends.
void apply_write(Bytes& file, uint64_t offset, std::span<const uint8_t> data);
void apply_truncate(Bytes& file, uint64_t size);

}  // namespace crashsim
