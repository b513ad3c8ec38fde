// A stand-in for the auth plugin in tests: 100200 with an 8-byte little-endian user id
// binds that user to the session (needs the bind_user capability) and answers 100201.
// It also records the session events it is told about: 100202 with a session id answers
// 100203 with that session's events, e.g. "opened,authenticated:42,closed".
#include <gamehost/plugin.hpp>

#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace {

class TestLogin final : public gamehost::Plugin {
 public:
  explicit TestLogin(gamehost::Host& host) : Plugin(host) {
    tokens_.push_back(handle_bytes(100200, [](gamehost::Request& req, std::string_view bytes) {
      if (bytes.size() != 8) throw gamehost::ClientError(100250, "want an 8-byte user id");
      std::uint64_t user = 0;
      for (int i = 7; i >= 0; --i) user = user << 8 | static_cast<std::uint8_t>(bytes[i]);
      req.host.bind_user(req.session, user);
      req.host.send_bytes(req.session, 100201, bytes);
    }));
    tokens_.push_back(handle_bytes(100202, [this](gamehost::Request& req, std::string_view bytes) {
      if (bytes.size() != 8) throw gamehost::ClientError(100250, "want an 8-byte session id");
      std::uint64_t session = 0;
      for (int i = 7; i >= 0; --i) session = session << 8 | static_cast<std::uint8_t>(bytes[i]);
      req.host.send_bytes(req.session, 100203, events_[session]);
    }));
  }

  void on_session_opened(gamehost::SessionId s) override { record(s, "opened"); }
  void on_session_authenticated(gamehost::SessionId s, gamehost::UserId u) override {
    record(s, "authenticated:" + std::to_string(u));
  }
  void on_session_closed(gamehost::SessionId s, gamehost::UserId) override { record(s, "closed"); }

 private:
  void record(gamehost::SessionId s, const std::string& what) {
    auto& log = events_[s];
    log += (log.empty() ? "" : ",") + what;
  }

  std::map<gamehost::SessionId, std::string> events_;
  std::vector<gamehost::Token> tokens_;
};

}  // namespace

GAMEHOST_PLUGIN(TestLogin,
                "name = testlogin\n"
                "version = 1.0.0\n"
                "ranges = 100200-100299\n"
                "public = 100200-100299\n")
