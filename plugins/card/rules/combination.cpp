#include "rules/combination.hpp"

#include <algorithm>

namespace gh_card {
namespace {

constexpr int kSmallJoker = index(Rank::kSmallJoker);
constexpr int kBigJoker = index(Rank::kBigJoker);
constexpr int kTopChain = index(kHighestChainRank);

// What the ranks of a card set look like as a whole.
struct Shape {
  int cards = 0;
  int distinct = 0;     // ranks present
  int low = -1;         // lowest rank present
  int high = -1;        // highest rank present
  bool uniform = true;  // every present rank has the same count...
  int count = 0;        // ... which is this one
  bool both_jokers = false;

  bool consecutive() const { return uniform && high - low + 1 == distinct; }
};

Shape shape_of(const RankCounts& counts) {
  Shape shape;
  for (int r = 0; r < kRankCount; ++r) {
    if (counts[r] == 0) continue;
    shape.cards += counts[r];
    ++shape.distinct;
    if (shape.low < 0) {
      shape.low = r;
      shape.count = counts[r];
    }
    shape.high = r;
    shape.uniform = shape.uniform && counts[r] == shape.count;
  }
  shape.both_jokers = counts[kSmallJoker] != 0 && counts[kBigJoker] != 0;
  return shape;
}

// The shortest chain of each unit size (1: straight, 2: pair chain, 3: airplane body).
constexpr int min_chain(int unit) {
  return unit == 1 ? 5 : unit == 2 ? 3 : 2;
}

void add_uniform(const Shape& shape, Readings& out) {
  const auto combo = [&](ComboType type, int length) {
    out.add({type, rank_at(shape.low), static_cast<std::uint8_t>(length),
             static_cast<std::uint8_t>(shape.cards)});
  };
  if (shape.distinct == 1) {
    constexpr ComboType kByCount[] = {ComboType::kSingle, ComboType::kPair, ComboType::kTriple,
                                      ComboType::kBomb};
    combo(kByCount[shape.count - 1], 1);
    return;
  }
  if (shape.cards == 2 && shape.both_jokers) {
    combo(ComboType::kRocket, 1);
    return;
  }
  if (!shape.consecutive() || shape.high > kTopChain || shape.count > 3) return;
  if (shape.distinct < min_chain(shape.count)) return;
  constexpr ComboType kChainByCount[] = {ComboType::kStraight, ComboType::kPairChain,
                                         ComboType::kAirplane};
  combo(kChainByCount[shape.count - 1], shape.distinct);
}

// Triples (one, or a chain of them) with one wing per triple: `wing` is 1 for single
// wings, 2 for pair wings. Every body of exactly-3 counts that leaves allowed wings is a
// reading. A body rank holds exactly 3 cards, so no wing shares a body rank.
void add_winged(const RankCounts& counts, const Shape& shape, int wing, Readings& out) {
  const int unit = 3 + wing;
  if (shape.cards % unit != 0) return;
  const int length = shape.cards / unit;
  // A lone triple may be of 2s (222 + 3); a chain of triples stops at A.
  const int top = length == 1 ? index(Rank::k2) : kTopChain;
  ComboType type;
  if (wing == 1) {
    if (shape.both_jokers) return;  // the rocket is never wings
    type = length == 1 ? ComboType::kTripleSingle : ComboType::kAirplaneSingles;
  } else {
    type = length == 1 ? ComboType::kTriplePair : ComboType::kAirplanePairs;
  }
  for (int start = 0; start + length - 1 <= top; ++start) {
    bool body = true;
    for (int r = start; r < start + length && body; ++r) body = counts[r] == 3;
    if (!body) continue;
    bool wings_ok = true;
    if (wing == 2) {  // every other rank makes whole pairs (a joker's count is odd: 1)
      for (int r = 0; r < kRankCount && wings_ok; ++r) {
        if (r < start || r >= start + length) wings_ok = counts[r] % 2 == 0;
      }
    }
    if (wings_ok) {
      out.add({type, rank_at(start), static_cast<std::uint8_t>(length),
               static_cast<std::uint8_t>(shape.cards)});
    }
  }
}

void add_four_with_two(const RankCounts& counts, const Shape& shape, Readings& out) {
  if (shape.cards != 6 && shape.cards != 8) return;
  for (int four = 0; four < kSuitedRankCount; ++four) {
    if (counts[four] != 4) continue;
    if (shape.cards == 6) {
      if (!shape.both_jokers) {
        out.add({ComboType::kFourTwoSingles, rank_at(four), 1, 6});
      }
      continue;
    }
    bool pairs = true;
    for (int r = 0; r < kRankCount && pairs; ++r) pairs = r == four || counts[r] % 2 == 0;
    if (pairs) out.add({ComboType::kFourTwoPairs, rank_at(four), 1, 8});
  }
}

InvalidReason reason_for(const Shape& shape) {
  if (shape.cards == 0) return InvalidReason::kEmpty;
  if (shape.both_jokers) return InvalidReason::kRocketSplit;
  if (shape.uniform && shape.count <= 3 && shape.distinct > 1) {
    if (shape.consecutive()) {
      if (shape.high > kTopChain && shape.distinct >= min_chain(shape.count)) {
        return InvalidReason::kTwoOrJokerInChain;
      }
      const int looks_like_chain_from = shape.count == 1 ? 3 : 2;  // 3 4 5, 3 3 4 4
      if (shape.high <= kTopChain && shape.distinct >= looks_like_chain_from) {
        return InvalidReason::kChainTooShort;
      }
    } else if (shape.distinct >= min_chain(shape.count)) {
      return InvalidReason::kNotConsecutive;
    }
  }
  return InvalidReason::kNoSuchCombination;
}

}  // namespace

bool Readings::contains(const Combination& combo) const {
  return std::find(begin(), end(), combo) != end();
}

// Capacity: a set has at most one uniform reading (single ... airplane, bomb, rocket);
// with pair wings every non-body count is even, so the body is the set's only run of
// 3-counts (one reading); with single wings the L wings leave at most 4L/3 ranks of 3,
// so at most L/3 + 1 <= 5 bodies; four + two has at most two fours. Never above 8.
void Readings::add(const Combination& combo) {
  if (size_ < kCapacity) items_[size_++] = combo;
}

void Readings::sort_by_priority() {
  std::sort(items_.begin(), items_.begin() + size_, [](const Combination& a, const Combination& b) {
    if (a.length != b.length) return a.length > b.length;
    if (a.main != b.main) return a.main > b.main;
    return a.type < b.type;
  });
}

Classification classify(const RankCounts& counts) {
  Classification out;
  const Shape shape = shape_of(counts);
  if (shape.cards > 0) {
    add_uniform(shape, out.readings);
    add_winged(counts, shape, 1, out.readings);
    add_winged(counts, shape, 2, out.readings);
    add_four_with_two(counts, shape, out.readings);
    out.readings.sort_by_priority();
  }
  if (out.readings.empty()) out.reason = reason_for(shape);
  return out;
}

bool beats(const Combination& play, const Combination& last) {
  if (is_rocket(last.type)) return false;
  if (is_rocket(play.type)) return true;
  if (is_bomb(play.type)) return !is_bomb(last.type) || play.main > last.main;
  if (is_bomb(last.type)) return false;
  return play.type == last.type && play.length == last.length && play.main > last.main;
}

std::optional<Combination> choose_reading(const Readings& readings,
                                          const std::optional<Combination>& last,
                                          const std::optional<Combination>& intent) {
  for (const Combination& reading : readings) {
    if (intent && reading != *intent) continue;
    if (last && !beats(reading, *last)) continue;
    return reading;
  }
  return std::nullopt;
}

std::string_view to_string(ComboType type) {
  constexpr std::array<std::string_view, kComboTypeCount> kNames = {"single",
                                                                    "pair",
                                                                    "triple",
                                                                    "triple_single",
                                                                    "triple_pair",
                                                                    "straight",
                                                                    "pair_chain",
                                                                    "airplane",
                                                                    "airplane_singles",
                                                                    "airplane_pairs",
                                                                    "four_two_singles",
                                                                    "four_two_pairs",
                                                                    "bomb",
                                                                    "rocket"};
  return kNames[static_cast<int>(type)];
}

std::string_view to_string(InvalidReason reason) {
  switch (reason) {
    case InvalidReason::kNone:
      return "none";
    case InvalidReason::kEmpty:
      return "empty";
    case InvalidReason::kRocketSplit:
      return "rocket_split";
    case InvalidReason::kTwoOrJokerInChain:
      return "two_or_joker_in_chain";
    case InvalidReason::kChainTooShort:
      return "chain_too_short";
    case InvalidReason::kNotConsecutive:
      return "not_consecutive";
    case InvalidReason::kNoSuchCombination:
      return "no_such_combination";
  }
  return "unknown";
}

std::string to_string(const Combination& combo) {
  std::string text(to_string(combo.type));
  if (combo.length > 1) text += " x" + std::to_string(combo.length);
  text += " from ";
  text += to_string(combo.main);
  text += " (" + std::to_string(combo.card_count) + " cards)";
  return text;
}

}  // namespace gh_card
