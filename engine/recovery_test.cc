// Recovery over hand-crafted disk states: a history is committed through the
// pager, a crash image of the files is taken, the bytes are damaged the way
// a crash (or worse) would, and Pager::open must find the right state or
// report the right corruption.
#include "engine/recovery.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <map>

#include "engine/meta.h"
#include "engine/storage_test_util.h"
#include "engine/wal_format.h"
#include "engine/wal_reader.h"
#include "vfs/mem_vfs.h"

namespace engine {
namespace {

using ::testing::HasSubstr;
using testing::commit_new_leaves;
using testing::commit_rewrite;
using testing::crash_image;
using testing::FaultVfs;
using testing::file_bytes;
using testing::flip_byte;
using testing::leaf_fill;
using testing::no_auto_checkpoint;
using testing::open_or_die;
using testing::truncate_file;
using testing::write_bytes;

constexpr char kDb[] = "db";
constexpr char kWal[] = "db-wal";
constexpr uint32_t kPageSize = 512;

uint64_t slot_at(uint64_t slot) { return wal_slot_offset(slot, kPageSize); }
// A byte inside the page image of a slot's frame.
uint64_t inside_slot(uint64_t slot) { return slot_at(slot) + 200; }

// What a reopened database shows: enough to compare two recoveries.
struct Visible {
  uint64_t txn_seq = 0;
  uint32_t page_count = 0;
  PageNo freelist_head = kNoPage;
  std::map<PageNo, int> fills;
  bool operator==(const Visible&) const = default;
};

Visible visible(Pager& pager) {
  Visible v;
  v.txn_seq = pager.meta().txn_seq;
  v.page_count = pager.meta().page_count;
  v.freelist_head = pager.meta().freelist_head;
  for (PageNo pgno = 1; pgno < pager.meta().page_count; ++pgno) {
    auto page = pager.get(pgno);
    v.fills[pgno] = page.ok() ? leaf_fill(**page) : -2;
  }
  return v;
}

// The generation the WAL header on `disk` names; 0 (and a failure) when it is unreadable.
uint64_t header_generation(vfs::MemVfs& disk) {
  auto wal = disk.open(kWal, vfs::OpenMode::kMustExist);
  EXPECT_TRUE(wal.ok()) << wal.status().to_string();
  if (!wal.ok()) return 0;
  auto header = read_wal_header(**wal, Mutant::kNone);
  EXPECT_TRUE(header.ok()) << header.status().to_string();
  return header.ok() ? header->generation : 0;
}

Result<std::unique_ptr<Pager>> reopen(vfs::Vfs& vfs, Mutant mutant = Mutant::kNone, bool cross_checks = true) {
  PagerOptions options = no_auto_checkpoint(kPageSize);
  options.mutant = mutant;
  options.cross_checks = cross_checks;
  return Pager::open(vfs, kDb, options);
}

Result<std::unique_ptr<Pager>> reopen_without_cross_checks(vfs::Vfs& vfs) {
  return reopen(vfs, Mutant::kNone, false);
}

// The standard history, never checkpointed. WAL slots (generation 1):
//   0      txn 1, creation: meta
//   1-3    txn 2 "A": new leaves 1 and 2 (fill 0xA0), meta
//   4-6    txn 3 "B": leaves 1 and 2 rewritten (fill 0xB0), meta
class RecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pager_ = open_or_die(vfs_, kDb, no_auto_checkpoint(kPageSize));
    ASSERT_NE(pager_, nullptr);
    leaves_ = commit_new_leaves(*pager_, 2, 0xA0);
    ASSERT_EQ(leaves_, (std::vector<PageNo>{1, 2}));
    commit_rewrite(*pager_, leaves_, 0xB0);
    ASSERT_EQ(pager_->meta().txn_seq, 3u);
  }

  // The files as a crash right now would leave them.
  std::unique_ptr<vfs::MemVfs> image() { return crash_image(vfs_); }

  vfs::MemVfs vfs_;
  std::unique_ptr<Pager> pager_;
  std::vector<PageNo> leaves_;
};

TEST_F(RecoveryTest, ReplaysEveryCommittedTransactionAndCheckpointsThem) {
  auto disk = image();
  auto pager = reopen(*disk);
  ASSERT_TRUE(pager.ok()) << pager.status().to_string();
  EXPECT_EQ((*pager)->meta().txn_seq, 3u);
  EXPECT_EQ(leaf_fill(**(*pager)->get(1)), 0xB0);
  const RecoveryInfo& info = (*pager)->recovery_info();
  EXPECT_EQ(info.txns_replayed, 3u);
  EXPECT_TRUE(info.checkpoint_redone);
  EXPECT_FALSE(info.torn_tail_discarded || info.uncommitted_txn_dropped || info.stale_frames_ignored ||
               info.wal_header_rewritten);
  EXPECT_EQ((*pager)->meta().wal_generation, 2u) << "recovery must leave a fresh generation";
  EXPECT_EQ((*pager)->stats().wal_bytes, kWalHeaderSize);
}

