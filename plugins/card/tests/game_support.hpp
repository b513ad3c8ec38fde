// Internal to the card rules tests: fixed deals and checks shared by the game tests.
#pragma once

#include <gtest/gtest.h>

#include <string_view>

#include "rules/deck.hpp"
#include "rules/game.hpp"
#include "test_support.hpp"

namespace gh_card::testing {

// A deal written out card by card (each hand 17 cards, the hole 3).
inline Deal deal_of(std::string_view h0, std::string_view h1, std::string_view h2,
                    std::string_view hole) {
  Deal deal{{cards(h0), cards(h1), cards(h2)}, cards(hole)};
  EXPECT_TRUE(is_valid_deal(deal));
  return deal;
}

// Seat 0: four bombs and a 7; seat 1: 777, bombs of 8, 9, 10 and a pair of J; seat 2:
// JJ, bombs of Q, K, A and three 2s; the hole: a 2 and the rocket.
inline Deal bomb_deal() {
  return deal_of("3 3 3 3 4 4 4 4 5 5 5 5 6 6 6 6 7s", "7h 7d 7c 8 8 8 8 9 9 9 9 10 10 10 10 Js Jh",
                 "Jd Jc Q Q Q Q K K K K A A A A 2s 2h 2d", "2c SJ BJ");
}

// The cards of every seat's view that belong to another seat's hand and are not public
// (the hole cards are public once the landlord holds them). Must be empty.
inline CardSet leaked(const Game& game, Seat seat) {
  const SeatView view = game.view(seat);
  CardSet seen = view.hand;
  if (view.hole) seen = seen | *view.hole;
  if (view.last_play) seen = seen | view.last_play->cards;
  for (const Action& action : view.history) seen = seen | action.cards;
  for (const Action& action : view.history) {
    for (CardSet hand : action.deal.hands) seen = seen | hand;
    seen = seen | action.deal.hole;
  }
  CardSet others;
  CardSet held;
  for (Seat s = 0; s < kSeats; ++s) {
    held = held | game.hand(s);
    if (s != seat) others = others | game.hand(s);
  }
  if (game.hole()) {
    others = others - *game.hole();
  } else {  // while bidding, the hole is what nobody holds
    others = others | (CardSet::full_deck() - held);
  }
  return seen & others;
}

}  // namespace gh_card::testing
