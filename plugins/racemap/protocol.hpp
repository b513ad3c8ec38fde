// Internal to the racemap plugin: its client message types and their ids, declared once.
// Range 3100-3199 (3180-3199 are error codes, errors.hpp).
#pragma once

#include <gamehost/messages.hpp>

#include "racemap.pb.h"

#define RACEMAP_MESSAGES(X)                  \
  X(3100, gamehost::racemap::PassCheckpoint) \
  X(3101, gamehost::racemap::PassAccepted)   \
  X(3102, gamehost::racemap::ReportPosition) \
  X(3103, gamehost::racemap::RaceView)       \
  X(3104, gamehost::racemap::RaceEvent)      \
  X(3105, gamehost::racemap::Standings)      \
  X(3106, gamehost::racemap::RaceResult)     \
  X(3107, gamehost::racemap::GetRace)        \
  X(3108, gamehost::racemap::GetLeaderboard) \
  X(3109, gamehost::racemap::Leaderboard)    \
  X(3110, gamehost::racemap::GetTracks)      \
  X(3111, gamehost::racemap::Tracks)
GAMEHOST_MESSAGES(RACEMAP_MESSAGES)