TEST_F(RecoveryTest, HalfAFrameAtTheEndOfTheWalIsATornTail) {
  auto disk = image();
  truncate_file(*disk, kWal, slot_at(6) + 100);  // inside txn 3's commit frame
  auto pager = reopen(*disk);
  ASSERT_TRUE(pager.ok()) << pager.status().to_string();
  EXPECT_EQ((*pager)->meta().txn_seq, 2u);
  EXPECT_EQ(leaf_fill(**(*pager)->get(1)), 0xA0);
  EXPECT_EQ(leaf_fill(**(*pager)->get(2)), 0xA0);
  const RecoveryInfo& info = (*pager)->recovery_info();
  EXPECT_EQ(info.txns_replayed, 2u);
  EXPECT_TRUE(info.torn_tail_discarded);
  EXPECT_TRUE(info.uncommitted_txn_dropped);
  EXPECT_TRUE(info.checkpoint_redone);
}

TEST_F(RecoveryTest, AFrameWithABadChecksumAtTheEndIsATornTail) {
  auto disk = image();
  flip_byte(*disk, kWal, inside_slot(6));
  auto pager = reopen(*disk);
  ASSERT_TRUE(pager.ok()) << pager.status().to_string();
  EXPECT_EQ((*pager)->meta().txn_seq, 2u);
  EXPECT_EQ(leaf_fill(**(*pager)->get(1)), 0xA0);
  EXPECT_TRUE((*pager)->recovery_info().torn_tail_discarded);
}

TEST_F(RecoveryTest, ATransactionWithoutItsCommitFrameIsDropped) {
  auto disk = image();
  truncate_file(*disk, kWal, slot_at(6));  // txn 3's page frames, no commit frame
  auto pager = reopen(*disk);
  ASSERT_TRUE(pager.ok()) << pager.status().to_string();
  EXPECT_EQ((*pager)->meta().txn_seq, 2u);
  EXPECT_EQ(leaf_fill(**(*pager)->get(1)), 0xA0);
  EXPECT_TRUE((*pager)->recovery_info().uncommitted_txn_dropped);
  EXPECT_FALSE((*pager)->recovery_info().torn_tail_discarded) << "the file ends on a frame boundary";
}

TEST_F(RecoveryTest, NoCommitRecordMutantAppliesTheUncommittedTransaction) {
  if (!kMutantsCompiled) GTEST_SKIP() << "mutants are not compiled in";
  auto disk = image();
  truncate_file(*disk, kWal, slot_at(6));
  auto pager = reopen(*disk, Mutant::kNoCommitRecord);
  ASSERT_TRUE(pager.ok()) << pager.status().to_string();
  EXPECT_EQ((*pager)->meta().txn_seq, 2u) << "the meta page never made it";
  EXPECT_EQ(leaf_fill(**(*pager)->get(1)), 0xB0) << "yet the uncommitted page images were applied";
}

TEST_F(RecoveryTest, ABadFrameInTheMiddleBeforeACompleteTransactionIsCorruption) {
  auto disk = image();
  flip_byte(*disk, kWal, inside_slot(2));  // txn 2's second frame; txn 3 follows intact
  auto pager = reopen(*disk);
  ASSERT_TRUE(pager.status().is_corruption()) << pager.status().to_string();
  EXPECT_THAT(pager.status().message(), HasSubstr("WAL db-wal"));
  EXPECT_THAT(pager.status().message(), HasSubstr("at offset " + std::to_string(slot_at(2))));
  // Without cross-checks the break is taken for a torn tail: txns 2 and 3 are silently lost.
  auto unchecked = reopen_without_cross_checks(*disk);
  ASSERT_TRUE(unchecked.ok()) << unchecked.status().to_string();
  EXPECT_EQ((*unchecked)->meta().txn_seq, 1u);
}

TEST_F(RecoveryTest, AnIntactCommitFrameBehindATornFrameOfItsOwnTransactionIsATornTail) {
  auto disk = image();
  flip_byte(*disk, kWal, inside_slot(4));  // txn 3's first frame; its later frames are intact
  auto pager = reopen(*disk);
  ASSERT_TRUE(pager.ok()) << pager.status().to_string();
  EXPECT_EQ((*pager)->meta().txn_seq, 2u);
  EXPECT_TRUE((*pager)->recovery_info().torn_tail_discarded);
  EXPECT_TRUE((*pager)->recovery_info().uncommitted_txn_dropped);
}

