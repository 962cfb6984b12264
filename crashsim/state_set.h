// StateSet: the crash states already checked, for deduplication.
//
// Two crash states are the same check when their images and their
// expectations are equal. Images are found by their 64-bit hash
// (image_hash), but a hash match alone never makes a state a duplicate: the
// images themselves are compared, so a collision (two different images with
// one hash) leaves both states to be checked.
//
// To compare, the set keeps the image of each state it holds (shared
// buffers: most states of a model share most of their bytes) while the
// distinct buffers it keeps stay within `budget_bytes`; past that it keeps
// only the state's id and rebuilds the image from it (Rebuild) when a later
// state has the same hash and expectation. Rebuilding replays the trace up to
// the state's crash point, so it is slow but exact, and only ever happens
// once the budget is spent.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "crashsim/disk_image.h"
#include "crashsim/timeline.h"
#include "vfs/status.h"

namespace crashsim {

class StateSet {
 public:
  // The image of the state named `id` (one inserted earlier).
  using Rebuild = std::function<vfs::Result<DiskImage>(const std::string& id)>;

  StateSet(uint64_t budget_bytes, Rebuild rebuild) : budget_bytes_(budget_bytes), rebuild_(std::move(rebuild)) {}

  // Whether a state with an equal image and expectation was inserted.
  vfs::Result<bool> contains(const DiskImage& image, uint64_t hash, Expectation expect) const;
  // Inserts the state unless an equal one is there; true when it was inserted.
  vfs::Result<bool> insert(const DiskImage& image, uint64_t hash, Expectation expect, const std::string& id);

  // Bytes of the distinct buffers the set keeps alive.
  uint64_t retained_bytes() const { return retained_bytes_; }
  // Hash matches resolved by comparing images: equal (a duplicate) or not (a collision).
  uint64_t comparisons() const { return comparisons_; }
  uint64_t collisions() const { return collisions_; }

 private:
  struct Key {
    uint64_t hash;
    Expectation expect;
    friend bool operator==(const Key&, const Key&) = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  struct Entry {
    std::string id;
    std::optional<DiskImage> image;  // absent once the budget is spent
  };

  // The entry under `key` whose image equals `image`, if any.
  vfs::Result<const Entry*> find(const Key& key, const DiskImage& image) const;
  // Keeps `image` when its new buffers fit in the budget.
  std::optional<DiskImage> retain(const DiskImage& image);

  uint64_t budget_bytes_;
  Rebuild rebuild_;
  std::unordered_map<Key, std::vector<Entry>, KeyHash> entries_;
  std::unordered_set<const Bytes*> retained_buffers_;
  uint64_t retained_bytes_ = 0;
  mutable uint64_t comparisons_ = 0;
  mutable uint64_t collisions_ = 0;
};

}  // namespace crashsim
