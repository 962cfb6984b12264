// Db: the public API over the pager and the tree. Each call takes the
// database's locks (DbState: a write both, a read only the readers' lock),
// turns any exception into a Status, and for writes runs exactly one pager
// transaction.
#include "engine/db.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "engine/btree.h"
#include "engine/cursor.h"
#include "engine/db_state.h"
#include "engine/group_pacer.h"
#include "engine/node.h"
#include "engine/pager.h"
#include "engine/snapshot.h"
#include "engine/verify.h"
#include "engine/wal_format.h"

namespace engine {
namespace {

// One operation of a write, viewing the caller's bytes (no copies for put/del).
struct OpRef {
  WriteBatch::OpKind kind;
  std::string_view key;
  std::string_view value;
};

Status exception_status(std::string_view operation, const std::string& path, const std::exception& e) {
  return Status::io_error(std::string(operation) + " " + path + ": " + e.what());
}

Status closed_status(std::string_view operation) {
  return Status::invalid_argument(std::string(operation) + ": the database is closed");
}

// Runs `body` (which returns a Status or a Result) turning an escaping
// exception into an error.
template <class Body>
auto guarded(std::string_view operation, const std::string& path, Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const std::exception& e) {
    return exception_status(operation, path, e);
  }
}

}  // namespace

uint32_t max_key_size(uint32_t page_size) { return NodeGeometry::for_page_size(page_size).max_key; }

std::string_view violation_kind_name(Violation::Kind kind) {
  switch (kind) {
    case Violation::Kind::kBadPage: return "bad-page";
    case Violation::Kind::kKeyOrder: return "key-order";
    case Violation::Kind::kSeparator: return "separator";
    case Violation::Kind::kDepth: return "depth";
    case Violation::Kind::kPageType: return "page-type";
    case Violation::Kind::kFill: return "fill";
    case Violation::Kind::kOverflowChain: return "overflow-chain";
    case Violation::Kind::kDoubleReference: return "double-reference";
    case Violation::Kind::kLeak: return "leak";
    case Violation::Kind::kMeta: return "meta";
  }
  return "unknown";
}

// A write waiting its turn: one batch, and where its verdict goes.
struct PendingWrite {
  std::span<const OpRef> ops;
  const std::function<void(const Status&)>* on_done = nullptr;
  Status status;
  // kQueued until the write is decided (kDone) or reaches the front of the
  // queue behind a finished group (kLeading). The store of kDone is the
  // leader's last touch of the write: its owner may let it go as soon as it
  // sees it.
  std::atomic<uint32_t> turn{kQueued};
  static constexpr uint32_t kQueued = 0, kLeading = 1, kDone = 2;

  // The owner's side: waits, without the queue's lock, until the write is
  // decided or leads. `decisions` is Db::Impl's: it outlives every write,
  // so the leader can wake the owners through it after their last touch.
  uint32_t wait_turn(std::atomic<uint32_t>& decisions) const {
    while (true) {
      const uint32_t seen = decisions.load(std::memory_order_acquire);
      const uint32_t now = turn.load(std::memory_order_acquire);
      if (now != kQueued) return now;
      decisions.wait(seen, std::memory_order_acquire);
    }
  }
};

// A leader takes the waiting writes up to this many bytes of keys and
// values (at least one write, however large), as LevelDB does: a group
// should not make its first writer wait long for the last one's pages.
constexpr size_t kMaxGroupBytes = 1 << 20;

// How long a gathering leader yields its core before it sleeps (Db::Impl::
// await_queued says why); RocksDB's write thread yields up to the same
// 100 µs by default before it blocks (write_thread_max_yield_usec).
constexpr std::chrono::microseconds kGatherYield{100};

size_t write_bytes(const PendingWrite& write) {
  size_t bytes = 0;
  for (const OpRef& op : write.ops) bytes += op.key.size() + op.value.size();
  return bytes;
}