TEST_F(RecoveryTest, AWalOfAnotherDatabaseIsRefused) {
  auto other = open_or_die(vfs_, "other", no_auto_checkpoint(kPageSize));
  ASSERT_NE(other, nullptr);
  const uint64_t other_id = other->meta().db_id;
  ASSERT_TRUE(pager_->close().ok());  // the data file now has a meta page
  ASSERT_TRUE(other->close().ok());
  const uint64_t own_id = open_or_die(vfs_, kDb, no_auto_checkpoint(kPageSize))->meta().db_id;
  auto disk = image();
  write_bytes(*disk, kWal, 0, file_bytes(*disk, "other-wal"));
  auto pager = reopen(*disk);
  ASSERT_TRUE(pager.status().is_corruption()) << pager.status().to_string();
  char expected[128];
  std::snprintf(expected, sizeof expected, "WAL db-wal belongs to another database (db_id 0x%016llx, expected 0x%016llx)",
                static_cast<unsigned long long>(other_id), static_cast<unsigned long long>(own_id));
  EXPECT_EQ(pager.status().message(), expected);
}

TEST_F(RecoveryTest, AGenerationTheDataFileCannotHaveSeenIsCorruption) {
  ASSERT_TRUE(pager_->close().ok());  // data meta at generation 1, WAL header at 2
  const Meta meta = open_or_die(vfs_, kDb, no_auto_checkpoint(kPageSize))->meta();
  auto disk = image();
  const auto header = encode_wal_header({kPageSize, meta.db_id, 5}, Mutant::kNone);
  write_bytes(*disk, kWal, 0, std::vector<uint8_t>(header.begin(), header.end()));
  auto pager = reopen(*disk);
  ASSERT_TRUE(pager.status().is_corruption()) << pager.status().to_string();
  EXPECT_THAT(pager.status().message(), HasSubstr("WAL db-wal is at generation 5"));
  auto unchecked = reopen_without_cross_checks(*disk);
  ASSERT_TRUE(unchecked.ok()) << unchecked.status().to_string();
  EXPECT_EQ((*unchecked)->meta().txn_seq, meta.txn_seq) << "the data file stands alone";
}

// Frames of the generation before the last reset lie after the end of the
// log; recovery must not take them.
TEST_F(RecoveryTest, FramesOfAnOlderGenerationAfterAResetAreIgnored) {
  commit_rewrite(*pager_, {1}, 0xE0);  // txn 4 "E": slots 7-8
  ASSERT_TRUE(pager_->checkpoint().ok());
  commit_rewrite(*pager_, leaves_, 0xC0);  // generation 2, slots 0-2
  commit_rewrite(*pager_, leaves_, 0xF0);  // slots 3-5; slots 6-8 still hold generation 1's txn 3 tail and txn 4
  auto disk = image();
  auto pager = reopen(*disk);
  ASSERT_TRUE(pager.ok()) << pager.status().to_string();
  EXPECT_EQ(leaf_fill(**(*pager)->get(1)), 0xF0);
  EXPECT_EQ((*pager)->meta().txn_seq, 6u);
  EXPECT_TRUE((*pager)->recovery_info().stale_frames_ignored);
  EXPECT_EQ((*pager)->recovery_info().txns_replayed, 2u);
}

TEST_F(RecoveryTest, NoWalSaltMutantReplaysFramesOfAnOlderGeneration) {
  if (!kMutantsCompiled) GTEST_SKIP() << "mutants are not compiled in";
  commit_rewrite(*pager_, {1}, 0xE0);  // txn 4 "E", slots 7-8: a transaction boundary at slot 7
  ASSERT_TRUE(pager_->checkpoint().ok());
  commit_rewrite(*pager_, leaves_, 0xC0);  // generation 2: slots 0-2
  commit_rewrite(*pager_, {1}, 0xD0);      // slots 3-4
  commit_rewrite(*pager_, {1}, 0xF0);      // slots 5-6: generation 2 ends where stale txn 4 begins
  auto disk = image();
  auto honest = reopen(*crash_image(*disk));
  ASSERT_TRUE(honest.ok()) << honest.status().to_string();
  EXPECT_EQ(leaf_fill(**(*honest)->get(1)), 0xF0);
  EXPECT_EQ((*honest)->meta().txn_seq, 7u);
  auto pager = reopen(*disk, Mutant::kNoWalSalt);
  ASSERT_TRUE(pager.ok()) << pager.status().to_string();
  EXPECT_EQ(leaf_fill(**(*pager)->get(1)), 0xE0) << "stale txn 4 should have been replayed over txn 7";
  EXPECT_EQ((*pager)->meta().txn_seq, 4u);
}

TEST_F(RecoveryTest, ATornWalHeaderAfterACheckpointIsRewritten) {
  ASSERT_TRUE(pager_->checkpoint().ok());  // data synced, header reset to generation 2
  auto disk = image();
  flip_byte(*disk, kWal, 30);
  auto pager = reopen(*disk);
  ASSERT_TRUE(pager.ok()) << pager.status().to_string();
  EXPECT_EQ((*pager)->meta().txn_seq, 3u);
  EXPECT_EQ(leaf_fill(**(*pager)->get(2)), 0xB0);
  const RecoveryInfo& info = (*pager)->recovery_info();
  EXPECT_TRUE(info.wal_header_rewritten);
  EXPECT_TRUE(info.checkpoint_redone);
  EXPECT_EQ(info.txns_replayed, 3u) << "generation 1's frames are replayed, harmlessly";
  EXPECT_EQ(header_generation(*disk), 2u);
}

