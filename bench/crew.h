// Crew: the threads of a concurrent workload, started at one instant.
//
// Each thread runs one body, created by add() and held at a gate until run()
// or run_for() opens it, so that no thread gets a head start while the
// others are still being created, and the time measured around run() is the
// time the bodies ran together. A body that fails raises stop(), which the
// others poll, so one failure ends the run instead of being waited out.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <latch>
#include <mutex>
#include <thread>
#include <vector>

#include "vfs/status.h"

namespace bench {

class Crew {
 public:
  explicit Crew(size_t size) : results_(size) { threads_.reserve(size); }
  // A crew that never ran lets its threads go without running their bodies.
  ~Crew();
  Crew(const Crew&) = delete;
  Crew& operator=(const Crew&) = delete;

  // Starts the next thread (at most `size` in all); it runs `body` once the gate opens.
  void add(std::function<vfs::Status()> body);

  // Raised by run_for() when its interval is over, and by the first body that fails.
  const std::atomic<bool>& stop() const { return stop_; }

  // Opens the gate and waits for every body to return; the first failure, else OK.
  vfs::Status run();
  // Opens the gate, raises stop() after `interval` (or as soon as a body
  // fails), then waits as run() does.
  vfs::Status run_for(std::chrono::milliseconds interval);

 private:
  void open_gate(bool cancel);
  void raise_stop();
  vfs::Status join();

  std::vector<std::thread> threads_;
  std::vector<vfs::Status> results_;  // one per thread, written by that thread only
  std::latch gate_{1};
  bool opened_ = false;
  std::atomic<bool> cancelled_{false};
  std::atomic<bool> stop_{false};
  std::mutex stop_mutex_;
  std::condition_variable stop_raised_;
};

}  // namespace bench
