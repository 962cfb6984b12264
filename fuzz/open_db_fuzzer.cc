// Fuzz target open_db: a data file and a WAL image (fuzz/db_files.h),
// installed into a MemVfs and opened. Everything the open hands back is
// read (a get of every key the seed committed and of every key the scan
// lists, a full scan, stats, verify()), then one probe write is made, the
// database closed, reopened and read again. fuzz/db_oracle.h judges every
// answer; a finding aborts.
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "fuzz/db_files.h"
#include "fuzz/db_oracle.h"
#include "fuzz/fuzz_target.h"
#include "fuzz/seed_history.h"
#include "vfs/mem_vfs.h"

namespace {

const fuzz::SeedTable* seeds = nullptr;

// The seed the files were made from: the one both files name, or the one
// the only readable file names. Files naming two different seeds (a
// crossover) are judged by no history.
const fuzz::Seed* seed_of(const fuzz::DbFiles& files) {
  const std::optional<engine::Meta> meta = fuzz::data_file_meta(files.data);
  const std::optional<engine::WalHeader> header = fuzz::wal_header(files.wal);
  if (meta && header && meta->db_id != header->db_id) return nullptr;
  if (meta) return seeds->find(meta->db_id);
  if (header) return seeds->find(header->db_id);
  return nullptr;
}

std::shared_ptr<const vfs::Bytes> shared(const fuzz::Bytes& bytes) {
  return std::make_shared<const vfs::Bytes>(bytes.begin(), bytes.end());
}


// A seed opens to exactly the last state of its history. A corpus left
// behind by a format change fails here, naming the seed, instead of turning
// every input into a false finding.
void check_seed(const fuzz::Seed& seed) {
  const fuzz::History& history = seed.history;
  // Resealing what the engine sealed changes nothing, or the resealing mode
  // would hand every input a damage of its own.
  fuzz::DbFiles resealed = seed.files;
  fuzz::reseal_db_files(resealed);
  if (resealed.data != seed.files.data || resealed.wal != seed.files.wal) {
    std::fprintf(stderr, "open_db: resealing seed %s changes its files: fuzz/db_files.cc no longer seals as the engine does\n",
                 history.name().c_str());
    std::abort();
  }
  vfs::MemVfs vfs;
  vfs.install_file("db", shared(seed.files.data));
  vfs.install_file("db-wal", shared(seed.files.wal));
  std::unique_ptr<engine::Db> db;
  const fuzz::Observation o = fuzz::observe(vfs, history.keys(), &db);
  const std::map<std::string, std::string> last = history.state(history.batches());
  const std::map<std::string, std::string> scanned(o.scanned.begin(), o.scanned.end());
  if (o.sound() && scanned == last) return;
  std::fprintf(stderr,
               "open_db: seed %s does not open to the last state of its history (%s); remake the corpus with "
               "fuzz/make_corpus.sh\n",
               history.name().c_str(), o.open.ok() ? "its contents differ" : o.open.to_string().c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  auto table = fuzz::SeedTable::load(fuzz::fuzz_dir());
  if (!table.ok()) {
    std::fprintf(stderr, "open_db: cannot load the seeds: %s\n", table.status().to_string().c_str());
    std::abort();
  }
  seeds = new fuzz::SeedTable(std::move(table).value());
  for (const auto& [db_id, seed] : seeds->seeds()) check_seed(seed);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::DbFiles files = fuzz::decode_db_files(std::span(data, size));
  if (files.reseal) fuzz::reseal_db_files(files);
  fuzz::Oracle oracle(seed_of(files), files.reseal);

  vfs::MemVfs vfs;
  vfs.install_file("db", shared(files.data));
  vfs.install_file("db-wal", shared(files.wal));
  std::unique_ptr<engine::Db> db;
  const fuzz::Observation first = fuzz::observe(vfs, oracle.keys(), &db);
  if (std::string problem = oracle.judge_first(first, files); !problem.empty()) fuzz::finding(problem);
  if (!db || !first.stats) return 0;

  const fuzz::ProbeWrite write = fuzz::probe_write(*first.stats);
  const vfs::Status written = db->put(write.key, write.value);
  static_cast<void>(db->close());
  db.reset();
  std::vector<std::string> keys = oracle.keys();
  keys.push_back(write.key);
  const fuzz::Observation after = fuzz::observe(vfs, keys, &db);
  if (std::string problem = oracle.judge_after_write(first, written, write, after); !problem.empty())
    fuzz::finding(problem);
  return 0;
}