struct Db::Impl {
  std::shared_ptr<DbState> state;
  std::string path;
  // Writes queue here in arrival order; the one at the front is the leader,
  // which writes a group from the front and then hands over to the next.
  std::mutex queue_mu;
  std::deque<PendingWrite*> queue;
  // queue.size(), stored under queue_mu, so that a gathering leader can
  // watch it without taking the lock.
  std::atomic<size_t> queue_length{0};
  GroupPacer pacer;               // under queue_mu
  bool leader_gathering = false;  // under queue_mu: a leader waits for `gathered`
  std::condition_variable gathered;
  // Bumped each time a leader has decided writes or handed the lead on;
  // queued writers wait on it (PendingWrite::wait_turn). One word for all:
  // a write's own word could not be notified after its owner may have let
  // it go, and one wake-all per group is one system call where waking each
  // write was one per write (with 8 writers the owners, woken before the
  // leader was done with their writes, spent 6% of the run yielding).
  std::atomic<uint32_t> decisions{0};

  // Queues `writes` (one caller's, in order) and returns once each is
  // decided, leading a group whenever one of them reaches the front.
  void submit(std::span<PendingWrite> writes) {
    std::unique_lock lock(queue_mu);
    for (PendingWrite& write : writes) queue.push_back(&write);
    queue_length.store(queue.size(), std::memory_order_release);
    if (leader_gathering) gathered.notify_one();
    for (PendingWrite& write : writes) {
      if (!lock.owns_lock()) lock.lock();
      // A write of this caller's that an earlier one led is out of the
      // queue already, decided.
      if (queue.empty() || queue.front() != &write) {
        lock.unlock();
        if (write.wait_turn(decisions) == PendingWrite::kDone) continue;
        lock.lock();
      }
      lead_group(lock);
    }
  }

  // The writes a leader writes together: a prefix of the queue, front first.
  struct Group {
    std::vector<PendingWrite*> writes;
    // Set for a write told its verdict already (the group-ack-before-sync
    // mutant): it must not be touched again.
    std::vector<bool> acknowledged;
    size_t bytes = 0;
    // Its WAL write and sync, for the pacer.
    std::chrono::steady_clock::duration flush_time{};
  };

  // Run by the write at the front, with queue_mu held: writes a group from
  // the front, tells each of its writes, and wakes the next front.
  void lead_group(std::unique_lock<std::mutex>& lock) {
    Group group;
    take_queued(group);
    const size_t expected = pacer.writers_expected(kMaxTxnsPerWrite);
    const auto deadline = std::chrono::steady_clock::now() + pacer.patience();
    lock.unlock();
    try {
      write_group_now(group, expected, deadline);
    } catch (const std::exception& e) {
      // Nothing may escape before the group is told and popped: the
      // writes behind it wait for that, and would wait forever.
      for (size_t i = 0; i < group.writes.size(); ++i) {
        if (!group.acknowledged[i]) group.writes[i]->status = exception_status("write", path, e);
      }
    }
    lock.lock();
    for (size_t i = 0; i < group.writes.size(); ++i) {
      queue.pop_front();
      if (!group.acknowledged[i]) acknowledge(*group.writes[i]);
    }
    queue_length.store(queue.size(), std::memory_order_release);
    pacer.group_done(group.writes.size(), queue.size(), group.flush_time);
    if (!queue.empty()) queue.front()->turn.store(PendingWrite::kLeading, std::memory_order_release);
    wake_writers();
  }

  // Adds to `group` the writes queued behind it, up to 1 MiB of keys and
  // values and kMaxTxnsPerWrite writes (at least one write, however large),
  // with queue_mu held. True when it added any.
  bool take_queued(Group& group) {
    const size_t before = group.writes.size();
    while (group.writes.size() < queue.size() && (group.writes.empty() || !full(group))) {
      PendingWrite* write = queue[group.writes.size()];
      group.writes.push_back(write);
      group.acknowledged.push_back(false);
      group.bytes += write_bytes(*write);
    }
    return group.writes.size() > before;
  }

