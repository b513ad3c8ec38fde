// Public header: the C++20 layer plugin authors write against. Header-only, over abi.h.
//
//   class Echo : public gamehost::Plugin {
//    public:
//     explicit Echo(gamehost::Host& host) : Plugin(host) {
//       handle<EchoRequest>(90000, [this](gamehost::Request& req, const EchoRequest& m) {...});
//     }
//   };
//   GAMEHOST_PLUGIN(Echo, "name = echo\nversion = 1.0.0\nranges = 90000-90099\n")
//
// Threading: the host calls a plugin instance from one worker thread at a time, so plugin
// code needs no locks - except code run through Host::post_keyed, which runs in parallel
// across keys (in order within a key) and must only touch that key's state.
// Exceptions: anything a handler throws is caught here. A ClientError becomes an Error
// frame with its code; any other exception becomes GH_CODE_PLUGIN_FAILURE and a log line.
#pragma once

#include <google/protobuf/message_lite.h>

#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "gamehost/abi.h"
#include "gamehost/manifest.hpp"
#include "gamehost/storage.hpp"

extern "C" const gh_plugin_descriptor* gamehost_plugin_v1(void);

namespace gamehost {

using SessionId = gh_session_id;
using UserId = gh_user_id;

// Throw from a handler to answer the client with `code` (a gh_error_code, or a code in
// the plugin's own id range) and a text the player may see.
class ClientError : public std::runtime_error {
 public:
  ClientError(std::uint32_t code, const std::string& text)
      : std::runtime_error(text), code_(code) {}
  std::uint32_t code() const noexcept { return code_; }

 private:
  std::uint32_t code_;
};

// Concatenates its arguments with operator<< (plugins do not link fmt or spdlog).
template <class... Args>
std::string concat(const Args&... args) {
  std::ostringstream out;
  (out << ... << args);
  return std::move(out).str();
}

// ---- Versioned state for live reload ---------------------------------------------------
// export_state() returns `versioned_state(N, bytes)`; the next build's constructor calls
// `read_state(state, oldest, newest)`, which gives the version and bytes, or throws
// StateVersionError when it cannot read that version - create then fails, and the host
// keeps the old build serving. Layout: "GHST", u32 version (little-endian), the bytes.
class StateVersionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline std::string versioned_state(std::uint32_t version, std::string_view bytes) {
  std::string out = "GHST";
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(version >> (8 * i)));
  out.append(bytes);
  return out;
}

struct VersionedState {
  std::uint32_t version = 0;  // 0: no state (a cold start)
  std::string_view bytes;
};

inline VersionedState read_state(std::string_view state, std::uint32_t oldest,
                                 std::uint32_t newest) {
  if (state.empty()) return {};
  if (state.size() < 8 || state.substr(0, 4) != "GHST") {
    throw StateVersionError("state was not written with gamehost::versioned_state");
  }
  std::uint32_t version = 0;
  for (int i = 3; i >= 0; --i) version = version << 8 | static_cast<std::uint8_t>(state[4 + i]);
  if (version < oldest || version > newest) {
    throw StateVersionError(concat("cannot read state version ", version, " (this build reads ",
                                   oldest, "-", newest, ")"));
  }
  return {version, state.substr(8)};
}

struct SessionInfo {
  UserId user = 0;
  std::uint32_t transport = 0;  // 1 = TCP, 2 = WebSocket
  std::uint64_t connected_at_ms = 0;
  std::string remote_address;
};

// Facts about the host this instance runs in.
struct HostInfo {
  bool production = false;  // [server] mode = "production": refuse unsafe settings
  std::uint32_t node_id = 0;
  std::string host_version;
};

struct CallResult {
  gh_status status = GH_OK;
  std::string data;
  bool ok() const { return status == GH_OK; }
};

class Plugin;

