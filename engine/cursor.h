// The tree cursor behind Db::new_cursor().
//
// A cursor is a stack of (page, index) from the root to a leaf entry; there
// are no sibling links, so moving past the end of a leaf climbs the stack to
// the nearest ancestor with another child and walks down its leftmost path
// (its rightmost path, moving back past the start of a leaf).
// The stack holds PageRefs, so the images it points into stay alive even if
// the cache drops them or a later commit replaces them.
//
// Concurrent writes: a cursor reads one commit's tree through its read point
// (engine/pager.h), taking the readers' lock for each move. Page images never
// change once committed, so the stack stays the tree it was walking however
// many commits and checkpoints follow: the cursor never jumps, unless its
// point expires (CursorPoint below).
//
// Overflow values are assembled into a buffer the cursor owns when the
// cursor lands on the entry, so an unreadable chain shows up as an invalid
// cursor with a non-OK status() rather than as a bad value.
#pragma once

#include <cstdint>
#include <memory>

#include "engine/db.h"
#include "engine/db_state.h"

namespace engine {

// What a cursor does when its read point expires (Options::snapshot_memory_limit).
enum class CursorPoint : uint8_t {
  // Db::new_cursor: moves on in the last commit, from the first key after
  // (the last key before) its current one, as cursors did before snapshots.
  kRenewOnExpiry,
  // Snapshot::new_cursor: fails with kExpired, like every read of its snapshot.
  kFailOnExpiry,
};

std::unique_ptr<Cursor> new_tree_cursor(std::shared_ptr<DbState> db, std::shared_ptr<ReadPoint> point,
                                        CursorPoint kind);

}  // namespace engine
