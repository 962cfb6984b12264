#include "crashsim/check/invariants.h"

#include <algorithm>
#include <cstdio>
#include <set>

namespace crashsim {

namespace {

constexpr size_t kShownBytes = 40;

std::string printable(const std::string& s) {
  std::string out;
  const size_t n = std::min(s.size(), kShownBytes);
  for (size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[5];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    }
  }
  if (s.size() > n) out += "...(" + std::to_string(s.size()) + " bytes)";
  return out;
}

std::optional<std::string> lookup(const KvState& state, const std::string& key) {
  const auto it = state.find(key);
  return it == state.end() ? std::nullopt : std::optional<std::string>(it->second);
}

std::string txn_range(size_t first, size_t last) {
  return first == last ? "transaction " + std::to_string(first)
                       : "transactions " + std::to_string(first) + ".." + std::to_string(last);
}

// The visible state is S_i, i < acked: transactions i..acked-1 are lost.
Finding lost_suffix(const Oracle& oracle, const KvState& visible, size_t i, size_t acked) {
  Finding f;
  f.invariant = invariant::kDurability;
  f.message = txn_range(i, acked - 1) + " acknowledged before the crash " + (acked - i == 1 ? "is" : "are") +
              " not visible: the state is the one after " +
              (i == 0 ? std::string("no transaction") : "transaction " + std::to_string(i - 1));
  for (size_t j = i; j < acked && f.expected.empty(); ++j) {
    for (const KvOp& op : oracle.txn(j)) {
      const std::optional<std::string> want = oracle.value_after(acked, op.key);
      const std::optional<std::string> got = lookup(visible, op.key);
      if (want == got) continue;
      f.expected = describe_entry(op.key, want) + " (from transaction " + std::to_string(j) + ")";
      f.observed = describe_entry(op.key, got);
      f.keys = {op.key};
      break;
    }
  }
  return f;
}

// `invariant` shown at the first key where `visible` and S_i differ.
Finding first_difference(const Oracle& oracle, const KvState& visible, size_t i, std::string_view invariant,
                         std::string message) {
  Finding f{std::string(invariant), "(no difference found)", "(no difference found)", std::move(message), {}};
  std::set<std::string> keys;
  for (const auto& [key, history] : oracle.histories()) keys.insert(key);
  for (const auto& entry : visible) keys.insert(entry.first);
  for (const std::string& key : keys) {
    const std::optional<std::string> want = oracle.value_after(i, key);
    const std::optional<std::string> got = lookup(visible, key);
    if (want == got) continue;
    f.expected = describe_entry(key, want);
    f.observed = describe_entry(key, got);
    f.keys = {key};
    break;
  }
  return f;
}

// For one key: the prefixes i in [0, last] whose S_i agrees with what is
// visible, as [min, max]; nullopt when none (a value never committed).
std::optional<std::pair<size_t, size_t>> consistent_prefixes(const Oracle::History* history,
                                                             const std::optional<std::string>& seen, size_t last) {
  std::optional<std::pair<size_t, size_t>> out;
  auto consider = [&](size_t from, size_t to, const std::optional<std::string>& value) {
    if (from > to || value != seen) return;
    if (!out) out = std::pair<size_t, size_t>{from, to};
    out->second = to;
  };
  size_t start = 0;
  std::optional<std::string> value;
  if (history != nullptr) {
    for (const auto& [txn, v] : *history) {
      if (txn >= last) break;
      consider(start, txn, value);  // S_start..S_txn hold `value`; S_{txn+1} holds v
      start = txn + 1;
      value = v;
    }
  }
  consider(start, last, value);
  return out;
}

// The visible state is no prefix: find which transactions contradict each other.
std::vector<Finding> diagnose(const Oracle& oracle, Expectation expect, const KvState& visible, size_t last) {
  struct Bound {
    size_t prefix;
    std::string key;
  };
  Bound lower{0, {}};     // every prefix that fits is at least this long
  Bound upper{last, {}};  // ... and at most this long
  std::vector<Finding> findings;
  auto check_key = [&](const std::string& key, const Oracle::History* history) {
    const std::optional<std::string> seen = lookup(visible, key);
    const auto range = consistent_prefixes(history, seen, last);
    if (!range) {
      if (findings.empty()) {
        findings.push_back({std::string(invariant::kAtomicity), "key \"" + printable(key) + "\" as some transaction up to " +
                                std::to_string(last) + " left it",
                            describe_entry(key, seen),
                            "a key holds a value that no transaction committed before the crash", {key}});
      }
      return;
    }
    if (range->first > lower.prefix) lower = {range->first, key};
    if (range->second < upper.prefix) upper = {range->second, key};
  };
  for (const auto& [key, history] : oracle.histories()) check_key(key, &history);
  for (const auto& entry : visible) {
    if (!oracle.histories().contains(entry.first)) check_key(entry.first, nullptr);
  }
  if (lower.prefix > upper.prefix) {
    // lower.key shows transaction lower.prefix-1 applied; upper.key shows
    // transaction upper.prefix not applied.
    const size_t shown = lower.prefix - 1;
    const size_t missing = upper.prefix;
    Finding f;
    f.expected = describe_entry(upper.key, oracle.value_after(lower.prefix, upper.key)) + " (as after transaction " +
                 std::to_string(shown) + ")";
    f.observed = describe_entry(upper.key, lookup(visible, upper.key));
    f.keys = {lower.key, upper.key};
    const std::string witness = describe_entry(lower.key, lookup(visible, lower.key));
    if (shown == missing) {
      f.invariant = invariant::kAtomicity;
      f.message = "transaction " + std::to_string(missing) + " is partly visible: " + witness + " shows it applied, " +
                  "key \"" + printable(upper.key) + "\" does not";
    } else {
      f.invariant = invariant::kOrdering;
      f.message = "transaction " + std::to_string(shown) + " is visible (" + witness + ") but the earlier transaction " +
                  std::to_string(missing) + " is not";
    }
    findings.push_back(f);
    if (missing < expect.acked) {
      f.invariant = invariant::kDurability;
      f.message = "transaction " + std::to_string(missing) + " was acknowledged before the crash but key \"" +
                  printable(upper.key) + "\" does not show it";
      f.keys = {upper.key};
      findings.push_back(std::move(f));
    }
  }
  if (findings.empty()) {
    findings.push_back(first_difference(oracle, visible, last, invariant::kAtomicity,
                                        "the visible state is not the state after any prefix of the commit order"));
  }
  return findings;
}

// Exactly what the crash point allows: S_acked, S_acked+1 with a commit in
// flight, or S_acked with one of the failed attempts at the next transaction.
bool allowed_at_crash_point(const Oracle& oracle, Expectation expect, const VisibleState& visible) {
  const size_t n = oracle.txn_count();
  const size_t acked = std::min<size_t>(expect.acked, n);
  const size_t last = std::min<size_t>(acked + expect.in_flight, n);
  for (size_t i = acked; i <= last; ++i) {
    if (visible.matches(i)) return true;
  }
  const size_t failed = std::min<size_t>(expect.failed, oracle.failed_count(acked));
  for (size_t k = 0; k < failed; ++k) {
    if (oracle.state_with_failed(acked, k) == visible.entries()) return true;
  }
  return false;
}

}  // namespace

