#include "fuzz/db_files.h"

#include <algorithm>

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

void reseal_data_file(Bytes& data) {
  const std::optional<uint32_t> page_size = data_file_page_size(data);
  if (!page_size) return;
  for (uint64_t pgno = 0; (pgno + 1) * *page_size <= data.size(); ++pgno) {
    const std::span<uint8_t> page = std::span(data).subspan(pgno * *page_size, *page_size);
    if (all_zero(page)) continue;
    engine::store_u32(page.data(), engine::page_checksum(engine::PageNo(pgno), page, engine::Mutant::kNone));
  }
}

void reseal_wal(Bytes& wal) {
  if (wal.size() < engine::kWalHeaderSize) return;
  engine::reseal_wal_header(std::span(wal).first(engine::kWalHeaderSize), engine::Mutant::kNone);
  const std::optional<engine::WalHeader> header = wal_header(wal);
  if (!header) return;
  const uint64_t slot_size = engine::wal_slot_size(header->page_size);
  for (uint64_t slot = 0; engine::wal_slot_offset(slot + 1, header->page_size) <= wal.size(); ++slot) {
    const std::span<uint8_t> bytes = std::span(wal).subspan(engine::wal_slot_offset(slot, header->page_size), slot_size);
    if (all_zero(bytes)) continue;
    engine::reseal_frame(bytes, header->db_id, engine::Mutant::kNone);
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
  reseal_data_file(files.data);
  reseal_wal(files.wal);
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
