// Checking one crash state: reopen the system on it and judge what it shows.
//
// The state is installed into a fresh MemVfs and the system opened on it
// (running recovery). Then, in order:
//   1. open must succeed                               -> recovery
//   2. scan everything; judge it against the oracle    -> durability, atomicity, ordering
//   3. get() every key the scan returned and a sample of absent ones, and
//      compare with the scan (point_reads.h)        -> structure
//   4. verify()                                        -> structure, leak (engine-specific)
//   5. write a probe key, close, reopen, scan: the probe and the same state -> writable-after-recovery
// Under media faults (the corrupt model) an error anywhere is the system
// reporting the damage, which is right; only wrong data returned without an
// error fails (silent-corruption, from the scan or a get); a verify() finding
// counts as the system noticing, and step 5 is skipped.
//
// When asked, the open goes through a RecordingVfs, and the trace of
// recovery's own calls is returned so that crashes inside recovery can be
// checked too (idempotent-recovery).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "crashsim/disk_image.h"
#include "crashsim/invariants.h"
#include "crashsim/oracle.h"
#include "crashsim/system_under_test.h"
#include "crashsim/timeline.h"
#include "crashsim/trace.h"

namespace crashsim {

struct CheckOptions {
  bool media_faults = false;         // the state comes from the corrupt model
  bool post_recovery_write = true;   // step 5
  bool record_recovery = false;      // return recovery's own trace
};

struct StateOutcome {
  std::vector<Finding> findings;
  std::vector<std::string> recovery_paths;
  bool corruption_reported = false;  // media faults: the system returned an error
  std::optional<Trace> recovery_trace;  // with record_recovery, when open succeeded
};

StateOutcome check_state(SystemUnderTest& sut, const Oracle& oracle, const DiskImage& image, Expectation expect,
                         const CheckOptions& options);

// The key the post-recovery write check adds; no workload may use it.
inline constexpr char kProbeKey[] = "\xff\xff" "crashsim-probe";

}  // namespace crashsim
