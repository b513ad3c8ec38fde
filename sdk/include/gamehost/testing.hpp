// Public header: an in-process fake host, for unit-testing a plugin with no sockets.
//
//   gamehost::testing::FakeHost host;
//   host.load(gamehost_plugin_v1());                 // the entry point the real host uses
//   auto alice = host.connect();
//   host.deliver(alice, 90000, request);
//   auto reply = host.last_sent<EchoReply>(alice, 90001);
//
// It implements every host service the SDK uses through the same C ABI, runs everything
// synchronously on the calling thread (keyed tasks included, in posting order), and has a
// manual clock: timers fire only from advance(). Not thread-safe; one test, one FakeHost.
//
// Storage runs on an in-memory SQLite database (link SQLite3: the SDK's CMake package
// target gamehost::testing does): apply the plugin's migrations with apply_migrations()
// before load(), and read or seed tables with sql().
#pragma once

#include <google/protobuf/message_lite.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "gamehost/abi.h"

namespace gamehost::testing {

// A frame the plugin sent to a client.
struct Sent {
  std::uint32_t msg_id;
  std::string bytes;
};

// An Error frame the host sent to a client (a handler's failure or send_error).
struct SentError {
  std::uint32_t code;
  std::uint32_t request_id;
  std::string text;
};

struct Published {
  std::string topic;
  std::string bytes;
};

struct LogLine {
  std::uint32_t level;
  std::string text;
};

// What deliver() returns: how the plugin answered the message.
struct Outcome {
  gh_status status = GH_OK;
  std::uint32_t error_code = 0;
  std::string error_text;
  bool ok() const { return status == GH_OK; }
};

class FakeHost {
 public:
  using Setting = std::variant<bool, std::int64_t, double, std::string>;
  using CallHandler =
      std::function<std::pair<gh_status, std::string>(std::uint32_t method, std::string_view data)>;

  FakeHost() = default;
  FakeHost(const FakeHost&) = delete;
  FakeHost& operator=(const FakeHost&) = delete;
  ~FakeHost() { unload(); }

  // ---- Set-up ---------------------------------------------------------------------------
  void set_setting(const std::string& key, Setting value) { settings_[key] = std::move(value); }
  void grant_bind_user(bool granted = true) { can_bind_user_ = granted; }
  void set_production(bool production) { production_ = production; }
  void set_node_id(std::uint32_t node_id) { node_id_ = node_id; }
  // Makes every storage lease fail as if the database were down (true) or back (false).
  void fail_storage(bool down = true) { storage_down_ = down; }

  // ---- Storage ---------------------------------------------------------------------------
  // Runs every NNNN_name.sql file of `dir` in name order (skipping the .mysql.sql variants),
  // as the host does before it loads the plugin.
  void apply_migrations(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      const auto name = entry.path().filename().string();
      if (name.ends_with(".sql") && !name.ends_with(".mysql.sql")) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      std::ifstream in(file);
      std::stringstream text;
      text << in.rdbuf();
      sql(text.str());
    }
  }
  // Runs SQL directly (several statements allowed); returns the rows of the last one as
  // text (NULL as ""). For seeding and checking tables in tests.
  std::vector<std::vector<std::string>> sql(const std::string& text) {
    std::vector<std::vector<std::string>> rows;
    char* message = nullptr;
    const auto collect = [](void* ctx, int n, char** values, char**) {
      auto& out = *static_cast<std::vector<std::vector<std::string>>*>(ctx);
      std::vector<std::string> row;
      row.reserve(static_cast<std::size_t>(n));
      for (int i = 0; i < n; ++i) row.emplace_back(values[i] != nullptr ? values[i] : "");
      out.push_back(std::move(row));
      return 0;
    };
    if (sqlite3_exec(database(), text.c_str(), collect, &rows, &message) != SQLITE_OK) {
      const std::string why = message != nullptr ? message : "unknown error";
      sqlite3_free(message);
      throw std::runtime_error("sql failed: " + why);
    }
    return rows;
  }
  // The single value of a one-row, one-column query ("" when there is no row).
  std::string sql_value(const std::string& text) {
    const auto rows = sql(text);
    return rows.empty() || rows.front().empty() ? std::string() : rows.front().front();
  }
  // Answers calls this plugin makes to `target`.
  void serve_calls(const std::string& target, CallHandler handler) {
    call_handlers_[target] = std::move(handler);
  }

