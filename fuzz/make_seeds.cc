// make_seeds: writes the database seeds of the fuzz corpora.
//   make_seeds FUZZ_DIR
// For each recipe below it builds a database in memory with the engine,
// batch by batch, checkpointing where the recipe says, and writes, while the
// database is still open (a close would checkpoint):
//   FUZZ_DIR/corpus/open_db/NAME           the data file and WAL (fuzz/db_files.h)
//   FUZZ_DIR/corpus/open_db/NAME+reseal    the same with the resealing flag set
//   FUZZ_DIR/corpus/load_script/NAME.load  the batches it committed (its history)
//   FUZZ_DIR/corpus/wal_reader/NAME[+reseal]  the WAL alone, behind a flags byte
// Trailing slots of zeros (the WAL grows ahead of its frames) are cut off:
// a shorter file reads the same and fuzzes faster.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "engine/db.h"
#include "engine/wal_format.h"
#include "fuzz/db_files.h"
#include "reports/text_file.h"
#include "vfs/mem_vfs.h"
#include "vfs/posix_vfs.h"

namespace {

using engine::WriteBatch;

// Batches of puts of keys [first, first + count), `per` keys to a batch,
// with values of `size` bytes; or (size 0) one batch deleting every `per`-th
// key of that range.
struct Steps {
  int first;
  int count;
  int per;
  size_t size;
};

struct Recipe {
  const char* name;
  const char* what;  // for the log line
  uint32_t page_size;
  std::vector<size_t> checkpoint_after;  // checkpoint after these batches (from 1)
  std::vector<Steps> steps;
};

const Recipe kRecipes[] = {
    {"p512-wal-only", "never checkpointed: every commit in the WAL", 512, {}, {{0, 36, 4, 12}, {3, 12, 3, 0}, {0, 6, 3, 30}}},
    {"p4096-partly-checkpointed", "the data file at batch 4, the WAL holding batches 5 and 6", 4096, {4},
     {{0, 160, 40, 20}, {20, 30, 30, 45}, {100, 40, 2, 0}}},
    {"p1024-overflow", "values in overflow chains, one rewritten and one deleted", 1024, {2},
     {{0, 4, 2, 2500}, {4, 4, 4, 40}, {1, 1, 1, 3900}, {2, 1, 1, 0}}},
    {"p512-after-deletes", "a deep tree thinned by deletes: merges and a free list", 512, {3, 5},
     {{0, 120, 40, 16}, {0, 90, 1, 0}, {95, 10, 2, 0}, {200, 6, 6, 16}}},
    {"p2048-checkpointed", "fully checkpointed: old frames left in the reused WAL", 2048, {3}, {{0, 60, 20, 24}}},
    // Two small databases, so that the fuzzer's mutations often land on the
    // fields of one free list and of one overflow cell.
    {"p512-free-list", "a few pages: a free list left by deletes", 512, {2}, {{0, 48, 48, 16}, {4, 40, 1, 0}}},
    {"p512-one-overflow", "a few pages: one value of 256 bytes in a chain", 512, {1},
     {{0, 3, 3, 10}, {3, 1, 1, 256}, {4, 1, 1, 10}}},
    {"p8192-mixed", "large pages, one overflow value among small ones", 8192, {2}, {{0, 12, 6, 60}, {3, 1, 1, 9000}}},
};

std::string key(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "k%04d", i);
  return buf;
}

// A printable value of `size` bytes that says which key and batch wrote it.
std::string value(int key_index, size_t batch, size_t size) {
  std::string v = "v" + std::to_string(key_index) + "-b" + std::to_string(batch) + "-";
  while (v.size() < size) v += char('a' + (v.size() * 7 + key_index) % 26);
  v.resize(size);
  return v;
}

std::vector<WriteBatch> batches_of(const Recipe& r) {
  std::vector<WriteBatch> batches;
  for (const Steps& s : r.steps) {
    if (s.size == 0) {
      WriteBatch b;
      for (int k = s.first; k < s.first + s.count; k += s.per) b.del(key(k));
      batches.push_back(std::move(b));
      continue;
    }
    for (int i = s.first; i < s.first + s.count; i += s.per) {
      WriteBatch b;
      for (int k = i; k < std::min(s.first + s.count, i + s.per); ++k) b.put(key(k), value(k, batches.size() + 1, s.size));
      batches.push_back(std::move(b));
    }
  }
  return batches;
}

