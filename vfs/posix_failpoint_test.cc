// PosixVfs's libfiu failpoints: each failing point makes its call fail with
// the injected errno, a message naming the operation, path and offset, and no
// effect on disk; the short_io and eintr points drive the real retry loops.
#include <fiu-control.h>
#include <fiu.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include "vfs/posix_vfs.h"
#include "vfs/test_util.h"

namespace vfs {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::vfs::test_util::pattern_bytes;
using ::testing::StartsWith;
using Bytes = std::vector<uint8_t>;

class FiuEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { ASSERT_EQ(fiu_init(0), 0); }
};
[[maybe_unused]] ::testing::Environment* const fiu_environment =
    ::testing::AddGlobalTestEnvironment(new FiuEnvironment);

void* errno_info(int err) { return reinterpret_cast<void*>(intptr_t{err}); }

constexpr size_t kExistingSize = 8192;

// A temporary directory holding "existing" (kExistingSize pattern bytes,
// open as `file`) and an empty subdirectory "sub". Every failpoint is
// disabled again on teardown, whatever the test did.
class PosixFailpointFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "vfs-failpoint-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr) << "mkdtemp " << pattern;
    dir_ = pattern;
    existing_ = dir_ + "/existing";
    contents_ = pattern_bytes(kExistingSize, 1);
    auto file = vfs_.open(existing_, OpenMode::kCreate);
    ASSERT_TRUE(file.ok()) << file.status().to_string();
    file_ = std::move(file).value();
    ASSERT_TRUE(file_->write_at(0, contents_).ok());
    ASSERT_TRUE(vfs_.create_dir(dir_ + "/sub").ok());
  }

  void TearDown() override {
    for (const char* point : failpoint::kFailingPoints) fiu_disable(point);
    fiu_disable(failpoint::kShortIo);
    fiu_disable(failpoint::kEintr);
    file_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // The directory and "existing" are as SetUp left them.
  void expect_disk_untouched() {
    auto names = vfs_.list_dir(dir_);
    ASSERT_TRUE(names.ok()) << names.status().to_string();
    EXPECT_EQ(*names, (std::vector<std::string>{"existing", "sub"}));
    auto size = vfs_.file_size(existing_);
    ASSERT_TRUE(size.ok()) << size.status().to_string();
    ASSERT_EQ(*size, kExistingSize);
    Bytes back(kExistingSize);
    ASSERT_EQ(*file_->read_at(0, back), kExistingSize);
    EXPECT_TRUE(back == contents_) << "the contents of " << existing_ << " changed";
  }

  PosixVfs vfs_;
  std::string dir_;
  std::string existing_;
  Bytes contents_;
  std::unique_ptr<File> file_;
};

// One failing point, the call it guards and what its error must name.
struct FailpointCase {
  const char* point;
  std::string op;
  // The subject of the message, given the directory and the existing file.
  std::function<std::string(const std::string& dir, const std::string& existing)> subject;
  std::optional<uint64_t> offset;
  std::function<Status(PosixVfs&, File&, const std::string& dir, const std::string& existing)> call;
};

std::string existing_path(const std::string&, const std::string& existing) { return existing; }
std::string dir_path(const std::string& dir, const std::string&) { return dir; }

