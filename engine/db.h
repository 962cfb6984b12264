// The engine's public API: an embedded, ordered key-value store on a B+tree.
//
// A database is a data file NAME and its write-ahead log NAME-wal beside it.
// Keys and values are byte strings; keys are ordered bytewise (memcmp).
//
// The promise, which the crash simulator checks on every crash state:
//   * once write() (or put/del) returns OK, the change survives a power loss
//     at any later instant;
//   * a batch is all or nothing, and committed batches become visible in
//     commit order;
//   * no crash leaves a structurally broken tree or a leaked page.
//
// Every call returns a Status or Result; no exception escapes this API. After
// a failed sync the database enters a failed state: every later write returns
// kFailedState naming the original failure, until it is closed and reopened
// (which runs recovery from what is really on disk). Reads keep working.
//
// A Db may be shared between threads (docs/concurrency.md). Writes are
// serialized, and concurrent ones share syncs (group commit); reads (get, cursors, snapshots) never wait for a write's sync
// or a checkpoint's I/O, only for the in-memory steps of a commit. Each read
// sees one committed state: a get the state when it starts, a cursor or a
// Snapshot the state when it was made, however many commits and checkpoints
// follow. One process at a time: open locks the data file (Options::lock_wait_ms).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/mutant.h"
#include "vfs/status.h"
#include "vfs/vfs.h"

namespace engine {

using vfs::Result;
using vfs::Status;

inline constexpr uint32_t kDefaultPageSize = 4096;
inline constexpr uint32_t kMinPageSize = 512;
inline constexpr uint32_t kMaxPageSize = 65536;
// Largest value accepted; larger values are refused with kInvalidArgument.
inline constexpr uint64_t kMaxValueSize = 64ull << 20;

// Largest key accepted for a page size (a little over a quarter of the page,
// so that any node holds at least three keys). Longer keys are refused.
uint32_t max_key_size(uint32_t page_size);

struct Options {
  // Page size for a new database: a power of two in [512, 65536]. 0 means
  // 4096 when creating and "whatever the file says" when opening; a non-zero
  // size that differs from an existing file's is refused with kInvalidArgument.
  uint32_t page_size = 0;
  // Create NAME and NAME-wal when NAME does not exist.
  bool create_if_missing = true;
  // Open without changing a byte: never create, write, truncate or sync
  // either file (create_if_missing is ignored). Recovery runs in memory only:
  // committed frames are read from the WAL where they lie instead of being
  // checkpointed, so reads see what a normal open would recover while the
  // files stay as found, which is what a tool needs to look at a crash state.
  // Writes and checkpoint() return kInvalidArgument; close() writes nothing.
  bool read_only = false;
  // Automatic checkpoint after this many commits since the last one (0: never
  // by count) or once the WAL holds this many bytes (0: never by size).
  // Checkpoints also run on clean close and at the end of recovery.
  uint32_t checkpoint_every_commits = 1000;
  uint64_t checkpoint_wal_bytes = 16ull << 20;
  // A checkpoint that leaves the WAL file longer than this cuts it back to
  // its header (0: never), as SQLite's journal_size_limit does; a clean close
  // always does. Above checkpoint_wal_bytes by default: a WAL cut at every
  // checkpoint would grow again by appends, which cost a journal commit each
  // on ext4 where overwrites in place do not. Only after the checkpoint has made the header of the new
  // generation durable, so what is cut is dead (docs/file-formats.md).
  uint64_t wal_size_limit = 64ull << 20;
  // Bound on the clean pages kept in memory (pages dirtied by the running
  // batch are held until it commits, whatever this says). A tree node that
  // get() has visited also keeps its key digest beside it, 10 bytes per key
  // in a leaf, 34 in an internal node (which links its children): a
  // twentieth more memory for leaves of 16-byte keys and 100-byte values,
  // about as much again as the page for internal nodes of such keys and for
  // leaves of the shortest entries. Internal nodes are under 1% of a tree.
  size_t cache_pages = 1024;
  // A deliberate defect; see engine/mutant.h. Refused when mutants are not compiled.
  Mutant mutant = Mutant::kNone;
  // Recovery's consistency refusals: a WAL generation two or more apart from
  // the data file's, a log that ends before the transaction the data file
  // was checkpointed at, a complete transaction or a newer generation's
  // frame past the end of the log, a meta frame behind the log, a frame past
  // the recovered page count, a short data file beside a WAL past generation
  // 1 (docs/file-formats.md, "Cross-checks"). Off, recovery goes on with what
  // it can read instead of refusing to open. For the crash harness, to show
  // which of its own invariants catches a defect without the engine's help;
  // checksums, identity checks (db_id, page size) and the tree's checks on
  // every node it reads stay on.
  bool cross_checks = true;
  // One writer, or any number of read-only openers, at a time: open takes an
  // exclusive lock on NAME (a shared one when read_only) through the Vfs and
  // holds it until close. When another opener holds a conflicting one, open
  // retries for up to this long, then fails with kBusy naming the file.
  uint32_t lock_wait_ms = 0;
  // Memory that snapshots and cursors behind the last commit may pin. A
  // checkpoint overwrites pages they still read; before it writes, it copies
  // their images into memory. When those copies would pass this bound, the
  // oldest snapshots expire first: every later read through one fails with
  // kExpired (never a wrong value). Counted per snapshot, a page at a time.
  uint64_t snapshot_memory_limit = 64ull << 20;
};

// A sequence of puts and deletes applied atomically by Db::write.
class WriteBatch {
 public:
  enum class OpKind : uint8_t { kPut, kDelete };
  struct Op {
    OpKind kind;
    std::string key;
    std::string value;  // empty for kDelete
  };

