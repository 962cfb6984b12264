#include "crashsim/disk_image.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <string_view>

#include <xxhash.h>

#include "crashsim/rng.h"

namespace crashsim {

bool operator==(const DiskImage& a, const DiskImage& b) {
  if (a.dirs != b.dirs || a.files.size() != b.files.size()) return false;
  for (auto ia = a.files.begin(), ib = b.files.begin(); ia != a.files.end(); ++ia, ++ib) {
    if (ia->first != ib->first) return false;
    if (ia->second != ib->second && *ia->second != *ib->second) return false;
  }
  return true;
}

uint64_t bytes_hash(std::span<const uint8_t> bytes) {
  return XXH3_64bits(bytes.data(), bytes.size());
}

uint64_t HashCache::hash(const SharedBytes& bytes) {
  if (const std::optional<uint64_t> h = find(bytes)) return *h;
  const uint64_t h = bytes_hash(*bytes);  // outside the lock: two threads may both compute it, harmlessly
  insert(bytes, h);
  return h;
}

std::optional<uint64_t> HashCache::find(const SharedBytes& bytes) {
  std::lock_guard lock(mu_);
  const auto it = hashes_.find(bytes.get());
  if (it != hashes_.end() && it->second.buffer.lock() == bytes) return it->second.hash;
  return std::nullopt;
}

void HashCache::insert(const SharedBytes& bytes, uint64_t hash) {
  std::lock_guard lock(mu_);
  hashes_.insert_or_assign(bytes.get(), Entry{bytes, hash});
  if (hashes_.size() >= prune_at_) {
    std::erase_if(hashes_, [](const auto& entry) { return entry.second.buffer.expired(); });
    prune_at_ = std::max<size_t>(1024, 2 * hashes_.size());
  }
}

uint64_t image_hash(const DiskImage& image, HashCache* cache) {
  uint64_t h = 0x243f6a8885a308d3ull;
  auto fold = [&h](uint64_t v) { h = mix64(h ^ v) + 0x9e3779b97f4a7c15ull; };
  auto fold_name = [&fold](const std::string& s) {
    fold(std::hash<std::string_view>{}(s));
  };
  for (const std::string& d : image.dirs) fold_name(d);
  fold(image.dirs.size());
  for (const auto& [path, contents] : image.files) {
    fold_name(path);
    fold(cache != nullptr ? cache->hash(contents) : bytes_hash(*contents));
  }
  fold(image.files.size());
  return h;
}

const SharedBytes& empty_bytes() {
  static const SharedBytes empty = std::make_shared<const Bytes>();
  return empty;
}

void apply_write(Bytes& file, uint64_t offset, std::span<const uint8_t> data) {
  if (data.empty()) return;
  const uint64_t end = offset + data.size();
  if (file.size() < end) file.resize(end, 0);
  std::memcpy(file.data() + offset, data.data(), data.size());
}

void apply_truncate(Bytes& file, uint64_t size) { file.resize(size, 0); }

}  // namespace crashsim
