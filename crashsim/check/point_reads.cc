#include "crashsim/check/point_reads.h"

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

}  // namespace

std::vector<std::string> absent_key_sample(const Oracle& oracle, const KvState& visible) {
  // One merge walk of the two sorted lists finds the written keys the state
  // lacks and picks the present keys to probe (at most kNeighbourProbes,
  // spread evenly): a walk of a map of 100,000 entries is a cache miss per
  // entry, so the state is walked once.
  const std::vector<std::string>& written = oracle.keys();
  const size_t probes = std::min(visible.size(), kNeighbourProbes);
  std::vector<const std::string*> written_absent;
  std::vector<const std::string*> probed;
  auto v = visible.begin();
  size_t index = 0;  // of v in `visible`
  auto advance = [&] {
    if (probed.size() < probes && index == probed.size() * visible.size() / probes) probed.push_back(&v->first);
    ++v;
    ++index;
  };
  for (const std::string& key : written) {
    while (v != visible.end() && v->first < key) advance();
    if (v == visible.end() || v->first != key) written_absent.push_back(&key);
  }
  while (v != visible.end() && probed.size() < probes) advance();

  std::vector<std::string> out;
  for (const std::string* key : spread(written_absent, kAbsentWrittenKeys)) out.push_back(*key);
  for (const std::string* key : probed) {
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
  // `from_scan`: the value the scan returned for `key`, null when it did not
  // return the key. Returns false to stop at the first disagreement or error.
  auto read = [&](const std::string& key, const std::string* from_scan) {
    std::string value;
    const Status s = session.get(key, &value);
    ++out.gets;
    const auto scanned = [&] { return from_scan ? std::optional<std::string>(*from_scan) : std::nullopt; };
    if (!s.ok() && !s.is_not_found()) {
      if (media_faults) {
        out.error = s.with("get of key \"" + key + "\"");
      } else {
        out.findings.push_back({std::string(invariant::kStructure), describe_entry(key, scanned()),
                                "get failed: " + s.to_string(),
                                "get() failed on a key the full scan read without error", {key}});
      }
      return false;
    }
    if (s.ok() ? from_scan != nullptr && value == *from_scan : from_scan == nullptr) return true;
    const std::optional<std::string> from_get = s.ok() ? std::optional<std::string>(std::move(value)) : std::nullopt;
    Finding f{std::string(media_faults ? invariant::kSilentCorruption : invariant::kStructure),
              describe_entry(key, scanned()) + " (as the full scan read it)",
              describe_entry(key, from_get) + " (as get read it)",
              media_faults ? "get() returned other data than the full scan, and no error was reported"
                           : "get() and a full scan disagree",
              {key}};
    out.findings.push_back(std::move(f));
    return false;
  };
  for (const auto& [key, value] : visible) {
    if (!read(key, &value)) return out;
  }
  // The sample holds no key of `visible`.
  for (const std::string& key : absent_key_sample(oracle, visible)) {
    if (!read(key, nullptr)) return out;
  }
  return out;
}

}  // namespace crashsim
