// The ids of the SDK 1.3 test plugins' messages, declared once.
#pragma once

#include <gamehost/messages.hpp>

#include "sdk13.pb.h"

// [store-messages]
#define SDK13_STORE_MESSAGES(X)       \
  X(100400, gamehost::sdk13::Put)     \
  X(100401, gamehost::sdk13::PutDone) \
  X(100402, gamehost::sdk13::Get)     \
  X(100403, gamehost::sdk13::Got)
GAMEHOST_MESSAGES(SDK13_STORE_MESSAGES)
// [store-messages]

#define SDK13_ASKER_MESSAGES(X)            \
  X(100410, gamehost::sdk13::Ask)          \
  X(100411, gamehost::sdk13::Answer)       \
  X(100412, gamehost::sdk13::HowManyHeard) \
  X(100413, gamehost::sdk13::Heard)
GAMEHOST_MESSAGES(SDK13_ASKER_MESSAGES)

#define SDK13_BOARD_MESSAGES(X)         \
  X(100420, gamehost::sdk13::AddPoints) \
  X(100421, gamehost::sdk13::Total)     \
  X(100422, gamehost::sdk13::RoundOver) \
  X(100423, gamehost::sdk13::Tap)       \
  X(100424, gamehost::sdk13::Tapped)
GAMEHOST_MESSAGES(SDK13_BOARD_MESSAGES)
