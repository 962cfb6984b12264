#include "crashsim/model/persistence_model.h"

#include <array>
#include <cmath>
#include <set>
#include <utility>

#include "crashsim/model/fault_plan.h"
#include "crashsim/model/write_faults.h"
#include "crashsim/name_table.h"
#include "crashsim/rng.h"

namespace crashsim {

using vfs::Result;
using vfs::Status;

namespace {

constexpr NameTable<ModelKind, 5> kModelNames = {{
    {ModelKind::kProcessCrash, "process-crash"},
    {ModelKind::kLoseUnsynced, "lose-unsynced"},
    {ModelKind::kReorder, "reorder"},
    {ModelKind::kTorn, "torn"},
    {ModelKind::kCorrupt, "corrupt"},
}};

// Enumerating 2^bound states per crash point must stay affordable.
constexpr uint32_t kMaxEnumerateBound = 24;
// Salt of the noise a garbage sector holds.
constexpr uint64_t kGarbageStream = 0x67617262;

bool is_namespace_op(OpKind kind) {
  return kind == OpKind::kCreate || kind == OpKind::kMkdir || kind == OpKind::kRename || kind == OpKind::kRemove;
}

// How many units each pending op splits into: 1 under reorder (all or
// nothing), its sectors under torn.
std::vector<uint64_t> units_of(ModelKind kind, const Trace& trace, const std::vector<uint64_t>& pending,
                               uint32_t sector_size) {
  std::vector<uint64_t> units;
  units.reserve(pending.size());
  for (uint64_t index : pending) {
    units.push_back(kind == ModelKind::kTorn ? torn_units(trace.ops[index], sector_size) : 1);
  }
  return units;
}

uint64_t total(const std::vector<uint64_t>& units) {
  uint64_t n = 0;
  for (uint64_t u : units) n += u;
  return n;
}

// Noise over the bytes `op` (trace entry `index`) writes in its sector
// `sector`: the device was writing that sector. The bytes of the sector the
// op does not write keep their contents (powersafe overwrite: a write changes
// nothing outside its range, even when the power fails). A write that puts
// back the bytes the sector already holds leaves it as it was: noise models
// a sector whose contents were changing (an interrupted program of new data;
// an SSD keeps the old mapping of a page it was rewriting), and an engine
// that rewrites its log in place to make it durable again after a failed
// sync (engine/pager.cc, make_log_durable) would otherwise be charged with
// damage no flash device does (docs/crash-models.md, "torn").
void apply_garbage(const Op& op, uint64_t index, uint64_t sector, uint32_t sector_size, FileContents& file) {
  const uint64_t sector_start = (op.offset / sector_size + sector) * sector_size;
  const uint64_t start = std::max(sector_start, op.offset);
  const uint64_t end = std::min<uint64_t>(sector_start + sector_size, op.offset + op.length());
  if (start >= end) return;
  const auto written = op.data->begin() + static_cast<std::ptrdiff_t>(start - op.offset);
  if (end <= file.size()) {
    Bytes held(end - start);
    file.read(start, held);
    if (std::equal(held.begin(), held.end(), written)) return;
  }
  Rng rng = Rng::derive({kGarbageStream, index, sector});
  Bytes noise(end - start);
  for (uint8_t& b : noise) b = static_cast<uint8_t>(rng.next());
  file.write(start, noise);
}

// Writes the parts of `op` that `mask` says reached the disk onto `file`.
void apply_partial(const Op& op, const Mask& mask, uint32_t sector_size, FileContents& file) {
  if (op.kind == OpKind::kTruncate) {
    file.truncate(op.offset);
    return;
  }
  const Bytes& data = *op.data;
  if (mask.all()) {
    file.write(op.offset, data);
    return;
  }
  const uint64_t first_sector = op.offset / sector_size;
  const uint64_t end = op.offset + data.size();
  for (size_t j = 0; j < mask.size(); ++j) {
    if (!mask.test(j)) continue;
    const uint64_t start = (first_sector + j) * sector_size;
    const uint64_t lo = std::max(op.offset, start);
    const uint64_t hi = std::min(end, start + sector_size);
    if (lo >= hi) continue;
    file.write(lo, std::span<const uint8_t>(data).subspan(lo - op.offset, hi - lo));
  }
}

// Splits the low `total(units)` bits of `value` into one mask per op.
std::vector<Mask> split(uint64_t value, const std::vector<uint64_t>& units) {
  std::vector<Mask> masks;
  masks.reserve(units.size());
  for (uint64_t u : units) {
    masks.push_back(Mask::from_word(value, u));
    value >>= u;
  }
  return masks;
}

// One sampled sector pattern for an op of `units` sectors: torn writes are
// most often a prefix (the device wrote in order and stopped), so prefixes
// and suffixes are drawn as often as arbitrary patterns.
Mask sample_units(uint64_t units, Rng& rng) {
  Mask m(units);
  const uint64_t cut = units > 1 ? rng.between(1, units - 1) : 1;
  switch (rng.below(5)) {
    case 0:  // nothing
      break;
    case 1:  // everything
      m = Mask(units, true);
      break;
    case 2:  // a prefix
      for (uint64_t j = 0; j < cut; ++j) m.set(j);
      break;
    case 3:  // a suffix
      for (uint64_t j = units - cut; j < units; ++j) m.set(j);
      break;
    default:  // any pattern
      for (uint64_t j = 0; j < units; ++j) m.set(j, rng.chance(1, 2));
      break;
  }
  return m;
}

// The (op, sector) units of the pending writes that can hold garbage, in order.
std::vector<GarbageSector> garbage_units(const Trace& trace, const std::vector<uint64_t>& pending,
                                         const std::vector<uint64_t>& units) {
  std::vector<GarbageSector> out;
  for (size_t i = 0; i < pending.size(); ++i) {
    if (trace.ops[pending[i]].kind != OpKind::kWrite || trace.ops[pending[i]].length() == 0) continue;
    for (uint64_t j = 0; j < units[i]; ++j) out.push_back({static_cast<uint32_t>(i), j});
  }
  return out;
}

// The two garbage states of one unit: the device wrote in issue order and
// died inside it (every op before whole, its sectors before it, nothing
// after), and everything else reached the disk but that one sector.
std::vector<std::vector<Mask>> garbage_bases(const std::vector<uint64_t>& units, GarbageSector g) {
  std::vector<Mask> in_order, all_else;
  for (size_t i = 0; i < units.size(); ++i) {
    Mask m(units[i], i < g.op);
    if (i == g.op) {
      for (uint64_t j = 0; j < g.sector; ++j) m.set(j);
    }
    in_order.push_back(std::move(m));
    Mask rest(units[i], true);
    if (i == g.op) rest.set(g.sector, false);
    all_else.push_back(std::move(rest));
  }
  return {std::move(in_order), std::move(all_else)};
}

// Namespace changes reach the disk in issue order: a journaling file system
// (ext4, XFS) commits its metadata transactions in order, so a later create,
// rename or remove never persists without an earlier one. Data writes
// reorder freely around them (the model stays as loose as POSIX for data).
// Returns whether `masks` keeps that order (the persisted namespace ops are a
// prefix of the pending ones); with `fix`, clears the namespace ops after the
// first that did not persist so that it does.
bool namespace_in_order(const Trace& trace, const std::vector<uint64_t>& pending, std::vector<Mask>& masks,
                        bool fix) {
  bool gap = false;
  for (size_t i = 0; i < pending.size(); ++i) {
    if (!is_namespace_op(trace.ops[pending[i]].kind)) continue;
    if (masks[i].none()) {
      gap = true;
    } else if (gap) {
      if (!fix) return false;
      masks[i] = Mask(masks[i].size());
    }
  }
  return true;
}

// How many pending ops are namespace changes.
uint64_t namespace_ops(const Trace& trace, const std::vector<uint64_t>& pending) {
  return static_cast<uint64_t>(std::count_if(pending.begin(), pending.end(), [&trace](uint64_t index) {
    return is_namespace_op(trace.ops[index].kind);
  }));
}

std::vector<Choice> pending_choices(const ModelConfig& config, const Trace& trace, const Frontier& frontier) {
  const std::vector<uint64_t> pending = frontier.reorderable();
  const std::vector<uint64_t> units = units_of(config.kind, trace, pending, config.sector_size);
  const uint64_t n = total(units);
  const bool torn = config.kind == ModelKind::kTorn;
  const uint32_t sector = torn ? config.sector_size : 0;
  const std::vector<GarbageSector> garbage = torn ? garbage_units(trace, pending, units) : std::vector<GarbageSector>{};
  std::vector<Choice> out;
  std::set<std::string> seen;
  auto add = [&](std::vector<Mask> masks, std::optional<GarbageSector> g) {
    Choice c{std::move(masks), sector, g, std::nullopt};
    if (seen.insert(encode_choice(config.kind, c)).second) out.push_back(std::move(c));
  };
  if (n <= config.enumerate_bound) {
    for (uint64_t v = 0; v < (uint64_t{1} << n); ++v) {
      std::vector<Mask> masks = split(v, units);
      if (namespace_in_order(trace, pending, masks, false)) out.push_back(Choice{std::move(masks), sector, {}, {}});
    }
    for (const GarbageSector& g : garbage) {
      for (std::vector<Mask>& masks : garbage_bases(units, g)) add(std::move(masks), g);
    }
    return out;
  }
  std::vector<Mask> none, all;
  for (uint64_t u : units) {
    none.emplace_back(u);
    all.emplace_back(u, true);
  }
  add(std::move(none), std::nullopt);
  add(std::move(all), std::nullopt);
  Rng rng = Rng::derive({config.seed, frontier.point, static_cast<uint64_t>(config.kind)});
  // Duplicates are redrawn, within a budget, so a small space is not looped on forever.
  for (uint64_t attempt = 0; out.size() < config.samples_per_point && attempt < 4ull * config.samples_per_point;
       ++attempt) {
    std::vector<Mask> masks;
    masks.reserve(units.size());
    for (uint64_t u : units) masks.push_back(sample_units(u, rng));
    namespace_in_order(trace, pending, masks, true);
    // One draw in four puts noise in a sector that did not reach the disk.
    std::optional<GarbageSector> g;
    if (!garbage.empty() && rng.below(4) == 0) {
      g = garbage[rng.below(garbage.size())];
      masks[g->op].set(g->sector, false);
    }
    add(std::move(masks), g);
  }
  return out;
}

std::vector<Choice> fault_choices(const ModelConfig& config, const Trace& trace, const Frontier& frontier,
                                  const FaultTargets& targets) {
  std::vector<uint64_t> computed;
  if (targets.durable == nullptr) computed = durable_at(trace, frontier.rules);
  const std::vector<uint64_t>& durable = targets.durable != nullptr ? *targets.durable : computed;
  std::vector<Choice> out;
  for (MediaFault& fault : plan_faults(config, trace, durable, frontier, frontier.durable_image(), targets.regions)) {
    out.push_back(Choice{{}, config.sector_size, std::nullopt, std::move(fault)});
  }
  return out;
}

// "3" for a byte fault; "<op>.<length>" for a lost write, "<op>.<length>.<target>" misdirected.
std::string fault_params(const MediaFault& f) {
  switch (f.kind) {
    case FaultKind::kLostWrite:
      return std::to_string(f.op) + "." + std::to_string(f.length);
    case FaultKind::kMisdirectedWrite:
      return std::to_string(f.op) + "." + std::to_string(f.length) + "." + std::to_string(f.target);
    default:
      return std::to_string(f.param);
  }
}

bool parse_u64(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

// Splits off the text before the next ':' of `rest`.
std::string_view take_field(std::string_view& rest) {
  const size_t colon = rest.find(':');
  const std::string_view field = rest.substr(0, colon);
  rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
  return field;
}

Status bad_choice(ModelKind kind, std::string_view text, std::string_view why) {
  std::string msg = "state id choice \"";
  msg.append(text).append("\" for model ").append(model_name(kind)).append(": ").append(why);
  return Status::invalid_argument(std::move(msg));
}

Result<uint32_t> parse_sector_size(ModelKind kind, std::string_view text, std::string_view field) {
  uint64_t v = 0;
  if (!parse_u64(field, &v) || v == 0 || v > UINT32_MAX) return bad_choice(kind, text, "expected a sector size");
  return static_cast<uint32_t>(v);
}

// "<op>.<sector>" after ":g": a sector of a pending write.
Result<GarbageSector> decode_garbage(ModelKind kind, std::string_view text, std::string_view field, const Trace& trace,
                                     const std::vector<uint64_t>& pending, const std::vector<uint64_t>& units) {
  const size_t dot = field.find('.');
  uint64_t op = 0;
  uint64_t sector = 0;
  if (dot == std::string_view::npos || !parse_u64(field.substr(0, dot), &op) ||
      !parse_u64(field.substr(dot + 1), &sector)) {
    return bad_choice(kind, text, "expected a garbage sector as :g<op>.<sector>");
  }
  if (op >= pending.size() || trace.ops[pending[op]].kind != OpKind::kWrite || sector >= units[op]) {
    return bad_choice(kind, text, "the garbage sector is not a sector of a pending write");
  }
  return GarbageSector{static_cast<uint32_t>(op), sector};
}

}  // namespace

std::string_view model_name(ModelKind kind) {
  return name_in(kModelNames, kind).value_or("unknown");
}

std::optional<ModelKind> model_from_name(std::string_view name) {
  return value_in(kModelNames, name);
}

bool is_power_loss(ModelKind kind) {
  return kind == ModelKind::kLoseUnsynced || kind == ModelKind::kReorder || kind == ModelKind::kTorn;
}

Status validate(const ModelConfig& config) {
  const std::string where = "model " + std::string(model_name(config.kind)) + ": ";
  if (config.sector_size == 0) return Status::invalid_argument(where + "sector_size must be at least 1");
  if (config.enumerate_bound > kMaxEnumerateBound) {
    return Status::invalid_argument(where + "enumerate_bound " + std::to_string(config.enumerate_bound) +
                                    " is over the limit of " + std::to_string(kMaxEnumerateBound));
  }
  if ((config.kind == ModelKind::kReorder || config.kind == ModelKind::kTorn) && config.samples_per_point < 2) {
    return Status::invalid_argument(where + "samples_per_point must be at least 2 (nothing and everything persisted)");
  }
  return Status();
}

uint64_t torn_units(const Op& op, uint32_t sector_size) {
  if (op.kind != OpKind::kWrite || op.length() == 0) return 1;
  const uint64_t first = op.offset / sector_size;
  const uint64_t last = (op.offset + op.length() - 1) / sector_size;
  return last - first + 1;
}

std::string encode_choice(ModelKind kind, const Choice& choice) {
  switch (kind) {
    case ModelKind::kProcessCrash:
    case ModelKind::kLoseUnsynced:
      return {};
    case ModelKind::kReorder: {
      Mask m(choice.persisted.size());
      for (size_t i = 0; i < choice.persisted.size(); ++i) m.set(i, choice.persisted[i].all() && choice.persisted[i].size() > 0);
      return m.to_hex();
    }
    case ModelKind::kTorn: {
      std::string s = std::to_string(choice.sector_size) + ":";
      if (choice.persisted.empty()) return s + "-";
      for (size_t i = 0; i < choice.persisted.size(); ++i) {
        if (i > 0) s += '.';
        s += choice.persisted[i].to_hex();
      }
      if (choice.garbage) s += ":g" + std::to_string(choice.garbage->op) + "." + std::to_string(choice.garbage->sector);
      return s;
    }
    case ModelKind::kCorrupt: {
      if (!choice.fault) return {};
      const MediaFault& f = *choice.fault;
      return std::to_string(choice.sector_size) + ":" + std::string(fault_kind_name(f.kind)) + ":" +
             std::to_string(f.offset) + ":" + fault_params(f) + ":" + (f.region.empty() ? "-" : f.region) + ":" +
             f.path;
    }
  }
  return {};
}

Result<Choice> decode_choice(ModelKind kind, std::string_view text, const Trace& trace, const Frontier& frontier) {
  Choice choice;
  switch (kind) {
    case ModelKind::kProcessCrash:
    case ModelKind::kLoseUnsynced:
      if (!text.empty()) return bad_choice(kind, text, "this model takes no choice");
      return choice;
    case ModelKind::kReorder: {
      const std::vector<uint64_t> pending = frontier.reorderable();
      const std::optional<Mask> m = Mask::from_hex(text, pending.size());
      if (!m) {
        return bad_choice(kind, text, "expected a hex mask over the " + std::to_string(pending.size()) + " pending writes");
      }
      for (size_t i = 0; i < pending.size(); ++i) choice.persisted.emplace_back(1, m->test(i));
      if (!namespace_in_order(trace, pending, choice.persisted, false)) {
        return bad_choice(kind, text, "a namespace change persists without an earlier one; they reach the disk in issue order");
      }
      return choice;
    }
    case ModelKind::kTorn: {
      std::string_view rest = text;
      ASSIGN_OR_RETURN(choice.sector_size, parse_sector_size(kind, text, take_field(rest)));
      const std::vector<uint64_t> pending = frontier.reorderable();
      const std::vector<uint64_t> units = units_of(kind, trace, pending, choice.sector_size);
      if (units.empty()) {
        if (rest != "-") return bad_choice(kind, text, "expected \"-\": nothing is pending here");
        return choice;
      }
      if (const size_t at = rest.find(":g"); at != std::string_view::npos) {
        ASSIGN_OR_RETURN(choice.garbage, decode_garbage(kind, text, rest.substr(at + 2), trace, pending, units));
        rest = rest.substr(0, at);
      }
      for (size_t i = 0; i < units.size(); ++i) {
        const size_t dot = rest.find('.');
        const std::string_view part = rest.substr(0, dot);
        const std::optional<Mask> m = Mask::from_hex(part, units[i]);
        if (!m) {
          return bad_choice(kind, text, "pending op " + std::to_string(i) + " needs a hex mask of " +
                                            std::to_string(units[i]) + " sectors");
        }
        choice.persisted.push_back(*m);
        rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
        if ((dot == std::string_view::npos) != (i + 1 == units.size())) {
          return bad_choice(kind, text, "expected one mask per pending op (" + std::to_string(units.size()) + ")");
        }
      }
      if (choice.garbage && choice.persisted[choice.garbage->op].test(choice.garbage->sector)) {
        return bad_choice(kind, text, "the garbage sector is also marked as reached the disk whole");
      }
      if (!namespace_in_order(trace, pending, choice.persisted, false)) {
        return bad_choice(kind, text, "a namespace change persists without an earlier one; they reach the disk in issue order");
      }
      return choice;
    }
    case ModelKind::kCorrupt: {
      std::string_view rest = text;
      ASSIGN_OR_RETURN(choice.sector_size, parse_sector_size(kind, text, take_field(rest)));
      MediaFault f;
      const std::optional<FaultKind> fk = fault_kind_from_name(take_field(rest));
      if (!fk) return bad_choice(kind, text, "unknown fault kind");
      f.kind = *fk;
      const bool offset_ok = parse_u64(take_field(rest), &f.offset);
      std::string_view params = take_field(rest);
      const std::string_view region = take_field(rest);
      bool params_ok = false;
      if (!is_write_fault(f.kind)) {
        params_ok = parse_u64(params, &f.param);
      } else {
        const size_t dot = params.find('.');
        const std::string_view op = params.substr(0, dot);
        params = dot == std::string_view::npos ? std::string_view() : params.substr(dot + 1);
        const size_t dot2 = params.find('.');
        const bool misdirected = f.kind == FaultKind::kMisdirectedWrite;
        params_ok = parse_u64(op, &f.op) && parse_u64(params.substr(0, dot2), &f.length) &&
                    (dot2 != std::string_view::npos) == misdirected &&
                    (!misdirected || parse_u64(params.substr(dot2 + 1), &f.target));
      }
      if (!offset_ok || !params_ok || region.empty() || rest.empty()) {
        return bad_choice(kind, text,
                          "expected <sector>:<fault>:<offset>:<param>:<region>:<path> (param <op>.<length> for a lost "
                          "write, <op>.<length>.<target> for a misdirected one; region - for none)");
      }
      if (region != "-") f.region = std::string(region);
      f.path = std::string(rest);
      choice.fault = std::move(f);
      return choice;
    }
  }
  return bad_choice(kind, text, "unknown model");
}

double allowed_states(const ModelConfig& config, const Trace& trace, const Frontier& frontier) {
  switch (config.kind) {
    case ModelKind::kProcessCrash:
    case ModelKind::kLoseUnsynced:
      return 1;
    case ModelKind::kReorder:
    case ModelKind::kTorn: {
      // The k namespace ops persist as a prefix (k + 1 ways); the s other
      // units in any pattern; under torn, also one of the g sectors of a
      // write as noise and any pattern of the others:
      // (k + 1) * (2^s + g * 2^(s-1)).
      const std::vector<uint64_t> pending = frontier.reorderable();
      const std::vector<uint64_t> units = units_of(config.kind, trace, pending, config.sector_size);
      const uint64_t k = namespace_ops(trace, pending);
      const int s = static_cast<int>(std::min<uint64_t>(total(units) - k, 4096));
      const double g = config.kind == ModelKind::kTorn ? static_cast<double>(garbage_units(trace, pending, units).size()) : 0;
      return static_cast<double>(k + 1) * (std::ldexp(1.0, s) + g * std::ldexp(1.0, s - 1));
    }
    case ModelKind::kCorrupt: {
      // Every byte of every durable file can take each kind of fault.
      double bytes = 0;
      for (const auto& entry : frontier.durable_image().files) bytes += static_cast<double>(entry.second.size());
      return bytes * kFaultKinds;
    }
  }
  return 0;
}

bool samples_at(const ModelConfig& config, const Trace& trace, const Frontier& frontier) {
  switch (config.kind) {
    case ModelKind::kProcessCrash:
    case ModelKind::kLoseUnsynced:
      return false;
    case ModelKind::kReorder:
    case ModelKind::kTorn:
      return total(units_of(config.kind, trace, frontier.reorderable(), config.sector_size)) >
             config.enumerate_bound;
    case ModelKind::kCorrupt:
      return true;
  }
  return false;
}

std::vector<Choice> choices_at(const ModelConfig& config, const Trace& trace, const Frontier& frontier,
                               const FaultTargets& targets) {
  switch (config.kind) {
    case ModelKind::kProcessCrash:
    case ModelKind::kLoseUnsynced:
      return {Choice{}};
    case ModelKind::kReorder:
    case ModelKind::kTorn:
      return pending_choices(config, trace, frontier);
    case ModelKind::kCorrupt:
      return fault_choices(config, trace, frontier, targets);
  }
  return {};
}

Result<DiskImage> build_image(ModelKind kind, const Trace& trace, const Frontier& frontier, const Choice& choice) {
  switch (kind) {
    case ModelKind::kProcessCrash:
      return frontier.live_image();
    case ModelKind::kLoseUnsynced:
      return frontier.durable_image();
    case ModelKind::kCorrupt: {
      if (!choice.fault) return Status::invalid_argument("corrupt crash state without a media fault");
      if (choice.sector_size == 0) return Status::invalid_argument("corrupt crash state with sector size 0");
      DiskImage image = frontier.durable_image();
      if (is_write_fault(choice.fault->kind)) {
        RETURN_IF_ERROR(apply_write_fault(trace, frontier, *choice.fault, image));
      } else {
        RETURN_IF_ERROR(apply_fault(*choice.fault, choice.sector_size, image));
      }
      return image;
    }
    case ModelKind::kReorder:
    case ModelKind::kTorn:
      break;
  }
  const std::vector<uint64_t> pending = frontier.reorderable();
  if (choice.persisted.size() != pending.size()) {
    return Status::invalid_argument("crash state at point " + std::to_string(frontier.point) + " names " +
                                    std::to_string(choice.persisted.size()) + " pending ops, the trace has " +
                                    std::to_string(pending.size()));
  }
  if (kind == ModelKind::kTorn && choice.sector_size == 0) {
    return Status::invalid_argument("torn crash state with sector size 0");
  }
  std::set<uint64_t> namespace_persisted;
  std::map<InodeId, FileContents> edited;
  for (size_t i = 0; i < pending.size(); ++i) {
    const bool noise = choice.garbage && choice.garbage->op == i;
    if (choice.persisted[i].none() && !noise) continue;
    const Op& op = trace.ops[pending[i]];
    if (is_namespace_op(op.kind)) {
      namespace_persisted.insert(pending[i]);
      continue;
    }
    auto [file, fresh] = edited.try_emplace(op.inode);
    if (fresh) file->second = frontier.inodes.at(op.inode).durable;
    if (!choice.persisted[i].none()) apply_partial(op, choice.persisted[i], choice.sector_size, file->second);
    if (noise) apply_garbage(op, pending[i], choice.garbage->sector, choice.sector_size, file->second);
  }
  if (frontier.pending_namespace.empty()) {
    DiskImage image = frontier.durable_image();
    for (const auto& [path, inode] : frontier.reachable_durable_names()) {
      const auto it = edited.find(inode);
      if (it != edited.end()) image.files[path] = it->second;
    }
    return image;
  }
  const Namespace ns =
      frontier.namespace_with(trace, [&](uint64_t index) { return namespace_persisted.contains(index); });
  DiskImage image;
  image.dirs = ns.dirs;
  for (const auto& [path, inode] : ns.names) {
    const auto it = edited.find(inode);
    image.files[path] = it != edited.end() ? it->second : frontier.inodes.at(inode).durable;
  }
  return image;
}

}  // namespace crashsim
