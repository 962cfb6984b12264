#include "crashsim/parallel.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace crashsim {

unsigned default_jobs() { return std::max(1u, std::thread::hardware_concurrency()); }

void parallel_for(size_t count, unsigned jobs, const std::function<void(size_t)>& fn) {
  const size_t threads = std::min<size_t>(std::max(1u, jobs), count);
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next.fetch_add(1); i < count; i = next.fetch_add(1)) fn(i);
  };
  std::vector<std::thread> pool;
  pool.reserve(threads > 0 ? threads - 1 : 0);
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
}

}  // namespace crashsim
