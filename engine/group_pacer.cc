#include "engine/group_pacer.h"

#include <algorithm>

namespace engine {

void GroupPacer::group_done(size_t written, size_t queued, std::chrono::nanoseconds flush) {
  last_round_ = std::max<size_t>(1, written + queued);
  last_flush_ = flush;
}

size_t GroupPacer::writers_expected(size_t max_group) const { return std::min(last_round_, max_group); }

}  // namespace engine