std::string describe_entry(const std::string& key, const std::optional<std::string>& value) {
  std::string s = "key \"" + printable(key) + "\"";
  return value ? s + " = \"" + printable(*value) + "\"" : s + " absent";
}

std::vector<Finding> judge_visible_state(const Oracle& oracle, Expectation expect, const VisibleState& visible) {
  const size_t n = oracle.txn_count();
  const size_t acked = std::min<size_t>(expect.acked, n);
  const size_t last = std::min<size_t>(acked + expect.in_flight, n);
  if (allowed_at_crash_point(oracle, expect, visible)) return {};
  for (size_t i = acked; i-- > 0;) {
    if (visible.matches(i)) return {lost_suffix(oracle, visible.entries(), i, acked)};
  }
  return diagnose(oracle, expect, visible.entries(), last);
}

std::vector<Finding> judge_visible_state(const Oracle& oracle, Expectation expect, const KvState& visible) {
  return judge_visible_state(oracle, expect, VisibleState(oracle, visible, nullptr));
}

MediaJudgement judge_under_media_fault(const Oracle& oracle, Expectation expect, const KvState& visible,
                                       std::optional<size_t> droppable) {
  const size_t acked = std::min<size_t>(expect.acked, oracle.txn_count());
  const VisibleState state(oracle, visible, nullptr);
  const uint64_t hash = state.hash();
  if (allowed_at_crash_point(oracle, expect, state)) return {};
  for (size_t i = droppable.value_or(acked); i < acked; ++i) {
    if (oracle.matches(visible, hash, i)) return {{}, true};
  }
  // Wrong data: a value the key never held in S_0..S_acked. (The in-flight
  // transaction applied whole was allowed above; applied in part, its
  // values make a state that never existed.)
  std::set<std::string> keys;
  for (const auto& [key, history] : oracle.histories()) keys.insert(key);
  for (const auto& entry : visible) keys.insert(entry.first);
  std::optional<std::string> lost_key;
  size_t lost_keys = 0;
  for (const std::string& key : keys) {
    const std::optional<std::string> seen = lookup(visible, key);
    const std::optional<std::string> want = oracle.value_after(acked, key);
    if (seen == want) continue;
    const auto it = oracle.histories().find(key);
    if (!consistent_prefixes(it == oracle.histories().end() ? nullptr : &it->second, seen, acked)) {
      return {{{std::string(invariant::kSilentCorruption), describe_entry(key, want), describe_entry(key, seen),
                "reads returned a value this key never held in any acknowledged state, and no error was reported",
                {key}}}};
    }
    if (!lost_key) lost_key = key;
    ++lost_keys;
  }
  if (!lost_key) return {};  // every key as in S_acked: that is S_acked, allowed above
  Finding f;
  f.invariant = invariant::kSilentLoss;
  f.expected = describe_entry(*lost_key, oracle.value_after(acked, *lost_key)) + " (acknowledged)";
  f.observed = describe_entry(*lost_key, lookup(visible, *lost_key));
  f.keys = {*lost_key};
  std::optional<size_t> prefix;
  for (size_t i = acked; i-- > 0 && !prefix;) {
    if (oracle.matches(visible, hash, i)) prefix = i;
  }
  if (prefix) {
    f.message = txn_range(*prefix, acked - 1) + ", acknowledged before the crash, " +
                (acked - *prefix == 1 ? "is" : "are") + " gone and no error was reported: the state is the one after " +
                (*prefix == 0 ? std::string("no transaction") : "transaction " + std::to_string(*prefix - 1));
    if (!droppable) {
      f.message += " (the fault is not in bytes the last commit wrote, so this is no torn tail)";
    } else if (*prefix < *droppable) {
      f.message += " (the fault may drop transactions from " + std::to_string(*droppable) + " on, not more)";
    }
  } else {
    f.message = std::to_string(lost_keys) + (lost_keys == 1 ? " key lacks" : " keys lack") +
                " acknowledged data (each shows a value from an earlier state) and no error was reported";
  }
  return {{std::move(f)}};
}

}  // namespace crashsim
