#include "crashsim/record/trace_io.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "crashsim/record/recording_vfs.h"
#include "crashsim/test_util.h"
#include "vfs/mem_vfs.h"

namespace crashsim {
namespace {

using testing::bytes_of;
using testing::contents_of;
using testing::write_text;

Trace sample_trace() {
  vfs::MemVfs mem;
  mem.install_file("old", bytes_of("initial"));
  DiskImage initial;
  initial.files["old"] = contents_of("initial");
  RecordingVfs rec(mem, initial);
  EXPECT_TRUE(rec.create_dir("d").ok());
  auto f = rec.open("d/db", vfs::OpenMode::kCreate);
  EXPECT_TRUE(f.ok());
  rec.mark(OpKind::kCommitCalled, 0);
  EXPECT_TRUE(write_text(**f, 4096, std::string(3000, 'x')).ok());
  EXPECT_TRUE((*f)->sync().ok());
  EXPECT_TRUE((*f)->truncate(10).ok());
  rec.mark(OpKind::kCommitAcked, 0);
  EXPECT_TRUE(rec.rename("old", "d/new").ok());
  EXPECT_TRUE(rec.sync_dir("d").ok());
  EXPECT_TRUE(rec.remove("d/new").ok());
  return rec.trace();
}

void expect_same(const Trace& a, const Trace& b) {
  EXPECT_EQ(a.initial, b.initial);
  ASSERT_EQ(a.ops.size(), b.ops.size());
  for (size_t i = 0; i < a.ops.size(); ++i) {
    EXPECT_EQ(describe_op(a.ops[i]), describe_op(b.ops[i]));
    EXPECT_EQ(a.ops[i].inode, b.ops[i].inode);
    EXPECT_EQ(a.ops[i].number, b.ops[i].number);
    EXPECT_EQ(a.ops[i].data != nullptr, b.ops[i].data != nullptr);
    if (a.ops[i].data && b.ops[i].data) {
      EXPECT_EQ(*a.ops[i].data, *b.ops[i].data);
    }
  }
}

TEST(TraceIoTest, RoundTripsEveryOpAndTheMeta) {
  const Trace t = sample_trace();
  auto bytes = encode_trace(t, R"({"scenario": "x", "seed": 3})");
  ASSERT_TRUE(bytes.ok()) << bytes.status().to_string();
  EXPECT_LT(bytes->size(), 2000u);  // 3000 repeated bytes compress
  auto back = decode_trace(*bytes);
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  expect_same(t, back->trace);
  EXPECT_EQ(back->meta_json, R"({"scenario":"x","seed":3})");
}

TEST(TraceIoTest, SavesAndLoadsThroughAVfs) {
  vfs::MemVfs mem;
  const Trace t = sample_trace();
  ASSERT_TRUE(save_trace(mem, "trace.cst", t).ok());
  auto back = load_trace(mem, "trace.cst");
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  expect_same(t, back->trace);
  EXPECT_EQ(load_trace(mem, "missing").status().code(), vfs::StatusCode::kNotFound);
}

TEST(TraceIoTest, DamagedFilesAreCorruptionNotCrashes) {
  auto bytes = encode_trace(sample_trace());
  ASSERT_TRUE(bytes.ok());
  Bytes wrong_magic = *bytes;
  wrong_magic[0] = 'X';
  EXPECT_TRUE(decode_trace(wrong_magic).status().is_corruption());
  Bytes truncated(bytes->begin(), bytes->end() - 5);
  EXPECT_TRUE(decode_trace(truncated).status().is_corruption());
  Bytes bad_json = *bytes;
  bad_json[16] = '[';
  EXPECT_TRUE(decode_trace(bad_json).status().is_corruption());
  EXPECT_TRUE(decode_trace(Bytes{}).status().is_corruption());
  EXPECT_FALSE(encode_trace(sample_trace(), "[1]").ok());
}

// The trace `bytes` with its JSON header edited by `edit`.
template <class Edit>
Bytes with_header(const Bytes& bytes, Edit edit) {
  uint64_t length = 0;
  for (int i = 7; i >= 0; --i) length = (length << 8) | bytes[8 + i];
  nlohmann::json header = nlohmann::json::parse(bytes.begin() + 16, bytes.begin() + 16 + std::ptrdiff_t(length));
  edit(header);
  const std::string text = header.dump();
  Bytes out(bytes.begin(), bytes.begin() + 8);
  for (int i = 0; i < 8; ++i) out.push_back(uint8_t(uint64_t(text.size()) >> (8 * i)));
  out.insert(out.end(), text.begin(), text.end());
  out.insert(out.end(), bytes.begin() + 16 + std::ptrdiff_t(length), bytes.end());
  return out;
}

// Issue 17: a 620-byte trace asked for 4 GB, and a size of 2^64 - 1 threw
// std::length_error out of decode_trace.
TEST(TraceIoTest, ABlobSizeZlibCannotReachIsRefusedBeforeAnyAllocation) {
  auto bytes = encode_trace(sample_trace());
  ASSERT_TRUE(bytes.ok());
  for (const uint64_t size : {uint64_t{4} << 30, UINT64_MAX}) {
    SCOPED_TRACE(size);
    auto decoded = decode_trace(with_header(*bytes, [&](nlohmann::json& h) { h["blob"]["size"] = size; }));
    ASSERT_TRUE(decoded.status().is_corruption()) << decoded.status().to_string();
    EXPECT_NE(decoded.status().message().find("header field blob.size says the blob at offset"), std::string::npos)
        << decoded.status().message();
  }
  auto off_by_one = decode_trace(with_header(*bytes, [](nlohmann::json& h) {
    h["blob"]["size"] = h["blob"]["size"].get<uint64_t>() + 1;
  }));
  EXPECT_TRUE(off_by_one.status().is_corruption()) << "a size zlib can reach but the blob does not";
}

TEST(TraceIoTest, AMetaThatIsNotAnObjectIsRefused) {
  auto bytes = encode_trace(sample_trace());
  ASSERT_TRUE(bytes.ok());
  auto decoded = decode_trace(with_header(*bytes, [](nlohmann::json& h) { h["meta"] = 5; }));
  ASSERT_TRUE(decoded.status().is_corruption());
  EXPECT_NE(decoded.status().message().find("header: field 'meta' is a JSON number, not an object"), std::string::npos)
      << decoded.status().message();
}

}  // namespace
}  // namespace crashsim