// The header of generation 2 was synced before generation 2's first frame
// was written, so a damaged header with such frames behind it was damaged
// afterwards, by the media: the frames say what it was.
TEST_F(RecoveryTest, ADamagedWalHeaderWithFramesOfTheNextGenerationIsRebuilt) {
  ASSERT_TRUE(pager_->checkpoint().ok());
  commit_rewrite(*pager_, leaves_, 0xC0);  // generation 2 at slot 0
  auto disk = image();
  flip_byte(*disk, kWal, 30);
  auto pager = reopen(*disk);
  ASSERT_TRUE(pager.ok()) << pager.status().to_string();
  EXPECT_EQ((*pager)->meta().txn_seq, 4u);
  EXPECT_EQ(leaf_fill(**(*pager)->get(1)), 0xC0);
  const RecoveryInfo& info = (*pager)->recovery_info();
  EXPECT_TRUE(info.wal_header_rewritten);
  EXPECT_TRUE(info.checkpoint_redone);
  EXPECT_EQ(info.txns_replayed, 1u);
  EXPECT_EQ(header_generation(*disk), 3u);
}

// Only debris of generation 2 (its one transaction lost its commit frame):
// nothing to checkpoint, and a checkpoint would move the WAL two generations
// past the data file. The header is written back as it was.
TEST_F(RecoveryTest, ADamagedWalHeaderWithOnlyDebrisOfTheNextGenerationIsWrittenBack) {
  ASSERT_TRUE(pager_->checkpoint().ok());
  commit_rewrite(*pager_, leaves_, 0xC0);
  auto disk = image();
  flip_byte(*disk, kWal, inside_slot(2));
  flip_byte(*disk, kWal, 30);
  {
    auto pager = reopen(*disk);
    ASSERT_TRUE(pager.ok()) << pager.status().to_string();
    EXPECT_EQ(leaf_fill(**(*pager)->get(1)), 0xB0);
    EXPECT_TRUE((*pager)->recovery_info().wal_header_rewritten);
    EXPECT_FALSE((*pager)->recovery_info().checkpoint_redone);
    EXPECT_EQ((*pager)->meta().wal_generation, 2u);
  }
  EXPECT_EQ(header_generation(*disk), 2u);
  auto again = reopen(*disk);
  ASSERT_TRUE(again.ok()) << again.status().to_string();
  EXPECT_FALSE((*again)->recovery_info().wal_header_rewritten);
}

TEST_F(RecoveryTest, ADamagedWalHeaderWithFramesTwoGenerationsPastTheDataFileIsCorruption) {
  ASSERT_TRUE(pager_->checkpoint().ok());  // data file at generation 1
  const auto data_at_1 = file_bytes(vfs_, kDb);
  commit_rewrite(*pager_, leaves_, 0xC0);
  ASSERT_TRUE(pager_->checkpoint().ok());
  commit_rewrite(*pager_, leaves_, 0xD0);  // generation 3 at slot 0
  auto disk = image();
  write_bytes(*disk, kDb, 0, data_at_1);  // the second checkpoint's data writes were lost
  flip_byte(*disk, kWal, 30);
  auto pager = reopen(*disk);
  ASSERT_TRUE(pager.status().is_corruption()) << pager.status().to_string();
  EXPECT_THAT(pager.status().message(), HasSubstr("WAL header of db-wal"));
  EXPECT_THAT(pager.status().message(), HasSubstr("carries generation 3"));
}

// Never checkpointed: the data file is empty, so only the WAL knows the
// database. Every meta frame carries what the header held.
TEST_F(RecoveryTest, ADamagedWalHeaderOfANeverCheckpointedDatabaseIsRebuiltFromItsMetaFrames) {
  const uint64_t db_id = pager_->meta().db_id;
  for (const uint64_t offset : {0, 12, 16, 24, 36}) {
    SCOPED_TRACE("header byte " + std::to_string(offset));
    auto disk = image();
    flip_byte(*disk, kWal, offset);
    auto pager = reopen(*disk);
    ASSERT_TRUE(pager.ok()) << pager.status().to_string();
    EXPECT_EQ((*pager)->meta().db_id, db_id);
    EXPECT_EQ((*pager)->meta().txn_seq, 3u);
    EXPECT_EQ(leaf_fill(**(*pager)->get(2)), 0xB0);
    EXPECT_EQ((*pager)->recovery_info().txns_replayed, 3u);
    EXPECT_TRUE((*pager)->recovery_info().wal_header_rewritten);
    EXPECT_TRUE((*pager)->recovery_info().checkpoint_redone);
  }
}

