#include "reports/escape.h"

#include <algorithm>
#include <cstdint>

namespace reports {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the well-formed UTF-8 sequence starting at text[i] (RFC 3629
// table, which excludes overlong forms and surrogates), or 0.
size_t sequence_length(std::string_view text, size_t i) {
  auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  auto cont = [&](size_t k, uint8_t lo = 0x80, uint8_t hi = 0xBF) {
    return k < text.size() && byte(k) >= lo && byte(k) <= hi;
  };
  uint8_t b = byte(i);
  if (b < 0x80) return 1;
  if (b >= 0xC2 && b <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (b == 0xE0) return cont(i + 1, 0xA0) && cont(i + 2) ? 3 : 0;
  if (b == 0xED) return cont(i + 1, 0x80, 0x9F) && cont(i + 2) ? 3 : 0;
  if (b >= 0xE1 && b <= 0xEF) return cont(i + 1) && cont(i + 2) ? 3 : 0;
  if (b == 0xF0) return cont(i + 1, 0x90) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  if (b == 0xF4) return cont(i + 1, 0x80, 0x8F) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  if (b >= 0xF1 && b <= 0xF3) return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  return 0;
}

// Characters XML 1.0 does not allow: C0 controls other than \t \n \r, and
// the non-characters U+FFFE and U+FFFF.
bool forbidden_in_xml(std::string_view seq) {
  if (seq.size() == 1) {
    char c = seq[0];
    return static_cast<uint8_t>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r';
  }
  return seq == "\xEF\xBF\xBE" || seq == "\xEF\xBF\xBF";
}

size_t longest_backtick_run(std::string_view text) {
  size_t longest = 0, run = 0;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return longest;
}

}  // namespace

std::string sanitize_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    size_t n = sequence_length(text, i);
    if (n == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    std::string_view seq = text.substr(i, n);
    if (forbidden_in_xml(seq)) out += kReplacement;
    else out += seq;
    i += n;
  }
  return out;
}

std::string xml_escape(std::string_view text) {
  std::string out;
  for (char c : sanitize_utf8(text)) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string markdown_text(std::string_view text) {
  constexpr std::string_view kMarkup = "\\`*_[]<>|&~#!";
  std::string out;
  for (char c : sanitize_utf8(text)) {
    if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      if (kMarkup.find(c) != std::string_view::npos) out += '\\';
      out += c;
    }
  }
  return out;
}

std::string markdown_code(std::string_view text, bool in_table) {
  std::string body;
  for (char c : sanitize_utf8(text)) {
    if (c == '\n' || c == '\r') body += ' ';
    else if (c == '|' && in_table) body += "\\|";
    else body += c;
  }
  std::string fence(longest_backtick_run(body) + 1, '`');
  // A span that starts or ends with a backtick needs a space inside the fence.
  bool pad = !body.empty() && (body.front() == '`' || body.back() == '`');
  return fence + (pad ? " " : "") + body + (pad ? " " : "") + fence;
}

std::string markdown_code_block(std::string_view text, std::string_view info) {
  std::string body = sanitize_utf8(text);
  std::string fence(std::max<size_t>(3, longest_backtick_run(body) + 1), '`');
  return fence + std::string(info) + "\n" + body + "\n" + fence + "\n";
}

}  // namespace reports
