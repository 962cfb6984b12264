#include "crashsim/state_set.h"

#include <algorithm>

#include "crashsim/rng.h"

namespace crashsim {

using vfs::Result;

size_t StateSet::KeyHash::operator()(const Key& k) const {
  return mix64(k.hash ^ mix64(k.expect.acked * 4 + (k.expect.in_flight ? 2 : 0)) ^ mix64(k.expect.failed + 1));
}

Result<const StateSet::Entry*> StateSet::find(const Key& key, const DiskImage& image) const {
  const auto it = entries_.find(key);
  if (it == entries_.end()) return nullptr;
  for (const Entry& entry : it->second) {
    ++comparisons_;
    bool equal = false;
    if (entry.image) {
      equal = *entry.image == image;
    } else {
      ASSIGN_OR_RETURN(const DiskImage earlier, rebuild_(entry.id));
      equal = earlier == image;
    }
    if (equal) return &entry;
    ++collisions_;
  }
  return nullptr;
}

Result<bool> StateSet::contains(const DiskImage& image, uint64_t hash, Expectation expect) const {
  ASSIGN_OR_RETURN(const Entry* found, find(Key{hash, expect}, image));
  return found != nullptr;
}

Result<bool> StateSet::insert(const DiskImage& image, uint64_t hash, Expectation expect, const std::string& id) {
  const Key key{hash, expect};
  ASSIGN_OR_RETURN(const Entry* found, find(key, image));
  if (found != nullptr) return false;
  entries_[key].push_back(Entry{id, retain(image)});
  return true;
}

std::optional<DiskImage> StateSet::retain(const DiskImage& image) {
  std::vector<const Bytes*> fresh;
  uint64_t added = 0;
  for (const auto& entry : image.files) {
    const Bytes* buffer = entry.second.get();
    if (retained_buffers_.contains(buffer) || std::find(fresh.begin(), fresh.end(), buffer) != fresh.end()) continue;
    fresh.push_back(buffer);
    added += buffer->size();
  }
  if (retained_bytes_ + added > budget_bytes_) return std::nullopt;
  // The kept image holds its buffers, so their addresses are not reused while they are counted.
  retained_buffers_.insert(fresh.begin(), fresh.end());
  retained_bytes_ += added;
  return image;
}

}  // namespace crashsim
