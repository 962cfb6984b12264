#include "scenarios/peer_systems.h"

#include <array>

#include "crashsim/peers/leveldb_system.h"
#include "crashsim/peers/sqlite_system.h"

namespace catalog {

namespace {

using crashsim::peers::LeveldbOptions;
using crashsim::peers::SqliteOptions;
using reports::Need;
using reports::ObjectReader;

constexpr uint32_t kSqliteMinPageSize = 512;
constexpr uint32_t kSqliteMaxPageSize = 65536;
constexpr uint32_t kMaxAutocheckpoint = INT32_MAX;
// LevelDB clamps write_buffer_size into this range (SanitizeOptions); the
// catalog refuses what LevelDB would silently change.
constexpr uint64_t kMinWriteBuffer = 64 << 10;
constexpr uint64_t kMaxWriteBuffer = 1 << 30;

constexpr std::array kJournalModes = {SqliteOptions::JournalMode::kDelete, SqliteOptions::JournalMode::kTruncate,
                                      SqliteOptions::JournalMode::kWal, SqliteOptions::JournalMode::kMemory,
                                      SqliteOptions::JournalMode::kOff};
constexpr std::array kSynchronous = {SqliteOptions::Synchronous::kOff, SqliteOptions::Synchronous::kNormal,
                                     SqliteOptions::Synchronous::kFull, SqliteOptions::Synchronous::kExtra};

// Reads `key` as one of `values`, named by `name_of`, into `out`.
template <class T, size_t N, class NameOf>
void read_choice(const ObjectReader& o, std::string_view key, const std::array<T, N>& values, NameOf name_of, T& out) {
  std::optional<reports::JsonValue> v = o.member(key, Need::kOptional);
  if (!v) return;
  std::array<std::string_view, N> names;
  for (size_t i = 0; i < N; ++i) names[i] = name_of(values[i]);
  if (std::optional<size_t> i = v->as_name(names, key)) out = values[*i];
}

SystemSetup read_sqlite(const ObjectReader& o) {
  SqliteOptions s;
  read_choice(o, "journal_mode", kJournalModes, crashsim::peers::journal_mode_name, s.journal_mode);
  read_choice(o, "synchronous", kSynchronous, crashsim::peers::synchronous_name, s.synchronous);
  read_power_of_two(o, "page_size", kSqliteMinPageSize, kSqliteMaxPageSize, s.page_size);
  if (o.read_uint("checkpoint", Need::kOptional, 0, kMaxAutocheckpoint, s.wal_autocheckpoint) &&
      s.journal_mode != SqliteOptions::JournalMode::kWal)
    o.member("checkpoint", Need::kOptional)
        ->problem("checkpoint (wal_autocheckpoint) applies to journal_mode \"wal\" only, not \"" +
                  std::string(crashsim::peers::journal_mode_name(s.journal_mode)) + "\"");
  SystemSetup setup;
  setup.make = [s] { return std::make_unique<crashsim::peers::SqliteSystem>(s); };
  setup.settings = {{"journal_mode", crashsim::peers::journal_mode_name(s.journal_mode)},
                    {"synchronous", crashsim::peers::synchronous_name(s.synchronous)},
                    {"page_size", s.page_size}};
  if (s.journal_mode == SqliteOptions::JournalMode::kWal) setup.settings["checkpoint"] = s.wal_autocheckpoint;
  return setup;
}

SystemSetup read_leveldb(const ObjectReader& o) {
  LeveldbOptions l;
  o.read_bool("sync", Need::kOptional, l.sync);
  o.read_bool("paranoid_checks", Need::kOptional, l.paranoid_checks);
  o.read_bool("verify_checksums", Need::kOptional, l.verify_checksums);
  o.read_uint("write_buffer_size", Need::kOptional, kMinWriteBuffer, kMaxWriteBuffer, l.write_buffer_size);
  SystemSetup setup;
  setup.make = [l] { return std::make_unique<crashsim::peers::LeveldbSystem>(l); };
  setup.settings = {{"sync", l.sync},
                    {"paranoid_checks", l.paranoid_checks},
                    {"verify_checksums", l.verify_checksums},
                    {"write_buffer_size", l.write_buffer_size}};
  return setup;
}

}  // namespace

SystemKind sqlite_kind() {
  return {"sqlite", {"journal_mode", "synchronous", "page_size", "checkpoint"}, 65536, read_sqlite};
}

SystemKind leveldb_kind() {
  return {"leveldb", {"sync", "paranoid_checks", "verify_checksums", "write_buffer_size"}, 65536, read_leveldb};
}

}  // namespace catalog
