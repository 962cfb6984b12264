// Media faults: what the `corrupt` model does to durable data.
//
// Each fault damages one place of one file of an otherwise clean crash state,
// the way a failing device or a bad cable would, and is fully described by
// its fields, so that its state id rebuilds it exactly. The first five kinds
// edit bytes where they lie (apply_fault); the last two put a durable write
// in the wrong place and need the trace (crashsim/model/write_faults.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "crashsim/record/disk_image.h"
#include "crashsim/rng.h"
#include "vfs/status.h"

namespace crashsim {

enum class FaultKind : uint8_t {
  kBitFlip,        // flip bit `param` (0..7) of the byte at offset
  kSwapBytes,      // swap the bytes at offset and offset + param
  kCompensate,     // byte at offset +1, byte at offset + param -1: invisible to a byte-sum checksum
  kZeroSector,     // the sector holding offset becomes zeros (param unused, 0)
  kGarbageSector,  // the sector holding offset becomes seeded noise (param = the noise seed)
  kLostWrite,        // bytes offset .. offset+length of durable write `op` never reached the media
  kMisdirectedWrite, // ... and landed at `target` of the same file instead
};
inline constexpr int kFaultKinds = 7;

// True for kLostWrite and kMisdirectedWrite.
bool is_write_fault(FaultKind kind);

std::string_view fault_kind_name(FaultKind kind);
std::optional<FaultKind> fault_kind_from_name(std::string_view name);

struct MediaFault {
  FaultKind kind = FaultKind::kBitFlip;
  std::string path;
  uint64_t offset = 0;
  uint64_t param = 0;   // byte faults, as above
  uint64_t op = 0;      // write faults: the trace index of the write
  uint64_t length = 0;  // write faults: bytes of it, from offset
  uint64_t target = 0;  // misdirected write: where they landed
  // The kind of region (FileRegion::kind) the fault was drawn in, for
  // coverage; empty when drawn at a uniform offset of a file.
  std::string region;

  friend bool operator==(const MediaFault&, const MediaFault&) = default;
};

// "bit-flip at db-wal offset 8200 (bit 3) in wal-header",
// "lost-write of op 17 at db offset 8192 +4096 in data-leaf".
std::string describe_fault(const MediaFault& fault);

// Applies a byte fault (not a write fault) to a copy of the file in `image`
// (sector faults use `sector_size`). kInvalidArgument when the file is
// missing or the offsets fall outside it.
vfs::Status apply_fault(const MediaFault& fault, uint32_t sector_size, DiskImage& image);

// Draws a byte fault of `kind` in bytes [begin, end) of the file `path`,
// whose contents are `bytes` (begin < end <= bytes.size()); a pair of bytes
// (swap, compensate) is drawn inside the range when it holds two. nullopt
// when the fault cannot be placed there.
std::optional<MediaFault> sample_fault_in(FaultKind kind, const std::string& path, const FileContents& bytes,
                                          uint64_t begin, uint64_t end, Rng& rng);

// Draws a byte fault of `kind` at a position of a non-empty file of `image`;
// files are chosen uniformly, then offsets. nullopt when every file is empty.
std::optional<MediaFault> sample_fault(FaultKind kind, const DiskImage& image, Rng& rng);

}  // namespace crashsim
