#include "support/clients.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace gamehost::testing {
namespace {

std::uint32_t get_u32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return u[0] | u[1] << 8 | u[2] << 16 | static_cast<std::uint32_t>(u[3]) << 24;
}
void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
std::string describe(const std::optional<Frame>& f) {
  if (!f) return "nothing (timeout or closed)";
  std::string s = "id " + std::to_string(f->msg_id);
  if (f->msg_id == 2) {
    wire::Error e;
    if (e.ParseFromString(f->payload))
      s += " (error " + std::to_string(e.code()) + ": " + e.text() + ")";
  }
  if (f->msg_id == 3) {
    wire::Kick k;
    if (k.ParseFromString(f->payload))
      s += " (kick " + std::to_string(k.code()) + ": " + k.text() + ")";
  }
  return s;
}

}  // namespace

std::string u64le(std::uint64_t v) {
  std::string out;
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
  return out;
}

Frame Client::expect(std::uint32_t msg_id, std::chrono::milliseconds timeout) {
  auto f = recv(timeout);
  if (!f || f->msg_id != msg_id) {
    throw std::runtime_error("expected id " + std::to_string(msg_id) + ", got " + describe(f));
  }
  return *f;
}

wire::Error Client::expect_error(std::uint32_t request_id, std::chrono::milliseconds timeout) {
  auto e = expect(2, timeout).as<wire::Error>();
  if (e.request_id() != request_id) {
    throw std::runtime_error("error answers id " + std::to_string(e.request_id()) + ", expected " +
                             std::to_string(request_id));
  }
  return e;
}

wire::Kick Client::expect_kick(std::chrono::milliseconds timeout) {
  auto k = expect(3, timeout).as<wire::Kick>();
  if (!closed_within(timeout)) throw std::runtime_error("kicked, but the connection stayed open");
  return k;
}

TcpClient::TcpClient(std::uint16_t port, bool read_hello) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
  }
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (read_hello) hello = expect(4).as<wire::Hello>();
}

TcpClient::~TcpClient() {
  if (fd_ >= 0) ::close(fd_);
}

void TcpClient::send(std::uint32_t msg_id, const std::string& payload) {
  std::string frame;
  put_u32(frame, static_cast<std::uint32_t>(payload.size()));
  put_u32(frame, msg_id);
  send_raw(frame + payload);
}

void TcpClient::send_raw(const std::string& bytes) {
  std::size_t off = 0;
  while (off < bytes.size()) {
    const auto n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0) throw std::runtime_error("send failed: the host closed the connection");
    off += static_cast<std::size_t>(n);
  }
}

void TcpClient::shutdown_write() {
  ::shutdown(fd_, SHUT_WR);
}

bool TcpClient::fill(std::size_t need, std::chrono::steady_clock::time_point deadline) {
  while (buffer_.size() < need && !eof_) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;  // a signal, not the host: wait on
    if (ready <= 0) return false;
    char chunk[65536];
    const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      eof_ = true;
      break;
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
  return buffer_.size() >= need;
}

std::optional<Frame> TcpClient::recv(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  if (!fill(8, deadline)) return std::nullopt;
  const auto len = get_u32(buffer_.data());
  if (!fill(8 + len, deadline)) return std::nullopt;
  Frame f{get_u32(buffer_.data() + 4), buffer_.substr(8, len)};
  buffer_.erase(0, 8 + len);
  return f;
}

bool TcpClient::closed_within(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!eof_) {
    buffer_.clear();
    if (fill(1, deadline)) continue;
    if (!eof_) return false;
  }
  return true;
}

std::string http_get(std::uint16_t port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return "(cannot connect)";
  const auto req = "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
  ::send(fd, req.data(), req.size(), 0);
  std::string out;
  char buf[4096];
  while (true) {
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

}  // namespace gamehost::testing
