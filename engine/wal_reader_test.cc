// The WAL writer and reader together: frames written by WalWriter are read
// back by scan_wal_log, and hand-made damage is judged by the log rules.
#include "engine/wal_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "engine/wal_writer.h"
#include "vfs/mem_vfs.h"

namespace engine {
namespace {

using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

constexpr uint32_t kPageSize = 512;
constexpr uint64_t kDbId = 0x1122334455667788ull;

Page image(PageNo pgno, uint8_t fill) {
  Page page(pgno, kPageSize);
  page.set_type(PageType::kLeaf);
  std::fill(page.bytes.begin() + kPageHeaderSize, page.bytes.end(), fill);
  seal_page(page, Mutant::kNone);
  return page;
}

class WalLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto file = vfs_.open("db-wal", vfs::OpenMode::kCreate);
    ASSERT_TRUE(file.ok());
    wal_ = std::move(file).value();
    writer_.emplace(*wal_, kPageSize, kDbId, Mutant::kNone, 0);
    ASSERT_TRUE(writer_->write_header(1).ok());
  }

  // Writes one transaction of `pgnos` (fill = txn_seq) from `slot`; returns
  // the next slot. Each write gets its own nonce unless one is given.
  uint64_t write_txn(uint64_t slot, const std::vector<PageNo>& pgnos, uint64_t txn_seq, uint64_t generation,
                     std::optional<uint32_t> nonce = std::nullopt) {
    std::vector<Page> pages;
    for (const PageNo pgno : pgnos) pages.push_back(image(pgno, static_cast<uint8_t>(txn_seq)));
    std::vector<const Page*> frames;
    for (const Page& page : pages) frames.push_back(&page);
    const WalWriter::Txn txn{frames, txn_seq};
    EXPECT_TRUE(writer_->write_transactions(slot, {&txn, 1}, generation, nonce.value_or(++writes_ << 8)).ok());
    return slot + pgnos.size();
  }

  // Writes transactions first_seq, first_seq + 1, ... of `txns` (page
  // numbers each) as one group commit from `slot`; returns the next slot.
  uint64_t write_group(uint64_t slot, const std::vector<std::vector<PageNo>>& txns, uint64_t first_seq,
                       uint64_t generation) {
    std::vector<std::vector<Page>> pages(txns.size());
    std::vector<std::vector<const Page*>> frames(txns.size());
    std::vector<WalWriter::Txn> group;
    uint64_t end = slot;
    for (size_t t = 0; t < txns.size(); ++t) {
      for (const PageNo pgno : txns[t]) pages[t].push_back(image(pgno, static_cast<uint8_t>(first_seq + t)));
      for (const Page& page : pages[t]) frames[t].push_back(&page);
      group.push_back({frames[t], first_seq + t});
      end += txns[t].size();
    }
    EXPECT_TRUE(writer_->write_transactions(slot, group, generation, ++writes_ << 8).ok());
    return end;
  }

  Result<WalLog> scan(uint64_t generation, std::optional<uint64_t> first = std::nullopt,
                      Mutant mutant = Mutant::kNone) {
    return scan_wal_log(*wal_, {kPageSize, kDbId, generation, first, mutant});
  }

  void damage_slot(uint64_t slot) {
    const uint64_t at = wal_slot_offset(slot, kPageSize) + 100;  // inside the image
    uint8_t byte = 0;
    ASSERT_TRUE(wal_->read_at(at, std::span(&byte, 1)).ok());
    byte ^= 0x21;
    ASSERT_TRUE(wal_->write_at(at, std::span(&byte, 1)).ok());
  }

  vfs::MemVfs vfs_;
  std::unique_ptr<vfs::File> wal_;
  std::optional<WalWriter> writer_;  // one for the file's life, as in the pager
  uint32_t writes_ = 0;
};

