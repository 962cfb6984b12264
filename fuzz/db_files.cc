#include "fuzz/db_files.h"

#include <algorithm>
#include <map>

#include "engine/meta.h"
#include "engine/wal_format.h"

namespace fuzz {
namespace {

constexpr size_t kLengthAt = 1;
constexpr size_t kFilesAt = 5;

// A page or slot of zeros was never written: sealing it would turn an empty
// slot (where the log ends cleanly) into a frame.
bool all_zero(std::span<const uint8_t> bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

std::optional<uint32_t> data_file_page_size(std::span<const uint8_t> data) {
  if (data.size() < engine::kMetaPrefixSize) return std::nullopt;
  auto page_size = engine::decode_meta_prefix(data.first(engine::kMetaPrefixSize), "db");
  if (!page_size.ok()) return std::nullopt;
  return *page_size;
}

// The latest image's stored checksum of each page, as the files hold them
// so far: what a meta page's page digest covers.
using ImageChecksums = std::map<engine::PageNo, uint32_t>;

// `meta_image` (a full meta page image) with its page digest recomputed over
// `images` when its fields decode, and its page checksum resealed in any
// case (so that the engine's own field checks are what refuses it).
void reseal_meta(std::span<uint8_t> meta_image, const ImageChecksums& images) {
  engine::Page page(engine::kMetaPage, uint32_t(meta_image.size()));
  std::copy(meta_image.begin(), meta_image.end(), page.bytes.begin());
  engine::store_u32(page.bytes.data(), engine::page_checksum(engine::kMetaPage, page.bytes, engine::Mutant::kNone));
  auto meta = engine::decode_meta(page, "db", engine::Mutant::kNone);
  if (!meta.ok()) {
    std::copy(page.bytes.begin(), page.bytes.end(), meta_image.begin());
    return;
  }
  meta->page_digest = 0;
  for (const auto& [pgno, checksum] : images) {
    if (pgno >= meta->page_count) break;
    meta->page_digest ^= engine::page_digest_term(pgno, checksum);
  }
  const engine::Page sealed = engine::encode_meta(*meta, engine::Mutant::kNone);
  std::copy(sealed.bytes.begin(), sealed.bytes.end(), meta_image.begin());
}

// Reseals every full, non-zero page, then the meta page's digest over them.
// Returns the pages' checksums, where the WAL's frames start from.
ImageChecksums reseal_data_file(Bytes& data) {
  ImageChecksums images;
  const std::optional<uint32_t> page_size = data_file_page_size(data);
  if (!page_size) return images;
  for (uint64_t pgno = 1; (pgno + 1) * *page_size <= data.size(); ++pgno) {
    const std::span<uint8_t> page = std::span(data).subspan(pgno * *page_size, *page_size);
    if (all_zero(page)) continue;
    const uint32_t checksum = engine::page_checksum(engine::PageNo(pgno), page, engine::Mutant::kNone);
    engine::store_u32(page.data(), checksum);
    images[engine::PageNo(pgno)] = checksum;
  }
  if (data.size() >= *page_size) reseal_meta(std::span(data).first(*page_size), images);
  return images;
}

// Reseals the header and every full, non-zero slot. Frames of the header's
// generation are taken in slot order, as recovery reads a log written from
// slot 0: each page frame replaces its page's image, and each meta frame
// gets the digest of the images before it (its transaction's pages come
// first). A frame of another generation, left from before the last
// checkpoint, had other images beneath it: its digest stays as it is.
void reseal_wal(Bytes& wal, ImageChecksums images) {
  if (wal.size() < engine::kWalHeaderSize) return;
  engine::reseal_wal_header(std::span(wal).first(engine::kWalHeaderSize), engine::Mutant::kNone);
  const std::optional<engine::WalHeader> header = wal_header(wal);
  if (!header) return;
  const uint64_t slot_size = engine::wal_slot_size(header->page_size);
  for (uint64_t slot = 0; engine::wal_slot_offset(slot + 1, header->page_size) <= wal.size(); ++slot) {
    const std::span<uint8_t> bytes = std::span(wal).subspan(engine::wal_slot_offset(slot, header->page_size), slot_size);
    if (all_zero(bytes)) continue;
    const std::span<uint8_t> image = bytes.first(header->page_size);
    const engine::FrameTrailer trailer = engine::peek_frame_trailer(bytes);
    const bool current = trailer.generation == header->generation;
    if (current && trailer.pgno == engine::kMetaPage) reseal_meta(image, images);
    engine::reseal_frame(bytes, header->db_id, engine::Mutant::kNone);
    if (current && trailer.pgno != engine::kMetaPage) images[trailer.pgno] = engine::load_u32(image.data());
  }
}

}  // namespace

DbFiles decode_db_files(std::span<const uint8_t> input) {
  DbFiles files;
  if (input.empty()) return files;
  files.reseal = (input[0] & kResealFlag) != 0;
  if (input.size() < kFilesAt) return files;
  const std::span<const uint8_t> rest = input.subspan(kFilesAt);
  const size_t data_size = std::min<size_t>(engine::load_u32(input.data() + kLengthAt), rest.size());
  files.data.assign(rest.begin(), rest.begin() + data_size);
  files.wal.assign(rest.begin() + data_size, rest.end());
  return files;
}

Bytes encode_db_files(const DbFiles& files) {
  Bytes out(kFilesAt);
  out[0] = files.reseal ? kResealFlag : 0;
  engine::store_u32(out.data() + kLengthAt, uint32_t(files.data.size()));
  out.insert(out.end(), files.data.begin(), files.data.end());
  out.insert(out.end(), files.wal.begin(), files.wal.end());
  return out;
}

void reseal_db_files(DbFiles& files) {
  reseal_wal(files.wal, reseal_data_file(files.data));
}

std::optional<engine::Meta> data_file_meta(std::span<const uint8_t> data) {
  const std::optional<uint32_t> page_size = data_file_page_size(data);
  if (!page_size || data.size() < *page_size) return std::nullopt;
  engine::Page page(engine::kMetaPage, *page_size);
  std::copy_n(data.begin(), *page_size, page.bytes.begin());
  auto meta = engine::decode_meta(page, "db", engine::Mutant::kNone);
  if (!meta.ok()) return std::nullopt;
  return *meta;
}

std::optional<engine::WalHeader> wal_header(std::span<const uint8_t> wal) {
  auto header = engine::decode_wal_header(wal.first(std::min(wal.size(), engine::kWalHeaderSize)), "db-wal",
                                          engine::Mutant::kNone);
  if (!header.ok()) return std::nullopt;
  return *header;
}

}  // namespace fuzz
