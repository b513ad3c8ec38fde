// The room plugin: a lobby of rooms for any game type - create, list, join, leave, ready,
// kick, quick match with seat reservation, chat, and reconnect within a grace period.
// When every seat is ready it publishes GameStart (room_events.hpp); the game type's plugin
// runs the game and publishes GameOver, and the room waits for ready again. Room knows no
// game rules.
//
// Threading: each room runs on the keyed lane of its id, so rooms run in parallel across
// the host's workers and in order within a room (lobby.hpp: what runs where). Each room is
// also a drain key: under
// `gamehostctl reload room --strategy drain` the rooms that exist finish on the old build
// (their members' messages stay there) while new rooms open on the new one. A handover
// reload keeps every room (export_state).
#include <gamehost/plugin.hpp>

#include "lobby.hpp"
#include "protocol.hpp"
#include "room_events.hpp"
#include "settings.hpp"

namespace gh_room {
namespace {

namespace pb = gamehost::room;

constexpr std::uint32_t kStateVersion = 1;

void require_login(const gamehost::Request& req) {
  if (req.user == 0) throw gamehost::ClientError(GH_CODE_NOT_AUTHENTICATED, "log in first");
}

class RoomPlugin final : public gamehost::Plugin {
 public:
  RoomPlugin(gamehost::Host& host, std::string_view state)
      : Plugin(host), settings_(Settings::read(host)), lobby_(*this, settings_) {
    restore(state);
    on<pb::CreateRoom>(&Lobby::create);
    on<pb::ListRooms>(&Lobby::list);
    on<pb::JoinRoom>(&Lobby::join);
    on<pb::SetReady>(&Lobby::set_ready);
    on<pb::KickMember>(&Lobby::kick);
    on<pb::QuickMatch>(&Lobby::quick_match);
    on<pb::ConfirmSeat>(&Lobby::confirm);
    on<pb::SendChat>(&Lobby::chat);
    handle<pb::LeaveRoom>([this](gamehost::Request& req, const pb::LeaveRoom&) {
      require_login(req);
      lobby_.leave(req);
    });
    handle<pb::GetRoom>([this](gamehost::Request& req, const pb::GetRoom&) {
      require_login(req);
      lobby_.get(req);
    });
    host.subscribe(kGameOverTopic);
    sweep_ = start_timer(settings_.sweep_ms, settings_.sweep_ms, [this] { lobby_.sweep(); });
  }

  // A logout (user 0) or a login as another user on a member's connection leaves that
  // member's seat without a connection, as a close does.
  void on_session_authenticated(gamehost::SessionId session, gamehost::UserId user) override {
    lobby_.session_authenticated(session, user);
  }
  void on_session_closed(gamehost::SessionId session, gamehost::UserId user) override {
    lobby_.session_closed(session, user);
  }
  void on_event(const gamehost::Event& event) override {
    if (event.topic != kGameOverTopic) return;
    pb::GameOver over;
    if (!over.ParseFromArray(event.data.data(), static_cast<int>(event.data.size()))) {
      host().log_warn("a ", kGameOverTopic, " event from ", event.publisher, " does not decode");
      return;
    }
    lobby_.game_over(over);
  }

  std::string export_state() override {
    return gamehost::versioned_state(kStateVersion, lobby_.save().SerializeAsString());
  }

 private:
  // Registers Lobby::method for Msg, for logged-in sessions only.
  template <class Msg, class Method>
  void on(Method method) {
    handle<Msg>([this, method](gamehost::Request& req, const Msg& in) {
      require_login(req);
      (lobby_.*method)(req, in);
    });
  }

  void restore(std::string_view state) {
    const auto [version, bytes] = gamehost::read_state(state, kStateVersion, kStateVersion);
    if (version == 0) return;
    pb::Snapshot snapshot;
    if (!snapshot.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      throw gamehost::StateVersionError("room state version 1 does not decode");
    }
    lobby_.restore(snapshot);
    host().log_info("room: ", lobby_.room_count(), " rooms handed over");
  }

  const Settings settings_;
  Lobby lobby_;
  gamehost::Token sweep_;
};

}  // namespace
}  // namespace gh_room

GAMEHOST_PLUGIN(gh_room::RoomPlugin,
                "name = room\n"
                "version = 1.0.0\n"
                "ranges = 2000-2099\n",
                ROOM_MESSAGES)
