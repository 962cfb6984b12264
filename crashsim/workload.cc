#include "crashsim/workload.h"

#include <array>
#include <utility>

#include "crashsim/name_table.h"
#include "crashsim/rng.h"

namespace crashsim {

using vfs::Result;
using vfs::Status;

namespace {

constexpr NameTable<StepKind, 8> kStepNames = {{
    {StepKind::kPut, "put"},
    {StepKind::kDelete, "del"},
    {StepKind::kGet, "get"},
    {StepKind::kCommit, "commit"},
    {StepKind::kCheckpoint, "checkpoint"},
    {StepKind::kReopen, "reopen"},
    {StepKind::kCrashReopen, "crash-reopen"},
    {StepKind::kQueueCommit, "queue-commit"},
}};

// Salts that keep the generator's sub-streams apart.
constexpr uint64_t kKeyStream = 0x6b6579;
constexpr uint64_t kStepStream = 0x73746570;

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
  return Status();
}

std::vector<Step> generate(const GeneratorSpec& g) {
  Rng rng = Rng::derive({g.seed, kStepStream});
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
    if (g.checkpoint_every != 0 && commits % g.checkpoint_every == 0) steps.push_back({StepKind::kCheckpoint, {}, {}});
    if (g.reopen_every != 0 && commits % g.reopen_every == 0) steps.push_back({StepKind::kReopen, {}, {}});
    if (g.crash_reopen_every != 0 && commits % g.crash_reopen_every == 0) {
      steps.push_back({StepKind::kCrashReopen, {}, {}});
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

std::string generated_key(const GeneratorSpec& spec, uint32_t index) {
  const size_t width = std::to_string(spec.key_space > 0 ? spec.key_space - 1 : 0).size();
  std::string digits = std::to_string(index);
  std::string key = "k" + std::string(width - std::min(width, digits.size()), '0') + digits;
  Rng rng = Rng::derive({spec.seed, kKeyStream, index});
  pad_with_letters(key, rng.between(spec.min_key_size, spec.max_key_size), rng);
  return key;
}

Result<std::vector<Step>> expand_workload(const WorkloadSpec& spec) {
  if (!spec.generator) return spec.script;
  RETURN_IF_ERROR(validate(*spec.generator));
  return generate(*spec.generator);
}

}  // namespace crashsim
