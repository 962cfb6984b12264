#include "engine/wal_pager.h"

#include <algorithm>
#include <bit>
#include <exception>
#include <map>
#include <utility>

#include "engine/entropy.h"
#include "engine/free_list.h"
#include "engine/meta.h"
#include "engine/wal_reader.h"

namespace engine {
namespace {

// A checkpoint writes runs of consecutive pages with one write_at each, up to this size.
constexpr size_t kMaxCheckpointWriteBytes = 1 << 20;

// How many more times Mutant::kRetryFailedFsync calls a failed sync again.
constexpr int kSyncRetries = 3;

std::string page_str(PageNo pgno) { return "page " + std::to_string(pgno); }

// Releases the readers' lock (when there is one, and it is held) for a
// stretch of the writer's own I/O, and holds it at the end of the stretch.
class ReadersLockReleased {
 public:
  explicit ReadersLockReleased(std::unique_lock<ReadersLock>* lock) : lock_(lock) {
    if (lock_ != nullptr && lock_->owns_lock()) lock_->unlock();
  }
  ~ReadersLockReleased() {
    if (lock_ != nullptr) lock_->lock();
  }
  ReadersLockReleased(const ReadersLockReleased&) = delete;
  ReadersLockReleased& operator=(const ReadersLockReleased&) = delete;

