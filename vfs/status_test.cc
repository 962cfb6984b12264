#include "vfs/status.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <memory>
#include <string>

namespace vfs {
namespace {

TEST(StatusTest, DefaultIsOk) {
  const Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.sys_errno(), 0);
  EXPECT_EQ(s.message(), "");
  EXPECT_EQ(s.to_string(), "ok");
  EXPECT_TRUE(Status::ok_status().ok());
}

TEST(StatusTest, FromErrnoMapsCodes) {
  EXPECT_EQ(Status::from_errno(ENOENT, "open", "/x").code(), StatusCode::kNotFound);
  EXPECT_EQ(Status::from_errno(ENOSPC, "write", "/x").code(), StatusCode::kNoSpace);
  EXPECT_EQ(Status::from_errno(EDQUOT, "write", "/x").code(), StatusCode::kNoSpace);
  EXPECT_EQ(Status::from_errno(EIO, "sync", "/x").code(), StatusCode::kIoError);
  EXPECT_EQ(Status::from_errno(EBADF, "read", "/x").code(), StatusCode::kIoError);
  EXPECT_TRUE(Status::from_errno(ENOENT, "open", "/x").is_not_found());
  EXPECT_TRUE(Status::from_errno(ENOSPC, "open", "/x").is_no_space());
  EXPECT_EQ(Status::from_errno(ENOSPC, "write", "/x").sys_errno(), ENOSPC);
}

TEST(StatusTest, FromErrnoMessageNamesOperationPathOffsetAndError) {
  EXPECT_EQ(Status::from_errno(EIO, "write", "/data/db-wal", 8192).message(),
            "write /data/db-wal at offset 8192: Input/output error (EIO)");
  EXPECT_EQ(Status::from_errno(ENOENT, "open", "/data/db").message(),
            "open /data/db: No such file or directory (ENOENT)");
  EXPECT_EQ(Status::from_errno(EIO, "read", "f", 0).message(), "read f at offset 0: Input/output error (EIO)")
      << "offset 0 is an offset, not its absence";
}

TEST(StatusTest, FromErrnoWithAnUnknownErrnoStillReads) {
  const Status s = Status::from_errno(99999, "sync", "/x");
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_EQ(s.sys_errno(), 99999);
  EXPECT_EQ(s.message(), "sync /x: Unknown error 99999");
}

TEST(StatusTest, FactoriesSetCodes) {
  EXPECT_EQ(Status::not_found("m").code(), StatusCode::kNotFound);
  EXPECT_TRUE(Status::corruption("m").is_corruption());
  EXPECT_EQ(Status::io_error("m", EIO).sys_errno(), EIO);
  EXPECT_EQ(Status::no_space("m").code(), StatusCode::kNoSpace);
  EXPECT_EQ(Status::invalid_argument("m").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Status::failed_state("m").code(), StatusCode::kFailedState);
  EXPECT_EQ(Status::not_supported("m").code(), StatusCode::kNotSupported);
  EXPECT_EQ(Status::corruption("bad checksum").message(), "bad checksum");
}

TEST(StatusTest, WithPrefixesContextAndKeepsCodeAndErrno) {
  const Status inner = Status::from_errno(ENOSPC, "write", "/db-wal", 4096);
  const Status outer = inner.with("commit txn 17").with("put key 'a'");
  EXPECT_EQ(outer.code(), StatusCode::kNoSpace);
  EXPECT_EQ(outer.sys_errno(), ENOSPC);
  EXPECT_EQ(outer.message(), "put key 'a': commit txn 17: " + inner.message());
  EXPECT_EQ(inner.message(), "write /db-wal at offset 4096: No space left on device (ENOSPC)")
      << "with() must not change the original";
  EXPECT_TRUE(Status().with("context").ok());
  EXPECT_EQ(Status().with("context").message(), "");
}

TEST(StatusTest, ToStringLeadsWithTheCodeName) {
  EXPECT_EQ(Status::from_errno(ENOENT, "open", "/x").to_string(), "not-found: open /x: No such file or directory (ENOENT)");
  EXPECT_EQ(Status::failed_state("earlier sync failed").to_string(), "failed-state: earlier sync failed");
}

TEST(StatusTest, CodeNamesAreStable) {
  EXPECT_EQ(status_code_name(StatusCode::kOk), "ok");
  EXPECT_EQ(status_code_name(StatusCode::kNotFound), "not-found");
  EXPECT_EQ(status_code_name(StatusCode::kCorruption), "corruption");
  EXPECT_EQ(status_code_name(StatusCode::kIoError), "io-error");
  EXPECT_EQ(status_code_name(StatusCode::kNoSpace), "no-space");
  EXPECT_EQ(status_code_name(StatusCode::kInvalidArgument), "invalid-argument");
  EXPECT_EQ(status_code_name(StatusCode::kFailedState), "failed-state");
  EXPECT_EQ(status_code_name(StatusCode::kNotSupported), "not-supported");
  EXPECT_EQ(status_code_name(StatusCode::kBusy), "busy");
  EXPECT_EQ(status_code_name(StatusCode::kExpired), "expired");
}

TEST(ResultTest, HoldsAValue) {
  Result<int> r(42);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.status().ok());
  EXPECT_EQ(*r, 42);
  EXPECT_EQ(r.value(), 42);
  *r = 7;
  EXPECT_EQ(r.value(), 7);
}

TEST(ResultTest, HoldsAnError) {
  const Result<int> r(Status::corruption("page 3: bad checksum"));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().is_corruption());
  EXPECT_EQ(r.status().message(), "page 3: bad checksum");
}

TEST(ResultTest, MovesAMoveOnlyValueOut) {
  Result<std::unique_ptr<std::string>> r(std::make_unique<std::string>("page"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->get()->size(), 4u);
  std::unique_ptr<std::string> taken = std::move(r).value();
  EXPECT_EQ(*taken, "page");
}

Result<int> parse_positive(int x) {
  if (x <= 0) return Status::invalid_argument("not positive: " + std::to_string(x));
  return x;
}

Result<int> doubled(int x) {
  ASSIGN_OR_RETURN(const int v, parse_positive(x));
  return 2 * v;
}

Status check_both(int a, int b) {
  RETURN_IF_ERROR(parse_positive(a).status());
  RETURN_IF_ERROR(parse_positive(b).status().with("second"));
  return Status();
}

TEST(ResultTest, MacrosPropagateErrorsAndPassValues) {
  EXPECT_EQ(*doubled(21), 42);
  const Result<int> bad = doubled(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "not positive: -1");

  EXPECT_TRUE(check_both(1, 2).ok());
  EXPECT_EQ(check_both(0, 2).message(), "not positive: 0");
  EXPECT_EQ(check_both(1, -5).message(), "second: not positive: -5");
}

}  // namespace
}  // namespace vfs