// One damaged sector can span the header and the start of slot 0 (the
// creation's meta frame): the header is rebuilt from a later meta frame, and
// the log that breaks at slot 0 is refused, as any damage in its middle.
TEST_F(RecoveryTest, ADamagedWalHeaderAndFirstFrameOfANeverCheckpointedDatabaseIsCorruption) {
  auto disk = image();
  write_bytes(*disk, kWal, 0, std::vector<uint8_t>(512, 0));
  auto pager = reopen(*disk);
  ASSERT_TRUE(pager.status().is_corruption()) << pager.status().to_string();
  EXPECT_THAT(pager.status().message(), HasSubstr("WAL header of db-wal"));
  EXPECT_THAT(pager.status().message(), HasSubstr("the log breaks at offset 40"));
}

// A sector spanning the commit frame of txn 2 and the first frame of txn 3:
// txn 3 is not complete, but its intact commit frame could only have been
// written once txn 2 was durable.
TEST_F(RecoveryTest, AFrameOfALaterTransactionPastTheBreakIsCorruption) {
  auto disk = image();
  flip_byte(*disk, kWal, inside_slot(3));
  flip_byte(*disk, kWal, inside_slot(4));
  auto pager = reopen(*disk);
  ASSERT_TRUE(pager.status().is_corruption()) << pager.status().to_string();
  EXPECT_THAT(pager.status().message(), HasSubstr("breaks at offset " + std::to_string(slot_at(3))));
  EXPECT_THAT(pager.status().message(), HasSubstr("a frame of a later write (txn 3) follows at offset " +
                                                  std::to_string(slot_at(5))));
}

// The crash hit a checkpoint between the data file's sync and the header
// reset: the data file is at generation 1, and so is the header.
TEST_F(RecoveryTest, AHeaderOneGenerationBehindIsReset) {
  FaultVfs faulty(vfs_);
  pager_.reset();  // as a crash would: no checkpoint, and the lock goes with it
  auto pager = open_or_die(faulty, kDb, no_auto_checkpoint(kPageSize));  // recovers the history
  commit_rewrite(*pager, leaves_, 0xD0);
  faulty.inject("write", kWal, EIO);
  ASSERT_FALSE(pager->checkpoint().ok());
  auto disk = image();
  auto reopened = reopen(*disk);
  ASSERT_TRUE(reopened.ok()) << reopened.status().to_string();
  EXPECT_EQ(leaf_fill(**(*reopened)->get(1)), 0xD0);
  EXPECT_TRUE((*reopened)->recovery_info().wal_header_rewritten);
  EXPECT_TRUE((*reopened)->recovery_info().checkpoint_redone);
}

TEST_F(RecoveryTest, ATornDataMetaPageIsRepairedFromTheWal) {
  ASSERT_TRUE(pager_->checkpoint().ok());
  commit_rewrite(*pager_, leaves_, 0xC0);  // generation 2 holds a meta frame
  auto disk = image();
  flip_byte(*disk, kDb, 100);
  auto pager = reopen(*disk);
  ASSERT_TRUE(pager.ok()) << pager.status().to_string();
  EXPECT_EQ((*pager)->meta().txn_seq, 4u);
  EXPECT_EQ(leaf_fill(**(*pager)->get(1)), 0xC0);
  EXPECT_TRUE((*pager)->recovery_info().checkpoint_redone);
  const auto data = file_bytes(*disk, kDb);
  Page page(kMetaPage, kPageSize);
  std::copy(data.begin(), data.begin() + kPageSize, page.bytes.begin());
  EXPECT_TRUE(decode_meta(page, kDb, Mutant::kNone).ok()) << "the checkpoint should have rewritten page 0";
}

TEST_F(RecoveryTest, ATornDataMetaPageWithNothingInTheWalIsCorruptionOfPageZero) {
  ASSERT_TRUE(pager_->close().ok());
  auto disk = image();
  flip_byte(*disk, kDb, 100);
  auto pager = reopen(*disk);
  ASSERT_TRUE(pager.status().is_corruption()) << pager.status().to_string();
  EXPECT_THAT(pager.status().message(), HasSubstr("page 0 of db"));
}

TEST_F(RecoveryTest, AnEmptyDataFileWithALaterGenerationIsCorruption) {
  ASSERT_TRUE(pager_->close().ok());
  auto disk = image();
  truncate_file(*disk, kDb, 0);
  auto pager = reopen(*disk);
  ASSERT_TRUE(pager.status().is_corruption()) << pager.status().to_string();
  EXPECT_THAT(pager.status().message(), HasSubstr("a checkpoint must have written it"));
  // Without cross-checks an empty log means nothing was committed: the database is created afresh.
  auto unchecked = reopen_without_cross_checks(*disk);
  ASSERT_TRUE(unchecked.ok()) << unchecked.status().to_string();
  EXPECT_EQ((*unchecked)->meta().txn_seq, 1u);
  EXPECT_EQ((*unchecked)->meta().page_count, 1u);
}