// The plugin's handle on the host services. Thread-safe: every method may be called from
// any thread the plugin runs on.
class Host {
 public:
  explicit Host(const gh_host_api* api) : host_(api->host), get_proc_(api->get_proc) {
    resolve(send_, "gamehost_send_v1");
    resolve(send_many_, "gamehost_send_many_v1");
    resolve(send_error_, "gamehost_send_error_v1");
    resolve(kick_, "gamehost_kick_v1");
    resolve(bind_user_, "gamehost_bind_user_v1");
    resolve(session_info_, "gamehost_session_info_v1");
    resolve(set_prop_, "gamehost_session_set_prop_v1");
    resolve(get_prop_, "gamehost_session_get_prop_v1");
    resolve(group_join_, "gamehost_group_join_v1");
    resolve(group_leave_, "gamehost_group_leave_v1");
    resolve(group_size_, "gamehost_group_size_v1");
    resolve(group_send_, "gamehost_group_send_v1");
    resolve(subscribe_, "gamehost_subscribe_v1");
    resolve(unsubscribe_, "gamehost_unsubscribe_v1");
    resolve(publish_, "gamehost_publish_v1");
    resolve(call_, "gamehost_call_v1");
    resolve(reply_, "gamehost_reply_v1");
    resolve(timer_start_, "gamehost_timer_start_v1");
    resolve(timer_cancel_, "gamehost_timer_cancel_v1");
    resolve(now_ms_, "gamehost_now_ms_v1");
    resolve(post_keyed_, "gamehost_post_keyed_v1");
    resolve(log_, "gamehost_log_v1");
    resolve(config_get_, "gamehost_config_get_v1");
    resolve(key_open_, "gamehost_key_open_v1");
    resolve(key_close_, "gamehost_key_close_v1");
    resolve(key_bind_, "gamehost_key_bind_session_v1");
    resolve(host_info_, "gamehost_host_info_v1");
    resolve(next_id_, "gamehost_next_id_v1");
    if (!db_api_.resolve(get_proc_))
      throw std::runtime_error("host does not offer the storage services");
  }
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  // ---- Messages to clients ----------------------------------------------------------
  // Returns false when the session is gone (closed meanwhile); that is not an error.
  bool send(SessionId session, std::uint32_t msg_id, const google::protobuf::MessageLite& msg) {
    const auto bytes = msg.SerializeAsString();
    return send_bytes(session, msg_id, bytes);
  }
  bool send_bytes(SessionId session, std::uint32_t msg_id, std::string_view bytes) {
    return check(send_(host_, session, msg_id, data(bytes), bytes.size()), "send");
  }
  void send_many(std::span<const SessionId> sessions, std::uint32_t msg_id,
                 const google::protobuf::MessageLite& msg) {
    const auto bytes = msg.SerializeAsString();
    check(send_many_(host_, sessions.data(), sessions.size(), msg_id, data(bytes), bytes.size()),
          "send_many");
  }
  void send_error(SessionId session, std::uint32_t code, std::uint32_t request_id,
                  const std::string& text) {
    send_error_(host_, session, code, request_id, text.c_str());
  }
  void kick(SessionId session, std::uint32_t code, const std::string& text) {
    kick_(host_, session, code, text.c_str());
  }

  // ---- Sessions -----------------------------------------------------------------------
  // Needs the "bind_user" capability in config; throws otherwise.
  void bind_user(SessionId session, UserId user) {
    const auto status = bind_user_(host_, session, user);
    if (status == GH_ERR_DENIED) {
      throw std::logic_error("plugin lacks the bind_user capability (see [plugins.<name>])");
    }
    check(status, "bind_user");
  }
  std::optional<SessionInfo> session_info(SessionId session) {
    gh_session_info info{};
    info.size = sizeof info;
    if (session_info_(host_, session, &info) != GH_OK) return std::nullopt;
    return SessionInfo{info.user, info.transport, info.connected_at_ms, info.remote_address};
  }
  void set_property(SessionId session, const std::string& key, std::string_view value) {
    set_prop_(host_, session, key.c_str(), data(value), value.size());
  }
  std::optional<std::string> property(SessionId session, const std::string& key) {
    std::string out;
    const gh_byte_sink sink{&out, &append_to_string};
    if (get_prop_(host_, session, key.c_str(), &sink) != GH_OK) return std::nullopt;
    return out;
  }

  // ---- Groups -------------------------------------------------------------------------
  void join_group(const std::string& group, SessionId session) {
    check(group_join_(host_, group.c_str(), session), "join_group");
  }
  // False when the session was not in the group.
  bool leave_group(const std::string& group, SessionId session) {
    return check(group_leave_(host_, group.c_str(), session), "leave_group");
  }
  std::size_t group_size(const std::string& group) { return group_size_(host_, group.c_str()); }
  void send_group(const std::string& group, std::uint32_t msg_id,
                  const google::protobuf::MessageLite& msg, SessionId except = 0) {
    const auto bytes = msg.SerializeAsString();
    check(group_send_(host_, group.c_str(), msg_id, data(bytes), bytes.size(), except),
          "send_group");
  }

