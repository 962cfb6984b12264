#include "crashsim/tool/progress.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

namespace crashsim::tool {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

// A clock the test moves by hand.
struct FakeClock {
  std::chrono::steady_clock::time_point now{};
  ProgressPrinter::Clock fn() {
    return [this] { return now; };
  }
};

Progress at(uint64_t done, uint64_t total, uint64_t violations = 0) {
  return {.model = "reorder", .states_done = done, .states_total = total, .violations = violations};
}

TEST(ProgressPrinterTest, PlainModePrintsALineEveryInterval) {
  FakeClock clock;
  std::ostringstream out;
  ProgressPrinter p(out, ProgressPrinter::Mode::kPlain, 10s, clock.fn());
  p.begin_scenario("churn");
  clock.now += 2s;
  p.update(at(256, 1024));
  EXPECT_EQ(out.str(), "");
  clock.now += 9s;
  p.update(at(512, 1024, 1));
  EXPECT_EQ(out.str(), "[churn reorder] 512/1,024 states  47/s  1 violation  ETA 0:11\n");
  clock.now += 1s;
  p.update(at(768, 1024));
  EXPECT_EQ(out.str().find('\n'), out.str().size() - 1) << "a second line within the interval";
  p.clear();
  EXPECT_EQ(out.str().find('\r'), std::string::npos);
}

TEST(ProgressPrinterTest, TerminalModeRewritesOneLineAndClearsIt) {
  FakeClock clock;
  std::ostringstream out;
  ProgressPrinter p(out, ProgressPrinter::Mode::kTerminal, 10s, clock.fn());
  p.begin_scenario("churn");
  clock.now += 1s;
  p.update(at(8000, 20000, 2));
  EXPECT_EQ(out.str(), "\r[churn reorder] 8,000/20,000 states  8.0k/s  2 violations  ETA 0:02\x1b[K");
  clock.now += 10ms;
  p.update(at(8100, 20000, 2));  // too soon after the last
  clock.now += 10ms;
  p.update(at(20000, 20000, 2));  // finished: always shown, without an ETA
  EXPECT_THAT(out.str(), HasSubstr("\r[churn reorder] 20,000/20,000 states"));
  EXPECT_THAT(out.str(), ::testing::Not(HasSubstr("8,100")));
  const size_t before = out.str().size();
  p.clear();
  EXPECT_EQ(out.str().substr(before), "\r\x1b[K");
  p.clear();  // nothing on screen any more
  EXPECT_EQ(out.str().size(), before + 4);
}

TEST(ProgressPrinterTest, EachPhaseIsTimedFromWhereThePreviousOneEnded) {
  FakeClock clock;
  std::ostringstream out;
  ProgressPrinter p(out, ProgressPrinter::Mode::kTerminal, 10s, clock.fn());
  p.begin_scenario("s");
  clock.now += 100s;
  p.update(at(100, 100));
  clock.now += 4s;
  p.update({.model = "torn", .deduplicating = true, .states_done = 2000, .states_total = 6000});
  EXPECT_THAT(out.str(), HasSubstr("[s torn] deduplicating 2,000/6,000 states  500/s  ETA 0:08\x1b[K"));
  clock.now += 8s;
  p.update({.model = "torn", .deduplicating = true, .states_done = 6000, .states_total = 6000});
  p.update({.model = "torn", .states_done = 0, .states_total = 1000});
  clock.now += 2s;
  p.update({.model = "torn", .states_done = 500, .states_total = 1000});
  EXPECT_THAT(out.str(), HasSubstr("[s torn] 500/1,000 states  250/s  0 violations  ETA 0:02"));
}

}  // namespace
}  // namespace crashsim::tool
