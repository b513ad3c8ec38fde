// The echo example: the two patterns every game uses.
//  - echo: the reply carries back exactly the bytes it received;
//  - groups: join a named group, shout to it, every member (the sender too) hears it.
// The groups themselves live in the host, so they survive a live reload of this plugin
// and a closed session leaves them by itself.
#include <gamehost/plugin.hpp>

#include <string>
#include <vector>

#include "echo.pb.h"

namespace {

namespace msg {
constexpr std::uint32_t kEcho = 90000;
constexpr std::uint32_t kEchoReply = 90001;
constexpr std::uint32_t kJoinGroup = 90002;
constexpr std::uint32_t kGroupJoined = 90003;
constexpr std::uint32_t kShout = 90004;
constexpr std::uint32_t kShoutHeard = 90005;
constexpr std::uint32_t kLeaveGroup = 90006;
constexpr std::uint32_t kGroupLeft = 90007;
constexpr std::uint32_t kWhoAmI = 90010;
constexpr std::uint32_t kYouAre = 90011;
}  // namespace msg

// Error codes of this plugin, inside its own id range.
constexpr std::uint32_t kErrBadGroupName = 90090;
constexpr std::uint32_t kErrNotInGroup = 90091;

using gamehost::echo::EchoReply;
using gamehost::echo::EchoRequest;

class EchoPlugin final : public gamehost::Plugin {
 public:
  explicit EchoPlugin(gamehost::Host& host)
      : Plugin(host), max_group_name_(host.config_int("max_group_name", 64)) {
    // [echo-handler]
    handlers_.push_back(
        handle<EchoRequest>(msg::kEcho, [](gamehost::Request& req, const EchoRequest& in) {
          EchoReply out;
          out.set_data(in.data());
          req.reply(msg::kEchoReply, out);
        }));
    // [echo-handler]
    handlers_.push_back(handle<gamehost::echo::JoinGroup>(
        msg::kJoinGroup, [this](gamehost::Request& req, const auto& in) { join(req, in); }));
    handlers_.push_back(handle<gamehost::echo::Shout>(
        msg::kShout, [this](gamehost::Request& req, const auto& in) { shout(req, in); }));
    handlers_.push_back(handle<gamehost::echo::LeaveGroup>(
        msg::kLeaveGroup, [this](gamehost::Request& req, const auto& in) { leave(req, in); }));
    handlers_.push_back(
        handle<gamehost::echo::WhoAmI>(msg::kWhoAmI, [](gamehost::Request& req, const auto&) {
          gamehost::echo::YouAre out;
          out.set_user_id(req.user);
          out.set_session_id(req.session);
          req.reply(msg::kYouAre, out);
        }));
  }

 private:
  // Group names are namespaced so other plugins' groups are out of reach.
  std::string group_key(const std::string& name) const {
    if (name.empty() || name.size() > static_cast<std::size_t>(max_group_name_)) {
      throw gamehost::ClientError(
          kErrBadGroupName, gamehost::concat("group name must be 1-", max_group_name_, " bytes"));
    }
    return "echo:" + name;
  }

  void join(gamehost::Request& req, const gamehost::echo::JoinGroup& in) {
    const auto key = group_key(in.group());
    host().join_group(key, req.session);
    gamehost::echo::GroupJoined out;
    out.set_group(in.group());
    out.set_members(static_cast<std::uint32_t>(host().group_size(key)));
    req.reply(msg::kGroupJoined, out);
  }

  void shout(gamehost::Request& req, const gamehost::echo::Shout& in) {
    const auto key = group_key(in.group());
    gamehost::echo::ShoutHeard out;
    out.set_group(in.group());
    out.set_from_session(req.session);
    out.set_data(in.data());
    host().send_group(key, msg::kShoutHeard, out);
  }

  void leave(gamehost::Request& req, const gamehost::echo::LeaveGroup& in) {
    const auto key = group_key(in.group());
    if (!host().leave_group(key, req.session)) {
      throw gamehost::ClientError(kErrNotInGroup, "not in group " + in.group());
    }
    gamehost::echo::GroupLeft out;
    out.set_group(in.group());
    req.reply(msg::kGroupLeft, out);
  }

  std::int64_t max_group_name_;
  std::vector<gamehost::Token> handlers_;
};

}  // namespace

// [echo-export]
GAMEHOST_PLUGIN(EchoPlugin,
                "name = echo\n"
                "version = 1.0.0\n"
                "ranges = 90000-90099\n"
                "public = 90000-90007\n")
// [echo-export]
