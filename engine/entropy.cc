#include "engine/entropy.h"

#include <chrono>
#include <random>

#include <unistd.h>

namespace engine {

uint64_t mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

namespace {

// One draw from std::random_device; a clock-based value when the system has
// no entropy source (no exception may leave the engine, and uniqueness, not
// secrecy, is all that is needed).
uint64_t device_u64() {
  try {
    std::random_device device;
    return (uint64_t{device()} << 32) | device();
  } catch (...) {
    uint64_t local = 0;
    return mix64(static_cast<uint64_t>(std::chrono::high_resolution_clock::now().time_since_epoch().count()) ^
                 reinterpret_cast<uintptr_t>(&local));
  }
}

}  // namespace

uint64_t random_u64() {
  // The device is read once per thread: opening it costs far more than the
  // open or checkpoint a value is drawn for (in a virtual machine, its CPU
  // feature probe traps to the hypervisor). A splitmix64 sequence from that
  // seed gives distinct values; the process id keeps a forked child's
  // sequence apart from its parent's.
  thread_local uint64_t state = device_u64();
  state += 0x9E3779B97F4A7C15ull;
  const uint64_t value = mix64(state ^ (static_cast<uint64_t>(::getpid()) << 32));
  return value != 0 ? value : 1;
}

}  // namespace engine
