// Internal header: accepts TCP or WebSocket clients on one address.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "net/hooks.hpp"
#include "session/registry.hpp"

namespace boost::asio {
class io_context;
}

namespace gamehost::net {

class Listener {
 public:
  // Binds now (throws std::runtime_error naming the address when it cannot). Accepts on
  // `io`; each connection goes to one of `connection_ios` in turn (each run by one thread).
  Listener(boost::asio::io_context& io, std::vector<boost::asio::io_context*> connection_ios,
           const config::Endpoint& endpoint, session::Transport kind, session::Registry& sessions,
           ConnectionHooks& hooks, const ConnectionLimits& limits);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  void start();
  void stop();
  std::uint16_t port() const;  // the bound port (useful with port 0)
  std::string address() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace gamehost::net
