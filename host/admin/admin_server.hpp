// Internal header: the admin HTTP endpoint. It runs on a thread of its own, so an operator's
// reload (which blocks while messages are held) never stalls a network or worker thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "admin/admin_api.hpp"
#include "config/config.hpp"

namespace gamehost::admin {

class Server {
 public:
  // Binds now; throws std::runtime_error naming the address when it cannot.
  Server(const config::Endpoint& endpoint, Api& api);
  ~Server();  // stops and joins
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  std::uint16_t port() const;
  std::string address() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gamehost::admin
