// Free pages: the on-disk form of the free list, and its walk for verify().
//
// The free list is a singly linked list threaded through the free pages
// themselves: each is typed PageType::kFree and holds the next page's number
// (kNoPage at the end) right after the page header. The meta page holds the
// head and the count. Which transaction may pop or push is the pager's
// business (a page freed by a transaction is pushed only when it commits).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "engine/mutant.h"
#include "engine/page.h"
#include "engine/pager.h"

namespace engine {

inline constexpr size_t kFreeNextOffset = kPageHeaderSize;

// Turns `page` into a free page (all zero but the type) linking to `next`.
void format_free_page(Page& page, PageNo next);

// The next page of a free page.
inline PageNo free_page_next(const Page& page) { return load_u32(page.bytes.data() + kFreeNextOffset); }

// How walk_free_list reads a page: the pager's committed image, or a test's.
using PageFetch = std::function<Result<PageRef>(PageNo)>;

// kCorruption (naming `path` and the meta page's fields) when the head and
// the count of `meta`'s free list contradict each other: an empty list with
// pages counted, or a list with none.
Status check_free_list_ends(const Meta& meta, const std::string& path);

// Takes `head`, the image of the list's head page, off the free list of
// `meta`. kCorruption (naming `path`) when it is not a free page, or when the
// chain and the count disagree: the chain ends while the count says more
// pages follow, or goes on while the count is spent. Checked this way as the
// list is used, a wrong count stops the write that reaches the end of it
// instead of being carried into every later meta page; verify() reports it
// at once.
Status pop_free_page(Meta& meta, const Page& head, const std::string& path, Mutant mutant);

// The pages on the free list of `meta`, in list order, read through `read`.
// kCorruption (naming `path`) for a loop, a page that is not a free page, or
// a link past meta.page_count. The count is returned, not checked against
// meta.freelist_count: that comparison is verify()'s to report.
Result<std::vector<PageNo>> walk_free_list(const Meta& meta, const PageFetch& read, const std::string& path);

}  // namespace engine
