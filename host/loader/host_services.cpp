// The host services of abi.h. Each is a noexcept C function: it finds the calling plugin
// from its gh_host handle, checks what the plugin may do, and never lets an exception out.
#include "loader/host_services.hpp"

#include <gamehost/abi.h>
#include <spdlog/spdlog.h>
#include <gamehost/services.hpp>

#include <cstring>
#include <string_view>
#include <unordered_map>

#include "exec/batch_scope.hpp"
#include "loader/plugin_instance.hpp"
#include "loader/plugin_instance.hpp"
#include "loader/storage_services.hpp"

namespace gamehost::plugins {
namespace {

std::string to_string(const std::uint8_t* data, std::size_t len) {
  return len == 0 ? std::string() : std::string(reinterpret_cast<const char*>(data), len);
}

// One allocation for the shared payload and its bytes' owner, straight from the plugin's buffer.
session::Payload make_payload(const std::uint8_t* data, std::size_t len) {
  return std::make_shared<const std::string>(reinterpret_cast<const char*>(data), len);
}

// Runs fn; an exception (out of memory, a bug) becomes GH_ERR_FAILED and a log line.
template <class Fn>
auto guarded(gh_host* host, const char* service, Fn&& fn) noexcept -> decltype(fn()) {
  try {
    return fn();
  } catch (const std::exception& e) {
    try {
      PluginInstance::from(host).logger().error("host service {} failed: {}", service, e.what());
    } catch (...) {
    }
  } catch (...) {
  }
  if constexpr (std::is_same_v<decltype(fn()), gh_status>) {
    return GH_ERR_FAILED;
  } else if constexpr (!std::is_void_v<decltype(fn())>) {
    return {};
  }
}

// The session a send goes to. Within a worker's batch, the last session found is kept for
// the next send: a handler mostly answers the session whose message it handles, and a
// batch handles a client's messages in runs (one socket read each), so most sends skip the
// registry's lock. The entry is dropped when the batch ends, so no session outlives its
// batch here; a session closed during the batch takes its sends and drops them, as one
// closed just after the send would.
std::shared_ptr<session::Session> find_session(PluginInstance& p, gh_session_id id) {
  struct Last {
    gh_session_id id = 0;
    std::shared_ptr<session::Session> session;
  };
  thread_local Last last;
  if (id == last.id && last.session) return last.session;
  auto found = p.runtime().sessions.find(id);
  if (!found) return found;
  const bool cached_before = static_cast<bool>(last.session);
  if (cached_before || exec::BatchScope::defer([] { last = {}; })) last = {id, found};
  return found;
}

// A plugin sends only ids it owns: every id belongs to exactly one plugin.
bool may_send(PluginInstance& p, std::uint32_t msg_id) {
  if (p.manifest().owns(msg_id)) return true;
  p.logger().warn("refused to send message id {}: not in the plugin's ranges", msg_id);
  return false;
}

gh_status svc_send_v1(gh_host* h, gh_session_id s, std::uint32_t id, const std::uint8_t* d,
                      std::size_t n) {
  return guarded(h, "send", [&] {
    auto& p = PluginInstance::from(h);
    if (!may_send(p, id)) return GH_ERR_INVALID_ARGUMENT;
    const auto session = find_session(p, s);
    if (!session) return GH_ERR_NOT_FOUND;
    session->send(id, make_payload(d, n));
    p.stats().count_sent(1);
    return GH_OK;
  });
}

gh_status svc_send_many_v1(gh_host* h, const gh_session_id* s, std::size_t count, std::uint32_t id,
                           const std::uint8_t* d, std::size_t n) {
  return guarded(h, "send_many", [&] {
    auto& p = PluginInstance::from(h);
    if (!may_send(p, id)) return GH_ERR_INVALID_ARGUMENT;
    const auto payload = make_payload(d, n);
    for (std::size_t i = 0; i < count; ++i) {
      if (auto session = p.runtime().sessions.find(s[i])) {
        session->send(id, payload);
        p.stats().count_sent(1);
      }
    }
    return GH_OK;
  });
}

gh_status svc_send_error_v1(gh_host* h, gh_session_id s, std::uint32_t code,
                            std::uint32_t request_id, const char* text) {
  return guarded(h, "send_error", [&] {
    auto& p = PluginInstance::from(h);
    auto session = p.runtime().sessions.find(s);
    if (!session) return GH_ERR_NOT_FOUND;
    p.runtime().metrics.count_error(code);
    // A handler that failed on a keyed lane answers this way (Plugin::handle_keyed): it
    // counts as a handler failure like one that failed in on_message.
    if (code == GH_CODE_PLUGIN_FAILURE) p.stats().count_failure();
    session->send_error(code, request_id, text != nullptr ? text : "");
    return GH_OK;
  });
}

gh_status svc_kick_v1(gh_host* h, gh_session_id s, std::uint32_t code, const char* text) {
  return guarded(h, "kick", [&] {
    auto& p = PluginInstance::from(h);
    auto session = p.runtime().sessions.find(s);
    if (!session) return GH_ERR_NOT_FOUND;
    p.logger().info("kicks session {} ({}): code {} {}", s, session->remote_address(), code,
                    text != nullptr ? text : "");
    session->kick(code, text != nullptr ? text : "");
    return GH_OK;
  });
}

gh_status svc_bind_user_v1(gh_host* h, gh_session_id s, gh_user_id user) {
  return guarded(h, "bind_user", [&] {
    auto& p = PluginInstance::from(h);
    if (!p.has_capability("bind_user")) {
      p.logger().error(
          "bind_user refused: grant it with capabilities = [\"bind_user\"] in [plugins.{}]",
          p.name());
      return GH_ERR_DENIED;
    }
    auto session = p.runtime().sessions.find(s);
    if (!session) return GH_ERR_NOT_FOUND;
    session->set_user(user);
    p.directory().broadcast_session_event(GH_SESSION_AUTHENTICATED, s, user);
    return GH_OK;
  });
}

gh_status svc_session_info_v1(gh_host* h, gh_session_id s, gh_session_info* out) {
  return guarded(h, "session_info", [&] {
    auto& p = PluginInstance::from(h);
    auto session = p.runtime().sessions.find(s);
    if (!session || out == nullptr) return GH_ERR_NOT_FOUND;
    if (GH_HAS_FIELD(out, gh_session_info, user)) out->user = session->user();
    if (GH_HAS_FIELD(out, gh_session_info, transport)) {
      out->transport = static_cast<std::uint32_t>(session->transport());
    }
    if (GH_HAS_FIELD(out, gh_session_info, connected_at_ms))
      out->connected_at_ms = session->connected_at_ms();
    if (GH_HAS_FIELD(out, gh_session_info, remote_address)) {
      const auto& a = session->remote_address();
      const auto len = std::min(a.size(), sizeof(out->remote_address) - 1);
      std::memcpy(out->remote_address, a.data(), len);
      out->remote_address[len] = '\0';
    }
    return GH_OK;
  });
}

gh_status svc_session_set_prop_v1(gh_host* h, gh_session_id s, const char* key,
                                  const std::uint8_t* v, std::size_t n) {
  return guarded(h, "session_set_prop", [&] {
    auto session = PluginInstance::from(h).runtime().sessions.find(s);
    if (!session || key == nullptr) return GH_ERR_NOT_FOUND;
    session->set_property(key, to_string(v, n));
    return GH_OK;
  });
}

gh_status svc_session_get_prop_v1(gh_host* h, gh_session_id s, const char* key,
                                  const gh_byte_sink* sink) {
  return guarded(h, "session_get_prop", [&] {
    auto session = PluginInstance::from(h).runtime().sessions.find(s);
    if (!session || key == nullptr || sink == nullptr) return GH_ERR_NOT_FOUND;
    const auto value = session->property(key);
    if (!value) return GH_ERR_NOT_FOUND;
    sink->write(sink->ctx, reinterpret_cast<const std::uint8_t*>(value->data()), value->size());
    return GH_OK;
  });
}

// Longer names are refused: a group name is kept per member.
constexpr std::size_t kMaxGroupNameBytes = 256;

gh_status svc_group_join_v1(gh_host* h, const char* group, gh_session_id s) {
  return guarded(h, "group_join", [&] {
    auto& rt = PluginInstance::from(h).runtime();
    if (group == nullptr || !rt.sessions.find(s)) return GH_ERR_NOT_FOUND;
    if (std::strlen(group) > kMaxGroupNameBytes) return GH_ERR_INVALID_ARGUMENT;
    if (!rt.groups.join(group, s)) return GH_ERR_BUSY;  // the session's group cap
    // The session may have closed between the check and the join: don't keep a ghost.
    if (!rt.sessions.find(s)) rt.groups.remove_session(s);
    return GH_OK;
  });
}

gh_status svc_group_leave_v1(gh_host* h, const char* group, gh_session_id s) {
  return guarded(h, "group_leave", [&] {
    if (group == nullptr) return GH_ERR_NOT_FOUND;
    return PluginInstance::from(h).runtime().groups.leave(group, s) ? GH_OK : GH_ERR_NOT_FOUND;
  });
}

std::size_t svc_group_size_v1(gh_host* h, const char* group) {
  return guarded(h, "group_size", [&]() -> std::size_t {
    return group == nullptr ? 0 : PluginInstance::from(h).runtime().groups.size(group);
  });
}

gh_status svc_group_send_v1(gh_host* h, const char* group, std::uint32_t id, const std::uint8_t* d,
                            std::size_t n, gh_session_id except) {
  return guarded(h, "group_send", [&] {
    auto& p = PluginInstance::from(h);
    if (!may_send(p, id)) return GH_ERR_INVALID_ARGUMENT;
    if (group == nullptr) return GH_ERR_NOT_FOUND;
    const auto payload = make_payload(d, n);
    for (const auto member : p.runtime().groups.members(group)) {
      if (member == except) continue;
      if (auto session = p.runtime().sessions.find(member)) {
        session->send(id, payload);
        p.stats().count_sent(1);
      }
    }
    return GH_OK;
  });
}

gh_status svc_subscribe_v1(gh_host* h, const char* topic) {
  return guarded(h, "subscribe", [&] {
    auto& p = PluginInstance::from(h);
    if (topic == nullptr) return GH_ERR_INVALID_ARGUMENT;
    p.runtime().events.subscribe(topic, p.shared_from_this());
    return GH_OK;
  });
}

gh_status svc_unsubscribe_v1(gh_host* h, const char* topic) {
  return guarded(h, "unsubscribe", [&] {
    auto& p = PluginInstance::from(h);
    if (topic == nullptr) return GH_ERR_INVALID_ARGUMENT;
    return p.runtime().events.unsubscribe(topic, &p) ? GH_OK : GH_ERR_NOT_FOUND;
  });
}

gh_status svc_publish_v1(gh_host* h, const char* topic, const std::uint8_t* d, std::size_t n) {
  return guarded(h, "publish", [&] {
    auto& p = PluginInstance::from(h);
    if (topic == nullptr) return GH_ERR_INVALID_ARGUMENT;
    p.runtime().events.publish(p, topic, to_string(d, n));
    return GH_OK;
  });
}

gh_status svc_call_v1(gh_host* h, const char* target, std::uint32_t method, const std::uint8_t* d,
                      std::size_t n, std::uint64_t cookie, std::uint32_t timeout_ms,
                      std::uint64_t* call_id) {
  return guarded(h, "call", [&] {
    auto& p = PluginInstance::from(h);
    auto& rt = p.runtime();
    if (target == nullptr || call_id == nullptr) return GH_ERR_INVALID_ARGUMENT;
    auto callee = p.directory().find(target);
    if (!callee) return GH_ERR_NOT_FOUND;
    const auto id = rt.calls.begin(p.weak_from_this(), cookie);
    *call_id = id;
    const auto timer =
        rt.timers.start(timeout_ms == 0 ? 5000 : timeout_ms, 0, [&rt, id](std::uint64_t) {
          if (auto pending = rt.calls.finish(id)) {
            if (auto caller = pending->caller.lock()) {
              caller->post_call_result(id, pending->cookie, GH_ERR_TIMEOUT, {});
            }
          }
        });
    rt.calls.set_timer(id, timer);
    callee->post_call(id, p.name(), method, to_string(d, n));
    return GH_OK;
  });
}

gh_status svc_reply_v1(gh_host* h, std::uint64_t call_id, std::uint32_t status,
                       const std::uint8_t* d, std::size_t n) {
  return guarded(h, "reply", [&] {
    auto& rt = PluginInstance::from(h).runtime();
    auto pending = rt.calls.finish(call_id);
    if (!pending) return GH_ERR_NOT_FOUND;  // answered already, or timed out
    rt.timers.cancel(pending->timer);
    if (auto caller = pending->caller.lock()) {
      caller->post_call_result(call_id, pending->cookie, static_cast<gh_status>(status),
                               to_string(d, n));
    }
    return GH_OK;
  });
}

gh_status svc_timer_start_v1(gh_host* h, std::uint64_t delay, std::uint64_t interval,
                             std::uint64_t cookie, std::uint64_t* timer_id) {
  return guarded(h, "timer_start", [&] {
    if (timer_id == nullptr) return GH_ERR_INVALID_ARGUMENT;
    *timer_id = PluginInstance::from(h).start_timer(delay, interval, cookie);
    return GH_OK;
  });
}

gh_status svc_timer_cancel_v1(gh_host* h, std::uint64_t timer_id) {
  return guarded(h, "timer_cancel", [&] {
    return PluginInstance::from(h).cancel_timer(timer_id) ? GH_OK : GH_ERR_NOT_FOUND;
  });
}

std::uint64_t svc_now_ms_v1(gh_host*) {
  return core::now_ms();
}

gh_status svc_post_keyed_v1(gh_host* h, std::uint64_t key, const gh_task* task) {
  if (task == nullptr || !GH_HAS_FIELD(task, gh_task, ud) || task->run == nullptr ||
      task->discard == nullptr)
    return GH_ERR_INVALID_ARGUMENT;
  return guarded(h, "post_keyed", [&] { return PluginInstance::from(h).post_keyed(key, *task); });
}

void svc_log_v1(gh_host* h, std::uint32_t level, const char* text, std::size_t n) {
  guarded(h, "log", [&] {
    static constexpr spdlog::level::level_enum kLevels[] = {
        spdlog::level::trace, spdlog::level::debug, spdlog::level::info, spdlog::level::warn,
        spdlog::level::err};
    const auto lvl = level < 5 ? kLevels[level] : spdlog::level::err;
    PluginInstance::from(h).logger().log(lvl, std::string_view(text, text == nullptr ? 0 : n));
  });
}

gh_status svc_config_get_v1(gh_host* h, const char* key, gh_config_value* out) {
  return guarded(h, "config_get", [&] {
    if (key == nullptr || out == nullptr || !GH_HAS_FIELD(out, gh_config_value, string_len)) {
      return GH_ERR_INVALID_ARGUMENT;
    }
    auto& p = PluginInstance::from(h);
    p.note_setting_asked(key);
    const auto node = p.config().settings.at_path(key);
    const bool has_origin = GH_HAS_FIELD(out, gh_config_value, origin);
    const bool has_found_type = GH_HAS_FIELD(out, gh_config_value, found_type);
    if (has_origin) out->origin = "";
    if (!node) return GH_ERR_NOT_FOUND;
    if (has_origin) out->origin = p.setting_origin(key);
    std::uint32_t type = GH_CONFIG_OTHER;
    if (node.is_boolean()) {
      type = GH_CONFIG_BOOL;
      out->int_value = node.value<bool>().value_or(false) ? 1 : 0;
    } else if (node.is_integer()) {
      type = GH_CONFIG_INT;
      out->int_value = node.value<std::int64_t>().value_or(0);
    } else if (node.is_floating_point()) {
      type = GH_CONFIG_DOUBLE;
      out->double_value = node.value<double>().value_or(0);
    } else if (node.is_string()) {
      const auto& s = node.as_string()->get();  // lives as long as the instance's config
      type = GH_CONFIG_STRING;
      out->string_value = s.c_str();
      out->string_len = s.size();
    }
    if (has_found_type) out->found_type = type;
    if (type == GH_CONFIG_OTHER) return GH_ERR_UNSUPPORTED;  // arrays, tables, dates
    out->type = type;
    return GH_OK;
  });
}

gh_status svc_key_open_v1(gh_host* h, std::uint64_t key) {
  return guarded(h, "key_open", [&] {
    if (key == 0) return GH_ERR_INVALID_ARGUMENT;
    return PluginInstance::from(h).key_open(key) ? GH_OK : GH_ERR_DENIED;
  });
}

gh_status svc_key_close_v1(gh_host* h, std::uint64_t key) {
  return guarded(h, "key_close", [&] {
    PluginInstance::from(h).key_close(key);
    return GH_OK;
  });
}

gh_status svc_key_bind_session_v1(gh_host* h, std::uint64_t key, gh_session_id session) {
  return guarded(h, "key_bind_session", [&] {
    PluginInstance::from(h).key_bind(key, session);
    return GH_OK;
  });
}

gh_status svc_run_blocking_v1(gh_host* h, const gh_blocking_job* job) {
  if (job == nullptr || !GH_HAS_FIELD(job, gh_blocking_job, ud) || job->work == nullptr ||
      job->then == nullptr || job->discard == nullptr) {
    return GH_ERR_INVALID_ARGUMENT;
  }
  return guarded(h, "run_blocking", [&] { return PluginInstance::from(h).run_blocking(*job); });
}

}  // namespace

void* host_get_proc(const char* name) noexcept {
  // Expanded from abi.h's lists: a service without its svc_<entry>, or one of another type,
  // does not compile.
#define GAMEHOST_DETAIL_HOST_ENTRY(e) {services::e.name, services::entry(services::e, &svc_##e).fn},
  static const std::unordered_map<std::string_view, void*> table = {GAMEHOST_SERVICES(
      GAMEHOST_DETAIL_HOST_ENTRY) GAMEHOST_STORAGE_SERVICES(GAMEHOST_DETAIL_HOST_ENTRY)};
#undef GAMEHOST_DETAIL_HOST_ENTRY
  if (name == nullptr) return nullptr;
  const auto it = table.find(name);
  return it == table.end() ? nullptr : it->second;
}

}  // namespace gamehost::plugins