// Intact frames of an unfinished transaction of the current generation,
// with nothing committed in it: nothing to replay, nothing to rewrite. The
// next commit writes over them under a new nonce.
TEST_F(RecoveryTest, DebrisOfTheCurrentGenerationIsLeftInert) {
  ASSERT_TRUE(pager_->checkpoint().ok());
  commit_rewrite(*pager_, leaves_, 0xC0);
  auto disk = image();
  flip_byte(*disk, kWal, inside_slot(2));  // generation 2's only transaction loses its commit frame
  {
    auto pager = reopen(*disk);
    ASSERT_TRUE(pager.ok()) << pager.status().to_string();
    EXPECT_EQ(leaf_fill(**(*pager)->get(1)), 0xB0);
    const RecoveryInfo& info = (*pager)->recovery_info();
    EXPECT_EQ(info.txns_replayed, 0u);
    EXPECT_TRUE(info.uncommitted_txn_dropped);
    EXPECT_FALSE(info.checkpoint_redone);
    EXPECT_EQ((*pager)->meta().wal_generation, 2u);
    commit_rewrite(**pager, {1}, 0xD0);  // txn 4 again, over the debris
  }
  auto pager = reopen(*disk);
  ASSERT_TRUE(pager.ok()) << pager.status().to_string();
  EXPECT_EQ(leaf_fill(**(*pager)->get(1)), 0xD0);
  EXPECT_EQ(leaf_fill(**(*pager)->get(2)), 0xB0) << "the dropped transaction's page 2 must stay dropped";
  EXPECT_EQ((*pager)->recovery_info().txns_replayed, 1u);
}

// Recovery of `disk` (which replays transactions) is idempotent: recovered,
// crashed at once and recovered again; or stopped at each of its own writes
// and syncs (everything before that step on disk) and run again, it always
// ends in the same state, and a further recovery after that changes nothing.
void expect_idempotent_recovery(const vfs::MemVfs& disk) {
  auto first = reopen(*crash_image(disk));
  ASSERT_TRUE(first.ok()) << first.status().to_string();
  const Visible expected = visible(**first);
  ASSERT_TRUE((*first)->recovery_info().checkpoint_redone) << "the image should need recovery";

  auto once = crash_image(disk);
  ASSERT_TRUE(reopen(*once).ok());
  auto twice = reopen(*once);
  ASSERT_TRUE(twice.ok()) << twice.status().to_string();
  EXPECT_EQ(visible(**twice), expected);
  EXPECT_EQ((*twice)->recovery_info().txns_replayed, 0u);
  EXPECT_FALSE((*twice)->recovery_info().checkpoint_redone);

  int interrupted = 0;
  for (const char* kind : {"write", "sync"}) {
    for (const char* file : {kDb, kWal}) {
      for (uint64_t skip = 0; skip < 3; ++skip) {
        const std::string step = std::string(kind) + " " + file + " #" + std::to_string(skip);
        auto disk_copy = crash_image(disk);
        FaultVfs faulty(*disk_copy);
        faulty.inject(kind, file, EIO, skip);
        if (reopen(faulty).ok()) continue;  // recovery did not get that far
        ++interrupted;
        auto again = reopen(*disk_copy);
        ASSERT_TRUE(again.ok()) << step << ": " << again.status().to_string();
        EXPECT_EQ(visible(**again), expected) << step;
        auto third = reopen(*crash_image(*disk_copy));
        ASSERT_TRUE(third.ok()) << step << ": " << third.status().to_string();
        EXPECT_EQ(visible(**third), expected) << step;
        EXPECT_FALSE((*third)->recovery_info().checkpoint_redone) << step;
      }
    }
  }
  EXPECT_EQ(interrupted, 6) << "each step of recovery: the replayed log written back and synced, then the "
                               "checkpoint (data write, data sync, header write, WAL sync)";
}

TEST_F(RecoveryTest, RecoveryOfATornTailIsIdempotent) {
  auto disk = image();
  truncate_file(*disk, kWal, slot_at(6) + 100);
  expect_idempotent_recovery(*disk);
}

TEST_F(RecoveryTest, RecoveryOfAHeaderOneGenerationBehindIsIdempotent) {
  FaultVfs faulty(vfs_);
  pager_.reset();  // as a crash would: no checkpoint, and the lock goes with it
  auto pager = open_or_die(faulty, kDb, no_auto_checkpoint(kPageSize));
  commit_rewrite(*pager, leaves_, 0xD0);
  faulty.inject("write", kWal, EIO);
  ASSERT_FALSE(pager->checkpoint().ok());  // data file synced, header still at generation 2
  expect_idempotent_recovery(*image());
}

TEST_F(RecoveryTest, RecoveryOfATornHeaderIsIdempotent) {
  ASSERT_TRUE(pager_->checkpoint().ok());
  auto disk = image();
  flip_byte(*disk, kWal, 30);
  expect_idempotent_recovery(*disk);
}

// ---- creation and foreign files ----------------------------------------------

