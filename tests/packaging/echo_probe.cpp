// A one-shot game client for the package tests: connects to 127.0.0.1:PORT over TCP, prints
// the plugins the Hello lists, sends an echo request and checks the reply. Exit 0 on success.
#include <iostream>

#include "echo.pb.h"
#include "support/clients.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: echo_probe PORT\n";
    return 2;
  }
  try {
    gamehost::testing::TcpClient c(static_cast<std::uint16_t>(std::stoi(argv[1])));
    for (const auto& p : c.hello.plugins()) std::cout << "plugin " << p.name() << " " << p.version() << "\n";
    gamehost::echo::EchoRequest req;
    req.set_data("from the package test");
    c.send(90000, req);
    const auto reply = c.expect(90001).as<gamehost::echo::EchoReply>();
    if (reply.data() != req.data()) {
      std::cerr << "echo answered other bytes\n";
      return 1;
    }
    std::cout << "echo ok\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "echo_probe: " << e.what() << "\n";
    return 1;
  }
}
