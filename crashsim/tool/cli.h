// The crashsim command line: parses argv with CLI11 and runs a subcommand.
//
//   crashsim run [CATALOG...] [--filter GLOB] [--tag TAG] [--model M] [--jobs N]
//                [--shard I/N] [--out DIR] [--max-states N]
//   crashsim list [CATALOG...] [--filter GLOB] [--tag TAG] [--model M]
//   crashsim replay CATALOG --scenario NAME --state ID [--trace FILE] [--keep DIR] [--verbose]
//   crashsim minimize CATALOG --scenario NAME [--invariant I] [--model M] [--out DIR]
//                     [--max-attempts N] [--max-seconds S] [--jobs N]
//   crashsim merge DIR... [--out DIR] [--allow-partial]
//
// Exit codes (exit_code.h): 0 every expectation held, 1 one did not, 2 a
// usage or catalog error (a one-line message naming the flag or the file).
// Without --shard, run takes its shard from the environment when a CI system
// sets one: GTEST_SHARD_INDEX/GTEST_TOTAL_SHARDS, or CI_NODE_INDEX/CI_NODE_TOTAL.
// docs/crashsim-tool.md describes each subcommand.
#pragma once

#include "crashsim/tool/commands.h"

namespace crashsim::tool {

int crashsim_main(int argc, const char* const* argv, Console& console);

}  // namespace crashsim::tool
