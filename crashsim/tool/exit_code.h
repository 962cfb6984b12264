// The exit codes every crashsim subcommand uses.
#pragma once

namespace crashsim::tool {

enum ExitCode : int {
  kExitOk = 0,       // every expectation held (run, merge), no invariant violated (replay), done (list, minimize)
  kExitFailed = 1,   // some expectation did not hold, or replay found a violation
  kExitUsage = 2,    // bad arguments, a catalog or report that does not load, an unknown scenario or state
};

}  // namespace crashsim::tool
