#include "crashsim/memory_bound.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace crashsim {

uint64_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t total_pages = 0;
  uint64_t resident_pages = 0;
  if (!(statm >> total_pages >> resident_pages)) return 0;
  return resident_pages * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

std::string format_bytes(uint64_t bytes) {
  constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return std::to_string(bytes) + " bytes";
  double value = static_cast<double>(bytes) / 1024;
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  char out[32];
  std::snprintf(out, sizeof out, "%.1f %s", value, kUnits[unit]);
  return out;
}

vfs::Status check_memory_bound(uint64_t bound, const std::string& scenario, const std::string& where) {
  if (bound == 0) return vfs::Status();
  const uint64_t resident = resident_bytes();
  if (resident <= bound) return vfs::Status();
  return vfs::Status::no_space("scenario " + scenario + ": " + format_bytes(resident) +
                               " resident passed the memory bound of " + format_bytes(bound) + " (--max-memory) " +
                               where + "; stopped at this check (the bound is read between batches of states, so a run may pass it by one "
                               "batch's worth before it stops)");
}

}  // namespace crashsim
