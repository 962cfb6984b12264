// Shared by the crashsim tool's tests: a temporary directory, small catalogs,
// and running the command line in-process.
#pragma once

#include <string>
#include <vector>

namespace crashsim::tool::testing {

// A fresh directory under ::testing::TempDir(), removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void write_file(const std::string& path, const std::string& text);
std::string read_file(const std::string& path);

struct CliResult {
  int code = -1;
  std::string out;
  std::string err;
};
// crashsim_main with argv = {"crashsim", args...}.
CliResult run_cli(const std::vector<std::string>& args);

// Catalog files with small, fast scenarios (independent of the shipped
// catalog, which changes as the project grows):
//   passing: "tiny-clean" (clean engine, lose-unsynced and reorder, expects a
//            pass) and "torn-no-commit-record" (the no-commit-record mutant
//            under torn, expects atomicity);
//   failing: "mutant-expected-to-pass" (the same mutant, expects a pass) and
//            "clean-expected-to-fail" (the clean engine, expects durability).
std::string passing_catalog();
std::string failing_catalog();

}  // namespace crashsim::tool::testing
