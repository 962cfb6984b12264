// The semantics listed in vfs.h, checked once against every implementation.
//
// Each case runs against PosixVfs (in a fresh directory under
// ::testing::TempDir(), removed afterwards) and against MemVfs (in a
// directory inside it), so a behaviour the engine relies on cannot hold on
// one and silently differ on the other.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <ostream>
#include <memory>
#include <string>
#include <vector>

#include "vfs/mem_vfs.h"
#include "vfs/posix_vfs.h"
#include "vfs/test_util.h"
#include "vfs/vfs.h"

namespace vfs {
namespace {

using ::testing::HasSubstr;
using ::vfs::test_util::pattern_bytes;

// A Vfs and a directory to work in, cleaned up on destruction.
struct Sandbox {
  std::unique_ptr<Vfs> vfs;
  std::string root;
  std::function<void()> cleanup;
  ~Sandbox() {
    if (cleanup) cleanup();
  }
};

struct Implementation {
  std::string name;
  std::function<std::unique_ptr<Sandbox>()> make;
};

// Names the implementation in gtest's messages instead of dumping bytes.
void PrintTo(const Implementation& impl, std::ostream* os) { *os << impl.name; }

std::unique_ptr<Sandbox> make_posix_sandbox() {
  auto box = std::make_unique<Sandbox>();
  std::string pattern = ::testing::TempDir() + "vfs-conformance-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) return nullptr;
  box->vfs = std::make_unique<PosixVfs>();
  box->root = pattern;
  box->cleanup = [root = pattern] {
    std::error_code ec;
    std::filesystem::remove_all(root, ec);
  };
  return box;
}

std::unique_ptr<Sandbox> make_mem_sandbox() {
  auto box = std::make_unique<Sandbox>();
  auto mem = std::make_unique<MemVfs>();
  box->root = "/sandbox/root";
  // The directory is made through the public interface, as a user would.
  if (!mem->create_dir("/sandbox").ok() || !mem->create_dir(box->root).ok()) return nullptr;
  box->vfs = std::move(mem);
  return box;
}

std::span<const uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

class VfsConformanceTest : public ::testing::TestWithParam<Implementation> {
 protected:
  void SetUp() override {
    box_ = GetParam().make();
    ASSERT_NE(box_, nullptr) << "could not build the " << GetParam().name << " sandbox";
  }

  Vfs& vfs() { return *box_->vfs; }
  std::string path(const std::string& name) const { return box_->root + "/" + name; }

  std::unique_ptr<File> open(const std::string& name, OpenMode mode = OpenMode::kCreate) {
    auto file = vfs().open(path(name), mode);
    EXPECT_TRUE(file.ok()) << file.status().to_string();
    return file.ok() ? std::move(file).value() : nullptr;
  }

  void write_file(const std::string& name, std::string_view contents) {
    auto file = open(name);
    ASSERT_NE(file, nullptr);
    ASSERT_TRUE(file->truncate(0).ok());
    ASSERT_TRUE(file->write_at(0, as_bytes(contents)).ok());
    ASSERT_TRUE(file->close().ok());
  }

  // The whole file, read through a fresh handle.
  std::string read_file(const std::string& name) {
    auto file = open(name, OpenMode::kMustExist);
    if (file == nullptr) return "<unopenable>";
    auto size = file->size();
    EXPECT_TRUE(size.ok()) << size.status().to_string();
    if (!size.ok()) return "<no size>";
    std::string out(*size, '\0');
    auto n = file->read_at(0, {reinterpret_cast<uint8_t*>(out.data()), out.size()});
    EXPECT_TRUE(n.ok()) << n.status().to_string();
    if (!n.ok()) return "<unreadable>";
    out.resize(*n);
    return out;
  }

