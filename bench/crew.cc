#include "bench/crew.h"

#include <utility>

namespace bench {

Crew::~Crew() {
  if (!opened_) open_gate(/*cancel=*/true);
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void Crew::add(std::function<vfs::Status()> body) {
  const size_t slot = threads_.size();
  threads_.emplace_back([this, slot, body = std::move(body)] {
    gate_.wait();
    if (cancelled_.load()) return;
    results_[slot] = body();
    if (!results_[slot].ok()) raise_stop();
  });
}

void Crew::open_gate(bool cancel) {
  cancelled_.store(cancel);
  opened_ = true;
  gate_.count_down();
}

void Crew::raise_stop() {
  {
    std::lock_guard<std::mutex> lock(stop_mutex_);
    stop_.store(true);
  }
  stop_raised_.notify_all();
}

vfs::Status Crew::join() {
  for (std::thread& t : threads_) t.join();
  for (const vfs::Status& s : results_) {
    if (!s.ok()) return s;
  }
  return vfs::Status();
}

vfs::Status Crew::run() {
  open_gate(/*cancel=*/false);
  return join();
}

vfs::Status Crew::run_for(std::chrono::milliseconds interval) {
  open_gate(/*cancel=*/false);
  {
    std::unique_lock<std::mutex> lock(stop_mutex_);
    stop_raised_.wait_for(lock, interval, [this] { return stop_.load(); });
  }
  raise_stop();
  return join();
}

}  // namespace bench
