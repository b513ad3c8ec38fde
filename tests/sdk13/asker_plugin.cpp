// Test plugin "asker": answers Ask by calling store's "get" with a typed call, and counts
// the "board.points" events board publishes (HowManyHeard).
#include <gamehost/plugin.hpp>

#include <string>

#include "protocol.hpp"
#include "store_api.hpp"

namespace {

namespace pb = gamehost::sdk13;

class AskerPlugin final : public gamehost::Plugin {
 public:
  explicit AskerPlugin(gamehost::Host& host) : Plugin(host) {
    // [asker-call]
    handle<pb::Ask>([this](gamehost::Request& req, const pb::Ask& in) {
      pb::Get get;
      get.set_key(in.key());
      call("store", sdk13::store_api::kGet, get, [req](const gamehost::CallOutcome<pb::Got>& got) {
        pb::Answer out;
        if (got.ok()) {
          out.set_value(got->found() ? got->value() : "(none)");
        } else {
          out.set_error(gamehost::describe(got.error()));
        }
        req.reply(out);
      });
    });
    // [asker-call]
    handle<pb::HowManyHeard>(
        [this](gamehost::Request& req, const pb::HowManyHeard&) { req.reply(heard_); });
    // [asker-subscribe]
    host.subscribe("board.points");  // events from then on reach on_event
    // [asker-subscribe]
  }

  // [asker-on-event]
  void on_event(const gamehost::Event& event) override {
    if (event.topic != "board.points") return;
    pb::Total total;
    if (!total.ParseFromArray(event.data.data(), static_cast<int>(event.data.size()))) {
      host().log_warn("board.points from ", event.publisher, " does not decode");
      return;
    }
    heard_.set_events(heard_.events() + 1);
    heard_.set_last_player(total.player());
    heard_.set_last_points(total.points());
  }
  // [asker-on-event]

 private:
  pb::Heard heard_;
};

}  // namespace

GAMEHOST_PLUGIN(AskerPlugin,
                "name = asker\nversion = 1.0.0\nranges = 100410-100419\npublic = 100410-100419\n",
                SDK13_ASKER_MESSAGES)
