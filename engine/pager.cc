// Pager::open: find out whether the database exists, create it or recover
// it, and hand back a WalPager (engine/wal_pager.h) ready for use.
#include "engine/pager.h"

#include <algorithm>
#include <chrono>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "engine/entropy.h"
#include "engine/meta.h"
#include "engine/recovery.h"
#include "engine/wal_format.h"
#include "engine/wal_pager.h"

namespace engine {
namespace {

// Makes a new, empty database in `data` and `wal` (emptied first: they may
// hold what an interrupted creation left). The order is what makes a crash
// at any point harmless: the WAL header is durable before the first
// transaction, the first transaction (the meta page) is durable before open
// returns, and the directory is synced last so that both files exist after
// a crash (LevelDB issue 196). Until then open never returned, and a later
// open that finds no committed meta page simply creates the database again.
Result<std::unique_ptr<Pager>> create_database(vfs::Vfs& vfs, const std::string& path, const PagerOptions& options,
                                               std::unique_ptr<vfs::File> data, std::unique_ptr<vfs::File> wal) {
  // Leftovers of an interrupted creation are emptied durably: the data file
  // is otherwise synced only by the first checkpoint, and the WAL's
  // truncation is made durable by the header's sync below.
  ASSIGN_OR_RETURN(const uint64_t data_size, data->size());
  if (data_size != 0) {
    RETURN_IF_ERROR(data->truncate(0));
    RETURN_IF_ERROR(data->sync());
  }
  ASSIGN_OR_RETURN(const uint64_t wal_size, wal->size());
  if (wal_size != 0) RETURN_IF_ERROR(wal->truncate(0));
  RecoveredState fresh;
  fresh.meta.page_size = options.page_size != 0 ? options.page_size : kDefaultPageSize;
  fresh.meta.db_id = random_u64();
  fresh.meta.root = kNoPage;
  fresh.meta.page_count = 1;
  fresh.meta.wal_generation = 1;
  auto pager = std::make_unique<WalPager>(path, options, std::move(data), std::move(wal), 0, std::move(fresh));
  RETURN_IF_ERROR(pager->start_wal_generation(1));
  ASSIGN_OR_RETURN(Meta meta, pager->begin());
  RETURN_IF_ERROR(pager->commit(meta));
  if (mutant_active(options.mutant, Mutant::kNoCreateDirSync)) {
    // MUTANT no-create-dir-sync: the files' contents are synced but not the
    // directory entries that name them, so a power loss may take both files.
    return std::unique_ptr<Pager>(std::move(pager));
  }
  RETURN_IF_ERROR(vfs.sync_dir(vfs::parent_dir(path)));
  return std::unique_ptr<Pager>(std::move(pager));
}

// The frames recovery is about to replay may exist only in the page cache:
// the commit that wrote them never saw its sync return (the process died, or
// the sync failed, after which Linux may have marked the pages clean without
// writing them). The recovery checkpoint syncs the data file before it
// resets the WAL, so if those frames were then lost, the data file would be
// ahead of a log that no longer reaches it. Writing the log back and syncing
// it first makes what recovery read durable: the write dirties again the
// pages a failed sync left clean, which a sync alone would not write.
//
// Only the last write's frames are written back (the transactions of one
// group commit share its nonce: WalLog::last_write_slot): a write starts
// only after the previous one's sync returned, and a failed sync stops every
// later write of the process, so every earlier frame is durable.
// Writing those back would put them at risk for nothing: a write cut by a
// power loss may garble the sectors it covers, and with powersafe overwrite
// the bytes outside the write are safe. The frames rewritten were never
// acknowledged unless they are already on disk, where the write changes no
// byte.
Status make_log_durable(vfs::File& wal, uint64_t first_slot, uint64_t end_slot, uint32_t page_size) {
  const uint64_t offset = wal_slot_offset(first_slot, page_size);
  std::vector<uint8_t> log(wal_slot_offset(end_slot, page_size) - offset);
  ASSIGN_OR_RETURN(const size_t got, wal.read_at(offset, log));
  if (got != log.size()) {
    return Status::corruption("recovery: WAL " + wal.path() + " ended at offset " + std::to_string(offset + got) +
                              " while it was being made durable, expected " + std::to_string(offset + log.size()));
  }
  RETURN_IF_ERROR(wal.write_at(offset, log));
  return wal.sync();
}

// A torn group commit can leave intact frames of its later transactions past
// the end of the log. Were the next commit shorter than the transaction it
// replaces, such a frame would follow it next in sequence, and a later
// recovery would take a refused transaction; a new nonce does not help, as
// consecutive transactions of different writes carry different nonces.
// Zeroed (and synced) before anything is written, they read as empty slots.
// A checkpoint moves the log to a new generation instead, which makes them
// dead without this.
Status zero_later_debris(vfs::File& wal, uint64_t end_slot, uint64_t debris_end, uint32_t page_size) {
  const uint64_t offset = wal_slot_offset(end_slot, page_size);
  const std::vector<uint8_t> zeros(wal_slot_offset(debris_end, page_size) - offset, 0);
  RETURN_IF_ERROR(wal.write_at(offset, zeros).with("zero the frames of a torn group commit in " + wal.path() +
                                                    " at offset " + std::to_string(offset)));
  return wal.sync();
}

Status never_created(const std::string& path, const std::string& wal_path) {
  return Status::not_found("open " + path + ": not a database: it was never completely created (no committed meta "
                           "page in it or in " + wal_path + ")");
}

Result<std::unique_ptr<Pager>> open_existing(vfs::Vfs& vfs, const std::string& path, const PagerOptions& options) {
  const std::string wal_path = path + "-wal";
  ASSIGN_OR_RETURN(auto data, vfs.open(path, vfs::OpenMode::kMustExist));
  ASSIGN_OR_RETURN(auto wal, vfs.open(wal_path, vfs::OpenMode::kCreate));
  ASSIGN_OR_RETURN(RecoveredState state,
                   recover(*data, *wal, options.page_size, options.mutant, options.cross_checks));
  if (state.nothing_committed) {
    if (!options.create_if_missing) return never_created(path, wal_path);
    return create_database(vfs, path, options, std::move(data), std::move(wal));
  }
  ASSIGN_OR_RETURN(const uint64_t data_size, data->size());
  RETURN_IF_ERROR(check_page_count(state.meta, data_size / state.meta.page_size, state.wal_index, path));
  const bool needs_checkpoint = state.needs_checkpoint;
  const bool rewrite_wal_header = state.rewrite_wal_header;
  const uint64_t generation = state.meta.wal_generation;
  if (state.info.txns_replayed > 0) {
    if (mutant_active(options.mutant, Mutant::kRecoveryLogNotDurable)) {
      // MUTANT recovery-log-not-durable: the frames recovery read are taken as
      // durable, although the commit that wrote them may never have seen its
      // sync succeed; the checkpoint below then puts the data file ahead of them.
    } else {
      RETURN_IF_ERROR(make_log_durable(*wal, state.last_write_slot, state.wal_tail, state.meta.page_size).with("recovery of " + path));
    }
  }
  if (!needs_checkpoint && state.later_debris_end > state.wal_tail) {
    RETURN_IF_ERROR(zero_later_debris(*wal, state.wal_tail, state.later_debris_end, state.meta.page_size)
                        .with("recovery of " + path));
  }
  ASSIGN_OR_RETURN(const uint64_t wal_size, wal->size());
  auto pager =
      std::make_unique<WalPager>(path, options, std::move(data), std::move(wal), wal_size, std::move(state));
  if (needs_checkpoint) {
    // Replayed transactions go to the data file, and the WAL starts a fresh
    // generation with a sound header, before anything new is written.
    RETURN_IF_ERROR(pager->checkpoint_now().with("recovery of " + path));
    pager->set_checkpoint_redone();
  } else if (rewrite_wal_header) {
    // Only debris of this generation follows the rebuilt header: a
    // checkpoint would move the WAL past the data file's generation with
    // nothing to copy, so the header is written back as it was.
    RETURN_IF_ERROR(pager->start_wal_generation(generation).with("recovery of " + path));
  }
  // Both entries exist for sure only once their directory is synced: the WAL
  // may have had to be recreated, and a creation may have been interrupted
  // between creating the files and its sync_dir (the process died while the
  // page cache kept everything), in which case this open, which goes on to
  // acknowledge commits in them, is the first to make them durable.
  RETURN_IF_ERROR(vfs.sync_dir(vfs::parent_dir(path)));
  return std::unique_ptr<Pager>(std::move(pager));
}

// A file that does not exist, for recovery to read without creating it: it
// reads as an empty file and cannot be written. The WAL of a read-only open
// when NAME-wal does not exist (recovery treats it as a lost WAL), and the
// data file when only NAME-wal exists (a never-checkpointed database).
class AbsentFile final : public vfs::File {
 public:
  explicit AbsentFile(std::string path) : path_(std::move(path)) {}
  const std::string& path() const override { return path_; }
  Result<size_t> read_at(uint64_t, std::span<uint8_t>) override { return size_t{0}; }
  Status write_at(uint64_t, std::span<const uint8_t>) override { return refused("write"); }
  Status truncate(uint64_t) override { return refused("truncate"); }
  Status sync() override { return refused("sync"); }
  Result<uint64_t> size() override { return uint64_t{0}; }
  Status close() override { return Status(); }

