// The read-only inspection of a database's files: every page type a real
// database holds is found where it is, with sound checksums, and a damaged
// byte shows up on the page or slot (and the field) that holds it.
#include "engine/file_layout.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "engine/db.h"
#include "engine/storage_test_util.h"
#include "vfs/mem_vfs.h"

namespace engine {
namespace {

using testing::crash_image;
using testing::file_bytes;
using testing::flip_byte;

constexpr char kDb[] = "db";
constexpr char kWal[] = "db-wal";
constexpr uint32_t kPageSize = 512;

// A database whose data file holds leaves, internal nodes, overflow pages and
// free pages (checkpointed), and whose WAL holds one more uncheckpointed commit:
// the files as a crash right after that commit leaves them.
std::unique_ptr<vfs::MemVfs> build_database() {
  vfs::MemVfs vfs;
  Options options;
  options.page_size = kPageSize;
  options.checkpoint_every_commits = 0;
  options.checkpoint_wal_bytes = 0;
  auto db = Db::open(vfs, kDb, options);
  EXPECT_TRUE(db.ok()) << db.status().to_string();
  if (!db.ok()) return crash_image(vfs);
  WriteBatch batch;
  for (int i = 0; i < 200; ++i) batch.put("key" + std::to_string(1000 + i), std::string(40, 'v'));
  batch.put("big", std::string(3 * kPageSize, 'o'));
  EXPECT_TRUE((*db)->write(batch).ok());
  batch.clear();
  for (int i = 0; i < 120; ++i) batch.del("key" + std::to_string(1000 + i));
  EXPECT_TRUE((*db)->write(batch).ok());
  EXPECT_TRUE((*db)->checkpoint().ok());
  batch.clear();
  batch.put("after", "checkpoint");
  EXPECT_TRUE((*db)->write(batch).ok());
  // Taken before the Db closes: a clean close would checkpoint the last commit.
  return crash_image(vfs);
}

FileLayout inspect(vfs::MemVfs& vfs) {
  const std::vector<uint8_t> data = file_bytes(vfs, kDb);
  const std::vector<uint8_t> wal = file_bytes(vfs, kWal);
  return inspect_files(data, wal, kDb, kWal);
}

TEST(FileLayoutTest, FindsEveryPageTypeWithSoundChecksums) {
  const auto vfs = build_database();
  const FileLayout layout = inspect(*vfs);

  EXPECT_EQ(layout.data.page_size, kPageSize);
  ASSERT_TRUE(layout.data.meta.has_value()) << layout.data.meta_status.to_string();
  EXPECT_EQ(layout.data.pages.size(), layout.data.file_size / kPageSize);
  std::set<std::string> types;
  for (const DataPageLayout& page : layout.data.pages) {
    EXPECT_TRUE(page.checksum_ok) << "page " << page.pgno;
    EXPECT_EQ(page.offset, uint64_t{page.pgno} * kPageSize);
    ASSERT_TRUE(page_type_name(page.type).has_value()) << "page " << page.pgno;
    types.insert(std::string(*page_type_name(page.type)));
  }
  EXPECT_EQ(types, (std::set<std::string>{"meta", "leaf", "internal", "overflow", "free"}));
  EXPECT_EQ(layout.data.pages.front().type, uint8_t(PageType::kMeta));

  ASSERT_TRUE(layout.wal.header.present);
  EXPECT_TRUE(layout.wal.header.status.ok()) << layout.wal.header.status.to_string();
  EXPECT_EQ(layout.wal.header.fields.db_id, layout.data.meta->db_id);
  EXPECT_EQ(layout.wal.header.fields.generation, layout.data.meta->wal_generation + 1);
  // The commit after the checkpoint: its leaf, then the meta page carrying the commit marker.
  size_t valid = 0, commits = 0;
  for (const WalSlotLayout& slot : layout.wal.slots) {
    EXPECT_EQ(slot.offset, wal_slot_offset(slot.slot, kPageSize));
    if (!slot.valid()) continue;
    ++valid;
    if (slot.trailer.generation != layout.wal.header.fields.generation) continue;
    if (slot.is_commit()) {
      ++commits;
      EXPECT_EQ(slot.page_type, uint8_t(PageType::kMeta));
      EXPECT_EQ(slot.trailer.pgno, kMetaPage);
    }
  }
  EXPECT_GE(valid, 2u);
  EXPECT_EQ(commits, 1u);
  EXPECT_TRUE(layout.wal.slots.front().valid());
}

TEST(FileLayoutTest, ADamagedByteFailsTheChecksumOfThePageOrSlotHoldingIt) {
  const auto vfs = build_database();
  const FileLayout clean = inspect(*vfs);
  ASSERT_GE(clean.data.pages.size(), 3u);

  flip_byte(*vfs, kDb, 2 * kPageSize + 100);         // inside page 2
  flip_byte(*vfs, kWal, 20);                          // the WAL header's db_id
  const uint64_t trailer = clean.wal.slots.front().trailer_offset();
  flip_byte(*vfs, kWal, trailer + 8);                 // slot 0's txn_seq
  flip_byte(*vfs, kWal, clean.wal.slots[1].offset + 300);  // slot 1's image
  const FileLayout damaged = inspect(*vfs);

  for (const DataPageLayout& page : damaged.data.pages) EXPECT_EQ(page.checksum_ok, page.pgno != 2) << page.pgno;
  EXPECT_TRUE(damaged.data.meta.has_value());
  EXPECT_TRUE(damaged.wal.header.status.is_corruption()) << damaged.wal.header.status.to_string();
  EXPECT_NE(damaged.wal.header.fields.db_id, clean.wal.header.fields.db_id);
  // The header is damaged, so the frames are checked with the data file's db_id.
  EXPECT_EQ(damaged.wal.db_id, clean.data.meta->db_id);
  EXPECT_TRUE(damaged.wal.slots[0].page_checksum_ok);
  EXPECT_FALSE(damaged.wal.slots[0].frame_checksum_ok);
  EXPECT_EQ(damaged.wal.slots[0].trailer.txn_seq, clean.wal.slots[0].trailer.txn_seq ^ 0x5A);
  EXPECT_FALSE(damaged.wal.slots[1].page_checksum_ok);
  EXPECT_TRUE(damaged.wal.slots[1].frame_checksum_ok);
}

TEST(FileLayoutTest, MissingOrShortFilesYieldFewerEntriesNeverAFailure) {
  const FileLayout none = inspect_files({}, {}, kDb, kWal);
  EXPECT_EQ(none.data.page_size, 0u);
  EXPECT_TRUE(none.data.pages.empty());
  EXPECT_FALSE(none.data.meta_status.ok());
  EXPECT_FALSE(none.wal.header.present);
  EXPECT_TRUE(none.wal.slots.empty());

  const auto vfs = build_database();
  std::vector<uint8_t> wal = file_bytes(*vfs, kWal);
  wal.resize(kWalHeaderSize + kPageSize / 2);
  // A never-checkpointed database has no data file: the WAL header gives the page size.
  const FileLayout wal_only = inspect_files({}, wal, kDb, kWal);
  EXPECT_EQ(wal_only.wal.page_size, kPageSize);
  EXPECT_EQ(wal_only.data.page_size, kPageSize);
  ASSERT_EQ(wal_only.wal.slots.size(), 1u);
  EXPECT_FALSE(wal_only.wal.slots[0].complete);
  EXPECT_FALSE(wal_only.wal.slots[0].valid());
  EXPECT_EQ(wal_only.wal.slots[0].length, kPageSize / 2);
}

}  // namespace
}  // namespace engine
