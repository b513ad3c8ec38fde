// Exercises the host services between plugins and in time, built twice as peer_a and
// peer_b (PEER_NAME, PEER_OTHER, PEER_BASE = first id of its range):
//   BASE+0 text  -> publish(text) on topic "peers"             (the other peer hears it)
//   BASE+1       -> BASE+2 with the last event heard: "topic|publisher|data"
//   BASE+3 text  -> call(PEER_OTHER, method 7, text); BASE+4 with "status|data"
//   BASE+5       -> one-shot timer of 20 ms; BASE+6 "fired" when it fires
//   BASE+7       -> timer every 10 ms; after the 3rd firing it cancels itself, BASE+8 "3"
// on_call(method 7, data) answers "pong:<data>"; other methods are unsupported.
#include <gamehost/plugin.hpp>

#include <vector>

namespace {

#define STR2(x) #x
#define STR(x) STR2(x)

constexpr std::uint32_t kBase = PEER_BASE;

class Peer final : public gamehost::Plugin {
 public:
  explicit Peer(gamehost::Host& h) : Plugin(h) {
    h.subscribe("peers");
    tokens_.push_back(handle_bytes(kBase + 0, [](gamehost::Request& req, std::string_view text) {
      req.host.publish("peers", text);
    }));
    tokens_.push_back(handle_bytes(kBase + 1, [this](gamehost::Request& req, std::string_view) {
      req.host.send_bytes(req.session, kBase + 2, last_event_);
    }));
    tokens_.push_back(
        handle_bytes(kBase + 3, [this](gamehost::Request& req, std::string_view text) {
          call(PEER_OTHER, 7, text,
               [&host = req.host, session = req.session](const gamehost::CallResult& r) {
                 host.send_bytes(session, kBase + 4,
                                 std::to_string(static_cast<int>(r.status)) + "|" + r.data);
               });
        }));
    tokens_.push_back(handle_bytes(kBase + 5, [this](gamehost::Request& req, std::string_view) {
      once_ = start_timer(20, 0, [&host = req.host, session = req.session] {
        host.send_bytes(session, kBase + 6, "fired");
      });
    }));
    tokens_.push_back(handle_bytes(kBase + 7, [this](gamehost::Request& req, std::string_view) {
      fired_ = 0;
      repeating_ = start_timer(10, 10, [this, &host = req.host, session = req.session] {
        if (++fired_ < 3) return;
        repeating_.reset();  // cancels itself from its own callback
        host.send_bytes(session, kBase + 8, std::to_string(fired_));
      });
    }));
  }

  void on_event(const gamehost::Event& ev) override {
    last_event_ =
        std::string(ev.topic) + "|" + std::string(ev.publisher) + "|" + std::string(ev.data);
  }
  void on_call(const gamehost::IncomingCall& c) override {
    if (c.method != 7) {
      reply(c.call_id, GH_ERR_UNSUPPORTED, {});
      return;
    }
    reply(c.call_id, GH_OK, "pong:" + std::string(c.data));
  }

 private:
  std::string last_event_;
  gamehost::Token once_;
  gamehost::Token repeating_;
  int fired_ = 0;
  std::vector<gamehost::Token> tokens_;
};

}  // namespace

GAMEHOST_PLUGIN(Peer, "name = " PEER_NAME "\n"
                      "version = 1.0.0\n"
                      "ranges = " STR(PEER_BASE) "-" STR(PEER_LAST) "\n"
                      "public = " STR(PEER_BASE) "-" STR(PEER_LAST) "\n")