  void put(std::string_view key, std::string_view value) { ops_.push_back({OpKind::kPut, std::string(key), std::string(value)}); }
  void del(std::string_view key) { ops_.push_back({OpKind::kDelete, std::string(key), {}}); }
  void clear() { ops_.clear(); }
  bool empty() const { return ops_.empty(); }
  size_t size() const { return ops_.size(); }
  const std::vector<Op>& ops() const { return ops_; }

 private:
  std::vector<Op> ops_;
};

// Which recovery paths the last open took; the crash simulator reports them as coverage.
struct RecoveryInfo {
  uint64_t txns_replayed = 0;          // committed transactions found in the WAL and applied
  bool torn_tail_discarded = false;    // the log ended in a damaged or partial frame
  bool uncommitted_txn_dropped = false;  // intact frames of a transaction with no commit marker were ignored
  bool stale_frames_ignored = false;   // frames of an older WAL generation followed the end of the log
  // The WAL header was missing, torn, damaged (and rebuilt from the frames) or one generation behind.
  bool wal_header_rewritten = false;
  bool checkpoint_redone = false;      // recovery checkpointed the replayed transactions
};

struct Stats {
  uint32_t page_size = 0;
  uint64_t page_count = 0;   // pages in the database, including the meta page
  uint32_t depth = 0;        // levels from root to leaves; 1 for a lone leaf root
  uint64_t free_pages = 0;   // pages on the free list
  uint64_t wal_bytes = 0;    // bytes of the WAL in use (header plus current-generation frames)
  uint64_t key_count = 0;
  uint64_t commits = 0;      // since open
  uint64_t checkpoints = 0;  // since open
  uint64_t wal_syncs = 0;    // since open
  uint64_t data_syncs = 0;   // since open
  RecoveryInfo recovery;
};

// One violated invariant found by Db::verify().
struct Violation {
  enum class Kind : uint8_t {
    kBadPage,        // unreadable page, bad checksum, or unknown page type
    kKeyOrder,       // keys within a node out of order
    kSeparator,      // a child's keys fall outside the bounds its parent gives it
    kDepth,          // leaves at different depths
    kPageType,       // a child of the wrong type (e.g. an overflow page as a tree node)
    kFill,           // a non-root node below its minimum fill
    kOverflowChain,  // an overflow chain of the wrong length or looping
    kDoubleReference,  // a page reachable twice (from the tree, the free list, or both)
    kLeak,           // a page neither reachable nor on the free list
    kMeta,           // meta page fields that contradict the file (counts, root out of range)
  };
  Kind kind;
  uint64_t page;        // the page at fault (0 for the meta page)
  std::string message;  // human-readable, names the page and what was expected
};

std::string_view violation_kind_name(Violation::Kind kind);

struct VerifyReport {
  std::vector<Violation> violations;
  uint64_t pages_checked = 0;
  uint64_t keys_checked = 0;
  bool ok() const { return violations.empty(); }
};

// Ordered iteration over committed data. A cursor is positioned on an entry
// or is invalid (past the end, or after an error; status() tells which). It
// reads the state committed when it was made (Db::new_cursor) or its
// snapshot's (Snapshot::new_cursor), whatever commits after. Past
// Options::snapshot_memory_limit, a cursor of Db::new_cursor moves on in the
// last commit (from the first key after its current one) where a
// snapshot's cursor fails with kExpired.
class Cursor {
 public:
  virtual ~Cursor() = default;
  // Positions on the first key >= `key`.
  virtual void seek(std::string_view key) = 0;
  // Positions on the last key <= `key`.
  virtual void seek_for_prev(std::string_view key) = 0;
  virtual void seek_to_first() = 0;
  virtual void seek_to_last() = 0;
  virtual bool valid() const = 0;
  // The next key, or invalid past the last one.
  virtual void next() = 0;
  // The previous key, or invalid before the first one.
  virtual void prev() = 0;
  // Only while valid(); the views stay good until the next call on the cursor.
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  // OK unless an I/O or corruption error stopped the cursor.
  virtual Status status() const = 0;
};

// A read transaction: every read through it sees the state of one commit,
// the last one before Db::snapshot() returned, until it is destroyed. It
// pins pages that later checkpoints overwrite (Options::snapshot_memory_limit).
// May outlive the Db: its reads then fail.
class Snapshot {
 public:
  virtual ~Snapshot() = default;
  // The sequence number of the commit it reads (1 for the database's creation).
  virtual uint64_t sequence() const = 0;
  // The value of `key` at that commit; kNotFound when absent, kExpired when
  // the snapshot has expired.
  virtual Status get(std::string_view key, std::string* value) = 0;
  virtual Result<std::unique_ptr<Cursor>> new_cursor() = 0;
};

class Db {
 public:
  // Opens (creating when allowed and absent) the database at `path` on `vfs`,
  // running recovery from the WAL. The Vfs must outlive the Db.
  static Result<std::unique_ptr<Db>> open(vfs::Vfs& vfs, const std::string& path, const Options& options);

