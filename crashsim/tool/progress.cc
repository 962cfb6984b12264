#include "crashsim/tool/progress.h"

#include <unistd.h>

#include <cstdio>

#include "reports/format.h"

namespace crashsim::tool {

namespace {

constexpr std::chrono::milliseconds kTerminalInterval(100);

// "812/s", "8.1k/s", "1.2M/s".
std::string format_rate(double per_second) {
  char buf[32];
  if (per_second >= 1e6) {
    std::snprintf(buf, sizeof buf, "%.1fM/s", per_second / 1e6);
  } else if (per_second >= 1e3) {
    std::snprintf(buf, sizeof buf, "%.1fk/s", per_second / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%.0f/s", per_second);
  }
  return buf;
}

// "0:07", "12:30", "2:05:09".
std::string format_eta(double seconds) {
  const auto s = static_cast<uint64_t>(seconds + 0.5);
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%llu:%02llu:%02llu", static_cast<unsigned long long>(s / 3600),
                  static_cast<unsigned long long>(s / 60 % 60), static_cast<unsigned long long>(s % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%llu:%02llu", static_cast<unsigned long long>(s / 60),
                  static_cast<unsigned long long>(s % 60));
  }
  return buf;
}

}  // namespace

ProgressPrinter::ProgressPrinter(std::ostream& out, Mode mode, std::chrono::milliseconds plain_interval, Clock clock)
    : out_(out), mode_(mode), plain_interval_(plain_interval), clock_(std::move(clock)) {
  last_event_ = last_print_ = phase_start_ = clock_();
}

ProgressPrinter::Mode ProgressPrinter::mode_for(int fd) { return ::isatty(fd) == 1 ? Mode::kTerminal : Mode::kPlain; }

void ProgressPrinter::begin_scenario(const std::string& name) {
  scenario_ = name;
  model_.clear();
  last_event_ = clock_();
}

void ProgressPrinter::update(const Progress& progress) {
  const auto now = clock_();
  if (progress.model != model_ || progress.deduplicating != deduplicating_) {
    // A phase starts where the previous one ended.
    model_ = progress.model;
    deduplicating_ = progress.deduplicating;
    phase_start_ = last_event_;
  }
  last_event_ = now;
  const bool finished = progress.states_done >= progress.states_total;
  if (mode_ == Mode::kTerminal) {
    if (now - last_print_ < kTerminalInterval && !finished) return;
    out_ << '\r' << line(progress, now) << "\x1b[K" << std::flush;
    line_shown_ = true;
  } else {
    if (now - last_print_ < plain_interval_) return;
    out_ << line(progress, now) << '\n' << std::flush;
  }
  last_print_ = now;
}

void ProgressPrinter::clear() {
  if (!line_shown_) return;
  out_ << "\r\x1b[K" << std::flush;
  line_shown_ = false;
}

std::string ProgressPrinter::line(const Progress& p, std::chrono::steady_clock::time_point now) const {
  const double elapsed = std::chrono::duration<double>(now - phase_start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(p.states_done) / elapsed : 0;
  std::string s = "[" + scenario_ + " " + model_ + "] " + (p.deduplicating ? "deduplicating " : "") +
                  reports::format_count(p.states_done) + "/" + reports::format_count(p.states_total) + " states  " +
                  format_rate(rate);
  if (!p.deduplicating) {
    s += "  " + reports::format_count(p.violations) + (p.violations == 1 ? " violation" : " violations");
  }
  if (rate > 0 && p.states_done < p.states_total) {
    s += "  ETA " + format_eta(static_cast<double>(p.states_total - p.states_done) / rate);
  }
  return s;
}

}  // namespace crashsim::tool
