// Helpers shared by the tree layer's tests.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine/db.h"

namespace engine::testing {

// The expected contents of a database: every acknowledged write, in order.
using Model = std::map<std::string, std::string>;

// Applies `batch` to `model` as the engine would apply it once acknowledged.
inline void apply(Model& model, const WriteBatch& batch) {
  for (const auto& op : batch.ops()) {
    if (op.kind == WriteBatch::OpKind::kPut) {
      model[op.key] = op.value;
    } else {
      model.erase(op.key);
    }
  }
}

inline Options SmallOptions(uint32_t page_size, size_t cache_pages = 16) {
  Options o;
  o.page_size = page_size;
  o.cache_pages = cache_pages;
  return o;
}

inline std::unique_ptr<Db> OpenOrDie(vfs::Vfs& vfs, const std::string& path, const Options& options) {
  auto db = Db::open(vfs, path, options);
  EXPECT_TRUE(db.ok()) << db.status().to_string();
  return db.ok() ? std::move(db).value() : nullptr;
}

// Every entry, in cursor order.
inline std::vector<std::pair<std::string, std::string>> ScanAll(Db& db) {
  std::vector<std::pair<std::string, std::string>> out;
  auto cursor = db.new_cursor();
  EXPECT_TRUE(cursor.ok()) << cursor.status().to_string();
  if (!cursor.ok()) return out;
  for ((*cursor)->seek_to_first(); (*cursor)->valid(); (*cursor)->next())
    out.emplace_back((*cursor)->key(), (*cursor)->value());
  EXPECT_TRUE((*cursor)->status().ok()) << (*cursor)->status().to_string();
  return out;
}

// verify() as a printable list of "kind page: message" lines; empty when sound.
inline std::vector<std::string> Problems(Db& db) {
  auto report = db.verify();
  if (!report.ok()) return {"verify failed to run: " + report.status().to_string()};
  std::vector<std::string> lines;
  for (const auto& v : report->violations)
    lines.push_back(std::string(violation_kind_name(v.kind)) + " " + std::to_string(v.page) + ": " + v.message);
  return lines;
}

inline bool HasKind(const VerifyReport& report, Violation::Kind kind) {
  for (const auto& v : report.violations)
    if (v.kind == kind) return true;
  return false;
}

// A seed for a randomized test: BTREE_TEST_SEED when set (to replay a
// failure), else a fresh one. Recorded in the test's XML output and printed.
inline uint64_t TestSeed() {
  uint64_t seed;
  if (const char* env = std::getenv("BTREE_TEST_SEED")) {
    seed = std::strtoull(env, nullptr, 10);
  } else {
    seed = (uint64_t{std::random_device{}()} << 32) | std::random_device{}();
  }
  ::testing::Test::RecordProperty("seed", std::to_string(seed));
  std::cout << "[ seed     ] BTREE_TEST_SEED=" << seed << "\n";
  return seed;
}

// A fresh directory under GoogleTest's temporary directory, removed with
// everything in it when the object goes.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = ::testing::TempDir() + "btree-test-XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) ADD_FAILURE() << "mkdtemp " << tmpl << " failed";
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A unique key with a readable prefix: "k" + index, zero-padded.
inline std::string NumberedKey(int i, int width = 6) {
  std::string digits = std::to_string(i);
  return "k" + std::string(width > int(digits.size()) ? width - digits.size() : 0, '0') + digits;
}

}  // namespace engine::testing
