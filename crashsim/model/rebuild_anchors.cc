#include "crashsim/model/rebuild_anchors.h"

#include <algorithm>
#include <iterator>
#include <utility>

namespace crashsim {

void RebuildAnchors::visit(size_t index, std::shared_ptr<const Frontier> f) {
  if (index % kEvery == 0) every_.emplace(f->point, f);
  recent_.push_back(std::move(f));
  if (recent_.size() > kRecent) recent_.pop_front();
}

void RebuildAnchors::drop_all_but_newest() {
  if (!every_.empty()) every_.erase(every_.begin(), std::prev(every_.end()));
}

void RebuildAnchors::clear() {
  every_.clear();
  recent_.clear();
}

const Frontier* RebuildAnchors::nearest(uint64_t point) const {
  const Frontier* best = nullptr;
  const auto kept = every_.upper_bound(point);
  if (kept != every_.begin()) best = std::prev(kept)->second.get();
  const auto recent = std::upper_bound(recent_.begin(), recent_.end(), point,
                                       [](uint64_t p, const auto& f) { return p < f->point; });
  if (recent != recent_.begin() && (best == nullptr || (*std::prev(recent))->point > best->point)) {
    best = std::prev(recent)->get();
  }
  return best;
}

std::optional<Frontier> RebuildAnchors::frontier_at(const Trace& trace, uint64_t point) const {
  const Frontier* anchor = nearest(point);
  if (anchor == nullptr) return std::nullopt;
  TimelineWalker walker(trace, anchor->rules, *anchor);
  walker.advance_to(point);
  return walker.frontier();
}

}  // namespace crashsim