 private:
  std::unique_lock<ReadersLock>* lock_;
};

}  // namespace

WalPager::WalPager(std::string path, const PagerOptions& options, std::unique_ptr<vfs::File> data,
                   std::unique_ptr<vfs::File> wal, uint64_t wal_size, RecoveredState state)
    : path_(std::move(path)),
      options_(options),
      data_(std::move(data)),
      wal_(std::move(wal)),
      writer_(*wal_, state.meta.page_size, state.meta.db_id, options.mutant, wal_size),
      committed_(state.meta),
      wal_index_(std::move(state.wal_index)),
      wal_tail_(state.wal_tail),
      checkpoint_pending_(state.needs_checkpoint),
      nonce_seed_(random_u64()),
      cache_(options.cache_pages),
      recovery_info_(state.info) {}

// ---- state checks ------------------------------------------------------

Status WalPager::check_writable(const char* op) const {
  if (closed_) return Status::invalid_argument(std::string(op) + " " + path_ + ": the pager is closed");
  if (options_.read_only) return Status::invalid_argument(std::string(op) + " " + path_ + ": the database is open read-only");
  if (failed_) return failed_state_error();
  return Status();
}

void WalPager::enter_failed_state(const Status& cause) {
  if (!failed_) failed_ = cause;
}

Status WalPager::failed_state_error() const {
  return Status::failed_state("database is in a failed state after: " + failed_->message() +
                              "; reopen to recover");
}

// ---- reads ---------------------------------------------------------------

Result<PageRef> WalPager::get(PageNo pgno) {
  if (txn_) {
    if (const auto it = txn_->dirty.find(pgno); it != txn_->dirty.end()) return PageRef(it->second);
  }
  return base_image(pgno);
}

Result<PageRef> WalPager::base_image(PageNo pgno) {
  if (const auto it = staged_images_.find(pgno); it != staged_images_.end()) return PageRef(it->second);
  if (!txn_) return get_committed(pgno);
  // Inside a transaction, which may run beside readers holding the lock
  // shared: a miss must not insert into the cache (it could evict an image
  // a reader borrowed), so the image waits in writer_reads_ for a publish.
  RETURN_IF_ERROR(check_readable(pgno));
  if (PageRef page = cache_.lookup(pgno)) return page;
  if (const auto it = writer_reads_.find(pgno); it != writer_reads_.end()) return it->second;
  ASSIGN_OR_RETURN(PageRef page, read_committed(pgno));
  if (cache_.capacity() > 0) {
    // Full: start over rather than keep nothing more, so that the page
    // just read is there for the next step (a descent reads a page, then
    // copies it), as the cache's own eviction would have kept it.
    if (writer_reads_.size() >= cache_.capacity()) writer_reads_.clear();
    writer_reads_.emplace(pgno, page);
  }
  return page;
}

Result<const Page*> WalPager::get_borrowed(PageNo pgno) {
  RETURN_IF_ERROR(check_readable(pgno));
  if (const Page* page = cache_.find(pgno)) return page;
  ASSIGN_OR_RETURN(borrowed_, get_committed(pgno));
  return borrowed_.get();
}

const Page* WalPager::find_cached(PageNo pgno) {
  if (closed_ || pgno >= committed_.page_count) return nullptr;
  return cache_.find(pgno);
}

Status WalPager::check_readable(PageNo pgno) const {
  if (closed_) return Status::invalid_argument("get " + page_str(pgno) + " of " + path_ + ": the pager is closed");
  if (pgno >= committed_.page_count) {
    return Status::invalid_argument("get " + page_str(pgno) + " of " + path_ + ": past page_count " +
                                    std::to_string(committed_.page_count));
  }
  return Status();
}

Result<PageRef> WalPager::get_committed(PageNo pgno) {
  RETURN_IF_ERROR(check_readable(pgno));
  if (PageRef page = cache_.lookup(pgno)) return page;
  ASSIGN_OR_RETURN(PageRef page, read_committed(pgno));
  cache_.insert(page);
  return page;
}

Result<PageRef> WalPager::read_committed(PageNo pgno) {
  if (const auto it = wal_index_.find(pgno); it != wal_index_.end()) {
    return read_wal_page(*wal_, it->second, pgno, page_size(), options_.mutant);
  }
  return read_data_page(pgno);
}

Result<PageRef> WalPager::read_data_page(PageNo pgno) {
  const uint64_t offset = uint64_t{pgno} * page_size();
  auto page = std::make_shared<Page>(pgno, page_size(), ToBeRead{});
  ASSIGN_OR_RETURN(const size_t got, data_->read_at(offset, page->bytes));
  if (got != page->bytes.size()) {
    return Status::corruption("read " + page_str(pgno) + " of " + path_ + " at offset " + std::to_string(offset) +
                              ": truncated file: it ends " + std::to_string(got) + " bytes into the page, but " +
                              "page_count is " + std::to_string(committed_.page_count));
  }
  if (mutant_active(options_.mutant, Mutant::kDataReadSkipsChecksum)) {
    // MUTANT data-read-skips-checksum: the data file is trusted; its pages
    // are checksummed when written, never when read back.
    return PageRef(std::move(page));
  }
  RETURN_IF_ERROR(check_page(*page, path_, options_.mutant).with("read " + path_ + " at offset " +
                                                                  std::to_string(offset)));
  return PageRef(std::move(page));
}

std::shared_ptr<ReadPoint> WalPager::read_point() {
  if (!points_.empty()) {
    std::shared_ptr<ReadPoint> last = points_.back().lock();
    if (last && !last->expired && last->meta.txn_seq == committed_.txn_seq) return last;
  }
  // Dropped points are swept as the list doubles, so it stays within twice
  // the points alive.
  if (points_.size() >= 16 && std::has_single_bit(points_.size())) {
    std::erase_if(points_, [](const std::weak_ptr<ReadPoint>& p) { return p.expired(); });
  }
  auto point = std::make_shared<ReadPoint>();
  point->meta = committed_;
  point->tail = wal_tail_;
  points_.push_back(point);
  return point;
}

Result<PageRef> WalPager::get_at(const ReadPoint& point, PageNo pgno) {
  if (point.expired) return *point.expired;
  if (closed_) return Status::invalid_argument("get " + page_str(pgno) + " of " + path_ + ": the pager is closed");
  if (pgno >= point.meta.page_count) {
    return Status::invalid_argument("get " + page_str(pgno) + " of " + path_ + " at txn " +
                                    std::to_string(point.meta.txn_seq) + ": past that commit's page_count " +
                                    std::to_string(point.meta.page_count));
  }
  if (const auto kept = point.kept.find(pgno); kept != point.kept.end()) return kept->second;
  const auto latest = wal_index_.find(pgno);
  if (latest == wal_index_.end() || latest->second < point.tail) return get_committed(pgno);
  // Changed since the point's commit: its image is an older frame of this
  // generation, or what the data file has held since the last checkpoint.
  uint64_t slot = latest->second;
  while (slot != kNoSlot && slot >= point.tail) slot = prev_slot_[slot];
  if (slot != kNoSlot) return read_wal_page(*wal_, slot, pgno, page_size(), options_.mutant);
  return read_data_page(pgno);
}

Result<std::vector<PageNo>> WalPager::free_list() {
  return walk_free_list(committed_, [this](PageNo pgno) { return get_committed(pgno); }, path_);
}

// ---- the write transaction ------------------------------------------------

Result<Meta> WalPager::begin() {
  RETURN_IF_ERROR(check_writable("begin"));
  if (txn_) return Status::invalid_argument("begin on " + path_ + ": a transaction is already running");
  // Moved in, not built in place: clang 14 finds the nested Transaction not
  // default-constructible through std::optional (its member initializers
  // count only once WalPager is complete), and the sanitizer build is clang.
  txn_.emplace(Transaction{});
  return tip();
}

Result<Page*> WalPager::get_mutable(PageNo pgno) {
  if (!txn_) return Status::invalid_argument("get_mutable " + page_str(pgno) + " of " + path_ + ": no transaction");
  if (pgno == kMetaPage) {
    return Status::invalid_argument("get_mutable page 0 of " + path_ +
                                    ": the meta page changes only through commit(meta)");
  }
  if (const auto it = txn_->dirty.find(pgno); it != txn_->dirty.end()) return it->second.get();
  if (txn_->pending_free_set.contains(pgno)) {
    return Status::invalid_argument("get_mutable " + page_str(pgno) + " of " + path_ +
                                    ": the page was freed in this transaction");
  }
  ASSIGN_OR_RETURN(const PageRef base, base_image(pgno));
  txn_->replaced_terms ^= page_digest_term(pgno, stored_checksum(*base));
  auto copy = std::make_shared<Page>(*base);
  Page* raw = copy.get();
  txn_->dirty.emplace(pgno, std::move(copy));
  return raw;
}

Result<Page*> WalPager::allocate(Meta& meta, PageType type) {
  if (!txn_) return Status::invalid_argument("allocate in " + path_ + ": no transaction");
  RETURN_IF_ERROR(check_free_list_ends(meta, path_).with("allocate in " + path_));
  PageNo pgno = kNoPage;
  if (meta.freelist_head != kNoPage) {
    // The list holds only pages freed by committed transactions: pages
    // freed by this one are pushed at commit.
    pgno = meta.freelist_head;
    if (pgno >= meta.page_count) {
      return Status::corruption("allocate in " + path_ + ": free-list head " + page_str(pgno) +
                                " is past page_count " + std::to_string(meta.page_count));
    }
    ASSIGN_OR_RETURN(const PageRef head, get(pgno));
    RETURN_IF_ERROR(pop_free_page(meta, *head, path_, options_.mutant).with("allocate in " + path_));
    txn_->replaced_terms ^= page_digest_term(pgno, stored_checksum(*head));
  } else {
    if (meta.page_count == UINT32_MAX) {
      return Status::no_space("allocate in " + path_ + ": the database has reached the largest page count");
    }
    pgno = meta.page_count++;
  }
  auto page = std::make_shared<Page>(pgno, page_size());
  page->set_type(type);
  Page* raw = page.get();
  txn_->dirty.insert_or_assign(pgno, std::move(page));
  return raw;
}

Status WalPager::free(Meta& meta, PageNo pgno) {
  if (!txn_) return Status::invalid_argument("free " + page_str(pgno) + " of " + path_ + ": no transaction");
  if (pgno == kMetaPage || pgno >= meta.page_count) {
    return Status::invalid_argument("free " + page_str(pgno) + " of " + path_ + ": not a freeable page (page_count " +
                                    std::to_string(meta.page_count) + ")");
  }
  if (txn_->pending_free_set.contains(pgno)) {
    return Status::invalid_argument("free " + page_str(pgno) + " of " + path_ +
                                    ": already freed in this transaction");
  }
  if (!txn_->dirty.contains(pgno)) {
    // Its image is about to be replaced by a free page.
    ASSIGN_OR_RETURN(const PageRef base, base_image(pgno));
    txn_->replaced_terms ^= page_digest_term(pgno, stored_checksum(*base));
  }
  txn_->pending_free_set.insert(pgno);
  txn_->pending_free.push_back(pgno);
  return Status();
}

Status WalPager::push_pending_frees(Meta& meta) {
  if (!txn_->pending_free.empty()) RETURN_IF_ERROR(check_free_list_ends(meta, path_));
  for (const PageNo pgno : txn_->pending_free) {
    auto page = std::make_shared<Page>(pgno, page_size());
    format_free_page(*page, meta.freelist_head);
    meta.freelist_head = pgno;
    if (mutant_active(options_.mutant, Mutant::kFreeCountNotUpdated)) {
      // MUTANT free-count-not-updated: the page joins the list but not its count.
    } else {
      ++meta.freelist_count;
    }
    txn_->dirty.insert_or_assign(pgno, std::move(page));
  }
  return Status();
}

Status WalPager::stage(Meta& meta) {
  RETURN_IF_ERROR(check_writable("commit"));
  if (!txn_) return Status::invalid_argument("commit on " + path_ + ": no transaction");
  if (Status pushed = push_pending_frees(meta); !pushed.ok()) {
    rollback();
    return pushed.with("commit on " + path_);
  }
  const Meta& base = tip();
  meta.page_size = base.page_size;
  meta.db_id = base.db_id;
  meta.txn_seq = base.txn_seq + 1;
  meta.wal_generation = base.wal_generation;

  StagedTxn staged;
  staged.pages.reserve(txn_->dirty.size());
  for (auto& [pgno, page] : txn_->dirty) staged.pages.push_back(page);
  std::sort(staged.pages.begin(), staged.pages.end(), [](const auto& a, const auto& b) { return a->pgno < b->pgno; });
  meta.page_digest = base.page_digest ^ txn_->replaced_terms;
  for (const auto& page : staged.pages) {
    seal_page(*page, options_.mutant);
    meta.page_digest ^= page_digest_term(page->pgno, stored_checksum(*page));
  }
  staged.meta = meta;
  staged.meta_page = std::make_shared<Page>(encode_meta(meta, options_.mutant));
  for (const auto& page : staged.pages) staged_images_.insert_or_assign(page->pgno, page);
  staged_.push_back(std::move(staged));
  txn_.reset();
  return Status();
}

void WalPager::drop_staged() {
  staged_.clear();
  staged_images_.clear();
  writer_reads_.clear();
}

Status WalPager::flush(std::unique_lock<ReadersLock>* readers_lock) {
  try {
    return flush_staged(readers_lock);
  } catch (const std::exception& e) {
    // Out of memory half-way through building or publishing: what the
    // readers see and what the WAL holds may disagree, so stop writing.
    const Status failed = Status::io_error("commit on " + path_ + ": " + e.what());
    enter_failed_state(failed);
    drop_staged();
    return failed;
  }
}

Status WalPager::flush_staged(std::unique_lock<ReadersLock>* readers_lock) {
  if (staged_.empty()) return Status();
  if (Status writable = check_writable("commit"); !writable.ok()) {
    drop_staged();
    return writable;
  }
  const uint64_t first_seq = staged_.front().meta.txn_seq;
  const uint64_t last_seq = staged_.back().meta.txn_seq;
  const std::string what = (first_seq == last_seq ? "commit txn " + std::to_string(last_seq)
                                                  : "commit txns " + std::to_string(first_seq) + ".." +
                                                        std::to_string(last_seq)) +
                           " of " + path_;
  const bool meta_bypasses_wal = mutant_active(options_.mutant, Mutant::kMetaBypassesWal);
  std::vector<std::vector<const Page*>> frames(staged_.size());
  std::vector<WalWriter::Txn> txns;
  txns.reserve(staged_.size());
  size_t frame_count = 0;
  for (size_t t = 0; t < staged_.size(); ++t) {
    for (const auto& page : staged_[t].pages) frames[t].push_back(page.get());
    // A group's transactions but its last commit with the last one's meta
    // frame (docs/file-formats.md); one that changed no page keeps its own.
    const bool last = t + 1 == staged_.size();
    if (!meta_bypasses_wal && (last || frames[t].empty())) frames[t].push_back(staged_[t].meta_page.get());
    txns.push_back({frames[t], staged_[t].meta.txn_seq});
    frame_count += frames[t].size();
  }

  // Readers go on reading the last published commit while the frames are
  // written and synced: nothing below touches what they read.
  Status written;
  Status synced;
  {
    const ReadersLockReleased io(readers_lock);
    if (meta_bypasses_wal) {
      // MUTANT meta-bypasses-wal: the root pointer and free-list head go
      // straight to page 0 of the data file (unsynced) instead of riding in
      // the WAL; the commit marker then lands on the last page frame.
      for (size_t t = 0; t < staged_.size() && written.ok(); ++t) {
        written = data_->write_at(0, staged_[t].meta_page->bytes);
      }
    }
    // One nonce for the whole write: recovery rewrites the last write's
    // transactions by it (WalLog::last_write_slot).
    const uint32_t nonce = static_cast<uint32_t>(mix64(nonce_seed_ + write_attempts_++));
    if (written.ok()) written = writer_.write_transactions(wal_tail_, txns, committed_.wal_generation, nonce);
    if (written.ok()) synced = sync_commit();
  }
  if (!written.ok()) {
    // Nothing was published and the tail does not move: the next commit
    // overwrites whatever part of these frames reached the file, under
    // another nonce, so the two can never be read as one transaction. That
    // holds for one transaction only: after a failed write of several, a
    // shorter rewrite could leave a later one's frames behind it, in
    // sequence, to be read as the next transaction. So that stops writing.
    if (staged_.size() > 1) enter_failed_state(written);
    if (mutant_active(options_.mutant, Mutant::kNonceKeptAfterFailedWrite)) {
      // MUTANT nonce-kept-after-failed-write: the attempt is counted only once
      // it succeeds, so the next write of this transaction number carries the
      // nonce of the frames this one may have left behind.
      --write_attempts_;
    }
    if (mutant_active(options_.mutant, Mutant::kFailedCommitCached)) {
      // MUTANT failed-commit-cached: the images were put in the cache as they
      // were sealed, and the failure path does not take them out again: later
      // reads, and the next transaction's copies, start from a commit that failed.
      for (const auto& txn : staged_) {
        for (const auto& page : txn.pages) cache_.insert(page);
      }
    }
    drop_staged();
    return written.with(what + " (" + std::to_string(frame_count) + " frames from WAL slot " +
                        std::to_string(wal_tail_) + ")");
  }
  if (!synced.ok()) {
    // The frames may or may not be on disk: never acknowledge, and refuse
    // every later write until a reopen finds out.
    enter_failed_state(synced);
    drop_staged();
    return synced.with(what);
  }

  // Published: from here readers see the commits, all at once.
  prev_slot_.resize(wal_tail_ + frame_count, kNoSlot);
  for (size_t t = 0; t < staged_.size(); ++t) {
    for (const Page* frame : frames[t]) {
      const auto [it, first] = wal_index_.try_emplace(frame->pgno, wal_tail_);
      if (!first) {
        prev_slot_[wal_tail_] = it->second;
        it->second = wal_tail_;
      }
      ++wal_tail_;
    }
  }
  checkpoint_pending_ = true;
  // Committed images the transactions read first, so that those they
  // replaced are overwritten by their new images next.
  for (auto& [pgno, page] : writer_reads_) {
    if (!cache_.peek(pgno)) cache_.insert(std::move(page));
  }
  writer_reads_.clear();
  for (auto& txn : staged_) {
    for (auto& page : txn.pages) cache_.insert(std::move(page));
    cache_.insert(std::move(txn.meta_page));
  }
  committed_ = staged_.back().meta;
  counters_.commits += staged_.size();
  commits_since_checkpoint_ += staged_.size();
  drop_staged();
  if (checkpoint_due()) {
    // The commits are durable whatever happens now. A checkpoint that fails
    // to write (or to allocate) leaves the WAL as it was and is retried
    // after the next commit; one that fails to sync leaves the pager in the
    // failed state, which the next write reports.
    try {
      static_cast<void>(checkpoint_now(readers_lock));
    } catch (const std::exception&) {
    }
  }
  return Status();
}

Status WalPager::sync_commit() {
  if (mutant_active(options_.mutant, Mutant::kNoCommitSync)) {
    // MUTANT no-commit-sync: the commit is acknowledged once its frames are
    // written; they reach the disk whenever the kernel writes them back, or
    // at the next checkpoint's sync of the WAL.
    return Status();
  }
  Status synced = wal_->sync();
  if (!synced.ok() && mutant_active(options_.mutant, Mutant::kRetryFailedFsync)) {
    // MUTANT retry-failed-fsync: a later successful fsync is trusted,
    // although the kernel may already have dropped the dirty pages whose
    // write-back the failed one reported.
    for (int retry = 0; retry < kSyncRetries && !synced.ok(); ++retry) synced = wal_->sync();
  }
  if (synced.ok()) ++counters_.wal_syncs;
  return synced;
}

void WalPager::rollback() { txn_.reset(); }

// ---- checkpoints -----------------------------------------------------------

bool WalPager::checkpoint_due() const {
  if (options_.checkpoint_every_commits != 0 && commits_since_checkpoint_ >= options_.checkpoint_every_commits) {
    return true;
  }
  return options_.checkpoint_wal_bytes != 0 && wal_bytes() >= options_.checkpoint_wal_bytes;
}

Status WalPager::checkpoint(std::unique_lock<ReadersLock>* readers_lock) {
  RETURN_IF_ERROR(check_writable("checkpoint"));
  if (!checkpoint_pending_) return Status();
  return checkpoint_now(readers_lock);
}

Status WalPager::checkpoint_now(std::unique_lock<ReadersLock>* readers_lock) {
  RETURN_IF_ERROR(check_writable("checkpoint"));
  if (!staged_.empty()) {
    return Status::invalid_argument("checkpoint of " + path_ + ": transactions are staged and not yet flushed");
  }
  const uint64_t generation = committed_.wal_generation;
  keep_images_for_read_points(readers_lock);
  std::vector<CheckpointPage> pages = checkpoint_pages();
  Status steps;
  {
    // Readers beside the checkpoint read every page it writes from its WAL
    // frame (the index stands until the bookkeeping below), and every read
    // point behind the last commit has its images kept: no reader reads a
    // page of the data file while it is being written.
    const ReadersLockReleased io(readers_lock);
    steps = checkpoint_steps(generation, std::move(pages));
  }
  RETURN_IF_ERROR(steps.with("checkpoint of " + path_ + " at WAL generation " + std::to_string(generation)));
  // The data file holds every committed page and the WAL header names the
  // next generation: the old frames are dead, and new ones start at slot 0.
  wal_index_.clear();
  prev_slot_.clear();
  if (mutant_active(options_.mutant, Mutant::kWalTailNotReset)) {
    // MUTANT wal-tail-not-reset: the new generation's frames go on after the
    // old generation's, although recovery reads a generation's log from slot 0.
  } else {
    wal_tail_ = 0;
  }
  for (const auto& weak : points_) {
    if (const auto point = weak.lock()) point->tail = 0;
  }
  checkpoint_pending_ = false;
  committed_.wal_generation = generation + 1;
  commits_since_checkpoint_ = 0;
  ++counters_.checkpoints;
  // The checkpoint stands whatever the shrink does: a truncate that fails
  // leaves dead frames in place, and a sync that fails poisons the pager,
  // which the next write reports.
  if (options_.wal_size_limit != 0) {
    const ReadersLockReleased io(readers_lock);
    static_cast<void>(shrink_wal_beyond(options_.wal_size_limit));
  }
  return Status();
}

void WalPager::keep_images_for_read_points(std::unique_lock<ReadersLock>* readers_lock) {
  // A point at the last commit needs nothing: the checkpoint writes exactly
  // the images it sees. One behind it loses, to the data file's new images,
  // every page written since its commit.
  struct Keep {
    std::shared_ptr<ReadPoint> point;
    PageNo pgno;
    uint64_t slot;  // the point's frame of the page, or kNoSlot: its data-file image
  };
  std::vector<Keep> keeps;
  for (const auto& weak : points_) {
    const std::shared_ptr<ReadPoint> point = weak.lock();
    if (!point || point->expired || point->tail >= wal_tail_) continue;
    for (const auto& [pgno, latest] : wal_index_) {
      // Page 0 is never read through a point: its meta is the point's own.
      if (pgno == kMetaPage || latest < point->tail || pgno >= point->meta.page_count ||
          point->kept.contains(pgno)) {
        continue;
      }
      uint64_t slot = latest;
      while (slot != kNoSlot && slot >= point->tail) slot = prev_slot_[slot];
      keeps.push_back({point, pgno, slot});
    }
  }
  // MUTANT checkpoint-overwrites-snapshot-pages: nothing is kept, so the
  // checkpoint overwrites the images those points still read.
  if (!keeps.empty() && mutant_active(options_.mutant, Mutant::kCheckpointOverwritesSnapshotPages)) return;
  // The bound is applied before anything is read: over it, the oldest points
  // expire first (they hold the most), and their pages are not read at all.
  uint64_t held = 0;
  for (const auto& weak : points_) {
    if (const auto point = weak.lock()) held += point->kept.size() * uint64_t{page_size()};
  }
  held += keeps.size() * uint64_t{page_size()};
  for (const auto& weak : points_) {
    if (held <= options_.snapshot_memory_limit) break;
    const auto point = weak.lock();
    if (!point || point->expired) continue;
    const uint64_t pages =
        point->kept.size() + std::count_if(keeps.begin(), keeps.end(), [&](const Keep& k) { return k.point == point; });
    if (pages == 0) continue;
    const uint64_t bytes = pages * page_size();
    point->expire(Status::expired(
        "snapshot at txn " + std::to_string(point->meta.txn_seq) + " of " + path_ + " expired: the pages " +
        "checkpoints overwrote under it (" + std::to_string(bytes) + " bytes, with the other snapshots' " +
        std::to_string(held - bytes) + ") would pass Options::snapshot_memory_limit of " +
        std::to_string(options_.snapshot_memory_limit) + " bytes"));
    std::erase_if(keeps, [&](const Keep& k) { return k.point == point; });
    held -= bytes;
  }
  if (keeps.empty()) return;
  // Read with the readers' lock released: nothing is overwritten before the
  // checkpoint writes, and only this writer writes. Points that share an
  // image share one copy.
  std::map<std::pair<PageNo, uint64_t>, Result<PageRef>> images;
  {
    const ReadersLockReleased io(readers_lock);
    for (const Keep& keep : keeps) {
      const auto key = std::make_pair(keep.pgno, keep.slot);
      if (images.contains(key)) continue;
      images.emplace(key, keep.slot != kNoSlot
                              ? read_wal_page(*wal_, keep.slot, keep.pgno, page_size(), options_.mutant)
                              : read_data_page(keep.pgno));
    }
  }
  for (const Keep& keep : keeps) {
    if (keep.point->expired) continue;
    const Result<PageRef>& image = images.at({keep.pgno, keep.slot});
    if (!image.ok()) {
      keep.point->expire(image.status().with("snapshot at txn " + std::to_string(keep.point->meta.txn_seq) +
                                             " of " + path_ + ": keeping its " + page_str(keep.pgno) +
                                             " before a checkpoint"));
      continue;
    }
    keep.point->kept.emplace(keep.pgno, *image);
  }
}

Status WalPager::shrink_wal_beyond(uint64_t limit) {
  // Called right after a checkpoint: the data file holds every committed
  // page and the header naming the new generation is durable, so every frame
  // behind it is dead. A crash anywhere in the truncate leaves dead frames,
  // or fewer of them; the sync makes the shorter file durable before the
  // next commit's frames can depend on it.
  if (writer_.file_size() <= std::max<uint64_t>(limit, kWalHeaderSize)) return Status();
  RETURN_IF_ERROR(writer_.truncate_to_header().with("shrink WAL " + wal_->path() + " to its header"));
  return sync_file(*wal_, counters_.wal_syncs);
}

std::vector<WalPager::CheckpointPage> WalPager::checkpoint_pages() {
  std::vector<CheckpointPage> pages;
  pages.reserve(wal_index_.size());
  for (const auto& [pgno, slot] : wal_index_) pages.push_back({pgno, slot, cache_.peek(pgno)});
  std::sort(pages.begin(), pages.end(), [](const auto& a, const auto& b) { return a.pgno < b.pgno; });
  return pages;
}

Status WalPager::checkpoint_steps(uint64_t generation, std::vector<CheckpointPage> pages) {
  // A failed write here changes nothing that counts: the WAL still holds
  // every page, so the checkpoint can simply be tried again later.
  RETURN_IF_ERROR(write_checkpoint_pages(std::move(pages)));
  if (mutant_active(options_.mutant, Mutant::kTruncateBeforeDataFsync)) {
    // MUTANT truncate-before-data-fsync: the WAL is reset while the pages
    // it held may still sit only in the data file's page cache.
    RETURN_IF_ERROR(start_wal_generation(generation + 1));
    return sync_data_file();
  }
  RETURN_IF_ERROR(sync_data_file());
  return start_wal_generation(generation + 1);
}

Status WalPager::write_checkpoint_pages(std::vector<CheckpointPage> pages) {
  if (pages.size() > 1 && mutant_active(options_.mutant, Mutant::kCheckpointSkipsLastPage)) {
    // MUTANT checkpoint-skips-last-page: an off-by-one leaves the highest
    // page out of the copy, and the WAL that holds its image is reset all the same.
    pages.pop_back();
  }
  const uint32_t size = page_size();
  std::vector<uint8_t> run;
  PageNo run_start = 0;
  const auto flush = [&]() -> Status {
    if (run.empty()) return Status();
    Status written = data_->write_at(uint64_t{run_start} * size, run);
    run.clear();
    return written;
  };
  for (const auto& [pgno, slot, cached] : pages) {
    bool extends_run = !run.empty() && pgno == run_start + run.size() / size;
    if (!extends_run && !run.empty() && mutant_active(options_.mutant, Mutant::kCheckpointRunIgnoresGaps)) {
      // MUTANT checkpoint-run-ignores-gaps: the run goes on across a gap in the
      // page numbers, so the pages after it land at lower offsets than their own.
      extends_run = true;
    }
    if (!extends_run || run.size() >= kMaxCheckpointWriteBytes) {
      RETURN_IF_ERROR(flush());
      run_start = pgno;
    }
    PageRef image = cached;
    if (!image) {
      ASSIGN_OR_RETURN(image, read_wal_page(*wal_, slot, pgno, size, options_.mutant));
    }
    run.insert(run.end(), image->bytes.begin(), image->bytes.end());
  }
  return flush();
}

Status WalPager::sync_data_file() {
  if (mutant_active(options_.mutant, Mutant::kNoDataFsync)) {
    // MUTANT no-data-fsync: the checkpointed pages are never synced, yet the
    // WAL that holds them is reset as if they were durable.
    return Status();
  }
  return sync_file(*data_, counters_.data_syncs);
}

Status WalPager::start_wal_generation(uint64_t generation) {
  Status written = writer_.write_header(generation);
  if (!written.ok()) {
    // The header on disk may now name either generation, so continuing
    // with either could orphan committed frames: stop writing.
    enter_failed_state(written);
    return written;
  }
  if (generation > 1 && mutant_active(options_.mutant, Mutant::kUnsyncedWalReset)) {
    // MUTANT unsynced-wal-reset: the reset header is left for the next
    // commit's sync, so that commit's frames may reach the disk before it.
    return Status();
  }
  return sync_file(*wal_, counters_.wal_syncs);
}

Status WalPager::sync_file(vfs::File& file, std::atomic<uint64_t>& counter) {
  Status synced = file.sync();
  if (!synced.ok()) {
    enter_failed_state(synced);
    return synced;
  }
  ++counter;
  return Status();
}

// ---- the rest ---------------------------------------------------------------

uint64_t WalPager::wal_bytes() const { return kWalHeaderSize + wal_tail_ * wal_slot_size(page_size()); }

PagerStats WalPager::stats() const {
  PagerStats stats;
  stats.wal_bytes = wal_bytes();
  stats.commits = counters_.commits;
  stats.checkpoints = counters_.checkpoints;
  stats.wal_syncs = counters_.wal_syncs;
  stats.data_syncs = counters_.data_syncs;
  return stats;
}

Status WalPager::close_files() {
  if (closed_) return Status();
  txn_.reset();
  drop_staged();
  // Nothing reads through a read point once the pager is closed: the last
  // checkpoint need not keep images for them.
  points_.clear();
  Status result;
  if (!failed_ && !options_.read_only && checkpoint_pending_) result = checkpoint_now();
  // A clean close leaves the WAL at its header: nothing in it is live once
  // the checkpoint is done.
  if (result.ok() && !failed_ && !options_.read_only && wal_tail_ == 0) result = shrink_wal_beyond(0);
  const Status data_closed = data_->close();
  const Status wal_closed = wal_->close();
  closed_ = true;
  if (!result.ok()) return result;
  return data_closed.ok() ? wal_closed : data_closed;
}

}  // namespace engine