  // Creates the plugin as the host would, with optional handover state. Throws with the
  // plugin's own error text when create fails.
  void load(const gh_plugin_descriptor* descriptor, std::string_view state = {}) {
    unload();
    descriptor_ = descriptor;
    api_ = gh_host_api{sizeof(gh_host_api), GAMEHOST_ABI_MAJOR, GAMEHOST_ABI_MINOR,
                       reinterpret_cast<gh_host*>(this), &get_proc};
    const gh_create_args args{sizeof(gh_create_args), &api_,
                              reinterpret_cast<const std::uint8_t*>(state.data()), state.size()};
    gh_error error{sizeof(gh_error), 0, {}};
    gh_plugin* plugin = nullptr;
    if (descriptor->create(&args, &plugin, &error) != GH_OK) {
      throw std::runtime_error(std::string("create failed: ") + error.text);
    }
    plugin_ = plugin;
    drain();
  }
  // Destroys the instance; its timers and subscriptions go with it, as on the real host.
  void unload() {
    if (plugin_ == nullptr) return;
    descriptor_->destroy(std::exchange(plugin_, nullptr));
    timers_.clear();
    subscriptions_.clear();
  }
  // What the plugin exports for the next version (export_state).
  std::string export_state() {
    std::string out;
    const gh_byte_sink sink{&out, [](void* ctx, const std::uint8_t* d, std::size_t n) {
                              static_cast<std::string*>(ctx)->append(
                                  reinterpret_cast<const char*>(d), n);
                            }};
    gh_error error{sizeof(gh_error), 0, {}};
    if (descriptor_->export_state(plugin_, &sink, &error) != GH_OK) {
      throw std::runtime_error(std::string("export_state failed: ") + error.text);
    }
    return out;
  }
  // export_state, destroy, then create again from the same descriptor with that state.
  void reload(const gh_plugin_descriptor* next = nullptr) {
    const auto state = export_state();
    load(next != nullptr ? next : descriptor_, state);
  }

  // ---- Sessions -------------------------------------------------------------------------
  gh_session_id connect(std::string remote_address = "127.0.0.1:50000") {
    const auto id = next_session_++;
    sessions_[id] = Session{0, std::move(remote_address), {}, {}, {}, true, std::nullopt};
    session_event(GH_SESSION_OPENED, id, 0);
    return id;
  }
  // Binds a user as a login plugin would, and tells the plugin.
  void authenticate(gh_session_id s, gh_user_id user) {
    sessions_.at(s).user = user;
    session_event(GH_SESSION_AUTHENTICATED, s, user);
  }
  void disconnect(gh_session_id s) {
    auto& session = sessions_.at(s);
    if (!session.open) return;
    session.open = false;
    for (auto& [name, members] : groups_) members.erase(s);
    session_event(GH_SESSION_CLOSED, s, session.user);
  }
  bool is_open(gh_session_id s) const { return sessions_.at(s).open; }
  bool was_kicked(gh_session_id s) const { return sessions_.at(s).kick_code.has_value(); }
  std::optional<std::uint32_t> kick_code(gh_session_id s) const {
    return sessions_.at(s).kick_code;
  }
  gh_user_id user_of(gh_session_id s) const { return sessions_.at(s).user; }

  // ---- Traffic --------------------------------------------------------------------------
  Outcome deliver(gh_session_id s, std::uint32_t msg_id, std::string_view bytes) {
    const auto& session = sessions_.at(s);
    const gh_message msg{sizeof(gh_message),
                         msg_id,
                         s,
                         session.user,
                         reinterpret_cast<const std::uint8_t*>(bytes.data()),
                         bytes.size()};
    gh_error error{sizeof(gh_error), 0, {}};
    Outcome outcome;
    outcome.status = descriptor_->on_message(plugin_, &msg, &error);
    if (outcome.status != GH_OK) {
      outcome.error_code = error.code;
      outcome.error_text = error.text;
      sessions_.at(s).errors.push_back({error.code, msg_id, error.text});
    }
    drain();
    return outcome;
  }
  Outcome deliver(gh_session_id s, std::uint32_t msg_id, const google::protobuf::MessageLite& m) {
    return deliver(s, msg_id, m.SerializeAsString());
  }