TEST_F(WalLogTest, FramesRoundTripAndTheIndexKeepsTheLatestImage) {
  uint64_t slot = write_txn(0, {3, 4, 0}, 1, 1);
  slot = write_txn(slot, {4, 0}, 2, 1);
  auto log = scan(1, 1);
  ASSERT_TRUE(log.ok()) << log.status().to_string();
  EXPECT_EQ(log->txn_count, 2u);
  EXPECT_EQ(log->first_txn_seq, 1u);
  EXPECT_EQ(log->last_txn_seq, 2u);
  EXPECT_EQ(log->end_slot, 5u);
  EXPECT_THAT(log->index, UnorderedElementsAre(Pair(3, 0), Pair(4, 3), Pair(0, 4)));
  EXPECT_FALSE(log->torn_tail || log->uncommitted_frames || log->stale_frames);

  auto page = read_wal_page(*wal_, 3, 4, kPageSize, Mutant::kNone);
  ASSERT_TRUE(page.ok()) << page.status().to_string();
  EXPECT_EQ((*page)->bytes, image(4, 2).bytes);
  EXPECT_TRUE(read_wal_page(*wal_, 3, 5, kPageSize, Mutant::kNone).status().is_corruption())
      << "a frame read as another page must fail its page checksum";
}

TEST_F(WalLogTest, AnEmptyWalHasAnEmptyLog) {
  auto log = scan(1);
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(log->txn_count, 0u);
  EXPECT_EQ(log->end_slot, 0u);
}

TEST_F(WalLogTest, ATransactionCountsOnlyWithItsCommitFrame) {
  const uint64_t slot = write_txn(0, {3, 0}, 1, 1);
  write_txn(slot, {3, 4, 0}, 2, 1);
  ASSERT_TRUE(wal_->truncate(wal_slot_offset(slot + 2, kPageSize)).ok());  // the file ends before txn 2's commit frame
  auto log = scan(1, 1);
  ASSERT_TRUE(log.ok()) << log.status().to_string();
  EXPECT_EQ(log->txn_count, 1u);
  EXPECT_EQ(log->end_slot, slot);
  EXPECT_TRUE(log->uncommitted_frames);
  EXPECT_FALSE(log->torn_tail) << "the file ended on a frame boundary";
  EXPECT_EQ(log->index.at(3), 0u) << "txn 2's image of page 3 must not be taken";
}

TEST_F(WalLogTest, HalfAFrameAtTheEndIsATornTail) {
  const uint64_t slot = write_txn(0, {3, 0}, 1, 1);
  write_txn(slot, {3, 0}, 2, 1);
  ASSERT_TRUE(wal_->truncate(wal_slot_offset(slot + 1, kPageSize) + kPageSize / 2).ok());
  auto log = scan(1, 1);
  ASSERT_TRUE(log.ok()) << log.status().to_string();
  EXPECT_EQ(log->txn_count, 1u);
  EXPECT_TRUE(log->torn_tail);
  EXPECT_TRUE(log->uncommitted_frames);
}

TEST_F(WalLogTest, ABadChecksumInTheLastFrameIsATornTail) {
  const uint64_t slot = write_txn(0, {3, 0}, 1, 1);
  write_txn(slot, {3, 0}, 2, 1);
  damage_slot(slot + 1);
  auto log = scan(1, 1);
  ASSERT_TRUE(log.ok()) << log.status().to_string();
  EXPECT_EQ(log->txn_count, 1u);
  EXPECT_TRUE(log->torn_tail);
}

TEST_F(WalLogTest, ABadFrameFollowedByACompleteTransactionIsCorruptionAtItsOffset) {
  uint64_t slot = write_txn(0, {3, 0}, 1, 1);
  const uint64_t damaged = slot;
  slot = write_txn(slot, {3, 4, 0}, 2, 1);
  write_txn(slot, {5, 0}, 3, 1);
  damage_slot(damaged);
  auto log = scan(1, 1);
  ASSERT_TRUE(log.status().is_corruption()) << log.status().to_string();
  EXPECT_THAT(log.status().message(), HasSubstr("db-wal"));
  EXPECT_THAT(log.status().message(),
              HasSubstr("breaks at offset " + std::to_string(wal_slot_offset(damaged, kPageSize))));
  EXPECT_THAT(log.status().message(), HasSubstr("checksum mismatch"));
}

// Under reordered unsynced writes a later frame of the unfinished
// transaction, even its commit frame, can be intact while an earlier one is
// not: judged by transaction, that is a torn tail, not damage.
TEST_F(WalLogTest, AnIntactCommitFrameAfterATornFrameOfTheSameTransactionIsATornTail) {
  const uint64_t slot = write_txn(0, {3, 0}, 1, 1);
  write_txn(slot, {3, 4, 0}, 2, 1);
  damage_slot(slot);
  auto log = scan(1, 1);
  ASSERT_TRUE(log.ok()) << log.status().to_string();
  EXPECT_EQ(log->txn_count, 1u);
  EXPECT_TRUE(log->torn_tail);
  EXPECT_TRUE(log->uncommitted_frames);
}

