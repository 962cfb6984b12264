#include "engine/overflow.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace engine {
namespace {

std::string chain_context(PageNo first, uint32_t length) {
  return "overflow chain at page " + std::to_string(first) + " (value of " + std::to_string(length) + " bytes)";
}

// Walks the chain, handing each page's data to `fn(pgno, offset, data)`; `fn`
// returns false to stop early. Checks each page against the shape the
// value's length implies before trusting anything on it.
template <class Fn>
Status walk_chain(PageReader& pages, PageNo first, uint32_t length, Fn&& fn) {
  PageNo pgno = first;
  uint64_t offset = 0;
  while (offset < length) {
    if (pgno == kNoPage)
      return Status::corruption(chain_context(first, length) + ": ends after " + std::to_string(offset) + " bytes");
    auto page = pages.get(pgno);
    if (!page.ok()) return page.status().with(chain_context(first, length));
    const Page& p = **page;
    const std::string problem = overflow_page_problem(p, offset, length);
    if (!problem.empty()) return Status::corruption(chain_context(first, length) + ": " + problem);
    const uint32_t used = load_u32(&p.bytes[12]);
    const PageNo next = load_u32(&p.bytes[8]);
    const std::string_view data(reinterpret_cast<const char*>(&p.bytes[kOverflowHeaderSize]), used);
    if (!fn(pgno, offset, data)) return Status();
    offset += used;
    pgno = next;
  }
  return Status();
}

}  // namespace

std::string overflow_page_problem(const Page& page, uint64_t offset, uint32_t length) {
  if (page.type() != PageType::kOverflow)
    return "page " + std::to_string(page.pgno) + " has type " + std::to_string(int(page.type())) +
           ", expected overflow (4)";
  const uint32_t cap = overflow_capacity(uint32_t(page.bytes.size()));
  const uint32_t expected = uint32_t(std::min<uint64_t>(cap, length - offset));
  const bool last = offset + expected == length;
  const uint32_t used = load_u32(&page.bytes[12]);
  const PageNo next = load_u32(&page.bytes[8]);
  if (used != expected || (last && next != kNoPage))
    return "page " + std::to_string(page.pgno) + " holds " + std::to_string(used) + " bytes and links to page " + std::to_string(next) +
           ", expected " + std::to_string(expected) + " bytes" + (last ? " and the end of the chain" : "");
  return {};
}

Result<PageNo> write_overflow_chain(Pager& pager, Meta& meta, std::string_view value) {
  const uint32_t cap = overflow_capacity(pager.page_size());
  PageNo first = kNoPage;
  PageNo previous = kNoPage;
  for (size_t offset = 0; offset < value.size(); offset += cap) {
    ASSIGN_OR_RETURN(Page* page, pager.allocate(meta, PageType::kOverflow));
    const uint32_t used = uint32_t(std::min<size_t>(cap, value.size() - offset));
    store_u32(&page->bytes[8], kNoPage);
    store_u32(&page->bytes[12], used);
    std::memcpy(&page->bytes[kOverflowHeaderSize], value.data() + offset, used);
    const PageNo pgno = page->pgno;
    if (previous == kNoPage) {
      first = pgno;
    } else {
      // Fetched again rather than kept across allocate(): the link is written
      // into the transaction's copy whatever allocate() did to its page table.
      ASSIGN_OR_RETURN(Page* prev, pager.get_mutable(previous));
      store_u32(&prev->bytes[8], pgno);
    }
    previous = pgno;
  }
  return first;
}

Status read_overflow_chain(PageReader& pages, PageNo first, uint32_t length, std::span<char> out) {
  return walk_chain(pages, first, length, [&](PageNo, uint64_t offset, std::string_view data) {
    std::memcpy(out.data() + offset, data.data(), data.size());
    return true;
  });
}

Result<bool> overflow_chain_equals(Pager& pager, PageNo first, uint32_t length, std::string_view value) {
  if (value.size() != length) return false;
  bool equal = true;
  RETURN_IF_ERROR(walk_chain(pager, first, length, [&](PageNo, uint64_t offset, std::string_view data) {
    equal = value.substr(offset, data.size()) == data;
    return equal;
  }));
  return equal;
}

Status free_overflow_chain(Pager& pager, Meta& meta, PageNo first, uint32_t length) {
  // The walk has read each page (and its link) before handing it over, so
  // freeing it inside the callback never loses the rest of the chain.
  Status freed;
  RETURN_IF_ERROR(walk_chain(pager, first, length, [&](PageNo pgno, uint64_t, std::string_view) {
    freed = pager.free(meta, pgno);
    return freed.ok();
  }));
  if (!freed.ok()) return freed.with(chain_context(first, length));
  return Status();
}

}  // namespace engine