 private:
  Status refused(const std::string& op) const {
    return Status::invalid_argument(op + " " + path_ + ": the file does not exist and this open may not create it");
  }
  std::string path_;
};

// Recovery without its checkpoint: the pager reads replayed pages from the
// WAL slots recovery indexed, exactly as it does between a commit and the
// next checkpoint, so nothing needs writing to show the recovered state.
Result<std::unique_ptr<Pager>> open_read_only(vfs::Vfs& vfs, const std::string& path, const PagerOptions& options) {
  const std::string wal_path = path + "-wal";
  ASSIGN_OR_RETURN(auto data, vfs.open(path, vfs::OpenMode::kReadOnly));
  ASSIGN_OR_RETURN(const bool wal_exists, vfs.exists(wal_path));
  std::unique_ptr<vfs::File> wal;
  if (wal_exists) {
    ASSIGN_OR_RETURN(wal, vfs.open(wal_path, vfs::OpenMode::kReadOnly));
  } else {
    wal = std::make_unique<AbsentFile>(wal_path);
  }
  ASSIGN_OR_RETURN(RecoveredState state,
                   recover(*data, *wal, options.page_size, options.mutant, options.cross_checks));
  if (state.nothing_committed) return never_created(path, wal_path);
  ASSIGN_OR_RETURN(const uint64_t wal_size, wal->size());
  return std::unique_ptr<Pager>(
      std::make_unique<WalPager>(path, options, std::move(data), std::move(wal), wal_size, std::move(state)));
}

// NAME-wal without NAME is what a creation that never returned leaves
// behind, and the database is opened over it (an empty data file beside the
// creation's transaction, or a new creation when that never committed). Such a WAL holds at
// most the creation's own transaction: open syncs the directory (so NAME is
// durable) before it returns and takes any other commit. A WAL that holds a
// later one, or a later generation, belonged to a database that existed;
// its data file was lost or removed, and creating one over the WAL would
// throw every commit in it away. That is refused.
Status check_wal_without_data_file(vfs::Vfs& vfs, const std::string& path, const PagerOptions& options) {
  const std::string wal_path = path + "-wal";
  ASSIGN_OR_RETURN(const bool wal_exists, vfs.exists(wal_path));
  if (!wal_exists) return Status();
  ASSIGN_OR_RETURN(auto wal, vfs.open(wal_path, vfs::OpenMode::kReadOnly));
  AbsentFile data(path);
  const std::string refusal = "open " + path + ": the data file does not exist, but " + wal_path;
  const Result<RecoveredState> state = recover(data, *wal, options.page_size, options.mutant);
  if (state.status().is_corruption()) {
    return Status::corruption(refusal + " is not what an interrupted creation leaves: " + state.status().message());
  }
  RETURN_IF_ERROR(state.status());
  if (state->nothing_committed || state->meta.txn_seq <= 1) return Status();
  return Status::corruption(refusal + " holds committed transactions up to txn " +
                            std::to_string(state->meta.txn_seq) +
                            ": the data file was lost or removed. Restore it, or remove " + wal_path +
                            " to create a new, empty database");
}

}  // namespace

Status Pager::commit(Meta& meta, std::unique_lock<ReadersLock>* readers_lock) {
  RETURN_IF_ERROR(stage(meta));
  return flush(readers_lock);
}

Status Pager::close() {
  const Status s = close_files();
  lock_.reset();
  return s;
}

namespace {

// Two writers would interleave their frames and checkpoints in one WAL,
// which no recovery can untangle, and a reader beside a writer would read
// pages the writer is moving. The lock is taken on the data file, before
// anything of the database is read or written.
Result<std::unique_ptr<vfs::FileLock>> lock_database(vfs::Vfs& vfs, const std::string& path,
                                                     const PagerOptions& options) {
  const vfs::LockMode mode = options.read_only ? vfs::LockMode::kShared : vfs::LockMode::kExclusive;
  const auto start = std::chrono::steady_clock::now();
  const auto wait = std::chrono::milliseconds(options.lock_wait_ms);
  for (;;) {
    Result<std::unique_ptr<vfs::FileLock>> lock = vfs.lock(path, mode);
    if (lock.ok()) return lock;
    const auto waited = std::chrono::steady_clock::now() - start;
    if (!lock.status().is_busy() || waited >= wait) {
      const std::string context =
          options.lock_wait_ms == 0
              ? "open " + path
              : "open " + path + " (after waiting " + std::to_string(options.lock_wait_ms) + " ms)";
      return lock.status().with(context);
    }
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(std::chrono::milliseconds(5),
                                                                                wait - waited));
  }
}

}  // namespace

