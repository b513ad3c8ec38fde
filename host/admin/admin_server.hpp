// Internal header: the admin HTTP endpoint. Connections are served on a thread of its own,
// each with read and write deadlines, and requests are handled on a small pool of their
// own: an operator's reload (which blocks while messages are held) never stalls a network
// or worker thread, and an idle or slow client never stalls another admin request.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "admin/admin_api.hpp"
#include "config/config.hpp"

namespace gamehost::admin {

class Connection;  // one admin connection (admin_server.cpp)

class Server {
 public:
  // Binds now; throws std::runtime_error naming the address when it cannot.
  Server(const config::Endpoint& endpoint, Api& api);
  ~Server();  // stops and joins
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  std::uint16_t port() const;
  std::string address() const;
  // True when it listens on a loopback address (anything else is reachable from outside).
  bool on_loopback() const;

 private:
  friend class Connection;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gamehost::admin
