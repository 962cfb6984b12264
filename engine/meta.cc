#include "engine/meta.h"

#include <algorithm>
#include <bit>

namespace engine {
namespace {

// Field offsets inside page 0, after the common 8-byte page header.
constexpr size_t kMagicAt = 8;
constexpr size_t kVersionAt = 16;
constexpr size_t kPageSizeAt = 20;
constexpr size_t kDbIdAt = 24;
constexpr size_t kRootAt = 32;
constexpr size_t kDepthAt = 36;
// 52..55 reserved, zero.
constexpr size_t kKeyCountAt = 56;
constexpr size_t kTxnSeqAt = 64;
constexpr size_t kWalGenerationAt = 72;
constexpr size_t kPageDigestAt = 80;

static_assert(kPageSizeAt + 4 == kMetaPrefixSize);
static_assert(kPageDigestAt + 8 <= kMinPageSize);

}  // namespace

bool is_valid_page_size(uint32_t page_size) {
  return page_size >= kMinPageSize && page_size <= kMaxPageSize && std::has_single_bit(page_size);
}

std::string bad_page_size_message(uint32_t page_size, const std::string& where) {
  return "page size " + std::to_string(page_size) + " in " + where + " is not a power of two in [" +
         std::to_string(kMinPageSize) + "," + std::to_string(kMaxPageSize) + "]";
}

Page encode_meta(const Meta& meta, Mutant mutant) {
  Page page(kMetaPage, meta.page_size);
  page.set_type(PageType::kMeta);
  uint8_t* p = page.bytes.data();
  std::copy(kMetaMagic.begin(), kMetaMagic.end(), p + kMagicAt);
  store_u32(p + kVersionAt, kFormatVersion);
  store_u32(p + kPageSizeAt, meta.page_size);
  store_u64(p + kDbIdAt, meta.db_id);
  store_u32(p + kRootAt, meta.root);
  store_u32(p + kDepthAt, meta.depth);
  store_u32(p + kMetaPageCountAt, meta.page_count);
  store_u32(p + kMetaFreelistHeadAt, meta.freelist_head);
  store_u32(p + kMetaFreelistCountAt, meta.freelist_count);
  store_u64(p + kKeyCountAt, meta.key_count);
  store_u64(p + kTxnSeqAt, meta.txn_seq);
  store_u64(p + kWalGenerationAt, meta.wal_generation);
  store_u64(p + kPageDigestAt, meta.page_digest);
  seal_page(page, mutant);
  return page;
}

Result<uint32_t> decode_meta_prefix(std::span<const uint8_t> prefix, const std::string& path) {
  if (prefix.size() < kMetaPrefixSize) {
    return Status::corruption("not a btreekv database: " + path + ": " + std::to_string(prefix.size()) +
                              " bytes, shorter than the " + std::to_string(kMetaPrefixSize) +
                              "-byte start of a meta page");
  }
  if (!std::equal(kMetaMagic.begin(), kMetaMagic.end(), prefix.begin() + kMagicAt)) {
    return Status::corruption("not a btreekv database: " + path + ": bad magic at offset " +
                              std::to_string(kMagicAt));
  }
  const uint32_t version = load_u32(prefix.data() + kVersionAt);
  if (version != kFormatVersion) {
    return Status::corruption(path + ": unsupported format version " + std::to_string(version) +
                              " at offset " + std::to_string(kVersionAt) + " (this build reads version " +
                              std::to_string(kFormatVersion) + ")");
  }
  const uint32_t page_size = load_u32(prefix.data() + kPageSizeAt);
  if (!is_valid_page_size(page_size)) return Status::corruption(bad_page_size_message(page_size, path));
  return page_size;
}

Result<Meta> decode_meta(const Page& page, const std::string& path, Mutant mutant) {
  ASSIGN_OR_RETURN(const uint32_t page_size, decode_meta_prefix(page.bytes, path));
  if (page_size != page.bytes.size()) {
    return Status::corruption("meta page of " + path + " says page size " + std::to_string(page_size) +
                              " but was read as " + std::to_string(page.bytes.size()) + " bytes");
  }
  RETURN_IF_ERROR(check_page(page, path, mutant));
  if (page.type() != PageType::kMeta) {
    return Status::corruption("page 0 of " + path + " has page type " + std::to_string(int(page.type())) +
                              ", expected the meta page type " + std::to_string(int(PageType::kMeta)));
  }
  const uint8_t* p = page.bytes.data();
  Meta meta;
  meta.page_size = page_size;
  meta.db_id = load_u64(p + kDbIdAt);
  meta.root = load_u32(p + kRootAt);
  meta.depth = load_u32(p + kDepthAt);
  meta.page_count = load_u32(p + kMetaPageCountAt);
  meta.freelist_head = load_u32(p + kMetaFreelistHeadAt);
  meta.freelist_count = load_u32(p + kMetaFreelistCountAt);
  meta.key_count = load_u64(p + kKeyCountAt);
  meta.txn_seq = load_u64(p + kTxnSeqAt);
  meta.wal_generation = load_u64(p + kWalGenerationAt);
  meta.page_digest = load_u64(p + kPageDigestAt);
  // The meta page itself is page 0, so a database has at least one page.
  // Root and free-list bounds are verify()'s to report, not a reason to
  // refuse to open.
  if (meta.page_count == 0) {
    return Status::corruption("meta page of " + path + " says page_count 0 at offset " +
                              std::to_string(kMetaPageCountAt) + " (the meta page itself is page 0)");
  }
  return meta;
}

Status check_page_count(const Meta& meta, uint64_t data_pages, const std::unordered_map<PageNo, uint64_t>& wal_index,
                        const std::string& path) {
  // Stops at the first missing page: at most one step per WAL frame.
  for (uint64_t pgno = data_pages; pgno < meta.page_count; ++pgno) {
    if (wal_index.contains(PageNo(pgno))) continue;
    return Status::corruption("meta page of " + path + " says page_count " + std::to_string(meta.page_count) +
                              " at offset " + std::to_string(kMetaPageCountAt) + ", but page " + std::to_string(pgno) +
                              " is neither among the data file's " + std::to_string(data_pages) +
                              " pages nor in the WAL");
  }
  return Status();
}

}  // namespace engine
