#include "crashsim/disk_image.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <string_view>

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
  const std::string_view view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  return mix64(std::hash<std::string_view>{}(view) ^ bytes.size());
}

uint64_t HashCache::hash(const SharedBytes& bytes) {
  {
    std::lock_guard lock(mu_);
    const auto it = hashes_.find(bytes.get());
    if (it != hashes_.end()) return it->second.second;
  }
  const uint64_t h = bytes_hash(*bytes);  // outside the lock: two threads may both compute it, harmlessly
  std::lock_guard lock(mu_);
  hashes_.emplace(bytes.get(), std::make_pair(bytes, h));
  return h;
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
