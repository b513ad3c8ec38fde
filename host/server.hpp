// Internal header: the host process - threads, listeners, plugins - and its lifecycle.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "config/config.hpp"

namespace gamehost {

// A start-up failure the operator must fix; what() says what and where.
class StartupError : public std::runtime_error {
 public:
  StartupError(int exit_code, const std::string& what)
      : std::runtime_error(what), exit_code_(exit_code) {}
  int exit_code() const noexcept { return exit_code_; }

 private:
  int exit_code_;
};

class Server {
 public:
  explicit Server(config::Config config);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Loads the plugins and binds the listeners; throws StartupError.
  void start();
  // Blocks until stop() or SIGINT/SIGTERM, then shuts down cleanly.
  void run();
  // Thread-safe; makes run() return.
  void stop();

  std::uint16_t tcp_port() const;
  std::uint16_t websocket_port() const;
  std::uint16_t admin_port() const;  // 0 when the admin API is off

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gamehost
