#include "rules/cards.hpp"

#include <algorithm>

namespace gh_card {
namespace {

constexpr std::array<std::string_view, kRankCount> kRankNames = {
    "3", "4", "5", "6", "7", "8", "9", "10", "J", "Q", "K", "A", "2", "SJ", "BJ"};
constexpr std::string_view kSuitLetters = "shdc";

std::optional<Rank> parse_rank(std::string_view text) {
  if (text == "T") return Rank::k10;  // the one-letter ten of many card tools
  for (int r = 0; r < kRankCount; ++r) {
    if (kRankNames[r] == text) return rank_at(r);
  }
  return std::nullopt;
}

// A token split into its rank and, for a normal card with a suit letter, the suit.
struct Token {
  Rank rank;
  std::optional<Suit> suit;
};

std::optional<Token> parse_token(std::string_view text) {
  if (auto rank = parse_rank(text)) return Token{*rank, std::nullopt};
  if (text.size() < 2) return std::nullopt;
  const auto suit = kSuitLetters.find(text.back());
  auto rank = parse_rank(text.substr(0, text.size() - 1));
  if (suit == std::string_view::npos || !rank || index(*rank) >= kSuitedRankCount) {
    return std::nullopt;
  }
  return Token{*rank, static_cast<Suit>(suit)};
}

}  // namespace

CardSet CardSet::of(std::span<const Card> cards) {
  CardSet set;
  for (Card card : cards) set.insert(card);
  return set;
}

RankCounts CardSet::rank_counts() const {
  RankCounts counts{};
  for (int r = 0; r < kRankCount; ++r) counts[r] = static_cast<std::uint8_t>(count(rank_at(r)));
  return counts;
}

CardSet CardSet::lowest_of_rank(Rank rank, int n) const {
  CardSet taken;
  for (std::uint64_t rest = rank_bits(rank); rest != 0 && n > 0; rest &= rest - 1, --n) {
    const int suit = std::countr_zero(rest);
    taken.insert(Card::of(rank, static_cast<Suit>(suit)));
  }
  return taken;
}

std::vector<Card> CardSet::cards() const {
  std::vector<Card> out;
  out.reserve(size());
  for (std::uint64_t rest = bits_; rest != 0; rest &= rest - 1) {
    out.emplace_back(static_cast<std::uint8_t>(std::countr_zero(rest)));
  }
  return out;
}

std::string_view to_string(Rank rank) {
  return kRankNames[index(rank)];
}

std::string to_string(Card card) {
  std::string text(to_string(card.rank()));
  if (card.suit() != Suit::kJoker) text += kSuitLetters[static_cast<int>(card.suit())];
  return text;
}

std::string to_string(CardSet cards) {
  std::string text;
  for (Card card : cards.cards()) {
    if (!text.empty()) text += ' ';
    text += to_string(card);
  }
  return text;
}

std::optional<Card> parse_card(std::string_view text) {
  auto token = parse_token(text);
  if (!token) return std::nullopt;
  return Card::of(token->rank, token->suit.value_or(Suit::kSpades));
}

std::optional<CardSet> parse_cards(std::string_view text) {
  CardSet cards;
  std::vector<Rank> unsuited;  // placed after the suited ones, which they must not take
  while (!text.empty()) {
    const auto start = text.find_first_not_of(' ');
    if (start == std::string_view::npos) break;
    text.remove_prefix(start);
    const auto end = std::min(text.find(' '), text.size());
    auto token = parse_token(text.substr(0, end));
    text.remove_prefix(end);
    if (!token) return std::nullopt;
    if (!token->suit && index(token->rank) < kSuitedRankCount) {
      unsuited.push_back(token->rank);
      continue;
    }
    const Card card = Card::of(token->rank, token->suit.value_or(Suit::kJoker));
    if (cards.contains(card)) return std::nullopt;
    cards.insert(card);
  }
  for (Rank rank : unsuited) {
    const CardSet free = CardSet::full_deck() - cards;
    const CardSet card = free.lowest_of_rank(rank, 1);
    if (card.empty()) return std::nullopt;
    cards = cards | card;
  }
  return cards;
}

}  // namespace gh_card
