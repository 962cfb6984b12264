// StateSet: the crash states already checked, for deduplication.
//
// Two crash states are the same check when their images, their expectations
// and the oracles those refer to (0: the workload's; a continuation's id,
// continuation.h) are equal. A check includes the nested crash states below
// it (nesting.h), so a state is a duplicate only of one checked at its depth
// or a smaller one, which went at least as deep. Images are found by their 64-bit hash
// (image_hash), but a hash match alone never makes a state a duplicate: the
// images themselves are compared, so a collision (two different images with
// one hash) leaves both states to be checked.
//
// To compare, the set keeps the image of each state it holds (shared
// chunks: most states of a model share most of their bytes) until the
// distinct chunks it keeps reach `budget_bytes`; past that it keeps only the
// state's id and rebuilds the image from it (Rebuild) when a later state has
// the same hash and expectation. Rebuilding replays trace entries (the
// simulator's, from the nearest frontier it keeps before the state's crash
// point), so it is slower than a kept image but exact, and only ever happens
// once the budget is spent.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "crashsim/model/timeline.h"
#include "crashsim/record/disk_image.h"
#include "vfs/status.h"

namespace crashsim {

class StateSet {
 public:
  // The image of the state named `id` (one inserted earlier).
  using Rebuild = std::function<vfs::Result<DiskImage>(const std::string& id)>;

  StateSet(uint64_t budget_bytes, Rebuild rebuild) : budget_bytes_(budget_bytes), rebuild_(std::move(rebuild)) {}

  // Inserts the state at `depth` unless an equal one is there at that depth
  // or a smaller one (an equal one deeper down takes this depth); true when
  // it was inserted, i.e. the state is to be checked.
  vfs::Result<bool> insert(const DiskImage& image, uint64_t hash, Expectation expect, const std::string& id,
                           uint64_t oracle_id = 0, uint32_t depth = 0);

  // No state was inserted past the budget: no comparison needs a rebuild.
  bool holds_every_image() const { return !dropped_images_; }
  // Bytes of the distinct chunks the set keeps alive.
  uint64_t retained_bytes() const { return retained_bytes_; }
  // Hash matches resolved by comparing images: equal (a duplicate) or not (a collision).
  uint64_t comparisons() const { return comparisons_; }
  uint64_t collisions() const { return collisions_; }

 private:
  struct Key {
    uint64_t hash;
    Expectation expect;
    uint64_t oracle_id;
    friend bool operator==(const Key&, const Key&) = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  struct Entry {
    std::string id;
    std::optional<DiskImage> image;  // absent once the budget is spent
    uint32_t depth = 0;
  };

  // The entry under `key` whose image equals `image`, if any.
  vfs::Result<Entry*> find(const Key& key, const DiskImage& image);
  // Keeps `image` while the budget is not spent.
  std::optional<DiskImage> retain(const DiskImage& image);

  uint64_t budget_bytes_;
  Rebuild rebuild_;
  std::unordered_map<Key, std::vector<Entry>, KeyHash> entries_;
  // The storage nodes (vfs::FileContents) of the images kept.
  std::unordered_set<const void*> retained_nodes_;
  uint64_t retained_bytes_ = 0;
  bool dropped_images_ = false;
  uint64_t comparisons_ = 0;
  uint64_t collisions_ = 0;
};

}  // namespace crashsim
