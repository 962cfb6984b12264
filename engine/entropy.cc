#include "engine/entropy.h"

#include <chrono>
#include <random>

namespace engine {

uint64_t mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

uint64_t random_u64() {
  uint64_t value = 0;
  try {
    std::random_device device;
    value = (uint64_t{device()} << 32) | device();
  } catch (...) {
    // No entropy source: no exception may leave the engine, and uniqueness
    // (not secrecy) is all that is needed.
    value = mix64(static_cast<uint64_t>(std::chrono::high_resolution_clock::now().time_since_epoch().count()) ^
                  reinterpret_cast<uintptr_t>(&value));
  }
  return value != 0 ? value : 1;
}

}  // namespace engine
