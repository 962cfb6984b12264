#include "engine/wal_reader.h"

#include <algorithm>
#include <vector>

#include "engine/meta.h"

namespace engine {
namespace {

// Recovery reads the WAL in pieces of about this size.
constexpr uint64_t kScanChunkBytes = 1 << 20;

// kEmpty: every byte zero, as WalWriter grows the file; a slot never
// written is not damage, so it does not make a torn tail.
enum class SlotKind : uint8_t { kPartial, kEmpty, kDamaged, kValid };

struct Slot {
  SlotKind kind = SlotKind::kDamaged;
  FrameTrailer trailer;
};

// Calls `visit(slot, bytes)` for the slots of the WAL laid out for
// `page_size`, in order, until it returns false; `bytes` is shorter than a
// slot only for a partial last one. The file is read in pieces of about
// kScanChunkBytes.
template <typename Visit>
Status for_each_slot(vfs::File& wal, uint32_t page_size, Visit visit) {
  ASSIGN_OR_RETURN(const uint64_t size, wal.size());
  if (size <= kWalHeaderSize) return Status();
  const uint64_t slot_size = wal_slot_size(page_size);
  const uint64_t total = (size - kWalHeaderSize + slot_size - 1) / slot_size;
  const uint64_t per_chunk = std::max<uint64_t>(1, kScanChunkBytes / slot_size);
  std::vector<uint8_t> buffer(std::min(per_chunk, total) * slot_size);
  for (uint64_t first = 0; first < total; first += per_chunk) {
    const uint64_t count = std::min(per_chunk, total - first);
    const std::span<uint8_t> chunk = std::span(buffer).first(count * slot_size);
    ASSIGN_OR_RETURN(const size_t got, wal.read_at(wal_slot_offset(first, page_size), chunk));
    for (uint64_t k = 0; k < count; ++k) {
      const uint64_t begin = std::min<uint64_t>(k * slot_size, got);
      const uint64_t end = std::min<uint64_t>((k + 1) * slot_size, got);
      if (!visit(first + k, std::span<const uint8_t>(chunk).subspan(begin, end - begin))) return Status();
    }
  }
  return Status();
}

// Every slot of the WAL, a partial last one included, with its frame trailer
// when the frame is valid.
Result<std::vector<Slot>> read_slots(vfs::File& wal, const WalScanParams& params) {
  std::vector<Slot> slots;
  const uint64_t slot_size = wal_slot_size(params.page_size);
  RETURN_IF_ERROR(for_each_slot(wal, params.page_size, [&](uint64_t, std::span<const uint8_t> bytes) {
    if (bytes.size() < slot_size) {
      slots.push_back({SlotKind::kPartial, {}});
    } else if (const auto trailer = decode_frame(bytes, params.db_id, params.mutant)) {
      slots.push_back({SlotKind::kValid, *trailer});
    } else if (all_zero(bytes)) {
      slots.push_back({SlotKind::kEmpty, {}});
    } else {
      slots.push_back({SlotKind::kDamaged, {}});
    }
    return true;
  }));
  return slots;
}

// The transaction a log frame belongs to: all its frames carry the same
// sequence number and the same nonce.
struct TxnId {
  uint64_t txn_seq = 0;
  uint32_t nonce = 0;
  bool operator==(const TxnId&) const = default;
};

TxnId txn_of(const Slot& slot) { return {slot.trailer.txn_seq, slot.trailer.nonce}; }

// Whether `slot` continues the log as frame `n` (from 0) of transaction
// `txn`; for n == 0, `expected` (when known) is the sequence number the
// transaction must carry.
bool continues_log(const Slot& slot, uint64_t n, const TxnId& txn, std::optional<uint64_t> expected,
                   const WalScanParams& params) {
  if (slot.kind != SlotKind::kValid) return false;
  if (slot.trailer.commit != 0 && slot.trailer.commit != n + 1) return false;
  if (n > 0 && slot.trailer.nonce != txn.nonce) return false;
  const bool in_sequence = n > 0 ? slot.trailer.txn_seq == txn.txn_seq : !expected || slot.trailer.txn_seq == *expected;
  if (slot.trailer.generation == params.generation && in_sequence) return true;
  // MUTANT no-wal-salt: any frame whose checksum holds is taken, whatever
  // generation and sequence it carries, so frames left from before the last
  // WAL reset are replayed as if they were new.
  return mutant_active(params.mutant, Mutant::kNoWalSalt);
}

// Why the frame in `slots[at]` does not continue the log, for messages.
std::string why_log_breaks(const std::vector<Slot>& slots, uint64_t at, uint64_t n, const TxnId& txn,
                           std::optional<uint64_t> expected, bool group_pending, const WalScanParams& params) {
  if (at >= slots.size()) return "the file ends";
  const Slot& slot = slots[at];
  if (slot.kind == SlotKind::kPartial) return "partial frame: the file ends inside it";
  if (slot.kind == SlotKind::kEmpty) return "empty slot: no frame was ever written there";
  if (slot.kind == SlotKind::kDamaged) return "frame checksum mismatch";
  const FrameTrailer& h = slot.trailer;
  if (h.generation != params.generation) {
    return "frame of generation " + std::to_string(h.generation) + ", expected " +
           std::to_string(params.generation);
  }
  if (n > 0 && h.txn_seq != txn.txn_seq) {
    return "frame of txn " + std::to_string(h.txn_seq) + " inside txn " + std::to_string(txn.txn_seq);
  }
  if (n > 0 && h.nonce != txn.nonce) {
    return "frame of another write of txn " + std::to_string(h.txn_seq) + " (nonce differs)";
  }
  if (n == 0 && expected && h.txn_seq != *expected) {
    return "frame of txn " + std::to_string(h.txn_seq) + ", expected txn " + std::to_string(*expected);
  }
  if (n == 0 && group_pending) {
    return "frame of another write where a group's transactions wait for its meta frame (txn " +
           std::to_string(h.txn_seq) + ")";
  }
  return "commit field " + std::to_string(h.commit) + " on frame " + std::to_string(n + 1) + " of txn " +
         std::to_string(h.txn_seq);
}

bool of_generation(const Slot& slot, uint64_t generation) {
  return slot.kind == SlotKind::kValid && slot.trailer.generation == generation;
}

// Slots [first, end) of a complete transaction.
struct TxnSpan {
  uint64_t first = 0;
  uint64_t end = 0;
};

// The first complete transaction of `generation` (frames of one sequence
// number and nonce, commit field 0 but on the last, which holds the count)
// starting in [from, slots.size()); nullopt when none does. Linear: within a maximal run of one transaction's frames ending at a
// commit frame with count c, only the start c frames before its end can
// qualify.
std::optional<TxnSpan> find_complete_txn(const std::vector<Slot>& slots, uint64_t from, uint64_t generation) {
  uint64_t j = from;
  while (j < slots.size()) {
    if (!of_generation(slots[j], generation)) {
      ++j;
      continue;
    }
    const uint64_t run_start = j;
    const TxnId txn = txn_of(slots[j]);
    while (j < slots.size() && of_generation(slots[j], generation) && txn_of(slots[j]) == txn) {
      const uint32_t commit = slots[j++].trailer.commit;
      if (commit == 0) continue;
      if (commit <= j - run_start) return TxnSpan{j - commit, j};
      break;
    }
  }
  return std::nullopt;
}

}  // namespace

Result<WalHeader> read_wal_header(vfs::File& wal, Mutant mutant) {
  std::array<uint8_t, kWalHeaderSize> bytes{};
  ASSIGN_OR_RETURN(const size_t got, wal.read_at(0, bytes));
  return decode_wal_header(std::span(bytes).first(got), wal.path(), mutant);
}

Result<PageRef> read_wal_page(vfs::File& wal, uint64_t slot, PageNo pgno, uint32_t page_size, Mutant mutant) {
  auto page = std::make_shared<Page>(pgno, page_size, ToBeRead{});
  const uint64_t offset = wal_slot_offset(slot, page_size);  // the image starts the slot
  ASSIGN_OR_RETURN(const size_t got, wal.read_at(offset, page->bytes));
  if (got != page_size) {
    return Status::corruption("read page " + std::to_string(pgno) + " from " + wal.path() + " at offset " +
                              std::to_string(offset) + ": the file ends after " + std::to_string(got) +
                              " of its " + std::to_string(page_size) + " bytes");
  }
  RETURN_IF_ERROR(check_page(*page, wal.path(), mutant).with("read " + wal.path() + " at offset " +
                                                              std::to_string(offset)));
  return PageRef(std::move(page));
}

Result<WalLog> scan_wal_log(vfs::File& wal, const WalScanParams& params) {
  ASSIGN_OR_RETURN(const std::vector<Slot> slots, read_slots(wal, params));
  WalLog log;

  // Walk whole transactions from slot 0 while they fit. A transaction
  // whose last frame is not the meta page is one of a group's earlier ones:
  // it is held pending and commits with the first later transaction of its
  // write that ends in a meta frame, or not at all.
  uint64_t at = 0;
  std::optional<uint64_t> expected = params.first_txn_seq;
  uint64_t start = 0;
  uint64_t n = 0;
  TxnId txn;
  std::vector<uint64_t> txn_starts;  // the first slot of each committed transaction
  struct PendingTxn {
    uint64_t start = 0;
    uint64_t end = 0;
    TxnId txn;
  };
  std::vector<PendingTxn> pending;
  const auto joins_pending = [&](const Slot& slot) {
    const FrameTrailer& first = slots[pending.front().start].trailer;
    return write_random_of(slot.trailer.nonce) == write_random_of(first.nonce) &&
           write_first_seq(slot.trailer) == write_first_seq(first);
  };
  while (true) {
    start = at;
    n = 0;
    bool committed = false;
    while (at < slots.size() && continues_log(slots[at], n, txn, expected, params) &&
           (n > 0 || pending.empty() || joins_pending(slots[at]))) {
      if (n == 0) txn = txn_of(slots[at]);
      ++n;
      committed = slots[at++].trailer.commit != 0;
      if (committed) break;
    }
    if (!committed) break;
    pending.push_back({start, at, txn});
    expected = txn.txn_seq + 1;
    // MUTANT meta-bypasses-wal writes no meta frame at all: each commit frame
    // closes its own transaction, as in version 2, so that the mutant keeps
    // its own failure (a data meta ahead of the log) instead of this rule's.
    // MUTANT group-txn-commits-alone: the version-2 rule on a version-3 log;
    // a group's earlier transaction commits on its own commit frame, whether
    // or not the meta frame that carries its root and free list survived.
    const bool closes = slots[at - 1].trailer.pgno == kMetaPage ||
                        mutant_active(params.mutant, Mutant::kMetaBypassesWal) ||
                        mutant_active(params.mutant, Mutant::kGroupTxnCommitsAlone);
    if (!closes) continue;
    for (const PendingTxn& done : pending) {
      for (uint64_t s = done.start; s < done.end; ++s) {
        const PageNo pgno = slots[s].trailer.pgno;
        if (log.index.contains(pgno) && mutant_active(params.mutant, Mutant::kReplayKeepsOldestImage)) {
          // MUTANT replay-keeps-oldest-image: an insert that does not overwrite,
          // so the page's first image in the log wins over its latest.
          continue;
        }
        log.index[pgno] = s;
      }
      txn_starts.push_back(done.start);
      if (log.txn_count++ == 0) log.first_txn_seq = done.txn.txn_seq;
      log.last_txn_seq = done.txn.txn_seq;
    }
    pending.clear();
    // The last write began `index` transactions before this one.
    const uint64_t index = txn.txn_seq - write_first_seq(slots[start].trailer);
    log.last_write_slot = txn_starts[txn_starts.size() - 1 - std::min<uint64_t>(index, txn_starts.size() - 1)];
    if (mutant_active(params.mutant, Mutant::kRecoveryRewritesLastTxnOnly)) {
      // MUTANT recovery-rewrites-last-txn-only: the rule from before group
      // commit, where a write held one transaction. After a group's failed
      // sync, recovery rewrites and syncs only the group's last transaction;
      // the earlier ones stay as unsynced as the failed sync left them.
      log.last_write_slot = start;
    }
  }
  // [start, at) holds the intact frames of a transaction that never
  // committed, after the pending ones of its write; `at` is the first slot
  // that did not fit. Everything from the first pending transaction on is
  // dropped.
  const uint64_t broken_at = at;
  log.end_slot = pending.empty() ? start : pending.front().start;
  if ((n > 0 || !pending.empty()) && mutant_active(params.mutant, Mutant::kNoCommitRecord)) {
    // MUTANT no-commit-record: the intact frames of the unfinished transaction
    // are applied as if its commit frame had been written.
    for (uint64_t s = log.end_slot; s < at; ++s) log.index[slots[s].trailer.pgno] = s;
    log.end_slot = at;
  }
  // The transaction at the break, and the first one dropped.
  const std::optional<uint64_t> break_seq = n > 0 ? std::optional(txn.txn_seq) : expected;
  const std::optional<uint64_t> dropped_seq = pending.empty() ? break_seq : std::optional(pending.front().txn.txn_seq);

  log.torn_tail = broken_at < slots.size() &&
                  (slots[broken_at].kind == SlotKind::kPartial || slots[broken_at].kind == SlotKind::kDamaged);
  // The break is damage, not a torn tail, when something follows it that
  // could only have been written once the transaction at the break was
  // durable: a write starts only after the previous one's sync returned, and
  // a sequence number is reused only when the transaction that had it was
  // never acknowledged. One write may hold several transactions (a group
  // commit), and its frames reach the disk in any order: later transactions
  // of the write at the break are no evidence. A frame tells where its write
  // began (write_first_seq); one that began after the dropped transaction,
  // or under another write's random part than the dropped transaction's
  // own intact frames, was written afterwards.
  // The slot at the break is where the dropped transaction's frame belongs:
  // a later transaction there was written over it afterwards, never with it.
  const bool later_at_break = break_seq && broken_at < slots.size() &&
                              of_generation(slots[broken_at], params.generation) &&
                              slots[broken_at].trailer.txn_seq > *break_seq;
  std::optional<uint32_t> break_random;
  if (!pending.empty()) {
    break_random = write_random_of(pending.front().txn.nonce);
  } else if (n > 0) {
    break_random = write_random_of(txn.nonce);
  }
  for (uint64_t s = broken_at; s < slots.size() && !break_random && dropped_seq; ++s) {
    if (of_generation(slots[s], params.generation) && slots[s].trailer.txn_seq == *dropped_seq) {
      break_random = write_random_of(slots[s].trailer.nonce);
    }
  }
  const auto same_write = [&](const FrameTrailer& later) {
    if (later_at_break || write_first_seq(later) > *dropped_seq) return false;
    return !break_random || write_random_of(later.nonce) == *break_random;
  };
  const auto damage_at_break = [&](const std::string& what_follows, uint64_t slot) {
    return Status::corruption("WAL " + wal.path() + ": the log breaks at offset " +
                              std::to_string(wal_slot_offset(broken_at, params.page_size)) + " (" +
                              why_log_breaks(slots, broken_at, n, txn, expected, !pending.empty(), params) +
                              ") but " + what_follows + " follows at offset " +
                              std::to_string(wal_slot_offset(slot, params.page_size)) +
                              "; a transaction is written only after the previous one is durable, so this is "
                              "damage, not a torn tail");
  };
  for (uint64_t s = log.end_slot; s < slots.size(); ++s) {
    if (slots[s].kind != SlotKind::kValid) continue;
    const FrameTrailer& h = slots[s].trailer;
    if (h.generation < params.generation) {
      log.stale_frames = true;
    } else if (h.generation > params.generation) {
      if (!params.cross_checks) continue;
      return Status::corruption("WAL " + wal.path() + ": frame at offset " +
                                std::to_string(wal_slot_offset(s, params.page_size)) + " carries generation " +
                                std::to_string(h.generation) + ", newer than the log's generation " +
                                std::to_string(params.generation) +
                                "; a generation's frames are written only after its header is durable");
    } else if (dropped_seq && h.txn_seq > *dropped_seq) {
      if (params.cross_checks && !same_write(h)) {
        return damage_at_break("a frame of a later write (txn " + std::to_string(h.txn_seq) + ")", s);
      }
      log.uncommitted_frames = true;
      log.later_debris_end = s + 1;
    } else if (s < broken_at || !dropped_seq || h.txn_seq == *dropped_seq) {
      log.uncommitted_frames = true;
    }
  }

  for (auto later = params.cross_checks ? find_complete_txn(slots, log.end_slot, params.generation) : std::nullopt;
       later; later = find_complete_txn(slots, later->end, params.generation)) {
    const FrameTrailer& first = slots[later->first].trailer;
    // The first dropped pending transaction, where the walk left it: complete
    // but for the meta frame it was waiting for.
    const bool pending_of_break = !pending.empty() && later->first == pending.front().start;
    if (dropped_seq && (first.txn_seq > *dropped_seq || pending_of_break) && same_write(first)) continue;
    return damage_at_break("a complete transaction (txn " + std::to_string(first.txn_seq) + ")", later->first);
  }
  if (broken_at > log.end_slot && mutant_active(params.mutant, Mutant::kRecoveryKeepsTornTail)) {
    // MUTANT recovery-keeps-torn-tail: the next transaction is written after
    // the intact frames of the one dropped, not over them, leaving them in
    // the middle of the log.
    log.end_slot = broken_at;
  }
  return log;
}

Result<uint64_t> newest_frame_generation(vfs::File& wal, uint32_t page_size, uint64_t db_id, Mutant mutant) {
  uint64_t newest = 0;
  RETURN_IF_ERROR(for_each_slot(wal, page_size, [&](uint64_t, std::span<const uint8_t> bytes) {
    if (bytes.size() == wal_slot_size(page_size)) {
      if (const auto trailer = decode_frame(bytes, db_id, mutant)) newest = std::max(newest, trailer->generation);
    }
    return true;
  }));
  return newest;
}

Result<std::optional<WalHeader>> header_from_meta_frames(vfs::File& wal, Mutant mutant) {
  for (uint32_t page_size = kMinPageSize; page_size <= kMaxPageSize; page_size *= 2) {
    std::optional<WalHeader> found;
    RETURN_IF_ERROR(for_each_slot(wal, page_size, [&](uint64_t, std::span<const uint8_t> bytes) {
      if (bytes.size() < wal_slot_size(page_size)) return true;
      const Result<uint32_t> announced = decode_meta_prefix(bytes.first(kMetaPrefixSize), wal.path());
      if (!announced.ok() || *announced != page_size) return true;
      Page page(kMetaPage, page_size);
      std::copy_n(bytes.begin(), page_size, page.bytes.begin());
      const Result<Meta> meta = decode_meta(page, wal.path(), mutant);
      if (!meta.ok()) return true;
      const auto trailer = decode_frame(bytes, meta->db_id, mutant);
      if (!trailer || trailer->pgno != kMetaPage) return true;
      found = WalHeader{page_size, meta->db_id, 0};
      return false;
    }));
    if (found) {
      ASSIGN_OR_RETURN(found->generation, newest_frame_generation(wal, page_size, found->db_id, mutant));
      return found;
    }
  }
  return std::optional<WalHeader>();
}

}  // namespace engine
