#include "engine/btree_dump.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <span>
#include <tuple>

#include "engine/file_layout.h"
#include "engine/free_list.h"
#include "engine/meta.h"
#include "engine/node.h"
#include "engine/printable.h"

namespace engine {
namespace {

using nlohmann::json;

// Keys a text line shows of a node: the first few and the last, the rest counted.
constexpr size_t kKeysShownFirst = 4;

std::string hex(uint64_t v, int digits) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%0*llx", digits, static_cast<unsigned long long>(v));
  return buf;
}

std::string type_name(uint8_t type) {
  const std::optional<std::string_view> name = page_type_name(type);
  return name ? std::string(*name) : "unknown-type-" + std::to_string(type);
}

json meta_json(const Meta& m) {
  return {{"page_size", m.page_size},           {"db_id", hex(m.db_id, 16)},
          {"root", m.root},                     {"depth", m.depth},
          {"page_count", m.page_count},         {"freelist_head", m.freelist_head},
          {"freelist_count", m.freelist_count}, {"key_count", m.key_count},
          {"txn_seq", m.txn_seq},               {"wal_generation", m.wal_generation}};
}

// What a page image whose checksum holds says: a node's keys and links, an
// overflow or free page's next page, the meta page's fields. `where` names it
// in a problem ("page 3 of db").
json page_contents(std::span<const uint8_t> image, PageNo pgno, const std::string& where, Mutant mutant) {
  json j = json::object();
  switch (static_cast<PageType>(image[4])) {
    case PageType::kMeta: {
      Page page(pgno, static_cast<uint32_t>(image.size()));
      std::copy(image.begin(), image.end(), page.bytes.begin());
      const Result<Meta> meta = decode_meta(page, where, mutant);
      if (meta.ok()) {
        j["meta"] = meta_json(*meta);
      } else {
        j["problem"] = meta.status().message();
      }
      break;
    }
    case PageType::kLeaf:
    case PageType::kInternal: {
      const NodeView node(image);
      if (const std::string problem = node.validate(); !problem.empty()) {
        j["problem"] = problem;
        break;
      }
      json keys = json::array();
      for (uint32_t i = 0; i < node.count(); ++i) keys.push_back(std::string(node.key(i)));
      j["keys"] = std::move(keys);
      json links = json::array();
      if (node.is_leaf()) {
        for (uint32_t i = 0; i < node.count(); ++i) {
          const StoredValue v = node.value(i);
          if (v.overflow) links.push_back({{"key", i}, {"first_page", v.first_page}, {"length", v.length}});
        }
        j["overflow"] = std::move(links);
      } else {
        for (uint32_t i = 0; i <= node.count(); ++i) links.push_back(node.child(i));
        j["children"] = std::move(links);
      }
      break;
    }
    case PageType::kOverflow:
      j["next"] = load_u32(&image[8]);
      j["used"] = load_u32(&image[12]);
      break;
    case PageType::kFree:
      j["next"] = load_u32(&image[kFreeNextOffset]);
      break;
    default:
      j["problem"] = "byte 4 holds " + std::to_string(image[4]) + ", no page type";
  }
  return j;
}

// The free list from the data file's meta page, page by page, until its end,
// a loop, or a page that is no sound free page.
json free_list_json(const Meta& meta, const json& pages) {
  json chain = json::array();
  std::set<PageNo> seen;
  std::string problem;
  for (PageNo pgno = meta.freelist_head; pgno != kNoPage;) {
    if (!seen.insert(pgno).second) {
      problem = "page " + std::to_string(pgno) + " comes round again: the list loops";
      break;
    }
    if (pgno >= pages.size()) {
      problem = "page " + std::to_string(pgno) + " lies past the end of the file";
      break;
    }
    const json& page = pages[pgno];
    if (!page["checksum_ok"].get<bool>() || page["type"] != "free") {
      problem = "page " + std::to_string(pgno) + " is no sound free page (" + page["type"].get<std::string>() +
                (page["checksum_ok"].get<bool>() ? "" : ", bad checksum") + ")";
      break;
    }
    chain.push_back(pgno);
    pgno = page["next"].get<PageNo>();
  }
  json j = {{"pages", std::move(chain)}};
  if (!problem.empty()) j["problem"] = problem;
  return j;
}

json data_json(const DumpFiles& files, const DataFileLayout& d) {
  json j = {{"path", files.data_path},
            {"exists", files.data.has_value()},
            {"file_size", d.file_size},
            {"page_size", d.page_size}};
  if (d.meta) {
    j["meta"] = meta_json(*d.meta);
  } else {
    j["meta_problem"] = d.meta_status.message();
  }
  json pages = json::array();
  for (const DataPageLayout& p : d.pages) {
    json page = {{"page", p.pgno},
                 {"offset", p.offset},
                 {"length", p.length},
                 {"type", type_name(p.type)},
                 {"checksum_ok", p.checksum_ok}};
    if (p.checksum_ok) {
      const std::span<const uint8_t> image(files.data->data() + p.offset, p.length);
      page.update(page_contents(image, p.pgno, "page " + std::to_string(p.pgno) + " of " + files.data_path,
                                files.mutant));
    }
    pages.push_back(std::move(page));
  }
  if (d.meta) j["free_list"] = free_list_json(*d.meta, pages);
  j["pages"] = std::move(pages);
  return j;
}

json wal_json(const DumpFiles& files, const WalLayout& w) {
  json header = {{"present", w.header.present}, {"ok", w.header.status.ok()}};
  if (w.header.present) {
    header.update({{"generation", w.header.fields.generation},
                   {"db_id", hex(w.header.fields.db_id, 16)},
                   {"page_size", w.header.fields.page_size},
                   {"version", w.header.version}});
  }
  if (!w.header.status.ok()) header["problem"] = w.header.status.message();

  // A transaction's frames share (generation, sequence, nonce); an intact
  // commit frame ends it. It is committed when that frame is the meta page,
  // or, for one of a group's earlier transactions, when a later transaction
  // of the same write (generation, random part of the nonce, first sequence)
  // ends in an intact meta frame: recovery drops it with its group otherwise
  // (docs/file-formats.md, rule 2).
  using Txn = std::tuple<uint64_t, uint64_t, uint32_t>;
  using Write = std::tuple<uint64_t, uint32_t, uint64_t>;
  auto txn_of = [](const WalSlotLayout& s) { return Txn{s.trailer.generation, s.trailer.txn_seq, s.trailer.nonce}; };
  auto write_of = [](const WalSlotLayout& s) {
    return Write{s.trailer.generation, write_random_of(s.trailer.nonce), write_first_seq(s.trailer)};
  };
  std::set<Txn> ended;
  std::map<Write, uint64_t> closed_through;  // a write's last transaction that ends in a meta frame
  for (const WalSlotLayout& s : w.slots) {
    if (!s.complete || s.empty || !s.valid() || !s.is_commit()) continue;
    ended.insert(txn_of(s));
    // MUTANT meta-bypasses-wal, group-txn-commits-alone: as their recovery
    // reads the log, every commit frame closes its write.
    if (s.trailer.pgno != kMetaPage && !mutant_active(files.mutant, Mutant::kMetaBypassesWal) &&
        !mutant_active(files.mutant, Mutant::kGroupTxnCommitsAlone)) {
      continue;
    }
    uint64_t& through = closed_through[write_of(s)];
    through = std::max(through, s.trailer.txn_seq);
  }
  auto committed = [&](const WalSlotLayout& s) {
    const auto closer = closed_through.find(write_of(s));
    return ended.contains(txn_of(s)) && closer != closed_through.end() && closer->second >= s.trailer.txn_seq;
  };
  json frames = json::array();
  for (const WalSlotLayout& s : w.slots) {
    json f = {{"slot", s.slot}, {"offset", s.offset}, {"length", s.length}, {"complete", s.complete},
              {"empty", s.empty}};
    if (s.complete && !s.empty) {
      f.update({{"page", s.trailer.pgno},
                {"type", type_name(s.page_type)},
                {"generation", s.trailer.generation},
                {"sequence", s.trailer.txn_seq},
                {"nonce", hex(s.trailer.nonce, 8)},
                {"commit", s.trailer.commit},
                {"page_checksum_ok", s.page_checksum_ok},
                {"frame_checksum_ok", s.frame_checksum_ok},
                {"checksum_ok", s.valid()},
                {"current_generation", w.header.status.ok() && s.trailer.generation == w.header.fields.generation},
                {"completed_by_commit", s.valid() && committed(s)}});
      if (s.valid()) {
        const std::span<const uint8_t> image(files.wal->data() + s.offset, w.page_size);
        f.update(page_contents(image, s.trailer.pgno, "slot " + std::to_string(s.slot) + " of " + files.wal_path,
                               files.mutant));
      }
    }
    frames.push_back(std::move(f));
  }
  return {{"path", files.wal_path},
          {"exists", files.wal.has_value()},
          {"file_size", w.file_size},
          {"page_size", w.page_size},
          {"db_id", hex(w.db_id, 16)},
          {"header", std::move(header)},
          {"frames", std::move(frames)}};
}

// --- text ---

std::string count(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string key_text(const json& key) { return printable_field(key.get<std::string>()); }

// "6 keys: a00 a01 a02 a03 ... a05", with an internal node's children between its keys:
// "children: 1 | a06 | 3 | a11 | 4".
std::string node_text(const json& page) {
  if (page.contains("problem")) return "  problem: " + page["problem"].get<std::string>();
  if (page.contains("meta")) {
    const json& m = page["meta"];
    return "  root " + std::to_string(m["root"].get<uint32_t>()) + ", depth " + std::to_string(m["depth"].get<uint32_t>()) +
           ", " + count(m["page_count"]) + " pages, " + count(m["key_count"]) + " keys, free list " +
           std::to_string(m["freelist_head"].get<uint32_t>()) + " (" + count(m["freelist_count"]) + " pages), txn " +
           count(m["txn_seq"]) + ", WAL generation " + count(m["wal_generation"]) + ", db_id " +
           m["db_id"].get<std::string>();
  }
  if (page.contains("children")) {
    std::string out = "  children: " + std::to_string(page["children"][0].get<uint32_t>());
    for (size_t i = 0; i < page["keys"].size(); ++i)
      out += " | " + key_text(page["keys"][i]) + " | " + std::to_string(page["children"][i + 1].get<uint32_t>());
    return out;
  }
  if (page.contains("keys")) {
    const json& keys = page["keys"];
    std::string out = "  " + count(keys.size()) + (keys.size() == 1 ? " key" : " keys");
    for (size_t i = 0; i < keys.size(); ++i) {
      if (i == kKeysShownFirst && keys.size() > kKeysShownFirst + 1) {
        out += " ...";
        i = keys.size() - 1;
      }
      out += (i == 0 ? ": " : " ") + key_text(keys[i]);
    }
    if (!page["overflow"].empty()) out += "; " + count(page["overflow"].size()) + " values in overflow chains";
    return out;
  }
  if (page.contains("next")) return "  next " + std::to_string(page["next"].get<uint32_t>());
  return "";
}

std::string pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string data_text(const json& d) {
  std::string out = "data file " + d["path"].get<std::string>() + ": ";
  if (!d["exists"].get<bool>()) return out + "missing\n";
  out += count(d["file_size"]) + " bytes";
  if (d["page_size"].get<uint32_t>() == 0) return out + ", no page size to read it by (no valid meta page or WAL header)\n";
  out += ", page size " + count(d["page_size"]) + ", " + count(d["pages"].size()) + " pages\n";
  if (d.contains("meta_problem")) out += "  meta page: " + d["meta_problem"].get<std::string>() + "\n";
  for (const json& p : d["pages"]) {
    out += "  " + pad("page " + std::to_string(p["page"].get<uint32_t>()), 10) + pad(p["type"], 10) +
           (p["length"] != d["page_size"] ? "partial (" + count(p["length"]) + " bytes)"
                                          : p["checksum_ok"].get<bool>() ? "ok " : "BAD checksum") +
           (p["checksum_ok"].get<bool>() ? node_text(p) : "") + "\n";
  }
  if (d.contains("free_list")) {
    const json& fl = d["free_list"];
    out += "  free list:";
    if (fl["pages"].empty()) out += " empty";
    for (size_t i = 0; i < fl["pages"].size(); ++i) out += (i ? " -> " : " ") + std::to_string(fl["pages"][i].get<uint32_t>());
    if (fl.contains("problem")) out += "; then " + fl["problem"].get<std::string>();
    out += "\n";
  }
  return out;
}

std::string frame_text(const json& f) {
  std::string out = "  " + pad("slot " + std::to_string(f["slot"].get<uint64_t>()) + " @" + count(f["offset"]), 16);
  if (!f["complete"].get<bool>()) return out + "partial (" + count(f["length"]) + " bytes): no frame\n";
  if (f["empty"].get<bool>()) return out + "empty (never written)\n";
  const uint32_t commit = f["commit"];
  out += pad("page " + std::to_string(f["page"].get<uint32_t>()) + " " + f["type"].get<std::string>(), 16) + "gen " +
         count(f["generation"]) + " txn " + count(f["sequence"]) + " nonce " + f["nonce"].get<std::string>() + "  " +
         pad(commit != 0 ? "COMMIT of " + std::to_string(commit) + " frames" : "-", 21);
  if (!f["checksum_ok"].get<bool>()) {
    out += !f["frame_checksum_ok"].get<bool>() && !f["page_checksum_ok"].get<bool>() ? "BAD page and frame checksums"
           : !f["frame_checksum_ok"].get<bool>()                                      ? "BAD frame checksum"
                                                                                      : "BAD page checksum";
    return out + "\n";
  }
  out += "ok";
  if (!f["current_generation"].get<bool>()) out += ", stale (not the header's generation)";
  else if (!f["completed_by_commit"].get<bool>()) out += ", NO intact commit frame completes this write";
  return out + "\n  " + pad("", 16) + node_text(f) + "\n";
}

std::string wal_text(const json& w) {
  std::string out = "WAL " + w["path"].get<std::string>() + ": ";
  if (!w["exists"].get<bool>()) return out + "missing\n";
  out += count(w["file_size"]) + " bytes\n";
  const json& h = w["header"];
  if (!h["present"].get<bool>()) {
    out += "  header: missing (the file is shorter than one)\n";
  } else {
    out += "  header: generation " + count(h["generation"]) + ", db_id " + h["db_id"].get<std::string>() +
           ", page size " + count(h["page_size"]) + ", format version " + std::to_string(h["version"].get<uint32_t>()) +
           ": " + (h["ok"].get<bool>() ? std::string("ok") : "BAD: " + h["problem"].get<std::string>()) + "\n";
  }
  if (w["page_size"].get<uint32_t>() == 0 && w["file_size"].get<uint64_t>() > 0)
    out += "  no page size to read its frames by (no valid WAL header or meta page)\n";
  const json& frames = w["frames"];
  for (size_t i = 0; i < frames.size(); ++i) {
    if (!frames[i]["empty"].get<bool>()) {
      out += frame_text(frames[i]);
      continue;
    }
    // A run of never-written slots (the WAL grows ahead) is one line.
    size_t last = i;
    while (last + 1 < frames.size() && frames[last + 1]["empty"].get<bool>()) ++last;
    if (last > i) {
      out += "  slots " + std::to_string(i) + ".." + std::to_string(last) + " @" + count(frames[i]["offset"]) +
             ": empty (never written)\n";
      i = last;
    } else {
      out += frame_text(frames[i]);
    }
  }
  return out;
}

}  // namespace

json dump_json(const DumpFiles& files) {
  static const std::vector<uint8_t> kNone;
  const std::span<const uint8_t> data = files.data ? std::span<const uint8_t>(*files.data) : kNone;
  const std::span<const uint8_t> wal = files.wal ? std::span<const uint8_t>(*files.wal) : kNone;
  const FileLayout layout = inspect_files(data, wal, files.data_path, files.wal_path, files.mutant);
  return {{"data", data_json(files, layout.data)}, {"wal", wal_json(files, layout.wal)}};
}

std::string dump_text(const json& dump) { return data_text(dump["data"]) + "\n" + wal_text(dump["wal"]); }

}  // namespace engine
