// Random numbers for identities that must differ between databases and
// between write attempts (db_id, the WAL frame nonce), not for secrets.
#pragma once

#include <cstdint>

namespace engine {

// 64 random bits, seeded once per thread from std::random_device; never
// throws (a clock-based seed stands in when the system has no entropy
// source) and never returns 0.
uint64_t random_u64();

// A well-mixed 64-bit function of `x` (splitmix64's finalizer): consecutive
// inputs give unrelated outputs.
uint64_t mix64(uint64_t x);

}  // namespace engine
