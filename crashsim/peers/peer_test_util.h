// Helpers shared by the peer adapters' tests: run a short script through the
// recorder and read the trace back as lines.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "crashsim/record/workload_runner.h"
#include "crashsim/system_under_test.h"

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

// Writes a binary key and value, an empty value and a key it then deletes,
// closes, reopens into `reopened`, and checks that scan, get and verify see
// exactly those. `created_paths`: the recovery paths of the first open.
inline void round_trip_across_a_reopen(SystemUnderTest& sut, vfs::Vfs& vfs, std::vector<std::string>& created_paths,
                                       std::unique_ptr<SutSession>& reopened) {
  const std::string key("k\0\xff", 3), value("v\0", 2);
  {
    auto session = sut.open(vfs);
    ASSERT_TRUE(session.ok()) << session.status().to_string();
    created_paths = (*session)->recovery_paths();
    ASSERT_TRUE((*session)->apply({{KvOp::Kind::kPut, key, value}, {KvOp::Kind::kPut, "e", ""}}).ok());
    ASSERT_TRUE((*session)->apply({{KvOp::Kind::kPut, "gone", "x"}}).ok());
    ASSERT_TRUE((*session)->apply({{KvOp::Kind::kDelete, "gone", ""}}).ok());
    ASSERT_TRUE((*session)->close().ok());
  }
  auto session = sut.open(vfs);
  ASSERT_TRUE(session.ok()) << session.status().to_string();
  reopened = std::move(session).value();
  auto state = reopened->scan_all();
  ASSERT_TRUE(state.ok()) << state.status().to_string();
  EXPECT_EQ(*state, (KvState{{"e", ""}, {key, value}}));
  std::string got;
  EXPECT_TRUE(reopened->get("gone", &got).is_not_found());
  ASSERT_TRUE(reopened->get("e", &got).ok());
  EXPECT_EQ(got, "");
  auto findings = reopened->verify();
  ASSERT_TRUE(findings.ok()) << findings.status().to_string();
  EXPECT_TRUE(findings->empty());
}

inline Recording record(SystemUnderTest& sut, std::vector<Step> steps) {
  vfs::Result<Recording> r = record_workload(sut, std::move(steps), "peer-test");
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return r.ok() ? std::move(r).value() : Recording{};
}

}  // namespace crashsim::peers::testing
