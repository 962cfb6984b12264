#include "engine/free_list.h"

#include <algorithm>
#include <unordered_set>

#include "engine/meta.h"

namespace engine {

void format_free_page(Page& page, PageNo next) {
  std::fill(page.bytes.begin(), page.bytes.end(), uint8_t{0});
  page.set_type(PageType::kFree);
  store_u32(page.bytes.data() + kFreeNextOffset, next);
}

Status check_free_list_ends(const Meta& meta, const std::string& path) {
  if ((meta.freelist_head == kNoPage) == (meta.freelist_count == 0)) return Status();
  return Status::corruption("free list of " + path + ": the meta page's head (offset " +
                            std::to_string(kMetaFreelistHeadAt) + ") is page " + std::to_string(meta.freelist_head) +
                            " but its count (offset " + std::to_string(kMetaFreelistCountAt) + ") is " +
                            std::to_string(meta.freelist_count));
}

Status pop_free_page(Meta& meta, const Page& head, const std::string& path, Mutant mutant) {
  if (head.type() != PageType::kFree) {
    return Status::corruption("free list of " + path + ": head page " + std::to_string(head.pgno) +
                              " has page type " + std::to_string(int(head.type())) + ", expected a free page (type " +
                              std::to_string(int(PageType::kFree)) + ")");
  }
  RETURN_IF_ERROR(check_free_list_ends(meta, path));
  const PageNo next = free_page_next(head);
  if ((next == kNoPage) != (meta.freelist_count == 1)) {
    return Status::corruption("free list of " + path + ": page " + std::to_string(head.pgno) +
                              (next == kNoPage ? std::string(" ends the list") : " links to page " + std::to_string(next)) +
                              " (offset " + std::to_string(kFreeNextOffset) + ") but the meta page's count (offset " +
                              std::to_string(kMetaFreelistCountAt) + ") says " +
                              std::to_string(meta.freelist_count - 1) + " more free pages follow it");
  }
  if (mutant_active(mutant, Mutant::kFreeListHeadNotPopped)) {
    // MUTANT free-list-head-not-popped: the page is handed out but stays at
    // the head of the list, so the next allocation hands it out again.
  } else {
    meta.freelist_head = next;
  }
  --meta.freelist_count;
  return Status();
}

Result<std::vector<PageNo>> walk_free_list(const Meta& meta, const PageFetch& read, const std::string& path) {
  std::vector<PageNo> pages;
  std::unordered_set<PageNo> seen;
  PageNo previous = kNoPage;
  for (PageNo pgno = meta.freelist_head; pgno != kNoPage;) {
    const std::string where = previous == kNoPage ? std::string("the meta page's free-list head")
                                                  : "free page " + std::to_string(previous);
    if (pgno >= meta.page_count) {
      return Status::corruption("free list of " + path + ": " + where + " links to page " + std::to_string(pgno) +
                                ", past page_count " + std::to_string(meta.page_count));
    }
    if (!seen.insert(pgno).second) {
      return Status::corruption("free list of " + path + " loops: " + where + " links back to page " +
                                std::to_string(pgno) + " after " + std::to_string(pages.size()) + " pages");
    }
    ASSIGN_OR_RETURN(const PageRef page, read(pgno));
    if (page->type() != PageType::kFree) {
      return Status::corruption("free list of " + path + ": page " + std::to_string(pgno) + " (linked from " +
                                where + ") has page type " + std::to_string(int(page->type())) +
                                ", expected a free page (type " + std::to_string(int(PageType::kFree)) + ")");
    }
    pages.push_back(pgno);
    previous = pgno;
    pgno = free_page_next(*page);
  }
  return pages;
}

}  // namespace engine
