// ReadersLock: readers share, a writer is alone, a waiting writer stops new
// readers. Run under ThreadSanitizer too (suite 'threads'), which reports the
// writers' plain counter as a race if a writer ever overlaps anyone.
//
// Which build catches which broken lock (checked by editing the orders in
// readers_lock.h/.cc): with relaxed atomics ThreadSanitizer reports that race
// in every run. With release stores and acquire loads the handshake loses the
// store-then-load order it needs (ReadersLock's invariant), which x86 does
// reorder; ThreadSanitizer cannot see that, and the overlap count of the
// first test does: in 20 runs of 20 at kRounds, in 16 of 20 at a fifth of it.
#include "engine/readers_lock.h"

#include <atomic>
#include <latch>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace engine {
namespace {

TEST(ReadersLock, AWriterNeverOverlapsAReaderOrAnotherWriter) {
  ReadersLock lock;
  std::atomic<int> readers_inside{0};
  std::atomic<int> writers_inside{0};
  std::atomic<int> overlaps{0};
  long long written = 0;  // plain: writers change it, readers read it
  constexpr int kLooks = 64;
  constexpr int kReaderThreads = 4;
  constexpr int kWriterThreads = 2;
  constexpr int kRounds = 100000;  // see the top of the file
  std::latch start(kReaderThreads + kWriterThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kReaderThreads; ++t) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      for (int i = 0; i < kRounds; ++i) {
        std::shared_lock shared(lock);
        readers_inside.fetch_add(1);
        const long long seen = written;
        for (int k = 0; k < kLooks; ++k) {
          if (writers_inside.load() != 0) overlaps.fetch_add(1);
        }
        if (written != seen) overlaps.fetch_add(1);
        readers_inside.fetch_sub(1);
      }
    });
  }
  for (int t = 0; t < kWriterThreads; ++t) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      for (int i = 0; i < kRounds / 10; ++i) {
        std::unique_lock exclusive(lock);
        if (writers_inside.fetch_add(1) != 0) overlaps.fetch_add(1);
        for (int k = 0; k < kLooks; ++k) {
          if (readers_inside.load() != 0) overlaps.fetch_add(1);
          ++written;
        }
        writers_inside.fetch_sub(1);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(overlaps.load(), 0);
  EXPECT_EQ(written, kWriterThreads * (kRounds / 10) * kLooks);
}

TEST(ReadersLock, ReadersShareItAndAWriterWaitsForThemAll) {
  ReadersLock lock;
  lock.lock_shared();
  std::thread other([&] {
    EXPECT_TRUE(lock.try_lock_shared()) << "readers share";
    lock.unlock_shared();
  });
  other.join();
  EXPECT_FALSE(lock.try_lock()) << "a reader holds it";
  lock.unlock_shared();
  EXPECT_TRUE(lock.try_lock());
  std::thread reader([&] { EXPECT_FALSE(lock.try_lock_shared()) << "a writer holds it"; });
  reader.join();
  lock.unlock();
  EXPECT_TRUE(lock.try_lock_shared());
  lock.unlock_shared();
}

// While a writer waits for a reader to leave, a new reader is turned away,
// and gets in once the writer is done.
TEST(ReadersLock, AWaitingWriterStopsNewReaders) {
  ReadersLock lock;
  lock.lock_shared();
  std::atomic<bool> writer_done{false};
  std::thread writer([&] {
    std::unique_lock exclusive(lock);
    writer_done.store(true);
  });
  // The writer raises its flag at some point after it starts: from then on
  // every try from another thread fails, and stays failed while this thread
  // still reads. (A writer that got in anyway ends the wait too.)
  std::atomic<bool> turned_away{false};
  std::thread newcomer([&] {
    while (!turned_away.load() && !writer_done.load()) {
      if (lock.try_lock_shared()) {
        lock.unlock_shared();
        std::this_thread::yield();
      } else {
        turned_away.store(true);
      }
    }
  });
  newcomer.join();
  EXPECT_FALSE(writer_done.load()) << "the writer got in while a reader held the lock";
  lock.unlock_shared();
  writer.join();
  EXPECT_TRUE(writer_done.load());
  std::thread after([&] {
    std::shared_lock shared(lock);
    EXPECT_TRUE(shared.owns_lock());
  });
  after.join();
}

}  // namespace
}  // namespace engine
