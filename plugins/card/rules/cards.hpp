// Internal to the card plugin: the 54 cards of Dou Dizhu, sets of them, and their text form.
//
// A card is an id 0..53: the 52 normal cards are rank * 4 + suit (so ids sort by rank),
// 52 is the small joker and 53 the big joker. A CardSet is a 64-bit mask of ids: a hand,
// a play or the hole cards, copied and compared in one instruction, and the cards of one
// rank are one 4-bit group of it (bits 4r..4r+3; the jokers are bits 52 and 53).
//
// Text form (logs, tests): rank then suit letter, "3s 10h Qd Ac 2c", jokers "SJ" and "BJ".
// Suits: s(pades), h(earts), d(iamonds), c(lubs). parse_cards also takes a rank without a
// suit ("3 3 4 4 5 5"): it means the lowest suit of that rank not yet used in the text.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gh_card {

// Ranks in playing order, lowest first; the enum value is the rank's strength.
enum class Rank : std::uint8_t {
  k3,
  k4,
  k5,
  k6,
  k7,
  k8,
  k9,
  k10,
  kJ,
  kQ,
  kK,
  kA,
  k2,
  kSmallJoker,
  kBigJoker
};
inline constexpr int kRankCount = 15;
inline constexpr int kSuitedRankCount = 13;  // 3..2: four cards each
// Straights, pair chains and airplane bodies run from 3 up to A at most (never 2 or jokers).
inline constexpr Rank kHighestChainRank = Rank::kA;

enum class Suit : std::uint8_t { kSpades, kHearts, kDiamonds, kClubs, kJoker };

constexpr int index(Rank rank) {
  return static_cast<int>(rank);
}
constexpr Rank rank_at(int index) {
  return static_cast<Rank>(index);
}

// How many cards of each rank a set holds, indexed by index(rank).
using RankCounts = std::array<std::uint8_t, kRankCount>;

class Card {
 public:
  static constexpr std::uint8_t kSmallJokerId = 52;
  static constexpr std::uint8_t kBigJokerId = 53;
  static constexpr int kDeckSize = 54;

  constexpr Card() = default;  // the 3 of spades
  constexpr explicit Card(std::uint8_t id) : id_(id) {}
  // `suit` is ignored for the jokers.
  static constexpr Card of(Rank rank, Suit suit) {
    if (rank == Rank::kSmallJoker) return Card(kSmallJokerId);
    if (rank == Rank::kBigJoker) return Card(kBigJokerId);
    return Card(static_cast<std::uint8_t>(index(rank) * 4 + static_cast<int>(suit)));
  }

  constexpr std::uint8_t id() const { return id_; }
  constexpr Rank rank() const {
    return id_ < kSmallJokerId ? rank_at(id_ / 4) : rank_at(kSuitedRankCount + id_ - kSmallJokerId);
  }
  constexpr Suit suit() const {
    return id_ < kSmallJokerId ? static_cast<Suit>(id_ % 4) : Suit::kJoker;
  }

  friend constexpr bool operator==(Card, Card) = default;
  friend constexpr auto operator<=>(Card, Card) = default;

 private:
  std::uint8_t id_ = 0;
};

class CardSet {
 public:
  constexpr CardSet() = default;
  static constexpr CardSet from_bits(std::uint64_t bits) { return CardSet(bits); }
  static constexpr CardSet full_deck() {
    return CardSet((std::uint64_t{1} << Card::kDeckSize) - 1);
  }
  static CardSet of(std::span<const Card> cards);

  constexpr std::uint64_t bits() const { return bits_; }
  constexpr int size() const { return std::popcount(bits_); }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr bool contains(Card card) const { return (bits_ >> card.id()) & 1; }
  constexpr bool contains_all(CardSet other) const { return (other.bits_ & ~bits_) == 0; }
  constexpr void insert(Card card) { bits_ |= std::uint64_t{1} << card.id(); }
  constexpr void erase(Card card) { bits_ &= ~(std::uint64_t{1} << card.id()); }

  // The cards of one rank, as a mask in the low 4 bits (1 bit for a joker).
  constexpr std::uint64_t rank_bits(Rank rank) const {
    const int r = index(rank);
    return r < kSuitedRankCount ? (bits_ >> (4 * r)) & 0xF
                                : (bits_ >> (Card::kSmallJokerId + r - kSuitedRankCount)) & 1;
  }
  constexpr int count(Rank rank) const { return std::popcount(rank_bits(rank)); }
  RankCounts rank_counts() const;

  // The `n` cards of `rank` with the lowest suits in this set (fewer if it holds fewer).
  CardSet lowest_of_rank(Rank rank, int n) const;

  // Ascending by id, so by rank.
  std::vector<Card> cards() const;

  friend constexpr CardSet operator|(CardSet a, CardSet b) { return CardSet(a.bits_ | b.bits_); }
  friend constexpr CardSet operator&(CardSet a, CardSet b) { return CardSet(a.bits_ & b.bits_); }
  // Set difference: the cards of `a` that are not in `b`.
  friend constexpr CardSet operator-(CardSet a, CardSet b) { return CardSet(a.bits_ & ~b.bits_); }
  friend constexpr bool operator==(CardSet, CardSet) = default;

 private:
  constexpr explicit CardSet(std::uint64_t bits) : bits_(bits) {}
  std::uint64_t bits_ = 0;
};

std::string_view to_string(Rank rank);
std::string to_string(Card card);
// The cards in ascending order, separated by spaces; "" for none.
std::string to_string(CardSet cards);

std::optional<Card> parse_card(std::string_view text);
// Space-separated cards as described at the top; nothing when a token is not a card, a card
// is named twice, or a rank is asked for more often than it has cards.
std::optional<CardSet> parse_cards(std::string_view text);

}  // namespace gh_card
