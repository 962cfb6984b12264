// Helpers shared by the vfs tests (test-only; not part of the library).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace vfs::test_util {

// `n` bytes of a deterministic pseudo-random pattern; different seeds give
// different patterns, so a misplaced or stale block cannot compare equal.
inline std::vector<uint8_t> pattern_bytes(size_t n, uint32_t seed) {
  std::vector<uint8_t> out(n);
  uint32_t x = seed * 2654435761u + 1;
  for (auto& b : out) {
    x = x * 1103515245u + 12345u;
    b = static_cast<uint8_t>(x >> 16);
  }
  return out;
}

}  // namespace vfs::test_util
