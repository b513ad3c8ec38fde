// The echo example: the two patterns every game uses.
//  - echo: the reply carries back exactly the bytes it received;
//  - groups: join a named group, shout to it, every member (the sender too) hears it.
// The groups themselves live in the host, so they survive a live reload of this plugin
// and a closed session leaves them by itself.
#include <gamehost/plugin.hpp>

#include <string>

#include "protocol.hpp"

namespace {

namespace pb = gamehost::echo;

class EchoPlugin final : public gamehost::Plugin {
 public:
  // [echo-constructor]
  // [echo-setting]
  explicit EchoPlugin(gamehost::Host& host)
      : Plugin(host), max_group_name_(host.setting<std::int64_t>("max_group_name").value_or(64)) {
  // [echo-setting]
    // [echo-handler]
    handle<pb::EchoRequest>([](gamehost::Request& req, const pb::EchoRequest& in) {
      pb::EchoReply out;
      out.set_data(in.data());
      req.reply(out);
    });
    // [echo-handler]
    handle<pb::JoinGroup>([this](gamehost::Request& req, const auto& in) { join(req, in); });
    handle<pb::Shout>([this](gamehost::Request& req, const auto& in) { shout(req, in); });
    handle<pb::LeaveGroup>([this](gamehost::Request& req, const auto& in) { leave(req, in); });
    handle<pb::WhoAmI>([](gamehost::Request& req, const pb::WhoAmI&) {
      pb::YouAre out;
      out.set_user_id(req.user);
      out.set_session_id(req.session);
      req.reply(out);
    });
  }
  // [echo-constructor]

 private:
  // [echo-errors]
  // Group names are namespaced so other plugins' groups are out of reach.
  std::string group_key(const std::string& name) const {
    if (name.empty() || name.size() > static_cast<std::size_t>(max_group_name_)) {
      throw gamehost::ClientError(
          pb::kErrBadGroupName,
          gamehost::concat("group name must be 1-", max_group_name_, " bytes"));
    }
    return "echo:" + name;
  }
  // [echo-errors]

  void join(gamehost::Request& req, const pb::JoinGroup& in) {
    const auto key = group_key(in.group());
    host().join_group(key, req.session);
    pb::GroupJoined out;
    out.set_group(in.group());
    out.set_members(static_cast<std::uint32_t>(host().group_size(key)));
    req.reply(out);
  }

  // [echo-shout]
  void shout(gamehost::Request& req, const pb::Shout& in) {
    const auto key = group_key(in.group());
    pb::ShoutHeard out;
    out.set_group(in.group());
    out.set_from_session(req.session);
    out.set_data(in.data());
    host().send_group(key, out);
  }

  void leave(gamehost::Request& req, const pb::LeaveGroup& in) {
    const auto key = group_key(in.group());
    if (!host().leave_group(key, req.session)) {
      throw gamehost::ClientError(pb::kErrNotInGroup, "not in group " + in.group());
    }
    pb::GroupLeft out;
    out.set_group(in.group());
    req.reply(out);
  }
  // [echo-shout]

  // Read once in the constructor; a wrongly typed value refuses the plugin at start.
  const std::int64_t max_group_name_;
};

}  // namespace

// [echo-export]
GAMEHOST_PLUGIN(EchoPlugin,
                "name = echo\n"
                "version = 1.0.0\n"
                "ranges = 90000-90099\n"
                "public = 90000-90007\n",
                ECHO_MESSAGES)
// [echo-export]