  std::unique_ptr<Sandbox> box_;
};

TEST_P(VfsConformanceTest, OpenMustExistOnMissingFileIsNotFound) {
  auto file = vfs().open(path("missing"), OpenMode::kMustExist);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(file.status().message(), HasSubstr("open " + path("missing")));
  EXPECT_FALSE(*vfs().exists(path("missing")));
}

TEST_P(VfsConformanceTest, AnExclusiveLockExcludesEveryOtherLockUntilReleased) {
  ASSERT_NE(open("f"), nullptr);
  auto writer = vfs().lock(path("f"), LockMode::kExclusive);
  ASSERT_TRUE(writer.ok()) << writer.status().to_string();
  for (const LockMode mode : {LockMode::kExclusive, LockMode::kShared}) {
    const auto second = vfs().lock(path("f"), mode);
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.status().code(), StatusCode::kBusy);
    EXPECT_THAT(second.status().message(), HasSubstr("lock " + path("f") + ": the file is in use"));
  }
  writer->reset();
  EXPECT_TRUE(vfs().lock(path("f"), LockMode::kExclusive).ok());
}

TEST_P(VfsConformanceTest, SharedLocksCoexistAndKeepAWriterOut) {
  ASSERT_NE(open("f"), nullptr);
  auto a = vfs().lock(path("f"), LockMode::kShared);
  auto b = vfs().lock(path("f"), LockMode::kShared);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(vfs().lock(path("f"), LockMode::kExclusive).status().code(), StatusCode::kBusy);
  a->reset();
  EXPECT_EQ(vfs().lock(path("f"), LockMode::kExclusive).status().code(), StatusCode::kBusy);
  b->reset();
  EXPECT_TRUE(vfs().lock(path("f"), LockMode::kExclusive).ok());
}

TEST_P(VfsConformanceTest, ALockBelongsToTheFileAndFollowsARename) {
  ASSERT_NE(open("f"), nullptr);
  auto held = vfs().lock(path("f"), LockMode::kExclusive);
  ASSERT_TRUE(held.ok());
  ASSERT_TRUE(vfs().rename(path("f"), path("g")).ok());
  EXPECT_EQ(vfs().lock(path("g"), LockMode::kShared).status().code(), StatusCode::kBusy);
  ASSERT_NE(open("f"), nullptr);  // a new file under the old name is not locked
  EXPECT_TRUE(vfs().lock(path("f"), LockMode::kExclusive).ok());
}

TEST_P(VfsConformanceTest, LockingAMissingFileOrADirectoryFails) {
  const auto missing = vfs().lock(path("missing"), LockMode::kShared);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("lock " + path("missing")));
  EXPECT_FALSE(*vfs().exists(path("missing")));
  ASSERT_TRUE(vfs().create_dir(path("d")).ok());
  const auto dir = vfs().lock(path("d"), LockMode::kShared);
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.status().sys_errno(), EISDIR);
}

TEST_P(VfsConformanceTest, OpenCreateMakesAnEmptyFileAndKeepsAnExistingOne) {
  auto file = open("f");
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->path(), path("f"));
  EXPECT_EQ(*file->size(), 0u);
  EXPECT_TRUE(*vfs().exists(path("f")));
  ASSERT_TRUE(file->write_at(0, as_bytes("kept")).ok());
  ASSERT_TRUE(file->close().ok());

  // kCreate on an existing file opens it as it is: it must not truncate.
  EXPECT_EQ(read_file("f"), "kept");
  auto again = open("f", OpenMode::kCreate);
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(*again->size(), 4u);
}

TEST_P(VfsConformanceTest, OpenReadOnlyReadsButRefusesWrites) {
  auto missing = vfs().open(path("missing"), OpenMode::kReadOnly);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(*vfs().exists(path("missing")));

  auto writer = open("f");
  ASSERT_TRUE(writer->write_at(0, as_bytes("kept")).ok());
  ASSERT_TRUE(writer->close().ok());
  auto reader = vfs().open(path("f"), OpenMode::kReadOnly);
  ASSERT_TRUE(reader.ok()) << reader.status().to_string();
  std::string got(4, '\0');
  ASSERT_EQ(*(*reader)->read_at(0, std::span(reinterpret_cast<uint8_t*>(got.data()), got.size())), 4u);
  EXPECT_EQ(got, "kept");
  const Status write = (*reader)->write_at(0, as_bytes("lost"));
  EXPECT_EQ(write.sys_errno(), EBADF) << write.to_string();
  EXPECT_THAT(write.message(), HasSubstr(path("f")));
  EXPECT_EQ((*reader)->truncate(0).sys_errno(), EBADF);
  EXPECT_EQ(read_file("f"), "kept");

  auto dir = vfs().open(box_->root, OpenMode::kReadOnly);
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.status().sys_errno(), EISDIR);
}

TEST_P(VfsConformanceTest, OpenCreateInMissingDirectoryIsNotFound) {
  auto file = vfs().open(path("no-such-dir/f"), OpenMode::kCreate);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(file.status().message(), HasSubstr(path("no-such-dir/f")));
}

TEST_P(VfsConformanceTest, OpeningADirectoryAsAFileFails) {
  auto file = vfs().open(box_->root, OpenMode::kCreate);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), StatusCode::kIoError);
  EXPECT_EQ(file.status().sys_errno(), EISDIR);
}

