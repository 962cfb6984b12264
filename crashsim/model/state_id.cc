#include "crashsim/model/state_id.h"

namespace crashsim {

using vfs::Result;
using vfs::Status;

std::string format_segment(const StateIdSegment& segment) {
  std::string s = std::to_string(segment.point) + ":" + std::string(model_name(segment.model));
  if (!segment.choice.empty()) s += ":" + segment.choice;
  return s;
}

std::string StateId::to_string() const {
  std::string s;
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) s += '>';
    s += format_segment(segments[i]);
  }
  return s;
}

Result<StateId> StateId::parse(std::string_view text) {
  auto bad = [&text](std::string_view why) {
    std::string msg = "state id \"";
    msg.append(text).append("\": ").append(why);
    return Status::invalid_argument(std::move(msg));
  };
  StateId id;
  std::string_view rest = text;
  while (true) {
    const size_t gt = rest.find('>');
    const std::string_view seg = rest.substr(0, gt);
    const size_t c1 = seg.find(':');
    if (c1 == std::string_view::npos || c1 == 0) return bad("expected <point>:<model>[:<choice>]");
    uint64_t point = 0;
    for (char c : seg.substr(0, c1)) {
      if (c < '0' || c > '9' || point > (UINT64_MAX - 9) / 10) return bad("the crash point is not a number");
      point = point * 10 + static_cast<uint64_t>(c - '0');
    }
    const size_t c2 = seg.find(':', c1 + 1);
    const std::string_view model = seg.substr(c1 + 1, c2 == std::string_view::npos ? std::string_view::npos : c2 - c1 - 1);
    const std::optional<ModelKind> kind = model_from_name(model);
    if (!kind) return bad("unknown model \"" + std::string(model) + "\"");
    StateIdSegment segment{point, *kind, c2 == std::string_view::npos ? std::string() : std::string(seg.substr(c2 + 1))};
    if (c2 != std::string_view::npos && segment.choice.empty()) return bad("empty choice after the model");
    id.segments.push_back(std::move(segment));
    if (gt == std::string_view::npos) break;
    rest = rest.substr(gt + 1);
  }
  return id;
}

}  // namespace crashsim
