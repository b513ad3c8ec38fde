// A plugin whose handlers fail on purpose: the host must answer the client and go on.
//   100100: throws std::runtime_error            -> GH_CODE_PLUGIN_FAILURE
//   100101: throws ClientError(100150, ...)      -> the plugin's own code
//   100102: answers 100103 with the same bytes   (proof the plugin still works)
//   100104: throws std::runtime_error on a keyed lane (Plugin::handle_keyed)
#include <gamehost/plugin.hpp>

#include "probe.pb.h"

#include <stdexcept>
#include <vector>

namespace {

class Thrower final : public gamehost::Plugin {
 public:
  explicit Thrower(gamehost::Host& host) : Plugin(host) {
    tokens_.push_back(handle_bytes(100100, [](gamehost::Request&, std::string_view) {
      throw std::runtime_error("boom: a bug in the handler");
    }));
    tokens_.push_back(handle_bytes(100101, [](gamehost::Request&, std::string_view) {
      throw gamehost::ClientError(100150, "you may not do that");
    }));
    tokens_.push_back(handle_keyed<gamehost::test::probe::Ping>(
        100104, [](gamehost::Request& req, const auto&) { return req.session; },
        [](gamehost::Request&, const auto&) { throw std::runtime_error("boom on a lane"); }));
    tokens_.push_back(handle_bytes(100102, [](gamehost::Request& req, std::string_view bytes) {
      req.host.send_bytes(req.session, 100103, bytes);
    }));
  }

 private:
  std::vector<gamehost::Token> tokens_;
};

}  // namespace

GAMEHOST_PLUGIN(Thrower,
                "name = thrower\n"
                "version = 1.0.0\n"
                "ranges = 100100-100199\n"
                "public = 100100-100199\n")