  // Closes the database, checkpointing when healthy. Errors are dropped; call close() to see them.
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Applies the batch atomically and durably. An empty batch is a no-op.
  // Writes from several threads share syncs (group commit): a writer that
  // finds others waiting writes their batches with its own, each as its own
  // transaction in the order they came, in one WAL write and one sync, and
  // only then acknowledges each.
  Status write(const WriteBatch& batch);
  // Writes `batches` in order, each atomically as its own transaction, as
  // the writes of so many threads would be: in groups that share a WAL write
  // and a sync (with other threads' writes too). Each batch's verdict is
  // reported to `on_done(index, status)` as soon as it is decided, in order,
  // possibly on another writer's thread and under the database's locks, so
  // on_done must not call this Db, nor throw. Returns the first batch's error, else OK.
  Status write_group(std::span<const WriteBatch> batches,
                     const std::function<void(size_t, const Status&)>& on_done = {});
  Status put(std::string_view key, std::string_view value);
  // Deleting an absent key succeeds and changes nothing.
  Status del(std::string_view key);

  // Committed value of `key`; kNotFound when absent.
  Status get(std::string_view key, std::string* value);

  // A cursor over the state committed now.
  Result<std::unique_ptr<Cursor>> new_cursor();

  Result<std::unique_ptr<Snapshot>> snapshot();

  // Copies every committed page from the WAL into the data file, syncs it,
  // then resets the WAL (see docs/file-formats.md).
  Status checkpoint();

  // One pass over the whole file; reports violations as data.
  Result<VerifyReport> verify();

  Result<Stats> stats();

  // Checkpoints (when healthy) and releases the files. Idempotent.
  Status close();

  struct Impl;

 private:
  explicit Db(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace engine
