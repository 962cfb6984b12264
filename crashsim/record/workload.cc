#include "crashsim/record/workload.h"

#include <array>
#include <set>
#include <utility>

#include "crashsim/name_table.h"
#include "crashsim/rng.h"

namespace crashsim {

using vfs::Result;
using vfs::Status;

namespace {

constexpr NameTable<StepKind, 12> kStepNames = {{
    {StepKind::kPut, "put"},
    {StepKind::kDelete, "del"},
    {StepKind::kGet, "get"},
    {StepKind::kCommit, "commit"},
    {StepKind::kCheckpoint, "checkpoint"},
    {StepKind::kReopen, "reopen"},
    {StepKind::kCrashReopen, "crash-reopen"},
    {StepKind::kQueueCommit, "queue-commit"},
    {StepKind::kSnapshot, "snapshot"},
    {StepKind::kSnapshotGet, "snapshot-get"},
    {StepKind::kSnapshotScan, "snapshot-scan"},
    {StepKind::kRelease, "release"},
}};

// Salts that keep the generator's sub-streams apart.
constexpr uint64_t kKeyStream = 0x6b6579;
constexpr uint64_t kStepStream = 0x73746570;
constexpr uint64_t kSnapshotStream = 0x736e6170;

void pad_with_letters(std::string& s, size_t size, Rng& rng) {
  while (s.size() < size) s.push_back(static_cast<char>('a' + rng.below(26)));
}

Status check_range(std::string_view name, uint32_t lo, uint32_t hi) {
  if (lo <= hi) return Status();
  return Status::invalid_argument("workload generator: min_" + std::string(name) + " " + std::to_string(lo) +
                                  " is above max_" + std::string(name) + " " + std::to_string(hi));
}

Status validate(const GeneratorSpec& g) {
  RETURN_IF_ERROR(check_range("ops_per_txn", g.min_ops_per_txn, g.max_ops_per_txn));
  RETURN_IF_ERROR(check_range("key_size", g.min_key_size, g.max_key_size));
  RETURN_IF_ERROR(check_range("value_size", g.min_value_size, g.max_value_size));
  if (g.key_space == 0) return Status::invalid_argument("workload generator: key_space must be at least 1");
  if (uint64_t{g.put_weight} + g.delete_weight + g.get_weight == 0) {
    return Status::invalid_argument("workload generator: put, delete and get weights are all 0");
  }
  if (g.snapshot_every != 0 && g.snapshot_hold == 0) {
    return Status::invalid_argument("workload generator: snapshot_hold must be at least 1 when snapshot_every is set");
  }
  return Status();
}

// The snapshots a generated workload holds, and the steps that read them.
class SnapshotSteps {
 public:
  explicit SnapshotSteps(const GeneratorSpec& g) : g_(g), rng_(Rng::derive({g.seed, kSnapshotStream})) {}

  // After commit number `commits` (from 1): reads through every held
  // snapshot, releases of those held long enough, then maybe a new one.
  void after_commit(uint32_t commits, std::vector<Step>& steps) {
    if (g_.snapshot_every == 0) return;
    for (const Held& h : held_) {
      for (uint32_t r = 0; r < g_.snapshot_reads; ++r) {
        const std::string key = generated_key(g_, static_cast<uint32_t>(rng_.below(g_.key_space)));
        steps.push_back({StepKind::kSnapshotGet, key, {}, h.number});
      }
    }
    std::erase_if(held_, [&](const Held& h) {
      if (commits - h.taken_after < g_.snapshot_hold) return false;
      steps.push_back({StepKind::kSnapshotScan, {}, {}, h.number});
      steps.push_back({StepKind::kRelease, {}, {}, h.number});
      return true;
    });
    if (commits % g_.snapshot_every == 0) {
      steps.push_back({StepKind::kSnapshot, {}, {}, 0});
      held_.push_back({next_++, commits});
    }
  }

  // A reopen or crash-reopen drops every held snapshot.
  void dropped() { held_.clear(); }

