// Checking one crash state: reopen the system on it and judge what it shows.
//
// The state is installed into a fresh MemVfs and the system opened on it
// (running recovery). Then, in order:
//   1. open must succeed                               -> recovery
//   2. scan everything; judge it against the oracle    -> durability, atomicity, ordering
//   3. get() every key the scan returned and a sample of absent ones, and
//      compare with the scan (point_reads.h)        -> structure
//   4. verify()                                        -> structure, leak (engine-specific)
//   5. the continuation (continuation.h): new commits (the first one writes
//      the probe key), a checkpoint when asked, a clean close; then reopen
//      and scan: the recovered state plus every new commit -> writable-after-recovery
// Under media faults (the corrupt model) an error anywhere is the system
// reporting the damage, which is right; only wrong data returned without an
// error fails (silent-corruption, from the scan or a get); a verify() finding
// counts as the system noticing, and step 5 is skipped.
//
// When asked, the store runs on a RecordingVfs from the open to the end of
// the continuation's close, and that trace is returned with the recovered
// state, so that crashes inside recovery (idempotent-recovery) and after the
// new writes can be checked too.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "crashsim/continuation.h"
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
  ContinuationOptions continuation;  // what step 5 does
  bool record_recovery = false;      // return the store's own run (AfterRecovery)
};

// The store's own run on a crash state, recorded from its initial image.
struct AfterRecovery {
  // Recovery's calls, the open-done marker, then (with post_recovery_write)
  // the continuation's commits and checkpoint with their markers, and the
  // close (close-called, its calls, close-done).
  Trace trace;
  uint64_t open_done = 0;  // index of the open-done marker
  // What the store showed after recovery, and k when that is S_k of the
  // oracle it was judged by, with k an allowed prefix (continuation.h).
  KvState recovered;
  std::optional<uint64_t> prefix;
};

struct StateOutcome {
  std::vector<Finding> findings;
  std::vector<std::string> recovery_paths;
  bool corruption_reported = false;  // media faults: the system returned an error
  std::optional<AfterRecovery> after_recovery;  // with record_recovery, when open and scan succeeded
};

StateOutcome check_state(SystemUnderTest& sut, const Oracle& oracle, const DiskImage& image, Expectation expect,
                         const CheckOptions& options);

}  // namespace crashsim