TEST_F(WalLogTest, FramesOfAnOlderGenerationEndTheLog) {
  uint64_t slot = write_txn(0, {3, 0}, 1, 1);
  slot = write_txn(slot, {4, 0}, 2, 1);
  write_txn(slot, {5, 0}, 3, 1);
  write_txn(0, {3, 0}, 4, 2);  // generation 2 overwrites slots 0-1
  auto log = scan(2, 4);
  ASSERT_TRUE(log.ok()) << log.status().to_string();
  EXPECT_EQ(log->txn_count, 1u);
  EXPECT_EQ(log->end_slot, 2u);
  EXPECT_TRUE(log->stale_frames);
  EXPECT_FALSE(log->uncommitted_frames);
  EXPECT_FALSE(log->torn_tail);
}

TEST_F(WalLogTest, AFrameOfANewerGenerationIsCorruption) {
  write_txn(0, {3, 0}, 1, 2);
  auto log = scan(1);
  ASSERT_TRUE(log.status().is_corruption());
  EXPECT_THAT(log.status().message(), HasSubstr("carries generation 2, newer than the log's generation 1"));
}

TEST_F(WalLogTest, TheFirstTransactionMustCarryTheExpectedSequenceNumber) {
  write_txn(0, {3, 0}, 7, 1);
  EXPECT_TRUE(scan(1, 7).ok());
  auto log = scan(1, 5);
  ASSERT_TRUE(log.status().is_corruption());
  EXPECT_THAT(log.status().message(), HasSubstr("frame of txn 7, expected txn 5"));
}

TEST_F(WalLogTest, AGapInSequenceNumbersBeforeACompleteTransactionIsCorruption) {
  const uint64_t slot = write_txn(0, {3, 0}, 1, 1);
  write_txn(slot, {3, 0}, 3, 1);
  EXPECT_TRUE(scan(1, 1).status().is_corruption());
}

TEST_F(WalLogTest, TheCommitFieldMustEqualTheFrameCount) {
  const Page page = image(3, 1);
  std::vector<uint8_t> slot(wal_slot_size(kPageSize));
  encode_frame({3, 2, 1, 1}, kDbId, page.bytes, slot, Mutant::kNone);  // claims two frames, is alone
  ASSERT_TRUE(wal_->write_at(wal_slot_offset(0, kPageSize), slot).ok());
  auto log = scan(1, 1);
  ASSERT_TRUE(log.ok()) << log.status().to_string();
  EXPECT_EQ(log->txn_count, 0u);
  EXPECT_TRUE(log->uncommitted_frames);
}

// A commit whose write failed leaves its frames at the tail and the next
// commit (same sequence number) overwrites them from the same slot: what is
// left of the failed one can never form a complete transaction.
TEST_F(WalLogTest, DebrisOfAFailedLongerWriteIsNotMistakenForATransaction) {
  const uint64_t slot = write_txn(0, {3, 0}, 1, 1);
  write_txn(slot, {3, 4, 5, 0}, 2, 1);  // "failed": written, never synced or published
  write_txn(slot, {6, 0}, 2, 1);        // the retry
  auto log = scan(1, 1);
  ASSERT_TRUE(log.ok()) << log.status().to_string();
  EXPECT_EQ(log->txn_count, 2u);
  EXPECT_EQ(log->end_slot, slot + 2);
  EXPECT_FALSE(log->torn_tail);
}

// The retry of a failed write (or the first commit after recovery dropped an
// unfinished transaction) reuses the sequence number. If only its first
// frame reaches the disk, the earlier attempt's later frames must not
// complete it: the nonce tells the two writes apart.
TEST_F(WalLogTest, ATornRetryIsNeverStitchedToAnEarlierAttemptsFrames) {
  for (const bool same_nonce : {false, true}) {
    const uint64_t slot = write_txn(0, {3, 0}, 1, 1);
    write_txn(slot, {3, 4, 0}, 2, 1, 0x100);  // the earlier attempt: in the file, never synced
    // The retry's first frame lands over the attempt's first; its other frames do not.
    const Page page = image(6, 2);
    std::vector<uint8_t> frame(wal_slot_size(kPageSize));
    encode_frame({6, 0, 2, 1, same_nonce ? 0x100u : 0x200u}, kDbId, page.bytes, frame, Mutant::kNone);
    ASSERT_TRUE(wal_->write_at(wal_slot_offset(slot, kPageSize), frame).ok());
    auto log = scan(1, 1);
    ASSERT_TRUE(log.ok()) << log.status().to_string();
    // With equal nonces (what the nonce exists to prevent) the stitched
    // frames pass for a transaction; this proves the test can tell.
    EXPECT_EQ(log->txn_count, same_nonce ? 2u : 1u) << "same nonce: " << same_nonce;
  }
}

