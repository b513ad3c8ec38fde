#include "rules/hand_search.hpp"

#include <algorithm>
#include <cstdint>

namespace gh_card {
namespace {

constexpr int kSmallJoker = index(Rank::kSmallJoker);
constexpr int kBigJoker = index(Rank::kBigJoker);
constexpr int kTwo = index(Rank::k2);
constexpr int kTopChain = index(kHighestChainRank);

// A play's ranks packed 3 bits per rank, rank r at bit 3r: built without touching the
// hand's bits, and as a number it orders plays by "fewer high cards" (the last key of
// play_less).
using Packed = std::uint64_t;
constexpr Packed cards_of(int rank, int n) {
  return Packed(n) << (3 * rank);
}

Packed pack(const RankCounts& counts) {
  Packed key = 0;
  for (int r = 0; r < kRankCount; ++r) key += cards_of(r, counts[r]);
  return key;
}

struct Candidate {
  Packed key;
  Combination combo;
};

int category(ComboType type) {
  return is_rocket(type) ? 2 : is_bomb(type) ? 1 : 0;
}

bool candidate_less(const Candidate& a, const Candidate& b) {
  const int ca = category(a.combo.type), cb = category(b.combo.type);
  if (ca != cb) return ca < cb;
  if (a.combo.main != b.combo.main) return a.combo.main < b.combo.main;
  if (a.key != b.key) return a.key < b.key;
  // One card set read two ways (333444555666 as four triples or three with wings).
  if (a.combo.type != b.combo.type) return a.combo.type < b.combo.type;
  return a.combo.length < b.combo.length;
}

CardSet cards_for(CardSet hand, Packed key) {
  CardSet cards;
  for (int r = 0; key != 0; ++r, key >>= 3) {
    if (const int n = static_cast<int>(key & 7)) cards = cards | hand.lowest_of_rank(rank_at(r), n);
  }
  return cards;
}

// Calls emit(Candidate) for every play of one hand that a ComboType and length allow,
// with a main rank of at least min_main. Never allocates.
template <class Emit>
class PlayGenerator {
 public:
  PlayGenerator(const RankCounts& counts, Emit& emit) : counts_(counts), emit_(emit) {}

  void all_leads() {
    for (int type = 0; type < kComboTypeCount; ++type) {
      const auto t = static_cast<ComboType>(type);
      for (int length = min_length(t); length <= max_length(t); ++length) of_type(t, length, 0);
    }
  }

  void beating(const Combination& last) {
    if (is_rocket(last.type)) return;
    if (!is_bomb(last.type)) of_type(last.type, last.length, index(last.main) + 1);
    of_type(ComboType::kBomb, 1, is_bomb(last.type) ? index(last.main) + 1 : 0);
    of_type(ComboType::kRocket, 1, 0);
  }

 private:
  static int min_length(ComboType type) {
    switch (type) {
      case ComboType::kStraight:
        return 5;
      case ComboType::kPairChain:
        return 3;
      case ComboType::kAirplane:
      case ComboType::kAirplaneSingles:
      case ComboType::kAirplanePairs:
        return 2;
      default:
        return 1;
    }
  }
  // Bounded by the chain range 3..A and by a hand of at most 20 cards.
  static int max_length(ComboType type) {
    switch (type) {
      case ComboType::kStraight:
        return 12;
      case ComboType::kPairChain:
        return 10;
      case ComboType::kAirplane:
        return 6;
      case ComboType::kAirplaneSingles:
        return 5;
      case ComboType::kAirplanePairs:
        return 4;
      default:
        return 1;
    }
  }

  void emit(Packed key, ComboType type, int main, int length, int cards) {
    emit_(Candidate{key, Combination{type, rank_at(main), static_cast<std::uint8_t>(length),
                                     static_cast<std::uint8_t>(cards)}});
  }

  void of_type(ComboType type, int length, int min_main) {
    switch (type) {
      case ComboType::kSingle:
        return groups(1, kBigJoker, min_main, type);
      case ComboType::kPair:
        return groups(2, kTwo, min_main, type);
      case ComboType::kTriple:
        return groups(3, kTwo, min_main, type);
      case ComboType::kBomb:
        return groups(4, kTwo, min_main, type);
      case ComboType::kRocket:
        if (counts_[kSmallJoker] && counts_[kBigJoker]) {
          emit(cards_of(kSmallJoker, 1) + cards_of(kBigJoker, 1), type, kSmallJoker, 1, 2);
        }
        return;
      case ComboType::kStraight:
        return chains(1, length, min_main, type);
      case ComboType::kPairChain:
        return chains(2, length, min_main, type);
      case ComboType::kAirplane:
        return chains(3, length, min_main, type);
      case ComboType::kTripleSingle:
      case ComboType::kAirplaneSingles:
        return winged(length, 1, min_main, type);
      case ComboType::kTriplePair:
      case ComboType::kAirplanePairs:
        return winged(length, 2, min_main, type);
      case ComboType::kFourTwoSingles:
        return four_with_two(1, min_main, type);
      case ComboType::kFourTwoPairs:
        return four_with_two(2, min_main, type);
    }
  }

