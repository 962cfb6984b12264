#include "crashsim/record/oracle.h"

#include <algorithm>
#include <functional>
#include <string_view>

#include "crashsim/rng.h"

namespace crashsim {

void apply_batch(const Batch& batch, KvState& state) {
  for (const KvOp& op : batch) {
    if (op.kind == KvOp::Kind::kPut) {
      state[op.key] = op.value;
    } else {
      state.erase(op.key);
    }
  }
}

Oracle::Oracle(std::vector<Batch> txns, std::vector<std::vector<Batch>> failed)
    : txns_(std::move(txns)), failed_(std::move(failed)) {
  // Apply the transactions in order, keeping the hash and size of every
  // prefix and the history of every key.
  KvState state;
  uint64_t hash = 0;
  hashes_.push_back(hash);
  sizes_.push_back(0);
  for (size_t j = 0; j < txns_.size(); ++j) {
    std::map<std::string, std::optional<std::string>> final_values;  // the batch's last word on each key
    for (const KvOp& op : txns_[j]) {
      final_values[op.key] =
          op.kind == KvOp::Kind::kPut ? std::optional<std::string>(op.value) : std::optional<std::string>();
    }
    for (auto& [key, value] : final_values) {
      const auto it = state.find(key);
      const std::optional<std::string> before =
          it == state.end() ? std::optional<std::string>() : std::optional<std::string>(it->second);
      if (before == value) continue;
      if (before) hash -= entry_hash(key, *before);
      if (value) {
        hash += entry_hash(key, *value);
        state[key] = *value;
      } else {
        state.erase(it);
      }
      history_[key].emplace_back(static_cast<uint32_t>(j), std::move(value));
    }
    hashes_.push_back(hash);
    sizes_.push_back(state.size());
  }
  keys_.reserve(history_.size());
  for (const auto& entry : history_) keys_.push_back(entry.first);
  std::sort(keys_.begin(), keys_.end());
}

Oracle Oracle::from_steps(const std::vector<Step>& steps) { return Oracle(commit_batches(steps)); }

std::vector<Batch> Oracle::commit_batches(const std::vector<Step>& steps) {
  std::vector<Batch> txns;
  std::vector<Batch> queued;
  Batch batch;
  for (const Step& s : steps) {
    switch (s.kind) {
      case StepKind::kPut:
        batch.push_back({KvOp::Kind::kPut, s.key, s.value});
        break;
      case StepKind::kDelete:
        batch.push_back({KvOp::Kind::kDelete, s.key, {}});
        break;
      case StepKind::kQueueCommit:
        queued.push_back(std::move(batch));
        batch.clear();
        break;
      case StepKind::kCommit:
        for (Batch& held : queued) txns.push_back(std::move(held));
        queued.clear();
        txns.push_back(std::move(batch));
        batch.clear();
        break;
      case StepKind::kGet:
      case StepKind::kCheckpoint:
      case StepKind::kReopen:
      case StepKind::kCrashReopen:
      case StepKind::kSnapshot:
      case StepKind::kSnapshotGet:
      case StepKind::kSnapshotScan:
      case StepKind::kRelease:
        break;
    }
  }
  return txns;
}

std::optional<std::string> Oracle::value_after(size_t i, const std::string& key) const {
  const auto it = history_.find(key);
  if (it == history_.end()) return std::nullopt;
  const History& h = it->second;
  // The last entry whose transaction is below i.
  const auto after = std::partition_point(h.begin(), h.end(), [i](const auto& e) { return e.first < i; });
  if (after == h.begin()) return std::nullopt;
  return std::prev(after)->second;
}

KvState Oracle::state_with_failed(size_t i, size_t k) const {
  KvState s = state_after(i);
  apply_batch(failed_[i][k], s);
  return s;
}

KvState Oracle::state_after(size_t i) const {
  KvState s;
  for (const auto& [key, history] : history_) {
    std::optional<std::string> v = value_after(i, key);
    if (v) s.emplace(key, std::move(*v));
  }
  return s;
}

bool Oracle::matches(const KvState& visible, uint64_t hash, size_t i) const {
  if (visible.size() != sizes_[i] || hash != hashes_[i]) return false;
  for (const auto& [key, value] : visible) {
    const std::optional<std::string> expected = value_after(i, key);
    if (!expected || *expected != value) return false;
  }
  return true;
}

uint64_t Oracle::entry_hash(const std::string& key, const std::string& value) {
  const uint64_t hk = std::hash<std::string_view>{}(key);
  const uint64_t hv = std::hash<std::string_view>{}(value);
  return mix64(hk ^ mix64(hv + 0x9e3779b97f4a7c15ull));
}

uint64_t Oracle::state_hash(const KvState& state) {
  uint64_t h = 0;
  for (const auto& [key, value] : state) h += entry_hash(key, value);
  return h;
}

}  // namespace crashsim
