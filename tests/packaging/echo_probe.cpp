// A game client for the package tests; it connects to 127.0.0.1:PORT over TCP.
//   echo_probe PORT            prints the plugins the Hello lists, sends an echo request and
//                              checks the reply.
//   echo_probe PORT --hold DIR then writes DIR/ready, waits for DIR/go (an upgrade happens
//                              meanwhile), and checks that the same connection still answers.
//   echo_probe PORT --register NAME PASSWORD
//                              registers NAME through the auth plugin (RegisterRequest 1000
//                              -> LoginReply 1001), then logs in as NAME on a new connection
//                              (LoginRequest 1002 -> LoginReply 1001): the same user.
//   echo_probe PORT --login NAME PASSWORD
//                              only logs in (an account registered earlier).
// The auth ones print "user_id N". Exit 0 on success.
//
// The auth messages (plugins/auth/auth.proto) are written and read with protobuf's coded
// streams and their field numbers, so this client needs no schema but the echo one.
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

#include "echo.pb.h"
#include "support/clients.hpp"

namespace {

using gamehost::testing::TcpClient;
namespace pbio = google::protobuf::io;

bool echo_once(TcpClient& c) {
  gamehost::echo::EchoRequest req;
  req.set_data("from the package test");
  c.send(90000, req);
  const auto reply = c.expect(90001).as<gamehost::echo::EchoReply>();
  return reply.data() == req.data();
}

constexpr std::uint32_t kRegister = 1000;
constexpr std::uint32_t kLoginReply = 1001;
constexpr std::uint32_t kLogin = 1002;

// RegisterRequest and LoginRequest: { string username = 1; string password = 2; }
std::string credentials(const std::string& name, const std::string& password) {
  std::string out;
  {
    pbio::StringOutputStream raw(&out);
    pbio::CodedOutputStream o(&raw);
    for (const auto& [field, value] : {std::pair{1u, &name}, std::pair{2u, &password}}) {
      o.WriteTag(field << 3 | 2);
      o.WriteVarint32(static_cast<std::uint32_t>(value->size()));
      o.WriteString(*value);
    }
  }
  return out;
}

// LoginReply: { uint64 user_id = 1; string token = 2; uint64 expires_at_ms = 3;
//               string username = 4; bool guest = 5; }
struct LoginReply {
  std::uint64_t user_id = 0;
  std::string token;
  std::uint64_t expires_at_ms = 0;
  std::string username;
  bool guest = false;
};

LoginReply parse_login_reply(const std::string& payload) {
  LoginReply r;
  pbio::CodedInputStream in(reinterpret_cast<const std::uint8_t*>(payload.data()),
                            static_cast<int>(payload.size()));
  while (const auto tag = in.ReadTag()) {
    const auto field = tag >> 3;
    bool ok = true;
    switch (tag & 7) {
      case 0: {  // varint
        std::uint64_t v = 0;
        ok = in.ReadVarint64(&v);
        if (field == 1) r.user_id = v;
        if (field == 3) r.expires_at_ms = v;
        if (field == 5) r.guest = v != 0;
        break;
      }
      case 2: {  // length-delimited
        std::uint32_t size = 0;
        std::string s;
        ok = in.ReadVarint32(&size) && in.ReadString(&s, static_cast<int>(size));
        if (field == 2) r.token = s;
        if (field == 4) r.username = s;
        break;
      }
      case 1: {
        std::uint64_t v;
        ok = in.ReadLittleEndian64(&v);
        break;
      }
      case 5: {
        std::uint32_t v;
        ok = in.ReadLittleEndian32(&v);
        break;
      }
      default:
        ok = false;
    }
    if (!ok) throw std::runtime_error("LoginReply does not decode");
  }
  return r;
}

// Sends a login request on a new connection and checks the LoginReply is NAME's.
LoginReply log_in(std::uint16_t port, std::uint32_t request, const std::string& name,
                  const std::string& password) {
  TcpClient c(port);
  c.send(request, credentials(name, password));
  auto reply = parse_login_reply(c.expect(kLoginReply).payload);
  const auto now_ms =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  const auto dots = std::count(reply.token.begin(), reply.token.end(), '.');
  if (reply.user_id == 0 || reply.username != name || reply.guest || dots != 2 ||
      reply.expires_at_ms <= now_ms) {
    throw std::runtime_error("unexpected LoginReply: user_id " + std::to_string(reply.user_id) +
                             ", username '" + reply.username + "', guest " +
                             std::to_string(reply.guest) + ", token of " +
                             std::to_string(reply.token.size()) + " bytes, expires_at_ms " +
                             std::to_string(reply.expires_at_ms));
  }
  return reply;
}

int auth_probe(std::uint16_t port, const std::string& mode, const std::string& name,
               const std::string& password) {
  std::uint64_t user_id = 0;
  if (mode == "--register") {
    user_id = log_in(port, kRegister, name, password).user_id;
    std::cout << "registered " << name << std::endl;
  }
  const auto login = log_in(port, kLogin, name, password);
  if (user_id != 0 && login.user_id != user_id) {
    std::cerr << "login answered user " << login.user_id << ", registered as " << user_id << "\n";
    return 1;
  }
  std::cout << "logged in as " << name << "\nuser_id " << login.user_id << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 2 ? argv[2] : "";
  const bool auth = argc == 5 && (mode == "--register" || mode == "--login");
  if (argc != 2 && !(argc == 4 && mode == "--hold") && !auth) {
    std::cerr << "usage: echo_probe PORT [--hold DIR | --register NAME PASSWORD | --login NAME "
                 "PASSWORD]\n";
    return 2;
  }
  try {
    const auto port = static_cast<std::uint16_t>(std::stoi(argv[1]));
    if (auth) return auth_probe(port, mode, argv[3], argv[4]);
    TcpClient c(port);
    for (const auto& p : c.hello.plugins())
      std::cout << "plugin " << p.name() << " " << p.version() << "\n";
    if (!echo_once(c)) {
      std::cerr << "echo answered other bytes\n";
      return 1;
    }
    std::cout << "echo ok" << std::endl;
    if (argc == 4) {
      const std::filesystem::path dir = argv[3];
      std::ofstream(dir / "ready") << "ready\n";
      for (int i = 0; i < 3000 && !std::filesystem::exists(dir / "go"); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      if (!echo_once(c)) {
        std::cerr << "after the upgrade the same connection did not answer\n";
        return 1;
      }
      std::cout << "same connection still answered" << std::endl;
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "echo_probe: " << e.what() << "\n";
    return 1;
  }
}
