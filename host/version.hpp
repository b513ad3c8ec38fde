// Internal header: the host's version, from the CMake project version.
#pragma once

namespace gamehost {
#ifndef GAMEHOST_VERSION
#define GAMEHOST_VERSION "0.0.0-dev"
#endif
inline constexpr const char* kHostVersion = GAMEHOST_VERSION;
}  // namespace gamehost
