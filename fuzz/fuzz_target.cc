#include "fuzz/fuzz_target.h"

#include <cstdio>
#include <cstdlib>

namespace fuzz {

void finding(const std::string& what) {
  std::fprintf(stderr, "fuzz finding: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

std::string fuzz_dir() {
  if (const char* dir = std::getenv("BTREEKV_FUZZ_DIR")) return dir;
  return BTREEKV_FUZZ_SOURCE_DIR;
}

}  // namespace fuzz
