#include "crashsim/point_reads.h"

#include <algorithm>
#include <optional>

namespace crashsim {

using vfs::Status;

namespace {

// At most `n` entries of `items`, spread evenly (all of them when they fit).
template <class T>
std::vector<T> spread(const std::vector<T>& items, size_t n) {
  if (items.size() <= n) return items;
  std::vector<T> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(items[i * items.size() / n]);
  return out;
}

// Keys one byte away from `key` in sort order that are likely to be absent:
// the last byte moved up and down by one, and the key without its last byte.
// Each has at most key.size() bytes, so a system that took `key` takes it.
std::vector<std::string> neighbours(const std::string& key) {
  std::vector<std::string> out;
  if (key.empty()) return out;
  const auto last = static_cast<unsigned char>(key.back());
  if (last < 0xff) {
    out.push_back(key);
    out.back().back() = static_cast<char>(last + 1);
  }
  if (last > 0) {
    out.push_back(key);
    out.back().back() = static_cast<char>(last - 1);
  }
  if (key.size() > 1) out.push_back(key.substr(0, key.size() - 1));
  return out;
}

std::optional<std::string> lookup(const KvState& state, const std::string& key) {
  const auto it = state.find(key);
  return it == state.end() ? std::nullopt : std::optional<std::string>(it->second);
}

}  // namespace

std::vector<std::string> absent_key_sample(const Oracle& oracle, const KvState& visible) {
  // Both lists are sorted: one merge walk finds the written keys the state lacks.
  std::vector<const std::string*> written_absent;
  auto v = visible.begin();
  for (const std::string& key : oracle.keys()) {
    while (v != visible.end() && v->first < key) ++v;
    if (v == visible.end() || v->first != key) written_absent.push_back(&key);
  }
  std::vector<std::string> out;
  for (const std::string* key : spread(written_absent, kAbsentWrittenKeys)) out.push_back(*key);

  std::vector<const std::string*> present;
  present.reserve(visible.size());
  for (const auto& entry : visible) present.push_back(&entry.first);
  const std::vector<std::string>& written = oracle.keys();
  for (const std::string* key : spread(present, kNeighbourProbes)) {
    for (std::string& n : neighbours(*key)) {
      if (visible.contains(n) || std::binary_search(written.begin(), written.end(), n)) continue;
      out.push_back(std::move(n));
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

PointReadOutcome check_point_reads(SutSession& session, const Oracle& oracle, const KvState& visible,
                                   bool media_faults) {
  PointReadOutcome out;
  // Returns false to stop at the first disagreement or error.
  auto read = [&](const std::string& key) {
    std::string value;
    const Status s = session.get(key, &value);
    ++out.gets;
    const std::optional<std::string> from_scan = lookup(visible, key);
    if (!s.ok() && !s.is_not_found()) {
      if (media_faults) {
        out.error = s.with("get of key \"" + key + "\"");
      } else {
        out.findings.push_back({std::string(invariant::kStructure), describe_entry(key, from_scan),
                                "get failed: " + s.to_string(),
                                "get() failed on a key the full scan read without error", {key}});
      }
      return false;
    }
    const std::optional<std::string> from_get = s.ok() ? std::optional<std::string>(std::move(value)) : std::nullopt;
    if (from_get == from_scan) return true;
    Finding f{std::string(media_faults ? invariant::kSilentCorruption : invariant::kStructure),
              describe_entry(key, from_scan) + " (as the full scan read it)",
              describe_entry(key, from_get) + " (as get read it)",
              media_faults ? "get() returned other data than the full scan, and no error was reported"
                           : "get() and a full scan disagree",
              {key}};
    out.findings.push_back(std::move(f));
    return false;
  };
  for (const auto& entry : visible) {
    if (!read(entry.first)) return out;
  }
  for (const std::string& key : absent_key_sample(oracle, visible)) {
    if (!read(key)) return out;
  }
  return out;
}

}  // namespace crashsim
