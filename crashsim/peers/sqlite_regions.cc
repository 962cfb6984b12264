#include "crashsim/peers/sqlite_regions.h"

#include <bit>
#include <cstring>
#include <set>

#include "crashsim/peers/region_tiler.h"

namespace crashsim::peers {

namespace {

constexpr size_t kDbHeader = 100;
constexpr size_t kWalHeader = 32;
constexpr size_t kWalFrameHeader = 24;
constexpr size_t kJournalHeaderFields = 28;
constexpr uint8_t kJournalMagic[8] = {0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7};

uint32_t be16(const Bytes& b, size_t at) { return (uint32_t{b[at]} << 8) | b[at + 1]; }
uint32_t be32(const Bytes& b, size_t at) {
  return (uint32_t{b[at]} << 24) | (uint32_t{b[at + 1]} << 16) | (uint32_t{b[at + 2]} << 8) | b[at + 3];
}

bool valid_page_size(uint64_t n) { return n >= 512 && n <= 65536 && std::has_single_bit(n); }


const char* btree_kind(uint8_t type) {
  switch (type) {
    case 0x02: return "btree-index-interior";
    case 0x05: return "btree-table-interior";
    case 0x0a: return "btree-index-leaf";
    case 0x0d: return "btree-table-leaf";
    default: return nullptr;
  }
}

// Pages on the free list: trunk pages (chained from the header) and the leaf
// pages each trunk lists. A chain that leaves the file or loops stops there.
void free_pages(const Bytes& db, uint64_t page_size, std::set<uint64_t>& trunks, std::set<uint64_t>& leaves) {
  const uint64_t pages = db.size() / page_size;
  for (uint64_t trunk = be32(db, 32); trunk >= 1 && trunk <= pages && !trunks.contains(trunk);) {
    trunks.insert(trunk);
    const size_t at = (trunk - 1) * page_size;
    const uint64_t count = std::min<uint64_t>(be32(db, at + 4), (page_size - 8) / 4);
    for (uint64_t i = 0; i < count; ++i) leaves.insert(be32(db, at + 8 + 4 * i));
    trunk = be32(db, at);
  }
}

void describe_db(const std::string& path, const Bytes& db, std::vector<FileRegion>& out) {
  RegionTiler t(path, out);
  const bool header = db.size() >= kDbHeader && std::memcmp(db.data(), "SQLite format 3", 16) == 0;
  const uint64_t page_size = header ? (be16(db, 16) == 1 ? 65536 : be16(db, 16)) : 0;
  if (!header || !valid_page_size(page_size)) return t.add(db.size(), "db-unrecognised");
  std::set<uint64_t> trunks, leaves;
  free_pages(db, page_size, trunks, leaves);
  t.add(kDbHeader, "db-header");
  for (uint64_t page = 1; page * page_size <= db.size(); ++page) {
    const size_t start = (page - 1) * page_size;
    const char* kind = btree_kind(db[page == 1 ? kDbHeader : start]);
    if (trunks.contains(page)) kind = "freelist-trunk";
    if (leaves.contains(page)) kind = "freelist-leaf";
    t.add(page * page_size - t.at(), kind != nullptr ? kind : "overflow-or-unused");
  }
  t.add(db.size() - t.at(), "db-partial-page");
}

void describe_wal(const std::string& path, const Bytes& wal, std::vector<FileRegion>& out) {
  RegionTiler t(path, out);
  if (wal.size() < kWalHeader) return t.add(wal.size(), "wal-partial");
  const uint64_t page_size = be32(wal, 8);
  t.add(kWalHeader, "wal-header");
  if (!valid_page_size(page_size)) return t.add(wal.size() - t.at(), "wal-partial");
  while (wal.size() - t.at() >= kWalFrameHeader + page_size) {
    const bool commit = be32(wal, t.at() + 4) != 0;
    t.add(kWalFrameHeader, commit ? "wal-commit-frame-header" : "wal-frame-header");
    t.add(page_size, "wal-frame-page");
  }
  t.add(wal.size() - t.at(), "wal-partial");
}

void describe_journal(const std::string& path, const Bytes& journal, std::vector<FileRegion>& out) {
  RegionTiler t(path, out);
  const bool active = journal.size() >= kJournalHeaderFields && std::memcmp(journal.data(), kJournalMagic, 8) == 0;
  const uint64_t sector = active ? be32(journal, 20) : 0;
  const uint64_t page_size = active ? be32(journal, 24) : 0;
  if (!active || !valid_page_size(sector) || !valid_page_size(page_size) || journal.size() < sector)
    return t.add(journal.size(), "journal-inactive");
  t.add(sector, "journal-header");
  while (journal.size() - t.at() >= page_size + 8) t.add(page_size + 8, "journal-record");
  t.add(journal.size() - t.at(), "journal-partial");
}

}  // namespace

std::vector<FileRegion> sqlite_regions(const DiskImage& image) {
  std::vector<FileRegion> out;
  for (const auto& [path, contents] : image.files) {
    if (path == "db") describe_db(path, contents.to_bytes(), out);
    if (path == "db-wal") describe_wal(path, contents.to_bytes(), out);
    if (path == "db-journal") describe_journal(path, contents.to_bytes(), out);
  }
  return out;
}

}  // namespace crashsim::peers
