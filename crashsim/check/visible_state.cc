#include "crashsim/check/visible_state.h"

#include <algorithm>

namespace crashsim {

VisibleState::VisibleState(const Oracle& oracle, const KvState& visible, const Basis* basis)
    : oracle_(oracle), visible_(visible), basis_(basis != nullptr && basis->oracle == &oracle ? basis : nullptr) {
  if (basis_ == nullptr) {
    hash_ = Oracle::state_hash(visible_);
    return;
  }
  // Both maps are sorted by key: one walk finds every key whose entry differs.
  hash_ = basis_->hash;
  auto v = visible_.begin();
  auto b = basis_->contents.begin();
  while (v != visible_.end() || b != basis_->contents.end()) {
    if (b == basis_->contents.end() || (v != visible_.end() && v->first < b->first)) {
      hash_ += Oracle::entry_hash(v->first, v->second);
      differing_.push_back(&v->first);
      ++v;
    } else if (v == visible_.end() || b->first < v->first) {
      hash_ -= Oracle::entry_hash(b->first, b->second);
      differing_.push_back(&b->first);
      ++b;
    } else {
      if (v->second != b->second) {
        hash_ += Oracle::entry_hash(v->first, v->second) - Oracle::entry_hash(b->first, b->second);
        differing_.push_back(&v->first);
      }
      ++v;
      ++b;
    }
  }
}

bool VisibleState::agrees(size_t i, const std::string& key) const {
  const auto it = visible_.find(key);
  const std::optional<std::string> want = oracle_.value_after(i, key);
  return it == visible_.end() ? !want : want && *want == it->second;
}

std::optional<std::vector<const std::string*>> VisibleState::keys_written_between(size_t i) const {
  std::vector<const std::string*> keys;
  for (size_t t = std::min(i, basis_->prefix); t < std::max(i, basis_->prefix); ++t) {
    for (const KvOp& op : oracle_.txn(t)) {
      if (keys.size() >= visible_.size()) return std::nullopt;
      keys.push_back(&op.key);
    }
  }
  return keys;
}

bool VisibleState::equals(size_t i) const {
  if (visible_.size() != oracle_.size_after(i)) return false;
  const auto agree = [&](const std::string* key) { return agrees(i, *key); };
  const auto written = basis_ ? keys_written_between(i) : std::nullopt;
  if (!written) {
    // Equal sizes, and every key of V holds its S_i value: V is S_i.
    return std::all_of(visible_.begin(), visible_.end(), [&](const auto& entry) { return agrees(i, entry.first); });
  }
  return std::all_of(differing_.begin(), differing_.end(), agree) && std::all_of(written->begin(), written->end(), agree);
}

bool VisibleState::matches(size_t i) const {
  const bool equal = hash_ == oracle_.hash_after(i) && equals(i);
  if (equal) matched_ = i;
  return equal;
}

}  // namespace crashsim