  // ---- Events between plugins -----------------------------------------------------------
  void subscribe(const std::string& topic) { check(subscribe_(host_, topic.c_str()), "subscribe"); }
  void unsubscribe(const std::string& topic) { unsubscribe_(host_, topic.c_str()); }
  void publish(const std::string& topic, std::string_view bytes) {
    check(publish_(host_, topic.c_str(), data(bytes), bytes.size()), "publish");
  }
  void publish(const std::string& topic, const google::protobuf::MessageLite& msg) {
    publish(topic, msg.SerializeAsString());
  }

  // ---- Keys: units of work (rooms, matches) for drain reloads ---------------------------
  // Declare a key while its unit lives, and bind the sessions that play in it: a drain
  // reload then lets the unit finish on this build while new ones start on the next.
  void key_open(std::uint64_t key) { check(key_open_(host_, key), "key_open"); }
  void key_close(std::uint64_t key) { key_close_(host_, key); }
  void key_bind(std::uint64_t key, SessionId session) { key_bind_(host_, key, session); }

  // ---- Time and ids ------------------------------------------------------------------------
  std::uint64_t now_ms() { return now_ms_(host_); }
  // A new snowflake id (time, node, sequence), unique across the deployment's nodes.
  // Throws when the host refuses because its clock stepped far backwards.
  std::uint64_t next_id() {
    std::uint64_t id = 0;
    if (next_id_(host_, &id) != GH_OK) {
      throw std::runtime_error("host refused a new id: its clock stepped backwards");
    }
    return id;
  }
  HostInfo info() {
    gh_host_info raw{};
    raw.size = sizeof raw;
    host_info_(host_, &raw);
    return HostInfo{raw.production != 0, raw.node_id, raw.host_version};
  }

  // ---- Storage (see gamehost/storage.hpp) --------------------------------------------------
  // Leases a connection, waiting up to timeout_ms (0: the configured default). Throws
  // DbError when none is free in time or the database cannot be reached.
  Db db(std::uint32_t timeout_ms = 0) {
    gh_db* db = nullptr;
    gh_error error{sizeof(gh_error), 0, {}};
    const auto status = db_api_.acquire(host_, timeout_ms, &db, &error);
    if (status != GH_OK) throw DbError(status, error.text);
    return Db(&db_api_, db);
  }

  // ---- Logging (the plugin's own logger, level from config) -----------------------------
  void log(gh_log_level level, std::string_view text) {
    log_(host_, static_cast<std::uint32_t>(level), text.data(), text.size());
  }
  template <class... Args>
  void log_info(const Args&... args) {
    log(GH_LOG_INFO, concat(args...));
  }
  template <class... Args>
  void log_warn(const Args&... args) {
    log(GH_LOG_WARN, concat(args...));
  }
  template <class... Args>
  void log_error(const Args&... args) {
    log(GH_LOG_ERROR, concat(args...));
  }
  template <class... Args>
  void log_debug(const Args&... args) {
    log(GH_LOG_DEBUG, concat(args...));
  }

  // ---- Config: the plugin's [plugins.<name>.settings] table ----------------------------
  std::int64_t config_int(const std::string& key, std::int64_t fallback) {
    const auto v = config_value(key);
    return v.type == GH_CONFIG_INT ? v.int_value : fallback;
  }
  double config_double(const std::string& key, double fallback) {
    const auto v = config_value(key);
    if (v.type == GH_CONFIG_DOUBLE) return v.double_value;
    return v.type == GH_CONFIG_INT ? static_cast<double>(v.int_value) : fallback;
  }
  bool config_bool(const std::string& key, bool fallback) {
    const auto v = config_value(key);
    return v.type == GH_CONFIG_BOOL ? v.int_value != 0 : fallback;
  }
  std::string config_string(const std::string& key, const std::string& fallback) {
    const auto v = config_value(key);
    return v.type == GH_CONFIG_STRING ? std::string(v.string_value, v.string_len) : fallback;
  }

  gh_host* raw() const noexcept { return host_; }

 private:
  friend class Plugin;

