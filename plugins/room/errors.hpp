// Internal to the room plugin: the error codes clients see (docs/protocol.md lists them).
#pragma once

#include <cstdint>

namespace gh_room {

inline constexpr std::uint32_t kErrNoSuchRoom = 2080;  // unknown room id, or it closed
inline constexpr std::uint32_t kErrRoomFull = 2081;    // every seat is taken or reserved
inline constexpr std::uint32_t kErrWrongPassword = 2082;
inline constexpr std::uint32_t kErrAlreadyInRoom = 2083;  // leave the current room first
inline constexpr std::uint32_t kErrNotInRoom = 2084;
inline constexpr std::uint32_t kErrNotOwner = 2085;         // only the owner may kick
inline constexpr std::uint32_t kErrGameRunning = 2086;      // not while the room plays
inline constexpr std::uint32_t kErrUnknownGameType = 2087;  // not in the games setting
inline constexpr std::uint32_t kErrBadSeats = 2088;         // outside the game type's range
inline constexpr std::uint32_t kErrBadText = 2089;  // name, password or chat too long / not UTF-8
inline constexpr std::uint32_t kErrChatTooFast = 2090;
inline constexpr std::uint32_t kErrNoReservation = 2091;  // ConfirmSeat without a held seat
inline constexpr std::uint32_t kErrNotAMember = 2092;     // kick target is not in the room
inline constexpr std::uint32_t kErrTooManyRooms = 2093;   // max_rooms reached; try later
inline constexpr std::uint32_t kErrReservedSeat = 2094;   // confirm the seat first (ready/chat)

}  // namespace gh_room