TEST(RecoveryCreation, AnEmptyDataFileAndAWalWithOnlyAHeaderIsAnInterruptedCreation) {
  vfs::MemVfs vfs;
  const uint64_t first_id = open_or_die(vfs, kDb, no_auto_checkpoint(kPageSize))->meta().db_id;
  truncate_file(vfs, kWal, kWalHeaderSize);  // the first transaction never reached the disk

  PagerOptions no_create = no_auto_checkpoint(kPageSize);
  no_create.create_if_missing = false;
  auto refused = Pager::open(*crash_image(vfs), kDb, no_create);
  ASSERT_TRUE(refused.status().is_not_found()) << refused.status().to_string();
  EXPECT_THAT(refused.status().message(), HasSubstr("db"));

  auto pager = reopen(vfs);
  ASSERT_TRUE(pager.ok()) << pager.status().to_string();
  EXPECT_EQ((*pager)->meta().txn_seq, 1u);
  EXPECT_NE((*pager)->meta().db_id, first_id) << "a fresh database";
}

// A creation over the leftovers of an earlier one can be cut short while
// its header is half written: no meta frame verifies, nothing was committed.
TEST(RecoveryCreation, AnEmptyDataFileAndATornWalHeaderWithoutAMetaFrameIsAnInterruptedCreation) {
  vfs::MemVfs vfs;
  open_or_die(vfs, kDb, no_auto_checkpoint(kPageSize));
  flip_byte(vfs, kWal, 20);
  flip_byte(vfs, kWal, inside_slot(0));
  auto pager = reopen(vfs);
  ASSERT_TRUE(pager.ok()) << pager.status().to_string();
  EXPECT_EQ((*pager)->meta().txn_seq, 1u) << "a fresh database";
}

TEST(RecoveryCreation, AnEmptyDataFileWithoutAWalIsAnInterruptedCreation) {
  vfs::MemVfs vfs;
  write_bytes(vfs, kDb, 0, {});
  auto pager = reopen(vfs);
  ASSERT_TRUE(pager.ok()) << pager.status().to_string();
  EXPECT_EQ((*pager)->meta().page_count, 1u);
  EXPECT_TRUE(*vfs.exists(kWal));
}

// The creation's directory entries were not durable yet when it was cut
// short: the WAL holds at most the creation's own transaction. Open creates
// an empty data file (the file it locks) and recovers that transaction
// beside it: the empty database the creation made, nothing more.
TEST(RecoveryCreation, AWalOfAnInterruptedCreationWithoutItsDataFileIsTheEmptyDatabase) {
  vfs::MemVfs vfs;
  open_or_die(vfs, kDb, no_auto_checkpoint(kPageSize)).reset();
  ASSERT_TRUE(vfs.remove(kDb).ok());
  auto pager = reopen(vfs);
  ASSERT_TRUE(pager.ok()) << pager.status().to_string();
  EXPECT_EQ((*pager)->meta().page_count, 1u) << "nothing but the creation's meta";
  EXPECT_EQ((*pager)->meta().root, kNoPage);
  EXPECT_LE((*pager)->meta().txn_seq, 1u);
}

// A WAL with commits after the creation, or of a later generation, outlived
// a data file that existed: creating one over it would lose every commit.
TEST(RecoveryCreation, AWalWithCommitsButNoDataFileIsRefusedAndLeftAlone) {
  for (const bool checkpointed : {false, true}) {
    SCOPED_TRACE(checkpointed ? "after a checkpoint" : "never checkpointed");
    vfs::MemVfs vfs;
    auto first = open_or_die(vfs, kDb, no_auto_checkpoint(kPageSize));
    commit_new_leaves(*first, 3, 1);
    if (checkpointed) {
      ASSERT_TRUE(first->close().ok());
    }
    first.reset();
    ASSERT_TRUE(vfs.remove(kDb).ok());
    const std::vector<uint8_t> wal_before = file_bytes(vfs, kWal);
    auto pager = reopen(vfs);
    ASSERT_TRUE(pager.status().is_corruption()) << pager.status().to_string();
    EXPECT_THAT(pager.status().message(), HasSubstr("open db: the data file does not exist, but db-wal"));
    EXPECT_THAT(pager.status().message(), HasSubstr(checkpointed ? "a checkpoint must have written it"
                                                                 : "holds committed transactions up to txn 2"));
    EXPECT_FALSE(*vfs.exists(kDb));
    EXPECT_EQ(file_bytes(vfs, kWal), wal_before);
  }
}

TEST(RecoveryCreation, ACommittedFirstTransactionWithAnEmptyDataFileIsReplayed) {
  vfs::MemVfs vfs;
  auto first = open_or_die(vfs, kDb, no_auto_checkpoint(kPageSize));
  const uint64_t id = first->meta().db_id;
  commit_new_leaves(*first, 1, 0x42);
  auto disk = crash_image(vfs);
  auto pager = reopen(*disk);
  ASSERT_TRUE(pager.ok()) << pager.status().to_string();
  EXPECT_EQ((*pager)->meta().db_id, id);
  EXPECT_EQ(leaf_fill(**(*pager)->get(1)), 0x42);
  EXPECT_EQ(*disk->file_size(kDb), 2u * kPageSize) << "recovery checkpointed into the empty data file";
}

