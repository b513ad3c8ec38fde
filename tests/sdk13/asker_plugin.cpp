// Test plugin "asker": answers Ask by calling store's "get" with a typed call.
#include <gamehost/plugin.hpp>

#include "protocol.hpp"

namespace {

namespace pb = gamehost::sdk13;

class AskerPlugin final : public gamehost::Plugin {
 public:
  explicit AskerPlugin(gamehost::Host& host) : Plugin(host) {
    handle<pb::Ask>([this](gamehost::Request& req, const pb::Ask& in) {
      pb::Get get;
      get.set_key(in.key());
      call<pb::Got>("store", "get", get, [req](const gamehost::CallOutcome<pb::Got>& got) {
        pb::Answer out;
        if (got.ok()) {
          out.set_value(got->found() ? got->value() : "(none)");
        } else {
          out.set_error(gamehost::describe(got.error()));
        }
        req.reply(out);
      });
    });
  }
};

}  // namespace

GAMEHOST_PLUGIN(AskerPlugin,
                "name = asker\nversion = 1.0.0\nranges = 100410-100419\npublic = 100410-100419\n",
                SDK13_ASKER_MESSAGES)
