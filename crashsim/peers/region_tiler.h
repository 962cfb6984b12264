// RegionTiler: lays regions end to end over one file, as describe_regions
// promises them (in order, no gap, no overlap).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crashsim/system_under_test.h"

namespace crashsim::peers {

class RegionTiler {
 public:
  RegionTiler(std::string path, std::vector<FileRegion>& out) : path_(std::move(path)), out_(out) {}

  // The next `length` bytes are a region of `kind` (nothing when empty).
  void add(uint64_t length, const std::string& kind) {
    if (length == 0) return;
    out_.push_back({path_, at_, length, kind});
    at_ += length;
  }
  // Where the next region starts.
  uint64_t at() const { return at_; }

 private:
  std::string path_;
  std::vector<FileRegion>& out_;
  uint64_t at_ = 0;
};

}  // namespace crashsim::peers
