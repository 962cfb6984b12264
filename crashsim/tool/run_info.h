// What a report says about the run that wrote it (reports::RunInfo), for
// the commands that write one (run, mutants).
#pragma once

#include <string>

#include "crashsim/simulator.h"
#include "reports/report.h"
#include "scenarios/catalog.h"

namespace crashsim::tool {

// This tool's version, the start time (now), the jobs (0: one per CPU), the
// shard when there are several, the catalog and the command line.
reports::RunInfo run_info(unsigned jobs, const Shard& shard, const catalog::Catalog& catalog,
                          const std::string& command_line);

}  // namespace crashsim::tool
