#include "crashsim/peers/leveldb_regions.h"

#include <leveldb/comparator.h>
#include <leveldb/env.h>
#include <leveldb/iterator.h>
#include <leveldb/options.h>
#include <leveldb/table.h>

#include <memory>
#include <set>

#include "crashsim/peers/region_tiler.h"

namespace crashsim::peers {

namespace {

constexpr uint64_t kLogBlock = 32768;   // log_format.h kBlockSize
constexpr uint64_t kLogHeader = 7;      // checksum (4), length (2), type (1)
constexpr uint64_t kBlockTrailer = 5;   // compression type (1), checksum (4)
constexpr uint64_t kTableFooter = 48;   // two padded block handles and the magic


void describe_log(const std::string& path, const Bytes& b, const std::string& prefix, std::vector<FileRegion>& out) {
  RegionTiler t(path, out);
  while (t.at() < b.size()) {
    const uint64_t left = b.size() - t.at();
    const uint64_t block_left = kLogBlock - t.at() % kLogBlock;
    if (block_left < kLogHeader) {
      t.add(std::min(block_left, left), prefix + "-block-padding");
      continue;
    }
    if (left < kLogHeader) {
      t.add(left, prefix + "-partial");
      continue;
    }
    const uint64_t length = b[t.at() + 4] | (uint64_t{b[t.at() + 5]} << 8);
    const uint8_t type = b[t.at() + 6];
    if (type == 0 && length == 0) {
      t.add(std::min(block_left, left), prefix + "-zeroed");
    } else if (kLogHeader + length > std::min(block_left, left)) {
      t.add(std::min(block_left, left), prefix + "-partial");
    } else {
      t.add(kLogHeader, prefix + "-record-header");
      t.add(length, prefix + "-record");
    }
  }
}

// LevelDB's order of internal keys (user key ascending, then sequence number
// and type descending) over the bytewise user comparator, which the tables
// of a database opened with default options are sorted by.
class InternalKeyOrder final : public leveldb::Comparator {
 public:
  int Compare(const leveldb::Slice& a, const leveldb::Slice& b) const override {
    if (a.size() < 8 || b.size() < 8) return a.compare(b);
    const int user = leveldb::Slice(a.data(), a.size() - 8).compare(leveldb::Slice(b.data(), b.size() - 8));
    if (user != 0) return user;
    const uint64_t ta = trailer(a), tb = trailer(b);
    return ta > tb ? -1 : ta < tb ? 1 : 0;
  }
  const char* Name() const override { return "leveldb.InternalKeyComparator"; }
  void FindShortestSeparator(std::string*, const leveldb::Slice&) const override {}
  void FindShortSuccessor(std::string*) const override {}

 private:
  static uint64_t trailer(const leveldb::Slice& k) {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= uint64_t{static_cast<uint8_t>(k[k.size() - 8 + i])} << (8 * i);
    return v;
  }
};

class MemoryFile final : public leveldb::RandomAccessFile {
 public:
  explicit MemoryFile(const Bytes& bytes) : bytes_(bytes) {}
  leveldb::Status Read(uint64_t offset, size_t n, leveldb::Slice* result, char*) const override {
    if (offset > bytes_.size()) return leveldb::Status::IOError("read past the end of the table");
    *result = leveldb::Slice(reinterpret_cast<const char*>(bytes_.data()) + offset,
                             std::min<uint64_t>(n, bytes_.size() - offset));
    return leveldb::Status::OK();
  }

 private:
  const Bytes& bytes_;
};

struct Handle {
  uint64_t offset = 0, size = 0;
};

bool get_varint(const Bytes& b, size_t& at, size_t end, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift <= 63 && at < end; shift += 7) {
    const uint8_t byte = b[at++];
    v |= uint64_t{byte & 0x7fu} << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

// The start of every data block, found by asking the table which block each
// of its keys lies in; empty when the table does not open or read whole.
std::set<uint64_t> data_block_starts(const Bytes& b) {
  static const InternalKeyOrder order;
  leveldb::Options options;
  options.comparator = &order;
  MemoryFile file(b);
  leveldb::Table* opened = nullptr;
  if (!leveldb::Table::Open(options, &file, b.size(), &opened).ok()) return {};
  const std::unique_ptr<leveldb::Table> table(opened);
  std::set<uint64_t> starts;
  const std::unique_ptr<leveldb::Iterator> it(table->NewIterator(leveldb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) starts.insert(table->ApproximateOffsetOf(it->key()));
  if (!it->status().ok()) return {};
  return starts;
}

// Tiles a table, or returns false (having added nothing) when it does not parse.
bool describe_table(const std::string& path, const Bytes& b, std::vector<FileRegion>& out) {
  if (b.size() < kTableFooter) return false;
  size_t at = b.size() - kTableFooter;
  Handle meta, index;
  if (!get_varint(b, at, b.size(), meta.offset) || !get_varint(b, at, b.size(), meta.size) ||
      !get_varint(b, at, b.size(), index.offset) || !get_varint(b, at, b.size(), index.size))
    return false;
  const std::set<uint64_t> starts = data_block_starts(b);
  const bool laid_out = !starts.empty() && *starts.begin() == 0 && *starts.rbegin() + kBlockTrailer <= meta.offset &&
                        index.offset == meta.offset + meta.size + kBlockTrailer &&
                        index.offset + index.size + kBlockTrailer + kTableFooter == b.size();
  if (!laid_out) return false;
  std::vector<FileRegion> regions;
  RegionTiler t(path, regions);
  for (auto it = starts.begin(); it != starts.end(); ++it) {
    const uint64_t next = std::next(it) == starts.end() ? meta.offset : *std::next(it);
    if (next < *it + kBlockTrailer) return false;
    t.add(next - kBlockTrailer - *it, "table-data-block");
    t.add(kBlockTrailer, "table-block-trailer");
  }
  t.add(meta.size, "table-metaindex-block");
  t.add(kBlockTrailer, "table-block-trailer");
  t.add(index.size, "table-index-block");
  t.add(kBlockTrailer, "table-block-trailer");
  t.add(kTableFooter, "table-footer");
  out.insert(out.end(), regions.begin(), regions.end());
  return true;
}

}  // namespace

std::vector<FileRegion> leveldb_regions(const DiskImage& image) {
  std::vector<FileRegion> out;
  for (const auto& [path, contents] : image.files) {
    if (contents.empty()) continue;
    const Bytes bytes = contents.to_bytes();
    if (path == "CURRENT") {
      RegionTiler(path, out).add(bytes.size(), "current");
    } else if (path.starts_with("MANIFEST-")) {
      describe_log(path, bytes, "manifest", out);
    } else if (path.ends_with(".log")) {
      describe_log(path, bytes, "log", out);
    } else if (path.ends_with(".ldb") || path.ends_with(".sst")) {
      if (!describe_table(path, bytes, out)) RegionTiler(path, out).add(bytes.size(), "table-unreadable");
    } else {
      RegionTiler(path, out).add(bytes.size(), "other-file");
    }
  }
  return out;
}

}  // namespace crashsim::peers
