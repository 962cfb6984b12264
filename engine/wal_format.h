// The WAL's byte format: its header and its frames. Layout and the reasons
// for it in docs/file-formats.md; this file only encodes and decodes.
//
// The WAL (NAME-wal) is a header followed by fixed-size slots, one frame per
// slot; slot i starts at wal_slot_offset(i). A frame is one page image
// followed by a frame trailer. The trailer comes last because a write is
// made in order: a write that fails or stops part-way leaves its last
// frame's trailer unwritten, and the bytes already there (zeros the WAL grew
// with, or an older frame) carry no valid trailer for this write's nonce.
// With the fields first, the unwritten part could be the tail of the page
// image, whose zeros may already be in the file: a refused commit would
// then read back as complete. The file is reused in place: a checkpoint rewrites the
// header with the next generation and new frames overwrite old slots from
// slot 0, so every frame carries its generation (our salt) and its
// transaction's sequence number, and recovery takes only frames that match.
//
// A transaction is its dirty pages followed by the meta page:
//   the commit record is the transaction's final frame, the meta page,
//   whose trailer carries the commit marker and frame count.
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
// Version 2: the frame's fields follow its image, and the frame checksum
// covers the page's stored checksum instead of the whole image
// (docs/file-formats.md).
// Version 3: a group's transactions but its last carry no meta frame and
// commit with the last one (docs/file-formats.md). Version 2 logs read the
// same under version 3's rules, so both are read.
inline constexpr uint32_t kWalFormatVersion = 3;
inline constexpr uint32_t kOldestReadableWalFormatVersion = 2;
inline constexpr size_t kWalHeaderSize = 40;
inline constexpr size_t kFrameTrailerSize = 32;

struct WalHeader {
  uint32_t page_size = 0;
  uint64_t db_id = 0;
  uint64_t generation = 0;  // bumped by every checkpoint; frames of other generations are dead
  // The version a decoded header was stored with; encoding always writes
  // kWalFormatVersion.
  uint32_t format_version = kWalFormatVersion;
};

struct FrameTrailer {
  PageNo pgno = 0;
  // 0 on every frame of a transaction but its last; on the last (the commit
  // frame, normally the meta page) the number of frames in the transaction.
  uint32_t commit = 0;
  uint64_t txn_seq = 0;
  uint64_t generation = 0;
  // The high 24 bits are random per write, the same on every frame of the
  // write. A commit that reuses a sequence number (after a failed write, or
  // after recovery dropped an unfinished transaction) can then never be
  // stitched together with frames an earlier attempt left behind. The low 8
  // bits are the transaction's index in its write (0 but in a group commit),
  // so a frame tells the sequence number its write started at.
  uint32_t nonce = 0;
};

// The most transactions one write (a group commit) holds: the index field's range.
inline constexpr size_t kMaxTxnsPerWrite = 256;
inline uint32_t nonce_of(uint32_t write_random, size_t index) {
  return (write_random & ~uint32_t{0xFF}) | static_cast<uint32_t>(index);
}
inline uint32_t write_random_of(uint32_t nonce) { return nonce & ~uint32_t{0xFF}; }
// The sequence number of the first transaction of the write that wrote `trailer`.
inline uint64_t write_first_seq(const FrameTrailer& trailer) { return trailer.txn_seq - (trailer.nonce & 0xFF); }

inline uint64_t wal_slot_size(uint32_t page_size) { return kFrameTrailerSize + uint64_t{page_size}; }
inline uint64_t wal_slot_offset(uint64_t slot, uint32_t page_size) {
  return kWalHeaderSize + slot * wal_slot_size(page_size);
}

std::array<uint8_t, kWalHeaderSize> encode_wal_header(const WalHeader& header, Mutant mutant);

// The header in `bytes` (the first kWalHeaderSize bytes of the WAL, or fewer
// when the file is shorter), or kCorruption naming `path` and what is wrong:
// short, bad magic, bad checksum, impossible page size. A sound header of
// another format version is kNotSupported.
Result<WalHeader> decode_wal_header(std::span<const uint8_t> bytes, const std::string& path, Mutant mutant);

// The header fields as stored in the first kWalHeaderSize bytes of `bytes`
// (which must hold that many), unchecked, and the format version field.
WalHeader peek_wal_header(std::span<const uint8_t> bytes, uint32_t* version);

// Fills `slot` (wal_slot_size bytes) with the page image, which must be
// sealed (seal_page), and the frame trailer: the frame checksum covers the
// trailer, the database's db_id (so frames left by a different database in a
// reused file can never verify) and the image's page checksum.
void encode_frame(const FrameTrailer& trailer, uint64_t db_id, std::span<const uint8_t> image,
                  std::span<uint8_t> slot, Mutant mutant);

// The frame trailer of a full slot when its frame checksum holds and its
// image's page checksum (for the frame's page number) holds too; nullopt for
// a damaged frame.
std::optional<FrameTrailer> decode_frame(std::span<const uint8_t> slot, uint64_t db_id, Mutant mutant);

// The trailer fields of a full slot as stored, unchecked.
FrameTrailer peek_frame_trailer(std::span<const uint8_t> slot);
// Whether the frame checksum of a full slot holds for `db_id` (the image's
// own page checksum is not checked here).
bool frame_checksum_holds(std::span<const uint8_t> slot, uint64_t db_id, Mutant mutant);

// Recompute, in place, the checksums of a header (kWalHeaderSize bytes) or a
// full slot whose other bytes were edited: the slot's page checksum for the
// page number its trailer names, then its frame checksum. For tools that
// craft WAL images (the fuzz targets' resealing mode); the engine's own
// writes encode from fields.
void reseal_wal_header(std::span<uint8_t> header, Mutant mutant);
void reseal_frame(std::span<uint8_t> slot, uint64_t db_id, Mutant mutant);

}  // namespace engine
