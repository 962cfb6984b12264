// Runs inputs through a fuzz target once each, without libFuzzer: the
// program every target links when the compiler cannot build fuzzers.
//   fuzz_TARGET FILE|DIR...
// A directory stands for every regular file in it, in name order. A finding
// aborts after naming the input; exit 0 when every input ran, 2 when one
// cannot be read.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

#include "fuzz/fuzz_target.h"

namespace {

// The files `arg` names, or nothing (after saying so) when it cannot be read.
std::vector<std::filesystem::path> inputs_of(const std::filesystem::path& arg, bool* ok) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  if (!std::filesystem::is_directory(arg, ec)) {
    files.push_back(arg);
    return files;
  }
  for (std::filesystem::directory_iterator it(arg, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_regular_file(ec)) files.push_back(it->path());
  if (ec) {
    std::fprintf(stderr, "replay: cannot list %s: %s\n", arg.c_str(), ec.message().c_str());
    *ok = false;
  }
  std::sort(files.begin(), files.end());
  return files;
}

bool run_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
    return false;
  }
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::fprintf(stderr, "replay: %s (%zu bytes)\n", path.c_str(), bytes.size());
  LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  return true;
}

}  // namespace

// Optional in a target, as with libFuzzer.
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  int runs = 0;
  for (int i = 1; i < argc; ++i) {
    bool ok = true;
    for (const auto& file : inputs_of(argv[i], &ok)) {
      if (!run_file(file)) return 2;
      ++runs;
    }
    if (!ok) return 2;
  }
  std::fprintf(stderr, "replay: %d inputs, no finding\n", runs);
  return 0;
}
