// Forwards a client's request to the user plugin's call API and answers with the result,
// so integration tests and the coin benchmark drive coin changes the way a game plugin
// (the card plugin settling a game) does - through calls, never through user's tables.
//   100900 "<method byte><request bytes>" -> call("user", method, request)
//   100901 "<status byte><result bytes>"  the call's status (gh_status) and result bytes
// Public, so a test can drive it from many sessions without logging each in.
#include <gamehost/plugin.hpp>

#include <vector>

namespace {

constexpr std::uint32_t kForward = 100900;
constexpr std::uint32_t kResult = 100901;

class CoinProbe final : public gamehost::Plugin {
 public:
  explicit CoinProbe(gamehost::Host& h) : Plugin(h) {
    tokens_.push_back(
        handle_bytes(kForward, [this](gamehost::Request& req, std::string_view bytes) {
          if (bytes.empty()) throw gamehost::ClientError(GH_CODE_MALFORMED, "empty request");
          const auto method = static_cast<std::uint8_t>(bytes.front());
          call("user", method, bytes.substr(1),
               [&host = req.host, session = req.session](const gamehost::CallResult& r) {
                 std::string out(1, static_cast<char>(r.status));
                 out += r.data;
                 host.send_bytes(session, kResult, out);
               });
        }));
  }

 private:
  std::vector<gamehost::Token> tokens_;
};

}  // namespace

GAMEHOST_PLUGIN(CoinProbe,
                "name = coinprobe\nversion = 1.0.0\nranges = 100900-100909\npublic = 100900\n"
                "depends = user >=1.0.0 <2.0.0\n")
