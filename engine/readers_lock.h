// ReadersLock: the readers' lock of docs/concurrency.md, a reader-writer
// lock that prefers writers and whose readers do not share a cache line.
//
// Readers whose pages are cached and digested hold it shared and run side by
// side (BTree::get_shared); everything that changes what a reader sees, or
// the cache and digests a reader walks, holds it exclusively. It meets the
// standard's SharedMutex requirements, so std::unique_lock and
// std::shared_lock take it.
//
// Why not a pthread rwlock: every reader of one bumps the same counter, so
// two reader threads pass that cache line back and forth twice per get (a
// tenth of a shared get's time beside a second reader). Here a reader counts
// itself in a slot of its own (threads are spread over kSlots slots, each on
// its own cache line) and only reads the shared writer flag, the way LMDB's
// readers each take a slot of its reader table. A writer raises the flag and
// waits until every slot is empty; a reader that finds the flag raised steps
// back out and waits until it drops, so a waiting writer stops new readers
// (glibc's default rwlock, which std::shared_mutex wraps, lets them in, and
// readers in a loop then keep a writer out) and waits only for the reads
// already running (each well under a microsecond). It is not recursive: a
// thread that holds it shared must not take it again.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>

namespace engine {

class ReadersLock {
 public:
  ReadersLock() = default;
  ReadersLock(const ReadersLock&) = delete;
  ReadersLock& operator=(const ReadersLock&) = delete;

  void lock();
  bool try_lock();
  void unlock();

  // Inline: a cursor's next() takes the lock shared once per entry.
  void lock_shared() {
    while (!try_lock_shared()) writer_.wait(1);
  }
  bool try_lock_shared() {
    Slot& slot = my_slot();
    slot.readers.fetch_add(1);
    if (writer_.load() == 0) return true;
    // A writer holds the lock or waits for it: step back out (waking it if
    // it waits on this slot).
    unlock_shared();
    return false;
  }
  void unlock_shared() {
    Slot& slot = my_slot();
    if (slot.readers.fetch_sub(1) == 1 && writer_.load() != 0) slot.readers.notify_all();
  }

 private:
  static constexpr size_t kSlots = 16;
  static constexpr size_t kLine = 64;
  // Readers holding the lock (or about to step back out) through this slot.
  struct alignas(kLine) Slot {
    std::atomic<uint32_t> readers{0};
  };

  // This thread's slot: threads take slots round robin on first use. The
  // index is constant-initialized, so reading it costs no thread-local
  // guard call.
  Slot& my_slot() {
    thread_local size_t index = kSlots;
    if (index == kSlots) [[unlikely]] index = next_slot();
    return slots_[index];
  }
  static size_t next_slot();
  // Waits until every slot is empty; the flag is raised.
  void wait_for_readers();

  // The invariant: a reader holds the lock only while its slot counts it and
  // it saw writer_ at 0 after counting itself; a writer holds it only while
  // writer_ is 1 and it saw every slot at 0 after raising it. Both sides
  // write, then read the other's word, all sequentially consistent, so at
  // least one of them sees the other (the store-then-load pattern of
  // Dekker's algorithm) and they never both go in.
  Slot slots_[kSlots];
  alignas(kLine) std::atomic<uint32_t> writer_{0};
  // Orders writers among themselves; only one raises the flag at a time.
  std::mutex writers_;
};

}  // namespace engine
