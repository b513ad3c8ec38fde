// Internal header: the operator console, the static page the admin listener serves at
// /console (docs/operations.md, "Console"). Its files (host/admin/console/) are compiled
// into the binary at build time (console/embed.cmake); the page calls the admin API with
// the operator's token, the files themselves need none (they hold no secret).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace gamehost::admin::console {

// One embedded file: its name under /console/, its Content-Type and its bytes.
struct Asset {
  std::string_view name;
  std::string_view content_type;
  std::string_view body;
};
extern const Asset kAssets[];  // generated: console_assets.cpp in the build tree
extern const std::size_t kAssetCount;

const Asset* find(std::string_view name);

struct Answer {
  int status = 200;
  std::string_view content_type;
  std::string body;
  std::string_view allow;  // the Allow header of a 405, else empty
};

// The answer to `method target` when target's path is /console or under /console/
// (index.html for /console and /console/, 404 for a file that is not embedded, 405 for a
// method other than GET); nullopt for any other path, which is the API's.
std::optional<Answer> serve(std::string_view method, std::string_view target);

// Headers of every console answer: revalidated on each load, and a policy that lets the
// page load and call nothing but its own origin (no inline script or style, no frames).
inline constexpr std::pair<std::string_view, std::string_view> kHeaders[] = {
    {"Cache-Control", "no-cache"},
    {"Content-Security-Policy",
     "default-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "no-referrer"},
};

}  // namespace gamehost::admin::console
