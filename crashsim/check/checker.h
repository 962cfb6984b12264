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
//
// Under a media fault (the corrupt model) the state passes only if the
// system refuses it, or shows exactly what the crash point allows:
//   * refused: a kCorruption status from open, the scan, a get or verify(),
//     or a verify() finding, at any step (a wrong scan that verify() then
//     flags counts: the system did report the damage);
//   * another error (kIOError, kInvalidArgument, ...) from any of them, with
//     no refusal: misreported, a `recovery` violation: on a MemVfs, which
//     never fails, such an error can only be the damage, named as something
//     it is not (a user told "I/O error" retries, one told "invalid
//     argument" suspects their call);
//   * else the scan is judged by judge_under_media_fault (silent-loss,
//     silent-corruption, or allowed: recovered, tail-dropped), and a get
//     (step 3) that disagrees with the scan is silent-corruption.
// An allowed state whose damaged bytes (the fault's footprint) the system
// never read is harmless: the fault hit dead bytes. Reads are tracked by a
// ReadTrackingVfs between the system and the image, knowing nothing of the
// system's format. Step 5 is not run, and nothing is recorded.
//
// When asked, the store runs on a RecordingVfs from the open to the end of
// the continuation's close, and that trace is returned with the recovered
// state, so that crashes inside recovery (idempotent-recovery) and after the
// new writes can be checked too.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "crashsim/check/continuation.h"
#include "crashsim/check/fault_footprint.h"
#include "crashsim/check/invariants.h"
#include "crashsim/model/timeline.h"
#include "crashsim/record/disk_image.h"
#include "crashsim/record/oracle.h"
#include "crashsim/record/trace.h"
#include "crashsim/system_under_test.h"

namespace crashsim {

// A media fault in the state being checked (the corrupt model).
struct MediaFaultCheck {
  std::vector<ByteSpan> footprint;     // the bytes the fault damaged (fault_footprint)
  std::optional<uint64_t> droppable;   // droppable_commit
  // A lost or misdirected write: the bytes left where it should have landed
  // are an older image of the same place, valid in every way a read of that
  // page can check (checksum, page number), so only a check across pages
  // (verify()) can see them.
  bool stale_image = false;
  // A misdirected write: where its image landed. A read of those bytes can
  // tell (the image names another page), so answers that read them get no
  // excuse from the stale image.
  std::optional<ByteSpan> misplaced;
};

struct CheckOptions {
  std::optional<MediaFaultCheck> media_fault;  // the state comes from the corrupt model
  bool post_recovery_write = true;   // step 5
  ContinuationOptions continuation;  // what step 5 does
  bool record_recovery = false;      // return the store's own run (AfterRecovery)
  // The last state of `oracle` a check judged equal to an oracle state, for
  // comparing this one by difference (visible_state.h), then replaced by this
  // one when it equals one. Null: compare whole. Used by this check alone.
  Basis* basis = nullptr;
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

// What became of a media fault.
enum class FaultOutcome : uint8_t {
  kRefused,      // the system reported corruption
  kRecovered,    // no error, exactly the allowed state, and the damaged bytes were read
  kHarmless,     // no error, exactly the allowed state, the damaged bytes never read (dead bytes)
  kTailDropped,  // no error, the last acknowledged commit dropped by the exception
  kCaughtByVerify,  // reads answered a state not allowed, verify() then refused: a stale image only
  kSilent,       // no error and a state not allowed: silent-loss or silent-corruption
  kMisreported,  // an error other than corruption, and no refusal
};
std::string_view fault_outcome_name(FaultOutcome outcome);  // "refused", "tail-dropped", ...

struct StateOutcome {
  std::vector<Finding> findings;
  std::vector<std::string> recovery_paths;
  std::optional<FaultOutcome> fault_outcome;  // with a media fault
  std::optional<AfterRecovery> after_recovery;  // with record_recovery, when open and scan succeeded
  // Time spent judging the scan against the oracle, and in the system's verify().
  double oracle_seconds = 0;
  double verify_seconds = 0;
};

StateOutcome check_state(SystemUnderTest& sut, const Oracle& oracle, const DiskImage& image, Expectation expect,
                         const CheckOptions& options);

}  // namespace crashsim
