// Public header: the C++20 layer plugin authors write against. Header-only, over abi.h.
//
//   #define ECHO_MESSAGES(X) X(90000, EchoRequest) X(90001, EchoReply)
//   GAMEHOST_MESSAGES(ECHO_MESSAGES)                     // ids tied to types, once
//
//   class Echo : public gamehost::Plugin {
//    public:
//     explicit Echo(gamehost::Host& host) : Plugin(host) {
//       handle<EchoRequest>([](gamehost::Request& req, const EchoRequest& m) {...});
//     }
//   };
//   GAMEHOST_PLUGIN(Echo, "name = echo\nversion = 1.0.0\nranges = 90000-90099\n", ECHO_MESSAGES)
//
// Threading: the host calls a plugin instance from one worker thread at a time, so plugin
// code needs no locks. Work that must wait (a query, a password hash) goes through
// run_blocking / with_db: it runs off the plugin's queue and its continuation runs back on
// it; meanwhile the session's next messages wait, so a session's messages are handled in
// the order sent. Only code run through Host::post_keyed / handle_keyed runs in parallel
// (across keys, in order within a key) and must touch only that key's state.
// Exceptions: anything a handler throws is caught here. A ClientError becomes an Error
// frame with its code; any other exception becomes GH_CODE_PLUGIN_FAILURE and a log line.
#pragma once

#include <google/protobuf/message_lite.h>

#include <cstdint>
#include <cstring>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "gamehost/abi.h"
#include "gamehost/manifest.hpp"
#include "gamehost/messages.hpp"
#include "gamehost/services.hpp"
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

// Thrown when a plugin setting is of the wrong type (or a required one is missing): the
// text names the line of the config, the full key and what was expected. Escaping the
// constructor, it makes create fail, and the host refuses the plugin with that text.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One value of the plugin's [plugins.<name>.settings] table, as asked for with
// Host::setting<T>(key): present, missing, or there with another type. T is bool,
// std::string, double (an integer is accepted too) or an integral type (range-checked).
template <class T>
class Setting {
 public:
  enum class State { present, missing, wrong_type };

  State state() const noexcept { return state_; }
  bool present() const noexcept { return state_ == State::present; }
  bool missing() const noexcept { return state_ == State::missing; }
  bool wrong_type() const noexcept { return state_ == State::wrong_type; }
  // Where it was written ("path/gamehost.toml:42:1"; the fake host says
  // "FakeHost::set_setting"), when the host knows.
  const std::string& origin() const noexcept { return origin_; }
  // The value; ConfigError when missing or of the wrong type.
  const T& value() const {
    if (state_ != State::present) throw ConfigError(problem());
    return *value_;
  }
  // The value, or `fallback` when missing; ConfigError when of the wrong type (a typo in
  // the type is never silently replaced by a default).
  T value_or(T fallback) const {
    if (state_ == State::missing) return fallback;
    return value();
  }
  // What is wrong, for an error text ("" when present).
  std::string problem() const {
    if (state_ == State::present) return {};
    const std::string where = origin_.empty() ? std::string() : origin_ + ": ";
    if (state_ == State::missing) return where + key_ + " is missing (expected " + expected_ + ")";
    return where + key_ + ": expected " + expected_ + ", found " + found_;
  }

 private:
  friend class Host;
  State state_ = State::missing;
  std::optional<T> value_;
  std::string key_;  // "plugins.<name>.settings.<key>"
  std::string origin_;
  std::string expected_;
  std::string found_;
};

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

// The raw answer to Plugin::call(target, method_number, bytes, done) (SDK 1.0-1.2 style).
struct CallResult {
  gh_status status = GH_OK;
  std::string data;
  bool ok() const { return status == GH_OK; }
};

class Plugin;

// The plugin's handle on the host services. Thread-safe: every method may be called from
// any thread the plugin runs on, blocking threads of run_blocking included.
class Host {
 public:
  explicit Host(const gh_host_api* api) : host_(api->host), get_proc_(api->get_proc) {
    namespace svc = services;
    resolve(send_, svc::send_v1);
    resolve(send_many_, svc::send_many_v1);
    resolve(send_error_, svc::send_error_v1);
    resolve(kick_, svc::kick_v1);
    resolve(bind_user_, svc::bind_user_v1);
    resolve(session_info_, svc::session_info_v1);
    resolve(set_prop_, svc::session_set_prop_v1);
    resolve(get_prop_, svc::session_get_prop_v1);
    resolve(group_join_, svc::group_join_v1);
    resolve(group_leave_, svc::group_leave_v1);
    resolve(group_size_, svc::group_size_v1);
    resolve(group_send_, svc::group_send_v1);
    resolve(subscribe_, svc::subscribe_v1);
    resolve(unsubscribe_, svc::unsubscribe_v1);
    resolve(publish_, svc::publish_v1);
    resolve(call_, svc::call_v1);
    resolve(reply_, svc::reply_v1);
    resolve(timer_start_, svc::timer_start_v1);
    resolve(timer_cancel_, svc::timer_cancel_v1);
    resolve(now_ms_, svc::now_ms_v1);
    resolve(post_keyed_, svc::post_keyed_v1);
    resolve(log_, svc::log_v1);
    resolve(config_get_, svc::config_get_v1);
    resolve(key_open_, svc::key_open_v1);
    resolve(key_close_, svc::key_close_v1);
    resolve(key_bind_, svc::key_bind_session_v1);
    resolve(host_info_, svc::host_info_v1);
    resolve(next_id_, svc::next_id_v1);
    resolve(run_blocking_, svc::run_blocking_v1);
    if (!db_api_.resolve(get_proc_))
      throw std::runtime_error("host does not offer the storage services");
  }
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  // The plugin's name and manifest (set by the SDK before the plugin is constructed).
  const std::string& plugin_name() const noexcept { return name_; }
  const Manifest* manifest() const noexcept { return manifest_; }

