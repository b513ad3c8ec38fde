// Internal header (network code only): binding a TCP acceptor and naming its address, for
// every place that listens (game listeners, the admin API).
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <string>

#include "config/config.hpp"

namespace gamehost::net {

// Opens, binds (address reuse on) and listens; throws std::runtime_error saying
// "cannot listen <what>on HOST:PORT: reason".
void bind_and_listen(boost::asio::ip::tcp::acceptor& acceptor, const config::Endpoint& endpoint,
                     const std::string& what);
// "ip:port" the acceptor is bound to (the real port when 0 was asked for).
std::string local_address(const boost::asio::ip::tcp::acceptor& acceptor);
std::uint16_t local_port(const boost::asio::ip::tcp::acceptor& acceptor);

}  // namespace gamehost::net
