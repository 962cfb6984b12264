// Injected I/O errors: what the disk does wrong while a workload is recorded.
//
// Power loss is one failure; a disk that answers with an error is the other.
// A scenario may list faults; the FaultInjector decides, call by call, which
// of the recorded run's file-system calls fail and how. RecordingVfs consults
// it, so whatever a faulty call did to a file is in the trace like any other
// write, and a failed sync is in the trace as a `sync-failed` entry, which the
// persistence models honour (FsRules::after_failed_sync, timeline.h). The
// crash states and invariants are then checked on top of that run as usual.
//
// Points, the operations of PosixVfs's vfs/posix/* failpoints:
//   vfs/open  vfs/read  vfs/write  vfs/truncate  vfs/sync  vfs/sync_dir
//       the call fails with `err`, having changed nothing; a failed sync is
//       recorded (sync-failed), a failed sync_dir is not (its directory's
//       entries simply stay pending);
//   vfs/write with `partial`
//       the first half of the bytes reach the file, then the call fails: a
//       disk that fills up in the middle of a write;
//   vfs/short_write
//       the write succeeds but reaches the file in two pieces, its first half
//       and then the rest (two trace entries), so a crash can fall between
//       them. This is how a short transfer shows at the Vfs interface: PosixVfs
//       loops over short pwrites and EINTR, so the system under test never sees
//       either, only a write that is not one indivisible event. (EINTR itself is
//       not an errno a Vfs call reports, and is refused here.)
//
// Which calls: each fault counts the calls through its point (only those on
// `file` when it names one; vfs/short_write counts writes that did not fail).
// With `nth`, calls nth .. nth+times-1 are hit (times 0: every call from the
// nth on); otherwise each call is hit with `probability`, drawn from a
// generator seeded with `seed` (crashsim/rng.h), so a run replays exactly.
//
// The same point names also answer to libfiu, as PosixVfs's do: a test or
// `fiu-run -c "enable name=vfs/sync,failinfo=28"` can fail a recorded run's
// calls from outside (a plain failure with the point's failinfo as errno,
// EIO when none; vfs/short_write splits the write).
#pragma once

#include <array>
#include <cerrno>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vfs/status.h"

namespace crashsim {

namespace fault_point {
inline constexpr char kOpen[] = "vfs/open";
inline constexpr char kRead[] = "vfs/read";
inline constexpr char kWrite[] = "vfs/write";
inline constexpr char kTruncate[] = "vfs/truncate";
inline constexpr char kSync[] = "vfs/sync";
inline constexpr char kSyncDir[] = "vfs/sync_dir";
inline constexpr char kShortWrite[] = "vfs/short_write";
inline constexpr std::array<const char*, 7> kAll = {kOpen, kRead, kWrite, kTruncate, kSync, kSyncDir, kShortWrite};
}  // namespace fault_point

struct FaultSpec {
  std::string point;        // one of fault_point::kAll
  uint64_t nth = 0;         // 1-based; 0: use probability instead
  uint64_t times = 1;       // with nth: consecutive calls hit (0: all from the nth on)
  double probability = 0;   // without nth, in (0, 1]
  uint64_t seed = 1;        // with probability
  int err = EIO;            // errno reported by the failing call
  std::string file = {};    // only calls on this path count; empty: every file
  bool partial = false;     // vfs/write only: half the bytes land before the error
};

// kInvalidArgument naming the bad field: an unknown point, neither nth nor a
// probability (or both), a probability outside (0, 1], an errno other than
// those errno_from_name knows, `partial` on a point other than vfs/write.
vfs::Status validate(const FaultSpec& fault);

// "vfs/sync #3 ENOSPC on db-wal", "vfs/write p=0.1 seed 7 EIO (partial)".
std::string describe_fault_spec(const FaultSpec& fault);

// The errnos a fault may report, by their C names: EIO, ENOSPC, EDQUOT, EROFS.
std::optional<int> errno_from_name(std::string_view name);
// The C name of an errno errno_from_name knows, else its number.
std::string errno_name(int err);

// What happens to one call.
struct InjectedFault {
  enum class Kind : uint8_t {
    kFail,        // the call fails with err, having done nothing
    kPartial,     // a write: its first half lands, then it fails with err
    kShortWrite,  // a write: it lands in two pieces and succeeds
  };
  Kind kind = Kind::kFail;
  int err = EIO;
};

class FaultInjector {
 public:
  // The faults must have passed validate().
  explicit FaultInjector(std::vector<FaultSpec> faults);

  // Counts one call through `point` on `path` and says what happens to it:
  // the first fault that hits it, else whatever libfiu says about the point,
  // else nothing. Thread-safe.
  std::optional<InjectedFault> on_call(std::string_view point, const std::string& path);

  // Calls hit so far (by any fault or by libfiu).
  uint64_t injected() const;

 private:
  struct Counter {
    FaultSpec spec;
    uint64_t calls = 0;
  };
  bool hits(Counter& c);

  mutable std::mutex mu_;
  std::vector<Counter> counters_;
  uint64_t injected_ = 0;
};

}  // namespace crashsim
