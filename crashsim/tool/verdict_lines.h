// The one-line verdicts `crashsim run` and `crashsim merge` print, one per
// case (scenario × model, and each model-independent check that found
// something), labelled by reports::case_verdict like every other rendering
// and leading with the scenario's expected invariant:
//   PASS churn-power-loss [reorder] 12,345 states, 0 violations (3.2 s)
//   CAUGHT mutant-no-commit-record [torn] 451 states, expected violation of 'atomicity' found: 8 violations of
//     'atomicity', 63 of 'recovery' (0.8 s)
//   DEFERRED mutant-no-wal-salt [process-crash] expected violation of 'durability', none among this report's
//     9 states (shard 1/2): another shard may hold it, the merged report decides
//   FAIL mutant-no-data-fsync [lose-unsynced] expected violation of 'recovery', found none (77 states)
//   FAIL churn [reorder] found 3 violations of 'atomicity', 1 of 'leak' (first of each: atomicity at state
//     412:reorder:b, leak at state 9:reorder:0) — replay: crashsim replay ...
//   FAIL churn [workload] error: record the workload: ...
#pragma once

#include <string>
#include <vector>

#include "reports/report.h"

namespace crashsim::tool {

// `run` says whether the report is partial (a shard's, or a partial merge).
std::vector<std::string> verdict_lines(const reports::ScenarioResult& scenario, const reports::RunInfo& run);

// The closing lines of run and merge: how many scenarios and cases passed,
// whether the report is partial, and where the report files are.
//   25 of 26 scenarios passed (39 of 40 cases)
//   reports: reports/out/report.html (also report.json, junit.xml, summary.md)
std::string closing_lines(const reports::Report& report, const std::string& dir);

}  // namespace crashsim::tool
