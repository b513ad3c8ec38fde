// Shared set-up of the integration tests: the real host with the echo example, a test
// login plugin (granted bind_user) and a plugin whose handlers throw.
#pragma once

#include <gamehost/abi.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <thread>

#include <memory>

#include "echo.pb.h"
#include "support/clients.hpp"
#include "support/host_process.hpp"

namespace gamehost::testing {

inline std::string standard_plugins() {
  return "[plugins]\nrequired = true\nload = [\"echo\", \"testlogin\", \"thrower\"]\n"
         "[plugins.echo]\nfile = \"" +
         plugin_path("echo") +
         "\"\n"
         "[plugins.testlogin]\nfile = \"" +
         test_plugin_path("testlogin") +
         "\"\ncapabilities = [\"bind_user\"]\n"
         "[plugins.thrower]\nfile = \"" +
         test_plugin_path("thrower") + "\"\n";
}

// One host for the whole suite: starting it takes a moment, and every test uses fresh clients.
class HostSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { host_ = std::make_unique<HostProcess>(standard_plugins()); }
  static void TearDownTestSuite() { host_.reset(); }
  static HostProcess& host() { return *host_; }

  static inline std::unique_ptr<HostProcess> host_;
};

inline std::string echo_request(const std::string& data) {
  gamehost::echo::EchoRequest r;
  r.set_data(data);
  return r.SerializeAsString();
}

}  // namespace gamehost::testing