  // ---- Messages to clients ----------------------------------------------------------
  // Returns false when the session is gone (closed meanwhile); that is not an error.
  template <IdentifiedMessage Msg>
  bool send(SessionId session, const Msg& msg) {
    return send(session, message_id_v<Msg>, msg);
  }
  bool send(SessionId session, std::uint32_t msg_id, const google::protobuf::MessageLite& msg) {
    const auto bytes = msg.SerializeAsString();
    return send_bytes(session, msg_id, bytes);
  }
  bool send_bytes(SessionId session, std::uint32_t msg_id, std::string_view bytes) {
    return check(send_(host_, session, msg_id, data(bytes), bytes.size()), "send");
  }
  template <IdentifiedMessage Msg>
  void send_many(std::span<const SessionId> sessions, const Msg& msg) {
    send_many(sessions, message_id_v<Msg>, msg);
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
  // Throws ClientError(BUSY) when the session is in [limits] max_groups_per_session groups.
  void join_group(const std::string& group, SessionId session) {
    const auto status = group_join_(host_, group.c_str(), session);
    if (status == GH_ERR_BUSY) {
      throw ClientError(GH_CODE_BUSY, "the session is in too many groups");
    }
    check(status, "join_group");
  }
  // False when the session was not in the group.
  bool leave_group(const std::string& group, SessionId session) {
    return check(group_leave_(host_, group.c_str(), session), "leave_group");
  }
  std::size_t group_size(const std::string& group) { return group_size_(host_, group.c_str()); }
  template <IdentifiedMessage Msg>
  void send_group(const std::string& group, const Msg& msg, SessionId except = 0) {
    send_group(group, message_id_v<Msg>, msg, except);
  }
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
  // The same, for work that may start in either of two builds (an event both hear during a
  // drain reload): false when this build is draining and leaves new keys to the next one;
  // the caller then lets the work be. Throws on other failures, as key_open does.
  bool try_key_open(std::uint64_t key) {
    const auto status = key_open_(host_, key);
    if (status == GH_ERR_DENIED) return false;
    check(status, "key_open");
    return true;
  }
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
  // DbError when none is free in time or the database cannot be reached. This blocks: on
  // the plugin's queue use Plugin::with_db, which runs the work off the queue.
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
  // A setting by dotted key ("limits.max_players"): present, missing or of another type;
  // see Setting. Typical use, in the constructor: `setting<std::int64_t>("ttl_s").value_or(60)`
  // (a wrong type then refuses the plugin at start, naming the config line).
  template <class T>
  Setting<T> setting(const std::string& key) {
    Setting<T> out;
    out.key_ = "plugins." + name_ + ".settings." + key;
    out.expected_ = expected_type<T>();
    gh_config_value v{};
    v.size = sizeof v;
    const auto status = config_get_(host_, key.c_str(), &v);
    if (v.origin != nullptr) out.origin_ = v.origin;
    if (status == GH_ERR_NOT_FOUND) return out;
    const auto type = status == GH_OK ? v.type : v.found_type;
    out.found_ = type_name(type);
    out.state_ = Setting<T>::State::wrong_type;
    if (status != GH_OK) return out;
    if constexpr (std::is_same_v<T, bool>) {
      if (type == GH_CONFIG_BOOL) out.value_ = v.int_value != 0;
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (type == GH_CONFIG_STRING) out.value_ = std::string(v.string_value, v.string_len);
    } else if constexpr (std::is_floating_point_v<T>) {
      if (type == GH_CONFIG_DOUBLE) out.value_ = static_cast<T>(v.double_value);
      if (type == GH_CONFIG_INT) out.value_ = static_cast<T>(v.int_value);
    } else {
      static_assert(std::is_integral_v<T>,
                    "setting<T>: T is bool, std::string, double or an integer");
      if (type == GH_CONFIG_INT) {
        if (std::in_range<T>(v.int_value)) {
          out.value_ = static_cast<T>(v.int_value);
        } else {
          out.found_ = concat("the integer ", v.int_value, ", out of range");
        }
      }
    }
    if (out.value_) out.state_ = Setting<T>::State::present;
    return out;
  }
  // SDK 1.2 helpers: the value, or `fallback` when missing. From SDK 1.3 on, a value of
  // the wrong type throws ConfigError instead of silently giving the fallback.
  std::int64_t config_int(const std::string& key, std::int64_t fallback) {
    return setting<std::int64_t>(key).value_or(fallback);
  }
  double config_double(const std::string& key, double fallback) {
    return setting<double>(key).value_or(fallback);
  }
  bool config_bool(const std::string& key, bool fallback) {
    return setting<bool>(key).value_or(fallback);
  }
  std::string config_string(const std::string& key, const std::string& fallback) {
    return setting<std::string>(key).value_or(fallback);
  }

  gh_host* raw() const noexcept { return host_; }
  // Called by the SDK's create trampoline before the plugin's constructor; not for plugins.
  void set_identity(std::string name, const Manifest* manifest) {
    name_ = std::move(name);
    manifest_ = manifest;
  }

 private:
  friend class Plugin;

  template <class Fn>
  void resolve(Fn& fn, const services::Service<Fn>& service) {
    fn = services::lookup(get_proc_, service);
    if (fn == nullptr)
      throw std::runtime_error(concat("host does not offer service ", service.name));
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
  template <class T>
  static const char* expected_type() {
    if constexpr (std::is_same_v<T, bool>) return "a boolean";
    if constexpr (std::is_same_v<T, std::string>) return "a string";
    if constexpr (std::is_floating_point_v<T>) return "a number";
    return "an integer";
  }
  static const char* type_name(std::uint32_t type) {
    switch (type) {
      case GH_CONFIG_BOOL:
        return "a boolean";
      case GH_CONFIG_INT:
        return "an integer";
      case GH_CONFIG_DOUBLE:
        return "a floating-point number";
      case GH_CONFIG_STRING:
        return "a string";
      default:
        return "an array, table or date";
    }
  }

  gh_host* host_;
  void* (*get_proc_)(const char*);
  std::string name_;
  const Manifest* manifest_ = nullptr;
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
  gh_run_blocking_v1 run_blocking_{};
  DbApi db_api_;
};

// The message being handled and whom it came from. Cheap to copy: keep a copy in a
// continuation to answer later.
struct Request {
  Host& host;
  SessionId session;
  UserId user;
  std::uint32_t msg_id;

  // Replies to the sender; the id comes from the message's type (GAMEHOST_MESSAGES).
  template <IdentifiedMessage Msg>
  bool reply(const Msg& msg) const {
    return host.send(session, message_id_v<Msg>, msg);
  }
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

// ---- Typed inter-plugin calls ------------------------------------------------------------
// A method is named by a string; on the wire it is method_id(name), FNV-1a of the name with
// the top bit set (numbers below 2^31 stay free for SDK 1.0-1.2 style numbered methods).
constexpr std::uint32_t method_id(std::string_view name) {
  std::uint32_t h = 2166136261u;
  for (const char c : name) {
    h ^= static_cast<std::uint8_t>(c);
    h *= 16777619u;
  }
  return h | 0x80000000u;
}

// A method with its request and response types, declared once by the serving plugin (in a
// header its callers include) so that serve and call cannot disagree on either:
//   inline constexpr gamehost::Method<pb::CoinChange, pb::CoinResult> kCredit{"credit"};
//   serve_blocking(kCredit, fn);  ...  call("user", kCredit, request, on_result);
template <class Req, class Resp>
struct Method {
  using Request = Req;
  using Response = Resp;
  std::string_view name;
  constexpr std::uint32_t id() const { return method_id(name); }
};

// Why a call gave no answer.
enum class CallError {
  none,
  no_such_plugin,  // the target is not loaded
  no_such_method,  // the target does not serve this method
  timeout,         // no answer within the timeout
  busy,            // the target (or its storage) is overloaded; try again later
  bad_request,     // the target could not decode the request
  failed,          // the target's handler failed (its log says why)
  bad_reply        // the answer did not decode as the expected type
};

inline const char* describe(CallError error) {
  switch (error) {
    case CallError::none:
      return "ok";
    case CallError::no_such_plugin:
      return "the plugin is not loaded";
    case CallError::no_such_method:
      return "the plugin does not serve this method";
    case CallError::timeout:
      return "no answer in time";
    case CallError::busy:
      return "the plugin is busy";
    case CallError::bad_request:
      return "the plugin could not decode the request";
    case CallError::failed:
      return "the plugin failed to answer";
    case CallError::bad_reply:
      return "the answer did not decode";
  }
  return "unknown";
}

// The answer to call<Resp>: the decoded response, or why there is none.
template <class Resp>
class CallOutcome {
 public:
  CallOutcome(CallError error, Resp value) : error_(error), value_(std::move(value)) {}
  bool ok() const noexcept { return error_ == CallError::none; }
  CallError error() const noexcept { return error_; }
  // The response; throws std::runtime_error naming the error when there is none.
  const Resp& value() const {
    if (!ok()) throw std::runtime_error(concat("call failed: ", describe(error_)));
    return value_;
  }
  const Resp* operator->() const { return &value(); }

 private:
  CallError error_;
  Resp value_;
};

// The outcome of work run with Plugin::run_blocking(work, then): its value, or what it threw.
template <class T>
class Result {
 public:
  using Stored = std::conditional_t<std::is_void_v<T>, std::monostate, T>;
  explicit Result(std::exception_ptr error) : error_(std::move(error)) {}
  explicit Result(Stored value) : value_(std::move(value)) {}
  bool ok() const noexcept { return error_ == nullptr; }
  // The value; rethrows what the work threw.
  Stored& value() {
    if (error_) std::rethrow_exception(error_);
    return *value_;
  }
  // What the work threw, as text ("" when it did not).
  std::string error_text() const {
    if (!error_) return {};
    try {
      std::rethrow_exception(error_);
    } catch (const std::exception& e) {
      return e.what();
    } catch (...) {
      return "a non-standard exception";
    }
  }

 private:
  std::optional<Stored> value_;
  std::exception_ptr error_;
};

namespace detail {
// Which keyed lane the current thread runs plugin code for (trivially destructible, so a
// thread_local in the plugin does not pin its library in memory).
struct LaneContext {
  bool on_lane = false;
  std::uint64_t key = 0;
};
inline thread_local LaneContext current_lane{};

class LaneScope {
 public:
  explicit LaneScope(std::uint64_t key) : saved_(current_lane) { current_lane = {true, key}; }
  ~LaneScope() { current_lane = saved_; }
  LaneScope(const LaneScope&) = delete;
  LaneScope& operator=(const LaneScope&) = delete;

 private:
  LaneContext saved_;
};
}  // namespace detail

// Base class of every plugin. Derive, register handlers in the constructor, and finish
// the file with GAMEHOST_PLUGIN(Class, manifest[, message list]). A class constructible
// from (Host&, std::string_view state) receives the state the previous version exported.
// Every method is for the plugin's own thread (its serial queue, or a keyed lane where
// said), never for a blocking thread of run_blocking.
class Plugin {
 public:
  explicit Plugin(Host& host) : host_(host) {}
  Plugin(const Plugin&) = delete;
  Plugin& operator=(const Plugin&) = delete;
  virtual ~Plugin() = default;

  // A session's events come after every message it sent before them has been handled,
  // continuations of run_blocking and call included. Work an event handler starts with
  // run_blocking or call holds the session's later messages the same way.
  virtual void on_session_opened(SessionId) {}
  virtual void on_session_authenticated(SessionId, UserId) {}
  virtual void on_session_closed(SessionId, UserId) {}
  virtual void on_event(const Event&) {}
  // Default: the methods registered with serve / serve_blocking; any other is refused as
  // unsupported. Override only for SDK 1.2 style numbered methods.
  virtual void on_call(const IncomingCall& call) {
    const auto it = served_.find(call.method);
    if (it == served_.end()) {
      reply(call.call_id, GH_ERR_UNSUPPORTED, {});
      return;
    }
    it->second(call);
  }
  // What the next version gets on a live reload.
  virtual std::string export_state() { return {}; }

  Host& host() { return host_; }
  // The key of the keyed lane this code runs on, or nullopt on the plugin's queue (for
  // assertions, and for code shared by both).
  static std::optional<std::uint64_t> current_key() noexcept {
    return detail::current_lane.on_lane ? std::optional<std::uint64_t>(detail::current_lane.key)
                                        : std::nullopt;
  }

  // ---- Handlers ----------------------------------------------------------------------
  // Registers the handler of Msg (its id from GAMEHOST_MESSAGES) for the plugin's life. The
  // payload is decoded first; one that does not decode is answered with GH_CODE_MALFORMED.
  // fn(Request&, const Msg&). Two handlers for one id, or an id outside the manifest's
  // ranges, throw (the plugin then fails to start, with that reason).
  template <IdentifiedMessage Msg, class Fn>
  void handle(Fn&& fn) {
    add_handler(message_id_v<Msg>, decoding<Msg>(std::forward<Fn>(fn)));
  }
  // The same for a handler removed before the plugin ends: the token's destruction does it.
  template <IdentifiedMessage Msg, class Fn>
  [[nodiscard]] Token handle_scoped(Fn&& fn) {
    return handle<Msg>(message_id_v<Msg>, std::forward<Fn>(fn));
  }
  // SDK 1.2 form, with the id spelled out; the token unregisters the handler.
  template <class Msg, class Fn>
  [[nodiscard]] Token handle(std::uint32_t msg_id, Fn&& fn) {
    return handle_bytes(msg_id, decoding<Msg>(std::forward<Fn>(fn)));
  }
  // Like handle, but runs fn on the lane of key_of(req, msg): handlers of one key run in
  // order, different keys in parallel on other cores (e.g. one room per key). A failure is
  // answered to the sender as handle's would be. fn must touch only state of its key.
  template <IdentifiedMessage Msg, class KeyFn, class Fn>
  void handle_keyed(KeyFn key_of, Fn fn) {
    add_handler(message_id_v<Msg>, keyed<Msg>(std::move(key_of), std::move(fn)));
  }
  // SDK 1.2 form of handle_keyed.
  template <class Msg, class KeyFn, class Fn>
  [[nodiscard]] Token handle_keyed(std::uint32_t msg_id, KeyFn key_of, Fn fn) {
    return handle_bytes(msg_id, keyed<Msg>(std::move(key_of), std::move(fn)));
  }
  // The same without decoding.
  [[nodiscard]] Token handle_bytes(std::uint32_t msg_id,
                                   std::function<void(Request&, std::string_view)> fn) {
    add_handler(msg_id, std::move(fn));
    return Token([this, msg_id] { handlers_.erase(msg_id); });
  }

  // ---- Work that waits, off the plugin's queue ------------------------------------------
  // Runs work() on a host blocking thread (it may block: database, password hashing) and
  // then then(result) back on this plugin's thread (the queue, or the keyed lane it was
  // started from). work must touch only what it captured by value and immutable members.
  // Started from a message handler (or a continuation of one), it holds the session's next
  // messages to this plugin until `then` has run, so replies keep the order of requests;
  // whatever work or then throws is answered to `req`'s sender as a handler failure is.
  // Throws ClientError(GH_CODE_BUSY) when the host has too many jobs of this plugin already.
  template <class Work, class Then>
  void run_blocking(const Request& req, Work work, Then then) {
    using T = std::invoke_result_t<Work&>;
    auto slot = std::make_shared<std::optional<Result<T>>>();
    start_job([slot, work = std::move(work)]() mutable { *slot = capture<T>(work); },
              [slot, then = std::move(then)]() mutable {
                auto& value = slot->value().value();  // rethrows what work threw
                if constexpr (std::is_void_v<T>) {
                  (void)value;
                  then();
                } else {
                  then(std::move(value));
                }
              },
              [this, req](const std::exception_ptr& failure) { answer_failure(req, failure); });
  }
  // The same, not tied to a request (a timer, a call): then(Result<T>&) gets the value or
  // the exception; an exception from then is logged.
  template <class Work, class Then>
  void run_blocking(Work work, Then then) {
    using T = std::invoke_result_t<Work&>;
    auto slot = std::make_shared<std::optional<Result<T>>>();
    start_job([slot, work = std::move(work)]() mutable { *slot = capture<T>(work); },
              [slot, then = std::move(then)]() mutable { then(slot->value()); },
              [this](const std::exception_ptr& failure) { log_failure("blocking job", failure); });
  }
  // run_blocking with a leased database connection: fn(Db&) -> T runs off the queue, then
  // then(T) on it. The lease is returned before then runs.
  template <class Fn, class Then>
  void with_db(const Request& req, Fn fn, Then then) {
    Host* host = &host_;
    run_blocking(
        req,
        [host, fn = std::move(fn)]() mutable {
          auto db = host->db();
          return fn(db);
        },
        std::move(then));
  }
  template <class Fn, class Then>
  void with_db(Fn fn, Then then) {
    Host* host = &host_;
    run_blocking(
        [host, fn = std::move(fn)]() mutable {
          auto db = host->db();
          return fn(db);
        },
        std::move(then));
  }

  // ---- Timers ------------------------------------------------------------------------------
  // Runs fn after delay_ms, then every interval_ms (0 = once). The token cancels it.
  // Started from a keyed lane, fn runs on that key's lane, with that key's state.
  [[nodiscard]] Token start_timer(std::uint64_t delay_ms, std::uint64_t interval_ms,
                                  std::function<void()> fn) {
    std::uint64_t id = 0;
    // Registered before the host may fire it (the firing queues, and looks the id up).
    std::lock_guard lock(registry_mutex_);
    Host::check(host_.timer_start_(host_.host_, delay_ms, interval_ms, 0, &id), "timer_start");
    timers_[id] = Timer{std::move(fn), interval_ms == 0, detail::current_lane};
    return Token([this, id] {
      bool ours = false;
      {
        std::lock_guard lock(registry_mutex_);
        ours = timers_.erase(id) != 0;
      }
      if (ours) host_.timer_cancel_(host_.host_, id);
    });
  }

  // ---- Calls between plugins ---------------------------------------------------------------
  // Serves `method` for other plugins: fn(const Req&, std::string_view caller) -> Resp runs
  // on this plugin's queue. A request that does not decode is refused (bad_request); an
  // exception is logged and answered as failed.
  template <class Req, class Resp, class Fn>
  void serve(std::string_view method, Fn fn) {
    add_served(method, [this, name = std::string(method),
                        fn = std::move(fn)](const IncomingCall& call) mutable {
      Req request;
      if (!decode_call(call, request, name)) return;
      const auto call_id = call.call_id;
      try {
        answer_call(call_id, fn(std::as_const(request), call.caller));
      } catch (...) {
        fail_call(call_id, concat(name, " from ", call.caller), std::current_exception());
      }
    });
  }
  template <class Req, class Resp, class Fn>
  void serve(const Method<Req, Resp>& method, Fn fn) {
    serve<Req, Resp>(method.name, std::move(fn));
  }
  // The same, with fn run on a blocking thread (database work): it must touch only the
  // request and immutable members. The answer is sent when it returns.
  template <class Req, class Resp, class Fn>
  void serve_blocking(std::string_view method, Fn fn) {
    add_served(method, [this, name = std::string(method),
                        fn = std::move(fn)](const IncomingCall& call) mutable {
      auto request = std::make_shared<Req>();
      if (!decode_call(call, *request, name)) return;
      const auto call_id = call.call_id;
      try {
        auto caller = std::make_shared<const std::string>(call.caller);
        run_blocking(
            [request, fn, caller]() mutable -> Resp {
              return fn(std::as_const(*request), std::string_view(*caller));
            },
            [this, call_id, name, caller](Result<Resp>& result) {
              if (result.ok()) {
                answer_call(call_id, result.value());
              } else {
                try {
                  result.value();
                } catch (...) {
                  fail_call(call_id, concat(name, " from ", *caller), std::current_exception());
                }
              }
            });
      } catch (const ClientError&) {
        reply(call_id, GH_ERR_BUSY, {});  // too many jobs in flight
      }
    });
  }
  template <class Req, class Resp, class Fn>
  void serve_blocking(const Method<Req, Resp>& method, Fn fn) {
    serve_blocking<Req, Resp>(method.name, std::move(fn));
  }
  // Answers the SDK 1.2 style numbered method `number` (below 2^31) as `method`, served
  // above: for callers built before the method had a name.
  void serve_number(std::uint32_t number, std::string_view method) {
    const auto it = served_.find(method_id(method));
    if (it == served_.end() || (number & 0x80000000u) != 0) {
      throw std::logic_error(concat("serve_number(", number, ", '", method,
                                    "'): serve the method first, with a number below 2^31"));
    }
    if (!served_.emplace(number, it->second).second) {
      throw std::logic_error(concat("method number ", number, " is served twice"));
    }
  }
  // Calls `method` of plugin `target`; on_result(CallOutcome<Resp>) runs on this plugin's
  // thread (the lane the call was made from, if any). Made from a message handler, it
  // holds the session's next messages like run_blocking does.
  template <class Resp, class Req, class Fn>
  void call(const std::string& target, std::string_view method, const Req& request, Fn on_result,
            std::uint32_t timeout_ms = 5000) {
    call(
        target, method_id(method), request.SerializeAsString(),
        [on_result = std::move(on_result)](const CallResult& raw) mutable {
          Resp value;
          CallError error = to_call_error(raw.status);
          if (error == CallError::none &&
              !value.ParseFromArray(raw.data.data(), static_cast<int>(raw.data.size()))) {
            error = CallError::bad_reply;
          }
          on_result(CallOutcome<Resp>(error, std::move(value)));
        },
        timeout_ms);
  }
  // The same with a declared Method: the request and response types come from it.
  template <class Req, class Resp, class Fn>
  void call(const std::string& target, const Method<Req, Resp>& method, const Req& request,
            Fn on_result, std::uint32_t timeout_ms = 5000) {
    call<Resp>(target, method.name, request, std::move(on_result), timeout_ms);
  }
  // SDK 1.2 form: a numbered method and raw bytes; `done` runs on this plugin's thread.
  void call(const std::string& target, std::uint32_t method, std::string_view request,
            std::function<void(const CallResult&)> done, std::uint32_t timeout_ms = 5000) {
    std::uint64_t id = 0;
    gh_status status = GH_OK;
    {
      // Registered before its result can arrive (on the queue, while this may be a lane).
      std::lock_guard lock(registry_mutex_);
      status = host_.call_(host_.host_, target.c_str(), method, Host::data(request),
                           request.size(), 0, timeout_ms, &id);
      if (status == GH_OK) {
        const auto session = tracked_session();
        if (session != 0) ++backlogs_[session].jobs;
        calls_[id] = PendingCall{std::move(done), detail::current_lane, session};
        return;
      }
    }
    done(CallResult{status, {}});
  }
  void reply(std::uint64_t call_id, gh_status status, std::string_view data) {
    host_.reply_(host_.host_, call_id, static_cast<std::uint32_t>(status), Host::data(data),
                 data.size());
  }

  // Runs fn on the lane of `key`: in order with other work of that key, in parallel with
  // other keys. fn must touch only that key's state. Throws ClientError(BUSY) when full.
  void post_keyed(std::uint64_t key, std::function<void()> fn) {
    auto boxed = std::make_unique<KeyedTask>(KeyedTask{&host_, key, std::move(fn)});
    const gh_task task{sizeof(gh_task), &run_boxed, &discard_boxed, boxed.get()};
    const auto status = host_.post_keyed_(host_.host_, key, &task);
    (void)boxed.release();  // the host now calls run or discard, which frees it
    Host::check(status, "post_keyed");
  }

  // ---- Called by the SDK's trampolines; not for plugin code ----------------------------
  void dispatch_message(const gh_message& msg) {
    const auto it = backlogs_.find(msg.session);
    if (it != backlogs_.end()) {
      // An earlier message of this session still waits for its work: this one waits too.
      if (it->second.waiting.size() >= kMaxWaitingPerSession) {
        throw ClientError(GH_CODE_BUSY, "too many requests waiting; slow down");
      }
      it->second.waiting.push_back(
          Waiting{Waiting::Kind::message, msg.msg_id, msg.user,
                  std::string(reinterpret_cast<const char*>(msg.data), msg.len)});
      return;
    }
    deliver(msg.session, msg.user, msg.msg_id, {reinterpret_cast<const char*>(msg.data), msg.len});
  }
  void dispatch_session_event(std::uint32_t kind, SessionId session, UserId user) {
    const auto it = backlogs_.find(session);
    if (it != backlogs_.end() && kind != GH_SESSION_OPENED) {
      it->second.waiting.push_back(
          Waiting{kind == GH_SESSION_CLOSED ? Waiting::Kind::closed : Waiting::Kind::authenticated,
                  0,
                  user,
                  {}});
      return;
    }
    const SessionScope scope(*this, session);  // work it starts holds the session's messages
    session_event(kind, session, user);
  }
  void dispatch_timer(std::uint64_t timer_id) {
    std::function<void()> fn;
    detail::LaneContext lane;
    {
      std::lock_guard lock(registry_mutex_);
      const auto it = timers_.find(timer_id);
      if (it == timers_.end()) return;  // cancelled while the firing was queued
      fn = it->second.fn;               // copy: the callback may cancel its own timer
      lane = it->second.lane;
      if (it->second.once) timers_.erase(it);
    }
    if (lane.on_lane) {
      // Started from a keyed lane: it fires there, with that key's state.
      try {
        post_keyed(lane.key, std::move(fn));
      } catch (const std::exception& e) {
        host_.log(GH_LOG_ERROR, concat("timer of lane key ", lane.key, " dropped: ", e.what()));
      }
      return;
    }
    fn();
  }
  void dispatch_call_result(const gh_call_result& r) {
    PendingCall pending;
    {
      std::lock_guard lock(registry_mutex_);
      const auto it = calls_.find(r.call_id);
      if (it == calls_.end()) return;
      pending = std::move(it->second);
      calls_.erase(it);
    }
    CallResult result{static_cast<gh_status>(r.status),
                      std::string(reinterpret_cast<const char*>(r.data), r.len)};
    if (pending.lane.on_lane) {
      // Made from a keyed lane: its continuation belongs there, with that key's state.
      try {
        post_keyed(pending.lane.key,
                   [done = std::move(pending.done), result = std::move(result)] { done(result); });
      } catch (const std::exception& e) {
        host_.log(GH_LOG_ERROR, concat("result of call ", r.call_id, " for lane key ",
                                       pending.lane.key, " dropped: ", e.what()));
      }
      return;
    }
    const SessionScope scope(*this, pending.session);
    try {
      pending.done(result);
    } catch (...) {
      log_failure("call result handler", std::current_exception());
    }
    finish_job(pending.session);
  }

 private:
  struct Timer {
    std::function<void()> fn;
    bool once;
    detail::LaneContext lane;  // where it was started: where it fires
  };
  struct KeyedTask {
    Host* host;
    std::uint64_t key;
    std::function<void()> fn;
  };
  struct PendingCall {
    std::function<void(const CallResult&)> done;
    detail::LaneContext lane{};
    SessionId session = 0;  // whose messages wait for it (0: none)
  };
  // What arrived for a session while its earlier work had not finished.
  struct Waiting {
    enum class Kind { message, authenticated, closed };
    Kind kind;
    std::uint32_t msg_id;
    UserId user;
    std::string bytes;
  };
  struct Backlog {
    std::uint32_t jobs = 0;  // run_blocking jobs and calls started for the session
    std::deque<Waiting> waiting;
  };
  static constexpr std::size_t kMaxWaitingPerSession = 1024;

  // The session whose message (or continuation) the plugin's queue is handling now.
  class SessionScope {
   public:
    SessionScope(Plugin& p, SessionId s) : p_(p), saved_(p.current_session_) {
      p.current_session_ = s;
    }
    ~SessionScope() { p_.current_session_ = saved_; }
    SessionScope(const SessionScope&) = delete;
    SessionScope& operator=(const SessionScope&) = delete;

   private:
    Plugin& p_;
    SessionId saved_;
  };

  // One job: work off the queue, then (or on_failure) back on it.
  struct Job {
    Plugin* plugin;
    std::function<void()> work;
    std::function<void()> then;
    std::function<void(const std::exception_ptr&)> on_failure;
    detail::LaneContext lane;
    SessionId session;
  };

  template <class T, class Work>
  static Result<T> capture(Work& work) noexcept {
    try {
      if constexpr (std::is_void_v<T>) {
        work();
        return Result<T>(std::monostate{});
      } else {
        return Result<T>(work());
      }
    } catch (...) {
      return Result<T>(std::current_exception());
    }
  }

  SessionId tracked_session() const noexcept {
    return detail::current_lane.on_lane ? 0 : current_session_;
  }

  void start_job(std::function<void()> work, std::function<void()> then,
                 std::function<void(const std::exception_ptr&)> on_failure) {
    const auto session = tracked_session();
    auto job = std::make_unique<Job>(Job{this, std::move(work), std::move(then),
                                         std::move(on_failure), detail::current_lane, session});
    gh_blocking_job raw{};
    raw.size = sizeof raw;
    raw.work = &job_work;
    raw.then = &job_then;
    raw.discard = &job_discard;
    raw.ud = job.get();
    raw.flags = job->lane.on_lane ? static_cast<std::uint32_t>(GH_JOB_THEN_ON_LANE) : 0u;
    raw.lane_key = job->lane.key;
    if (session != 0) ++backlogs_[session].jobs;
    const auto status = host_.run_blocking_(host_.host_, &raw);
    (void)job.release();  // the host calls work+then or discard, which free it
    if (status != GH_OK) {
      throw ClientError(GH_CODE_BUSY, "too much work in flight; try again later");
    }
  }
  static void job_work(void* ud) noexcept {
    auto* job = static_cast<Job*>(ud);
    try {
      job->work();  // capture() keeps every exception in the job's result
    } catch (...) {
    }
  }
  static void job_then(void* ud) noexcept {
    std::unique_ptr<Job> job(static_cast<Job*>(ud));
    auto& self = *job->plugin;
    std::optional<detail::LaneScope> lane;
    if (job->lane.on_lane) lane.emplace(job->lane.key);
    if (job->lane.on_lane) {
      // On the lane: the plugin's queue may be running meanwhile, so nothing of its
      // session bookkeeping is touched here.
      try {
        job->then();
      } catch (...) {
        job->on_failure(std::current_exception());
      }
      return;
    }
    {
      const SessionScope scope(self, job->session);
      try {
        job->then();
      } catch (...) {
        job->on_failure(std::current_exception());
      }
    }
    self.finish_job(job->session);
  }
  static void job_discard(void* ud) noexcept {
    std::unique_ptr<Job> job(static_cast<Job*>(ud));
    // Refused at once (start_job throws BUSY and the handler's failure is the answer), or
    // never to run because the plugin stops: nothing of the session remains to release.
    if (!job->lane.on_lane && job->session != 0) {
      auto& backlogs = job->plugin->backlogs_;
      const auto it = backlogs.find(job->session);
      if (it != backlogs.end() && it->second.jobs > 0) --it->second.jobs;
      // Nothing waits behind a job that never ran: the session's next message goes straight
      // to its handler. (What waits is replayed by the finish_job that is replaying now.)
      if (it != backlogs.end() && it->second.jobs == 0 && it->second.waiting.empty())
        backlogs.erase(it);
    }
  }

  // A job or call of `session` finished: what waited behind it runs now, in order, until
  // one of those starts work of its own again.
  void finish_job(SessionId session) {
    if (session == 0) return;
    auto it = backlogs_.find(session);
    if (it == backlogs_.end()) return;
    if (it->second.jobs > 0) --it->second.jobs;
    while (true) {
      it = backlogs_.find(session);
      if (it == backlogs_.end()) return;
      auto& backlog = it->second;
      if (backlog.jobs > 0) return;
      if (backlog.waiting.empty()) {
        backlogs_.erase(it);
        return;
      }
      auto next = std::move(backlog.waiting.front());
      backlog.waiting.pop_front();
      replay(session, next);
    }
  }
  void replay(SessionId session, const Waiting& w) {
    if (w.kind != Waiting::Kind::message) {
      try {
        const SessionScope scope(*this, session);
        session_event(
            w.kind == Waiting::Kind::closed ? GH_SESSION_CLOSED : GH_SESSION_AUTHENTICATED, session,
            w.user);
      } catch (...) {
        log_failure("session event handler", std::current_exception());
      }
      return;
    }
    try {
      deliver(session, w.user, w.msg_id, w.bytes);
    } catch (...) {
      answer_failure(Request{host_, session, w.user, w.msg_id}, std::current_exception());
    }
  }
  void deliver(SessionId session, UserId user, std::uint32_t msg_id, std::string_view bytes) {
    const auto it = handlers_.find(msg_id);
    if (it == handlers_.end()) {
      throw ClientError(GH_CODE_UNKNOWN_ID, concat("no handler for message id ", msg_id));
    }
    Request req{host_, session, user, msg_id};
    const SessionScope scope(*this, session);
    it->second(req, bytes);
  }
  void session_event(std::uint32_t kind, SessionId session, UserId user) {
    switch (kind) {
      case GH_SESSION_OPENED:
        on_session_opened(session);
        break;
      case GH_SESSION_AUTHENTICATED:
        on_session_authenticated(session, user);
        break;
      case GH_SESSION_CLOSED:
        on_session_closed(session, user);
        break;
      default:
        break;  // a kind added after this SDK: ignore
    }
  }

  void add_handler(std::uint32_t msg_id, std::function<void(Request&, std::string_view)> fn) {
    const auto* manifest = host_.manifest();
    if (manifest != nullptr && !manifest->owns(msg_id)) {
      throw std::logic_error(
          concat("a handler for message id ", msg_id, ", outside the plugin's id ranges"));
    }
    if (!handlers_.emplace(msg_id, std::move(fn)).second) {
      throw std::logic_error(concat("two handlers for message id ", msg_id));
    }
  }
  template <class Msg, class Fn>
  static std::function<void(Request&, std::string_view)> decoding(Fn&& fn) {
    return [fn = std::forward<Fn>(fn)](Request& req, std::string_view bytes) mutable {
      Msg msg;
      if (!msg.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
        throw ClientError(GH_CODE_MALFORMED,
                          concat("payload of id ", req.msg_id, " is not a ", msg.GetTypeName()));
      }
      fn(req, msg);
    };
  }
  template <class Msg, class KeyFn, class Fn>
  std::function<void(Request&, std::string_view)> keyed(KeyFn key_of, Fn fn) {
    return decoding<Msg>(
        [this, key_of = std::move(key_of), fn = std::move(fn)](Request& req, const Msg& msg) {
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

  void add_served(std::string_view method, std::function<void(const IncomingCall&)> fn) {
    if (!served_.emplace(method_id(method), std::move(fn)).second) {
      throw std::logic_error(concat("method '", method, "' is served twice (or its id clashes)"));
    }
  }
  template <class Req>
  bool decode_call(const IncomingCall& call, Req& request, const std::string& method) {
    if (request.ParseFromArray(call.data.data(), static_cast<int>(call.data.size()))) return true;
    host_.log_warn("call ", method, " from ", call.caller, ": the request is not a ",
                   request.GetTypeName());
    reply(call.call_id, GH_ERR_INVALID_ARGUMENT, {});
    return false;
  }
  void answer_call(std::uint64_t call_id, const google::protobuf::MessageLite& response) {
    const auto bytes = response.SerializeAsString();
    reply(call_id, GH_OK, bytes);
  }
  // `what` names the call: "<method> from <caller>".
  void fail_call(std::uint64_t call_id, const std::string& what,
                 const std::exception_ptr& failure) noexcept {
    gh_status status = GH_ERR_FAILED;
    try {
      std::rethrow_exception(failure);
    } catch (const DbError& e) {
      host_.log_error("call ", what, ": storage: ", e.what());
      if (e.status() == GH_ERR_BUSY || e.status() == GH_ERR_TIMEOUT) status = GH_ERR_BUSY;
    } catch (const std::exception& e) {
      host_.log_error("call ", what, " failed: ", e.what());
    } catch (...) {
      host_.log_error("call ", what, " failed with a non-standard exception");
    }
    reply(call_id, status, {});
  }
  static CallError to_call_error(gh_status status) {
    switch (status) {
      case GH_OK:
        return CallError::none;
      case GH_ERR_NOT_FOUND:
        return CallError::no_such_plugin;
      case GH_ERR_UNSUPPORTED:
        return CallError::no_such_method;
      case GH_ERR_TIMEOUT:
        return CallError::timeout;
      case GH_ERR_BUSY:
        return CallError::busy;
      case GH_ERR_INVALID_ARGUMENT:
        return CallError::bad_request;
      default:
        return CallError::failed;
    }
  }

  // A handler failure outside the trampolines (a continuation, a keyed lane, a message
  // replayed after its session's work), answered as they would.
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
  void log_failure(const char* where, const std::exception_ptr& failure) noexcept {
    try {
      try {
        std::rethrow_exception(failure);
      } catch (const std::exception& e) {
        host_.log(GH_LOG_ERROR, concat(where, " threw: ", e.what()));
      }
    } catch (...) {
    }
  }
  static void run_boxed(void* ud) noexcept {
    std::unique_ptr<KeyedTask> task(static_cast<KeyedTask*>(ud));
    const detail::LaneScope lane(task->key);
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
  SessionId current_session_ = 0;
  std::unordered_map<std::uint32_t, std::function<void(Request&, std::string_view)>> handlers_;
  // Timers and calls start from the queue and from keyed lanes (in parallel): this guards
  // both registries, never plugin code.
  std::mutex registry_mutex_;
  std::unordered_map<std::uint64_t, Timer> timers_;       // guarded by registry_mutex_
  std::unordered_map<std::uint64_t, PendingCall> calls_;  // guarded by registry_mutex_
  std::unordered_map<std::uint32_t, std::function<void(const IncomingCall&)>> served_;
  std::unordered_map<SessionId, Backlog> backlogs_;
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
  if (error == nullptr || !GH_HAS_FIELD(error, gh_error, text)) return;
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
                 std::string_view name, const Manifest* manifest) noexcept {
  try {
    auto inst = std::make_unique<Instance>(args->api);
    inst->name = name;
    inst->host.set_identity(std::string(name), manifest);
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
  guarded(self, "session event handler", nullptr,
          [ev](Instance& i) { i.plugin->dispatch_session_event(ev->kind, ev->session, ev->user); });
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
template <class P>
inline const Manifest* plugin_manifest = nullptr;

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
      return create<P>(a, out, e, plugin_name<P>, plugin_manifest<P>);
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
  plugin_manifest<P> = &m;
  return &storage.descriptor;
}

}  // namespace detail
}  // namespace gamehost

#define GAMEHOST_DETAIL_STR2(x) #x
#define GAMEHOST_DETAIL_STR(x) GAMEHOST_DETAIL_STR2(x)
#define GAMEHOST_DETAIL_CAT2(a, b) a##b
#define GAMEHOST_DETAIL_CAT(a, b) GAMEHOST_DETAIL_CAT2(a, b)
#define GAMEHOST_DETAIL_CHECK_OWNED(id, Type)                                        \
  static_assert(kManifest.owns(id), "GAMEHOST_PLUGIN: message " #Type " has id " #id \
                                    ", outside the manifest's id ranges");

// gamehost_add_plugin compiles a plugin with GAMEHOST_PLUGIN_ID=<name>: its descriptor is
// then also reachable as gamehost_plugin_<name>(), so a unit test can link several plugins
// into one binary and load each into the fake host (gamehost_plugin_v1 is weak for that).
#ifdef GAMEHOST_PLUGIN_ID
#define GAMEHOST_DETAIL_NAMED_ENTRY(PluginClass)                                         \
  extern "C" const gh_plugin_descriptor* GAMEHOST_DETAIL_CAT(gamehost_plugin_,           \
                                                             GAMEHOST_PLUGIN_ID)(void) { \
    return ::gamehost::detail::describe<PluginClass>(gamehost_generated::kManifest,      \
                                                     gamehost_generated::kManifestText); \
  }
#else
#define GAMEHOST_DETAIL_NAMED_ENTRY(PluginClass)
#endif

// Writes the plugin's exported entry symbol and its manifest section. MANIFEST is a string
// literal in the format of gamehost/manifest.hpp; it is checked at compile time. The
// optional third argument is the plugin's GAMEHOST_MESSAGES list: every id in it must lie
// in the manifest's ranges (a compile error names the message otherwise).
#define GAMEHOST_PLUGIN(PluginClass, MANIFEST, ...)                                          \
  namespace gamehost_generated {                                                             \
  /* The manifest as stored in the ELF section, with the ABI this plugin was built for. */   \
  __attribute__((section(GAMEHOST_MANIFEST_SECTION), used)) constexpr char kManifestText[] = \
      "abi = " GAMEHOST_DETAIL_STR(GAMEHOST_ABI_MAJOR) "." GAMEHOST_DETAIL_STR(              \
          GAMEHOST_ABI_MINOR) "\n" MANIFEST;                                                 \
  constexpr ::gamehost::ManifestResult kParsed = ::gamehost::parse_manifest(kManifestText);  \
  static_assert(kParsed.ok(), "GAMEHOST_PLUGIN: invalid manifest (see docs/sdk.md)");        \
  constexpr ::gamehost::Manifest kManifest = kParsed.manifest;                               \
  __VA_OPT__(__VA_ARGS__(GAMEHOST_DETAIL_CHECK_OWNED))                                       \
  }                                                                                          \
  extern "C" __attribute__((visibility("default"), weak)) const gh_plugin_descriptor*        \
  gamehost_plugin_v1(void) {                                                                 \
    return ::gamehost::detail::describe<PluginClass>(gamehost_generated::kManifest,          \
                                                     gamehost_generated::kManifestText);     \
  }                                                                                          \
  GAMEHOST_DETAIL_NAMED_ENTRY(PluginClass)