TEST_P(VfsConformanceTest, WriteThenReadBack) {
  auto file = open("f");
  ASSERT_TRUE(file->write_at(0, as_bytes("hello, ")).ok());
  ASSERT_TRUE(file->write_at(7, as_bytes("world")).ok());
  ASSERT_TRUE(file->write_at(0, as_bytes("J")).ok());  // overwrite in place

  std::string buf(12, '?');
  auto n = file->read_at(0, {reinterpret_cast<uint8_t*>(buf.data()), buf.size()});
  ASSERT_TRUE(n.ok()) << n.status().to_string();
  EXPECT_EQ(*n, 12u);
  EXPECT_EQ(buf, "Jello, world");

  std::string mid(5, '?');
  n = file->read_at(7, {reinterpret_cast<uint8_t*>(mid.data()), mid.size()});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(mid, "world");
  ASSERT_TRUE(file->close().ok());
  EXPECT_EQ(read_file("f"), "Jello, world");
}

TEST_P(VfsConformanceTest, ReadCrossingEndOfFileReturnsFewerBytes) {
  write_file("f", "0123456789");
  auto file = open("f", OpenMode::kMustExist);
  std::vector<uint8_t> buf(8, 0xAA);
  auto n = file->read_at(6, buf);
  ASSERT_TRUE(n.ok()) << n.status().to_string();
  EXPECT_EQ(*n, 4u);
  EXPECT_EQ(std::string(buf.begin(), buf.begin() + 4), "6789");
  EXPECT_EQ(buf[4], 0xAA) << "bytes past the end of file must not be touched";
}

TEST_P(VfsConformanceTest, ReadAtOrPastEndOfFileReturnsZeroBytes) {
  write_file("f", "0123456789");
  auto file = open("f", OpenMode::kMustExist);
  std::vector<uint8_t> buf(8);
  for (const uint64_t offset : {uint64_t{10}, uint64_t{11}, uint64_t{1} << 40}) {
    auto n = file->read_at(offset, buf);
    ASSERT_TRUE(n.ok()) << "offset " << offset << ": " << n.status().to_string();
    EXPECT_EQ(*n, 0u) << "offset " << offset;
  }
  auto empty = open("empty");
  auto n = empty->read_at(0, buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0u);
}

TEST_P(VfsConformanceTest, WritePastEndOfFileLeavesAZeroFilledGap) {
  auto file = open("f");
  ASSERT_TRUE(file->write_at(0, as_bytes("ab")).ok());
  ASSERT_TRUE(file->write_at(10000, as_bytes("yz")).ok());
  EXPECT_EQ(*file->size(), 10002u);
  ASSERT_TRUE(file->close().ok());
  EXPECT_EQ(read_file("f"), "ab" + std::string(9998, '\0') + "yz");
}

TEST_P(VfsConformanceTest, TruncateExtendsWithZerosAndShrinks) {
  write_file("f", "abcdef");
  auto file = open("f", OpenMode::kMustExist);
  ASSERT_TRUE(file->truncate(4).ok());
  EXPECT_EQ(*file->size(), 4u);
  EXPECT_EQ(read_file("f"), "abcd");

  ASSERT_TRUE(file->truncate(9).ok());
  EXPECT_EQ(*file->size(), 9u);
  EXPECT_EQ(read_file("f"), std::string("abcd") + std::string(5, '\0'))
      << "bytes cut off by the shrink must not come back when the file grows";

  ASSERT_TRUE(file->truncate(0).ok());
  EXPECT_EQ(read_file("f"), "");
}

TEST_P(VfsConformanceTest, SizeAgreesWithFileSize) {
  write_file("f", std::string(5000, 'x'));
  auto file = open("f", OpenMode::kMustExist);
  EXPECT_EQ(*file->size(), 5000u);
  EXPECT_EQ(*vfs().file_size(path("f")), 5000u);
  ASSERT_TRUE(file->write_at(6000, as_bytes("!")).ok());
  EXPECT_EQ(*file->size(), 6001u);
  EXPECT_EQ(*vfs().file_size(path("f")), 6001u);
}

TEST_P(VfsConformanceTest, RenameReplacesAnExistingTarget) {
  write_file("new", "new contents");
  write_file("current", "old contents that are longer");
  ASSERT_TRUE(vfs().rename(path("new"), path("current")).ok());
  EXPECT_EQ(read_file("current"), "new contents");
  EXPECT_FALSE(*vfs().exists(path("new")));
  EXPECT_EQ(*vfs().list_dir(box_->root), std::vector<std::string>{"current"});
}

