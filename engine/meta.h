// The meta page (page 0 of the data file, and the last frame of every WAL
// transaction): its encoding and the checks that tell a btreekv data file
// from anything else. Byte layout in docs/file-formats.md.
//
// Decoding happens in two steps because the page size is itself stored in
// the page: decode_meta_prefix() looks at the first kMetaPrefixSize bytes
// (magic, format version, page size), and only then can the whole page be
// read and checked by decode_meta().
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>

#include "engine/page.h"
#include "engine/pager.h"

namespace engine {

inline constexpr std::array<uint8_t, 8> kMetaMagic = {'b', 't', 'r', 'e', 'e', 'k', 'v', '\0'};
// Version 2: the meta page carries the page digest.
inline constexpr uint32_t kFormatVersion = 2;
// Page header, magic, format version and page size.
inline constexpr size_t kMetaPrefixSize = 24;
// Offsets in page 0 of the fields that errors about them name.
inline constexpr size_t kMetaPageCountAt = 40;
inline constexpr size_t kMetaFreelistHeadAt = 44;
inline constexpr size_t kMetaFreelistCountAt = 48;

// A power of two in [kMinPageSize, kMaxPageSize].
bool is_valid_page_size(uint32_t page_size);

// "page size N in <where> is not a power of two in [512,65536]", for the
// caller to wrap in the status that fits (corrupt file, bad option).
std::string bad_page_size_message(uint32_t page_size, const std::string& where);

// Page 0 holding `meta`, sealed (its checksum written).
Page encode_meta(const Meta& meta, Mutant mutant);

// The page size announced by the first kMetaPrefixSize bytes of `path`, or
// kCorruption for a bad magic, an unknown format version or an impossible
// page size.
Result<uint32_t> decode_meta_prefix(std::span<const uint8_t> prefix, const std::string& path);

// The Meta held by a full page-0 image read from `path`: the prefix checks,
// then the checksum, the page type and the fields' own consistency.
Result<Meta> decode_meta(const Page& page, const std::string& path, Mutant mutant);

// kCorruption unless every page below meta.page_count exists: among the
// first `data_pages` pages of the data file `path`, or as a committed frame
// in the WAL (`wal_index`). Every page a transaction allocates is written
// in its commit, and a checkpoint copies it to the data file before the WAL
// lets go of it, so a count past both is damage; trusted, it would size
// verify()'s walk and send the next allocation far past the end of the file.
Status check_page_count(const Meta& meta, uint64_t data_pages, const std::unordered_map<PageNo, uint64_t>& wal_index,
                        const std::string& path);

}  // namespace engine
