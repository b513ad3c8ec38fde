// Internal to the auth plugin: its error codes, in one place (the protocol documentation
// lists them from here). All inside the plugin's range 1000-1099; the message ids are in
// protocol.hpp.
#pragma once

#include <cstdint>

namespace gh_auth {

namespace err {
constexpr std::uint32_t kInvalidUsername = 1080;    // username breaks the length/charset rules
constexpr std::uint32_t kWeakPassword = 1081;       // password too short/long or not mixed
constexpr std::uint32_t kNameTaken = 1082;          // username exists (compared case-insensitively)
constexpr std::uint32_t kUnknownUser = 1083;        // no account with that username
constexpr std::uint32_t kWrongPassword = 1084;      // the password does not match
constexpr std::uint32_t kInvalidToken = 1085;       // malformed, bad signature, or unknown user
constexpr std::uint32_t kTokenExpired = 1086;       // the token's exp has passed
constexpr std::uint32_t kTokenRevoked = 1087;       // the token was revoked by a logout
constexpr std::uint32_t kRateLimited = 1088;        // too many failed logins; wait and retry
constexpr std::uint32_t kAlreadyLoggedIn = 1089;    // duplicate_login = "refuse_new"
constexpr std::uint32_t kNotGuest = 1090;           // bind credentials on a non-guest account
constexpr std::uint32_t kInvalidDeviceId = 1091;    // device id empty, too long or bad chars
constexpr std::uint32_t kLoggedInElsewhere = 1092;  // kick code: a newer login took over
constexpr std::uint32_t kDeviceAccountBound = 1093;  // guest login of an account with a name
}  // namespace err

}  // namespace gh_auth
