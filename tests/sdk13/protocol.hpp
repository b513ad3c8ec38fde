// The ids of the two SDK 1.3 test plugins' messages, declared once.
#pragma once

#include <gamehost/messages.hpp>

#include "sdk13.pb.h"

#define SDK13_STORE_MESSAGES(X)       \
  X(100400, gamehost::sdk13::Put)     \
  X(100401, gamehost::sdk13::PutDone) \
  X(100402, gamehost::sdk13::Get)     \
  X(100403, gamehost::sdk13::Got)
GAMEHOST_MESSAGES(SDK13_STORE_MESSAGES)

#define SDK13_ASKER_MESSAGES(X)   \
  X(100410, gamehost::sdk13::Ask) \
  X(100411, gamehost::sdk13::Answer)
GAMEHOST_MESSAGES(SDK13_ASKER_MESSAGES)
