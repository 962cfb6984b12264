#include "crashsim/record/faults.h"

#include <fiu.h>

#include <algorithm>
#include <cstdint>
#include <utility>

#include "crashsim/name_table.h"
#include "crashsim/rng.h"

namespace crashsim {

using vfs::Status;

namespace {

constexpr NameTable<int, 4> kErrnoNames = {{
    {EIO, "EIO"},
    {ENOSPC, "ENOSPC"},
    {EDQUOT, "EDQUOT"},
    {EROFS, "EROFS"},
}};

bool known_point(std::string_view point) {
  return std::any_of(fault_point::kAll.begin(), fault_point::kAll.end(),
                     [point](const char* p) { return point == p; });
}

// Uniform in [0, 1) from the generator's top 53 bits.
double unit_interval(Rng& rng) { return static_cast<double>(rng.next() >> 11) * 0x1.0p-53; }

}  // namespace

Status validate(const FaultSpec& fault) {
  const std::string where = "fault " + describe_fault_spec(fault) + ": ";
  if (!known_point(fault.point)) {
    return Status::invalid_argument(where + "unknown point \"" + fault.point +
                                    "\" (vfs/open, vfs/read, vfs/write, vfs/truncate, vfs/sync, vfs/sync_dir, "
                                    "vfs/short_write)");
  }
  const bool by_probability = fault.probability != 0;
  if ((fault.nth == 0) == !by_probability) {
    return Status::invalid_argument(where + "give exactly one of nth (the call to fail, from 1) and probability");
  }
  if (by_probability && !(fault.probability > 0 && fault.probability <= 1)) {
    return Status::invalid_argument(where + "probability " + std::to_string(fault.probability) +
                                    " is outside (0, 1]");
  }
  if (fault.point != fault_point::kShortWrite && !errno_from_name(errno_name(fault.err))) {
    return Status::invalid_argument(where + "errno " + std::to_string(fault.err) +
                                    " is not one a fault may report (EIO, ENOSPC, EDQUOT, EROFS)");
  }
  if (fault.partial && fault.point != fault_point::kWrite) {
    return Status::invalid_argument(where + "partial applies to vfs/write only");
  }
  return Status();
}

std::string describe_fault_spec(const FaultSpec& fault) {
  std::string s = fault.point;
  if (fault.nth != 0) {
    s += " #" + std::to_string(fault.nth);
    if (fault.times != 1) s += fault.times == 0 ? " onwards" : " x" + std::to_string(fault.times);
  } else {
    s += " p=" + std::to_string(fault.probability) + " seed " + std::to_string(fault.seed);
  }
  if (fault.point != fault_point::kShortWrite) s += " " + errno_name(fault.err);
  if (!fault.file.empty()) s += " on " + fault.file;
  if (fault.partial) s += " (partial)";
  return s;
}

std::optional<int> errno_from_name(std::string_view name) {
  return value_in(kErrnoNames, name);
}

std::string errno_name(int err) {
  const std::optional<std::string_view> name = name_in(kErrnoNames, err);
  return name ? std::string(*name) : std::to_string(err);
}

FaultInjector::FaultInjector(std::vector<FaultSpec> faults) {
  for (FaultSpec& f : faults) counters_.push_back({std::move(f), 0});
}

bool FaultInjector::hits(Counter& c) {
  const uint64_t call = ++c.calls;
  const FaultSpec& f = c.spec;
  if (f.nth != 0) return call >= f.nth && (f.times == 0 || call - f.nth < f.times);
  Rng rng = Rng::derive({f.seed, text_hash(f.point), call});
  return unit_interval(rng) < f.probability;
}

std::optional<InjectedFault> FaultInjector::on_call(std::string_view point, const std::string& path) {
  std::lock_guard lock(mu_);
  std::optional<InjectedFault> out;
  // Every matching fault counts the call, whichever of them hits it.
  for (Counter& c : counters_) {
    if (c.spec.point != point || (!c.spec.file.empty() && c.spec.file != path)) continue;
    if (!hits(c) || out) continue;
    if (point == fault_point::kShortWrite) {
      out = InjectedFault{InjectedFault::Kind::kShortWrite, 0};
    } else {
      out = InjectedFault{c.spec.partial ? InjectedFault::Kind::kPartial : InjectedFault::Kind::kFail, c.spec.err};
    }
  }
  const std::string name(point);
  if (!out && fiu_fail(name.c_str()) != 0) {
    const auto info = reinterpret_cast<intptr_t>(fiu_failinfo());
    out = point == fault_point::kShortWrite
              ? InjectedFault{InjectedFault::Kind::kShortWrite, 0}
              : InjectedFault{InjectedFault::Kind::kFail, info != 0 ? static_cast<int>(info) : EIO};
  }
  if (out) ++injected_;
  return out;
}

uint64_t FaultInjector::injected() const {
  std::lock_guard lock(mu_);
  return injected_;
}

}  // namespace crashsim