  static bool full(const Group& group) {
    return group.bytes >= kMaxGroupBytes || group.writes.size() >= kMaxTxnsPerWrite;
  }

  // Tells a write its verdict (set in write.status), with queue_mu held;
  // its owner learns it at the next wake_writers(). The write may be gone
  // as soon as this returns.
  static void acknowledge(PendingWrite& write) {
    if (write.on_done != nullptr) (*write.on_done)(write.status);
    write.turn.store(PendingWrite::kDone, std::memory_order_release);
  }

  // Wakes every queued writer to look at its write's turn again.
  void wake_writers() {
    decisions.fetch_add(1, std::memory_order_release);
    decisions.notify_all();
  }

  // The leader's work: each write of the group as its own transaction,
  // staged in order, then one flush (one WAL write, one sync) for all.
  // Writes that queue while it stages join the group, and until it holds
  // `expected` writes or `deadline` passes it waits for more (GroupPacer
  // says why), staging each as it comes. Sets every write's status.
  void write_group_now(Group& group, size_t expected, std::chrono::steady_clock::time_point deadline) {
    std::lock_guard writer(state->write_mu);
    // write_mu keeps close() out, so the pager stays.
    if (!state->pager) {
      for (PendingWrite* write : group.writes) write->status = closed_status("write " + path);
      return;
    }
    Pager& pager = *state->pager;
    std::vector<size_t> staged;
    {
      // Staging changes nothing a reader reads (the transactions' pages are
      // their own until the flush publishes them, and so are the pages they
      // read past the cache: Pager), so readers go on beside it. Held shared
      // all the same: a reader that holds the lock exclusively changes the
      // cache, digests and links that staging reads.
      std::shared_lock readers(state->mu);
      try {
        size_t next = 0;
        do {
          for (; next < group.writes.size(); ++next) stage_in_group(pager, group, next, staged);
        } while (gather_more(group, expected, deadline, readers));
      } catch (...) {
        // stage() catches its own but for Pager::stage stopping half-way; that
        // and an allocation between two stages (a failed write's Status
        // copied) land here. What was staged goes unwritten: every write of
        // the group is reported failed.
        pager.drop_staged();
        throw;
      }
    }
    if (staged.empty()) return;
    // Taken by the flush once its WAL write and sync are done (pager.h).
    std::unique_lock readers(state->mu, std::defer_lock);
    const auto flush_started = std::chrono::steady_clock::now();
    const Status flushed = pager.flush(&readers);
    group.flush_time = std::chrono::steady_clock::now() - flush_started;
    if (flushed.ok()) return;
    // Every write of the group fails with its flush, a write that changed
    // nothing too: each holds its place in the commit order behind writes
    // that may or may not be on disk, so it cannot be told it succeeded.
    // Only a write that failed on its own keeps its own error.
    for (size_t i = 0; i < group.writes.size(); ++i) {
      if (!group.acknowledged[i] && group.writes[i]->status.ok())
        group.writes[i]->status = flushed.with("write " + path);
    }
  }

  // Adds to the group the writes queued since it last looked. With none,
  // waits for one without the readers' lock while the group holds fewer
  // than `expected`, is not full and `deadline` has not passed. False when
  // nothing was added: the group is complete.
  bool gather_more(Group& group, size_t expected, std::chrono::steady_clock::time_point deadline,
                   std::shared_lock<ReadersLock>& readers) {
    std::unique_lock lock(queue_mu);
    if (take_queued(group)) return true;
    if (group.writes.size() >= expected || full(group) || std::chrono::steady_clock::now() >= deadline)
      return false;
    lock.unlock();
    readers.unlock();
    await_queued(group.writes.size(), deadline);
    lock.lock();
    const bool added = take_queued(group);
    lock.unlock();
    readers.lock();
    return added;
  }