std::string load_script(const std::vector<WriteBatch>& batches) {
  std::string out;
  for (const WriteBatch& b : batches) {
    for (const WriteBatch::Op& op : b.ops())
      out += op.kind == WriteBatch::OpKind::kPut ? "put\t" + op.key + "\t" + op.value + "\n" : "del\t" + op.key + "\n";
    out += "commit\n";
  }
  return out;
}

// The WAL without its trailing slots of zeros.
fuzz::Bytes trimmed_wal(fuzz::Bytes wal, uint32_t page_size) {
  const uint64_t slot = engine::wal_slot_size(page_size);
  while (wal.size() >= engine::kWalHeaderSize + slot &&
         std::all_of(wal.end() - static_cast<std::ptrdiff_t>(slot), wal.end(), [](uint8_t b) { return b == 0; }))
    wal.resize(wal.size() - slot);
  return wal;
}

vfs::Status write_file(const std::string& path, const fuzz::Bytes& bytes) {
  return reports::write_text_file(vfs::default_vfs(), path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

vfs::Status make(const Recipe& r, const std::string& dir) {
  const std::vector<WriteBatch> batches = batches_of(r);
  vfs::MemVfs mem;
  engine::Options options;
  options.page_size = r.page_size;
  options.checkpoint_every_commits = 0;
  options.checkpoint_wal_bytes = 0;
  ASSIGN_OR_RETURN(auto db, engine::Db::open(mem, "db", options));
  for (size_t i = 0; i < batches.size(); ++i) {
    ASSIGN_OR_RETURN(const engine::Stats before, db->stats());
    RETURN_IF_ERROR(db->write(batches[i]));
    ASSIGN_OR_RETURN(const engine::Stats after, db->stats());
    // The history counts one transaction per batch.
    if (after.commits != before.commits + 1)
      return vfs::Status::invalid_argument(std::string(r.name) + ": batch " + std::to_string(i + 1) + " committed nothing");
    if (std::find(r.checkpoint_after.begin(), r.checkpoint_after.end(), i + 1) != r.checkpoint_after.end())
      RETURN_IF_ERROR(db->checkpoint());
  }
  const auto files = mem.snapshot();
  fuzz::DbFiles out;
  out.data.assign(files.at("db")->begin(), files.at("db")->end());
  out.wal = trimmed_wal(fuzz::Bytes(files.at("db-wal")->begin(), files.at("db-wal")->end()), r.page_size);
  const std::string script = load_script(batches);
  RETURN_IF_ERROR(
      reports::write_text_file(vfs::default_vfs(), dir + "/corpus/load_script/" + r.name + ".load", script));
  // Each database twice: plain, and with the resealing flag set, so that
  // both modes start from every seed.
  for (const bool reseal : {false, true}) {
    out.reseal = reseal;
    const std::string file = std::string(r.name) + (reseal ? "+reseal" : "");
    RETURN_IF_ERROR(write_file(dir + "/corpus/open_db/" + file, fuzz::encode_db_files(out)));
    fuzz::Bytes wal_input{reseal ? fuzz::kResealFlag : uint8_t{0}};
    wal_input.insert(wal_input.end(), out.wal.begin(), out.wal.end());
    RETURN_IF_ERROR(write_file(dir + "/corpus/wal_reader/" + file, wal_input));
  }
  ASSIGN_OR_RETURN(const engine::Stats stats, db->stats());
  std::printf("%-28s %6zu + %6zu bytes, %2llu free pages: %s\n", r.name, out.data.size(), out.wal.size(),
              static_cast<unsigned long long>(stats.free_pages), r.what);
  return vfs::Status();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seeds FUZZ_DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  try {
    for (const char* sub : {"/corpus", "/corpus/open_db", "/corpus/load_script", "/corpus/wal_reader"}) {
      const vfs::Status made = vfs::default_vfs().create_dir(dir + sub);
      if (!made.ok()) {
        std::fprintf(stderr, "make_seeds: %s\n", made.to_string().c_str());
        return 1;
      }
    }
    for (const Recipe& r : kRecipes) {
      const vfs::Status made = make(r, dir);
      if (!made.ok()) {
        std::fprintf(stderr, "make_seeds: %s: %s\n", r.name, made.to_string().c_str());
        return 1;
      }
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_seeds: %s\n", e.what());
    return 1;
  }
}
