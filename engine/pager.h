// Pager: pages in, pages out, atomically and durably.
//
// The pager owns the data file, the WAL, the page cache, the meta page and
// the free list. The tree layer above it sees only numbered pages and a Meta
// it carries through each write transaction. Nothing here knows what a key is.
//
// Write path (one transaction at a time; commit() is stage() + flush(), and
// several transactions may be staged before one flush: group commit):
//   Meta m = pager.begin();               // the one read of the metadata for this operation
//   Page* p = pager.get_mutable(n);       // copy-on-first-write into the transaction
//   Page* q = pager.allocate(m);          // from the free list, else grows m.page_count
//   pager.free(m, n);                     // pending until the transaction is durable
//   pager.commit(m);                      // frames + commit marker to the WAL, one sync
// A commit appends every dirtied page image, the meta page last, to the WAL in
// one write; the meta page's frame carries the commit marker. It then syncs
// the WAL once and only then returns OK. The data file is written only by a
// checkpoint: data pages -> sync data file -> reset the WAL header to the next
// generation -> sync the WAL (the fix plan's rule 2).
//
// Read path: get(n) returns the newest image visible: the running
// transaction's own copy inside a transaction, else the committed image from
// the cache, the WAL (latest committed frame for n) or the data file, checked
// against its checksum when it comes from disk.
//
// Readers beside a writer (docs/concurrency.md): the caller serializes every
// call with the readers' lock (engine/readers_lock.h), held exclusively;
// only find_cached(), mark_of() and still_lent() may be called by many threads at
// once under a shared hold, and the one writer may run a write transaction
// (begin() to stage(), with get() and rollback()) beside them under a shared
// hold of its own: a transaction changes nothing readers read (its reads past
// the cache enter it only when a flush publishes). commit(), flush() and
// checkpoint() may be handed that lock and then release it while they write
// and sync, taking it back whenever they change what a reader sees; so a read
// never waits for a sync, a commit's write or a checkpoint's I/O. flush() may
// also be handed it unheld: it takes it once its write and sync are done (to
// publish, or to drop what it staged) and keeps it through an automatic
// checkpoint, so it returns with the lock held unless it failed before
// writing. While the lock is released,
// readers see the last published commit, and may read only through get_at()
// and get_borrowed(), which never see the running transaction. A read point
// (read_point()) keeps one commit's state readable for as long as it is
// held: a checkpoint first copies into it the images it is about to
// overwrite.
//
// Failure: once a sync fails, the pager is in a failed state; every later
// begin()/commit()/checkpoint() returns kFailedState naming the original
// failure. Reads keep working from what the pager already holds or can read.
// Recovery (reopen) is the only way out.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/db.h"
#include "engine/page.h"
#include "engine/page_reader.h"
#include "engine/readers_lock.h"
#include "vfs/vfs.h"

namespace engine {

// The contents of the meta page (page 0). Encoded layout in docs/file-formats.md.
struct Meta {
  uint32_t page_size = 0;
  uint64_t db_id = 0;           // random at creation; the WAL header repeats it
  PageNo root = kNoPage;        // kNoPage: the tree is empty
  uint32_t depth = 0;           // 0 for an empty tree, 1 for a lone leaf root
  uint32_t page_count = 0;      // pages 0..page_count-1 exist (in the data file or the WAL)
  PageNo freelist_head = kNoPage;
  uint32_t freelist_count = 0;
  uint64_t key_count = 0;
  uint64_t txn_seq = 0;         // sequence number of the last committed transaction
  uint64_t wal_generation = 0;  // generation the WAL was last reset to
  // XOR of page_digest_term(pgno, checksum) over the committed images of
  // pages 1..page_count-1 (engine/page.h): kept by every commit, checked by
  // verify(), so that a lost or stale write of a page cannot pass unseen.
  uint64_t page_digest = 0;
};

struct PagerOptions {
  uint32_t page_size = 0;  // as Options::page_size
  bool create_if_missing = true;
  bool read_only = false;  // as Options::read_only
  uint32_t checkpoint_every_commits = 1000;
  uint64_t checkpoint_wal_bytes = 16ull << 20;
  uint64_t wal_size_limit = 64ull << 20;  // as Options::wal_size_limit
  size_t cache_pages = 1024;
  Mutant mutant = Mutant::kNone;
  bool cross_checks = true;  // as Options::cross_checks
  uint32_t lock_wait_ms = 0;  // as Options::lock_wait_ms
  uint64_t snapshot_memory_limit = 64ull << 20;  // as Options::snapshot_memory_limit
};

// The state one commit left, held readable for a snapshot or a cursor. Made
// by Pager::read_point() and read through Pager::get_at(); the pager updates
// it (under the readers' lock) as later checkpoints run, until the last
// reference is dropped.
struct ReadPoint {
  Meta meta;  // the commit's meta: its root, depth and page count
  // Frames of the current WAL generation in slots from `tail` on were
  // written after this commit. Every checkpoint sets it to 0: by then
  // `kept` holds every image of the point that the data file lost.
  uint64_t tail = 0;
  // Images of this commit that a checkpoint was about to overwrite (in the
  // data file, or in WAL slots the next generation reuses), kept in memory.
  std::unordered_map<PageNo, PageRef> kept;
  // Set (by expire()) when keeping them would have taken the read points
  // past PagerOptions::snapshot_memory_limit: every later read fails with it.
  std::optional<Status> expired;
  // True once `expired` is set. Read without the readers' lock by a cursor
  // that steps within the leaf it holds (engine/cursor.cc); `expired`
  // itself is read and written only under that lock.
  std::atomic<bool> has_expired{false};

