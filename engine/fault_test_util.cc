#include "engine/fault_test_util.h"

#include <fiu-control.h>
#include <fiu.h>

#include <cstdint>
#include <mutex>
#include <utility>

namespace engine::testing {
namespace {

class FiuEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { ASSERT_EQ(fiu_init(0), 0); }
};
[[maybe_unused]] ::testing::Environment* const fiu_environment =
    ::testing::AddGlobalTestEnvironment(new FiuEnvironment);

void* errno_info(int err) { return reinterpret_cast<void*>(intptr_t{err}); }

// The counters behind ScopedFailpoint::nth. libfiu's external callback gets
// only the point's name, so the state lives here, keyed by it.
struct NthCounter {
  uint64_t fail_at = 0;
  uint64_t calls = 0;
};
std::mutex nth_mu;
std::map<std::string, NthCounter>& nth_counters() {
  static auto* counters = new std::map<std::string, NthCounter>;
  return *counters;
}

int nth_callback(const char* name, int*, void**, unsigned int*) {
  std::lock_guard lock(nth_mu);
  const auto it = nth_counters().find(name);
  if (it == nth_counters().end()) return 0;
  return ++it->second.calls == it->second.fail_at ? 1 : 0;
}

void expect_verifies(Db& db) {
  const std::vector<std::string> problems = Problems(db);
  EXPECT_TRUE(problems.empty()) << ::testing::PrintToString(problems);
}

}  // namespace

ScopedFailpoint ScopedFailpoint::always(const char* point, int err) {
  EXPECT_EQ(fiu_enable(point, 1, errno_info(err), 0), 0) << point;
  return ScopedFailpoint(point);
}

ScopedFailpoint ScopedFailpoint::once(const char* point, int err) {
  EXPECT_EQ(fiu_enable(point, 1, errno_info(err), FIU_ONETIME), 0) << point;
  return ScopedFailpoint(point);
}

ScopedFailpoint ScopedFailpoint::nth(const char* point, uint64_t n, int err) {
  {
    std::lock_guard lock(nth_mu);
    nth_counters()[point] = NthCounter{n, 0};
  }
  EXPECT_EQ(fiu_enable_external(point, 1, errno_info(err), 0, nth_callback), 0) << point;
  return ScopedFailpoint(point);
}

ScopedFailpoint ScopedFailpoint::random(const char* point, float probability, unsigned seed, int err) {
  // The tests are single-threaded, which is what fiu_set_prng_seed asks for.
  fiu_set_prng_seed(seed);
  EXPECT_EQ(fiu_enable_random(point, 1, errno_info(err), 0, probability), 0) << point;
  return ScopedFailpoint(point);
}

ScopedFailpoint ScopedFailpoint::behaviour(const char* point) {
  EXPECT_EQ(fiu_enable(point, 1, nullptr, 0), 0) << point;
  return ScopedFailpoint(point);
}

ScopedFailpoint::ScopedFailpoint(ScopedFailpoint&& other) noexcept : point_(std::move(other.point_)) {
  other.point_.clear();
}

ScopedFailpoint::~ScopedFailpoint() { disable(); }

void ScopedFailpoint::disable() {
  if (point_.empty()) return;
  fiu_disable(point_.c_str());
  std::lock_guard lock(nth_mu);
  nth_counters().erase(point_);
  point_.clear();
}

uint64_t ScopedFailpoint::calls() const {
  std::lock_guard lock(nth_mu);
  const auto it = nth_counters().find(point_);
  return it == nth_counters().end() ? 0 : it->second.calls;
}

WriteBatch numbered_puts(int first, int count, size_t value_size, int round) {
  WriteBatch batch;
  for (int i = first; i < first + count; ++i) {
    const std::string key = NumberedKey(i);
    std::string value(value_size, '\0');
    for (size_t j = 0; j < value_size; ++j) value[j] = static_cast<char>('a' + (i * 7 + round * 13 + j) % 26);
    batch.put(key, value);
  }
  return batch;
}

void expect_holds_exactly(Db& db, const Model& model) {
  using Entries = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(ScanAll(db), Entries(model.begin(), model.end()));
  for (const auto& [key, value] : model) {
    std::string got;
    const Status s = db.get(key, &got);
    EXPECT_TRUE(s.ok()) << key << ": " << s.to_string();
    EXPECT_EQ(got, value) << key;
  }
  expect_verifies(db);
}

void expect_holds_one_of(Db& db, const Model& before, const WriteBatch& batch) {
  Model after = before;
  apply(after, batch);
  const auto scanned = ScanAll(db);
  const Model found(scanned.begin(), scanned.end());
  EXPECT_TRUE(found == before || found == after)
      << "the database holds " << found.size() << " keys: neither the " << before.size()
      << " acknowledged before the failed write nor those plus the whole failed batch";
  expect_verifies(db);
}

void FaultTest::SetUp() { path_ = dir_.path() + "/db"; }

Options FaultTest::quiet_options() {
  Options options = SmallOptions(512, 8);
  options.checkpoint_every_commits = 0;
  options.checkpoint_wal_bytes = 0;
  return options;
}

std::unique_ptr<Db> FaultTest::open_db(const Options& options) { return OpenOrDie(vfs_, path_, options); }

std::unique_ptr<Db> FaultTest::reopen(std::unique_ptr<Db> db, const Options& options) {
  const Status closed = db->close();
  EXPECT_TRUE(closed.ok()) << closed.to_string();
  db.reset();
  return open_db(options);
}

Status FaultTest::write(Db& db, const WriteBatch& batch) {
  Status s = db.write(batch);
  if (s.ok()) apply(model_, batch);
  return s;
}

}  // namespace engine::testing
