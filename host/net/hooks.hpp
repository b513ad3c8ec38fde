// Internal header: what a connection tells the rest of the host. Called on network threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "session/session.hpp"

namespace gamehost::net {

class ConnectionHooks {
 public:
  virtual ~ConnectionHooks() = default;
  // The connection is admitted and ready to send (the Hello frame goes out here).
  virtual void on_open(const std::shared_ptr<session::Session>& session) = 0;
  // One complete frame; `payload` is valid only during the call.
  virtual void on_frame(session::Session& session, std::uint32_t msg_id,
                        std::string_view payload) = 0;
  // A frame or connection refused by the network layer itself (for metrics).
  virtual void on_refused(std::uint32_t code) = 0;
  // The connection is gone; called once, after on_open.
  virtual void on_close(const std::shared_ptr<session::Session>& session) = 0;
};

// Limits a connection enforces itself (config [limits]).
class StaticFiles;

struct ConnectionLimits {
  std::uint32_t max_frame_bytes = 64 * 1024;
  std::uint32_t send_queue_frames = 1024;
  std::uint32_t send_queue_bytes = 32U << 20;  // payload bytes waiting for the socket
  std::uint32_t idle_timeout_ms = 60000;
  std::uint32_t login_timeout_ms = 30000;  // 0: no deadline to log in
  std::uint32_t handshake_timeout_ms = 5000;  // WebSocket: accept to completed handshake
  std::uint32_t rate_per_second = 200;
  std::uint32_t rate_burst = 400;
  // WebSocket only: answers plain HTTP GETs (the demo page); null = upgrades only.
  const StaticFiles* web = nullptr;
};

}  // namespace gamehost::net
