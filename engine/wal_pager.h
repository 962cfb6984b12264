// WalPager: the Pager of engine/pager.h over a data file and a WAL that is
// reused in place. Pager::open (pager.cc) builds one after recovery or
// creation; everything after open happens here.
//
// Invariants between calls:
//   * committed_ is the meta of the last durable transaction, and its
//     wal_generation is the generation of the WAL header on disk;
//   * wal_index_ maps every page written since the last checkpoint to the
//     slot of its latest committed frame, all below wal_tail_, and
//     prev_slot_ links each committed frame to the same page's frame
//     before it in this generation (a read point reads the newest frame
//     below its tail);
//   * a read point's image of a page is in its `kept` map, else the
//     newest frame below its tail, else the data file: a checkpoint copies
//     into `kept` every image it is about to overwrite before it writes;
//   * the cache holds only committed images (the same bytes as the WAL or
//     the data file would return); staged transactions' images live in
//     staged_images_ until a flush publishes them;
//   * a write transaction never changes the cache: the committed images it
//     reads past the cache wait in writer_reads_ until a flush publishes,
//     so that it may run beside readers holding the lock shared;
//   * checkpoint_pending_ is true when the current generation holds
//     committed frames (or recovery left a header to rewrite): only then
//     does a checkpoint have work. Frames of a failed write do not count:
//     the next write overwrites them under a new nonce.
//
// A read-only pager (PagerOptions::read_only) holds what recovery found and
// never writes: check_writable() refuses every write transaction and
// checkpoint, and close() skips the checkpoint recovery asked for.
//
// Destroying a WalPager without close() releases the files without a
// checkpoint, which loses nothing: it is what a crash does.
// Calls are serialized by the caller's readers' lock (pager.h), except:
// a write transaction's calls (begin to stage, and drop_staged) run under a
// shared hold or none; flush() runs without it until it publishes (or drops
// what it staged); and the I/O of a checkpoint runs without it. All of
// these are the writer's, serialized by the caller's write_mu.
// They touch only the writer's own state (writer_, failed_, the pages they
// took beforehand) and bytes of the files no reader reads meanwhile; readers
// may read other bytes of the same files. The counters are atomic because
// stats() may read them meanwhile.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "engine/page_cache.h"
#include "engine/pager.h"
#include "engine/recovery.h"
#include "engine/wal_writer.h"
#include "vfs/vfs.h"

namespace engine {

class WalPager final : public Pager {
 public:
  // Takes over the open files and the recovered (or newly created) state;
  // `wal_size` is the WAL's size now. Does not touch the disk.
  WalPager(std::string path, const PagerOptions& options, std::unique_ptr<vfs::File> data,
           std::unique_ptr<vfs::File> wal, uint64_t wal_size, RecoveredState state);

  uint32_t page_size() const override { return committed_.page_size; }
  Mutant mutant() const override { return options_.mutant; }
  const std::string& path() const override { return path_; }
  const Meta& meta() const override { return committed_; }

  Result<PageRef> get(PageNo pgno) override;
  Result<PageRef> get_committed(PageNo pgno) override;
  Result<const Page*> get_borrowed(PageNo pgno) override;
  BorrowMark mark_of(PageNo pgno, const Page* image) const override { return cache_.mark_of(pgno, image); }
  bool still_lent(BorrowMark mark) const override { return cache_.holds(mark); }
  const Page* find_cached(PageNo pgno) override;
  std::shared_ptr<ReadPoint> read_point() override;
  Result<PageRef> get_at(const ReadPoint& point, PageNo pgno) override;
  Result<Meta> begin() override;
  Result<Page*> get_mutable(PageNo pgno) override;
  Result<Page*> allocate(Meta& meta, PageType type) override;
  Status free(Meta& meta, PageNo pgno) override;
  Status stage(Meta& meta) override;
  Status flush(std::unique_lock<ReadersLock>* readers_lock = nullptr) override;
  void rollback() override;
  void drop_staged() override;
  Status checkpoint(std::unique_lock<ReadersLock>* readers_lock = nullptr) override;
  Result<std::vector<PageNo>> free_list() override;
  PagerStats stats() const override;
  const RecoveryInfo& recovery_info() const override { return recovery_info_; }
  Status close_files() override;

  // Writes the header of `generation` and syncs the WAL: the first step of
  // a new database, and the reset at the end of a checkpoint.
  Status start_wal_generation(uint64_t generation);
  // Runs the whole checkpoint protocol, even with an empty WAL index (after
  // recovery the header may need rewriting).
  Status checkpoint_now(std::unique_lock<ReadersLock>* readers_lock = nullptr);

  void set_checkpoint_redone() { recovery_info_.checkpoint_redone = true; }
  // Pages held by the cache (tests check the bound).
  size_t cached_pages() const { return cache_.size(); }

