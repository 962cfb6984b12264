#include "engine/recovery.h"

#include <cstdio>
#include <optional>
#include <string>

#include "engine/meta.h"
#include "engine/wal_reader.h"

namespace engine {
namespace {

std::string hex(uint64_t v) {
  char buf[19];
  std::snprintf(buf, sizeof buf, "0x%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// What page 0 of the data file holds.
struct DataMeta {
  enum class Kind : uint8_t {
    kShort,       // empty, or shorter than one page: never checkpointed
    kUnreadable,  // a full page that does not decode (torn, or not ours)
    kValid,
  };
  Kind kind = Kind::kShort;
  Meta meta;       // when kValid
  Status problem;  // why, when not kValid
};

Result<DataMeta> read_data_meta(vfs::File& data, Mutant mutant) {
  const std::string& path = data.path();
  ASSIGN_OR_RETURN(const uint64_t size, data.size());
  DataMeta result;
  std::array<uint8_t, kMetaPrefixSize> prefix{};
  if (size < prefix.size()) {
    result.problem = Status::corruption("data file " + path + " is " + std::to_string(size) +
                                        " bytes, too short to hold a meta page");
    return result;
  }
  ASSIGN_OR_RETURN(const size_t got, data.read_at(0, prefix));
  Result<uint32_t> page_size = decode_meta_prefix(std::span(prefix).first(got), path);
  if (!page_size.ok()) {
    result.kind = DataMeta::Kind::kUnreadable;
    result.problem = page_size.status();
    return result;
  }
  if (size < *page_size) {
    result.problem = Status::corruption("data file " + path + " is " + std::to_string(size) +
                                        " bytes, shorter than its first page (" + std::to_string(*page_size) +
                                        " bytes)");
    return result;
  }
  Page page(kMetaPage, *page_size);
  ASSIGN_OR_RETURN(const size_t read, data.read_at(0, page.bytes));
  if (read != page.bytes.size()) {
    return Status::io_error("read " + path + " at offset 0: got " + std::to_string(read) + " of " +
                            std::to_string(page.bytes.size()) + " bytes although the file is " +
                            std::to_string(size) + " bytes");
  }
  Result<Meta> meta = decode_meta(page, path, mutant);
  if (!meta.ok()) {
    result.kind = DataMeta::Kind::kUnreadable;
    result.problem = meta.status().with("read meta page 0 of " + path + " at offset 0");
    return result;
  }
  result.kind = DataMeta::Kind::kValid;
  result.meta = *meta;
  return result;
}

Status check_requested_page_size(uint32_t requested, uint32_t actual, const std::string& path) {
  if (requested == 0 || requested == actual) return Status();
  return Status::invalid_argument("open " + path + ": options ask for page size " + std::to_string(requested) +
                                  " but the database has page size " + std::to_string(actual));
}

// Turns the log into the recovered state. `base` is the data file's meta
// when it is valid: the meta to use when the log holds no meta frame.
Result<RecoveredState> apply_log(WalLog log, const std::optional<Meta>& base, const WalScanParams& params,
                                 vfs::File& wal, const std::string& data_path) {
  RecoveredState state;
  if (const auto it = log.index.find(kMetaPage); it != log.index.end()) {
    const uint64_t offset = wal_slot_offset(it->second, params.page_size);
    const std::string where = "meta frame of " + wal.path() + " at offset " + std::to_string(offset);
    ASSIGN_OR_RETURN(const PageRef page,
                     read_wal_page(wal, it->second, kMetaPage, params.page_size, params.mutant));
    Result<Meta> meta = decode_meta(*page, wal.path(), params.mutant);
    if (!meta.ok()) return meta.status().with(where);
    if (meta->db_id != params.db_id || meta->page_size != params.page_size) {
      return Status::corruption(where + " names db_id " + hex(meta->db_id) + " and page size " +
                                std::to_string(meta->page_size) + ", expected " + hex(params.db_id) + " and " +
                                std::to_string(params.page_size));
    }
    if (meta->txn_seq != log.last_txn_seq && params.cross_checks) {
      return Status::corruption(where + " is at txn " + std::to_string(meta->txn_seq) +
                                " but the last committed transaction is txn " + std::to_string(log.last_txn_seq));
    }
    state.meta = *meta;
  } else if (base) {
    state.meta = *base;
  } else {
    return Status::corruption("WAL " + wal.path() + " holds no committed meta page and " + data_path +
                              " has no readable one");
  }
  for (const auto& [pgno, slot] : log.index) {
    if (pgno >= state.meta.page_count && params.cross_checks) {
      return Status::corruption("WAL " + wal.path() + ": committed frame of page " + std::to_string(pgno) +
                                " at offset " + std::to_string(wal_slot_offset(slot, params.page_size)) +
                                " lies past page_count " + std::to_string(state.meta.page_count) +
                                " of the recovered meta page");
    }
  }
  state.meta.wal_generation = params.generation;
  state.wal_tail = log.end_slot;
  state.last_write_slot = log.last_write_slot;
  state.later_debris_end = log.later_debris_end;
  // Replayed frames go to the data file before anything else happens.
  // Debris of this generation past the end needs no checkpoint: a new write
  // carries a new nonce, so it can never be stitched together with it.
  state.needs_checkpoint = !log.index.empty();
  state.info.txns_replayed = log.txn_count;
  state.info.torn_tail_discarded = log.torn_tail;
  state.info.uncommitted_txn_dropped = log.uncommitted_frames;
  state.info.stale_frames_ignored = log.stale_frames;
  state.wal_index = std::move(log.index);
  return state;
}

// The data file was checkpointed at generation `meta.wal_generation` and
// transaction `meta.txn_seq`; when the log is at that same generation (the
// checkpoint's header reset was lost), the log cannot end before that
// transaction: the checkpoint copied it from there, and nothing overwrites a
// generation's frames but the next generation's.
Status check_log_reaches_data(const WalLog& log, const Meta& meta, const WalScanParams& params, vfs::File& wal,
                              const std::string& data_path) {
  const uint64_t generation = params.generation;
  const Mutant mutant = params.mutant;
  if (meta.wal_generation != generation || !params.cross_checks) return Status();
  if (log.txn_count > 0 && log.last_txn_seq >= meta.txn_seq) return Status();
  if (mutant_active(mutant, Mutant::kMetaBypassesWal)) {
    // MUTANT meta-bypasses-wal: the data file's meta page is written by every
    // commit, outside the WAL, so it may run ahead of the log; it is taken as
    // the truth instead of being checked against the log.
    return Status();
  }
  return Status::corruption(data_path + " was checkpointed at txn " + std::to_string(meta.txn_seq) +
                            " of WAL generation " + std::to_string(generation) + " but WAL " + wal.path() +
                            (log.txn_count == 0 ? std::string(" holds no committed transaction of it")
                                                : " ends at txn " + std::to_string(log.last_txn_seq)));
}

// Rule 2 with a valid data meta: the header decides the generation.
Result<RecoveredState> recover_with_header(const Meta& meta, const WalHeader& header, vfs::File& data,
                                           vfs::File& wal, Mutant mutant, bool cross_checks) {
  if (header.db_id != meta.db_id) {
    return Status::corruption("WAL " + wal.path() + " belongs to another database (db_id " + hex(header.db_id) +
                              ", expected " + hex(meta.db_id) + ")");
  }
  if (header.page_size != meta.page_size) {
    return Status::corruption("WAL " + wal.path() + " has page size " + std::to_string(header.page_size) +
                              " but " + data.path() + " has page size " + std::to_string(meta.page_size));
  }
  const uint64_t h = header.generation;
  const uint64_t g = meta.wal_generation;
  if (g != h && g + 1 != h && cross_checks) {
    return Status::corruption(data.path() + " was checkpointed at WAL generation " + std::to_string(g) + " but WAL " +
                              wal.path() + " is at generation " + std::to_string(h) + " (expected " +
                              std::to_string(g) + " or " + std::to_string(g + 1) + ")");
  }
  WalScanParams params{meta.page_size, meta.db_id, h, std::nullopt, mutant, cross_checks};
  // After a completed checkpoint the new generation starts right after the
  // data file's transaction.
  if (g + 1 == h) params.first_txn_seq = meta.txn_seq + 1;
  ASSIGN_OR_RETURN(WalLog log, scan_wal_log(wal, params));
  RETURN_IF_ERROR(check_log_reaches_data(log, meta, params, wal, data.path()));
  ASSIGN_OR_RETURN(RecoveredState state, apply_log(std::move(log), meta, params, wal, data.path()));
  if (g == h) {
    // The checkpoint synced the data file but its header reset was lost:
    // everything in the log is already in the data file. Redo the reset.
    state.info.wal_header_rewritten = true;
    state.needs_checkpoint = true;
  } else if (header.format_version < kWalFormatVersion && !state.needs_checkpoint) {
    // The next group commit writes transactions an older build would take
    // for committed on their own: the header must say which rules apply
    // before it does (docs/file-formats.md).
    state.info.wal_header_rewritten = true;
    state.rewrite_wal_header = true;
  }
  return state;
}

// A header rebuilt from the frames stands for the unreadable one: the
// recovered state says so, and says that it must be written back; an error
// says what was wrong with the header too.
Result<RecoveredState> with_rebuilt_header(Result<RecoveredState> state, const Status& header_problem) {
  if (!state.ok()) return state.status().with(header_problem.message());
  state->info.wal_header_rewritten = true;
  state->rewrite_wal_header = true;
  return state;
}

// Rule 3 with a valid data meta of generation G: the header is unreadable.
// It said G (the crash hit the header write of a reset, after the data file
// was synced) or G+1, and the frames tell which. A frame of G+1 was written
// only after the header of G+1 was durable, so that header was damaged
// afterwards: it is rebuilt and the log of G+1 read as usual. Otherwise
// frames of G are replayed (harmlessly: they are in the data file already).
Result<RecoveredState> recover_without_header(const Meta& meta, const Status& header_problem, vfs::File& data,
                                              vfs::File& wal, Mutant mutant, bool cross_checks) {
  const uint64_t g = meta.wal_generation;
  ASSIGN_OR_RETURN(const uint64_t newest, newest_frame_generation(wal, meta.page_size, meta.db_id, mutant));
  if (newest == g + 1) {
    const WalHeader rebuilt{meta.page_size, meta.db_id, g + 1};
    return with_rebuilt_header(recover_with_header(meta, rebuilt, data, wal, mutant, cross_checks), header_problem);
  }
  const WalScanParams params{meta.page_size, meta.db_id, g, std::nullopt, mutant, cross_checks};
  Result<WalLog> log = scan_wal_log(wal, params);
  if (!log.ok()) return log.status().with(header_problem.message());
  // Without frames of its generation (the WAL was lost, or this very rule
  // was interrupted after finding none) the synced data file stands alone.
  if (log->txn_count > 0) {
    RETURN_IF_ERROR(check_log_reaches_data(*log, meta, params, wal, data.path()));
  }
  ASSIGN_OR_RETURN(RecoveredState state, apply_log(std::move(log).value(), meta, params, wal, data.path()));
  state.info.wal_header_rewritten = true;
  state.needs_checkpoint = true;
  return state;
}

// No usable data meta (a new database, or a torn meta page): the log must
// supply the meta page, or there is nothing committed.
Result<RecoveredState> recover_from_log_alone(const DataMeta& data_meta, const WalHeader& header, vfs::File& data,
                                              vfs::File& wal, uint32_t requested_page_size, Mutant mutant,
                                              bool cross_checks) {
  WalScanParams params{header.page_size, header.db_id, header.generation, std::nullopt, mutant, cross_checks};
  if (data_meta.kind == DataMeta::Kind::kShort && (header.generation == 1 || cross_checks)) {
    // Never checkpointed: the first checkpoint moves the WAL to generation 2
    // only after syncing the data file, and the log starts at txn 1.
    if (header.generation != 1) {
      return Status::corruption(data_meta.problem.message() + ", but WAL " + wal.path() + " is at generation " +
                                std::to_string(header.generation) + ": a checkpoint must have written it");
    }
    params.first_txn_seq = 1;
  }
  ASSIGN_OR_RETURN(WalLog log, scan_wal_log(wal, params));
  if (data_meta.kind == DataMeta::Kind::kShort && log.txn_count == 0) {
    RecoveredState state;
    state.nothing_committed = true;
    return state;
  }
  if (!log.index.contains(kMetaPage)) {
    return Status::corruption(data_meta.problem.message() + "; WAL " + wal.path() +
                              " holds no committed meta page to repair it from");
  }
  RETURN_IF_ERROR(check_requested_page_size(requested_page_size, header.page_size, data.path()));
  return apply_log(std::move(log), std::nullopt, params, wal, data.path());
}

// Neither a data meta nor a WAL header. Creation writes and syncs the WAL
// header before its first commit, so with no meta frame anywhere nothing was
// ever committed: an interrupted creation. A meta frame that verifies means
// the header was durable and has been damaged since: it is rebuilt from the
// frames, and the log must then hold a commit.
Result<RecoveredState> recover_without_header_or_data_meta(const DataMeta& data_meta, const Status& header_problem,
                                                           vfs::File& data, vfs::File& wal,
                                                           uint32_t requested_page_size, Mutant mutant,
                                                           bool cross_checks) {
  ASSIGN_OR_RETURN(const std::optional<WalHeader> rebuilt, header_from_meta_frames(wal, mutant));
  if (!rebuilt) {
    RecoveredState state;
    state.nothing_committed = true;
    return state;
  }
  Result<RecoveredState> state =
      recover_from_log_alone(data_meta, *rebuilt, data, wal, requested_page_size, mutant, cross_checks);
  if (state.ok() && state->nothing_committed) {
    return Status::corruption(header_problem.message() + ", and WAL " + wal.path() +
                              " holds meta frames but no committed transaction from its first slot at offset " +
                              std::to_string(kWalHeaderSize));
  }
  return with_rebuilt_header(std::move(state), header_problem);
}

}  // namespace

Result<RecoveredState> recover(vfs::File& data, vfs::File& wal, uint32_t requested_page_size, Mutant mutant,
                               bool cross_checks) {
  ASSIGN_OR_RETURN(const DataMeta data_meta, read_data_meta(data, mutant));
  const Result<WalHeader> header = read_wal_header(wal, mutant);
  if (!header.ok() && !header.status().is_corruption()) return header.status();

  if (data_meta.kind == DataMeta::Kind::kValid) {
    RETURN_IF_ERROR(check_requested_page_size(requested_page_size, data_meta.meta.page_size, data.path()));
    if (header.ok()) return recover_with_header(data_meta.meta, *header, data, wal, mutant, cross_checks);
    return recover_without_header(data_meta.meta, header.status(), data, wal, mutant, cross_checks);
  }
  if (header.ok()) {
    return recover_from_log_alone(data_meta, *header, data, wal, requested_page_size, mutant, cross_checks);
  }
  if (data_meta.kind == DataMeta::Kind::kUnreadable) return data_meta.problem;
  return recover_without_header_or_data_meta(data_meta, header.status(), data, wal, requested_page_size, mutant,
                                             cross_checks);
}

}  // namespace engine
