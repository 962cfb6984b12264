// Bytes as one field of a line of text, for the btree tool's output.
#pragma once

#include <string>
#include <string_view>

namespace engine {

// A key or a value as one field of a tab-separated line: a tab, a newline, a
// backslash and any other control byte are escaped (\t, \n, \\, \xNN); other
// bytes, UTF-8 included, are kept as they are.
inline std::string printable_field(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size());
  for (const char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (u < 0x20 || u == 0x7f) {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace engine