TEST_P(VfsConformanceTest, RenameToAFreshNameMovesTheFile) {
  write_file("a", "A");
  ASSERT_TRUE(vfs().create_dir(path("sub")).ok());
  ASSERT_TRUE(vfs().rename(path("a"), path("sub/b")).ok());
  EXPECT_FALSE(*vfs().exists(path("a")));
  EXPECT_EQ(read_file("sub/b"), "A");
  ASSERT_TRUE(vfs().rename(path("sub/b"), path("sub/b")).ok()) << "renaming a file onto itself is a no-op";
  EXPECT_EQ(read_file("sub/b"), "A");
}

TEST_P(VfsConformanceTest, MissingPathsAreNotFoundAndNamed) {
  const std::string missing = path("missing");
  auto expect_not_found = [&](const Status& s, const std::string& op) {
    EXPECT_EQ(s.code(), StatusCode::kNotFound) << op << ": " << s.to_string();
    EXPECT_EQ(s.sys_errno(), ENOENT) << op;
    EXPECT_THAT(s.message(), HasSubstr(op + " " + missing)) << op;
  };
  expect_not_found(vfs().rename(missing, path("elsewhere")), "rename");
  expect_not_found(vfs().remove(missing), "remove");
  expect_not_found(vfs().file_size(missing).status(), "file_size");
  expect_not_found(vfs().list_dir(missing).status(), "list_dir");
  expect_not_found(vfs().sync_dir(missing), "sync_dir");
  expect_not_found(vfs().create_dir(path("missing/sub")), "create_dir");
  auto exists = vfs().exists(missing);
  ASSERT_TRUE(exists.ok()) << "exists() reports absence as false, not as an error";
  EXPECT_FALSE(*exists);
  EXPECT_FALSE(*vfs().exists(path("elsewhere"))) << "a failed rename creates nothing";
}

TEST_P(VfsConformanceTest, RenameIntoAMissingDirectoryIsNotFoundAndKeepsTheSource) {
  write_file("a", "A");
  const Status s = vfs().rename(path("a"), path("missing/a"));
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.to_string();
  EXPECT_EQ(read_file("a"), "A");
}

TEST_P(VfsConformanceTest, PathsBelowAFileDoNotExist) {
  write_file("plain", "x");
  auto exists = vfs().exists(path("plain/child"));
  ASSERT_TRUE(exists.ok()) << exists.status().to_string();
  EXPECT_FALSE(*exists);
  auto file = vfs().open(path("plain/child"), OpenMode::kCreate);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().sys_errno(), ENOTDIR);
}

TEST_P(VfsConformanceTest, RemoveDeletesTheFile) {
  write_file("f", "x");
  ASSERT_TRUE(vfs().remove(path("f")).ok());
  EXPECT_FALSE(*vfs().exists(path("f")));
  EXPECT_TRUE(vfs().list_dir(box_->root)->empty());
  EXPECT_EQ(vfs().remove(path("f")).code(), StatusCode::kNotFound) << "a second remove finds nothing";
}

TEST_P(VfsConformanceTest, ListDirIsSortedAndHoldsFilesAndDirectories) {
  for (const char* name : {"b", "a-2", "c", "a-10", "A"}) write_file(name, name);
  ASSERT_TRUE(vfs().create_dir(path("dir")).ok());
  write_file("dir/inner", "not listed at the top");
  auto names = vfs().list_dir(box_->root);
  ASSERT_TRUE(names.ok()) << names.status().to_string();
  EXPECT_EQ(*names, (std::vector<std::string>{"A", "a-10", "a-2", "b", "c", "dir"}));
  EXPECT_EQ(*vfs().list_dir(path("dir")), std::vector<std::string>{"inner"});
  EXPECT_EQ(*vfs().list_dir(path("dir/")), std::vector<std::string>{"inner"}) << "a trailing slash names the same directory";
}

TEST_P(VfsConformanceTest, ListDirOfAFileFails) {
  write_file("f", "x");
  auto names = vfs().list_dir(path("f"));
  ASSERT_FALSE(names.ok());
  EXPECT_EQ(names.status().sys_errno(), ENOTDIR);
  EXPECT_THAT(names.status().message(), HasSubstr(path("f")));
}

TEST_P(VfsConformanceTest, CreateDirIsIdempotent) {
  ASSERT_TRUE(vfs().create_dir(path("d")).ok());
  ASSERT_TRUE(vfs().create_dir(path("d")).ok());
  EXPECT_TRUE(*vfs().exists(path("d")));
  EXPECT_TRUE(vfs().list_dir(path("d"))->empty());
  EXPECT_EQ(*vfs().list_dir(box_->root), std::vector<std::string>{"d"});
}

