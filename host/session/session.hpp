// Internal header: a client session, as every part of the host sees it. Sessions belong to
// the host, never to a plugin, so plugins can be swapped while players stay connected.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace gamehost::session {

using SessionId = std::uint64_t;
using UserId = std::uint64_t;
using Payload = std::shared_ptr<const std::string>;

enum class Transport : std::uint32_t { tcp = 1, websocket = 2 };

// Host-reserved message ids (docs/protocol.md).
namespace host_ids {
inline constexpr std::uint32_t kHeartbeat = 1;
inline constexpr std::uint32_t kError = 2;
inline constexpr std::uint32_t kKick = 3;
inline constexpr std::uint32_t kHello = 4;
}  // namespace host_ids

class Session {
 public:
  Session(SessionId id, Transport transport, std::string remote_ip, std::uint16_t remote_port,
          std::uint64_t connected_at_ms);
  virtual ~Session() = default;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  SessionId id() const noexcept { return id_; }
  Transport transport() const noexcept { return transport_; }
  const std::string& remote_ip() const noexcept { return remote_ip_; }
  const std::string& remote_address() const noexcept { return remote_address_; }
  std::uint64_t connected_at_ms() const noexcept { return connected_at_ms_; }

  // Thread-safe.
  UserId user() const noexcept { return user_.load(std::memory_order_acquire); }
  void set_user(UserId user) noexcept { user_.store(user, std::memory_order_release); }

  // Thread-safe. An empty value removes the property.
  void set_property(const std::string& key, std::string value);
  std::optional<std::string> property(const std::string& key) const;

  // Thread-safe: queue one frame for the client. Never blocks; a client that does not read
  // is closed (GH_CODE_SLOW_READER) once its send queue is full. No-op once closing.
  virtual void send(std::uint32_t msg_id, Payload payload) = 0;
  // Thread-safe: an Error frame answering `request_id`.
  void send_error(std::uint32_t code, std::uint32_t request_id, const std::string& text);
  // Thread-safe: a Kick frame, then close once it is written (or after a short grace).
  virtual void kick(std::uint32_t code, const std::string& text) = 0;
  // Thread-safe: close now, without a notice.
  virtual void close() = 0;
  virtual bool is_open() const noexcept = 0;

 private:
  const SessionId id_;
  const Transport transport_;
  const std::string remote_ip_;
  const std::string remote_address_;
  const std::uint64_t connected_at_ms_;
  std::atomic<UserId> user_{0};
  mutable std::mutex props_mutex_;
  std::map<std::string, std::string> props_;
};

// Shares one encoded payload between many sends (a broadcast is encoded once).
inline Payload make_payload(std::string bytes) {
  return std::make_shared<const std::string>(std::move(bytes));
}

}  // namespace gamehost::session