  template <class Fn>
  void resolve(Fn& fn, const char* name) {
    fn = reinterpret_cast<Fn>(get_proc_(name));
    if (fn == nullptr) throw std::runtime_error(concat("host does not offer service ", name));
  }
  static const std::uint8_t* data(std::string_view s) {
    return reinterpret_cast<const std::uint8_t*>(s.data());
  }
  static void append_to_string(void* ctx, const std::uint8_t* bytes, std::size_t len) {
    static_cast<std::string*>(ctx)->append(reinterpret_cast<const char*>(bytes), len);
  }
  // A vanished session is normal (it closed meanwhile); any other failure is a bug.
  static bool check(gh_status status, const char* what) {
    if (status == GH_OK) return true;
    if (status == GH_ERR_NOT_FOUND) return false;
    if (status == GH_ERR_BUSY) throw ClientError(GH_CODE_BUSY, concat(what, ": host is busy"));
    throw std::runtime_error(concat(what, " failed with status ", static_cast<int>(status)));
  }
  gh_config_value config_value(const std::string& key) {
    gh_config_value v{};
    v.size = sizeof v;
    if (config_get_(host_, key.c_str(), &v) != GH_OK) v.type = GH_CONFIG_MISSING;
    return v;
  }

  gh_host* host_;
  void* (*get_proc_)(const char*);
  gh_send_v1 send_{};
  gh_send_many_v1 send_many_{};
  gh_send_error_v1 send_error_{};
  gh_kick_v1 kick_{};
  gh_bind_user_v1 bind_user_{};
  gh_session_info_v1 session_info_{};
  gh_session_set_prop_v1 set_prop_{};
  gh_session_get_prop_v1 get_prop_{};
  gh_group_join_v1 group_join_{};
  gh_group_leave_v1 group_leave_{};
  gh_group_size_v1 group_size_{};
  gh_group_send_v1 group_send_{};
  gh_subscribe_v1 subscribe_{};
  gh_unsubscribe_v1 unsubscribe_{};
  gh_publish_v1 publish_{};
  gh_call_v1 call_{};
  gh_reply_v1 reply_{};
  gh_timer_start_v1 timer_start_{};
  gh_timer_cancel_v1 timer_cancel_{};
  gh_now_ms_v1 now_ms_{};
  gh_post_keyed_v1 post_keyed_{};
  gh_log_v1 log_{};
  gh_config_get_v1 config_get_{};
  gh_key_open_v1 key_open_{};
  gh_key_close_v1 key_close_{};
  gh_key_bind_session_v1 key_bind_{};
  gh_host_info_v1 host_info_{};
  gh_next_id_v1 next_id_{};
  DbApi db_api_;
};

// The message being handled and whom it came from.
struct Request {
  Host& host;
  SessionId session;
  UserId user;
  std::uint32_t msg_id;

  // Replies to the sender.
  bool reply(std::uint32_t id, const google::protobuf::MessageLite& msg) const {
    return host.send(session, id, msg);
  }
};

// An inter-plugin event.
struct Event {
  std::string_view topic;
  std::string_view publisher;
  std::string_view data;
};

// A call from another plugin. Answer it once, now or later (keep call_id for later).
struct IncomingCall {
  std::uint64_t call_id;
  std::string_view caller;
  std::uint32_t method;
  std::string_view data;
};

// Unregisters what it stands for when destroyed (a handler, a timer). Move-only.
class Token {
 public:
  Token() = default;
  explicit Token(std::function<void()> release) : release_(std::move(release)) {}
  Token(Token&& other) noexcept : release_(std::exchange(other.release_, nullptr)) {}
  Token& operator=(Token&& other) noexcept {
    if (this != &other) {
      reset();
      release_ = std::exchange(other.release_, nullptr);
    }
    return *this;
  }
  Token(const Token&) = delete;
  Token& operator=(const Token&) = delete;
  ~Token() { reset(); }
  void reset() noexcept {
    if (release_) std::exchange(release_, nullptr)();
  }

 private:
  std::function<void()> release_;
};

// Base class of every plugin. Derive, register handlers in the constructor, and finish
// the file with GAMEHOST_PLUGIN(Class, manifest). A class constructible from
// (Host&, std::string_view state) receives the state the previous version exported.
class Plugin {
 public:
  explicit Plugin(Host& host) : host_(host) {}
  Plugin(const Plugin&) = delete;
  Plugin& operator=(const Plugin&) = delete;
  virtual ~Plugin() = default;

