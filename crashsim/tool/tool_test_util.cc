#include "crashsim/tool/tool_test_util.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "crashsim/tool/cli.h"

namespace crashsim::tool::testing {

namespace {

constexpr char kTinyClean[] = R"({
  "name": "tiny-clean", "description": "four small commits on the clean engine", "tags": ["tiny", "clean"],
  "engine": {"page_size": 4096, "checkpoint_every": 2},
  "workload": {"seed": 3, "transactions": 4, "ops_per_txn": [1, 3], "key_space": 10},
  "crash": {"model": ["lose-unsynced", "reorder"], "max_states": 300},
  "expect": {"verdict": "pass"}})";

// The no-commit-record mutant's script from the shipped catalog, under
// `name` and expecting `expect`; without nested crashes, so that the report's
// violations are states of the workload's own trace (nested ids are replayed
// in nesting_test.cc).
std::string no_commit_record(const std::string& name, const std::string& expect) {
  std::string script;
  for (int i = 0; i < 16; ++i) {
    script += R"({"op": "put", "key": "a)" + std::string(i < 10 ? "0" : "") + std::to_string(i) +
              R"(", "value_size": 60}, )";
  }
  script += R"({"op": "commit"}, {"op": "checkpoint"},
      {"op": "put", "key": "a00", "value_size": 60}, {"op": "put", "key": "a15", "value_size": 60}, {"op": "commit"},
      {"op": "put", "key": "a00", "value_size": 60}, {"op": "put", "key": "a07", "value_size": 60},
      {"op": "put", "key": "a15", "value_size": 60}, {"op": "commit"})";
  return R"({"name": ")" + name + R"(", "description": "recovery replays frames without a commit marker",
    "tags": ["tiny", "mutant"], "engine": {"page_size": 512, "checkpoint_every": 0, "mutant": "no-commit-record"},
    "workload": {"script": [)" + script + R"(]},
    "crash": {"model": "torn", "max_states": 2000, "sector_size": 512, "recovery_crashes": false},
    "expect": )" + expect + "}";
}

}  // namespace

TempDir::TempDir() {
  std::string pattern = ::testing::TempDir() + "crashsim-tool-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp " << pattern;
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  ASSERT_TRUE(out.good()) << "write " << path;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

CliResult run_cli(const std::vector<std::string>& args) {
  std::vector<const char*> argv = {"crashsim"};
  for (const std::string& a : args) argv.push_back(a.c_str());
  std::ostringstream out;
  std::ostringstream err;
  Console console{out, err, ProgressPrinter::Mode::kPlain};
  CliResult r;
  r.code = crashsim_main(static_cast<int>(argv.size()), argv.data(), console);
  r.out = out.str();
  r.err = err.str();
  return r;
}

std::string passing_catalog() {
  return R"({"version": 1, "scenarios": [)" + std::string(kTinyClean) + ", " +
         no_commit_record("torn-no-commit-record", R"({"verdict": "violation", "invariant": "atomicity"})") + "]}";
}

std::string failing_catalog() {
  std::string clean = kTinyClean;
  clean.replace(clean.find("tiny-clean"), 10, "clean-expected-to-fail");
  clean.replace(clean.find(R"({"verdict": "pass"})"), 19, R"({"verdict": "violation", "invariant": "durability"})");
  return R"({"version": 1, "scenarios": [)" + no_commit_record("mutant-expected-to-pass", R"({"verdict": "pass"})") +
         ", " + clean + "]}";
}

}  // namespace crashsim::tool::testing
