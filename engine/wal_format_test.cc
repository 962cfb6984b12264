#include "engine/wal_format.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <random>
#include <string_view>
#include <vector>

namespace engine {
namespace {

using ::testing::HasSubstr;

constexpr uint32_t kPageSize = 512;
constexpr uint64_t kDbId = 0xfeedfacecafebeefull;

Page sample_page(PageNo pgno) {
  Page page(pgno, kPageSize);
  page.set_type(PageType::kLeaf);
  for (size_t i = kPageHeaderSize; i < page.bytes.size(); ++i) page.bytes[i] = static_cast<uint8_t>(i * 7 + pgno);
  seal_page(page, Mutant::kNone);
  return page;
}

std::vector<uint8_t> frame_bytes(const FrameTrailer& header, const Page& page, Mutant mutant = Mutant::kNone) {
  std::vector<uint8_t> slot(wal_slot_size(kPageSize));
  encode_frame(header, kDbId, page.bytes, slot, mutant);
  return slot;
}

// Pages written before the checksum moved from zlib to ISA-L must still
// verify: checksum_extend is the standard CRC-32 (its check value over
// "123456789" is 0xCBF43926) and agrees with zlib's crc32 at every length
// and alignment, whether computed in one call or chained over two parts.
TEST(PageChecksum, IsZlibsCrc32AtEveryLengthAndSplit) {
  constexpr std::string_view kCheck = "123456789";
  EXPECT_EQ(checksum_extend(0, std::span(reinterpret_cast<const uint8_t*>(kCheck.data()), kCheck.size()),
                            Mutant::kNone),
            0xCBF43926u);
  std::mt19937 rng{11};
  std::vector<uint8_t> bytes(9000 + 7);  // the longest length at the latest start
  for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng());
  for (size_t length : {0, 1, 3, 15, 16, 17, 63, 64, 65, 255, 256, 1000, 4092, 4096, 8999}) {
    for (size_t start : {0, 1, 7}) {
      const std::span<const uint8_t> data = std::span(bytes).subspan(start, length);
      const auto zlib = static_cast<uint32_t>(crc32(0, data.data(), static_cast<uInt>(data.size())));
      EXPECT_EQ(checksum_extend(0, data, Mutant::kNone), zlib) << "length " << length << " at " << start;
      const size_t split = length / 3;
      EXPECT_EQ(checksum_extend(checksum_extend(0, data.first(split), Mutant::kNone), data.subspan(split),
                                Mutant::kNone),
                zlib)
          << "length " << length << " split at " << split;
    }
  }
}

TEST(WalHeaderFormat, RoundTrips) {
  const auto bytes = encode_wal_header({kPageSize, kDbId, 9}, Mutant::kNone);
  auto header = decode_wal_header(bytes, "db-wal", Mutant::kNone);
  ASSERT_TRUE(header.ok()) << header.status().to_string();
  EXPECT_EQ(header->page_size, kPageSize);
  EXPECT_EQ(header->db_id, kDbId);
  EXPECT_EQ(header->generation, 9u);
}

TEST(WalHeaderFormat, RejectsShortTornAndForeignHeaders) {
  const auto good = encode_wal_header({kPageSize, kDbId, 9}, Mutant::kNone);
  EXPECT_THAT(decode_wal_header(std::span(good).first(20), "w", Mutant::kNone).status().message(),
              HasSubstr("short"));
  for (size_t at : {0u, 12u, 20u, 30u, 37u}) {
    auto torn = good;
    torn[at] ^= 0x40;
    auto header = decode_wal_header(torn, "w", Mutant::kNone);
    EXPECT_TRUE(header.status().is_corruption()) << "byte " << at;
  }
}

TEST(WalHeaderFormat, RejectsAnImpossiblePageSizeEvenWithAGoodChecksum) {
  const auto bytes = encode_wal_header({1000, kDbId, 1}, Mutant::kNone);
  EXPECT_THAT(decode_wal_header(bytes, "w", Mutant::kNone).status().message(), HasSubstr("page size 1000"));
}

TEST(WalFrameFormat, RoundTripsHeaderAndImage) {
  const Page page = sample_page(5);
  const FrameTrailer in{5, 3, 41, 7, 0xdeadbeef};
  const auto slot = frame_bytes(in, page);
  const auto out = decode_frame(slot, kDbId, Mutant::kNone);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->pgno, 5u);
  EXPECT_EQ(out->commit, 3u);
  EXPECT_EQ(out->txn_seq, 41u);
  EXPECT_EQ(out->generation, 7u);
  EXPECT_EQ(out->nonce, 0xdeadbeefu);
  EXPECT_TRUE(std::equal(page.bytes.begin(), page.bytes.end(), slot.begin())) << "the image starts the slot";
}

