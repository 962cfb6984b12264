#include "engine/readers_lock.h"

namespace engine {

size_t ReadersLock::next_slot() {
  static std::atomic<size_t> next_thread{0};
  return next_thread.fetch_add(1, std::memory_order_relaxed) % kSlots;
}

void ReadersLock::wait_for_readers() {
  for (Slot& slot : slots_) {
    for (uint32_t n = slot.readers.load(); n != 0; n = slot.readers.load()) slot.readers.wait(n);
  }
}

void ReadersLock::lock() {
  writers_.lock();
  writer_.store(1);
  wait_for_readers();
}

bool ReadersLock::try_lock() {
  if (!writers_.try_lock()) return false;
  writer_.store(1);
  for (const Slot& slot : slots_) {
    if (slot.readers.load() != 0) {
      unlock();
      return false;
    }
  }
  return true;
}

void ReadersLock::unlock() {
  writer_.store(0);
  writer_.notify_all();
  writers_.unlock();
}

}  // namespace engine
