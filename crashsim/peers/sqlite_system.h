// SQLite as a system under test.
//
// The store is one SQLite database "db" (with "db-journal" or "db-wal" beside
// it) opened through SqliteVfs (sqlite_vfs.h) on the simulator's Vfs, holding
// one table
//   CREATE TABLE kv(k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID
// A batch is one transaction (BEGIN; INSERT OR REPLACE / DELETE per op with
// prepared statements; COMMIT); OK means COMMIT returned SQLITE_OK.
//
// open() sets, before the first read: locking_mode=EXCLUSIVE in WAL mode
// (the shim has no shared memory; NORMAL otherwise, so that a rollback
// journal is deleted, truncated or kept exactly as the journal mode says:
// in EXCLUSIVE mode SQLite keeps a DELETE-mode journal and zeroes its
// header instead), page_size, journal_mode, synchronous, wal_autocheckpoint
// and temp_store=MEMORY; then creates the table if it is missing. Reading the
// schema is what runs SQLite's recovery (hot journal rollback, WAL index
// rebuild), so recovery happens inside open().
//
// checkpoint(): PRAGMA wal_checkpoint(PASSIVE) in WAL mode (what the
// autocheckpoint runs); kNotSupported in the rollback journal modes.
// verify(): PRAGMA integrity_check; each line other than "ok" is a
// "structure" finding.
// recovery_paths(): from SQLite's own notices (SQLITE_CONFIG_LOG):
//   wal-recovered         frames were recovered from the WAL (SQLITE_NOTICE_RECOVER_WAL)
//   journal-rolled-back   a hot journal was played back (SQLITE_NOTICE_RECOVER_ROLLBACK)
// They need SQLITE_CONFIG_LOG, which SQLite accepts only before it is
// initialised: in a process that initialised SQLite before the first
// SqliteSystem::open(), no recovery path is reported.
//
// Error mapping: SQLITE_CORRUPT and SQLITE_NOTADB are kCorruption, SQLITE_FULL
// kNoSpace, anything else kIoError; the message names the statement, SQLite's
// message and code, and the Vfs error behind it when there is one.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "crashsim/system_under_test.h"

namespace crashsim::peers {

struct SqliteOptions {
  enum class JournalMode : uint8_t { kDelete, kTruncate, kWal, kMemory, kOff };
  enum class Synchronous : uint8_t { kOff, kNormal, kFull, kExtra };
  // SQLite's own defaults.
  JournalMode journal_mode = JournalMode::kDelete;
  Synchronous synchronous = Synchronous::kFull;
  uint32_t page_size = 4096;
  uint32_t wal_autocheckpoint = 1000;  // pages; 0 turns the autocheckpoint off
};

// The pragma spellings: "delete", "truncate", "wal", "memory", "off"; "off",
// "normal", "full", "extra".
std::string_view journal_mode_name(SqliteOptions::JournalMode mode);
std::string_view synchronous_name(SqliteOptions::Synchronous level);

class SqliteSystem final : public SystemUnderTest {
 public:
  explicit SqliteSystem(SqliteOptions options = {}) : options_(options) {}

  // "sqlite[wal,full]"; page size and autocheckpoint follow when not SQLite's defaults.
  std::string name() const override;
  vfs::Result<std::unique_ptr<SutSession>> open(vfs::Vfs& vfs) override;
  // SQLite's file format, parsed without opening the database (sqlite_regions.h).
  std::vector<FileRegion> describe_regions(const DiskImage& image) const override;

 private:
  SqliteOptions options_;
};

}  // namespace crashsim::peers
