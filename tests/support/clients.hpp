// Test support: blocking game clients over TCP and WebSocket, speaking the wire format of
// docs/protocol.md. Each receive has a timeout so a broken host fails a test, never hangs it.
#pragma once

#include <google/protobuf/message_lite.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "gamehost/host.pb.h"

namespace gamehost::testing {

using namespace std::chrono_literals;

struct Frame {
  std::uint32_t msg_id = 0;
  std::string payload;

  template <class Msg>
  Msg as() const {
    Msg m;
    if (!m.ParseFromString(payload))
      throw std::runtime_error("frame does not decode as " + m.GetTypeName());
    return m;
  }
};

// One plain HTTP GET on 127.0.0.1:port (the admin API's open endpoints); the whole response.
std::string http_get(std::uint16_t port, const std::string& path);

class Client {
 public:
  virtual ~Client() = default;
  virtual void send(std::uint32_t msg_id, const std::string& payload) = 0;
  // The next frame, or nullopt on timeout or when the host closed the connection.
  virtual std::optional<Frame> recv(std::chrono::milliseconds timeout = 5s) = 0;
  // True when the host closes the connection within `timeout` (frames before it are dropped).
  virtual bool closed_within(std::chrono::milliseconds timeout) = 0;

  void send(std::uint32_t msg_id, const google::protobuf::MessageLite& m) {
    send(msg_id, m.SerializeAsString());
  }
  // The next frame, which must have `msg_id` (throws with what came instead).
  Frame expect(std::uint32_t msg_id, std::chrono::milliseconds timeout = 5s);
  // The next frame, which must be an Error answering `request_id`.
  wire::Error expect_error(std::uint32_t request_id, std::chrono::milliseconds timeout = 5s);
  // The next frame, which must be a Kick; then the connection must close.
  wire::Kick expect_kick(std::chrono::milliseconds timeout = 5s);

  wire::Hello hello;
};

class TcpClient final : public Client {
 public:
  // Connects to 127.0.0.1:port and reads the Hello frame.
  explicit TcpClient(std::uint16_t port, bool read_hello = true);
  ~TcpClient() override;
  void send(std::uint32_t msg_id, const std::string& payload) override;
  using Client::send;
  void send_raw(const std::string& bytes);
  std::optional<Frame> recv(std::chrono::milliseconds timeout = 5s) override;
  bool closed_within(std::chrono::milliseconds timeout) override;
  void shutdown_write();

 private:
  bool fill(std::size_t need, std::chrono::steady_clock::time_point deadline);
  int fd_ = -1;
  std::string buffer_;
  bool eof_ = false;
};

class WsClient final : public Client {
 public:
  explicit WsClient(std::uint16_t port);
  ~WsClient() override;
  void send(std::uint32_t msg_id, const std::string& payload) override;
  using Client::send;
  void send_text(const std::string& text);
  void send_binary_raw(const std::string& bytes);
  // Bytes straight onto the socket, past the client's WebSocket framing: hand-made frames
  // (fragments, violations), in pieces as small as a test likes.
  void send_wire(const std::string& bytes);
  std::optional<Frame> recv(std::chrono::milliseconds timeout = 5s) override;
  bool closed_within(std::chrono::milliseconds timeout) override;
  // The WebSocket close code the host sent (0 when none was received).
  int close_code() const;
  // The closing handshake from the client's side: sends a close frame and waits for the
  // host's. Returns "" when the host answered it, else what went wrong.
  std::string close_handshake();
  // Sends a WebSocket ping; the pong is seen by a later recv() (see last_pong()).
  void ping(const std::string& payload);
  // The payload of the last pong received ("" when none was).
  std::string last_pong() const;
  // Why the last receive failed ("" when none did).
  std::string last_error() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string u64le(std::uint64_t v);

}  // namespace gamehost::testing