const std::vector<FailpointCase>& failpoint_cases() {
  static const std::vector<FailpointCase> cases = {
      {failpoint::kOpen, "open", existing_path, std::nullopt,
       [](PosixVfs& v, File&, const std::string&, const std::string& existing) {
         return v.open(existing, OpenMode::kMustExist).status();
       }},
      {failpoint::kRead, "read", existing_path, 4096,
       [](PosixVfs&, File& f, const std::string&, const std::string&) {
         Bytes buf(100);
         return f.read_at(4096, buf).status();
       }},
      {failpoint::kWrite, "write", existing_path, 6000,
       [](PosixVfs&, File& f, const std::string&, const std::string&) {
         const Bytes data(5000, 0xEE);  // would also extend the file
         return f.write_at(6000, data);
       }},
      {failpoint::kTruncate, "truncate", existing_path, 100,
       [](PosixVfs&, File& f, const std::string&, const std::string&) { return f.truncate(100); }},
      {failpoint::kSync, "sync", existing_path, std::nullopt,
       [](PosixVfs&, File& f, const std::string&, const std::string&) { return f.sync(); }},
      {failpoint::kSize, "size", existing_path, std::nullopt,
       [](PosixVfs&, File& f, const std::string&, const std::string&) { return f.size().status(); }},
      {failpoint::kSize, "file_size", existing_path, std::nullopt,
       [](PosixVfs& v, File&, const std::string&, const std::string& existing) {
         return v.file_size(existing).status();
       }},
      {failpoint::kRemove, "remove", existing_path, std::nullopt,
       [](PosixVfs& v, File&, const std::string&, const std::string& existing) { return v.remove(existing); }},
      {failpoint::kRename, "rename",
       [](const std::string& dir, const std::string& existing) { return existing + " -> " + dir + "/sub/moved"; },
       std::nullopt,
       [](PosixVfs& v, File&, const std::string& dir, const std::string& existing) {
         return v.rename(existing, dir + "/sub/moved");
       }},
      {failpoint::kSyncDir, "sync_dir", dir_path, std::nullopt,
       [](PosixVfs& v, File&, const std::string& dir, const std::string&) { return v.sync_dir(dir); }},
      {failpoint::kListDir, "list_dir", dir_path, std::nullopt,
       [](PosixVfs& v, File&, const std::string& dir, const std::string&) { return v.list_dir(dir).status(); }},
      {failpoint::kCreateDir, "create_dir", [](const std::string& dir, const std::string&) { return dir + "/new"; },
       std::nullopt,
       [](PosixVfs& v, File&, const std::string& dir, const std::string&) { return v.create_dir(dir + "/new"); }},
      {failpoint::kExists, "exists", existing_path, std::nullopt,
       [](PosixVfs& v, File&, const std::string&, const std::string& existing) {
         return v.exists(existing).status();
       }},
      {failpoint::kLock, "lock", existing_path, std::nullopt,
       [](PosixVfs& v, File&, const std::string&, const std::string& existing) {
         return v.lock(existing, LockMode::kExclusive).status();
       }},
  };
  return cases;
}

// The injected errno (0: none given, so EIO) and the code it must map to.
struct InjectedError {
  int failinfo;
  int expected_errno;
  StatusCode expected_code;
  const char* expected_name;
};

void PrintTo(const InjectedError& e, std::ostream* os) {
  *os << (e.failinfo == 0 ? "no failinfo" : e.expected_name);
}

class PosixFailpointTest : public PosixFailpointFixture,
                           public ::testing::WithParamInterface<std::tuple<size_t, InjectedError>> {};

TEST_P(PosixFailpointTest, InjectedErrorFailsTheCallWithoutTouchingTheDisk) {
  const FailpointCase& c = failpoint_cases()[std::get<0>(GetParam())];
  const InjectedError& e = std::get<1>(GetParam());
  const std::string subject = c.subject(dir_, existing_);

  ASSERT_EQ(fiu_enable(c.point, 1, errno_info(e.failinfo), 0), 0);
  const Status failed = c.call(vfs_, *file_, dir_, existing_);
  ASSERT_FALSE(failed.ok()) << c.point << " enabled, yet " << c.op << " succeeded";
  EXPECT_EQ(failed.code(), e.expected_code) << failed.to_string();
  EXPECT_EQ(failed.sys_errno(), e.expected_errno);
  EXPECT_THAT(failed.message(), StartsWith(c.op + " " + subject));
  if (c.offset) {
    EXPECT_THAT(failed.message(), HasSubstr(subject + " at offset " + std::to_string(*c.offset) + ": "));
  } else {
    EXPECT_THAT(failed.message(), Not(HasSubstr("at offset")));
  }
  EXPECT_THAT(failed.message(), HasSubstr(std::string("(") + e.expected_name + ")"));

  ASSERT_EQ(fiu_disable(c.point), 0);
  expect_disk_untouched();
  const Status healed = c.call(vfs_, *file_, dir_, existing_);
  EXPECT_TRUE(healed.ok()) << c.point << " disabled, yet " << healed.to_string();
}

std::string failpoint_test_name(const ::testing::TestParamInfo<PosixFailpointTest::ParamType>& info) {
  const FailpointCase& c = failpoint_cases()[std::get<0>(info.param)];
  const InjectedError& e = std::get<1>(info.param);
  return c.op + "_" + (e.failinfo == 0 ? std::string("default") : e.expected_name);
}

INSTANTIATE_TEST_SUITE_P(
    EveryPoint, PosixFailpointTest,
    ::testing::Combine(::testing::Range(size_t{0}, failpoint_cases().size()),
                       ::testing::Values(InjectedError{EIO, EIO, StatusCode::kIoError, "EIO"},
                                         InjectedError{ENOSPC, ENOSPC, StatusCode::kNoSpace, "ENOSPC"},
                                         InjectedError{0, EIO, StatusCode::kIoError, "EIO"})),
    failpoint_test_name);

TEST(PosixFailpointNames, EveryFailingPointHasACase) {
  std::vector<std::string> covered;
  for (const auto& c : failpoint_cases()) covered.emplace_back(c.point);
  for (const char* point : failpoint::kFailingPoints) {
    EXPECT_THAT(covered, ::testing::Contains(std::string(point)));
  }
}

