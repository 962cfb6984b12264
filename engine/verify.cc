#include "engine/verify.h"

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "engine/btree.h"
#include "engine/node.h"
#include "engine/overflow.h"

namespace engine {
namespace {

using Kind = Violation::Kind;

// A key range bound inherited from the ancestors; absent at the tree's edges.
struct Bound {
  bool present = false;
  std::string_view key;
};

std::string page_name(PageNo pgno) { return "page " + std::to_string(pgno); }

std::string hex(uint64_t v) {
  char buf[19];
  std::snprintf(buf, sizeof buf, "0x%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string_view type_name(PageType type) {
  switch (type) {
    case PageType::kMeta: return "the meta page";
    case PageType::kLeaf: return "a leaf";
    case PageType::kInternal: return "an internal node";
    case PageType::kOverflow: return "an overflow page";
    case PageType::kFree: return "a free page";
  }
  return "of unknown type";
}

class Verifier {
 public:
  explicit Verifier(Pager& pager)
      : pager_(pager),
        meta_(pager.meta()),
        geometry_(NodeGeometry::for_page_size(pager.page_size())),
        reached_(meta_.page_count, false),
        digested_(meta_.page_count, false) {}

  // The report, or the first read the device failed: an I/O error says
  // nothing about the file, so it is not reported as a violation (the pages
  // behind it would otherwise all show up as leaks).
  Result<VerifyReport> run() {
    if (check_meta()) {
      if (meta_.root != kNoPage) visit(meta_.root, kNoPage, 1, {}, {});
      if (keys_ != meta_.key_count)
        add(Kind::kMeta, kMetaPage,
            "meta key_count is " + std::to_string(meta_.key_count) + " but the tree holds " +
                std::to_string(keys_) + " keys");
    }
    check_free_list();
    for (PageNo p = 1; p < meta_.page_count; ++p) {
      if (!reached_[p])
        add(Kind::kLeak, p, page_name(p) + " is neither reachable from the tree nor on the free list");
    }
    check_page_digest();
    if (device_error_) return *device_error_;
    report_.keys_checked = keys_;
    return std::move(report_);
  }

 private:
  void add(Kind kind, PageNo page, std::string message) {
    report_.violations.push_back({kind, page, std::move(message)});
  }

  // False when the tree cannot be walked at all from this meta.
  bool check_meta() {
    if (meta_.page_size != pager_.page_size())
      add(Kind::kMeta, kMetaPage,
          "meta page size " + std::to_string(meta_.page_size) + " differs from the file's " +
              std::to_string(pager_.page_size()));
    if (meta_.page_count == 0) {
      add(Kind::kMeta, kMetaPage, "meta page_count is 0, the meta page itself is page 0");
      return false;
    }
    if ((meta_.root == kNoPage) != (meta_.depth == 0)) {
      add(Kind::kMeta, kMetaPage,
          "meta root " + std::to_string(meta_.root) + " and depth " + std::to_string(meta_.depth) +
              " disagree (an empty tree has root 0 and depth 0)");
      return false;
    }
    if (meta_.root >= meta_.page_count) {
      add(Kind::kMeta, kMetaPage,
          "meta root " + std::to_string(meta_.root) + " is outside the file's " + std::to_string(meta_.page_count) +
              " pages");
      return false;
    }
    if (meta_.depth > kMaxTreeDepth) {
      add(Kind::kMeta, kMetaPage,
          "meta depth " + std::to_string(meta_.depth) + " exceeds the largest possible " +
              std::to_string(kMaxTreeDepth));
      return false;
    }
    return true;
  }

  // Marks `pgno` reached through a link from `from`; false (after reporting)
  // when the link points outside the file or at a page already reached.
  bool claim(PageNo pgno, PageNo from, std::string_view what) {
    if (pgno == kNoPage || pgno >= meta_.page_count) {
      add(Kind::kBadPage, from,
          page_name(from) + " links its " + std::string(what) + " to page " + std::to_string(pgno) +
              ", outside [1, " + std::to_string(meta_.page_count) + ")");
      return false;
    }
    if (reached_[pgno]) {
      add(Kind::kDoubleReference, pgno,
          page_name(pgno) + " is reached a second time, as the " + std::string(what) + " of " + page_name(from));
      return false;
    }
    reached_[pgno] = true;
    ++report_.pages_checked;
    return true;
  }

  Result<PageRef> read(PageNo pgno) {
    auto page = pager_.get(pgno);
    if (!page.ok()) {
      failed_read(pgno, page.status().with("read " + page_name(pgno)));
    } else {
      digest(pgno, **page);
    }
    return page;
  }

  void digest(PageNo pgno, const Page& page) {
    if (digested_[pgno]) return;
    digested_[pgno] = true;
    digest_ ^= page_digest_term(pgno, stored_checksum(page));
  }

  // The meta page's digest against every page's checksum. The pages the walk
  // did not read (free pages, leaks) are read now; one that cannot be read
  // has been reported already (on the free list, or as a leak), and then
  // the digest says nothing more.
  void check_page_digest() {
    for (PageNo p = 1; p < meta_.page_count; ++p) {
      if (digested_[p]) continue;
      auto page = pager_.get(p);
      if (!page.ok()) {
        if (page.status().code() == vfs::StatusCode::kIoError && !device_error_) device_error_ = page.status();
        return;
      }
      digest(p, **page);
    }
    if (digest_ != meta_.page_digest)
      add(Kind::kMeta, kMetaPage,
          "meta page_digest " + hex(meta_.page_digest) + " does not match the pages' checksums (" + hex(digest_) +
              "): a page holds an image other than the last one committed to it (a lost, stale or misdirected "
              "write)");
  }

  void failed_read(PageNo pgno, const Status& s) {
    if (s.code() == vfs::StatusCode::kIoError) {
      if (!device_error_) device_error_ = s;
    } else {
      add(Kind::kBadPage, pgno, s.message());
    }
  }

  void visit(PageNo pgno, PageNo parent, uint32_t level, Bound lo, Bound hi) {
    if (!claim(pgno, parent, parent == kNoPage ? "root" : "child")) return;
    auto read_result = read(pgno);
    if (!read_result.ok()) return;
    const PageRef page = std::move(read_result).value();
    const PageType type = page->type();
    if (type != PageType::kLeaf && type != PageType::kInternal) {
      const bool known = type == PageType::kMeta || type == PageType::kOverflow || type == PageType::kFree;
      add(known ? Kind::kPageType : Kind::kBadPage, pgno,
          page_name(pgno) + (parent == kNoPage ? " (the root)" : " (a child of " + page_name(parent) + ")") +
              " is " + std::string(type_name(type)) + ", expected a tree node");
      return;
    }
    const NodeView node(page->bytes);
    const std::string problem = node.validate();
    if (!problem.empty()) {
      add(Kind::kBadPage, pgno, page_name(pgno) + " is not a valid tree node: " + problem);
      return;
    }
    const uint32_t n = node.count();
    const bool root = parent == kNoPage;

    if (node.is_leaf() && level != meta_.depth)
      add(Kind::kDepth, pgno,
          "leaf " + page_name(pgno) + " is at depth " + std::to_string(level) + ", the tree's depth is " +
              std::to_string(meta_.depth));
    if (!node.is_leaf() && level >= meta_.depth)
      add(Kind::kDepth, pgno,
          "internal " + page_name(pgno) + " is at depth " + std::to_string(level) + " where the tree's depth " +
              std::to_string(meta_.depth) + " puts leaves");

    if (root) {
      if (n == 0)
        add(Kind::kFill, pgno,
            node.is_leaf() ? "the root leaf " + page_name(pgno) + " is empty (an empty tree has no root)"
                           : "the internal root " + page_name(pgno) + " has a single child");
    } else if (node.used_bytes() < geometry_.min_fill) {
      add(Kind::kFill, pgno,
          page_name(pgno) + " uses " + std::to_string(node.used_bytes()) + " bytes, below the minimum fill of " +
              std::to_string(geometry_.min_fill));
    }

    check_keys(node, pgno, lo, hi);

    if (node.is_leaf()) {
      keys_ += n;
      for (uint32_t i = 0; i < n; ++i) {
        const StoredValue v = node.value(i);
        if (v.overflow) check_chain(pgno, i, v);
      }
      return;
    }
    if (level >= kMaxTreeDepth) return;  // reported as kDepth above; a cycle cannot recurse for ever
    for (uint32_t c = 0; c <= n; ++c) {
      const Bound child_lo = c == 0 ? lo : Bound{true, node.key(c - 1)};
      const Bound child_hi = c == n ? hi : Bound{true, node.key(c)};
      visit(node.child(c), pgno, level + 1, child_lo, child_hi);
    }
  }

  // Order within the node and the bounds the ancestors give it, reported once
  // per node and kind.
  void check_keys(const NodeView& node, PageNo pgno, Bound lo, Bound hi) {
    bool order_reported = false;
    bool bounds_reported = false;
    for (uint32_t i = 0; i < node.count(); ++i) {
      const std::string_view k = node.key(i);
      if (i > 0 && !order_reported && !(node.key(i - 1) < k)) {
        add(Kind::kKeyOrder, pgno,
            page_name(pgno) + ": key " + std::to_string(i) + " is not above key " + std::to_string(i - 1));
        order_reported = true;
      }
      if (!bounds_reported && ((lo.present && k < lo.key) || (hi.present && k >= hi.key))) {
        add(Kind::kSeparator, pgno,
            page_name(pgno) + ": key " + std::to_string(i) + " lies outside the range its parent's separators give it");
        bounds_reported = true;
      }
    }
  }

  void check_chain(PageNo leaf, uint32_t index, const StoredValue& v) {
    // Built only for a report: a sound chain costs no allocation. The node
    // passed NodeView::validate, so the value is longer than any inline one.
    const auto where = [&] { return "overflow chain of key " + std::to_string(index) + " in " + page_name(leaf); };
    PageNo pgno = v.first_page;
    PageNo from = leaf;
    uint64_t offset = 0;
    while (offset < v.length) {
      if (pgno == kNoPage) {
        add(Kind::kOverflowChain, from,
            where() + " ends at " + page_name(from) + " after " + std::to_string(offset) + " of " +
                std::to_string(v.length) + " bytes");
        return;
      }
      if (!claim(pgno, from, "overflow link")) return;
      auto read_result = read(pgno);
      if (!read_result.ok()) return;
      const Page& page = **read_result;
      const std::string problem = overflow_page_problem(page, offset, v.length);
      if (!problem.empty()) {
        add(page.type() == PageType::kOverflow ? Kind::kOverflowChain : Kind::kPageType, pgno, where() + ": " + problem);
        return;
      }
      offset += load_u32(&page.bytes[12]);
      from = pgno;
      pgno = load_u32(&page.bytes[8]);
    }
  }

  void check_free_list() {
    auto list = pager_.free_list();
    if (!list.ok()) {
      failed_read(meta_.freelist_head, list.status().with("free list"));
      return;
    }
    PageNo from = kMetaPage;
    for (PageNo pgno : *list) {
      if (claim(pgno, from, "free-list link")) from = pgno;
    }
    if (list->size() != meta_.freelist_count)
      add(Kind::kMeta, kMetaPage,
          "meta freelist_count is " + std::to_string(meta_.freelist_count) + " but the free list holds " +
              std::to_string(list->size()) + " pages");
  }

  Pager& pager_;
  const Meta meta_;
  const NodeGeometry geometry_;
  std::vector<bool> reached_;  // the per-page bitmap
  std::vector<bool> digested_;  // pages whose checksum is in digest_
  uint64_t digest_ = 0;
  uint64_t keys_ = 0;
  VerifyReport report_;
  std::optional<Status> device_error_;
};

}  // namespace

Result<VerifyReport> verify_database(Pager& pager) { return Verifier(pager).run(); }

}  // namespace engine
