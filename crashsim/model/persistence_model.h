// Persistence models: which crash states a power failure can leave.
//
// At a crash point the Frontier says what is durable and what is pending; a
// model turns that into one or more crash states, each named by a Choice:
//
//   process-crash  every op before the point is on disk (kill -9: the page cache survives)
//   lose-unsynced  each file holds what its last sync made durable; a namespace
//                  change needs a sync_dir of its directory (FsRules)
//   reorder        lose-unsynced, plus any subset of the pending ops: each file's
//                  writes and truncates, and the creates, mkdirs, renames and
//                  removes no sync_dir covered (those only in issue order),
//                  applied in issue order
//   torn           reorder, plus a persisted pending write may be torn: only some
//                  of its sectors reached the disk, the others keep their old
//                  bytes, and one sector being written may hold noise
//   corrupt        lose-unsynced, plus one media fault in durable data, aimed
//                  at the regions the system under test describes
//                  (crashsim/model/fault_plan.h)
//
// reorder and torn enumerate every choice while there are at most
// `enumerate_bound` pending writes (reorder) or pending sectors (torn), and
// otherwise draw `samples_per_point` choices from a generator seeded by
// (seed, crash point). docs/crash-models.md states every rule precisely.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crashsim/model/mask.h"
#include "crashsim/model/media_fault.h"
#include "crashsim/model/timeline.h"
#include "crashsim/record/disk_image.h"
#include "crashsim/record/trace.h"
#include "crashsim/system_under_test.h"
#include "vfs/status.h"

namespace crashsim {

enum class ModelKind : uint8_t { kProcessCrash, kLoseUnsynced, kReorder, kTorn, kCorrupt };

std::string_view model_name(ModelKind kind);
std::optional<ModelKind> model_from_name(std::string_view name);
// lose-unsynced, reorder and torn: the models where unsynced data may be lost.
bool is_power_loss(ModelKind kind);

struct ModelConfig {
  ModelKind kind = ModelKind::kLoseUnsynced;
  // reorder: enumerate every subset up to this many pending writes;
  // torn: every sector pattern up to this many pending sectors.
  uint32_t enumerate_bound = 10;
  // Choices drawn per crash point beyond the bound (reorder, torn).
  uint32_t samples_per_point = 64;
  uint32_t sector_size = 512;  // torn, corrupt
  // corrupt: crash points (sampled, the last always included) and faults per point.
  uint32_t corrupt_points = 8;
  uint32_t faults_per_point = 20;
  uint64_t seed = 1;
};

// Returns kInvalidArgument naming the bad field (sector_size 0, bound over 24, ...).
vfs::Status validate(const ModelConfig& config);

// torn: the sector a write was putting down when the power went out holds
// neither its old bytes nor its new ones but noise (seeded by the op's trace
// index and the sector, so the id rebuilds it), over the bytes the write
// covers in that sector; the sector's other bytes are untouched (powersafe
// overwrite).
struct GarbageSector {
  uint32_t op = 0;      // the op's entry in Choice::persisted
  uint64_t sector = 0;  // its j-th sector, as in its mask (whose bit j is clear)
  friend bool operator==(const GarbageSector&, const GarbageSector&) = default;
};

// One crash state of a model at one crash point.
struct Choice {
  // reorder and torn: one mask per entry of Frontier::reorderable(), in
  // that order. reorder: one bit (persisted or not); torn: one bit per sector
  // the op touches (bit j = the j-th sector from the one holding its first
  // byte; a truncate or a namespace op is a single unit).
  std::vector<Mask> persisted;
  uint32_t sector_size = 0;  // torn, corrupt
  std::optional<GarbageSector> garbage;  // torn
  std::optional<MediaFault> fault;  // corrupt
};

// The units (sectors, or 1 for a truncate or empty write) torn can split `op` into.
uint64_t torn_units(const Op& op, uint32_t sector_size);

// The text of a state id after "<point>:<model>" (without the colon); empty
// for process-crash and lose-unsynced. See state_id.h.
std::string encode_choice(ModelKind kind, const Choice& choice);
// Inverse of encode_choice; checks the masks against the frontier's pending ops.
vfs::Result<Choice> decode_choice(ModelKind kind, std::string_view text, const Trace& trace, const Frontier& frontier);

// States the model allows at this frontier (choices, not distinct images).
double allowed_states(const ModelConfig& config, const Trace& trace, const Frontier& frontier);

// What the corrupt model aims at, at one crash point; the other models ignore it.
struct FaultTargets {
  // SystemUnderTest::describe_regions of the frontier's durable image;
  // empty: faults at uniform offsets.
  std::vector<FileRegion> regions;
  // durable_at() of the trace for the frontier's rules (computed when null):
  // the writes a lost or misdirected write fault can pick.
  const std::vector<uint64_t>* durable = nullptr;
};

// The choices to check here: all of them within the bound, else a seeded
// sample that always includes "nothing pending persisted" and "everything
// persisted"; for corrupt, the faults plan_faults() draws.
std::vector<Choice> choices_at(const ModelConfig& config, const Trace& trace, const Frontier& frontier,
                               const FaultTargets& targets = {});
// True when choices_at had to sample at this frontier.
bool samples_at(const ModelConfig& config, const Trace& trace, const Frontier& frontier);

// The crash state `choice` names.
vfs::Result<DiskImage> build_image(ModelKind kind, const Trace& trace, const Frontier& frontier, const Choice& choice);

}  // namespace crashsim
