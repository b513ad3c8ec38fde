// A stateless plugin with protobuf, built twice (PROBE_BUILD "v1"/"v2") for the test that
// loads, unloads and loads again alternating builds in one process.
#include <gamehost/plugin.hpp>

#include <vector>

#include "probe.pb.h"

namespace {

class Probe final : public gamehost::Plugin {
 public:
  explicit Probe(gamehost::Host& host) : Plugin(host) {
    tokens_.push_back(handle<gamehost::test::probe::Ping>(
        100300, [](gamehost::Request& req, const gamehost::test::probe::Ping& ping) {
          gamehost::test::probe::Pong pong;
          pong.set_text(ping.text());
          pong.set_build(PROBE_BUILD);
          req.reply(100301, pong);
        }));
  }

 private:
  std::vector<gamehost::Token> tokens_;
};

}  // namespace

GAMEHOST_PLUGIN(Probe,
                "name = probe\n"
                "version = " PROBE_VERSION
                "\n"
                "ranges = 100300-100309\n"
                "public = 100300-100309\n")
