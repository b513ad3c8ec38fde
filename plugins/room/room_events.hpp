// The room plugin's events, for game plugins: the topics and their payloads
// (room_events.proto). A game plugin subscribes to kGameStartTopic, takes the GameStart of
// its game type, and publishes a GameOver on kGameOverTopic when the game ends.
#pragma once

#include "room_events.pb.h"

namespace gh_room {

inline constexpr const char* kGameStartTopic = "room.game_start";
inline constexpr const char* kGameOverTopic = "room.game_over";

}  // namespace gh_room
