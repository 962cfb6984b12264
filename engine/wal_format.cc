#include "engine/wal_format.h"

#include <algorithm>

#include "engine/meta.h"

namespace engine {
namespace {

// WAL header fields.
constexpr size_t kHeaderVersionAt = 8;
constexpr size_t kHeaderPageSizeAt = 12;
constexpr size_t kHeaderDbIdAt = 16;
constexpr size_t kHeaderGenerationAt = 24;
// 32..35 reserved, zero.
constexpr size_t kHeaderChecksumAt = 36;

// Frame trailer fields, from the start of the trailer.
constexpr size_t kFramePgnoAt = 0;
constexpr size_t kFrameCommitAt = 4;
constexpr size_t kFrameTxnSeqAt = 8;
constexpr size_t kFrameGenerationAt = 16;
constexpr size_t kFrameNonceAt = 24;
constexpr size_t kFrameChecksumAt = 28;

static_assert(kHeaderChecksumAt + 4 == kWalHeaderSize);
static_assert(kFrameChecksumAt + 4 == kFrameTrailerSize);

uint32_t header_checksum(std::span<const uint8_t> bytes, Mutant mutant) {
  return checksum_extend(0, bytes.first(kHeaderChecksumAt), mutant);
}

// Covers db_id, the frame trailer and the image's stored page checksum, not
// the rest of the image: the page checksum already covers that (and the
// page number), so checksumming the image a second time on every commit
// would add nothing but cost. decode_frame checks both.
uint32_t frame_checksum(std::span<const uint8_t> slot, uint64_t db_id, Mutant mutant) {
  uint8_t id[8];
  store_u64(id, db_id);
  uint32_t c = checksum_extend(0, id, mutant);
  c = checksum_extend(c, slot.last(kFrameTrailerSize).first(kFrameChecksumAt), mutant);
  return checksum_extend(c, slot.first(4), mutant);
}

}  // namespace

std::array<uint8_t, kWalHeaderSize> encode_wal_header(const WalHeader& header, Mutant mutant) {
  std::array<uint8_t, kWalHeaderSize> bytes{};
  std::copy(kWalMagic.begin(), kWalMagic.end(), bytes.begin());
  store_u32(bytes.data() + kHeaderVersionAt, kWalFormatVersion);
  store_u32(bytes.data() + kHeaderPageSizeAt, header.page_size);
  store_u64(bytes.data() + kHeaderDbIdAt, header.db_id);
  store_u64(bytes.data() + kHeaderGenerationAt, header.generation);
  store_u32(bytes.data() + kHeaderChecksumAt, header_checksum(bytes, mutant));
  return bytes;
}

Result<WalHeader> decode_wal_header(std::span<const uint8_t> bytes, const std::string& path, Mutant mutant) {
  if (bytes.size() < kWalHeaderSize) {
    return Status::corruption("WAL header of " + path + " is short: " + std::to_string(bytes.size()) +
                              " bytes, expected " + std::to_string(kWalHeaderSize));
  }
  if (!std::equal(kWalMagic.begin(), kWalMagic.end(), bytes.begin())) {
    return Status::corruption("WAL header of " + path + ": bad magic at offset 0");
  }
  const uint32_t stored = load_u32(bytes.data() + kHeaderChecksumAt);
  const uint32_t computed = header_checksum(bytes, mutant);
  if (stored != computed) {
    return Status::corruption("WAL header of " + path + ": checksum mismatch (stored " + std::to_string(stored) +
                              ", computed " + std::to_string(computed) + ")");
  }
  uint32_t version = 0;
  WalHeader header = peek_wal_header(bytes, &version);
  if (version < kOldestReadableWalFormatVersion || version > kWalFormatVersion) {
    // Not kCorruption: recovery treats a corrupt header as torn and carries
    // on without it, which would throw away a log this build cannot read.
    return Status::not_supported("WAL header of " + path + ": unsupported format version " + std::to_string(version) +
                                 " (this build reads versions " + std::to_string(kOldestReadableWalFormatVersion) +
                                 " to " + std::to_string(kWalFormatVersion) + ")");
  }
  if (!is_valid_page_size(header.page_size)) {
    return Status::corruption(bad_page_size_message(header.page_size, "the WAL header of " + path));
  }
  header.format_version = version;
  return header;
}

WalHeader peek_wal_header(std::span<const uint8_t> bytes, uint32_t* version) {
  *version = load_u32(bytes.data() + kHeaderVersionAt);
  WalHeader header;
  header.page_size = load_u32(bytes.data() + kHeaderPageSizeAt);
  header.db_id = load_u64(bytes.data() + kHeaderDbIdAt);
  header.generation = load_u64(bytes.data() + kHeaderGenerationAt);
  return header;
}

void encode_frame(const FrameTrailer& trailer, uint64_t db_id, std::span<const uint8_t> image,
                  std::span<uint8_t> slot, Mutant mutant) {
  std::copy(image.begin(), image.end(), slot.begin());
  uint8_t* t = slot.last(kFrameTrailerSize).data();
  store_u32(t + kFramePgnoAt, trailer.pgno);
  store_u32(t + kFrameCommitAt, trailer.commit);
  store_u64(t + kFrameTxnSeqAt, trailer.txn_seq);
  store_u64(t + kFrameGenerationAt, trailer.generation);
  store_u32(t + kFrameNonceAt, trailer.nonce);
  store_u32(t + kFrameChecksumAt, frame_checksum(slot, db_id, mutant));
}

std::optional<FrameTrailer> decode_frame(std::span<const uint8_t> slot, uint64_t db_id, Mutant mutant) {
  if (!frame_checksum_holds(slot, db_id, mutant)) return std::nullopt;
  const FrameTrailer trailer = peek_frame_trailer(slot);
  const std::span<const uint8_t> image = slot.first(slot.size() - kFrameTrailerSize);
  if (load_u32(image.data()) != page_checksum(trailer.pgno, image, mutant)) return std::nullopt;
  return trailer;
}

FrameTrailer peek_frame_trailer(std::span<const uint8_t> slot) {
  const uint8_t* t = slot.last(kFrameTrailerSize).data();
  FrameTrailer trailer;
  trailer.pgno = load_u32(t + kFramePgnoAt);
  trailer.commit = load_u32(t + kFrameCommitAt);
  trailer.txn_seq = load_u64(t + kFrameTxnSeqAt);
  trailer.generation = load_u64(t + kFrameGenerationAt);
  trailer.nonce = load_u32(t + kFrameNonceAt);
  return trailer;
}

bool frame_checksum_holds(std::span<const uint8_t> slot, uint64_t db_id, Mutant mutant) {
  return load_u32(slot.last(kFrameTrailerSize).data() + kFrameChecksumAt) == frame_checksum(slot, db_id, mutant);
}

void reseal_wal_header(std::span<uint8_t> header, Mutant mutant) {
  store_u32(header.data() + kHeaderChecksumAt, header_checksum(header, mutant));
}

void reseal_frame(std::span<uint8_t> slot, uint64_t db_id, Mutant mutant) {
  uint8_t* t = slot.last(kFrameTrailerSize).data();
  const std::span<uint8_t> image = slot.first(slot.size() - kFrameTrailerSize);
  store_u32(image.data(), page_checksum(load_u32(t + kFramePgnoAt), image, mutant));
  store_u32(t + kFrameChecksumAt, frame_checksum(slot, db_id, mutant));
}

}  // namespace engine