 private:
  struct Transaction {
    // The transaction's own images. Each lives in its own allocation, so the
    // Page* handed out by get_mutable()/allocate() stays valid until commit
    // or rollback however the map rehashes.
    std::unordered_map<PageNo, std::shared_ptr<Page>> dirty;
    std::vector<PageNo> pending_free;                          // in the order free() was called
    std::unordered_set<PageNo> pending_free_set;
    // The digest terms (Meta::page_digest) of the committed images the
    // transaction replaces, XORed in as each page joins it (copied, taken
    // off the free list, or freed); the commit XORs in the terms of the new
    // images. A page the transaction appends replaces no image.
    uint64_t replaced_terms = 0;
  };

  // A transaction stage() ended: the images of its pages and its meta page,
  // sealed, in frame order (the meta page last).
  struct StagedTxn {
    Meta meta;
    std::vector<std::shared_ptr<Page>> pages;
    std::shared_ptr<Page> meta_page;
  };
  // The meta the next transaction starts from.
  const Meta& tip() const { return staged_.empty() ? committed_ : staged_.back().meta; }
  // The image a transaction's change to `pgno` replaces: the newest staged
  // one, else the committed one.
  Result<PageRef> base_image(PageNo pgno);
  // flush() but for exceptions, which it turns into the failed state.
  Status flush_staged(std::unique_lock<ReadersLock>* readers_lock);

  // OK when a write may start: the pager is open and not failed.
  Status check_writable(const char* op) const;
  // Records the first failed sync (or WAL header write): the failed state.
  void enter_failed_state(const Status& cause);
  Status failed_state_error() const;

  // OK when committed page `pgno` may be read: the pager is open and pgno < page_count.
  Status check_readable(PageNo pgno) const;
  Result<PageRef> read_committed(PageNo pgno);
  Result<PageRef> read_data_page(PageNo pgno);
  // Pushes the transaction's freed pages onto meta's free list as free
  // pages; kCorruption when the list's head and count contradict each other.
  Status push_pending_frees(Meta& meta);
  // The commit's sync of the WAL, counted; the failed state is the caller's.
  Status sync_commit();
  // Syncs `file`, counting it; a failure enters the failed state.
  Status sync_file(vfs::File& file, std::atomic<uint64_t>& counter);
  Status sync_data_file();
  // A page a checkpoint copies: its latest frame, and its image when the cache has it.
  struct CheckpointPage {
    PageNo pgno;
    uint64_t slot;
    PageRef image;
  };
  std::vector<CheckpointPage> checkpoint_pages();
  // Every I/O step of a checkpoint of `generation`, on the pages it copies.
  Status checkpoint_steps(uint64_t generation, std::vector<CheckpointPage> pages);
  Status write_checkpoint_pages(std::vector<CheckpointPage> pages);
  // Before a checkpoint writes: copies into every live read point behind
  // the last commit the images of it the checkpoint will overwrite, and
  // expires the oldest points when they would pass snapshot_memory_limit.
  void keep_images_for_read_points(std::unique_lock<ReadersLock>* readers_lock);
  // Right after a checkpoint: cuts the WAL back to its header and syncs it
  // when the file is longer than `limit` bytes.
  Status shrink_wal_beyond(uint64_t limit);
  uint64_t wal_bytes() const;
  bool checkpoint_due() const;

  const std::string path_;
  const PagerOptions options_;
  std::unique_ptr<vfs::File> data_;
  std::unique_ptr<vfs::File> wal_;
  WalWriter writer_;

  Meta committed_;
  std::unordered_map<PageNo, uint64_t> wal_index_;
  static constexpr uint64_t kNoSlot = UINT64_MAX;
  std::vector<uint64_t> prev_slot_;  // by slot; kNoSlot for a page's first frame
  uint64_t wal_tail_;
  // Every read point handed out and perhaps still held, oldest first.
  std::vector<std::weak_ptr<ReadPoint>> points_;
  bool checkpoint_pending_;
  // Each write of a transaction gets nonce mix64(nonce_seed_ + attempt):
  // distinct between attempts, and between runs through the random seed.
  const uint64_t nonce_seed_;
  uint64_t write_attempts_ = 0;
  uint64_t commits_since_checkpoint_ = 0;
  PageCache cache_;
  // The image get_borrowed() last found outside the cache: it stays alive until the
  // next call even when the cache does not keep it (a cache of 0 pages).
  PageRef borrowed_;
  std::optional<Transaction> txn_;
  // Staged transactions, oldest first, and the newest staged image of each
  // page they wrote. Only the writer touches them; readers never see them.
  std::vector<StagedTxn> staged_;
  std::unordered_map<PageNo, std::shared_ptr<Page>> staged_images_;
  // Committed images that write transactions read past the cache, kept
  // across transactions (and groups that stage nothing) until a flush
  // publishes them into the cache or drops what was staged. At most the
  // cache's capacity: a read that finds it full clears it first. Only the
  // writer touches them.
  std::unordered_map<PageNo, PageRef> writer_reads_;

  std::optional<Status> failed_;  // the failure that poisoned the pager
  bool closed_ = false;
  struct Counters {
    std::atomic<uint64_t> commits{0};
    std::atomic<uint64_t> checkpoints{0};
    std::atomic<uint64_t> wal_syncs{0};
    std::atomic<uint64_t> data_syncs{0};
  } counters_;
  RecoveryInfo recovery_info_;
};

}  // namespace engine
