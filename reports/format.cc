#include "reports/format.h"

#include <cmath>
#include <cstdio>

namespace reports {

std::string format_count(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string format_seconds(double seconds) {
  char buf[48];
  if (seconds < 1) {
    std::snprintf(buf, sizeof buf, "%.3f s", seconds);
  } else if (seconds < 60) {
    std::snprintf(buf, sizeof buf, "%.1f s", seconds);
  } else {
    auto whole = static_cast<uint64_t>(std::llround(seconds));
    std::snprintf(buf, sizeof buf, "%llu min %02llu s", static_cast<unsigned long long>(whole / 60),
                  static_cast<unsigned long long>(whole % 60));
  }
  return buf;
}

std::string format_quantity(double n) {
  if (n >= 0 && n < 1e15 && n == std::floor(n)) return format_count(static_cast<uint64_t>(n));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", n);
  return buf;
}

std::string format_states(const ModelResult& m) {
  if (m.states_total == 0 && m.states_checked == 0) return "\u2014";
  return format_count(m.states_checked) + " of " + format_quantity(m.states_total) + (m.sampled ? " (sampled)" : "");
}

std::string file_stem(const std::string& path) {
  size_t slash = path.find_last_of('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  size_t dot = name.rfind('.');
  return dot == std::string::npos || dot == 0 ? name : name.substr(0, dot);
}

std::string describe_run(const RunInfo& run) {
  std::string out = run.tool + " " + run.tool_version + ", started " + run.started + ", " +
                    format_seconds(run.duration_seconds) + " on " + std::to_string(run.jobs) +
                    (run.jobs == 1 ? " job" : " jobs");
  if (!run.shards.empty()) {
    out += run.shards.size() == 1 ? ", shard " : ", shards ";
    for (size_t i = 0; i < run.shards.size(); ++i) out += (i ? " " : "") + run.shards[i];
    if (is_partial(run)) out += " (partial)";
  }
  return out;
}

std::string describe_partial(const RunInfo& run) {
  std::string held, missing;
  for (const std::string& shard : run.shards) held += (held.empty() ? "" : " ") + shard;
  const std::vector<std::string> absent = missing_shards(run);
  for (const std::string& shard : absent) missing += (missing.empty() ? "" : " ") + shard;
  return "partial: this report holds shard" + std::string(run.shards.size() == 1 ? " " : "s ") + held +
         " of the run, shard" + (absent.size() == 1 ? " " : "s ") + missing + (absent.size() == 1 ? " is" : " are") +
         " missing; an expected violation it did not find is deferred to the merged report";
}

}  // namespace reports
