// Internal to the card plugin: the plays a hand can make, for the server's auto-play and
// for bots (which call it thousands of times a second: no allocation in smallest_*).
//
// Plays are distinct by the ranks they use and by their reading: suits never matter, so
// a play takes the lowest suits of each rank from the hand, and a card set with two
// readings (44445555: four + two pairs on 4 or on 5) is two plays.
//
// "Smallest" is this order (play_less): a non-bomb before a bomb before the rocket; then
// the lower main rank; then the play that uses fewer high cards (the rank counts compared
// from the big joker down); then by ComboType and length (one card set read two ways).
// A total order on distinct plays. So smallest_lead is the lowest single in the hand, and
// smallest_beating is the cheapest way to beat: a single 5 over a single 4 before a pair,
// any non-bomb before a bomb.
#pragma once

#include <optional>
#include <vector>

#include "rules/cards.hpp"
#include "rules/combination.hpp"

namespace gh_card {

struct Play {
  CardSet cards;
  Combination combo;

  friend bool operator==(const Play&, const Play&) = default;
};

bool play_less(const Play& a, const Play& b);

// Every play of `hand` that beats `last`, or every lead when `last` is nothing. In no
// particular order; a full 20-card hand may have a few thousand leads (wings).
std::vector<Play> legal_plays(CardSet hand, const std::optional<Combination>& last);

// The smallest play of `hand` that beats `last`; nothing means the hand must pass.
std::optional<Play> smallest_beating(CardSet hand, const Combination& last);

// The smallest lead of a non-empty hand: its lowest single.
Play smallest_lead(CardSet hand);

}  // namespace gh_card
