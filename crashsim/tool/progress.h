// Progress of a long run, on stderr.
//
// On a terminal, one line rewritten in place (at most ten times a second):
//   [churn-power-loss reorder] 1,234/5,678 states  8.1k/s  0 violations  ETA 0:12
// (with max_states or a shard, a first pass builds and deduplicates every state:
//   [churn-power-loss reorder] deduplicating 9,216/17,484 states  3.1k/s  ETA 0:03)
// Elsewhere (a CI log), the same text as a plain line every `plain_interval`,
// so a log shows a long run is alive without drowning in updates.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>

#include "crashsim/simulator.h"

namespace crashsim::tool {

class ProgressPrinter {
 public:
  enum class Mode { kTerminal, kPlain };
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  ProgressPrinter(std::ostream& out, Mode mode, std::chrono::milliseconds plain_interval = std::chrono::seconds(10),
                  Clock clock = std::chrono::steady_clock::now);

  // kTerminal when `fd` is a terminal.
  static Mode mode_for(int fd);

  // The scenario whose models report next.
  void begin_scenario(const std::string& name);
  // A SimulationOptions::progress callback.
  void update(const Progress& progress);
  // Erases the terminal line, so that other output starts on a clean line.
  void clear();

 private:
  std::string line(const Progress& progress, std::chrono::steady_clock::time_point now) const;

  std::ostream& out_;
  Mode mode_;
  std::chrono::milliseconds plain_interval_;
  Clock clock_;
  std::string scenario_;
  // The phase being timed: a model's deduplicating pass or its checks.
  std::string model_;
  bool deduplicating_ = false;
  std::chrono::steady_clock::time_point phase_start_;
  std::chrono::steady_clock::time_point last_event_;
  std::chrono::steady_clock::time_point last_print_;
  bool line_shown_ = false;  // kTerminal: a line is on screen
};

}  // namespace crashsim::tool
