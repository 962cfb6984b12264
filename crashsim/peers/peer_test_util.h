// Helpers shared by the peer adapters' tests: run a short script through the
// recorder and read the trace back as lines.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crashsim/system_under_test.h"
#include "crashsim/workload_runner.h"

namespace crashsim::peers::testing {

// A script of `commits` transactions of two puts each (keys k0.., 40-byte
// values), a reopen after the second commit when `reopen` is set.
inline std::vector<Step> commit_script(int commits, bool reopen = false) {
  std::vector<Step> steps;
  for (int i = 0; i < commits; ++i) {
    for (int j = 0; j < 2; ++j)
      steps.push_back({StepKind::kPut, "k" + std::to_string(i * 2 + j), std::string(40, static_cast<char>('a' + i % 26))});
    steps.push_back({StepKind::kCommit, "", ""});
    if (reopen && i == 1) steps.push_back({StepKind::kReopen, "", ""});
  }
  return steps;
}

// The namespace and sync calls of a trace, one line each ("create db-wal",
// "sync db-wal", "sync-dir .", "remove db-journal", "rename a -> b"),
// without the writes, truncates and markers.
inline std::vector<std::string> sync_lines(const Trace& trace) {
  std::vector<std::string> out;
  for (const Op& op : trace.ops) {
    switch (op.kind) {
      case OpKind::kCreate: out.push_back("create " + op.path); break;
      case OpKind::kSync: out.push_back("sync " + op.path); break;
      case OpKind::kSyncDir: out.push_back("sync-dir " + op.path); break;
      case OpKind::kRemove: out.push_back("remove " + op.path); break;
      case OpKind::kRename: out.push_back("rename " + op.path + " -> " + op.path2); break;
      default: break;
    }
  }
  return out;
}

inline Recording record(SystemUnderTest& sut, std::vector<Step> steps) {
  vfs::Result<Recording> r = record_workload(sut, std::move(steps), "peer-test");
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return r.ok() ? std::move(r).value() : Recording{};
}

}  // namespace crashsim::peers::testing
