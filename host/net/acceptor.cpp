#include "net/acceptor.hpp"

#include <stdexcept>

namespace gamehost::net {

using boost::asio::ip::tcp;

void bind_and_listen(tcp::acceptor& acceptor, const config::Endpoint& endpoint,
                     const std::string& what) {
  try {
    const tcp::endpoint ep(boost::asio::ip::make_address(endpoint.host), endpoint.port);
    acceptor.open(ep.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind(ep);
    acceptor.listen(boost::asio::socket_base::max_listen_connections);
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot listen " + what + "on " + endpoint.host + ":" +
                             std::to_string(endpoint.port) + ": " + e.what());
  }
}

std::string local_address(const tcp::acceptor& acceptor) {
  boost::system::error_code ec;
  const auto ep = acceptor.local_endpoint(ec);
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}

std::uint16_t local_port(const tcp::acceptor& acceptor) {
  boost::system::error_code ec;
  return acceptor.local_endpoint(ec).port();
}

}  // namespace gamehost::net