  virtual void on_session_opened(SessionId) {}
  virtual void on_session_authenticated(SessionId, UserId) {}
  virtual void on_session_closed(SessionId, UserId) {}
  virtual void on_event(const Event&) {}
  // Default: refuse every call as unsupported.
  virtual void on_call(const IncomingCall& call) { reply(call.call_id, GH_ERR_UNSUPPORTED, {}); }
  // What the next version gets on a live reload.
  virtual std::string export_state() { return {}; }

  Host& host() { return host_; }

  // Registers the handler of `msg_id`; its payload is decoded as Msg first (a payload that
  // does not decode is answered with GH_CODE_MALFORMED). Keep the token as long as the
  // handler may run.
  template <class Msg, class Fn>
  [[nodiscard]] Token handle(std::uint32_t msg_id, Fn&& fn) {
    return handle_bytes(msg_id, [fn = std::forward<Fn>(fn)](Request& req, std::string_view bytes) {
      Msg msg;
      if (!msg.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
        throw ClientError(GH_CODE_MALFORMED,
                          concat("payload of id ", req.msg_id, " is not a ", msg.GetTypeName()));
      }
      fn(req, msg);
    });
  }
  // Like handle, but runs fn on the lane of key_of(req, msg): handlers of one key run in
  // order, different keys in parallel on other cores (e.g. slow password hashing or
  // database work per user). A failure is answered to the sender as handle's would be.
  // fn must touch only state of its key (or state it guards itself).
  template <class Msg, class KeyFn, class Fn>
  [[nodiscard]] Token handle_keyed(std::uint32_t msg_id, KeyFn key_of, Fn fn) {
    return handle<Msg>(msg_id, [this, key_of = std::move(key_of), fn = std::move(fn)](
                                   Request& req, const Msg& msg) {
      const std::uint64_t key = key_of(req, msg);
      auto shared = std::make_shared<Msg>(msg);
      post_keyed(key, [this, req, shared, fn]() mutable {
        try {
          fn(req, *shared);
        } catch (...) {
          answer_failure(req, std::current_exception());
        }
      });
    });
  }
  // The same without decoding.
  [[nodiscard]] Token handle_bytes(std::uint32_t msg_id,
                                   std::function<void(Request&, std::string_view)> fn) {
    if (!handlers_.emplace(msg_id, std::move(fn)).second) {
      throw std::logic_error(concat("two handlers for message id ", msg_id));
    }
    return Token([this, msg_id] { handlers_.erase(msg_id); });
  }

  // Runs fn after delay_ms, then every interval_ms (0 = once). The token cancels it.
  [[nodiscard]] Token start_timer(std::uint64_t delay_ms, std::uint64_t interval_ms,
                                  std::function<void()> fn) {
    std::uint64_t id = 0;
    Host::check(host_.timer_start_(host_.host_, delay_ms, interval_ms, 0, &id), "timer_start");
    timers_[id] = Timer{std::move(fn), interval_ms == 0};
    return Token([this, id] {
      if (timers_.erase(id) != 0) host_.timer_cancel_(host_.host_, id);
    });
  }

  // Calls another plugin; `done` runs on this plugin's thread with the answer.
  void call(const std::string& target, std::uint32_t method, std::string_view request,
            std::function<void(const CallResult&)> done, std::uint32_t timeout_ms = 5000) {
    std::uint64_t id = 0;
    const auto status = host_.call_(host_.host_, target.c_str(), method, Host::data(request),
                                    request.size(), 0, timeout_ms, &id);
    if (status != GH_OK) {
      done(CallResult{status, {}});
      return;
    }
    calls_[id] = std::move(done);
  }
  void reply(std::uint64_t call_id, gh_status status, std::string_view data) {
    host_.reply_(host_.host_, call_id, static_cast<std::uint32_t>(status), Host::data(data),
                 data.size());
  }

  // Runs fn on the lane of `key`: in order with other work of that key, in parallel with
  // other keys. fn must touch only that key's state. Throws ClientError(BUSY) when full.
  void post_keyed(std::uint64_t key, std::function<void()> fn) {
    auto boxed = std::make_unique<KeyedTask>(KeyedTask{&host_, std::move(fn)});
    const gh_task task{sizeof(gh_task), &run_boxed, &discard_boxed, boxed.get()};
    const auto status = host_.post_keyed_(host_.host_, key, &task);
    (void)boxed.release();  // the host now calls run or discard, which frees it
    Host::check(status, "post_keyed");
  }

