// Fuzz target trace: a crashsim trace file (crashsim/record/trace_io.h), decoded.
// The input is either a trace file as saved (it starts with the magic
// "CSTRACE1"), or its JSON header and its blob split by one zero byte, which
// no JSON text holds: the target frames them (magic, header length) so that
// mutations inside the header keep it framed and reach the fields it
// declares, as the resealing mode of open_db reaches past checksums.
// A trace that decodes must survive a round trip: encoded again and decoded,
// it holds the same meta, initial files and operations.
#include <algorithm>
#include <string_view>

#include "crashsim/record/trace_io.h"
#include "fuzz/fuzz_target.h"

namespace {

constexpr std::string_view kMagic = "CSTRACE1";

crashsim::Bytes framed(std::span<const uint8_t> input) {
  const auto split = std::find(input.begin(), input.end(), uint8_t{0});
  const uint64_t header_length = uint64_t(split - input.begin());
  crashsim::Bytes out(kMagic.begin(), kMagic.end());
  for (int i = 0; i < 8; ++i) out.push_back(uint8_t(header_length >> (8 * i)));
  out.insert(out.end(), input.begin(), split);
  if (split != input.end()) out.insert(out.end(), split + 1, input.end());
  return out;
}

bool same_ops(const crashsim::Trace& a, const crashsim::Trace& b) {
  if (a.ops.size() != b.ops.size()) return false;
  for (size_t i = 0; i < a.ops.size(); ++i) {
    const crashsim::Op& x = a.ops[i];
    const crashsim::Op& y = b.ops[i];
    const bool same_data = (!x.data && !y.data) || (x.data && y.data && *x.data == *y.data);
    if (x.kind != y.kind || x.path != y.path || x.path2 != y.path2 || x.inode != y.inode || x.offset != y.offset ||
        x.number != y.number || !same_data)
      return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  const bool as_saved = size >= kMagic.size() && std::equal(kMagic.begin(), kMagic.end(), data);
  const crashsim::Bytes file = as_saved ? crashsim::Bytes(input.begin(), input.end()) : framed(input);
  auto loaded = crashsim::decode_trace(file);
  if (!loaded.ok()) return 0;
  auto encoded = crashsim::encode_trace(loaded->trace, loaded->meta_json);
  if (!encoded.ok()) fuzz::finding("a decoded trace does not encode: " + encoded.status().to_string());
  auto again = crashsim::decode_trace(*encoded);
  if (!again.ok()) fuzz::finding("a re-encoded trace does not decode: " + again.status().to_string());
  if (again->meta_json != loaded->meta_json || !(again->trace.initial == loaded->trace.initial) ||
      !same_ops(loaded->trace, again->trace))
    fuzz::finding("a trace changes in a round trip through encode_trace and decode_trace");
  return 0;
}
