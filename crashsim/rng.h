// A small, portable, seeded pseudo-random generator.
//
// Everything the simulator samples (workload keys and values, crash points,
// subsets of pending writes, torn sectors, media faults) is drawn from an Rng
// seeded from the scenario's seed, so a run is reproducible bit for bit on
// any platform. The standard <random> distributions are implementation-
// defined, which is why they are not used: this is splitmix64 (Steele, Lea
// and Flood, 2014), whose output is fully specified by the seed.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>

namespace crashsim {

// The splitmix64 finalizer: a bijective 64-bit mix.
inline uint64_t mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

// FNV-1a over `text`: a portable hash for seeding sub-streams from names.
inline uint64_t text_hash(std::string_view text) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : text) {
    h ^= static_cast<uint8_t>(c);
    h *= 0x100000001b3ull;
  }
  return h;
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  // A generator for one sub-stream, e.g. Rng::derive({seed, crash_point}):
  // the same inputs always give the same stream, whatever else was drawn.
  static Rng derive(std::initializer_list<uint64_t> parts) {
    uint64_t s = 0x6a09e667f3bcc909ull;
    for (uint64_t p : parts) s = mix64(s ^ mix64(p + 0x9e3779b97f4a7c15ull));
    return Rng(s);
  }

  uint64_t next() {
    state_ += 0x9e3779b97f4a7c15ull;
    return mix64(state_);
  }
  // Uniform in [0, n); n must be > 0. The modulo bias (< n / 2^64) is irrelevant here.
  uint64_t below(uint64_t n) { return next() % n; }
  // Uniform in [lo, hi]; requires lo <= hi.
  uint64_t between(uint64_t lo, uint64_t hi) { return lo + below(hi - lo + 1); }
  // True with probability num/den.
  bool chance(uint64_t num, uint64_t den) { return below(den) < num; }

 private:
  uint64_t state_;
};

}  // namespace crashsim