  // Everything sent to `s`, in order.
  const std::vector<Sent>& sent(gh_session_id s) const { return sessions_.at(s).sent; }
  const std::vector<SentError>& errors(gh_session_id s) const { return sessions_.at(s).errors; }
  void clear_sent() {
    for (auto& [id, session] : sessions_) session.sent.clear(), session.errors.clear();
  }
  // The newest message with `msg_id` sent to `s`, decoded; throws when there is none.
  template <class Msg>
  Msg last_sent(gh_session_id s, std::uint32_t msg_id) const {
    const auto& all = sent(s);
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
      if (it->msg_id != msg_id) continue;
      Msg m;
      if (!m.ParseFromString(it->bytes)) throw std::runtime_error("sent bytes do not decode");
      return m;
    }
    throw std::runtime_error("nothing with message id " + std::to_string(msg_id) +
                             " was sent to session " + std::to_string(s));
  }
  std::size_t count_sent(gh_session_id s, std::uint32_t msg_id) const {
    const auto& all = sent(s);
    return static_cast<std::size_t>(std::count_if(
        all.begin(), all.end(), [msg_id](const Sent& x) { return x.msg_id == msg_id; }));
  }

  // ---- Events, calls and time -----------------------------------------------------------
  void publish_to_plugin(const std::string& topic, std::string_view bytes,
                         const std::string& publisher = "test") {
    if (!subscriptions_.contains(topic)) return;
    const gh_event ev{sizeof(gh_event), topic.c_str(), publisher.c_str(),
                      reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()};
    descriptor_->on_event(plugin_, &ev);
    drain();
  }
  const std::vector<Published>& published() const { return published_; }
  bool subscribed(const std::string& topic) const { return subscriptions_.contains(topic); }

  // Calls the plugin's on_call as another plugin would; returns its reply (if it replied).
  std::optional<std::pair<gh_status, std::string>> call_plugin(std::uint32_t method,
                                                               std::string_view bytes,
                                                               const std::string& caller = "test") {
    const auto id = next_call_++;
    const gh_call call{sizeof(gh_call),
                       id,
                       caller.c_str(),
                       method,
                       reinterpret_cast<const std::uint8_t*>(bytes.data()),
                       bytes.size()};
    descriptor_->on_call(plugin_, &call);
    drain();
    const auto it = replies_.find(id);
    if (it == replies_.end()) return std::nullopt;
    return it->second;
  }

  std::uint64_t now() const { return now_ms_; }
  // Moves the manual clock forward, firing every timer that falls due, in time order.
  void advance(std::uint64_t ms) {
    const auto until = now_ms_ + ms;
    while (true) {
      auto due = std::min_element(timers_.begin(), timers_.end(), [](const auto& a, const auto& b) {
        return a.second.due < b.second.due;
      });
      if (due == timers_.end() || due->second.due > until) break;
      now_ms_ = due->second.due;
      const auto id = due->first;
      const auto cookie = due->second.cookie;
      if (due->second.interval == 0) {
        timers_.erase(due);
      } else {
        due->second.due += due->second.interval;
      }
      const gh_timer_event ev{sizeof(gh_timer_event), id, cookie};
      descriptor_->on_timer(plugin_, &ev);
      drain();
    }
    now_ms_ = until;
  }
  std::size_t active_timers() const { return timers_.size(); }

  const std::vector<LogLine>& logs() const { return logs_; }
  bool logged(std::string_view fragment) const {
    return std::any_of(logs_.begin(), logs_.end(), [fragment](const LogLine& l) {
      return l.text.find(fragment) != std::string::npos;
    });
  }
  // Keys the plugin declared open, and the key a session is bound to (0: none).
  const std::set<std::uint64_t>& open_keys() const { return keys_; }
  std::uint64_t key_of(gh_session_id s) const {
    const auto it = session_keys_.find(s);
    return it == session_keys_.end() ? 0 : it->second;
  }
  std::size_t group_size(const std::string& group) const {
    const auto it = groups_.find(group);
    return it == groups_.end() ? 0 : it->second.size();
  }

 private:
  struct Session {
    gh_user_id user = 0;
    std::string remote_address;
    std::vector<Sent> sent;
    std::vector<SentError> errors;
    std::map<std::string, std::string> props;
    bool open = true;
    std::optional<std::uint32_t> kick_code;
  };
  struct Timer {
    std::uint64_t due;
    std::uint64_t interval;
    std::uint64_t cookie;
  };

  // Re-entrancy: a plugin calling a host service must not be re-entered, so deliveries the
  // plugin caused (call results, keyed tasks) wait here until its entry point returns.
  void drain() {
    while (!pending_.empty()) {
      auto next = std::move(pending_.front());
      pending_.pop_front();
      next();
    }
  }
  void session_event(std::uint32_t kind, gh_session_id s, gh_user_id user) {
    if (plugin_ == nullptr || descriptor_->on_session_event == nullptr) return;
    const gh_session_event ev{sizeof(gh_session_event), kind, s, user};
    descriptor_->on_session_event(plugin_, &ev);
    drain();
  }
  static FakeHost& self(gh_host* h) { return *reinterpret_cast<FakeHost*>(h); }
  Session* find(gh_session_id s) {
    const auto it = sessions_.find(s);
    return it == sessions_.end() || !it->second.open ? nullptr : &it->second;
  }
  static std::string bytes(const std::uint8_t* d, std::size_t n) {
    return {reinterpret_cast<const char*>(d), n};
  }

  // ---- The host services, as C functions --------------------------------------------------
  static void* get_proc(const char* name) {
    static const std::map<std::string_view, void*> services = {
        {"gamehost_send_v1", reinterpret_cast<void*>(&svc_send)},
        {"gamehost_send_many_v1", reinterpret_cast<void*>(&svc_send_many)},
        {"gamehost_send_error_v1", reinterpret_cast<void*>(&svc_send_error)},
        {"gamehost_kick_v1", reinterpret_cast<void*>(&svc_kick)},
        {"gamehost_bind_user_v1", reinterpret_cast<void*>(&svc_bind_user)},
        {"gamehost_session_info_v1", reinterpret_cast<void*>(&svc_session_info)},
        {"gamehost_session_set_prop_v1", reinterpret_cast<void*>(&svc_set_prop)},
        {"gamehost_session_get_prop_v1", reinterpret_cast<void*>(&svc_get_prop)},
        {"gamehost_group_join_v1", reinterpret_cast<void*>(&svc_group_join)},
        {"gamehost_group_leave_v1", reinterpret_cast<void*>(&svc_group_leave)},
        {"gamehost_group_size_v1", reinterpret_cast<void*>(&svc_group_size)},
        {"gamehost_group_send_v1", reinterpret_cast<void*>(&svc_group_send)},
        {"gamehost_subscribe_v1", reinterpret_cast<void*>(&svc_subscribe)},
        {"gamehost_unsubscribe_v1", reinterpret_cast<void*>(&svc_unsubscribe)},
        {"gamehost_publish_v1", reinterpret_cast<void*>(&svc_publish)},
        {"gamehost_call_v1", reinterpret_cast<void*>(&svc_call)},
        {"gamehost_reply_v1", reinterpret_cast<void*>(&svc_reply)},
        {"gamehost_timer_start_v1", reinterpret_cast<void*>(&svc_timer_start)},
        {"gamehost_timer_cancel_v1", reinterpret_cast<void*>(&svc_timer_cancel)},
        {"gamehost_now_ms_v1", reinterpret_cast<void*>(&svc_now_ms)},
        {"gamehost_post_keyed_v1", reinterpret_cast<void*>(&svc_post_keyed)},
        {"gamehost_log_v1", reinterpret_cast<void*>(&svc_log)},
        {"gamehost_config_get_v1", reinterpret_cast<void*>(&svc_config_get)},
        {"gamehost_key_open_v1", reinterpret_cast<void*>(&svc_key_open)},
        {"gamehost_key_close_v1", reinterpret_cast<void*>(&svc_key_close)},
        {"gamehost_key_bind_session_v1", reinterpret_cast<void*>(&svc_key_bind)},
        {"gamehost_host_info_v1", reinterpret_cast<void*>(&svc_host_info)},
        {"gamehost_next_id_v1", reinterpret_cast<void*>(&svc_next_id)},
        {"gamehost_db_acquire_v1", reinterpret_cast<void*>(&db_acquire)},
        {"gamehost_db_release_v1", reinterpret_cast<void*>(&db_release)},
        {"gamehost_db_dialect_v1", reinterpret_cast<void*>(&db_dialect)},
        {"gamehost_db_begin_v1", reinterpret_cast<void*>(&db_begin)},
        {"gamehost_db_commit_v1", reinterpret_cast<void*>(&db_commit)},
        {"gamehost_db_rollback_v1", reinterpret_cast<void*>(&db_rollback)},
        {"gamehost_db_prepare_v1", reinterpret_cast<void*>(&db_prepare)},
        {"gamehost_db_bind_v1", reinterpret_cast<void*>(&db_bind)},
        {"gamehost_db_step_v1", reinterpret_cast<void*>(&db_step)},
        {"gamehost_db_column_count_v1", reinterpret_cast<void*>(&db_column_count)},
        {"gamehost_db_column_v1", reinterpret_cast<void*>(&db_column)},
        {"gamehost_db_changes_v1", reinterpret_cast<void*>(&db_changes)},
        {"gamehost_db_reset_v1", reinterpret_cast<void*>(&db_reset)},
        {"gamehost_db_finalize_v1", reinterpret_cast<void*>(&db_finalize)},
    };
    const auto it = services.find(name);
    return it == services.end() ? nullptr : it->second;
  }

  bool owns(std::uint32_t id) const {
    for (std::uint32_t i = 0; i < descriptor_->range_count; ++i) {
      if (id >= descriptor_->ranges[i].first && id <= descriptor_->ranges[i].last) return true;
    }
    return false;
  }

  static gh_status svc_send(gh_host* h, gh_session_id s, std::uint32_t id, const std::uint8_t* d,
                            std::size_t n) {
    auto& host = self(h);
    if (!host.owns(id)) return GH_ERR_INVALID_ARGUMENT;
    auto* session = host.find(s);
    if (session == nullptr) return GH_ERR_NOT_FOUND;
    session->sent.emplace_back(Sent{id, bytes(d, n)});
    return GH_OK;
  }
  static gh_status svc_send_many(gh_host* h, const gh_session_id* s, std::size_t count,
                                 std::uint32_t id, const std::uint8_t* d, std::size_t n) {
    if (!self(h).owns(id)) return GH_ERR_INVALID_ARGUMENT;
    for (std::size_t i = 0; i < count; ++i) svc_send(h, s[i], id, d, n);
    return GH_OK;
  }
  static gh_status svc_send_error(gh_host* h, gh_session_id s, std::uint32_t code,
                                  std::uint32_t request_id, const char* text) {
    auto* session = self(h).find(s);
    if (session == nullptr) return GH_ERR_NOT_FOUND;
    session->errors.emplace_back(SentError{code, request_id, text});
    return GH_OK;
  }
  static gh_status svc_kick(gh_host* h, gh_session_id s, std::uint32_t code, const char*) {
    auto& host = self(h);
    auto* session = host.find(s);
    if (session == nullptr) return GH_ERR_NOT_FOUND;
    session->kick_code = code;
    // The real host closes asynchronously; so does this one, after the current call.
    host.pending_.emplace_back([&host, s] { host.disconnect(s); });
    return GH_OK;
  }
  static gh_status svc_bind_user(gh_host* h, gh_session_id s, gh_user_id user) {
    auto& host = self(h);
    if (!host.can_bind_user_) return GH_ERR_DENIED;
    auto* session = host.find(s);
    if (session == nullptr) return GH_ERR_NOT_FOUND;
    session->user = user;
    host.pending_.emplace_back(
        [&host, s, user] { host.session_event(GH_SESSION_AUTHENTICATED, s, user); });
    return GH_OK;
  }
  static gh_status svc_session_info(gh_host* h, gh_session_id s, gh_session_info* out) {
    auto* session = self(h).find(s);
    if (session == nullptr) return GH_ERR_NOT_FOUND;
    out->user = session->user;
    out->transport = 1;
    out->connected_at_ms = self(h).now_ms_;
    const auto n = std::min(session->remote_address.size(), sizeof(out->remote_address) - 1);
    std::memcpy(out->remote_address, session->remote_address.data(), n);
    out->remote_address[n] = '\0';
    return GH_OK;
  }
  static gh_status svc_set_prop(gh_host* h, gh_session_id s, const char* key, const std::uint8_t* v,
                                std::size_t n) {
    auto* session = self(h).find(s);
    if (session == nullptr) return GH_ERR_NOT_FOUND;
    if (n == 0) {
      session->props.erase(key);
    } else {
      session->props[key] = bytes(v, n);
    }
    return GH_OK;
  }
  static gh_status svc_get_prop(gh_host* h, gh_session_id s, const char* key,
                                const gh_byte_sink* sink) {
    auto* session = self(h).find(s);
    if (session == nullptr) return GH_ERR_NOT_FOUND;
    const auto it = session->props.find(key);
    if (it == session->props.end()) return GH_ERR_NOT_FOUND;
    sink->write(sink->ctx, reinterpret_cast<const std::uint8_t*>(it->second.data()),
                it->second.size());
    return GH_OK;
  }
  static gh_status svc_group_join(gh_host* h, const char* group, gh_session_id s) {
    if (self(h).find(s) == nullptr) return GH_ERR_NOT_FOUND;
    self(h).groups_[group].insert(s);
    return GH_OK;
  }
  static gh_status svc_group_leave(gh_host* h, const char* group, gh_session_id s) {
    auto& groups = self(h).groups_;
    const auto it = groups.find(group);
    if (it == groups.end() || it->second.erase(s) == 0) return GH_ERR_NOT_FOUND;
    if (it->second.empty()) groups.erase(it);
    return GH_OK;
  }
  static std::size_t svc_group_size(gh_host* h, const char* group) {
    return self(h).group_size(group);
  }
  static gh_status svc_group_send(gh_host* h, const char* group, std::uint32_t id,
                                  const std::uint8_t* d, std::size_t n, gh_session_id except) {
    auto& host = self(h);
    if (!host.owns(id)) return GH_ERR_INVALID_ARGUMENT;
    const auto it = host.groups_.find(group);
    if (it == host.groups_.end()) return GH_OK;
    for (const auto member : it->second) {
      if (member != except) svc_send(h, member, id, d, n);
    }
    return GH_OK;
  }
  static gh_status svc_subscribe(gh_host* h, const char* topic) {
    self(h).subscriptions_.insert(topic);
    return GH_OK;
  }
  static gh_status svc_unsubscribe(gh_host* h, const char* topic) {
    return self(h).subscriptions_.erase(topic) != 0 ? GH_OK : GH_ERR_NOT_FOUND;
  }
  static gh_status svc_publish(gh_host* h, const char* topic, const std::uint8_t* d,
                               std::size_t n) {
    self(h).published_.emplace_back(Published{topic, bytes(d, n)});
    return GH_OK;
  }
  static gh_status svc_call(gh_host* h, const char* target, std::uint32_t method,
                            const std::uint8_t* d, std::size_t n, std::uint64_t cookie,
                            std::uint32_t, std::uint64_t* call_id) {
    auto& host = self(h);
    const auto id = host.next_call_++;
    *call_id = id;
    const auto it = host.call_handlers_.find(target);
    auto result = it == host.call_handlers_.end()
                      ? std::pair<gh_status, std::string>{GH_ERR_NOT_FOUND, {}}
                      : it->second(method, {reinterpret_cast<const char*>(d), n});
    host.pending_.emplace_back([&host, id, cookie, result = std::move(result)] {
      const gh_call_result r{sizeof(gh_call_result),
                             id,
                             cookie,
                             static_cast<std::uint32_t>(result.first),
                             reinterpret_cast<const std::uint8_t*>(result.second.data()),
                             result.second.size()};
      host.descriptor_->on_call_result(host.plugin_, &r);
    });
    return GH_OK;
  }
  static gh_status svc_reply(gh_host* h, std::uint64_t call_id, std::uint32_t status,
                             const std::uint8_t* d, std::size_t n) {
    auto& replies = self(h).replies_;
    if (replies.contains(call_id)) return GH_ERR_INVALID_ARGUMENT;  // answered twice
    replies[call_id] = {static_cast<gh_status>(status), bytes(d, n)};
    return GH_OK;
  }
  static gh_status svc_timer_start(gh_host* h, std::uint64_t delay, std::uint64_t interval,
                                   std::uint64_t cookie, std::uint64_t* timer_id) {
    auto& host = self(h);
    *timer_id = host.next_timer_++;
    host.timers_[*timer_id] = Timer{host.now_ms_ + delay, interval, cookie};
    return GH_OK;
  }
  static gh_status svc_timer_cancel(gh_host* h, std::uint64_t timer_id) {
    return self(h).timers_.erase(timer_id) != 0 ? GH_OK : GH_ERR_NOT_FOUND;
  }
  static std::uint64_t svc_now_ms(gh_host* h) { return self(h).now_ms_; }
  static gh_status svc_post_keyed(gh_host* h, std::uint64_t, const gh_task* task) {
    const gh_task copy = *task;
    self(h).pending_.emplace_back([copy] { copy.run(copy.ud); });
    return GH_OK;
  }
  static void svc_log(gh_host* h, std::uint32_t level, const char* text, std::size_t n) {
    self(h).logs_.emplace_back(LogLine{level, std::string(text, n)});
  }
  static gh_status svc_config_get(gh_host* h, const char* key, gh_config_value* out) {
    auto& settings = self(h).settings_;
    const auto it = settings.find(key);
    if (it == settings.end()) return GH_ERR_NOT_FOUND;
    if (const auto* b = std::get_if<bool>(&it->second)) {
      out->type = GH_CONFIG_BOOL, out->int_value = *b ? 1 : 0;
    } else if (const auto* i = std::get_if<std::int64_t>(&it->second)) {
      out->type = GH_CONFIG_INT, out->int_value = *i;
    } else if (const auto* d = std::get_if<double>(&it->second)) {
      out->type = GH_CONFIG_DOUBLE, out->double_value = *d;
    } else {
      const auto& s = std::get<std::string>(it->second);
      out->type = GH_CONFIG_STRING, out->string_value = s.c_str(), out->string_len = s.size();
    }
    return GH_OK;
  }

  static gh_status svc_key_open(gh_host* h, std::uint64_t key) {
    self(h).keys_.insert(key);
    return GH_OK;
  }
  static gh_status svc_key_close(gh_host* h, std::uint64_t key) {
    return self(h).keys_.erase(key) != 0 ? GH_OK : GH_ERR_NOT_FOUND;
  }
  static gh_status svc_key_bind(gh_host* h, std::uint64_t key, gh_session_id s) {
    if (key == 0) {
      self(h).session_keys_.erase(s);
    } else {
      self(h).session_keys_[s] = key;
    }
    return GH_OK;
  }

  static gh_status svc_host_info(gh_host* h, gh_host_info* out) {
    out->production = self(h).production_ ? 1 : 0;
    out->node_id = self(h).node_id_;
    std::snprintf(out->host_version, sizeof out->host_version, "%s", "0.0.0-fake");
    return GH_OK;
  }
  // Snowflake layout with the manual clock; the sequence grows within one millisecond.
  static gh_status svc_next_id(gh_host* h, std::uint64_t* out) {
    auto& host = self(h);
    const std::uint64_t epoch = 1'577'836'800'000;  // 2020-01-01 UTC
    if (host.now_ms_ == host.id_ms_) {
      ++host.id_sequence_;
    } else {
      host.id_ms_ = host.now_ms_, host.id_sequence_ = 0;
    }
    *out = (host.now_ms_ - epoch) << 22 | std::uint64_t{host.node_id_} << 12 | host.id_sequence_;
    return GH_OK;
  }

  // ---- Storage over one in-memory SQLite connection ------------------------------------------
  struct FakeStmt {
    sqlite3_stmt* stmt;
    std::uint64_t changes = 0;
  };
  sqlite3* database() {
    if (db_ == nullptr) {
      sqlite3* raw = nullptr;
      if (sqlite3_open(":memory:", &raw) != SQLITE_OK)
        throw std::runtime_error("cannot open SQLite");
      db_.reset(raw);
    }
    return db_.get();
  }
  static gh_status db_fail(gh_error* error, gh_status status, const std::string& text) {
    if (error != nullptr) {
      const auto n = std::min(text.size(), sizeof(error->text) - 1);
      std::memcpy(error->text, text.data(), n);
      error->text[n] = '\0';
      error->code = GH_CODE_STORAGE_UNAVAILABLE;
    }
    return status;
  }
  static gh_status sqlite_status(int rc) {
    switch (rc & 0xff) {
      case SQLITE_CONSTRAINT:
        return GH_ERR_CONSTRAINT;
      case SQLITE_BUSY:
      case SQLITE_LOCKED:
        return GH_ERR_BUSY;
      default:
        return GH_ERR_FAILED;
    }
  }
  static gh_status db_acquire(gh_host* h, std::uint32_t, gh_db** out, gh_error* error) {
    auto& host = self(h);
    if (host.storage_down_)
      return db_fail(error, GH_ERR_FAILED, "database unreachable (fail_storage)");
    ++host.leases_;
    *out = reinterpret_cast<gh_db*>(&host);
    return GH_OK;
  }
  static void db_release(gh_db* db) {
    auto& host = *reinterpret_cast<FakeHost*>(db);
    if (--host.leases_ == 0 && !sqlite3_get_autocommit(host.database())) {
      sqlite3_exec(host.database(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
  }
  static std::uint32_t db_dialect(gh_db*) { return GH_DB_SQLITE; }
  static gh_status db_run(gh_db* db, const char* sql, gh_error* error) {
    auto& host = *reinterpret_cast<FakeHost*>(db);
    if (host.storage_down_)
      return db_fail(error, GH_ERR_FAILED, "database unreachable (fail_storage)");
    const int rc = sqlite3_exec(host.database(), sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return db_fail(error, sqlite_status(rc), sqlite3_errmsg(host.database()));
    return GH_OK;
  }
  static gh_status db_begin(gh_db* db, gh_error* error) {
    return db_run(db, "BEGIN IMMEDIATE", error);
  }
  static gh_status db_commit(gh_db* db, gh_error* error) { return db_run(db, "COMMIT", error); }
  static gh_status db_rollback(gh_db* db, gh_error* error) { return db_run(db, "ROLLBACK", error); }
  static gh_status db_prepare(gh_db* db, const char* sql, std::size_t len, gh_stmt** out,
                              gh_error* error) {
    auto& host = *reinterpret_cast<FakeHost*>(db);
    if (host.storage_down_)
      return db_fail(error, GH_ERR_FAILED, "database unreachable (fail_storage)");
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v2(host.database(), sql, static_cast<int>(len), &stmt, nullptr);
    if (rc != SQLITE_OK) {
      return db_fail(
          error, GH_ERR_FAILED,
          std::string(sqlite3_errmsg(host.database())) + " in: " + std::string(sql, len));
    }
    *out = reinterpret_cast<gh_stmt*>(new FakeStmt{stmt});
    return GH_OK;
  }
  static FakeStmt& fake(gh_stmt* stmt) { return *reinterpret_cast<FakeStmt*>(stmt); }
  static gh_status db_bind(gh_stmt* stmt, std::uint32_t index, const gh_db_value* v) {
    auto* s = fake(stmt).stmt;
    const int i = static_cast<int>(index);
    int rc = SQLITE_OK;
    switch (v->type) {
      case GH_DB_NULL:
        rc = sqlite3_bind_null(s, i);
        break;
      case GH_DB_INT:
        rc = sqlite3_bind_int64(s, i, v->int_value);
        break;
      case GH_DB_DOUBLE:
        rc = sqlite3_bind_double(s, i, v->double_value);
        break;
      case GH_DB_TEXT:
        rc = sqlite3_bind_text(s, i, v->text, static_cast<int>(v->len), SQLITE_TRANSIENT);
        break;
      default:
        return GH_ERR_INVALID_ARGUMENT;
    }
    return rc == SQLITE_OK ? GH_OK : GH_ERR_INVALID_ARGUMENT;
  }
  static gh_status db_step(gh_stmt* stmt, int* has_row, gh_error* error) {
    auto& st = fake(stmt);
    const int rc = sqlite3_step(st.stmt);
    *has_row = rc == SQLITE_ROW ? 1 : 0;
    if (rc == SQLITE_ROW) return GH_OK;
    if (rc == SQLITE_DONE) {
      st.changes = static_cast<std::uint64_t>(sqlite3_changes(sqlite3_db_handle(st.stmt)));
      return GH_OK;
    }
    return db_fail(error, sqlite_status(rc), sqlite3_errmsg(sqlite3_db_handle(st.stmt)));
  }
  static std::uint32_t db_column_count(gh_stmt* stmt) {
    return static_cast<std::uint32_t>(sqlite3_column_count(fake(stmt).stmt));
  }
  static gh_status db_column(gh_stmt* stmt, std::uint32_t index, gh_db_value* out) {
    auto* s = fake(stmt).stmt;
    const int i = static_cast<int>(index);
    switch (sqlite3_column_type(s, i)) {
      case SQLITE_INTEGER:
        out->type = GH_DB_INT, out->int_value = sqlite3_column_int64(s, i);
        break;
      case SQLITE_FLOAT:
        out->type = GH_DB_DOUBLE, out->double_value = sqlite3_column_double(s, i);
        break;
      case SQLITE_NULL:
        out->type = GH_DB_NULL;
        break;
      default:
        out->type = GH_DB_TEXT;
        out->text = reinterpret_cast<const char*>(sqlite3_column_blob(s, i));
        out->len = static_cast<std::size_t>(sqlite3_column_bytes(s, i));
        break;
    }
    return GH_OK;
  }
  static std::uint64_t db_changes(gh_stmt* stmt) { return fake(stmt).changes; }
  static gh_status db_reset(gh_stmt* stmt) {
    sqlite3_reset(fake(stmt).stmt);
    return GH_OK;
  }
  static void db_finalize(gh_stmt* stmt) {
    sqlite3_finalize(fake(stmt).stmt);
    delete &fake(stmt);
  }

  struct CloseSqlite {
    void operator()(sqlite3* db) const { sqlite3_close(db); }
  };
  std::unique_ptr<sqlite3, CloseSqlite> db_;
  int leases_ = 0;
  bool storage_down_ = false;
  bool production_ = false;
  std::uint32_t node_id_ = 1;
  std::uint64_t id_ms_ = 0;
  std::uint64_t id_sequence_ = 0;

  const gh_plugin_descriptor* descriptor_ = nullptr;
  gh_plugin* plugin_ = nullptr;
  std::set<std::uint64_t> keys_;
  std::map<gh_session_id, std::uint64_t> session_keys_;
  gh_host_api api_{};
  bool can_bind_user_ = false;
  std::uint64_t now_ms_ = 1'700'000'000'000;  // a fixed, realistic Unix time
  gh_session_id next_session_ = 1;
  std::uint64_t next_call_ = 1;
  std::uint64_t next_timer_ = 1;
  std::map<gh_session_id, Session> sessions_;
  std::map<std::string, std::set<gh_session_id>> groups_;
  std::set<std::string> subscriptions_;
  std::vector<Published> published_;
  std::map<std::string, CallHandler> call_handlers_;
  std::map<std::uint64_t, std::pair<gh_status, std::string>> replies_;
  std::map<std::uint64_t, Timer> timers_;
  std::map<std::string, Setting> settings_;
  std::vector<LogLine> logs_;
  std::deque<std::function<void()>> pending_;
};

}  // namespace gamehost::testing