  // Fails every later read of this point with `why` and drops its images.
  void expire(Status why) {
    expired = std::move(why);
    kept.clear();
    has_expired.store(true, std::memory_order_release);
  }
};

struct PagerStats {
  uint64_t wal_bytes = 0;
  uint64_t commits = 0;
  uint64_t checkpoints = 0;
  uint64_t wal_syncs = 0;
  uint64_t data_syncs = 0;
};

class Pager : public PageReader {
 public:
  // Opens or creates NAME and NAME-wal and runs recovery. A new database gets
  // a meta page with an empty tree (root = kNoPage), committed through the WAL.
  // With options.read_only, opens both files for reading only (a missing WAL
  // reads as empty) and keeps what recovery found in memory: begin() and
  // checkpoint() are refused and nothing is ever written.
  // Before it reads or writes either file, open locks NAME through the Vfs
  // (exclusive, or shared when read_only; kBusy when another opener holds a
  // conflicting lock past options.lock_wait_ms); the pager holds the lock
  // until it is destroyed, after its files are closed.
  static Result<std::unique_ptr<Pager>> open(vfs::Vfs& vfs, const std::string& path, const PagerOptions& options);

  virtual ~Pager() = default;

  virtual Mutant mutant() const = 0;
  // The last committed meta.
  virtual const Meta& meta() const = 0;

  // The newest visible image of page `pgno` (see Read path above).
  // kCorruption for a bad checksum or a page past the end of the file,
  // kInvalidArgument for pgno >= page_count.
  Result<PageRef> get(PageNo pgno) override = 0;
  // The committed image of `pgno`: as get(), but never the running
  // transaction's copy, so a reader beside a writer's commit may call it.
  virtual Result<PageRef> get_committed(PageNo pgno) = 0;
  // The committed image of `pgno` as get() finds it outside a transaction,
  // but borrowed: no reference is taken (a shared reference costs two
  // atomic operations per node a point read visits), so the image is valid
  // only until the next call on this pager, which may evict it. Never the
  // running transaction's copy.
  virtual Result<const Page*> get_borrowed(PageNo pgno) = 0;
  // Where `image`, the image get_borrowed() or find_cached() lent for
  // `pgno`, is held: a caller may keep that image (or what it points into)
  // past later calls for as long as still_lent(mark). Empty (never lent)
  // when the cache does not hold it, as for an image read past a cache of
  // 0 pages, which lives only until the next call.
  virtual BorrowMark mark_of(PageNo pgno, const Page* image) const = 0;
  // True while the image `mark` was taken for stays alive and stays its
  // page's committed image. Only a cache insert that replaces or evicts that
  // very image ends it (a miss that evicts it, a commit that rewrites its
  // page): images the last commit left alone keep their marks.
  virtual bool still_lent(BorrowMark mark) const = 0;
  // The committed image of `pgno` if the cache holds it, else null (also
  // for a page past the last commit's end, or a closed pager): get_borrowed
  // without the read it may do on a miss. It changes nothing but the page's
  // use mark (set atomically), so threads holding the readers' lock shared
  // may call it at once; the image stays valid while they hold it.
  virtual const Page* find_cached(PageNo pgno) = 0;

