// No single damaged sector loses acknowledged data silently (issue 13).
//
// Databases of several shapes are built and "crashed" (their files copied
// without a close). Then, for every 512-byte sector of each file, the sector
// is zeroed, filled with garbage, or has one bit flipped, and the database
// opened over the result must either show exactly what was acknowledged, or
// refuse with kCorruption: at open, at a read (get or scan), or as a verify()
// finding. The one loss allowed is the one no engine can tell from a torn
// write: damage inside the frames of the last commit, at the log's tail, may
// drop that commit alone. Whatever the store shows is then checked again
// after one more write and a clean reopen, so that damage recovery let
// through cannot surface later.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/db.h"
#include "engine/entropy.h"
#include "engine/tree_test_util.h"
#include "engine/wal_format.h"
#include "vfs/mem_vfs.h"

namespace engine {
namespace {

using testing::NumberedKey;
using Contents = std::map<std::string, std::string>;

constexpr char kDb[] = "db";
constexpr char kWal[] = "db-wal";
constexpr uint64_t kSectorSize = 512;

// A database as a crash left it, and what it must show.
struct Sample {
  std::string name;
  Options options;
  std::map<std::string, vfs::SharedBytes> files;
  Contents committed;    // every acknowledged write
  Contents before_last;  // the same without the last commit
  uint64_t last_commit_begin = 0;  // bytes [begin, end) of the WAL hold the last commit's frames
  uint64_t last_commit_end = 0;
  std::vector<std::string> absent;  // keys that once existed and were deleted, and keys never written
};

Options sample_options(uint32_t page_size) {
  Options options;
  options.page_size = page_size;
  options.cache_pages = 8;  // small, so reads go to the files
  options.checkpoint_every_commits = 0;
  options.checkpoint_wal_bytes = 0;
  return options;
}

// Builds a Sample through the public API, keeping a model of what each
// acknowledged commit made visible.
class SampleBuilder {
 public:
  SampleBuilder(std::string name, uint32_t page_size) {
    sample_.name = std::move(name);
    sample_.options = sample_options(page_size);
    db_ = testing::OpenOrDie(vfs_, kDb, sample_.options);
  }

  void write(const WriteBatch& batch) {
    ASSERT_NE(db_, nullptr);
    const uint64_t wal_before = wal_bytes();
    ASSERT_TRUE(db_->write(batch).ok());
    sample_.before_last = sample_.committed;
    for (const auto& op : batch.ops()) {
      if (op.kind == WriteBatch::OpKind::kPut) {
        sample_.committed[op.key] = op.value;
      } else {
        sample_.committed.erase(op.key);
        sample_.absent.push_back(op.key);
      }
    }
    sample_.last_commit_begin = wal_before;
    sample_.last_commit_end = wal_bytes();
  }
  void put(const std::string& key, const std::string& value) {
    WriteBatch batch;
    batch.put(key, value);
    write(batch);
  }
  // Puts keys [first, last) in batches of `per_batch`, values of `value_size` bytes.
  void put_range(int first, int last, int per_batch, size_t value_size, char tag) {
    for (int i = first; i < last; i += per_batch) {
      WriteBatch batch;
      for (int k = i; k < std::min(last, i + per_batch); ++k) batch.put(NumberedKey(k), value(k, value_size, tag));
      write(batch);
    }
  }
  void del_range(int first, int last, int per_batch) {
    for (int i = first; i < last; i += per_batch) {
      WriteBatch batch;
      for (int k = i; k < std::min(last, i + per_batch); ++k) batch.del(NumberedKey(k));
      write(batch);
    }
  }
  // After a checkpoint (or a clean close) the WAL holds no live frame: no
  // commit may be dropped.
  void checkpoint() {
    ASSERT_TRUE(db_->checkpoint().ok());
    everything_checkpointed();
  }
  void close() {
    ASSERT_TRUE(db_->close().ok());
    everything_checkpointed();
  }
  vfs::Bytes data_file() const { return *vfs_.snapshot().at(kDb); }

  // The files as they are now: a crash, unless close() came first.
  Sample take() {
    sample_.files = vfs_.snapshot();
    sample_.absent.push_back("never-written");
    sample_.absent.push_back(NumberedKey(999999));
    return sample_;
  }