  // ---- Called by the SDK's trampolines; not for plugin code ----------------------------
  void dispatch_message(const gh_message& msg) {
    const auto it = handlers_.find(msg.msg_id);
    if (it == handlers_.end()) {
      throw ClientError(GH_CODE_UNKNOWN_ID, concat("no handler for message id ", msg.msg_id));
    }
    Request req{host_, msg.session, msg.user, msg.msg_id};
    it->second(req, {reinterpret_cast<const char*>(msg.data), msg.len});
  }
  void dispatch_timer(std::uint64_t timer_id) {
    const auto it = timers_.find(timer_id);
    if (it == timers_.end()) return;  // cancelled while the firing was queued
    auto fn = it->second.fn;          // copy: the callback may cancel its own timer
    if (it->second.once) timers_.erase(it);
    fn();
  }
  void dispatch_call_result(const gh_call_result& r) {
    const auto it = calls_.find(r.call_id);
    if (it == calls_.end()) return;
    auto done = std::move(it->second);
    calls_.erase(it);
    done(CallResult{static_cast<gh_status>(r.status),
                    std::string(reinterpret_cast<const char*>(r.data), r.len)});
  }

 private:
  struct Timer {
    std::function<void()> fn;
    bool once;
  };
  struct KeyedTask {
    Host* host;
    std::function<void()> fn;
  };
  // A handler failure outside the trampolines (on a keyed lane), answered as they would.
  void answer_failure(const Request& req, const std::exception_ptr& failure) noexcept {
    try {
      try {
        std::rethrow_exception(failure);
      } catch (const ClientError& e) {
        host_.send_error(req.session, e.code(), req.msg_id, e.what());
      } catch (const DbError& e) {
        host_.log(GH_LOG_ERROR, concat("handler of id ", req.msg_id, ": storage: ", e.what()));
        host_.send_error(
            req.session, e.constraint() ? GH_CODE_PLUGIN_FAILURE : GH_CODE_STORAGE_UNAVAILABLE,
            req.msg_id, e.constraint() ? "internal error" : "storage unavailable, try again");
      } catch (const std::exception& e) {
        host_.log(GH_LOG_ERROR, concat("handler of id ", req.msg_id, " threw: ", e.what()));
        host_.send_error(req.session, GH_CODE_PLUGIN_FAILURE, req.msg_id, "internal error");
      }
    } catch (...) {
      // A non-standard exception, or the host refused the error reply: nothing to add.
    }
  }
  static void run_boxed(void* ud) noexcept {
    std::unique_ptr<KeyedTask> task(static_cast<KeyedTask*>(ud));
    try {
      task->fn();
    } catch (const std::exception& e) {
      // A keyed task has no client to answer: the plugin's log is where this goes.
      task->host->log(GH_LOG_ERROR, concat("keyed task threw: ", e.what()));
    } catch (...) {
      task->host->log(GH_LOG_ERROR, "keyed task threw a non-standard exception");
    }
  }
  static void discard_boxed(void* ud) noexcept {
    std::unique_ptr<KeyedTask> task(static_cast<KeyedTask*>(ud));
  }

  Host& host_;
  std::unordered_map<std::uint32_t, std::function<void(Request&, std::string_view)>> handlers_;
  std::unordered_map<std::uint64_t, Timer> timers_;
  std::unordered_map<std::uint64_t, std::function<void(const CallResult&)>> calls_;
};

