// Overflow chains: values too large to stay in their leaf cell.
//
// A value that does not fit inline (NodeGeometry::value_fits_inline) lives in
// a singly linked chain of kOverflow pages; the leaf cell keeps the value's
// total length and the first page. Overflow page layout:
//   bytes 0..7    page header (type kOverflow)
//   bytes 8..11   u32 next page of the chain, kNoPage on the last page
//   bytes 12..15  u32 bytes of value data on this page
//   bytes 16..    value data
// Every page but the last is full, so a value of L bytes takes exactly
// ceil(L / (page_size - 16)) pages. Readers check that shape as they walk
// (page type, used length, where the chain ends), which bounds every walk by
// the length the leaf recorded: a loop or a stray link is corruption, never a
// hang.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "engine/pager.h"

namespace engine {

inline constexpr uint32_t kOverflowHeaderSize = 16;

inline uint32_t overflow_capacity(uint32_t page_size) { return page_size - kOverflowHeaderSize; }
inline uint64_t overflow_pages_for(uint64_t length, uint32_t page_size) {
  const uint32_t cap = overflow_capacity(page_size);
  return (length + cap - 1) / cap;
}

// What is wrong with `page` as the chain page holding bytes [offset, ...) of
// a `length`-byte value (type, used length, link at the end), or "" if nothing.
std::string overflow_page_problem(const Page& page, uint64_t offset, uint32_t length);

// Writes `value` (non-empty) into newly allocated pages of the running
// transaction and returns the chain's first page.
Result<PageNo> write_overflow_chain(Pager& pager, Meta& meta, std::string_view value);

// Copies the `length`-byte value of the chain at `first` into `out`, which
// must hold exactly `length` bytes.
Status read_overflow_chain(PageReader& pages, PageNo first, uint32_t length, std::span<char> out);

// Whether the chain at `first` holds exactly `value` (stops at the first difference).
Result<bool> overflow_chain_equals(Pager& pager, PageNo first, uint32_t length, std::string_view value);

// Frees every page of the chain in the running transaction.
Status free_overflow_chain(Pager& pager, Meta& meta, PageNo first, uint32_t length);

}  // namespace engine
