// parallel_for: the simulator's worker pool.
//
// Runs fn(0) .. fn(count-1) on `jobs` threads (the calling thread is one of
// them), each taking the next index from a shared counter. Results must be
// written to per-index slots, so the outcome never depends on scheduling.
#pragma once

#include <cstddef>
#include <functional>

namespace crashsim {

// The default for `jobs`: the number of CPUs (at least 1).
unsigned default_jobs();

void parallel_for(size_t count, unsigned jobs, const std::function<void(size_t)>& fn);

}  // namespace crashsim
