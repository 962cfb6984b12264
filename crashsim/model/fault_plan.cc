#include "crashsim/model/fault_plan.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>

#include "crashsim/model/write_faults.h"
#include "crashsim/rng.h"

namespace crashsim {

namespace {

// Regions drawn for one (region kind, fault kind) before giving up on it:
// a write fault needs a region some durable write touched.
constexpr int kRegionAttempts = 8;
// Offsets drawn for a misdirected write without a region to land on.
constexpr int kTargetAttempts = 8;

struct Planner {
  const ModelConfig& config;
  const Trace& trace;
  const std::vector<uint64_t>& durable;
  const Frontier& frontier;
  const DiskImage& base;
  Rng rng;

  // A misdirected part of `length` bytes from `from`: the same place of
  // another region of `peers`, else a sector-aligned offset of the file.
  std::optional<uint64_t> target(uint64_t from, uint64_t length, uint64_t file_size, const FileRegion* region,
                                 const std::vector<const FileRegion*>& peers) {
    if (region != nullptr && !peers.empty()) {
      const FileRegion& peer = *peers[rng.below(peers.size())];
      return peer.offset + (from - region->offset);
    }
    const uint32_t sector = config.sector_size;
    if (file_size < length) return std::nullopt;
    for (int attempt = 0; attempt < kTargetAttempts; ++attempt) {
      const uint64_t to = rng.below((file_size - length) / sector + 1) * sector;
      if (to != from) return to;
    }
    return std::nullopt;
  }

  // A lost or misdirected write: the part inside [begin, end) of `write`.
  std::optional<MediaFault> write_fault(FaultKind kind, const std::string& path, uint64_t write, uint64_t begin,
                                        uint64_t end, const FileRegion* region,
                                        const std::vector<const FileRegion*>& peers) {
    const Op& op = trace.ops[write];
    const uint64_t size = base.files.at(path).size();
    const uint64_t from = std::max(begin, op.offset);
    const uint64_t to = std::min({end, op.offset + op.length(), size});
    if (from >= to) return std::nullopt;
    MediaFault fault;
    fault.kind = kind;
    fault.path = path;
    fault.offset = from;
    fault.op = write;
    fault.length = to - from;
    if (kind == FaultKind::kMisdirectedWrite) {
      const std::optional<uint64_t> at = target(from, to - from, size, region, peers);
      if (!at) return std::nullopt;
      fault.target = *at;
    }
    return fault;
  }

  std::optional<MediaFault> in_region(FaultKind kind, const FileRegion& region,
                                      const std::vector<const FileRegion*>& peers) {
    const auto file = base.files.find(region.path);
    if (file == base.files.end()) return std::nullopt;
    const uint64_t end = std::min(region.offset + region.length, file->second.size());
    if (region.offset >= end) return std::nullopt;
    std::optional<MediaFault> fault;
    if (!is_write_fault(kind)) {
      fault = sample_fault_in(kind, region.path, file->second, region.offset, end, rng);
    } else if (const std::optional<InodeId> inode = durable_inode(frontier, region.path)) {
      const std::vector<uint64_t> writes = durable_writes(trace, durable, frontier, *inode, region.offset, end);
      if (writes.empty()) return std::nullopt;
      if (region.length >= config.sector_size) {
        fault = write_fault(kind, region.path, writes.back(), region.offset, end, &region, peers);
      } else {
        // A device loses or misplaces whole sectors: those holding a small region.
        const uint64_t sector = config.sector_size;
        const uint64_t stop = std::min((end + sector - 1) / sector * sector, file->second.size());
        fault = write_fault(kind, region.path, writes.back(), region.offset / sector * sector, stop, nullptr, {});
      }
    }
    if (fault) fault->region = region.kind;
    return fault;
  }

  std::optional<MediaFault> uniform(FaultKind kind) {
    if (!is_write_fault(kind)) return sample_fault(kind, base, rng);
    std::vector<std::pair<std::string, uint64_t>> writes;  // path, trace index
    for (const auto& [path, inode] : frontier.reachable_durable_names()) {
      for (uint64_t w : durable_writes(trace, durable, frontier, inode, 0, UINT64_MAX)) writes.emplace_back(path, w);
    }
    if (writes.empty()) return std::nullopt;
    const auto& [path, w] = writes[rng.below(writes.size())];
    return write_fault(kind, path, w, 0, UINT64_MAX, nullptr, {});
  }
};

void add_distinct(std::optional<MediaFault> fault, std::vector<MediaFault>& out) {
  if (fault && std::find(out.begin(), out.end(), *fault) == out.end()) out.push_back(std::move(*fault));
}

}  // namespace

std::vector<MediaFault> plan_faults(const ModelConfig& config, const Trace& trace, const std::vector<uint64_t>& durable,
                                    const Frontier& frontier, const DiskImage& base,
                                    const std::vector<FileRegion>& regions) {
  Planner planner{config, trace, durable, frontier, base,
                  Rng::derive({config.seed, frontier.point, static_cast<uint64_t>(config.kind)})};
  std::vector<MediaFault> out;
  std::map<std::string, std::vector<const FileRegion*>> by_kind;
  for (const FileRegion& r : regions) {
    if (r.length > 0 && base.files.contains(r.path)) by_kind[r.kind].push_back(&r);
  }
  if (by_kind.empty()) {
    for (uint32_t i = 0; i < config.faults_per_point; ++i) {
      add_distinct(planner.uniform(static_cast<FaultKind>(i % kFaultKinds)), out);
    }
    return out;
  }
  std::vector<const std::vector<const FileRegion*>*> kinds;
  for (const auto& entry : by_kind) kinds.push_back(&entry.second);
  const uint64_t cells = kinds.size() * kFaultKinds;
  const uint64_t count = std::max<uint64_t>(config.faults_per_point, cells);
  for (uint64_t i = 0; i < count; ++i) {
    const std::vector<const FileRegion*>& of_kind = *kinds[(i / kFaultKinds) % kinds.size()];
    const auto fault_kind = static_cast<FaultKind>(i % kFaultKinds);
    for (int attempt = 0; attempt < kRegionAttempts; ++attempt) {
      const FileRegion& region = *of_kind[planner.rng.below(of_kind.size())];
      std::vector<const FileRegion*> peers;
      if (fault_kind == FaultKind::kMisdirectedWrite) {
        for (const FileRegion& r : regions) {
          if (r.path == region.path && r.length == region.length && r.offset != region.offset) peers.push_back(&r);
        }
      }
      std::optional<MediaFault> fault = planner.in_region(fault_kind, region, peers);
      if (!fault) continue;
      add_distinct(std::move(fault), out);
      break;
    }
  }
  return out;
}

}  // namespace crashsim
