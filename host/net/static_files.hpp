// Internal header: the static files the WebSocket port serves to a browser at "/" (the demo
// page and the JS client), from one configured directory ([listen] web_root). A plain HTTP
// GET or HEAD on the WebSocket port is answered from it; an upgrade request goes on to the
// WebSocket handshake. Read-only, no directory listings, nothing outside the root.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace gamehost::net {

class StaticFiles {
 public:
  // `root` must be an existing directory (the config loader checks it).
  explicit StaticFiles(const std::filesystem::path& root);

  // The whole HTTP/1.1 answer (status line, headers, body) to `method` on `target` (the
  // request line's target, percent-encoded, with any query). Always "Connection: close".
  std::string respond(std::string_view method, std::string_view target) const;

  // Files larger than this are not served (413): the answer is built in memory.
  static constexpr std::size_t kMaxFileBytes = std::size_t{16} << 20;

 private:
  std::filesystem::path root_;  // canonical
};

}  // namespace gamehost::net
