// WorkerPool: the simulator's worker threads.
//
// run(count, fn) calls fn(0) .. fn(count-1) on the pool's threads and the
// calling thread, each taking the next index from a shared counter, and
// returns when every call has returned. Results must be written to per-index
// slots, so the outcome never depends on scheduling. The threads live as long
// as the pool: a model's run hands out thousands of small batches, and a
// thread started per batch costs more than many of its states.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace crashsim {

// The default for `jobs`: the number of CPUs (at least 1).
unsigned default_jobs();

class WorkerPool {
 public:
  // `jobs` threads in all, the caller of run() included (at least 1).
  explicit WorkerPool(unsigned jobs);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Not reentrant: fn must not call run() on the same pool. When calls throw,
  // the first exception is rethrown here, once every call has returned.
  void run(size_t count, const std::function<void(size_t)>& fn);

 private:
  void worker();
  // Takes indices of the current batch until none is left.
  void drain();

  std::mutex mu_;
  std::condition_variable wake_;  // a batch was posted, or the pool stops
  std::condition_variable idle_;  // a worker finished its part of the batch
  const std::function<void(size_t)>* fn_ = nullptr;
  size_t count_ = 0;
  size_t next_ = 0;    // the next index to hand out; next_ == count_ between batches
  unsigned busy_ = 0;  // workers inside the current batch
  std::exception_ptr error_;  // the first exception a call of the batch threw
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace crashsim
