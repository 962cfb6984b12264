#include "engine/free_list.h"

#include <algorithm>
#include <unordered_set>

namespace engine {

void format_free_page(Page& page, PageNo next) {
  std::fill(page.bytes.begin(), page.bytes.end(), uint8_t{0});
  page.set_type(PageType::kFree);
  store_u32(page.bytes.data() + kFreeNextOffset, next);
}

Result<std::vector<PageNo>> walk_free_list(const Meta& meta, const PageReader& read, const std::string& path) {
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
