// The state of an open database that its cursors and snapshots share with it.
//
// A cursor or snapshot holds a shared_ptr to this, so one that outlives
// Db::close() (or the Db itself) finds `pager` null and reports an error
// instead of touching freed memory.
#pragma once

#include <memory>
#include <mutex>

#include "engine/btree.h"
#include "engine/pager.h"
#include "engine/readers_lock.h"

namespace engine {

struct DbState {
  // Serializes the writers: write, checkpoint, verify and close hold it for
  // their whole run, I/O included. Taken before `mu`.
  std::mutex write_mu;
  // The readers' lock of engine/pager.h: every call on the pager and the
  // tree holds it, except while a commit or a checkpoint releases it for
  // its I/O. A reader holds only this one: shared for BTree::get_shared,
  // exclusively for anything else. The writer holds it shared while it
  // stages its transactions, and exclusively to publish them.
  ReadersLock mu;
  // Null once the database is closed.
  std::unique_ptr<Pager> pager;
  std::unique_ptr<BTree> tree;
};

}  // namespace engine
