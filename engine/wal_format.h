// The WAL's byte format: its header and its frames. Layout and the reasons
// for it in docs/file-formats.md; this file only encodes and decodes.
//
// The WAL (NAME-wal) is a header followed by fixed-size slots, one frame per
// slot; slot i starts at wal_slot_offset(i). A frame is a frame header plus
// one page image. The file is reused in place: a checkpoint rewrites the
// header with the next generation and new frames overwrite old slots from
// slot 0, so every frame carries its generation (our salt) and its
// transaction's sequence number, and recovery takes only frames that match.
//
// A transaction is its dirty pages followed by the meta page:
//   the commit record is the transaction's final frame, the meta page,
//   whose header carries the commit marker and frame count.
//
// Every checksum here is built with checksum_extend(), so that
// Mutant::kAdditiveChecksum weakens the WAL exactly as it weakens pages.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "engine/page.h"
#include "vfs/status.h"

namespace engine {

using vfs::Result;
using vfs::Status;

inline constexpr std::array<uint8_t, 8> kWalMagic = {'b', 't', 'k', 'v', '-', 'w', 'a', 'l'};
inline constexpr uint32_t kWalFormatVersion = 1;
inline constexpr size_t kWalHeaderSize = 40;
inline constexpr size_t kFrameHeaderSize = 32;

struct WalHeader {
  uint32_t page_size = 0;
  uint64_t db_id = 0;
  uint64_t generation = 0;  // bumped by every checkpoint; frames of other generations are dead
};

struct FrameHeader {
  PageNo pgno = 0;
  // 0 on every frame of a transaction but its last; on the last (the commit
  // frame, normally the meta page) the number of frames in the transaction.
  uint32_t commit = 0;
  uint64_t txn_seq = 0;
  uint64_t generation = 0;
  // Random per write of a transaction, the same on all its frames. A commit
  // that reuses a sequence number (after a failed write, or after recovery
  // dropped an unfinished transaction) can then never be stitched together
  // with frames an earlier attempt left behind.
  uint32_t nonce = 0;
};

inline uint64_t wal_slot_size(uint32_t page_size) { return kFrameHeaderSize + uint64_t{page_size}; }
inline uint64_t wal_slot_offset(uint64_t slot, uint32_t page_size) {
  return kWalHeaderSize + slot * wal_slot_size(page_size);
}

std::array<uint8_t, kWalHeaderSize> encode_wal_header(const WalHeader& header, Mutant mutant);

// The header in `bytes` (the first kWalHeaderSize bytes of the WAL, or fewer
// when the file is shorter), or kCorruption naming `path` and what is wrong:
// short, bad magic, bad checksum, unknown version, impossible page size.
Result<WalHeader> decode_wal_header(std::span<const uint8_t> bytes, const std::string& path, Mutant mutant);

// Fills `slot` (wal_slot_size bytes) with the frame header and the page image.
// The frame checksum also covers the database's db_id, so frames left by a
// different database in a reused file can never verify.
void encode_frame(const FrameHeader& header, uint64_t db_id, std::span<const uint8_t> image,
                  std::span<uint8_t> slot, Mutant mutant);

// The frame header of a full slot when its checksum holds over the header,
// db_id and page image; nullopt for a damaged frame.
std::optional<FrameHeader> decode_frame(std::span<const uint8_t> slot, uint64_t db_id, Mutant mutant);

}  // namespace engine