  static std::string value(int k, size_t size, char tag) {
    std::string v = std::string(1, tag) + std::to_string(k) + "-";
    while (v.size() < size) v += static_cast<char>('a' + (v.size() * 7 + k) % 26);
    return v;
  }

 private:
  void everything_checkpointed() {
    sample_.before_last = sample_.committed;
    sample_.last_commit_begin = sample_.last_commit_end = 0;
  }

  uint64_t wal_bytes() {
    auto stats = db_->stats();
    EXPECT_TRUE(stats.ok());
    return stats.ok() ? stats->wal_bytes : 0;
  }

  vfs::MemVfs vfs_;
  std::unique_ptr<Db> db_;
  Sample sample_;
};

enum class Outcome { kExact, kLastCommitDropped, kRefused };

// What the store showed, or why that is a silent loss or corruption.
struct Verdict {
  Outcome outcome = Outcome::kExact;
  std::string silent;  // non-empty: the test fails with this
};

Verdict refused() { return {Outcome::kRefused, ""}; }
Verdict silent(std::string what) { return {Outcome::kExact, std::move(what)}; }

// A failed call: a corruption error is a refusal; any other error is a bug here.
Verdict failed(const Status& status, const std::string& call) {
  if (status.is_corruption()) return refused();
  return silent(call + " failed with " + status.to_string() + ", expected kCorruption or success");
}

// Everything the store shows: a scan, and a get of every key the history
// ever had plus keys it never had. nullopt (with `verdict` set) when a read
// refused or failed.
std::optional<Contents> read_all(Db& db, const Sample& sample, Verdict& verdict) {
  Contents scanned;
  auto cursor = db.new_cursor();
  if (!cursor.ok()) {
    verdict = failed(cursor.status(), "new_cursor");
    return std::nullopt;
  }
  for ((*cursor)->seek_to_first(); (*cursor)->valid(); (*cursor)->next()) {
    scanned.emplace((*cursor)->key(), (*cursor)->value());
  }
  if (!(*cursor)->status().ok()) {
    verdict = failed((*cursor)->status(), "scan");
    return std::nullopt;
  }
  std::vector<std::string> keys = sample.absent;
  for (const auto& [key, value] : sample.committed) keys.push_back(key);
  for (const auto& [key, value] : sample.before_last) keys.push_back(key);
  for (const std::string& key : keys) {
    std::string value;
    const Status got = db.get(key, &value);
    const auto it = scanned.find(key);
    if (got.is_not_found() && it == scanned.end()) continue;
    if (got.ok() && it != scanned.end() && it->second == value) continue;
    if (!got.ok() && !got.is_not_found()) {
      verdict = failed(got, "get " + key);
      return std::nullopt;
    }
    verdict = silent("get " + key + " disagrees with the scan (" + got.to_string() + ")");
    return std::nullopt;
  }
  return scanned;
}

std::string describe_difference(const Contents& seen, const Contents& expected) {
  for (const auto& [key, value] : expected) {
    const auto it = seen.find(key);
    if (it == seen.end()) return "key " + key + " is missing";
    if (it->second != value) return "key " + key + " has a wrong value";
  }
  for (const auto& [key, value] : seen) {
    if (!expected.contains(key)) return "key " + key + " should not exist";
  }
  return "same contents";
}

// verify() finds nothing: a finding or a corruption error is a refusal.
std::optional<Verdict> verify_finding(Db& db) {
  auto report = db.verify();
  if (!report.ok()) return failed(report.status(), "verify");
  if (!report->ok()) return refused();
  return std::nullopt;
}

// Opens the store over `disk` and reads everything it shows, then runs
// verify(). nullopt, with `verdict` set, when any of them refused or
// failed: a verify() finding counts as a refusal whatever the reads showed.
std::optional<Contents> open_and_read(vfs::MemVfs& disk, const Sample& sample, const std::string& call,
                                      std::unique_ptr<Db>& db, Verdict& verdict) {
  auto opened = Db::open(disk, kDb, sample.options);
  if (!opened.ok()) {
    verdict = failed(opened.status(), call);
    return std::nullopt;
  }
  db = std::move(opened).value();
  std::optional<Contents> seen = read_all(*db, sample, verdict);
  if (!seen) return std::nullopt;
  if (auto finding = verify_finding(*db)) {
    verdict = *finding;
    return std::nullopt;
  }
  return seen;
}

// Opens the damaged files and judges what the store shows. `in_last_commit`:
// the damage touched the last commit's frames, which may then be dropped.
Verdict judge(vfs::MemVfs& disk, const Sample& sample, bool in_last_commit) {
  Verdict verdict;
  std::unique_ptr<Db> db;
  const std::optional<Contents> seen = open_and_read(disk, sample, "open", db, verdict);
  if (!seen) return verdict;
  Contents expected = sample.committed;
  Outcome outcome = Outcome::kExact;
  if (*seen != sample.committed) {
    if (!in_last_commit || *seen != sample.before_last) {
      return silent("the store shows " + std::to_string(seen->size()) + " keys, " +
                    describe_difference(*seen, sample.committed));
    }
    expected = sample.before_last;
    outcome = Outcome::kLastCommitDropped;
  }
  // The store goes on: one more write, a clean close, and a reopen.
  const Status put = db->put("zz-after-damage", "v");
  if (!put.ok()) return failed(put, "put after recovery");
  const Status closed = db->close();
  if (!closed.ok()) return failed(closed, "close after recovery");
  expected["zz-after-damage"] = "v";
  const std::optional<Contents> reopened = open_and_read(disk, sample, "reopen after recovery", db, verdict);
  if (!reopened) return verdict;
  if (*reopened != expected) return silent("after a write and a reopen, " + describe_difference(*reopened, expected));
  return {outcome, ""};
}

enum class Damage { kZero, kGarbage, kBitFlip };
constexpr Damage kDamages[] = {Damage::kZero, Damage::kGarbage, Damage::kBitFlip};

const char* damage_name(Damage damage) {
  switch (damage) {
    case Damage::kZero: return "zeroed";
    case Damage::kGarbage: return "garbage";
    case Damage::kBitFlip: return "bit flip";
  }
  return "?";
}

// `bytes` with [offset, offset + length) damaged; `seed` picks the garbage and the bit.
vfs::Bytes damaged(const vfs::Bytes& bytes, uint64_t offset, uint64_t length, Damage damage, uint64_t seed) {
  vfs::Bytes copy = bytes;
  for (uint64_t i = 0; i < length; ++i) {
    uint8_t& b = copy[offset + i];
    if (damage == Damage::kZero) b = 0;
    if (damage == Damage::kGarbage) b = static_cast<uint8_t>(mix64(seed * 1'000'003 + i));
  }
  if (damage == Damage::kBitFlip) {
    const uint64_t bit = mix64(seed) % (length * 8);
    copy[offset + bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
  }
  return copy;
}

struct Tally {
  uint64_t exact = 0;
  uint64_t dropped_last = 0;
  uint64_t refused = 0;
  uint64_t unchanged = 0;  // the damage left the bytes as they were (zeros over zeros)
  std::vector<std::string> failures;
};

// Every sector of every file of `sample`, under every kind of damage.
// The store over `sample`'s files with `path` holding `bytes` instead,
// judged and counted; `what` names the damage in a failure.
void judge_damage(const Sample& sample, const std::string& path, vfs::Bytes bytes, bool in_last_commit,
                  const std::string& what, Tally& tally) {
  if (bytes == *sample.files.at(path)) {
    ++tally.unchanged;
    return;
  }
  vfs::MemVfs disk;
  for (const auto& [other, other_bytes] : sample.files) disk.install_file(other, other_bytes);
  disk.install_file(path, std::make_shared<const vfs::Bytes>(std::move(bytes)));
  const Verdict verdict = judge(disk, sample, in_last_commit);
  if (!verdict.silent.empty()) {
    tally.failures.push_back(sample.name + ": " + path + " " + what + ": " + verdict.silent);
    return;
  }
  switch (verdict.outcome) {
    case Outcome::kExact: ++tally.exact; break;
    case Outcome::kLastCommitDropped: ++tally.dropped_last; break;
    case Outcome::kRefused: ++tally.refused; break;
  }
}

// Every sector of every file of `sample`, under every kind of damage.
Tally damage_every_sector(const Sample& sample) {
  Tally tally;
  for (const auto& [path, bytes] : sample.files) {
    if (!bytes) continue;
    for (uint64_t offset = 0; offset < bytes->size(); offset += kSectorSize) {
      const uint64_t length = std::min<uint64_t>(kSectorSize, bytes->size() - offset);
      const bool in_last_commit = path == kWal && offset < sample.last_commit_end &&
                                  offset + length > sample.last_commit_begin;
      for (const Damage damage : kDamages) {
        judge_damage(sample, path, damaged(*bytes, offset, length, damage, offset * 3 + static_cast<uint64_t>(damage)),
                     in_last_commit, "sector at offset " + std::to_string(offset) + " " + damage_name(damage), tally);
      }
    }
  }
  return tally;
}

void report(const Sample& sample, const char* what, const Tally& tally) {
  std::cout << "[ " << what << " ] " << sample.name << ": " << tally.exact << " recovered exactly, " << tally.refused
            << " refused, " << tally.dropped_last << " dropped the last commit, " << tally.unchanged
            << " left the bytes unchanged, " << tally.failures.size() << " silent\n";
  for (const std::string& failure : tally.failures) ADD_FAILURE() << failure;
}

void expect_no_silent_loss(const Sample& sample) {
  const Tally tally = damage_every_sector(sample);
  report(sample, "sectors ", tally);
  EXPECT_GT(tally.exact, 0u) << "no damage was harmless: the sample has no dead bytes?";
  EXPECT_GT(tally.refused, 0u) << "no damage was refused: the damage does not reach the data";
}

// ---- the regression test of issue 13 ------------------------------------------

// 300 acknowledged single-put commits, all in the WAL (never checkpointed),
// then one flipped bit in the WAL header: the store used to conclude that
// nothing had ever been committed and create the database afresh, and a
// put then succeeded over an empty database. The header's content is in
// every meta frame, so the store must recover exactly.
TEST(WalHeaderDamage, AFlippedHeaderBitOfANeverCheckpointedDatabaseLosesNoCommit) {
  SampleBuilder builder("never-checkpointed-300", kDefaultPageSize);
  for (int i = 0; i < 300; ++i) builder.put(NumberedKey(i), SampleBuilder::value(i, 20, 'v'));
  const Sample sample = builder.take();
  const vfs::Bytes& wal = *sample.files.at(kWal);
  for (uint64_t byte = 0; byte < kWalHeaderSize; ++byte) {
    SCOPED_TRACE("bit " + std::to_string(byte % 8) + " of header byte " + std::to_string(byte));
    vfs::Bytes copy = wal;
    copy[byte] ^= static_cast<uint8_t>(1u << (byte % 8));
    vfs::MemVfs disk;
    disk.install_file(kDb, sample.files.at(kDb));
    disk.install_file(kWal, std::make_shared<const vfs::Bytes>(std::move(copy)));
    const Verdict verdict = judge(disk, sample, false);
    EXPECT_EQ(verdict.silent, "");
    EXPECT_EQ(verdict.outcome, Outcome::kExact) << "the header can be rebuilt from the meta frames";
  }
}

// ---- every sector of databases of several shapes ----------------------------------

// How many keys, in batches of how many, of what value size; at 4096 bytes
// a page holds more, so the samples grow with it to span several pages.
struct Shape {
  uint32_t page_size;
  int keys;
  int per_batch;
  size_t value_size;
};
constexpr Shape kShapes[] = {{512, 30, 1, 24}, {4096, 60, 6, 40}};

TEST(SectorDamage, NeverCheckpointed) {
  for (const Shape& shape : kShapes) {
    SampleBuilder builder("never-checkpointed-" + std::to_string(shape.page_size), shape.page_size);
    builder.put_range(0, shape.keys, shape.per_batch, shape.value_size, 'a');
    builder.put(NumberedKey(3), "updated");
    expect_no_silent_loss(builder.take());
  }
}

TEST(SectorDamage, CheckpointedWithFramesInTheWal) {
  for (const Shape& shape : kShapes) {
    SampleBuilder builder("checkpointed-with-wal-" + std::to_string(shape.page_size), shape.page_size);
    builder.put_range(0, 3 * shape.keys, 10 * shape.per_batch, shape.value_size, 'a');
    builder.checkpoint();
    builder.put_range(2 * shape.keys, 4 * shape.keys, 4 * shape.per_batch, shape.value_size, 'b');
    expect_no_silent_loss(builder.take());
  }
}

TEST(SectorDamage, OverflowValues512) {
  SampleBuilder builder("overflow-512", 512);
  builder.put_range(0, 12, 4, 1300, 'a');  // each value spans several overflow pages
  builder.put_range(12, 30, 6, 20, 'b');
  builder.checkpoint();
  builder.put_range(4, 6, 1, 1600, 'c');  // rewrites two chains: their old pages are freed
  expect_no_silent_loss(builder.take());
}

TEST(SectorDamage, FreedPagesAfterDeletes512) {
  SampleBuilder builder("freed-pages-512", 512);
  builder.put_range(0, 120, 20, 24, 'a');
  builder.checkpoint();
  builder.del_range(20, 90, 10);  // empties and frees leaves
  builder.checkpoint();
  builder.put_range(200, 206, 3, 24, 'b');  // takes pages back from the free list
  builder.del_range(100, 104, 4);
  expect_no_silent_loss(builder.take());
}

TEST(SectorDamage, CleanlyClosed4096) {
  SampleBuilder builder("closed-4096", 4096);
  builder.put_range(0, 150, 25, 40, 'a');
  builder.del_range(30, 60, 15);
  builder.close();
  expect_no_silent_loss(builder.take());
}

// ---- writes the disk acknowledged and lost, or put in the wrong place ------------

// A checkpoint writes pages the disk acknowledges; if one never reaches the
// media, the older image of the page stays, with a valid checksum of its
// own, after the WAL that held the new one was reset. The page digest in
// the meta page makes verify() see it; a page written at another page's
// offset fails that page's checksum as well.
void expect_lost_and_misdirected_writes_caught(SampleBuilder& builder) {
  const vfs::Bytes before = builder.data_file();
  builder.checkpoint();
  const Sample sample = builder.take();
  const vfs::Bytes& after = *sample.files.at(kDb);
  const uint64_t page_size = sample.options.page_size;
  Tally lost;
  Tally misdirected;
  uint64_t written = 0;
  for (uint64_t offset = 0; offset + page_size <= before.size(); offset += page_size) {
    if (std::equal(before.begin() + offset, before.begin() + offset + page_size, after.begin() + offset)) continue;
    ++written;
    const std::string page = "page " + std::to_string(offset / page_size);
    vfs::Bytes bytes = after;
    std::copy_n(before.begin() + offset, page_size, bytes.begin() + offset);
    judge_damage(sample, kDb, bytes, false, page + ": write lost", lost);
    const uint64_t elsewhere = (offset + page_size) % after.size();
    std::copy_n(after.begin() + offset, page_size, bytes.begin() + elsewhere);
    judge_damage(sample, kDb, bytes, false, page + ": written at offset " + std::to_string(elsewhere), misdirected);
  }
  report(sample, "lost    ", lost);
  report(sample, "misdir. ", misdirected);
  EXPECT_GT(written, 3u);
  EXPECT_EQ(lost.refused, written) << "every lost write of a live page must be seen";
  EXPECT_EQ(misdirected.refused, written);
}

TEST(LostWrites, ALostOrMisdirectedWriteOfAnyPageTheLastCheckpointWroteIsCaught512) {
  SampleBuilder builder("lost-writes-512", 512);
  builder.put_range(0, 120, 20, 24, 'a');
  builder.put_range(0, 4, 2, 1300, 'o');  // overflow chains
  builder.checkpoint();
  builder.put_range(40, 60, 10, 24, 'b');
  builder.del_range(80, 110, 10);
  builder.put_range(2, 3, 1, 900, 'p');
  expect_lost_and_misdirected_writes_caught(builder);
}

TEST(LostWrites, ALostOrMisdirectedWriteOfAnyPageTheLastCheckpointWroteIsCaught4096) {
  SampleBuilder builder("lost-writes-4096", 4096);
  builder.put_range(0, 400, 50, 40, 'a');
  builder.checkpoint();
  builder.put_range(100, 140, 20, 40, 'b');
  builder.del_range(300, 380, 40);
  expect_lost_and_misdirected_writes_caught(builder);
}

}  // namespace
}  // namespace engine