  // n cards of one rank (single, pair, triple, bomb).
  void groups(int n, int top, int min_main, ComboType type) {
    for (int r = min_main; r <= top; ++r) {
      if (counts_[r] >= n) emit(cards_of(r, n), type, r, 1, n);
    }
  }

  bool has_run(int start, int length, int n) const {
    for (int r = start; r < start + length; ++r) {
      if (counts_[r] < n) return false;
    }
    return true;
  }

  Packed run(int start, int length, int n) const {
    Packed key = 0;
    for (int r = start; r < start + length; ++r) key += cards_of(r, n);
    return key;
  }

  void chains(int n, int length, int min_main, ComboType type) {
    for (int start = min_main; start + length - 1 <= kTopChain; ++start) {
      if (has_run(start, length, n)) emit(run(start, length, n), type, start, length, n * length);
    }
  }

  // Triples (one, or a chain) with one wing of `wing` cards per triple.
  void winged(int length, int wing, int min_main, ComboType type) {
    const int top = length == 1 ? kTwo : kTopChain;
    for (int start = min_main; start + length - 1 <= top; ++start) {
      if (!has_run(start, length, 3)) continue;
      RankCounts units{};  // wings available per rank: never a body rank
      for (int r = 0; r < kRankCount; ++r) {
        if (r >= start && r < start + length) continue;
        units[r] = static_cast<std::uint8_t>(wing == 1 ? counts_[r] : counts_[r] / 2);
      }
      choose_wings(units, wing, 0, length, run(start, length, 3),
                   [&](Packed key) { emit(key, type, start, length, (3 + wing) * length); });
    }
  }

  void four_with_two(int wing, int min_main, ComboType type) {
    for (int four = min_main; four <= kTwo; ++four) {
      if (counts_[four] != 4) continue;
      RankCounts units{};
      for (int r = 0; r < kRankCount; ++r) {
        if (r != four)
          units[r] = static_cast<std::uint8_t>(wing == 1 ? counts_[r] : counts_[r] / 2);
      }
      choose_wings(units, wing, 0, 2, cards_of(four, 4),
                   [&](Packed key) { emit(key, type, four, 1, 4 + 2 * wing); });
    }
  }

  // Every multiset of `left` wings from units[from..], each `wing` cards of one rank, on
  // top of `key`; never both jokers (the rocket is not two wings).
  template <class Done>
  static void choose_wings(const RankCounts& units, int wing, int from, int left, Packed key,
                           const Done& done) {
    if (left == 0) {
      done(key);
      return;
    }
    for (int r = from; r < kRankCount; ++r) {
      if (units[r] == 0) continue;
      if (r == kBigJoker && (key >> (3 * kSmallJoker) & 7) != 0) continue;
      const int most = std::min<int>(units[r], left);
      for (int k = 1; k <= most; ++k) {
        choose_wings(units, wing, r + 1, left - k, key + cards_of(r, k * wing), done);
      }
    }
  }

  const RankCounts counts_;  // a copy: callers pass a temporary
  Emit& emit_;
};

template <class Emit>
PlayGenerator(const RankCounts&, Emit&) -> PlayGenerator<Emit>;

}  // namespace

bool play_less(const Play& a, const Play& b) {
  return candidate_less({pack(a.cards.rank_counts()), a.combo},
                        {pack(b.cards.rank_counts()), b.combo});
}

std::vector<Play> legal_plays(CardSet hand, const std::optional<Combination>& last) {
  std::vector<Play> plays;
  auto collect = [&](const Candidate& c) { plays.push_back({cards_for(hand, c.key), c.combo}); };
  PlayGenerator generator(hand.rank_counts(), collect);
  if (last) {
    generator.beating(*last);
  } else {
    generator.all_leads();
  }
  return plays;
}

std::optional<Play> smallest_beating(CardSet hand, const Combination& last) {
  std::optional<Candidate> best;
  auto keep_smallest = [&](const Candidate& c) {
    if (!best || candidate_less(c, *best)) best = c;
  };
  PlayGenerator generator(hand.rank_counts(), keep_smallest);
  generator.beating(last);
  if (!best) return std::nullopt;
  return Play{cards_for(hand, best->key), best->combo};
}

Play smallest_lead(CardSet hand) {
  const Card lowest(static_cast<std::uint8_t>(std::countr_zero(hand.bits())));
  return Play{CardSet::of(std::span<const Card>(&lowest, 1)),
              Combination{ComboType::kSingle, lowest.rank(), 1, 1}};
}

}  // namespace gh_card
