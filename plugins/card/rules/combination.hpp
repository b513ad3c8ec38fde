// Internal to the card plugin: what a set of cards is as a play (classify) and which play
// beats which (beats). Pure functions of the cards' ranks: suits never matter.
//
// Rules (RULES.md has the full list with examples):
// - Chains (straight: 5+ singles, pair chain: 3+ pairs, airplane body: 2+ triples) run
//   from 3 up to A; a 2 or a joker is never in one, and nothing wraps (K A 2 3 4 is no
//   straight).
// - Wings. A wing never has the rank of a triple in the body (so four cards of a rank
//   are never split between body and wings: 3333 444 5 is nothing). Single wings may
//   share a rank with each other (333 444 + 5 5 is an airplane with two single wings)
//   and one may be a joker, but not both jokers: the rocket is never a pair of wings
//   (nor the two singles of four + two). Pair wings are pairs of a normal rank; four of
//   a rank may serve as two pair wings (333 444 + 5555). The same holds for four + two
//   singles / pairs (4444 + 5 5 is four + two singles, 4444 + 5555 four + two pairs).
// - Ambiguity. Some card sets have several readings (333444555666: an airplane of four
//   triples, or of three triples with single wings 666 or 333; 44445555: four + two pairs
//   on 4 or on 5). classify returns every reading, in priority order: the longer chain
//   first (more units), then the higher main rank, then the ComboType order. A lead is
//   taken as the first reading (or the one the player names as the intent); a follow is
//   taken as the first reading that beats the last play (or the intended one, if it
//   beats). So a play is accepted when any of its readings beats the last.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "rules/cards.hpp"

namespace gh_card {

enum class ComboType : std::uint8_t {
  kSingle,
  kPair,
  kTriple,
  kTripleSingle,     // 333 + 4
  kTriplePair,       // 333 + 44
  kStraight,         // 5+ consecutive singles, 3..A
  kPairChain,        // 3+ consecutive pairs, 3..A
  kAirplane,         // 2+ consecutive triples, 3..A, no wings
  kAirplaneSingles,  // ... plus one single wing per triple
  kAirplanePairs,    // ... plus one pair wing per triple
  kFourTwoSingles,   // 4444 + 5 + 6
  kFourTwoPairs,     // 4444 + 55 + 66
  kBomb,             // four of a rank
  kRocket,           // both jokers
};
inline constexpr int kComboTypeCount = 14;

struct Combination {
  ComboType type = ComboType::kSingle;
  // The rank that is compared: the single/pair/triple/four's rank, or the lowest rank of a
  // chain or an airplane body (the jokers' small one for the rocket).
  Rank main = Rank::k3;
  // Units in the chain (cards of a straight, pairs of a pair chain, triples of an
  // airplane); 1 for every other type.
  std::uint8_t length = 1;
  std::uint8_t card_count = 1;

  friend bool operator==(const Combination&, const Combination&) = default;
};

constexpr bool is_bomb(ComboType type) {
  return type == ComboType::kBomb;
}
constexpr bool is_rocket(ComboType type) {
  return type == ComboType::kRocket;
}

// Why a card set is no combination (the first that applies, in this order).
enum class InvalidReason : std::uint8_t {
  kNone,
  kEmpty,
  kRocketSplit,        // both jokers with other cards: never wings, never in a chain
  kTwoOrJokerInChain,  // a chain shape that reaches 2 or a joker (J Q K A 2, 2 2 A A K K)
  kChainTooShort,      // 3 4 5, 3 3 4 4
  kNotConsecutive,     // 3 4 5 6 8, and every wrap (K A 2 3 4)
  kNoSuchCombination,
};

// The readings of one card set, at most kCapacity (far more than any set of <= 20 cards
// has; see combination.cpp), in priority order. A fixed array: classify never allocates.
class Readings {
 public:
  static constexpr int kCapacity = 16;

  int size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const Combination& operator[](int i) const { return items_[i]; }
  const Combination* begin() const { return items_.data(); }
  const Combination* end() const { return items_.data() + size_; }
  bool contains(const Combination& combo) const;

  void add(const Combination& combo);  // ignored beyond capacity (never reached)
  void sort_by_priority();

 private:
  std::array<Combination, kCapacity> items_{};
  int size_ = 0;
};

struct Classification {
  Readings readings;  // empty when invalid
  InvalidReason reason = InvalidReason::kNone;

  bool valid() const { return !readings.empty(); }
  // The reading a lead is taken as. Only when valid().
  const Combination& primary() const { return readings[0]; }
};

Classification classify(const RankCounts& counts);
inline Classification classify(CardSet cards) {
  return classify(cards.rank_counts());
}

// Whether `play` may follow `last`: the rocket beats everything; a bomb beats every
// non-bomb and a lower bomb; otherwise the same type and length with a higher main rank.
// Nothing beats the rocket.
bool beats(const Combination& play, const Combination& last);

// The reading a play of `readings` is taken as, following `last` (nothing when leading),
// restricted to `intent` when the player named one: the first reading that is allowed.
// Nothing when no reading is allowed.
std::optional<Combination> choose_reading(const Readings& readings,
                                          const std::optional<Combination>& last,
                                          const std::optional<Combination>& intent = {});

std::string_view to_string(ComboType type);
std::string_view to_string(InvalidReason reason);
// For logs and test failures: "airplane_singles x2 from 3 (8 cards)".
std::string to_string(const Combination& combo);

}  // namespace gh_card
