#include "crashsim/model/state_set.h"

#include "crashsim/rng.h"

namespace crashsim {

using vfs::Result;

size_t StateSet::KeyHash::operator()(const Key& k) const {
  return mix64(k.hash ^ mix64(k.expect.acked * 4 + k.expect.in_flight * 2) ^ mix64(k.expect.failed + 1) ^
               k.oracle_id);
}

Result<StateSet::Entry*> StateSet::find(const Key& key, const DiskImage& image) {
  const auto it = entries_.find(key);
  if (it == entries_.end()) return nullptr;
  for (Entry& entry : it->second) {
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

Result<bool> StateSet::insert(const DiskImage& image, uint64_t hash, Expectation expect, const std::string& id,
                              uint64_t oracle_id, uint32_t depth) {
  const Key key{hash, expect, oracle_id};
  ASSIGN_OR_RETURN(Entry* found, find(key, image));
  if (found == nullptr) {
    std::optional<DiskImage> kept = retain(image);
    dropped_images_ = dropped_images_ || !kept;
    entries_[key].push_back(Entry{id, std::move(kept), depth});
    return true;
  }
  if (found->depth <= depth) return false;
  found->depth = depth;
  return true;
}

std::optional<DiskImage> StateSet::retain(const DiskImage& image) {
  if (retained_bytes_ >= budget_bytes_) return std::nullopt;
  // The kept image holds its nodes, so their addresses are not reused while they are counted.
  for (const auto& entry : image.files) retained_bytes_ += entry.second.add_unseen_storage(retained_nodes_);
  return image;
}

}  // namespace crashsim
