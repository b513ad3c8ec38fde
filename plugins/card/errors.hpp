// Internal to the card plugin: the error codes clients see (docs/protocol.md lists them),
// one per reason the rules refuse an action (rules/game.hpp GameError) plus the plugin's.
#pragma once

#include <cstdint>

#include "rules/game.hpp"

namespace gh_card {

inline constexpr std::uint32_t kErrNotInGame = 2180;   // the sender plays no game
inline constexpr std::uint32_t kErrWrongPhase = 2181;  // a bid while playing, a play while bidding
inline constexpr std::uint32_t kErrBidOutOfTurn = 2182;
inline constexpr std::uint32_t kErrBidOutOfRange = 2183;  // not 0-3
inline constexpr std::uint32_t kErrBidNotHigher = 2184;
inline constexpr std::uint32_t kErrNotYourTurn = 2185;
inline constexpr std::uint32_t kErrNotHeld = 2186;  // cards the player does not hold
inline constexpr std::uint32_t kErrInvalidCombination = 2187;
inline constexpr std::uint32_t kErrDoesNotBeat = 2188;
inline constexpr std::uint32_t kErrMustLead = 2189;  // the leader may not pass
inline constexpr std::uint32_t kErrBadCard = 2190;   // a card id above 53, or twice

// The wire code of a refusal (GameError::kOk is not one).
inline std::uint32_t error_code(GameError e) {
  switch (e) {
    case GameError::kBidOutOfTurn:
      return kErrBidOutOfTurn;
    case GameError::kBidOutOfRange:
      return kErrBidOutOfRange;
    case GameError::kBidNotHigher:
      return kErrBidNotHigher;
    case GameError::kNotYourTurn:
      return kErrNotYourTurn;
    case GameError::kNotHeld:
      return kErrNotHeld;
    case GameError::kInvalidCombination:
    case GameError::kNotThatCombination:
      return kErrInvalidCombination;
    case GameError::kDoesNotBeat:
      return kErrDoesNotBeat;
    case GameError::kMustLead:
      return kErrMustLead;
    default:
      return kErrWrongPhase;  // kWrongPhase; kBadSeat/kInvalidDeal are the server's bugs
  }
}

}  // namespace gh_card
