#include "router/dispatcher.hpp"

#include <gamehost/abi.h>
#include <spdlog/spdlog.h>
#include <gamehost/manifest.hpp>

#include "gamehost/host.pb.h"
#include "loader/plugin_manager.hpp"
#include "version.hpp"

namespace gamehost::router {

void Dispatcher::on_open(const std::shared_ptr<session::Session>& session) {
  runtime_.sessions.add(session);
  runtime_.metrics.connections_opened.fetch_add(1, std::memory_order_relaxed);

  wire::Hello hello;
  hello.set_host_version(kHostVersion);
  hello.set_session_id(session->id());
  hello.set_heartbeat_interval_ms(runtime_.config.limits.heartbeat_interval_ms);
  hello.set_max_frame_bytes(runtime_.config.limits.max_frame_bytes);
  for (const auto& p : plugins_.list()) {
    auto* info = hello.add_plugins();
    info->set_name(p->name());
    info->set_version(p->version());
  }
  // Hello is the first frame a client gets: queue it before any plugin hears of the session.
  session->send(session::host_ids::kHello, session::make_payload(hello.SerializeAsString()));
  plugins_.broadcast_session_event(GH_SESSION_OPENED, session->id(), 0);
  spdlog::debug("session {} opened from {}", session->id(), session->remote_address());
}

void Dispatcher::on_frame(session::Session& session, std::uint32_t msg_id,
                          std::string_view payload) {
  runtime_.metrics.frames_in.fetch_add(1, std::memory_order_relaxed);
  if (msg_id < kFirstPluginId) {
    handle_host_message(session, msg_id, payload);
    return;
  }
  const auto table = routes_.current();
  const auto* owner = table->find(msg_id, session.id());
  if (owner == nullptr) {
    refuse(session, GH_CODE_UNKNOWN_ID, msg_id,
           "no plugin owns message id " + std::to_string(msg_id));
    return;
  }
  const auto& plugin = *owner;
  if (session.user() == 0 && !plugin->is_public(msg_id)) {
    refuse(session, GH_CODE_NOT_AUTHENTICATED, msg_id,
           "message id " + std::to_string(msg_id) + " needs a logged-in session");
    return;
  }
  using Post = plugins::PluginInstance::Post;
  switch (plugin->post_message(session.id(), session.user(), msg_id, payload)) {
    case Post::queued:
      break;
    case Post::busy:
      refuse(session, GH_CODE_BUSY, msg_id, "plugin " + plugin->name() + " is busy; try again");
      break;
    case Post::stopped:
      refuse(session, GH_CODE_PLUGIN_UNAVAILABLE, msg_id,
             "plugin " + plugin->name() + " is not running");
      break;
  }
}

void Dispatcher::handle_host_message(session::Session& session, std::uint32_t msg_id,
                                     std::string_view payload) {
  if (msg_id != session::host_ids::kHeartbeat) {
    refuse(session, GH_CODE_UNKNOWN_ID, msg_id,
           "message id " + std::to_string(msg_id) + " is not one a client may send");
    return;
  }
  wire::Heartbeat ping;
  if (!ping.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    refuse(session, GH_CODE_MALFORMED, msg_id, "payload of id 1 is not a Heartbeat");
    return;
  }
  wire::Heartbeat pong;
  pong.set_nonce(ping.nonce());
  pong.set_server_time_ms(core::now_ms());
  session.send(session::host_ids::kHeartbeat, session::make_payload(pong.SerializeAsString()));
}

void Dispatcher::refuse(session::Session& session, std::uint32_t code, std::uint32_t msg_id,
                        const std::string& text) {
  runtime_.metrics.count_error(code);
  session.send_error(code, msg_id, text);
}

void Dispatcher::on_refused(std::uint32_t code) {
  runtime_.metrics.count_error(code);
}

void Dispatcher::on_close(const std::shared_ptr<session::Session>& session) {
  runtime_.sessions.remove(session->id());
  runtime_.groups.remove_session(session->id());
  runtime_.metrics.connections_closed.fetch_add(1, std::memory_order_relaxed);
  plugins_.broadcast_session_event(GH_SESSION_CLOSED, session->id(), session->user());
  spdlog::debug("session {} closed", session->id());
}

}  // namespace gamehost::router
