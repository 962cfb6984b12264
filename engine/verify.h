// verify(): the structural check behind Db::verify, run by the crash
// simulator on every crash state it builds.
//
// One pass: the tree from meta.root depth-first, each leaf's overflow chains
// as the leaf is met, then the free list, then a sweep of a per-page bitmap
// for pages nobody reached. Keys are compared as string_views into the page
// images held along the current root-to-leaf path, so nothing is allocated
// per key. Every problem found is reported as a Violation (db.h) rather than
// stopping the pass; a node whose layout is broken is reported and its
// subtree skipped (its pages then also show up as leaks).
//
// What is checked, by Violation kind:
//   kMeta            page size, root and depth agree (root kNoPage iff depth 0),
//                    root inside the file, key_count and freelist_count match
//                    what the pass counted, page_digest matches the
//                    checksums of every page (read at the end if the pass
//                    did not reach it)
//   kBadPage         page with a bad checksum or past the end of the file,
//                    unknown page type,
//                    broken node layout (NodeView::validate), links outside
//                    [1, page_count), a free list the pager cannot walk
//   kPageType        a link to a page of the wrong type (an overflow or free
//                    page as a tree node)
//   kKeyOrder        keys within a node not strictly increasing
//   kSeparator       a key of the subtree of child i outside
//                    [separator i, separator i+1) as inherited from every
//                    ancestor (the leftmost child has no lower bound of its
//                    own, the rightmost no upper bound of its own)
//   kDepth           a leaf at a depth other than meta.depth (so all leaves
//                    at one depth), an internal node where leaves belong
//   kFill            a non-root node below NodeGeometry::min_fill; an
//                    internal root with one child; an empty root leaf
//   kOverflowChain   a chain whose pages, used lengths or end do not match
//                    the value length in its cell (loops end up here too)
//   kDoubleReference a page reached twice: from two places in the tree, or
//                    from the tree and the free list, or twice on the list
//   kLeak            a page in [1, page_count) neither reached nor free
#pragma once

#include "engine/db.h"
#include "engine/pager.h"

namespace engine {

// Verifies the committed state the pager holds. Only a failure to run at all
// is an error, and a read the device fails (kIoError) is one: it says nothing
// about the file. What is wrong with the file is in the report.
Result<VerifyReport> verify_database(Pager& pager);

}  // namespace engine
