// Mask: a fixed-length set of bits, written in state ids as hexadecimal.
//
// A crash state under `reorder` or `torn` is identified by which pending
// writes (and which of their sectors) reached the disk; those choices are
// Masks. The hex form is most-significant nibble first, without leading
// zeros ("0" for no bit set): bits {0, 1, 3} of any length print as "b".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crashsim {

class Mask {
 public:
  Mask() = default;
  explicit Mask(size_t size, bool value = false);

  size_t size() const { return size_; }
  bool test(size_t i) const { return (words_[i / 64] >> (i % 64)) & 1u; }
  void set(size_t i, bool value = true);
  size_t count() const;
  bool none() const { return count() == 0; }
  bool all() const { return count() == size_; }

  std::string to_hex() const;
  // nullopt when `hex` is not hexadecimal or sets a bit at or above `size`.
  static std::optional<Mask> from_hex(std::string_view hex, size_t size);
  // Bits 0..63 of `size` bits taken from `value` (size <= 64).
  static Mask from_word(uint64_t value, size_t size);

  friend bool operator==(const Mask&, const Mask&) = default;

 private:
  size_t size_ = 0;
  std::vector<uint64_t> words_;
};

}  // namespace crashsim
