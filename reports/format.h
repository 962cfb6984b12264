// Small text formats shared by the renderers, so that junit.xml, summary.md
// and report.html say the same thing the same way. Results are plain text;
// callers escape them for their format.
#pragma once

#include <cstdint>
#include <string>

#include "reports/report.h"

namespace reports {

// "1,234,567".
std::string format_count(uint64_t n);
// "0.042 s", "12.3 s", "4 min 05 s".
std::string format_seconds(double seconds);
// A count held in a double: "1,200" while exact, else "3.4e+21".
std::string format_quantity(double n);
// "1,000 of 1,200" (states checked of those the model allows), "... (sampled)",
// or a dash for a check that builds no crash states.
std::string format_states(const ModelResult& m);
// "scenarios/ci.json" -> "ci".
std::string file_stem(const std::string& path);
// "crashsim 0.1.0, started 2024-05-01T10:00:00Z, 95.2 s on 2 jobs, shard 1/2 (partial)".
std::string describe_run(const RunInfo& run);
// For a partial report (is_partial): "partial: this report holds shard 1/2 of
// the run, shard 2/2 is missing; an expected violation it did not find is
// deferred to the merged report".
std::string describe_partial(const RunInfo& run);

}  // namespace reports
