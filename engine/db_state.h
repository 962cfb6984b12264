// The state of an open database that its cursors share with it.
//
// A cursor holds a shared_ptr to this, so a cursor that outlives Db::close()
// (or the Db itself) finds `pager` null and reports an error instead of
// touching freed memory.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>

#include "engine/btree.h"
#include "engine/pager.h"

namespace engine {

struct DbState {
  // Serializes every call on the Db and on its cursors.
  std::mutex mu;
  // Null once the database is closed.
  std::unique_ptr<Pager> pager;
  std::unique_ptr<BTree> tree;
  // Commits since open. A cursor remembers the version it positioned itself
  // in and re-seeks when a commit moved it on.
  uint64_t version = 0;
};

}  // namespace engine
