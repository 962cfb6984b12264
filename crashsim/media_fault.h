// Media faults: what the `corrupt` model does to durable data.
//
// Each fault damages one place of one file of an otherwise clean crash state,
// the way a failing device or a bad cable would, and is fully described by
// (kind, path, offset, param) so that its state id rebuilds it exactly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "crashsim/disk_image.h"
#include "crashsim/rng.h"
#include "vfs/status.h"

namespace crashsim {

enum class FaultKind : uint8_t {
  kBitFlip,        // flip bit `param` (0..7) of the byte at offset
  kSwapBytes,      // swap the bytes at offset and offset + param
  kCompensate,     // byte at offset +1, byte at offset + param -1: invisible to a byte-sum checksum
  kZeroSector,     // the sector holding offset becomes zeros (param unused, 0)
  kGarbageSector,  // the sector holding offset becomes seeded noise (param = the noise seed)
};
inline constexpr int kFaultKinds = 5;

std::string_view fault_kind_name(FaultKind kind);
std::optional<FaultKind> fault_kind_from_name(std::string_view name);

struct MediaFault {
  FaultKind kind = FaultKind::kBitFlip;
  std::string path;
  uint64_t offset = 0;
  uint64_t param = 0;

  friend bool operator==(const MediaFault&, const MediaFault&) = default;
};

// "bit-flip at db-wal offset 8200 (bit 3)".
std::string describe_fault(const MediaFault& fault);

// Applies the fault to a copy of the file in `image` (sector faults use
// `sector_size`). kInvalidArgument when the file is missing or the offsets
// fall outside it.
vfs::Status apply_fault(const MediaFault& fault, uint32_t sector_size, DiskImage& image);

// Draws a fault of `kind` at a position of a non-empty file of `image`; files
// are chosen uniformly, then offsets. nullopt when every file is empty.
std::optional<MediaFault> sample_fault(FaultKind kind, const DiskImage& image, Rng& rng);

}  // namespace crashsim
