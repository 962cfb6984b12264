#include "engine/entropy.h"

#include <set>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace engine {
namespace {

std::vector<uint64_t> draw(size_t n) {
  std::vector<uint64_t> out;
  for (size_t i = 0; i < n; ++i) out.push_back(random_u64());
  return out;
}

TEST(RandomU64, NeverRepeatsNorReturnsZeroWithinOrAcrossThreads) {
  std::vector<std::vector<uint64_t>> per_thread(4);
  std::vector<std::thread> threads;
  for (auto& values : per_thread) threads.emplace_back([&values] { values = draw(5000); });
  for (std::thread& t : threads) t.join();
  std::set<uint64_t> seen;
  for (const auto& values : per_thread) {
    for (uint64_t v : values) {
      EXPECT_NE(v, 0u);
      EXPECT_TRUE(seen.insert(v).second) << "repeated value " << v;
    }
  }
}

TEST(RandomU64, AForkedChildDrawsOtherValuesThanItsParent) {
  random_u64();  // the parent's sequence is seeded before the fork
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const uint64_t v = random_u64();
    const bool written = write(pipe_fds[1], &v, sizeof v) == static_cast<ssize_t>(sizeof v);
    _exit(written ? 0 : 1);
  }
  const uint64_t parent = random_u64();
  uint64_t from_child = 0;
  ASSERT_EQ(read(pipe_fds[0], &from_child, sizeof from_child), static_cast<ssize_t>(sizeof from_child));
  int status = 0;
  waitpid(child, &status, 0);
  close(pipe_fds[0]);
  close(pipe_fds[1]);
  EXPECT_NE(parent, from_child);
}

}  // namespace
}  // namespace engine
