#include "engine/meta.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace engine {
namespace {

using ::testing::HasSubstr;

Meta sample_meta() {
  Meta meta;
  meta.page_size = 1024;
  meta.db_id = 0x0123456789abcdefull;
  meta.root = 7;
  meta.depth = 3;
  meta.page_count = 42;
  meta.freelist_head = 9;
  meta.freelist_count = 5;
  meta.key_count = 123456789012ull;
  meta.txn_seq = 77;
  meta.wal_generation = 12;
  meta.page_digest = 0xfedcba9876543210ull;
  return meta;
}

void expect_same(const Meta& a, const Meta& b) {
  EXPECT_EQ(a.page_size, b.page_size);
  EXPECT_EQ(a.db_id, b.db_id);
  EXPECT_EQ(a.root, b.root);
  EXPECT_EQ(a.depth, b.depth);
  EXPECT_EQ(a.page_count, b.page_count);
  EXPECT_EQ(a.freelist_head, b.freelist_head);
  EXPECT_EQ(a.freelist_count, b.freelist_count);
  EXPECT_EQ(a.key_count, b.key_count);
  EXPECT_EQ(a.txn_seq, b.txn_seq);
  EXPECT_EQ(a.wal_generation, b.wal_generation);
  EXPECT_EQ(a.page_digest, b.page_digest);
}

TEST(Meta, RoundTripsEveryField) {
  const Meta meta = sample_meta();
  const Page page = encode_meta(meta, Mutant::kNone);
  EXPECT_EQ(page.pgno, kMetaPage);
  EXPECT_EQ(page.type(), PageType::kMeta);
  EXPECT_EQ(page.bytes.size(), meta.page_size);
  auto decoded = decode_meta(page, "db", Mutant::kNone);
  ASSERT_TRUE(decoded.ok()) << decoded.status().to_string();
  expect_same(*decoded, meta);
  auto page_size = decode_meta_prefix(std::span(page.bytes).first(kMetaPrefixSize), "db");
  ASSERT_TRUE(page_size.ok());
  EXPECT_EQ(*page_size, 1024u);
}

TEST(Meta, RoundTripsAtTheSmallestAndLargestPageSizes) {
  for (const uint32_t size : {kMinPageSize, kMaxPageSize}) {
    Meta meta = sample_meta();
    meta.page_size = size;
    auto decoded = decode_meta(encode_meta(meta, Mutant::kNone), "db", Mutant::kNone);
    ASSERT_TRUE(decoded.ok()) << decoded.status().to_string();
    expect_same(*decoded, meta);
  }
}

TEST(Meta, RejectsBadMagic) {
  Page page = encode_meta(sample_meta(), Mutant::kNone);
  page.bytes[9] ^= 1;
  auto decoded = decode_meta(page, "/x/db", Mutant::kNone);
  ASSERT_TRUE(decoded.status().is_corruption());
  EXPECT_EQ(decoded.status().message(), "not a btreekv database: /x/db: bad magic at offset 8");
}

TEST(Meta, RejectsUnknownFormatVersion) {
  Page page = encode_meta(sample_meta(), Mutant::kNone);
  // Version 1 had no page digest: its zeros would read as a digest that
  // every verify() contradicts.
  for (const uint32_t version : {1u, kFormatVersion + 1}) {
    store_u32(page.bytes.data() + 16, version);
    auto prefix = decode_meta_prefix(page.bytes, "db");
    ASSERT_TRUE(prefix.status().is_corruption());
    EXPECT_THAT(prefix.status().message(), HasSubstr("unsupported format version " + std::to_string(version)));
  }
}

TEST(Meta, RejectsImpossiblePageSizes) {
  for (const uint32_t bad : {0u, 256u, 1000u, 131072u}) {
    Page page = encode_meta(sample_meta(), Mutant::kNone);
    store_u32(page.bytes.data() + 20, bad);
    auto prefix = decode_meta_prefix(page.bytes, "/x/db");
    ASSERT_TRUE(prefix.status().is_corruption()) << bad;
    EXPECT_EQ(prefix.status().message(),
              "page size " + std::to_string(bad) + " in /x/db is not a power of two in [512,65536]");
  }
}

TEST(Meta, RejectsABadChecksumNamingPageZero) {
  Page page = encode_meta(sample_meta(), Mutant::kNone);
  page.bytes[100] ^= 0x10;
  auto decoded = decode_meta(page, "/x/db", Mutant::kNone);
  ASSERT_TRUE(decoded.status().is_corruption());
  EXPECT_THAT(decoded.status().message(), HasSubstr("page 0 of /x/db: checksum mismatch"));
}

TEST(Meta, RejectsAPrefixTooShortToHoldTheMagic) {
  const Page page = encode_meta(sample_meta(), Mutant::kNone);
  auto prefix = decode_meta_prefix(std::span(page.bytes).first(10), "db");
  EXPECT_TRUE(prefix.status().is_corruption());
}

TEST(Meta, RejectsAPageReadAtTheWrongSize) {
  const Page page = encode_meta(sample_meta(), Mutant::kNone);
  Page longer(kMetaPage, 2048);
  std::copy(page.bytes.begin(), page.bytes.end(), longer.bytes.begin());
  auto decoded = decode_meta(longer, "db", Mutant::kNone);
  ASSERT_TRUE(decoded.status().is_corruption());
  EXPECT_THAT(decoded.status().message(), HasSubstr("says page size 1024 but was read as 2048"));
}

TEST(Meta, RejectsAnotherPageType) {
  Page page = encode_meta(sample_meta(), Mutant::kNone);
  page.set_type(PageType::kLeaf);
  seal_page(page, Mutant::kNone);
  EXPECT_TRUE(decode_meta(page, "db", Mutant::kNone).status().is_corruption());
}

TEST(Meta, RejectsAZeroPageCount) {
  Meta meta = sample_meta();
  meta.page_count = 0;
  EXPECT_TRUE(decode_meta(encode_meta(meta, Mutant::kNone), "db", Mutant::kNone).status().is_corruption());
}

TEST(PageSize, AcceptsExactlyThePowersOfTwoInRange) {
  EXPECT_TRUE(is_valid_page_size(512));
  EXPECT_TRUE(is_valid_page_size(4096));
  EXPECT_TRUE(is_valid_page_size(65536));
  EXPECT_FALSE(is_valid_page_size(0));
  EXPECT_FALSE(is_valid_page_size(256));
  EXPECT_FALSE(is_valid_page_size(4095));
  EXPECT_FALSE(is_valid_page_size(131072));
}

}  // namespace
}  // namespace engine
