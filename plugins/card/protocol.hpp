// Internal to the card plugin: its client message types and their ids, declared once.
// Range 2100-2199 (2180-2199 are error codes, errors.hpp).
#pragma once

#include <gamehost/messages.hpp>

#include "card.pb.h"

#define CARD_MESSAGES(X)                  \
  X(2100, gamehost::card::Bid)            \
  X(2101, gamehost::card::Play)           \
  X(2102, gamehost::card::ActionDone)     \
  X(2103, gamehost::card::GameView)       \
  X(2104, gamehost::card::GameEvent)      \
  X(2105, gamehost::card::GetGame)        \
  X(2106, gamehost::card::SetAutoPlay)    \
  X(2107, gamehost::card::GetRecentGames) \
  X(2108, gamehost::card::RecentGames)
GAMEHOST_MESSAGES(CARD_MESSAGES)