// A group commit writes several transactions in one write; each frame's
// nonce tells its transaction's index in the write, so recovery finds where
// the last write began, to make all of it durable.
TEST_F(WalLogTest, TheLastWriteBeginsAtTheFirstTransactionOfTheLastGroup) {
  uint64_t slot = write_txn(0, {3, 0}, 1, 1);
  const uint64_t group = slot;
  slot = write_group(slot, {{4, 0}, {5, 0}, {4, 5, 0}}, 2, 1);
  auto log = scan(1, 1);
  ASSERT_TRUE(log.ok()) << log.status().to_string();
  EXPECT_EQ(log->txn_count, 4u);
  EXPECT_EQ(log->last_write_slot, group);

  const uint64_t single = write_txn(slot, {6, 0}, 5, 1);
  log = scan(1, 1);
  ASSERT_TRUE(log.ok()) << log.status().to_string();
  EXPECT_EQ(log->last_write_slot, slot) << "a write of one transaction is its own last write";
  EXPECT_EQ(log->end_slot, single);
}

// The frames of one write reach the disk in any order until its sync: a
// later transaction of the write can be whole while an earlier one is torn.
// That is a torn tail. A transaction of another write past the break is
// damage, as before: it was written only after the write at the break was durable.
TEST_F(WalLogTest, ATornTransactionOfAGroupBeforeAWholeOneOfTheSameWriteIsATornTail) {
  uint64_t slot = write_txn(0, {3, 0}, 1, 1);
  const uint64_t torn = slot;
  slot = write_group(slot, {{3, 4, 0}, {5, 0}}, 2, 1);
  for (const uint64_t damaged : {torn, torn + 1, torn + 2}) {  // txn 2's first frame, then its others
    SCOPED_TRACE("damaged slot " + std::to_string(damaged));
    damage_slot(damaged);
    auto log = scan(1, 1);
    ASSERT_TRUE(log.ok()) << log.status().to_string();
    EXPECT_EQ(log->txn_count, 1u);
    EXPECT_EQ(log->end_slot, torn);
    EXPECT_TRUE(log->torn_tail);
    EXPECT_TRUE(log->uncommitted_frames);
    EXPECT_EQ(log->later_debris_end, slot) << "txn 3's frames are debris a shorter next commit could line up with";
    damage_slot(damaged);  // the same flip again restores it
  }
  damage_slot(torn);
  write_txn(slot, {6, 0}, 4, 1);  // a later write
  auto log = scan(1, 1);
  ASSERT_TRUE(log.status().is_corruption()) << log.status().to_string();
  EXPECT_THAT(log.status().message(),
              HasSubstr("breaks at offset " + std::to_string(wal_slot_offset(torn, kPageSize))));
}

// A transaction of one frame (the creation's meta page) damaged whole, and a
// later write behind it: nothing of the damaged one is left to tell its
// write by, but the later frames say their write began after it.
TEST_F(WalLogTest, AWholeTransactionDamagedBeforeALaterGroupIsCorruption) {
  const uint64_t slot = write_txn(0, {0}, 1, 1);
  write_group(slot, {{4, 0}, {5, 0}}, 2, 1);
  damage_slot(0);
  auto log = scan(1, 1);
  ASSERT_TRUE(log.status().is_corruption()) << log.status().to_string();
}