  // Called without queue_mu. Returns once more than `held` writes are
  // queued or `deadline` has passed: yielding the core for up to
  // kGatherYield, then asleep on `gathered`. Why yield first: the writes a
  // leader waits for are their owners coming back from the last group's
  // wake-up, a few microseconds apart. Asleep, the leader was woken by each
  // of them and waited for a core each time; yielding, it sees them come
  // and leaves the core to them meanwhile: more commits/s with 2 to 16
  // writers on a 2-core machine (docs/benchmarks.md). The bound keeps a
  // leader that waits out a slow disk's patience from spinning through it.
  void await_queued(size_t held, std::chrono::steady_clock::time_point deadline) {
    const auto yield_until = std::min(deadline, std::chrono::steady_clock::now() + kGatherYield);
    while (queue_length.load(std::memory_order_acquire) <= held) {
      if (std::chrono::steady_clock::now() >= yield_until) {
        std::unique_lock lock(queue_mu);
        leader_gathering = true;
        gathered.wait_until(lock, deadline, [&] { return queue.size() > held; });
        leader_gathering = false;
        return;
      }
      std::this_thread::yield();
    }
  }

  // Stages write `i` of the group, noting it in `staged` when it changed
  // something.
  void stage_in_group(Pager& pager, Group& group, size_t i, std::vector<size_t>& staged) {
    PendingWrite& write = *group.writes[i];
    Result<bool> result = stage(pager, write.ops);
    if (!result.ok()) {
      write.status = result.status();
      return;
    }
    write.status = Status();
    if (!*result) return;
    staged.push_back(i);
    if (group.writes.size() > 1 && mutant_active(pager.mutant(), Mutant::kGroupAckBeforeSync)) {
      // MUTANT group-ack-before-sync: a write of a group is acknowledged
      // once its transaction is staged, before the group's WAL write and
      // sync; a crash before the sync loses what was acknowledged.
      const std::lock_guard queue_lock(queue_mu);
      acknowledge(write);
      wake_writers();
      group.acknowledged[i] = true;
    }
  }

  // One write's transaction, staged: sizes checked before anything is read,
  // then begin, every op, stage; any error rolls the batch back (and only
  // it). False for a batch that changes nothing (deletes of absent keys,
  // puts of the values already there): it stages nothing.
  Result<bool> stage(Pager& pager, std::span<const OpRef> ops) {
    bool in_transaction = false;
    bool ending = false;  // in pager.stage()
    try {
      for (size_t i = 0; i < ops.size(); ++i) {
        const Status s = check_entry_size(pager.page_size(), ops[i].key.size(), ops[i].value.size());
        if (!s.ok()) return s.with("write " + path + ": operation " + std::to_string(i) + " of the batch");
      }
      if (ops.empty()) return false;
      ASSIGN_OR_RETURN(Meta meta, pager.begin());
      in_transaction = true;
      bool changed = false;
      for (size_t i = 0; i < ops.size(); ++i) {
        const OpRef& op = ops[i];
        const bool is_put = op.kind == WriteBatch::OpKind::kPut;
        auto result = is_put ? state->tree->put(meta, op.key, op.value) : state->tree->del(meta, op.key);
        if (!result.ok()) {
          pager.rollback();
          return result.status().with("write " + path + ": operation " + std::to_string(i) + " (" +
                                      (is_put ? "put" : "delete") + ")");
        }
        changed = changed || *result;
      }
      in_transaction = false;
      if (!changed) {
        pager.rollback();
        return false;
      }
      ending = true;
      const Status staged = pager.stage(meta);
      if (!staged.ok()) {
        pager.rollback();  // stage ends the transaction on most failures; make sure of it
        return staged.with("write " + path);
      }
      return true;
    } catch (const std::exception& e) {
      if (ending) {
        // stage() stopped half-way (out of memory): the group's staged
        // images may hold this transaction's pages, so nothing of the group
        // may be flushed. write_group_now drops it all and every write fails.
        pager.rollback();
        throw;
      }
      if (in_transaction) pager.rollback();
      return exception_status("write", path, e);
    }
  }

