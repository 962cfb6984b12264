#include "crashsim/model/mask.h"

#include <bit>

namespace crashsim {

Mask::Mask(size_t size, bool value) : size_(size), words_((size + 63) / 64, 0) {
  if (value) {
    for (size_t i = 0; i < size; ++i) set(i);
  }
}

void Mask::set(size_t i, bool value) {
  const uint64_t bit = uint64_t{1} << (i % 64);
  if (value) {
    words_[i / 64] |= bit;
  } else {
    words_[i / 64] &= ~bit;
  }
}

size_t Mask::count() const {
  size_t n = 0;
  for (uint64_t w : words_) n += static_cast<size_t>(std::popcount(w));
  return n;
}

std::string Mask::to_hex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (size_t nibble = (size_ + 3) / 4; nibble-- > 0;) {
    unsigned v = 0;
    for (size_t b = 0; b < 4; ++b) {
      const size_t i = nibble * 4 + b;
      if (i < size_ && test(i)) v |= 1u << b;
    }
    if (v != 0 || !out.empty()) out.push_back(kDigits[v]);
  }
  return out.empty() ? "0" : out;
}

std::optional<Mask> Mask::from_hex(std::string_view hex, size_t size) {
  if (hex.empty()) return std::nullopt;
  Mask m(size);
  size_t bit = 0;
  for (size_t pos = hex.size(); pos-- > 0; bit += 4) {
    const char c = hex[pos];
    unsigned v;
    if (c >= '0' && c <= '9') {
      v = static_cast<unsigned>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      v = static_cast<unsigned>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      v = static_cast<unsigned>(c - 'A' + 10);
    } else {
      return std::nullopt;
    }
    for (unsigned b = 0; b < 4; ++b) {
      if (((v >> b) & 1u) == 0) continue;
      if (bit + b >= size) return std::nullopt;
      m.set(bit + b);
    }
  }
  return m;
}

Mask Mask::from_word(uint64_t value, size_t size) {
  Mask m(size);
  for (size_t i = 0; i < size && i < 64; ++i) {
    if ((value >> i) & 1u) m.set(i);
  }
  return m;
}

}  // namespace crashsim