TEST(RecoveryForeignFiles, ADataFileWithAnotherMagicIsNotADatabase) {
  vfs::MemVfs vfs;
  write_bytes(vfs, kDb, 0, std::vector<uint8_t>(4096, 'x'));
  auto pager = reopen(vfs);
  ASSERT_TRUE(pager.status().is_corruption());
  EXPECT_EQ(pager.status().message(), "not a btreekv database: db: bad magic at offset 8");
}

TEST(RecoveryForeignFiles, ADataFileOfAnotherFormatVersionIsRefused) {
  vfs::MemVfs vfs;
  ASSERT_TRUE(open_or_die(vfs, kDb, no_auto_checkpoint(kPageSize))->close().ok());
  std::vector<uint8_t> version(4);
  store_u32(version.data(), 9);
  write_bytes(vfs, kDb, 16, version);
  auto pager = reopen(vfs);
  ASSERT_TRUE(pager.status().is_corruption());
  EXPECT_THAT(pager.status().message(), HasSubstr("unsupported format version 9"));
}

// A WAL written by another format version is sound, only unreadable here:
// treated like a torn header it would be dropped with every commit in it.
TEST(RecoveryForeignFiles, AWalOfAnotherFormatVersionIsRefusedAndLeftAlone) {
  for (const bool never_checkpointed : {true, false}) {
    vfs::MemVfs live;
    auto writer = open_or_die(live, kDb, no_auto_checkpoint(kPageSize));
    if (!never_checkpointed) {
      ASSERT_TRUE(writer->checkpoint().ok());
    }
    commit_new_leaves(*writer, 1, 0x70);
    const auto disk = crash_image(live);  // the commit lives only in the WAL
    vfs::MemVfs& vfs = *disk;
    std::vector<uint8_t> header = file_bytes(vfs, kWal);
    header.resize(kWalHeaderSize);
    store_u32(header.data() + 8, kOldestReadableWalFormatVersion - 1);
    store_u32(header.data() + 36, checksum_extend(0, std::span(header).first(36), Mutant::kNone));
    write_bytes(vfs, kWal, 0, header);
    const std::vector<uint8_t> data_before = file_bytes(vfs, kDb);
    const std::vector<uint8_t> wal_before = file_bytes(vfs, kWal);
    auto pager = reopen(vfs);
    EXPECT_EQ(pager.status().code(), vfs::StatusCode::kNotSupported) << pager.status().to_string();
    EXPECT_THAT(pager.status().message(),
                HasSubstr("unsupported format version " + std::to_string(kOldestReadableWalFormatVersion - 1)));
    EXPECT_EQ(file_bytes(vfs, kDb), data_before);
    EXPECT_EQ(file_bytes(vfs, kWal), wal_before);
  }
}

// A version-2 WAL reads under version 3's rules, but a version-2 build
// would take a group's earlier transactions, which version 3 writes without
// a meta frame, for committed: the header says version 3 before any write.
TEST(RecoveryForeignFiles, AVersion2WalIsReadAndItsHeaderRewrittenBeforeAWrite) {
  for (const bool with_commit : {false, true}) {
    vfs::MemVfs live;
    auto writer = open_or_die(live, kDb, no_auto_checkpoint(kPageSize));
    ASSERT_TRUE(writer->checkpoint().ok());
    if (with_commit) commit_new_leaves(*writer, 1, 0x70);
    const auto disk = crash_image(live);
    vfs::MemVfs& vfs = *disk;
    std::vector<uint8_t> header = file_bytes(vfs, kWal);
    header.resize(kWalHeaderSize);
    store_u32(header.data() + 8, 2);
    store_u32(header.data() + 36, checksum_extend(0, std::span(header).first(36), Mutant::kNone));
    write_bytes(vfs, kWal, 0, header);
    auto pager = reopen(vfs);
    ASSERT_TRUE(pager.ok()) << pager.status().to_string();
    uint32_t version = 0;
    peek_wal_header(file_bytes(vfs, kWal), &version);
    EXPECT_EQ(version, kWalFormatVersion) << (with_commit ? "replayed and checkpointed" : "an empty log");
  }
}

TEST(RecoveryForeignFiles, ADataFileWithAnImpossiblePageSizeIsRefused) {
  vfs::MemVfs vfs;
  ASSERT_TRUE(open_or_die(vfs, kDb, no_auto_checkpoint(kPageSize))->close().ok());
  std::vector<uint8_t> size(4);
  store_u32(size.data(), 3000);
  write_bytes(vfs, kDb, 20, size);
  auto pager = reopen(vfs);
  ASSERT_TRUE(pager.status().is_corruption());
  EXPECT_THAT(pager.status().message(), HasSubstr("page size 3000 in db is not a power of two in [512,65536]"));
}

}  // namespace
}  // namespace engine
