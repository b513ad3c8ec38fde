// Internal to the battlemap plugin: its client message types and their ids, declared once.
// Range 3000-3099 (3080-3099 are error codes, errors.hpp).
#pragma once

#include <gamehost/messages.hpp>

#include "battlemap.pb.h"

#define BATTLEMAP_MESSAGES(X)              \
  X(3000, gamehost::battlemap::Enter)      \
  X(3001, gamehost::battlemap::Entered)    \
  X(3002, gamehost::battlemap::Move)       \
  X(3003, gamehost::battlemap::Correction) \
  X(3004, gamehost::battlemap::Leave)      \
  X(3005, gamehost::battlemap::Left)       \
  X(3006, gamehost::battlemap::ViewUpdate) \
  X(3007, gamehost::battlemap::Say)        \
  X(3008, gamehost::battlemap::WorldSay)   \
  X(3009, gamehost::battlemap::ChatLine)
GAMEHOST_MESSAGES(BATTLEMAP_MESSAGES)
