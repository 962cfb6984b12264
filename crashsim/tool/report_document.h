// From the simulator's results to the report document (reports/report.h).
//
// reports/ renders and merges a reports::Report and knows nothing of the
// simulator; this is the one place that fills it in from a catalog scenario
// and the crashsim::ScenarioResult of its run: copied catalog fields, one
// case per model, the model-independent findings (a wrong read while the
// workload ran, an acknowledgement resting on unsynced data) as checks, and
// for each recorded violation its replay command and the timeline picture of
// the trace entries around its crash point.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "crashsim/results.h"
#include "reports/report.h"
#include "scenarios/catalog.h"

namespace crashsim::tool {

// Violations kept in the report per case and invariant (the first ones by
// crash point); every violation is counted.
inline constexpr size_t kViolationsRecordedPerInvariant = 10;

// How replay commands are spelled: the program as the user invoked it, and
// the trace saved for the scenario (for a bit-exact rebuild), if any.
struct ReplaySpelling {
  std::string program = "crashsim";
  std::optional<std::string> trace_path;
};

// `word` quoted for a POSIX shell when it needs to be ('412:torn>3:torn:-').
std::string shell_quote(std::string_view word);

// "crashsim replay scenarios/ci.json --scenario NAME --state ID [--trace FILE]".
std::string replay_command(const catalog::ScenarioSpec& spec, const std::string& state_id,
                           const ReplaySpelling& spelling);

// The picture of a violation's trace entries; nullopt when it has none (a
// wrong read while the workload ran happens at no crash point).
std::optional<reports::Timeline> timeline_of(const Violation& violation);

reports::ScenarioResult report_scenario(const catalog::ScenarioSpec& spec, const ScenarioResult& result,
                                        const ReplaySpelling& spelling);

}  // namespace crashsim::tool