  Status apply(std::span<const OpRef> ops) {
    PendingWrite write;
    write.ops = ops;
    submit({&write, 1});
    return write.status;
  }
};

Db::Db(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Db::~Db() { (void)close(); }

Result<std::unique_ptr<Db>> Db::open(vfs::Vfs& vfs, const std::string& path, const Options& options) {
  return guarded("open", path, [&]() -> Result<std::unique_ptr<Db>> {
    if (options.mutant != Mutant::kNone && !kMutantsCompiled)
      return Status::invalid_argument("open " + path + ": mutant " + std::string(mutant_name(options.mutant)) +
                                      " requested but this build has no mutants (configure with -Dmutants=true)");
    if (options.page_size != 0 && (options.page_size < kMinPageSize || options.page_size > kMaxPageSize ||
                                   !std::has_single_bit(options.page_size)))
      return Status::invalid_argument("open " + path + ": page size " + std::to_string(options.page_size) +
                                      " is not a power of two in [" + std::to_string(kMinPageSize) + ", " +
                                      std::to_string(kMaxPageSize) + "]");
    PagerOptions pager_options;
    pager_options.page_size = options.page_size;
    pager_options.create_if_missing = options.create_if_missing;
    pager_options.read_only = options.read_only;
    pager_options.checkpoint_every_commits = options.checkpoint_every_commits;
    pager_options.checkpoint_wal_bytes = options.checkpoint_wal_bytes;
    pager_options.wal_size_limit = options.wal_size_limit;
    pager_options.cache_pages = options.cache_pages;
    pager_options.mutant = options.mutant;
    pager_options.cross_checks = options.cross_checks;
    pager_options.lock_wait_ms = options.lock_wait_ms;
    pager_options.snapshot_memory_limit = options.snapshot_memory_limit;
    ASSIGN_OR_RETURN(std::unique_ptr<Pager> pager, Pager::open(vfs, path, pager_options));
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    impl->state = std::make_shared<DbState>();
    impl->state->tree = std::make_unique<BTree>(*pager, options.mutant);
    impl->state->pager = std::move(pager);
    return std::unique_ptr<Db>(new Db(std::move(impl)));
  });
}

Status Db::write(const WriteBatch& batch) {
  return guarded("write", impl_->path, [&] {
    std::vector<OpRef> ops;
    ops.reserve(batch.size());
    for (const auto& op : batch.ops()) ops.push_back({op.kind, op.key, op.value});
    return impl_->apply(ops);
  });
}

Status Db::write_group(std::span<const WriteBatch> batches,
                       const std::function<void(size_t, const Status&)>& on_done) {
  return guarded("write", impl_->path, [&]() -> Status {
    std::vector<std::vector<OpRef>> ops(batches.size());
    std::vector<std::function<void(const Status&)>> callbacks(batches.size());
    std::vector<PendingWrite> writes(batches.size());
    for (size_t i = 0; i < batches.size(); ++i) {
      for (const auto& op : batches[i].ops()) ops[i].push_back({op.kind, op.key, op.value});
      writes[i].ops = ops[i];
      if (on_done) {
        callbacks[i] = [&on_done, i](const Status& status) { on_done(i, status); };
        writes[i].on_done = &callbacks[i];
      }
    }
    impl_->submit(writes);
    for (const PendingWrite& write : writes) {
      if (!write.status.ok()) return write.status;
    }
    return Status();
  });
}

Status Db::put(std::string_view key, std::string_view value) {
  const std::array<OpRef, 1> op{{{WriteBatch::OpKind::kPut, key, value}}};
  return guarded("put", impl_->path, [&] { return impl_->apply(op); });
}

Status Db::del(std::string_view key) {
  const std::array<OpRef, 1> op{{{WriteBatch::OpKind::kDelete, key, {}}}};
  return guarded("delete", impl_->path, [&] { return impl_->apply(op); });
}

Status Db::get(std::string_view key, std::string* value) {
  return guarded("get", impl_->path, [&]() -> Status {
    DbState& state = *impl_->state;
    {
      std::shared_lock shared(state.mu);
      if (!state.pager) return closed_status("get " + impl_->path);
      const Status size_ok = check_entry_size(state.pager->page_size(), key.size(), 0);
      if (!size_ok.ok()) return size_ok.with("get " + impl_->path);
      const Meta& meta = state.pager->meta();
      if (std::optional<Status> s = state.tree->get_shared(meta.root, meta.depth, key, value)) return *s;
    }
    // The shared walk needs something changed first (a page read into the
    // cache, a digest built, a link made): the same get, alone.
    std::lock_guard lock(state.mu);
    if (!state.pager) return closed_status("get " + impl_->path);
    const Meta& meta = state.pager->meta();
    const Status s = state.tree->get(meta.root, meta.depth, key, value);
    if (s.is_not_found()) return s;
    return s.ok() ? s : s.with("get " + impl_->path);
  });
}

Result<std::unique_ptr<Cursor>> Db::new_cursor() {
  return guarded("new cursor", impl_->path, [&]() -> Result<std::unique_ptr<Cursor>> {
    std::lock_guard lock(impl_->state->mu);
    if (!impl_->state->pager) return closed_status("new cursor on " + impl_->path);
    return new_tree_cursor(impl_->state, impl_->state->pager->read_point(), CursorPoint::kRenewOnExpiry);
  });
}

Result<std::unique_ptr<Snapshot>> Db::snapshot() {
  return guarded("snapshot", impl_->path, [&]() -> Result<std::unique_ptr<Snapshot>> {
    std::lock_guard lock(impl_->state->mu);
    if (!impl_->state->pager) return closed_status("snapshot of " + impl_->path);
    return new_snapshot(impl_->state, impl_->state->pager->read_point(), impl_->path);
  });
}

Status Db::checkpoint() {
  return guarded("checkpoint", impl_->path, [&]() -> Status {
    std::lock_guard writer(impl_->state->write_mu);
    std::unique_lock readers(impl_->state->mu);
    if (!impl_->state->pager) return closed_status("checkpoint " + impl_->path);
    return impl_->state->pager->checkpoint(&readers);
  });
}

Result<VerifyReport> Db::verify() {
  return guarded("verify", impl_->path, [&]() -> Result<VerifyReport> {
    std::lock_guard writer(impl_->state->write_mu);
    std::lock_guard lock(impl_->state->mu);
    if (!impl_->state->pager) return closed_status("verify " + impl_->path);
    return verify_database(*impl_->state->pager);
  });
}

Result<Stats> Db::stats() {
  return guarded("stats", impl_->path, [&]() -> Result<Stats> {
    std::lock_guard lock(impl_->state->mu);
    if (!impl_->state->pager) return closed_status("stats " + impl_->path);
    const Pager& pager = *impl_->state->pager;
    const Meta& meta = pager.meta();
    const PagerStats ps = pager.stats();
    Stats s;
    s.page_size = pager.page_size();
    s.page_count = meta.page_count;
    s.depth = meta.depth;
    s.free_pages = meta.freelist_count;
    s.wal_bytes = ps.wal_bytes;
    s.key_count = meta.key_count;
    s.commits = ps.commits;
    s.checkpoints = ps.checkpoints;
    s.wal_syncs = ps.wal_syncs;
    s.data_syncs = ps.data_syncs;
    s.recovery = pager.recovery_info();
    return s;
  });
}

Status Db::close() {
  if (!impl_) return Status();
  return guarded("close", impl_->path, [&]() -> Status {
    DbState& state = *impl_->state;
    std::lock_guard writer(state.write_mu);
    std::lock_guard lock(state.mu);
    if (!state.pager) return Status();
    state.tree.reset();  // it refers to the pager
    const Status s = state.pager->close();
    state.pager.reset();
    return s;
  });
}

}  // namespace engine