 private:
  struct Held {
    uint32_t number;
    uint32_t taken_after;  // commits
  };
  const GeneratorSpec& g_;
  Rng rng_;
  std::vector<Held> held_;
  uint32_t next_ = 0;
};

std::vector<Step> generate(const GeneratorSpec& g) {
  Rng rng = Rng::derive({g.seed, kStepStream});
  SnapshotSteps snapshots(g);
  const uint64_t total_weight = uint64_t{g.put_weight} + g.delete_weight + g.get_weight;
  std::vector<Step> steps;
  for (uint32_t txn = 0; txn < g.transactions; ++txn) {
    const uint64_t ops = rng.between(g.min_ops_per_txn, g.max_ops_per_txn);
    for (uint64_t op = 0; op < ops; ++op) {
      const std::string key = generated_key(g, static_cast<uint32_t>(rng.below(g.key_space)));
      const uint64_t pick = rng.below(total_weight);
      if (pick < g.put_weight) {
        // The prefix makes every value unique, so a report can say which
        // transaction a visible value came from.
        std::string value = "t" + std::to_string(txn) + "." + std::to_string(op) + ":";
        pad_with_letters(value, rng.between(g.min_value_size, g.max_value_size), rng);
        steps.push_back({StepKind::kPut, key, std::move(value)});
      } else if (pick < uint64_t{g.put_weight} + g.delete_weight) {
        steps.push_back({StepKind::kDelete, key, {}});
      } else {
        steps.push_back({StepKind::kGet, key, {}});
      }
    }
    const uint32_t commits = txn + 1;
    if (g.group_commits > 1 && commits % g.group_commits != 0 && commits != g.transactions) {
      steps.push_back({StepKind::kQueueCommit, {}, {}});
      continue;
    }
    steps.push_back({StepKind::kCommit, {}, {}});
    snapshots.after_commit(commits, steps);
    if (g.checkpoint_every != 0 && commits % g.checkpoint_every == 0) steps.push_back({StepKind::kCheckpoint, {}, {}});
    if (g.reopen_every != 0 && commits % g.reopen_every == 0) {
      steps.push_back({StepKind::kReopen, {}, {}});
      snapshots.dropped();
    }
    if (g.crash_reopen_every != 0 && commits % g.crash_reopen_every == 0) {
      steps.push_back({StepKind::kCrashReopen, {}, {}});
      snapshots.dropped();
    }
  }
  return steps;
}

}  // namespace

std::string_view step_kind_name(StepKind kind) {
  return name_in(kStepNames, kind).value_or("unknown");
}

std::optional<StepKind> step_kind_from_name(std::string_view name) {
  return value_in(kStepNames, name);
}

bool names_snapshot(StepKind kind) {
  return kind == StepKind::kSnapshotGet || kind == StepKind::kSnapshotScan || kind == StepKind::kRelease;
}

std::string generated_key(const GeneratorSpec& spec, uint32_t index) {
  const size_t width = std::to_string(spec.key_space > 0 ? spec.key_space - 1 : 0).size();
  std::string digits = std::to_string(index);
  std::string key = "k" + std::string(width - std::min(width, digits.size()), '0') + digits;
  Rng rng = Rng::derive({spec.seed, kKeyStream, index});
  pad_with_letters(key, rng.between(spec.min_key_size, spec.max_key_size), rng);
  return key;
}

Status check_snapshot_steps(const std::vector<Step>& steps) {
  std::set<uint32_t> held;
  uint32_t taken = 0;
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& s = steps[i];
    if (s.kind == StepKind::kSnapshot) held.insert(taken++);
    if (s.kind == StepKind::kReopen || s.kind == StepKind::kCrashReopen) held.clear();
    if (!names_snapshot(s.kind)) continue;
    if (!held.contains(s.snapshot)) {
      return Status::invalid_argument(
          "workload step " + std::to_string(i) + " (" + std::string(step_kind_name(s.kind)) + ") names snapshot " +
          std::to_string(s.snapshot) + ", which is not held there (" +
          (s.snapshot >= taken ? "not taken yet: snapshots are numbered from 0 in the order taken"
                               : "released, or dropped by a reopen or crash-reopen") +
          ")");
    }
    if (s.kind == StepKind::kRelease) held.erase(s.snapshot);
  }
  return Status();
}

Result<std::vector<Step>> expand_workload(const WorkloadSpec& spec) {
  if (!spec.generator) return spec.script;
  RETURN_IF_ERROR(validate(*spec.generator));
  return generate(*spec.generator);
}

}  // namespace crashsim
