#include "engine/file_layout.h"

#include <algorithm>

#include "engine/meta.h"

namespace engine {
namespace {

// The page size `bytes` (a data file) announces in its meta prefix, if valid.
std::optional<uint32_t> data_page_size(std::span<const uint8_t> bytes, const std::string& path) {
  auto size = decode_meta_prefix(bytes.first(std::min(bytes.size(), kMetaPrefixSize)), path);
  return size.ok() ? std::optional<uint32_t>(*size) : std::nullopt;
}

// The page size a WAL header announces, if valid, whether or not the rest of the header is sound.
std::optional<uint32_t> wal_page_size(const WalHeaderLayout& header) {
  if (!header.present || !is_valid_page_size(header.fields.page_size)) return std::nullopt;
  return header.fields.page_size;
}

WalHeaderLayout inspect_wal_header(std::span<const uint8_t> wal, const std::string& path, Mutant mutant) {
  WalHeaderLayout header;
  header.present = wal.size() >= kWalHeaderSize;
  if (header.present) header.fields = peek_wal_header(wal, &header.version);
  const Result<WalHeader> decoded = decode_wal_header(wal.first(std::min(wal.size(), kWalHeaderSize)), path, mutant);
  header.status = decoded.status();
  return header;
}

void inspect_data_pages(std::span<const uint8_t> data, const std::string& path, Mutant mutant,
                        DataFileLayout& out) {
  const uint32_t page_size = out.page_size;
  for (uint64_t offset = 0; offset < data.size(); offset += page_size) {
    DataPageLayout page;
    page.pgno = static_cast<PageNo>(offset / page_size);
    page.offset = offset;
    page.length = std::min<uint64_t>(page_size, data.size() - offset);
    const std::span<const uint8_t> bytes = data.subspan(offset, page.length);
    if (bytes.size() > 4) page.type = bytes[4];
    page.checksum_ok = page.length == page_size && load_u32(bytes.data()) == page_checksum(page.pgno, bytes, mutant);
    out.pages.push_back(page);
  }
  if (out.pages.empty() || out.pages.front().length != page_size) {
    out.meta_status = Status::corruption("the data file " + path + " holds no whole meta page");
    return;
  }
  Page meta(kMetaPage, page_size);
  std::copy_n(data.begin(), page_size, meta.bytes.begin());
  Result<Meta> decoded = decode_meta(meta, path, mutant);
  out.meta_status = decoded.status();
  if (decoded.ok()) out.meta = *decoded;
}

void inspect_wal_slots(std::span<const uint8_t> wal, Mutant mutant, WalLayout& out) {
  if (wal.size() <= kWalHeaderSize) return;
  const uint64_t slot_size = wal_slot_size(out.page_size);
  for (uint64_t slot = 0; wal_slot_offset(slot, out.page_size) < wal.size(); ++slot) {
    WalSlotLayout s;
    s.slot = slot;
    s.offset = wal_slot_offset(slot, out.page_size);
    s.length = std::min<uint64_t>(slot_size, wal.size() - s.offset);
    s.complete = s.length == slot_size;
    const std::span<const uint8_t> bytes = wal.subspan(s.offset, s.length);
    if (bytes.size() > 4) s.page_type = bytes[4];
    if (s.complete) {
      s.empty = all_zero(bytes);
      s.trailer = peek_frame_trailer(bytes);
      const std::span<const uint8_t> image = bytes.first(out.page_size);
      s.page_checksum_ok = load_u32(image.data()) == page_checksum(s.trailer.pgno, image, mutant);
      s.frame_checksum_ok = frame_checksum_holds(bytes, out.db_id, mutant);
    }
    out.slots.push_back(s);
  }
}

}  // namespace

FileLayout inspect_files(std::span<const uint8_t> data, std::span<const uint8_t> wal, const std::string& data_path,
                         const std::string& wal_path, Mutant mutant) {
  FileLayout layout;
  layout.data.file_size = data.size();
  layout.wal.file_size = wal.size();
  layout.wal.header = inspect_wal_header(wal, wal_path, mutant);

  const std::optional<uint32_t> from_data = data_page_size(data, data_path);
  const std::optional<uint32_t> from_wal = wal_page_size(layout.wal.header);
  layout.data.page_size = from_data.value_or(from_wal.value_or(0));
  layout.wal.page_size = from_wal.value_or(from_data.value_or(0));

  if (layout.data.page_size != 0) {
    inspect_data_pages(data, data_path, mutant, layout.data);
  } else {
    layout.data.meta_status = Status::corruption("no page size: neither " + data_path + " nor " + wal_path +
                                                 " announces a valid one");
  }
  if (layout.wal.header.status.ok()) {
    layout.wal.db_id = layout.wal.header.fields.db_id;
  } else if (layout.data.meta) {
    layout.wal.db_id = layout.data.meta->db_id;
  } else {
    layout.wal.db_id = layout.wal.header.fields.db_id;
  }
  if (layout.wal.page_size != 0) inspect_wal_slots(wal, mutant, layout.wal);
  return layout;
}

std::optional<std::string_view> page_type_name(uint8_t type) {
  switch (static_cast<PageType>(type)) {
    case PageType::kMeta: return "meta";
    case PageType::kLeaf: return "leaf";
    case PageType::kInternal: return "internal";
    case PageType::kOverflow: return "overflow";
    case PageType::kFree: return "free";
  }
  return std::nullopt;
}

}  // namespace engine
