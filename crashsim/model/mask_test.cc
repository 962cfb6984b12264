#include "crashsim/model/mask.h"

#include <gtest/gtest.h>

namespace crashsim {
namespace {

TEST(MaskTest, HexIsMostSignificantNibbleFirstWithoutLeadingZeros) {
  Mask m(10);
  EXPECT_EQ(m.to_hex(), "0");
  m.set(0);
  m.set(1);
  m.set(3);
  EXPECT_EQ(m.to_hex(), "b");
  m.set(9);
  EXPECT_EQ(m.to_hex(), "20b");
  EXPECT_EQ(m.count(), 4u);
}

TEST(MaskTest, FromHexRoundTripsAndRejectsBitsBeyondTheSize) {
  Mask m(70);
  m.set(2);
  m.set(64);
  m.set(69);
  const auto back = Mask::from_hex(m.to_hex(), 70);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, m);
  EXPECT_FALSE(Mask::from_hex("10", 4).has_value());  // bit 4 of a 4-bit mask
  EXPECT_FALSE(Mask::from_hex("xz", 8).has_value());
  EXPECT_FALSE(Mask::from_hex("", 8).has_value());
  EXPECT_TRUE(Mask::from_hex("0", 0).has_value());
}

TEST(MaskTest, AllAndNone) {
  EXPECT_TRUE(Mask(5, true).all());
  EXPECT_TRUE(Mask(5).none());
  EXPECT_EQ(Mask::from_word(0b101, 3).to_hex(), "5");
}

}  // namespace
}  // namespace crashsim
