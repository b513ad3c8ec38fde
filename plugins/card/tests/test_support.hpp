// Internal to the card rules tests: short ways to write cards and plays.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "rules/cards.hpp"
#include "rules/combination.hpp"

namespace gh_card::testing {

// parse_cards that fails the test (and gives no cards) on a typo.
inline CardSet cards(std::string_view text) {
  const auto parsed = parse_cards(text);
  EXPECT_TRUE(parsed) << "not cards: " << text;
  return parsed.value_or(CardSet{});
}

inline Combination combo(ComboType type, Rank main, int length, int card_count) {
  return Combination{type, main, static_cast<std::uint8_t>(length),
                     static_cast<std::uint8_t>(card_count)};
}

inline std::string describe(const Readings& readings) {
  std::string text;
  for (const Combination& reading : readings) text += to_string(reading) + "; ";
  return text.empty() ? "(none)" : text;
}

}  // namespace gh_card::testing