Result<std::unique_ptr<Pager>> Pager::open(vfs::Vfs& vfs, const std::string& path, const PagerOptions& options) {
  if (options.page_size != 0 && !is_valid_page_size(options.page_size)) {
    return Status::invalid_argument("open " + path + ": " +
                                    bad_page_size_message(options.page_size, "the options"));
  }
  ASSIGN_OR_RETURN(const bool exists, vfs.exists(path));
  if (!exists && (options.read_only || !options.create_if_missing)) {
    return Status::not_found("open " + path + ": no such database");
  }
  if (!exists) {
    // An empty data file, so that there is a file to lock. What to do with it
    // is decided only once the lock is held: another opener may have created
    // the database (and committed to it) since `exists` was read, and
    // open_existing creates only when nothing is committed.
    RETURN_IF_ERROR(check_wal_without_data_file(vfs, path, options));
    ASSIGN_OR_RETURN(auto created, vfs.open(path, vfs::OpenMode::kCreate));
    RETURN_IF_ERROR(created->close());
  }
  ASSIGN_OR_RETURN(std::unique_ptr<vfs::FileLock> lock, lock_database(vfs, path, options));
  Result<std::unique_ptr<Pager>> pager =
      options.read_only ? open_read_only(vfs, path, options) : open_existing(vfs, path, options);
  if (pager.ok()) (*pager)->lock_ = std::move(lock);
  return pager;
}

}  // namespace engine
