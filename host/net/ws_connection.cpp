#include "net/ws_connection.hpp"

#include <gamehost/abi.h>
#include <spdlog/spdlog.h>
#include <boost/beast/websocket.hpp>

#include <array>

#include "net/frame.hpp"

namespace gamehost::net {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;

WsConnection::WsConnection(asio::ip::tcp::socket socket, Strand strand, ConnectionHooks& hooks,
                           const ConnectionLimits& limits, session::SessionId id, std::string ip,
                           std::uint16_t port)
    : Connection(std::move(strand), hooks, limits, id, session::Transport::websocket, std::move(ip),
                 port),
      ws_(std::move(socket)) {}

void WsConnection::start_transport() {
  boost::system::error_code ec;
  beast::get_lowest_layer(ws_).set_option(asio::ip::tcp::no_delay(true), ec);
  ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws_.read_message_max(limits_.max_frame_bytes + kWsHeaderBytes);
  ws_.binary(true);
  ws_.async_accept(asio::bind_executor(
      strand_, [self = std::static_pointer_cast<WsConnection>(shared_from_this())](
                   const boost::system::error_code& ec) {
        if (ec) {
          spdlog::debug("websocket handshake from {} failed: {}", self->remote_address(),
                        ec.message());
          self->finish();
          return;
        }
        self->opened();
        self->read_more();
      }));
}

void WsConnection::read_more() {
  ws_.async_read(read_buffer_,
                 asio::bind_executor(
                     strand_, [self = std::static_pointer_cast<WsConnection>(shared_from_this())](
                                  const boost::system::error_code& ec, std::size_t) {
                       if (ec == websocket::error::message_too_big) {
                         self->count_refused(GH_CODE_FRAME_TOO_LARGE);
                         self->kick_on_strand(GH_CODE_FRAME_TOO_LARGE,
                                              "message over the limit of " +
                                                  std::to_string(self->limits_.max_frame_bytes) +
                                                  " payload bytes");
                         return;
                       }
                       if (ec) {
                         self->finish();
                         return;
                       }
                       const auto data = self->read_buffer_.cdata();
                       const auto* bytes = static_cast<const std::uint8_t*>(data.data());
                       if (!self->ws_.got_binary() || data.size() < kWsHeaderBytes) {
                         self->count_refused(GH_CODE_BAD_FRAME);
                         self->kick_on_strand(
                             GH_CODE_BAD_FRAME,
                             "a message must be binary: u32 message id, then the payload");
                         return;
                       }
                       self->mark_read();
                       const bool open = self->handle_frame(
                           get_u32le(bytes),
                           std::string_view(reinterpret_cast<const char*>(bytes + kWsHeaderBytes),
                                            data.size() - kWsHeaderBytes));
                       self->read_buffer_.consume(self->read_buffer_.size());
                       if (open) self->read_more();
                     }));
}

void WsConnection::write_batch(std::vector<OutFrame>& batch) {
  batch_ = &batch;
  write_one(0);
}

void WsConnection::write_one(std::size_t index) {
  if (index == batch_->size()) {
    write_done({});
    return;
  }
  auto& f = (*batch_)[index];
  put_u32le(f.header.data(), f.msg_id);
  const std::array<asio::const_buffer, 2> buffers{asio::buffer(f.header.data(), kWsHeaderBytes),
                                                  asio::buffer(*f.payload)};
  ws_.async_write(buffers,
                  asio::bind_executor(
                      strand_, [self = std::static_pointer_cast<WsConnection>(shared_from_this()),
                                index](const boost::system::error_code& ec, std::size_t) {
                        if (ec) {
                          self->write_done(ec);
                        } else {
                          self->write_one(index + 1);
                        }
                      }));
}

void WsConnection::shutdown_transport() {
  boost::system::error_code ec;
  auto& socket = beast::get_lowest_layer(ws_);
  socket.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

}  // namespace gamehost::net
