// A hand-built report for the renderer tests and for looking at the output
// (render_sample_report): passing and failing cases, a missed expected
// violation, a workload that could not run, timelines with every kind of
// operation and fate, and strings that try to break out of their markup.
#pragma once

#include "reports/report.h"

namespace reports::testing {

// A string no renderer may emit unescaped.
inline constexpr char kHostile[] = "<script>alert(\"x\")</script> & 'quotes' ]]> <!-- --> \x01 \xff";

Report sample_report();

// Index of each scenario in sample_report().scenarios.
enum SampleScenario : size_t {
  kPassingChurn = 0,      // expects pass, passes (reorder, recovery paths)
  kCaughtMutant = 1,      // expects atomicity, finds it under torn (one timeline)
  kFailingCheckpoint = 2, // expects pass; lose-unsynced finds durability x2 (two timelines), reorder passes
  kMissedMutant = 3,      // expects recovery, finds nothing
  kHostileNames = 4,      // hostile strings everywhere, a case error and a failing workload check
  kWorkloadError = 5,     // the workload could not run
};

}  // namespace reports::testing
