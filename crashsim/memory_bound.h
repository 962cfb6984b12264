// The memory bound of a run (SimulationOptions::max_memory_bytes, `crashsim
// run --max-memory`).
//
// A long workload's trace, and the images deduplication keeps, grow with the
// distinct bytes the workload wrote. Rather than let the kernel kill a run
// that outgrows the machine, the simulator reads the process's resident
// memory after recording the workload, every 256 crash points it walks and
// before each batch of states it builds, and stops the scenario with an
// error naming the scenario, the bound, what was resident and where the run
// was. The bound is checked, not enforced: a run can pass it by what one
// batch adds before the next check.
#pragma once

#include <cstdint>
#include <string>

#include "vfs/status.h"

namespace crashsim {

// The process's resident memory in bytes (Linux: /proc/self/statm); 0 where
// it cannot be read.
uint64_t resident_bytes();

// "1.5 GiB", "300.0 MiB", "12 KiB", "512 bytes".
std::string format_bytes(uint64_t bytes);

// kNoSpace when `bound` (> 0) is below the resident memory, naming the
// scenario, the bound, the memory in use and `where` (what the run was
// doing); OK when `bound` is 0.
vfs::Status check_memory_bound(uint64_t bound, const std::string& scenario, const std::string& where);

}  // namespace crashsim