namespace detail {

// What the host's gh_plugin* points at.
struct Instance {
  Host host;
  std::unique_ptr<Plugin> plugin;
  std::string name;
  explicit Instance(const gh_host_api* api) : host(api) {}
};

inline void fill_error(gh_error* error, std::uint32_t code, std::string_view text) {
  if (error == nullptr) return;
  error->code = code;
  const auto n = std::min(text.size(), sizeof(error->text) - 1);
  std::memcpy(error->text, text.data(), n);
  error->text[n] = '\0';
}

// Runs fn, turning every exception into a log line (and, with `error`, an error reply).
template <class Fn>
gh_status guarded(gh_plugin* self, const char* where, gh_error* error, Fn&& fn) noexcept {
  auto* inst = reinterpret_cast<Instance*>(self);
  try {
    fn(*inst);
    return GH_OK;
  } catch (const ClientError& e) {
    fill_error(error, e.code(), e.what());
  } catch (const DbError& e) {
    // The database failed or timed out: the player may retry; the operator reads why.
    // A constraint violation reaching here is a plugin bug, reported like any other.
    try {
      inst->host.log(GH_LOG_ERROR, concat(where, ": storage: ", e.what()));
    } catch (...) {
    }
    if (e.constraint()) {
      fill_error(error, GH_CODE_PLUGIN_FAILURE, concat("internal error in plugin ", inst->name));
    } else {
      fill_error(error, GH_CODE_STORAGE_UNAVAILABLE, "storage unavailable, try again");
    }
  } catch (const std::exception& e) {
    try {
      inst->host.log(GH_LOG_ERROR, concat(where, " threw: ", e.what()));
    } catch (...) {
    }
    fill_error(error, GH_CODE_PLUGIN_FAILURE, concat("internal error in plugin ", inst->name));
  } catch (...) {
    try {
      inst->host.log(GH_LOG_ERROR, concat(where, " threw a non-standard exception"));
    } catch (...) {
    }
    fill_error(error, GH_CODE_PLUGIN_FAILURE, concat("internal error in plugin ", inst->name));
  }
  return GH_ERR_FAILED;
}

template <class P>
gh_status create(const gh_create_args* args, gh_plugin** out, gh_error* error,
                 std::string_view name) noexcept {
  try {
    auto inst = std::make_unique<Instance>(args->api);
    inst->name = name;
    const std::string_view state(reinterpret_cast<const char*>(args->state),
                                 args->state == nullptr ? 0 : args->state_len);
    if constexpr (std::is_constructible_v<P, Host&, std::string_view>) {
      inst->plugin = std::make_unique<P>(inst->host, state);
    } else {
      inst->plugin = std::make_unique<P>(inst->host);
    }
    *out = reinterpret_cast<gh_plugin*>(inst.release());
    return GH_OK;
  } catch (const std::exception& e) {
    fill_error(error, GH_CODE_PLUGIN_FAILURE, e.what());
  } catch (...) {
    fill_error(error, GH_CODE_PLUGIN_FAILURE, "create threw a non-standard exception");
  }
  return GH_ERR_FAILED;
}

inline void destroy(gh_plugin* self) noexcept {
  auto* inst = reinterpret_cast<Instance*>(self);
  try {
    inst->plugin.reset();
  } catch (...) {
  }
  std::unique_ptr<Instance> owned(inst);
}

inline gh_status on_message(gh_plugin* self, const gh_message* msg, gh_error* error) noexcept {
  return guarded(self, "message handler", error,
                 [msg](Instance& i) { i.plugin->dispatch_message(*msg); });
}

inline void on_session_event(gh_plugin* self, const gh_session_event* ev) noexcept {
  guarded(self, "session event handler", nullptr, [ev](Instance& i) {
    switch (ev->kind) {
      case GH_SESSION_OPENED:
        i.plugin->on_session_opened(ev->session);
        break;
      case GH_SESSION_AUTHENTICATED:
        i.plugin->on_session_authenticated(ev->session, ev->user);
        break;
      case GH_SESSION_CLOSED:
        i.plugin->on_session_closed(ev->session, ev->user);
        break;
      default:
        break;  // a kind added after this SDK: ignore
    }
  });
}

inline void on_event(gh_plugin* self, const gh_event* ev) noexcept {
  guarded(self, "event handler", nullptr, [ev](Instance& i) {
    i.plugin->on_event(
        Event{ev->topic, ev->publisher, {reinterpret_cast<const char*>(ev->data), ev->len}});
  });
}

inline void on_timer(gh_plugin* self, const gh_timer_event* ev) noexcept {
  guarded(self, "timer", nullptr, [ev](Instance& i) { i.plugin->dispatch_timer(ev->timer_id); });
}

inline gh_status export_state(gh_plugin* self, const gh_byte_sink* sink, gh_error* error) noexcept {
  return guarded(self, "export_state", error, [sink](Instance& i) {
    const auto state = i.plugin->export_state();
    sink->write(sink->ctx, reinterpret_cast<const std::uint8_t*>(state.data()), state.size());
  });
}

inline void on_call(gh_plugin* self, const gh_call* call) noexcept {
  const auto status = guarded(self, "call handler", nullptr, [call](Instance& i) {
    i.plugin->on_call(IncomingCall{call->call_id,
                                   call->caller,
                                   call->method,
                                   {reinterpret_cast<const char*>(call->data), call->len}});
  });
  if (status != GH_OK) {
    // The caller must not wait for a timeout because our handler threw.
    reinterpret_cast<Instance*>(self)->plugin->reply(call->call_id, GH_ERR_FAILED, {});
  }
}

inline void on_call_result(gh_plugin* self, const gh_call_result* result) noexcept {
  guarded(self, "call result handler", nullptr,
          [result](Instance& i) { i.plugin->dispatch_call_result(*result); });
}

// The plugin's name, for error texts; set when the host first asks for the descriptor.
template <class P>
inline const char* plugin_name = "";

// The descriptor and the arrays it points at, built once from the parsed manifest.
struct DescriptorStorage {
  gh_plugin_descriptor descriptor{};
  std::vector<gh_dependency> dependencies;
};

template <class P>
const gh_plugin_descriptor* describe(const Manifest& m, const char* manifest_text) noexcept {
  static const DescriptorStorage storage = [&m, manifest_text] {
    DescriptorStorage s;
    for (std::uint32_t i = 0; i < m.dependency_count; ++i) {
      const auto& d = m.dependencies[i];
      s.dependencies.push_back({d.name.c_str(), d.min_version.c_str(), d.below_version.c_str()});
    }
    auto& d = s.descriptor;
    d.size = sizeof d;
    d.abi_major = GAMEHOST_ABI_MAJOR;
    d.abi_minor = GAMEHOST_ABI_MINOR;
    d.name = m.name.c_str();
    d.version = m.version.c_str();
    d.ranges = m.ranges.data();
    d.range_count = m.range_count;
    d.public_ranges = m.public_ranges.data();
    d.public_range_count = m.public_range_count;
    d.dependencies = s.dependencies.data();
    d.dependency_count = m.dependency_count;
    d.manifest = manifest_text;
    d.create = [](const gh_create_args* a, gh_plugin** out, gh_error* e) noexcept {
      return create<P>(a, out, e, plugin_name<P>);
    };
    d.destroy = &destroy;
    d.on_message = &on_message;
    d.on_session_event = &on_session_event;
    d.on_event = &on_event;
    d.on_timer = &on_timer;
    d.export_state = &export_state;
    d.on_call = &on_call;
    d.on_call_result = &on_call_result;
    return s;
  }();
  plugin_name<P> = storage.descriptor.name;
  return &storage.descriptor;
}

}  // namespace detail
}  // namespace gamehost