TEST(WalFrameFormat, AnyDamagedByteFailsTheChecksum) {
  const auto good = frame_bytes({5, 0, 41, 7}, sample_page(5));
  for (size_t at = 0; at < good.size(); at += 37) {
    auto bad = good;
    bad[at] ^= 0x01;
    EXPECT_FALSE(decode_frame(bad, kDbId, Mutant::kNone).has_value()) << "byte " << at;
  }
}

// The frame checksum reaches the image only through its page checksum, so
// the page checksum must be checked too, and for the frame's page number.
TEST(WalFrameFormat, AnImageThatFailsItsPageChecksumFailsTheFrame) {
  const Page page = sample_page(5);
  auto unsealed = page;
  unsealed.bytes[300] ^= 0x10;  // damage the frame's own checksum cannot see
  EXPECT_FALSE(decode_frame(frame_bytes({5, 1, 1, 1}, unsealed), kDbId, Mutant::kNone).has_value());
  EXPECT_FALSE(decode_frame(frame_bytes({6, 1, 1, 1}, page), kDbId, Mutant::kNone).has_value())
      << "an image sealed for page 5 in a frame for page 6";
  EXPECT_TRUE(decode_frame(frame_bytes({5, 1, 1, 1}, page), kDbId, Mutant::kNone).has_value());
}

TEST(WalHeaderFormat, ASoundHeaderOfAnotherVersionIsNotSupportedRatherThanCorrupt) {
  auto bytes = encode_wal_header({kPageSize, kDbId, 9}, Mutant::kNone);
  store_u32(bytes.data() + 8, kWalFormatVersion + 1);
  store_u32(bytes.data() + 36, checksum_extend(0, std::span(bytes).first(36), Mutant::kNone));
  const auto header = decode_wal_header(bytes, "w", Mutant::kNone);
  EXPECT_EQ(header.status().code(), vfs::StatusCode::kNotSupported);
  EXPECT_THAT(header.status().message(), HasSubstr("unsupported format version"));
}

TEST(WalFrameFormat, AFrameOfAnotherDatabaseNeverVerifies) {
  const auto slot = frame_bytes({5, 1, 1, 1}, sample_page(5));
  EXPECT_FALSE(decode_frame(slot, kDbId + 1, Mutant::kNone).has_value());
}

TEST(WalFrameFormat, SlotsFollowTheHeaderAtFixedOffsets) {
  EXPECT_EQ(wal_slot_offset(0, kPageSize), kWalHeaderSize);
  EXPECT_EQ(wal_slot_offset(3, kPageSize), kWalHeaderSize + 3 * (kPageSize + kFrameTrailerSize));
}

// Mutant::kAdditiveChecksum reaches the WAL as well: two bytes that trade
// one unit cancel out in a byte sum but not in a CRC.
TEST(WalFrameFormat, AdditiveChecksumMutantMissesCompensatingDamage) {
  if (!kMutantsCompiled) GTEST_SKIP() << "mutants are not compiled in";
  for (const Mutant mutant : {Mutant::kNone, Mutant::kAdditiveChecksum}) {
    Page page(5, kPageSize);
    page.set_type(PageType::kLeaf);
    page.bytes[100] = 10;
    page.bytes[101] = 20;
    seal_page(page, mutant);
    auto slot = frame_bytes({5, 1, 1, 1}, page, mutant);
    ++slot[100];
    --slot[101];
    EXPECT_EQ(decode_frame(slot, kDbId, mutant).has_value(), mutant == Mutant::kAdditiveChecksum)
        << mutant_name(mutant);
  }
}

}  // namespace
}  // namespace engine
