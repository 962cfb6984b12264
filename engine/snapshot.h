// The Snapshot behind Db::snapshot(): a read point of the pager and the
// database state to read it through.
//
// A get on a snapshot still at the last commit takes the tree's fast path
// (borrowed, digested nodes: the same images); one behind it walks the tree
// its read point sees, page by page through Pager::get_at.
#pragma once

#include <memory>
#include <string>

#include "engine/db.h"
#include "engine/db_state.h"

namespace engine {

std::unique_ptr<Snapshot> new_snapshot(std::shared_ptr<DbState> db, std::shared_ptr<ReadPoint> point,
                                       std::string path);

}  // namespace engine