#define GAMEHOST_DETAIL_STR2(x) #x
#define GAMEHOST_DETAIL_STR(x) GAMEHOST_DETAIL_STR2(x)

// Writes the plugin's exported entry symbol and its manifest section. MANIFEST is a string
// literal in the format of gamehost/manifest.hpp; it is checked at compile time.
#define GAMEHOST_PLUGIN(PluginClass, MANIFEST)                                               \
  namespace gamehost_generated {                                                             \
  /* The manifest as stored in the ELF section, with the ABI this plugin was built for. */   \
  __attribute__((section(GAMEHOST_MANIFEST_SECTION), used)) constexpr char kManifestText[] = \
      "abi = " GAMEHOST_DETAIL_STR(GAMEHOST_ABI_MAJOR) "." GAMEHOST_DETAIL_STR(              \
          GAMEHOST_ABI_MINOR) "\n" MANIFEST;                                                 \
  constexpr ::gamehost::ManifestResult kParsed = ::gamehost::parse_manifest(kManifestText);  \
  static_assert(kParsed.ok(), "GAMEHOST_PLUGIN: invalid manifest (see docs/sdk.md)");        \
  constexpr ::gamehost::Manifest kManifest = kParsed.manifest;                               \
  }                                                                                          \
  extern "C" __attribute__((visibility("default"))) const gh_plugin_descriptor*              \
  gamehost_plugin_v1(void) {                                                                 \
    return ::gamehost::detail::describe<PluginClass>(gamehost_generated::kManifest,          \
                                                     gamehost_generated::kManifestText);     \
  }
