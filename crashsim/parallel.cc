#include "crashsim/parallel.h"

#include <algorithm>
#include <utility>

namespace crashsim {

unsigned default_jobs() { return std::max(1u, std::thread::hardware_concurrency()); }

WorkerPool::WorkerPool(unsigned jobs) {
  const unsigned workers = std::max(1u, jobs) - 1;
  threads_.reserve(workers);
  for (unsigned t = 0; t < workers; ++t) threads_.emplace_back([this] { worker(); });
}

WorkerPool::~WorkerPool() {
  {
    const std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void WorkerPool::run(size_t count, const std::function<void(size_t)>& fn) {
  if (count == 0) return;
  {
    const std::lock_guard lock(mu_);
    fn_ = &fn;
    count_ = count;
    next_ = 0;
  }
  if (count > 1) wake_.notify_all();
  drain();
  std::unique_lock lock(mu_);
  // Every index is handed out; wait for the workers still inside a call.
  idle_.wait(lock, [this] { return busy_ == 0; });
  fn_ = nullptr;
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
}

void WorkerPool::drain() {
  std::unique_lock lock(mu_);
  while (next_ < count_) {
    const size_t i = next_++;
    const std::function<void(size_t)>& fn = *fn_;
    lock.unlock();
    std::exception_ptr thrown;
    try {
      fn(i);
    } catch (...) {
      thrown = std::current_exception();
    }
    lock.lock();
    if (thrown && !error_) error_ = thrown;
  }
}

void WorkerPool::worker() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || next_ < count_; });
    if (stopping_) return;
    ++busy_;
    lock.unlock();
    drain();
    lock.lock();
    if (--busy_ == 0) idle_.notify_all();
  }
}

}  // namespace crashsim