  // Starts the write transaction and returns the meta for it to carry: the
  // last staged transaction's, else the last committed.
  virtual Result<Meta> begin() = 0;
  // The transaction's own writable copy of `pgno` (made on first call).
  virtual Result<Page*> get_mutable(PageNo pgno) = 0;
  // A zero-filled page of the transaction, typed `type`: taken from the free
  // list (pages freed by committed transactions only) or appended.
  virtual Result<Page*> allocate(Meta& meta, PageType type) = 0;
  // Puts `pgno` on the free list when the transaction commits. Freeing a page
  // twice in one transaction is a bug and is refused.
  virtual Status free(Meta& meta, PageNo pgno) = 0;
  // The last published commit as a read point: the same object again while
  // no commit has followed and someone still holds it.
  virtual std::shared_ptr<ReadPoint> read_point() = 0;
  // The image of `pgno` as `point`'s commit left it. `point.expired` when it
  // has expired; kInvalidArgument past its page count.
  virtual Result<PageRef> get_at(const ReadPoint& point, PageNo pgno) = 0;

  // Commits the transaction durably (stage, then flush); may run an
  // automatic checkpoint after. With `readers_lock` (the caller's lock on the
  // readers' mutex), releases it for the WAL write and sync and for the
  // checkpoint's I/O, and holds it again on return.
  Status commit(Meta& meta, std::unique_lock<ReadersLock>* readers_lock = nullptr);
  // Group commit, in two steps. stage() ends the transaction without any
  // I/O: it gets its sequence number and frames, and the next begin() starts
  // from it, but readers do not see it and nothing promises it yet. flush()
  // writes every staged transaction in one write, syncs once, then publishes
  // them to readers in order (readers_lock as for commit()), and may run an
  // automatic checkpoint. When flush() fails, every staged transaction is
  // dropped and the next begin() starts from the last published commit; a
  // failed sync, or a failed write of more than one transaction, also enters
  // the failed state (docs/concurrency.md says why).
  virtual Status stage(Meta& meta) = 0;
  virtual Status flush(std::unique_lock<ReadersLock>* readers_lock = nullptr) = 0;
  // Drops the transaction's pages and pending frees.
  virtual void rollback() = 0;
  // Drops every staged transaction unwritten, as a failed flush() does, for
  // a caller that can no longer flush what it staged; the next begin()
  // starts from the last published commit.
  virtual void drop_staged() = 0;

  // As commit() for `readers_lock`.
  virtual Status checkpoint(std::unique_lock<ReadersLock>* readers_lock = nullptr) = 0;

  // Page numbers on the free list, in list order, for verify(). Reports
  // kCorruption for a loop or a page of the wrong type on the list.
  virtual Result<std::vector<PageNo>> free_list() = 0;

  virtual PagerStats stats() const = 0;
  virtual const RecoveryInfo& recovery_info() const = 0;

  // Checkpoints when healthy, closes both files, then releases the lock
  // open() took. Idempotent.
  Status close();

 protected:
  // close() without the lock: the implementation's checkpoint and files.
  virtual Status close_files() = 0;

 private:
  // Taken by open(); released after the files are closed (by close(), or
  // by the destructor after the derived pager's members are gone).
  std::unique_ptr<vfs::FileLock> lock_;
};

// The pager's committed pages, as a PageReader that a reader beside a
// writer's commit may use (Pager::get would serve the writer's copies).
class CommittedReader final : public PageReader {
 public:
  explicit CommittedReader(Pager& pager) : pager_(pager) {}
  uint32_t page_size() const override { return pager_.page_size(); }
  const std::string& path() const override { return pager_.path(); }
  Result<PageRef> get(PageNo pgno) override { return pager_.get_committed(pgno); }

 private:
  Pager& pager_;
};

// The pages `point`'s commit left, as a PageReader.
class SnapshotReader final : public PageReader {
 public:
  SnapshotReader(Pager& pager, const ReadPoint& point) : pager_(pager), point_(point) {}
  uint32_t page_size() const override { return pager_.page_size(); }
  const std::string& path() const override { return pager_.path(); }
  Result<PageRef> get(PageNo pgno) override { return pager_.get_at(point_, pgno); }

 private:
  Pager& pager_;
  const ReadPoint& point_;
};

}  // namespace engine
