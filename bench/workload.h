// The one workload definition every engine runs, so that figures compare.
//
// Keys are 16 bytes, values 100 bytes, in the spirit of LevelDB's db_bench.
// Key i is its index written as 16 decimal digits ("0000000000000042"), so an
// ordered scan visits the indices in order. Value i is a function of i and
// the seed alone (write_value), so a reader can rebuild the expected bytes
// of any key in registers instead of fetching them from a table: a table
// lookup per get is cache misses the harness would add to every engine's
// figure alike, flattening the ratios between them. The order in which keys are
// inserted, read, churned and deleted is drawn from a fixed seed, so every
// engine sees exactly the same sequence of operations in every run.
//
// The workloads (sizes below):
//   fill-batch   kFillKeys puts in shuffled order, kBatchSize per durable commit
//   fill-sync    kSyncCommits single-put durable commits
//   read-random  kReads point gets of present keys on the filled database
//   scan         one full ordered scan of the filled database
//   churn        kChurnCycles cycles over a fixed set of kChurnKeys keys: put
//                every key, then delete a random half; kBatchSize per commit
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

inline constexpr size_t kKeySize = 16;
inline constexpr size_t kValueSize = 100;
inline constexpr uint64_t kSeed = 0x5eed'b7ee'2024'0001ull;

inline constexpr size_t kFillKeys = 100'000;
inline constexpr size_t kBatchSize = 1'000;
inline constexpr size_t kSyncCommits = 2'000;
inline constexpr size_t kReads = 1'000'000;
inline constexpr size_t kChurnKeys = 10'000;
inline constexpr size_t kChurnCycles = 10;

// Writes key i (kKeySize bytes) into `out`.
void write_key(size_t i, char* out);
// Writes value i (kValueSize printable bytes, 'a'..'p', drawn from kSeed and
// i) into `out`.
void write_value(size_t i, char* out);

// One put or delete of a commit. Views point into a Workload, which outlives them.
struct Op {
  enum class Kind : uint8_t { kPut, kDelete };
  Kind kind;
  std::string_view key;
  std::string_view value;  // empty for kDelete
};

// The ops of one durable commit.
using Commit = std::vector<Op>;

// One churn cycle: the commits that put every key of the churn set, then the
// commits that delete half of it.
struct ChurnCycle {
  std::vector<Commit> puts;
  std::vector<Commit> deletes;
};

// Every key, value and operation sequence of the benchmark, built once from kSeed.
class Workload {
 public:
  Workload();

  // Key of index i (i < kFillKeys) and its value: write_key's and write_value's bytes.
  std::string_view key(size_t i) const { return keys_[i]; }
  std::string_view value(size_t i) const { return values_[i]; }

  // fill-batch: every key once, in shuffled order, kBatchSize puts per commit.
  const std::vector<Commit>& fill_batch() const { return fill_batch_; }
  // fill-sync: the first kSyncCommits keys of the shuffled order, one put per commit.
  const std::vector<Commit>& fill_sync() const { return fill_sync_; }
  // read-random: kReads key indices, uniform over the filled keys.
  const std::vector<uint32_t>& read_indices() const { return read_indices_; }
  // churn: kChurnCycles cycles over the first kChurnKeys keys of the shuffled order.
  const std::vector<ChurnCycle>& churn() const { return churn_; }

 private:
  std::vector<std::string> keys_;
  std::vector<std::string> values_;
  // Values written by churn cycle c differ from the fill values and from the
  // previous cycle's, so that every put really changes the stored bytes.
  std::vector<std::string> churn_values_;
  std::vector<Commit> fill_batch_;
  std::vector<Commit> fill_sync_;
  std::vector<uint32_t> read_indices_;
  std::vector<ChurnCycle> churn_;
};

// The process-wide workload (built on first use; about 15 MB).
const Workload& workload();

// Number of ops across the commits.
size_t op_count(const std::vector<Commit>& commits);

}  // namespace bench
