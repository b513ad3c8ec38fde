// A game client for the package tests: connects to 127.0.0.1:PORT over TCP, prints the
// plugins the Hello lists, sends an echo request and checks the reply. Exit 0 on success.
// With `--hold DIR` it then writes DIR/ready, waits for DIR/go (an upgrade happens
// meanwhile), and checks that the same connection still answers.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "echo.pb.h"
#include "support/clients.hpp"

namespace {
bool echo_once(gamehost::testing::TcpClient& c) {
  gamehost::echo::EchoRequest req;
  req.set_data("from the package test");
  c.send(90000, req);
  const auto reply = c.expect(90001).as<gamehost::echo::EchoReply>();
  return reply.data() == req.data();
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 && !(argc == 4 && std::string(argv[2]) == "--hold")) {
    std::cerr << "usage: echo_probe PORT [--hold DIR]\n";
    return 2;
  }
  try {
    gamehost::testing::TcpClient c(static_cast<std::uint16_t>(std::stoi(argv[1])));
    for (const auto& p : c.hello.plugins()) std::cout << "plugin " << p.name() << " " << p.version() << "\n";
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