TEST_P(VfsConformanceTest, CreateDirOverAFileFails) {
  write_file("f", "x");
  const Status s = vfs().create_dir(path("f"));
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.sys_errno(), EEXIST);
  EXPECT_THAT(s.message(), HasSubstr("create_dir " + path("f")));
}

TEST_P(VfsConformanceTest, SyncAndSyncDirSucceed) {
  auto file = open("f");
  ASSERT_TRUE(file->write_at(0, as_bytes("durable")).ok());
  EXPECT_TRUE(file->sync().ok());
  EXPECT_TRUE(vfs().sync_dir(box_->root).ok());
  EXPECT_TRUE(vfs().sync_dir(parent_dir(file->path())).ok());
}

TEST_P(VfsConformanceTest, CloseIsIdempotentAndLaterCallsFail) {
  auto file = open("f");
  ASSERT_TRUE(file->write_at(0, as_bytes("x")).ok());
  ASSERT_TRUE(file->close().ok());
  ASSERT_TRUE(file->close().ok());

  std::vector<uint8_t> buf(1);
  const std::vector<std::pair<std::string, Status>> after_close = {
      {"read", file->read_at(0, buf).status()},
      {"write", file->write_at(0, buf)},
      {"truncate", file->truncate(0)},
      {"sync", file->sync()},
      {"size", file->size().status()},
  };
  for (const auto& [op, s] : after_close) {
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << op << ": " << s.to_string();
    EXPECT_THAT(s.message(), HasSubstr(op + " " + path("f"))) << op;
    EXPECT_THAT(s.message(), HasSubstr("closed")) << op;
  }
  EXPECT_EQ(read_file("f"), "x") << "calls after close must not reach the file";
}

TEST_P(VfsConformanceTest, OffsetsPastTheLargestFileOffsetAreRefused) {
  auto file = open("f");
  std::vector<uint8_t> buf(16);
  const Status w = file->write_at(kMaxFileOffset - 4, buf);
  EXPECT_EQ(w.code(), StatusCode::kInvalidArgument) << w.to_string();
  EXPECT_THAT(w.message(), HasSubstr("write " + path("f") + " at offset " + std::to_string(kMaxFileOffset - 4)));
  EXPECT_EQ(file->read_at(UINT64_MAX, buf).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(file->truncate(UINT64_MAX).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*file->size(), 0u);
}

TEST_P(VfsConformanceTest, HandleFollowsRenameAndOutlivesRemove) {
  write_file("a", "first");
  auto file = open("a", OpenMode::kMustExist);
  ASSERT_TRUE(vfs().rename(path("a"), path("b")).ok());
  ASSERT_TRUE(file->write_at(5, as_bytes(" second")).ok());
  EXPECT_EQ(read_file("b"), "first second") << "the handle writes to the renamed file";

  ASSERT_TRUE(vfs().remove(path("b")).ok());
  EXPECT_FALSE(*vfs().exists(path("b")));
  std::string buf(12, '?');
  auto n = file->read_at(0, {reinterpret_cast<uint8_t*>(buf.data()), buf.size()});
  ASSERT_TRUE(n.ok()) << n.status().to_string();
  EXPECT_EQ(buf.substr(0, *n), "first second") << "a removed file stays readable through an open handle";

  write_file("b", "fresh");
  EXPECT_EQ(*file->size(), 12u) << "a new file under the old name is a different file";
}

TEST_P(VfsConformanceTest, MultiMebibyteWriteRoundTrips) {
  const Bytes data = pattern_bytes(6 << 20, 7);
  auto file = open("big");
  ASSERT_TRUE(file->write_at(4096, data).ok());
  EXPECT_EQ(*file->size(), 4096 + data.size());

  Bytes back(data.size());
  auto n = file->read_at(4096, back);
  ASSERT_TRUE(n.ok()) << n.status().to_string();
  ASSERT_EQ(*n, data.size());
  EXPECT_TRUE(back == data) << "a 6 MiB write did not read back identically";

  // Page-sized reads see the same bytes.
  Bytes page(4096);
  for (size_t off = 0; off < data.size(); off += 1 << 20) {
    ASSERT_EQ(*file->read_at(4096 + off, page), page.size());
    ASSERT_TRUE(std::equal(page.begin(), page.end(), data.begin() + static_cast<std::ptrdiff_t>(off)))
        << "page at " << off;
  }
}

INSTANTIATE_TEST_SUITE_P(Implementations, VfsConformanceTest,
                         ::testing::Values(Implementation{"Posix", make_posix_sandbox},
                                           Implementation{"Mem", make_mem_sandbox}),
                         [](const ::testing::TestParamInfo<Implementation>& info) { return info.param.name; });

}  // namespace
}  // namespace vfs
