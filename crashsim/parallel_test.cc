#include "crashsim/parallel.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace crashsim {
namespace {

TEST(WorkerPool, EachIndexRunsExactlyOnceInEveryBatch) {
  WorkerPool pool(3);
  for (size_t count : {0u, 1u, 2u, 7u, 1000u}) {
    std::vector<std::atomic<int>> calls(count);
    pool.run(count, [&](size_t i) { calls[i]++; });
    for (size_t i = 0; i < count; ++i) EXPECT_EQ(calls[i].load(), 1) << "index " << i << " of " << count;
  }
}

TEST(WorkerPool, ReturnsOnlyAfterEveryCallReturned) {
  WorkerPool pool(2);
  std::atomic<int> finished{0};
  pool.run(8, [&](size_t) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    finished++;
  });
  EXPECT_EQ(finished.load(), 8);
}

TEST(WorkerPool, SpreadsABatchOverItsThreads) {
  WorkerPool pool(2);
  std::mutex mu;
  std::set<std::thread::id> threads;
  std::atomic<int> arrived{0};
  // Two calls that each wait for the other: only two threads can finish them.
  pool.run(2, [&](size_t) {
    {
      const std::lock_guard lock(mu);
      threads.insert(std::this_thread::get_id());
    }
    arrived++;
    while (arrived.load() < 2) std::this_thread::yield();
  });
  EXPECT_EQ(threads.size(), 2u);
}

TEST(WorkerPool, AThrowingCallIsRethrownOnceEveryCallReturned) {
  WorkerPool pool(2);
  std::atomic<int> finished{0};
  EXPECT_THROW(pool.run(50,
                        [&](size_t i) {
                          if (i == 3) throw std::runtime_error("boom");
                          std::this_thread::sleep_for(std::chrono::microseconds(200));
                          finished++;
                        }),
               std::runtime_error);
  EXPECT_EQ(finished.load(), 49);
  // The pool is usable afterwards.
  std::atomic<int> again{0};
  pool.run(10, [&](size_t) { again++; });
  EXPECT_EQ(again.load(), 10);
}

TEST(WorkerPool, OneJobRunsOnTheCallingThread) {
  WorkerPool pool(1);
  std::set<std::thread::id> threads;
  pool.run(5, [&](size_t) { threads.insert(std::this_thread::get_id()); });
  EXPECT_EQ(threads, std::set<std::thread::id>{std::this_thread::get_id()});
}

}  // namespace
}  // namespace crashsim
