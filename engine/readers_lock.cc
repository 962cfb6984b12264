#include "engine/readers_lock.h"

namespace engine {

ReadersLock::Slot& ReadersLock::my_slot() {
  static std::atomic<size_t> next_thread{0};
  thread_local const size_t index = next_thread.fetch_add(1, std::memory_order_relaxed) % kSlots;
  return slots_[index];
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

void ReadersLock::lock_shared() {
  while (!try_lock_shared()) writer_.wait(1);
}

bool ReadersLock::try_lock_shared() {
  Slot& slot = my_slot();
  slot.readers.fetch_add(1);
  if (writer_.load() == 0) return true;
  // A writer holds the lock or waits for it: step back out, and wake it if
  // it waits on this slot.
  unlock_shared();
  return false;
}

void ReadersLock::unlock_shared() {
  Slot& slot = my_slot();
  if (slot.readers.fetch_sub(1) == 1 && writer_.load() != 0) slot.readers.notify_all();
}

}  // namespace engine
