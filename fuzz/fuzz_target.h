// What every fuzz target shares: the libFuzzer entry points it defines, and
// how it reports a finding.
//
// A target is one LLVMFuzzerTestOneInput. Built with -fsanitize=fuzzer it is
// a libFuzzer program; built without, it links replay_main.cc, which runs
// each file (or each file of each directory) named on the command line
// through it once: the committed corpus and regression inputs run in every
// test run that way, no fuzzer needed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace fuzz {

// Prints "fuzz finding: <what>" to stderr and aborts, which libFuzzer (and
// the replay program) reports as a crash of this input.
[[noreturn]] void finding(const std::string& what);

// The fuzz/ directory of the source tree: $BTREEKV_FUZZ_DIR when set, else
// where this build was configured from.
std::string fuzz_dir();

}  // namespace fuzz