TEST_F(WalLogTest, NoWalSaltMutantTakesFramesOfAnOlderGeneration) {
  if (!kMutantsCompiled) GTEST_SKIP() << "mutants are not compiled in";
  uint64_t slot = write_txn(0, {3, 0}, 1, 1);
  slot = write_txn(slot, {4, 0}, 2, 1);
  write_txn(0, {3, 0}, 3, 2);  // generation 2's first transaction, exactly over txn 1
  auto honest = scan(2, 3);
  ASSERT_TRUE(honest.ok());
  EXPECT_EQ(honest->txn_count, 1u);
  auto salted_out = scan(2, 3, Mutant::kNoWalSalt);
  ASSERT_TRUE(salted_out.ok()) << salted_out.status().to_string();
  EXPECT_EQ(salted_out->txn_count, 2u) << "the stale txn 2 should have been replayed";
  EXPECT_EQ(salted_out->index.at(4), 2u);
}

TEST_F(WalLogTest, NoCommitRecordMutantAppliesAnUnfinishedTransaction) {
  if (!kMutantsCompiled) GTEST_SKIP() << "mutants are not compiled in";
  const uint64_t slot = write_txn(0, {3, 0}, 1, 1);
  write_txn(slot, {3, 4, 0}, 2, 1);
  ASSERT_TRUE(wal_->truncate(wal_slot_offset(slot + 2, kPageSize)).ok());
  auto honest = scan(1, 1);
  ASSERT_TRUE(honest.ok());
  EXPECT_EQ(honest->index.at(3), 0u);
  auto mutant = scan(1, 1, Mutant::kNoCommitRecord);
  ASSERT_TRUE(mutant.ok()) << mutant.status().to_string();
  EXPECT_EQ(mutant->index.at(3), slot) << "the uncommitted image of page 3 should have been applied";
  EXPECT_EQ(mutant->end_slot, slot + 2);
}

TEST_F(WalLogTest, TheWriterGrowsTheFileAheadAndItsZerosEndTheLogCleanly) {
  const auto wal_size = [&] { return *vfs_.file_size("db-wal"); };
  uint64_t slot = write_txn(0, {3, 0}, 1, 1);
  EXPECT_EQ(wal_size(), wal_slot_offset(4, kPageSize)) << "2 frames, then as many empty slots";
  slot = write_txn(slot, {4, 0}, 2, 1);
  EXPECT_EQ(wal_size(), wal_slot_offset(4, kPageSize)) << "the frames fit: an overwrite";
  slot = write_txn(slot, {5, 0}, 3, 1);
  EXPECT_EQ(wal_size(), wal_slot_offset(12, kPageSize));
  auto log = scan(1, 1);
  ASSERT_TRUE(log.ok()) << log.status().to_string();
  EXPECT_EQ(log->txn_count, 3u);
  EXPECT_EQ(log->end_slot, 6u);
  EXPECT_FALSE(log->torn_tail) << "an all-zero slot was never written: it is not a torn frame";
  EXPECT_FALSE(log->uncommitted_frames);
  damage_slot(6);
  EXPECT_TRUE(scan(1, 1)->torn_tail) << "the same slot with one byte set is";
}

TEST(WalWriterGrowth, GrowsByAtMostkWalGrowthBytes) {
  vfs::MemVfs vfs;
  auto file = vfs.open("db-wal", vfs::OpenMode::kCreate);
  ASSERT_TRUE(file.ok());
  WalWriter writer(**file, kPageSize, kDbId, Mutant::kNone, 0);
  ASSERT_TRUE(writer.write_header(1).ok());
  const Page page = image(3, 1);
  const std::vector<const Page*> frames{&page};
  const WalWriter::Txn txn{frames, 1};
  ASSERT_TRUE(writer.write_transactions(4000, {&txn, 1}, 1, 7).ok());
  const uint64_t cap = kWalGrowthBytes / wal_slot_size(kPageSize);
  EXPECT_EQ(*vfs.file_size("db-wal"), wal_slot_offset(4001 + cap, kPageSize));
}

TEST(WalHeaderRead, TellsATornHeaderFromAnIoError) {
  vfs::MemVfs vfs;
  auto file = vfs.open("db-wal", vfs::OpenMode::kCreate);
  ASSERT_TRUE(file.ok());
  EXPECT_TRUE(read_wal_header(**file, Mutant::kNone).status().is_corruption()) << "empty file";
  ASSERT_TRUE(WalWriter(**file, kPageSize, kDbId, Mutant::kNone, 0).write_header(3).ok());
  auto header = read_wal_header(**file, Mutant::kNone);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->generation, 3u);
  ASSERT_TRUE((*file)->close().ok());
  EXPECT_FALSE(read_wal_header(**file, Mutant::kNone).status().is_corruption());
}

}  // namespace
}  // namespace engine