using PosixFailpointOnce = PosixFailpointFixture;

TEST_F(PosixFailpointOnce, OneTimeFailureFailsOnlyTheNextCall) {
  ASSERT_EQ(fiu_enable(failpoint::kSync, 1, errno_info(EDQUOT), FIU_ONETIME), 0);
  const Status first = file_->sync();
  EXPECT_EQ(first.code(), StatusCode::kNoSpace) << first.to_string();
  EXPECT_EQ(first.sys_errno(), EDQUOT);
  EXPECT_TRUE(file_->sync().ok());
}

// Counts how often fiu_fail() consults a point, and makes it fire each time.
std::atomic<int> short_io_consults{0};
std::atomic<int> eintr_consults{0};
int count_short_io(const char*, int*, void**, unsigned int*) {
  ++short_io_consults;
  return 1;
}
int count_eintr(const char*, int*, void**, unsigned int*) {
  ++eintr_consults;
  return 1;
}

using PosixRetryLoopTest = PosixFailpointFixture;

TEST_F(PosixRetryLoopTest, ShortTransfersAreRetriedUntilEveryByteMoves) {
  const Bytes data = pattern_bytes((3 << 20) + 123, 2);
  short_io_consults = 0;
  ASSERT_EQ(fiu_enable_external(failpoint::kShortIo, 1, nullptr, 0, count_short_io), 0);

  ASSERT_TRUE(file_->write_at(777, data).ok());
  // Halving what is asked each round takes about log2(3 MiB) ~ 22 rounds.
  EXPECT_GE(short_io_consults.load(), 20) << "the write loop did not go round";

  short_io_consults = 0;
  Bytes back(data.size());
  auto n = file_->read_at(777, back);
  ASSERT_TRUE(n.ok()) << n.status().to_string();
  EXPECT_EQ(*n, data.size());
  EXPECT_GE(short_io_consults.load(), 20) << "the read loop did not go round";
  EXPECT_TRUE(back == data) << "bytes were lost or reordered across short transfers";

  // The loop still stops at end of file.
  Bytes tail(1000);
  n = file_->read_at(777 + data.size() - 10, tail);
  ASSERT_TRUE(n.ok()) << n.status().to_string();
  EXPECT_EQ(*n, 10u);
  EXPECT_TRUE(std::equal(tail.begin(), tail.begin() + 10, data.end() - 10));
}

TEST_F(PosixRetryLoopTest, InterruptedCallsAreRetried) {
  const Bytes data = pattern_bytes((2 << 20) + 5, 3);
  eintr_consults = 0;
  short_io_consults = 0;
  ASSERT_EQ(fiu_enable_external(failpoint::kEintr, 1, nullptr, 0, count_eintr), 0);
  ASSERT_EQ(fiu_enable_external(failpoint::kShortIo, 1, nullptr, 0, count_short_io), 0);

  ASSERT_TRUE(file_->write_at(0, data).ok());
  ASSERT_TRUE(file_->sync().ok());
  Bytes back(data.size());
  auto n = file_->read_at(0, back);
  ASSERT_TRUE(n.ok()) << n.status().to_string();
  EXPECT_EQ(*n, data.size());
  EXPECT_TRUE(back == data);
  ASSERT_TRUE(file_->truncate(10).ok());
  EXPECT_EQ(*file_->size(), 10u);
  auto reopened = vfs_.open(existing_, OpenMode::kMustExist);
  ASSERT_TRUE(reopened.ok()) << reopened.status().to_string();
  ASSERT_TRUE(vfs_.sync_dir(dir_).ok());

  // Every pread/pwrite round was interrupted once (and the sync, truncate,
  // open, the directory's open and fsync): far more than the rounds alone.
  EXPECT_GE(eintr_consults.load(), short_io_consults.load() + 5);
}

TEST_F(PosixRetryLoopTest, OneInterruptionIsRetriedTransparently) {
  ASSERT_EQ(fiu_enable(failpoint::kEintr, 1, nullptr, FIU_ONETIME), 0);
  EXPECT_TRUE(file_->sync().ok());
  const Bytes data(10, 0x42);
  ASSERT_TRUE(file_->write_at(0, data).ok());
  Bytes back(10);
  ASSERT_EQ(*file_->read_at(0, back), 10u);
  EXPECT_TRUE(back == data);
}

TEST(DefaultVfs, IsOneProcessWidePosixVfs) {
  Vfs& a = default_vfs();
  Vfs& b = default_vfs();
  EXPECT_EQ(&a, &b);
  EXPECT_NE(dynamic_cast<PosixVfs*>(&a), nullptr);
}

}  // namespace
}  // namespace vfs
