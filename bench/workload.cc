#include "bench/workload.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <random>

namespace bench {
namespace {

// SplitMix64's finalizer: a well-mixed 64-bit value from any input.
uint64_t mix(uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

std::string index_key(size_t i) {
  std::string key(kKeySize, '\0');
  write_key(i, key.data());
  return key;
}

std::string index_value(size_t i) {
  std::string value(kValueSize, '\0');
  write_value(i, value.data());
  return value;
}

// Printable bytes so that a hex dump of a benchmark database stays readable.
std::string random_value(std::mt19937_64& rng) {
  std::uniform_int_distribution<int> byte('a', 'z');
  std::string v(kValueSize, '\0');
  for (char& c : v) c = static_cast<char>(byte(rng));
  return v;
}

// Splits `ops` into commits of at most `per_commit` ops, keeping their order.
std::vector<Commit> into_commits(const std::vector<Op>& ops, size_t per_commit) {
  std::vector<Commit> commits;
  for (size_t at = 0; at < ops.size(); at += per_commit) {
    const size_t end = std::min(ops.size(), at + per_commit);
    commits.emplace_back(ops.begin() + static_cast<std::ptrdiff_t>(at), ops.begin() + static_cast<std::ptrdiff_t>(end));
  }
  return commits;
}

}  // namespace

void write_key(size_t i, char* out) {
  for (size_t d = kKeySize; d-- > 0; i /= 10) out[d] = static_cast<char>('0' + i % 10);
}

void write_value(size_t i, char* out) {
  // Eight bytes per mixed word: the low nibble of each byte picks a letter.
  for (size_t at = 0; at < kValueSize; at += 8) {
    const uint64_t letters = (mix(kSeed ^ (i * kValueSize + at)) & 0x0f0f0f0f0f0f0f0full) + 0x6161616161616161ull;
    std::memcpy(out + at, &letters, std::min<size_t>(8, kValueSize - at));
  }
}

Workload::Workload() {
  std::mt19937_64 rng(kSeed);
  keys_.reserve(kFillKeys);
  values_.reserve(kFillKeys);
  for (size_t i = 0; i < kFillKeys; ++i) {
    keys_.push_back(index_key(i));
    values_.push_back(index_value(i));
  }

  std::vector<uint32_t> order(kFillKeys);
  std::iota(order.begin(), order.end(), 0u);
  std::shuffle(order.begin(), order.end(), rng);

  std::vector<Op> puts;
  puts.reserve(kFillKeys);
  for (uint32_t i : order) puts.push_back({Op::Kind::kPut, keys_[i], values_[i]});
  fill_batch_ = into_commits(puts, kBatchSize);
  fill_sync_ = into_commits(std::vector<Op>(puts.begin(), puts.begin() + kSyncCommits), 1);

  std::uniform_int_distribution<uint32_t> pick(0, kFillKeys - 1);
  read_indices_.resize(kReads);
  for (uint32_t& i : read_indices_) i = pick(rng);

  // Two alternating value sets, so that consecutive cycles store different bytes.
  churn_values_.reserve(2 * kChurnKeys);
  for (size_t j = 0; j < 2 * kChurnKeys; ++j) churn_values_.push_back(random_value(rng));
  std::vector<uint32_t> churn_set(order.begin(), order.begin() + kChurnKeys);
  for (size_t c = 0; c < kChurnCycles; ++c) {
    const std::string* cycle_values = &churn_values_[(c % 2) * kChurnKeys];
    std::vector<size_t> positions(kChurnKeys);
    std::iota(positions.begin(), positions.end(), size_t{0});
    std::shuffle(positions.begin(), positions.end(), rng);
    std::vector<Op> cycle_puts;
    cycle_puts.reserve(kChurnKeys);
    for (size_t p : positions) cycle_puts.push_back({Op::Kind::kPut, keys_[churn_set[p]], cycle_values[p]});
    std::shuffle(positions.begin(), positions.end(), rng);
    std::vector<Op> cycle_deletes;
    cycle_deletes.reserve(kChurnKeys / 2);
    for (size_t n = 0; n < kChurnKeys / 2; ++n) cycle_deletes.push_back({Op::Kind::kDelete, keys_[churn_set[positions[n]]], {}});
    churn_.push_back({into_commits(cycle_puts, kBatchSize), into_commits(cycle_deletes, kBatchSize)});
  }
}

const Workload& workload() {
  static const Workload w;
  return w;
}

size_t op_count(const std::vector<Commit>& commits) {
  size_t n = 0;
  for (const Commit& c : commits) n += c.size();
  return n;
}

}  // namespace bench
