// Pager::open: find out whether the database exists, create it or recover
// it, and hand back a WalPager (engine/wal_pager.h) ready for use.
#include "engine/pager.h"

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
Status make_log_durable(vfs::File& wal, uint64_t end_slot, uint32_t page_size) {
  std::vector<uint8_t> log(wal_slot_offset(end_slot, page_size));
  ASSIGN_OR_RETURN(const size_t got, wal.read_at(0, log));
  if (got != log.size()) {
    return Status::corruption("recovery: WAL " + wal.path() + " ended at " + std::to_string(got) +
                              " bytes while it was being made durable, expected " + std::to_string(log.size()));
  }
  RETURN_IF_ERROR(wal.write_at(0, log));
  return wal.sync();
}

Result<std::unique_ptr<Pager>> open_existing(vfs::Vfs& vfs, const std::string& path, const PagerOptions& options) {
  const std::string wal_path = path + "-wal";
  ASSIGN_OR_RETURN(const bool wal_existed, vfs.exists(wal_path));
  ASSIGN_OR_RETURN(auto data, vfs.open(path, vfs::OpenMode::kMustExist));
  ASSIGN_OR_RETURN(auto wal, vfs.open(wal_path, vfs::OpenMode::kCreate));
  ASSIGN_OR_RETURN(RecoveredState state, recover(*data, *wal, options.page_size, options.mutant));
  if (state.nothing_committed) {
    if (!options.create_if_missing) {
      return Status::not_found("open " + path + ": the database was never completely created (no committed meta "
                               "page in it or in " + wal_path + ") and create_if_missing is off");
    }
    return create_database(vfs, path, options, std::move(data), std::move(wal));
  }
  ASSIGN_OR_RETURN(const uint64_t data_size, data->size());
  RETURN_IF_ERROR(check_page_count(state.meta, data_size / state.meta.page_size, state.wal_index, path));
  const bool needs_checkpoint = state.needs_checkpoint;
  if (state.info.txns_replayed > 0) {
    RETURN_IF_ERROR(make_log_durable(*wal, state.wal_tail, state.meta.page_size).with("recovery of " + path));
  }
  ASSIGN_OR_RETURN(const uint64_t wal_size, wal->size());
  auto pager =
      std::make_unique<WalPager>(path, options, std::move(data), std::move(wal), wal_size, std::move(state));
  if (needs_checkpoint) {
    // Replayed transactions go to the data file, and the WAL starts a fresh
    // generation with a sound header, before anything new is written.
    RETURN_IF_ERROR(pager->checkpoint_now().with("recovery of " + path));
    pager->set_checkpoint_redone();
  }
  // A WAL that had to be recreated exists for sure only once its directory is synced.
  if (!wal_existed) RETURN_IF_ERROR(vfs.sync_dir(vfs::parent_dir(path)));
  return std::unique_ptr<Pager>(std::move(pager));
}

}  // namespace

Result<std::unique_ptr<Pager>> Pager::open(vfs::Vfs& vfs, const std::string& path, const PagerOptions& options) {
  if (options.page_size != 0 && !is_valid_page_size(options.page_size)) {
    return Status::invalid_argument("open " + path + ": " +
                                    bad_page_size_message(options.page_size, "the options"));
  }
  ASSIGN_OR_RETURN(const bool exists, vfs.exists(path));
  if (exists) return open_existing(vfs, path, options);
  if (!options.create_if_missing) {
    return Status::not_found("open " + path + ": no such database (create_if_missing is off)");
  }
  // NAME-wal without NAME is what a creation that never returned leaves
  // behind; nothing in it was ever acknowledged, so start afresh.
  ASSIGN_OR_RETURN(auto data, vfs.open(path, vfs::OpenMode::kCreate));
  ASSIGN_OR_RETURN(auto wal, vfs.open(path + "-wal", vfs::OpenMode::kCreate));
  return create_database(vfs, path, options, std::move(data), std::move(wal));
}

}  // namespace engine
