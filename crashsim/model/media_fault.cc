#include "crashsim/model/media_fault.h"

#include <array>
#include <utility>
#include <vector>

#include "crashsim/name_table.h"

namespace crashsim {

namespace {

constexpr NameTable<FaultKind, kFaultKinds> kFaultNames = {{
    {FaultKind::kBitFlip, "bit-flip"},
    {FaultKind::kSwapBytes, "swap-bytes"},
    {FaultKind::kCompensate, "compensate"},
    {FaultKind::kZeroSector, "zero-sector"},
    {FaultKind::kGarbageSector, "garbage-sector"},
    {FaultKind::kLostWrite, "lost-write"},
    {FaultKind::kMisdirectedWrite, "misdirected-write"},
}};

// How far apart the two bytes of a swap or a compensating change may be: close
// enough to land in the same page or frame, where a checksum must catch them.
constexpr uint64_t kMaxPairDistance = 64;
// Attempts at finding a pair of bytes for which the fault changes something.
constexpr int kPairAttempts = 16;

}  // namespace

std::string_view fault_kind_name(FaultKind kind) {
  return name_in(kFaultNames, kind).value_or("unknown");
}

std::optional<FaultKind> fault_kind_from_name(std::string_view name) {
  return value_in(kFaultNames, name);
}

bool is_write_fault(FaultKind kind) { return kind == FaultKind::kLostWrite || kind == FaultKind::kMisdirectedWrite; }

std::string describe_fault(const MediaFault& fault) {
  std::string s(fault_kind_name(fault.kind));
  if (is_write_fault(fault.kind)) s += " of op " + std::to_string(fault.op);
  s += " at " + fault.path + " offset " + std::to_string(fault.offset);
  switch (fault.kind) {
    case FaultKind::kBitFlip:
      s += " (bit " + std::to_string(fault.param) + ")";
      break;
    case FaultKind::kSwapBytes:
    case FaultKind::kCompensate:
      s += " and " + std::to_string(fault.offset + fault.param);
      break;
    case FaultKind::kZeroSector:
      break;
    case FaultKind::kGarbageSector:
      s += " (noise seed " + std::to_string(fault.param) + ")";
      break;
    case FaultKind::kLostWrite:
      s += " +" + std::to_string(fault.length);
      break;
    case FaultKind::kMisdirectedWrite:
      s += " +" + std::to_string(fault.length) + " landed at offset " + std::to_string(fault.target);
      break;
  }
  if (!fault.region.empty()) s += " in " + fault.region;
  return s;
}

vfs::Status apply_fault(const MediaFault& fault, uint32_t sector_size, DiskImage& image) {
  if (is_write_fault(fault.kind)) {
    return vfs::Status::invalid_argument("media fault " + describe_fault(fault) + ": a write fault needs the trace");
  }
  const auto it = image.files.find(fault.path);
  if (it == image.files.end()) {
    return vfs::Status::invalid_argument("media fault on " + fault.path + ": no such file in the crash state");
  }
  FileContents& file = it->second;
  const uint64_t size = file.size();
  const bool pair = fault.kind == FaultKind::kSwapBytes || fault.kind == FaultKind::kCompensate;
  const uint64_t last = pair ? fault.offset + fault.param : fault.offset;
  if (fault.offset >= size || last >= size || (pair && fault.param == 0) ||
      (fault.kind == FaultKind::kBitFlip && fault.param > 7)) {
    return vfs::Status::invalid_argument("media fault " + describe_fault(fault) + ": outside the file's " +
                                         std::to_string(size) + " bytes");
  }
  auto set = [&file](uint64_t offset, uint8_t value) { file.write(offset, std::span<const uint8_t>(&value, 1)); };
  const uint8_t first = file.at(fault.offset);
  const uint8_t second = file.at(last);
  switch (fault.kind) {
    case FaultKind::kBitFlip:
      set(fault.offset, first ^ static_cast<uint8_t>(1u << fault.param));
      break;
    case FaultKind::kSwapBytes:
      set(fault.offset, second);
      set(last, first);
      break;
    case FaultKind::kCompensate:
      set(fault.offset, static_cast<uint8_t>(first + 1));
      set(last, static_cast<uint8_t>(second - 1));
      break;
    case FaultKind::kLostWrite:
    case FaultKind::kMisdirectedWrite:
      break;
    case FaultKind::kZeroSector:
    case FaultKind::kGarbageSector: {
      const uint64_t start = fault.offset / sector_size * sector_size;
      const uint64_t end = std::min<uint64_t>(start + sector_size, size);
      Rng noise(fault.param);
      Bytes sector(end - start);
      for (uint8_t& b : sector) b = fault.kind == FaultKind::kZeroSector ? 0 : static_cast<uint8_t>(noise.next());
      file.write(start, sector);
      break;
    }
  }
  return vfs::Status();
}

std::optional<MediaFault> sample_fault_in(FaultKind kind, const std::string& path, const FileContents& bytes,
                                          uint64_t begin, uint64_t end, Rng& rng) {
  if (is_write_fault(kind) || begin >= end || end > bytes.size()) return std::nullopt;
  MediaFault fault;
  fault.kind = kind;
  fault.path = path;
  fault.offset = begin + rng.below(end - begin);
  switch (kind) {
    case FaultKind::kBitFlip:
      fault.param = rng.below(8);
      break;
    case FaultKind::kSwapBytes:
    case FaultKind::kCompensate: {
      // Both bytes inside the range when it holds two, else the second one after it.
      const uint64_t last = end - begin >= 2 ? end : bytes.size();
      if (last - begin < 2) return std::nullopt;
      // Prefer a pair the fault really changes: two different bytes for a
      // swap; for a compensating change, a first byte that can go up and a
      // second that can go down without wrapping (a wrap would change the sum).
      for (int attempt = 0; attempt < kPairAttempts; ++attempt) {
        fault.offset = begin + rng.below(std::min(end, last - 1) - begin);
        fault.param = rng.between(1, std::min<uint64_t>(kMaxPairDistance, last - 1 - fault.offset));
        const uint8_t x = bytes.at(fault.offset);
        const uint8_t y = bytes.at(fault.offset + fault.param);
        const bool changes = kind == FaultKind::kSwapBytes ? x != y : (x < 0xff && y > 0);
        if (changes) break;
      }
      break;
    }
    case FaultKind::kZeroSector:
    case FaultKind::kLostWrite:
    case FaultKind::kMisdirectedWrite:
      break;
    case FaultKind::kGarbageSector:
      fault.param = rng.next();
      break;
  }
  return fault;
}

std::optional<MediaFault> sample_fault(FaultKind kind, const DiskImage& image, Rng& rng) {
  std::vector<const std::pair<const std::string, FileContents>*> files;
  for (const auto& entry : image.files) {
    if (!entry.second.empty()) files.push_back(&entry);
  }
  if (files.empty()) return std::nullopt;
  const auto& [path, contents] = *files[rng.below(files.size())];
  return sample_fault_in(kind, path, contents, 0, contents.size(), rng);
}

}  // namespace crashsim
