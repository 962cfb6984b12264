// The one-line verdicts `crashsim run` and `crashsim merge` print, one per
// case (scenario × model, and each model-independent check that found
// something), decided by reports::case_passed like every other rendering:
//   PASS churn-power-loss [reorder] 12,345 states, 0 violations (3.2 s)
//   PASS mutant-no-commit-record [torn] 1,204 states, expected violation of 'atomicity' found (37 violations) (0.8 s)
//   FAIL mutant-no-data-fsync [lose-unsynced] expected violation of 'recovery', found none (77 states)
//   FAIL churn [reorder] found 3 violations of 'atomicity' (first: state 412:reorder:b) — replay: crashsim replay ...
//   FAIL churn [workload] error: record the workload: ...
#pragma once

#include <string>
#include <vector>

#include "reports/report.h"

namespace crashsim::tool {

std::vector<std::string> verdict_lines(const reports::ScenarioResult& scenario);

// The closing lines of run and merge: how many scenarios and cases passed,
// and where the report files are.
//   25 of 26 scenarios passed (39 of 40 cases)
//   reports: reports/out/report.html (also report.json, junit.xml, summary.md)
std::string closing_lines(const reports::Report& report, const std::string& dir);

}  // namespace crashsim::tool
