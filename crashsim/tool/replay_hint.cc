#include "crashsim/tool/replay_hint.h"

#include <filesystem>
#include <system_error>

#include "crashsim/check/invariants.h"
#include "crashsim/tool/report_document.h"

namespace crashsim::tool {

namespace {

// "btree [--mutant M] DIR/db COMMAND", ready for a shell.
std::string btree_command(const KeptState& kept, const std::string& dir, const std::string& command) {
  std::string out = shell_quote(kept.btree);
  if (kept.mutant != engine::Mutant::kNone) out += " --mutant " + std::string(engine::mutant_name(kept.mutant));
  return out + " " + shell_quote(dir + "/" + kept.db) + " " + command;
}

}  // namespace

std::string btree_beside(std::string_view crashsim_program) {
  const std::filesystem::path program(crashsim_program);
  if (!program.has_parent_path()) return "btree";
  const std::filesystem::path btree = (program.parent_path() / ".." / ".." / "engine" / "btree").lexically_normal();
  std::error_code ec;
  return std::filesystem::is_regular_file(btree, ec) ? btree.string() : "btree";
}

std::vector<std::string> replay_hint(const Violation& v, const KeptState& kept) {
  std::vector<std::string> lines = {"# " + v.invariant + ": " + v.message};
  if (v.invariant == invariant::kWritableAfterRecovery) {
    const std::string copy = kept.dir + "-copy";
    lines.push_back("# a write changes the files: it runs on a copy, so that " + kept.dir + " stays as kept");
    lines.push_back("rm -rf " + shell_quote(copy) + " && cp -R " + shell_quote(kept.dir) + " " + shell_quote(copy));
    lines.push_back(btree_command(kept, copy, "put crashsim-probe written-after-recovery"));
    lines.push_back(btree_command(kept, copy, "get crashsim-probe"));
    return lines;
  }
  if (!v.keys.empty()) {
    for (const std::string& key : v.keys) lines.push_back(btree_command(kept, kept.dir, "get " + shell_quote(key)));
  } else if (v.invariant == invariant::kStructure || v.invariant == invariant::kLeak) {
    lines.push_back(btree_command(kept, kept.dir, "verify"));
  } else {
    lines.push_back(btree_command(kept, kept.dir, "scan"));
  }
  lines.push_back("# expected: " + v.expected);
  lines.push_back("# observed: " + v.observed);
  return lines;
}

}  // namespace crashsim::tool
