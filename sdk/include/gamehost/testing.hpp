// Public header: an in-process fake host, for unit-testing plugins with no sockets.
//
//   gamehost::testing::FakeHost host;
//   host.load(gamehost_plugin_v1());                 // the entry point the real host uses
//   auto alice = host.connect();
//   host.deliver(alice, EchoRequest{...});           // routed by the message's id
//   auto reply = host.last_sent<EchoReply>(alice);
//
// Several plugins load into one FakeHost (link their <name>_objects into the test and
// load gamehost_plugin_<name>() of each, see GAMEHOST_DECLARE_PLUGIN): messages go to the
// plugin that owns the id, events reach every subscriber but the publisher, calls reach the
// target plugin's serve handlers (or a serve_calls stand-in when it is not loaded), and
// session events reach them all, in load order - as on the real host.
//
// It implements every host service through the same C ABI (the table is expanded from
// abi.h's service lists, so it cannot miss one), runs everything on the calling thread,
// and has a manual clock: timers and call timeouts fire only from advance(). Work a plugin
// hands to run_blocking runs after the entry point that started it returns - or, after
// hold_blocking_jobs(true), only when run_blocking_jobs() says, so a test can interleave
// messages with work in flight. Keyed tasks (post_keyed, handle_keyed) likewise run after
// the entry point - or, after hold_keyed_tasks(true), only when run_keyed_tasks() says, so
// a test can deliver a session's next message before its lane ran the last (pipelining),
// or close a session in between. Not thread-safe; one test, one FakeHost.
//
// Storage runs on one in-memory SQLite database shared by the loaded plugins (link SQLite3:
// the SDK's CMake package target gamehost::testing does): apply the plugins' migrations
// with apply_migrations() before load(), and read or seed tables with sql().
#pragma once

#include <gamehost/plugin.hpp>
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
#include "gamehost/manifest.hpp"
#include "gamehost/messages.hpp"
#include "gamehost/services.hpp"

// Declares a plugin's named entry point (gamehost_plugin_<name>, written by GAMEHOST_PLUGIN
// for plugins built with gamehost_add_plugin) for a test that links its objects.
#define GAMEHOST_DECLARE_PLUGIN(name) \
  extern "C" const gh_plugin_descriptor* gamehost_plugin_##name(void)

namespace gamehost::testing {

// A frame a plugin sent to a client.
struct Sent {
  std::uint32_t msg_id;
  std::string bytes;
  // The keyed lane the plugin sent it from (Plugin::current_key()); nullopt: its queue.
  std::optional<std::uint64_t> lane = ::gamehost::Plugin::current_key();
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
  std::string publisher;                                      // the plugin's name
  std::optional<std::uint64_t> lane = ::gamehost::Plugin::current_key();  // as Sent::lane
};

struct LogLine {
  std::uint32_t level;
  std::string text;
  std::string plugin;
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
  // A [plugins.<name>.settings] value for every plugin (set_setting) or one (set_setting_for);
  // call before load.
  void set_setting(const std::string& key, Setting value) { settings_[""][key] = std::move(value); }
  void set_setting_for(const std::string& plugin, const std::string& key, Setting value) {
    settings_[plugin][key] = std::move(value);
  }
  // The "bind_user" capability, for every plugin, or for the one named.
  void grant_bind_user(bool granted = true) { can_bind_user_all_ = granted; }
  void grant_bind_user_to(const std::string& plugin) { can_bind_user_.insert(plugin); }
  void set_production(bool production) { production_ = production; }
  void set_node_id(std::uint32_t node_id) { node_id_ = node_id; }
  // Makes every storage lease fail as if the database were down (true) or back (false).
  void fail_storage(bool down = true) { storage_down_ = down; }
  // Work handed to run_blocking waits in a list until run_blocking_jobs() (true), or runs
  // right after the entry point that started it (false, the default).
  void hold_blocking_jobs(bool hold = true) { hold_jobs_ = hold; }
  // While `limit` jobs are unfinished, run_blocking is refused with GH_ERR_BUSY (the job
  // discarded), as the host refuses past a plugin's queue_capacity. Unlimited by default.
  void set_blocking_job_limit(std::size_t limit) { job_limit_ = limit; }
  std::size_t pending_blocking_jobs() const { return held_jobs_.size(); }
  // Keyed tasks wait in one list, in the order posted, until run_keyed_tasks() (true), or
  // run right after the entry point that posted them (false, the default).
  void hold_keyed_tasks(bool hold = true) { hold_keyed_ = hold; }
  std::size_t pending_keyed_tasks() const { return held_keyed_.size(); }
  // Runs the held keyed tasks, oldest first, and those they post meanwhile, until none is
  // left.
  void run_keyed_tasks() {
    while (!held_keyed_.empty()) {
      const auto task = held_keyed_.front().second;
      held_keyed_.pop_front();
      task.run(task.ud);
      drain();
    }
  }
  // Runs up to `n` held jobs (work, then its continuation), oldest first.
  void run_blocking_jobs(std::size_t n = static_cast<std::size_t>(-1)) {
    while (n-- > 0 && !held_jobs_.empty()) {
      const auto job = held_jobs_.front();
      held_jobs_.pop_front();
      job.work(job.ud);
      job.then(job.ud);
      --unfinished_jobs_;
      drain();
    }
  }

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
  // Answers calls a plugin makes to `target` when no loaded plugin has that name.
  void serve_calls(const std::string& target, CallHandler handler) {
    call_handlers_[target] = std::move(handler);
  }

  // ---- Plugins ---------------------------------------------------------------------------
  // Creates the plugin as the host would, with optional handover state, beside those
  // loaded already (one with the same name is replaced). Throws with the plugin's own error
  // text when create fails. Replacing is unload + load: the old build's timers and
  // subscriptions go with it. (On the real host a handover reload cancels the old build's
  // timers too, but subscriptions belong to the plugin, not to the build, and stay: a new
  // build subscribes again in its constructor, which changes nothing, and a topic it
  // stopped subscribing to still reaches it until it unsubscribes.)
  void load(const gh_plugin_descriptor* descriptor, std::string_view state = {}) {
    const std::string name = descriptor->name;
    unload(name);
    auto loaded = std::make_unique<Loaded>();
    loaded->host = this;
    loaded->descriptor = descriptor;
    loaded->name = name;
    const auto parsed = parse_manifest(descriptor->manifest != nullptr ? descriptor->manifest : "");
    if (!parsed.ok())
      throw std::runtime_error("plugin " + name + ": bad manifest: " + parsed.error);
    loaded->manifest = parsed.manifest;
    loaded->api = gh_host_api{sizeof(gh_host_api), GAMEHOST_ABI_MAJOR, GAMEHOST_ABI_MINOR,
                              reinterpret_cast<gh_host*>(loaded.get()), &get_proc};
    const gh_create_args args{sizeof(gh_create_args), &loaded->api,
                              reinterpret_cast<const std::uint8_t*>(state.data()), state.size()};
    gh_error error{sizeof(gh_error), 0, {}};
    gh_plugin* plugin = nullptr;
    auto* raw = loaded.get();
    plugins_.push_back(std::move(loaded));
    if (descriptor->create(&args, &plugin, &error) != GH_OK) {
      std::erase_if(plugins_, [raw](const auto& p) { return p.get() == raw; });
      throw std::runtime_error(std::string("create failed: ") + error.text);
    }
    raw->plugin = plugin;
    drain();
  }
  // Destroys every plugin (or the one named), last loaded first. Held blocking jobs of a
  // plugin finish first, as the real host waits for them; its timers and subscriptions go
  // with it.
  void unload() {
    while (!plugins_.empty()) unload(plugins_.back()->name);
  }
  void unload(const std::string& name) {
    auto* p = find_plugin(name);
    if (p == nullptr) return;
    for (auto it = held_jobs_.begin(); it != held_jobs_.end();) {
      if (it->owner != p) {
        ++it;
        continue;
      }
      const auto job = *it;
      it = held_jobs_.erase(it);
      job.work(job.ud);
      job.then(job.ud);
      --unfinished_jobs_;
    }
    if (p->plugin != nullptr) p->descriptor->destroy(std::exchange(p->plugin, nullptr));
    std::erase_if(timers_, [p](const auto& t) { return t.second.owner == p; });
    std::erase_if(pending_, [p](const auto& t) { return t.first == p; });
    std::erase_if(held_keyed_, [p](const auto& t) {
      if (t.first == p) t.second.discard(t.second.ud);
      return t.first == p;
    });
    std::erase_if(plugins_, [p](const auto& x) { return x.get() == p; });
  }
  // What a plugin (the only one, or the one named) exports for its next version.
  std::string export_state(const std::string& name = {}) {
    auto& p = plugin_or_only(name);
    std::string out;
    const gh_byte_sink sink{&out, [](void* ctx, const std::uint8_t* d, std::size_t n) {
                              static_cast<std::string*>(ctx)->append(
                                  reinterpret_cast<const char*>(d), n);
                            }};
    gh_error error{sizeof(gh_error), 0, {}};
    if (p.descriptor->export_state(p.plugin, &sink, &error) != GH_OK) {
      throw std::runtime_error(std::string("export_state failed: ") + error.text);
    }
    return out;
  }
  // export_state, destroy, then create again (from `next`, or the same descriptor) with that
  // state: a handover reload. Without `next`, the only plugin loaded.
  void reload(const gh_plugin_descriptor* next = nullptr) {
    auto& p = next != nullptr ? plugin_or_only(next->name) : plugin_or_only({});
    const auto* descriptor = next != nullptr ? next : p.descriptor;
    const auto state = export_state(p.name);
    load(descriptor, state);
  }
  bool loaded(const std::string& name) const { return find_plugin(name) != nullptr; }

  // ---- Sessions -------------------------------------------------------------------------
  gh_session_id connect(std::string remote_address = "127.0.0.1:50000") {
    const auto id = next_session_++;
    sessions_[id] = Session{0, std::move(remote_address), {}, {}, {}, true, std::nullopt};
    session_event(GH_SESSION_OPENED, id, 0);
    return id;
  }
  // Binds a user as a login plugin would, and tells the plugins.
  void authenticate(gh_session_id s, gh_user_id user) {
    sessions_.at(s).user = user;
    session_event(GH_SESSION_AUTHENTICATED, s, user);
  }
  void disconnect(gh_session_id s) {
    auto& session = sessions_.at(s);
    if (!session.open) return;
    session.open = false;
    for (auto& [name, members] : groups_) members.erase(s);
    for (auto& p : plugins_) p->session_keys.erase(s);
    session_event(GH_SESSION_CLOSED, s, session.user);
  }
  bool is_open(gh_session_id s) const { return sessions_.at(s).open; }
  bool was_kicked(gh_session_id s) const { return sessions_.at(s).kick_code.has_value(); }
  std::optional<std::uint32_t> kick_code(gh_session_id s) const {
    return sessions_.at(s).kick_code;
  }
  gh_user_id user_of(gh_session_id s) const { return sessions_.at(s).user; }

  // ---- Traffic --------------------------------------------------------------------------
  // A client message, to the plugin that owns `msg_id` (GH_CODE_UNKNOWN_ID when none does).
  Outcome deliver(gh_session_id s, std::uint32_t msg_id, std::string_view bytes) {
    Outcome outcome;
    auto* p = owner_of(msg_id);
    if (p == nullptr) {
      outcome.status = GH_ERR_NOT_FOUND;
      outcome.error_code = GH_CODE_UNKNOWN_ID;
      outcome.error_text = "no plugin owns message id " + std::to_string(msg_id);
      sessions_.at(s).errors.push_back({outcome.error_code, msg_id, outcome.error_text});
      return outcome;
    }
    const auto& session = sessions_.at(s);
    const gh_message msg{sizeof(gh_message),
                         msg_id,
                         s,
                         session.user,
                         reinterpret_cast<const std::uint8_t*>(bytes.data()),
                         bytes.size()};
    gh_error error{sizeof(gh_error), 0, {}};
    outcome.status = p->descriptor->on_message(p->plugin, &msg, &error);
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
  template <IdentifiedMessage Msg>
  Outcome deliver(gh_session_id s, const Msg& m) {
    return deliver(s, message_id_v<Msg>, m.SerializeAsString());
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
  template <IdentifiedMessage Msg>
  Msg last_sent(gh_session_id s) const {
    return last_sent<Msg>(s, message_id_v<Msg>);
  }
  std::size_t count_sent(gh_session_id s, std::uint32_t msg_id) const {
    const auto& all = sent(s);
    return static_cast<std::size_t>(std::count_if(
        all.begin(), all.end(), [msg_id](const Sent& x) { return x.msg_id == msg_id; }));
  }
  template <IdentifiedMessage Msg>
  std::size_t count_sent(gh_session_id s) const {
    return count_sent(s, message_id_v<Msg>);
  }

  // ---- Events, calls and time -----------------------------------------------------------
  // An event from outside the plugins, to every subscriber.
  void publish_to_plugin(const std::string& topic, std::string_view bytes,
                         const std::string& publisher = "test") {
    deliver_event(nullptr, topic, std::string(bytes), publisher);
    drain();
  }
  // Everything the plugins published, in order.
  const std::vector<Published>& published() const { return published_; }
  bool subscribed(const std::string& topic) const {
    return std::any_of(plugins_.begin(), plugins_.end(),
                       [&](const auto& p) { return p->subscriptions.contains(topic); });
  }

  // Calls a plugin's on_call as another plugin would (the only plugin, or `target`);
  // returns its reply, if it replied by the time everything it started has run.
  std::optional<std::pair<gh_status, std::string>> call_plugin(std::uint32_t method,
                                                               std::string_view bytes,
                                                               const std::string& caller = "test") {
    return call_plugin(plugin_or_only({}).name, method, bytes, caller);
  }
  std::optional<std::pair<gh_status, std::string>> call_plugin(const std::string& target,
                                                               std::uint32_t method,
                                                               std::string_view bytes,
                                                               const std::string& caller) {
    auto& p = plugin_or_only(target);
    const auto id = next_call_++;
    calls_[id] = PendingCall{nullptr, 0, 0, caller};
    const gh_call call{sizeof(gh_call),
                       id,
                       caller.c_str(),
                       method,
                       reinterpret_cast<const std::uint8_t*>(bytes.data()),
                       bytes.size()};
    p.descriptor->on_call(p.plugin, &call);
    drain();
    const auto it = replies_.find(id);
    if (it == replies_.end()) return std::nullopt;
    return it->second;
  }

  std::uint64_t now() const { return now_ms_; }
  // Moves the manual clock forward, firing every timer and call timeout that falls due, in
  // time order.
  void advance(std::uint64_t ms) {
    const auto until = now_ms_ + ms;
    while (true) {
      auto due = std::min_element(timers_.begin(), timers_.end(), [](const auto& a, const auto& b) {
        return a.second.due < b.second.due;
      });
      if (due == timers_.end() || due->second.due > until) break;
      now_ms_ = std::max(now_ms_, due->second.due);
      const auto id = due->first;
      const auto timer = due->second;
      if (timer.interval == 0) {
        timers_.erase(due);
      } else {
        due->second.due += timer.interval;
      }
      if (timer.call_id != 0) {
        expire_call(timer.call_id);
      } else {
        const gh_timer_event ev{sizeof(gh_timer_event), id, timer.cookie};
        if (timer.owner->descriptor->on_timer != nullptr)
          timer.owner->descriptor->on_timer(timer.owner->plugin, &ev);
      }
      drain();
    }
    now_ms_ = until;
  }
  // Timers the plugins started (call timeouts not counted).
  std::size_t active_timers() const {
    return static_cast<std::size_t>(std::count_if(
        timers_.begin(), timers_.end(), [](const auto& t) { return t.second.call_id == 0; }));
  }

  const std::vector<LogLine>& logs() const { return logs_; }
  bool logged(std::string_view fragment) const {
    return std::any_of(logs_.begin(), logs_.end(), [fragment](const LogLine& l) {
      return l.text.find(fragment) != std::string::npos;
    });
  }
  // Makes a loaded plugin behave as the old build of a drain reload: it opens no new keys
  // (key_open answers GH_ERR_DENIED, try_key_open gives false).
  void set_draining(const std::string& plugin, bool draining = true) {
    plugin_or_only(plugin).draining = draining;
  }
  // Keys a plugin (the only one, or the one named) declared open, and the key a session is
  // bound to in it (0: none).
  const std::set<std::uint64_t>& open_keys(const std::string& plugin = {}) const {
    return plugin_or_only(plugin).keys;
  }
  std::uint64_t key_of(gh_session_id s, const std::string& plugin = {}) const {
    const auto& keys = plugin_or_only(plugin).session_keys;
    const auto it = keys.find(s);
    return it == keys.end() ? 0 : it->second;
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
  // One loaded plugin; its gh_host* handle points here.
  struct Loaded {
    FakeHost* host = nullptr;
    const gh_plugin_descriptor* descriptor = nullptr;
    gh_plugin* plugin = nullptr;
    std::string name;
    Manifest manifest;
    gh_host_api api{};
    std::set<std::string> subscriptions;
    std::set<std::uint64_t> keys;
    bool draining = false;  // set_draining: key_open is refused
    std::map<gh_session_id, std::uint64_t> session_keys;
  };
  struct Timer {
    std::uint64_t due;
    std::uint64_t interval;
    std::uint64_t cookie;
    Loaded* owner;
    std::uint64_t call_id = 0;  // a call's timeout instead of a plugin timer
  };
  struct PendingCall {
    Loaded* caller;  // nullptr: call_plugin from the test
    std::uint64_t cookie;
    std::uint64_t timeout_timer;
    std::string caller_name;
  };
  struct HeldJob {
    Loaded* owner;
    void (*work)(void*);
    void (*then)(void*);
    void* ud;
  };

  // Re-entrancy: a plugin calling a host service must not be re-entered, so deliveries the
  // plugin caused (call results, events, keyed tasks, jobs) wait here until its entry point
  // returns. Each belongs to a plugin (nullptr: the test), dropped when that one unloads.
  void drain() {
    while (!pending_.empty()) {
      auto next = std::move(pending_.front().second);
      pending_.pop_front();
      next();
    }
  }
  void later(Loaded* owner, std::function<void()> fn) {
    pending_.emplace_back(owner, std::move(fn));
  }

  void session_event(std::uint32_t kind, gh_session_id s, gh_user_id user) {
    for (auto& p : plugins_) {
      if (p->plugin == nullptr || p->descriptor->on_session_event == nullptr) continue;
      const gh_session_event ev{sizeof(gh_session_event), kind, s, user};
      p->descriptor->on_session_event(p->plugin, &ev);
      drain();
    }
  }
  void deliver_event(Loaded* publisher, const std::string& topic, const std::string& bytes,
                     const std::string& publisher_name) {
    for (auto& p : plugins_) {
      if (p.get() == publisher || !p->subscriptions.contains(topic)) continue;
      if (p->descriptor->on_event == nullptr) continue;
      auto* target = p.get();
      later(target, [target, topic, bytes, publisher_name] {
        const gh_event ev{sizeof(gh_event), topic.c_str(), publisher_name.c_str(),
                          reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()};
        target->descriptor->on_event(target->plugin, &ev);
      });
    }
  }
  void finish_call(std::uint64_t call_id, gh_status status, std::string data) {
    const auto it = calls_.find(call_id);
    if (it == calls_.end()) return;
    const auto pending = it->second;
    calls_.erase(it);
    if (pending.timeout_timer != 0) timers_.erase(pending.timeout_timer);
    if (pending.caller == nullptr) {
      replies_[call_id] = {status, std::move(data)};
      return;
    }
    auto* caller = pending.caller;
    later(caller, [caller, call_id, cookie = pending.cookie, status, data = std::move(data)] {
      const gh_call_result r{sizeof(gh_call_result),
                             call_id,
                             cookie,
                             static_cast<std::uint32_t>(status),
                             reinterpret_cast<const std::uint8_t*>(data.data()),
                             data.size()};
      if (caller->descriptor->on_call_result != nullptr)
        caller->descriptor->on_call_result(caller->plugin, &r);
    });
  }
  void expire_call(std::uint64_t call_id) {
    const auto it = calls_.find(call_id);
    if (it == calls_.end()) return;
    it->second.timeout_timer = 0;  // this timer is firing: already gone
    finish_call(call_id, GH_ERR_TIMEOUT, {});
  }

  Loaded* find_plugin(const std::string& name) const {
    for (const auto& p : plugins_) {
      if (p->name == name) return p.get();
    }
    return nullptr;
  }
  Loaded& plugin_or_only(const std::string& name) const {
    if (name.empty()) {
      if (plugins_.size() != 1) {
        throw std::logic_error(std::to_string(plugins_.size()) +
                               " plugins are loaded: name the one you mean");
      }
      return *plugins_.front();
    }
    auto* p = find_plugin(name);
    if (p == nullptr) throw std::logic_error("plugin " + name + " is not loaded");
    return *p;
  }
  Loaded* owner_of(std::uint32_t msg_id) const {
    for (const auto& p : plugins_) {
      if (p->manifest.owns(msg_id)) return p.get();
    }
    return nullptr;
  }
  static Loaded& me(gh_host* h) { return *reinterpret_cast<Loaded*>(h); }
  static FakeHost& self(gh_host* h) { return *me(h).host; }
  Session* find(gh_session_id s) {
    const auto it = sessions_.find(s);
    return it == sessions_.end() || !it->second.open ? nullptr : &it->second;
  }
  static std::string bytes(const std::uint8_t* d, std::size_t n) {
    return {reinterpret_cast<const char*>(d), n};
  }
  const Setting* setting_of(const Loaded& p, const std::string& key) const {
    for (const auto* scope : {&p.name, &kEveryPlugin}) {
      const auto it = settings_.find(*scope);
      if (it == settings_.end()) continue;
      const auto found = it->second.find(key);
      if (found != it->second.end()) return &found->second;
    }
    return nullptr;
  }
  inline static const std::string kEveryPlugin;

  // ---- The host services, as C functions --------------------------------------------------
  static void* get_proc(const char* name) {
#define GAMEHOST_DETAIL_FAKE_ENTRY(e) services::entry(services::e, &FakeHost::svc_##e),
    static const std::vector<services::Entry> table = {GAMEHOST_SERVICES(
        GAMEHOST_DETAIL_FAKE_ENTRY) GAMEHOST_STORAGE_SERVICES(GAMEHOST_DETAIL_FAKE_ENTRY)};
#undef GAMEHOST_DETAIL_FAKE_ENTRY
    if (name == nullptr) return nullptr;
    for (const auto& e : table) {
      if (std::strcmp(e.name, name) == 0) return e.fn;
    }
    return nullptr;
  }

  static gh_status svc_send_v1(gh_host* h, gh_session_id s, std::uint32_t id, const std::uint8_t* d,
                               std::size_t n) {
    auto& host = self(h);
    if (!me(h).manifest.owns(id)) return GH_ERR_INVALID_ARGUMENT;
    auto* session = host.find(s);
    if (session == nullptr) return GH_ERR_NOT_FOUND;
    session->sent.emplace_back(Sent{id, bytes(d, n)});
    return GH_OK;
  }
  static gh_status svc_send_many_v1(gh_host* h, const gh_session_id* s, std::size_t count,
                                    std::uint32_t id, const std::uint8_t* d, std::size_t n) {
    if (!me(h).manifest.owns(id)) return GH_ERR_INVALID_ARGUMENT;
    for (std::size_t i = 0; i < count; ++i) svc_send_v1(h, s[i], id, d, n);
    return GH_OK;
  }
  static gh_status svc_send_error_v1(gh_host* h, gh_session_id s, std::uint32_t code,
                                     std::uint32_t request_id, const char* text) {
    auto* session = self(h).find(s);
    if (session == nullptr) return GH_ERR_NOT_FOUND;
    session->errors.emplace_back(SentError{code, request_id, text});
    return GH_OK;
  }
  static gh_status svc_kick_v1(gh_host* h, gh_session_id s, std::uint32_t code, const char*) {
    auto& host = self(h);
    auto* session = host.find(s);
    if (session == nullptr) return GH_ERR_NOT_FOUND;
    session->kick_code = code;
    // The real host closes asynchronously; so does this one, after the current call.
    host.later(nullptr, [&host, s] { host.disconnect(s); });
    return GH_OK;
  }
  static gh_status svc_bind_user_v1(gh_host* h, gh_session_id s, gh_user_id user) {
    auto& host = self(h);
    if (!host.can_bind_user_all_ && !host.can_bind_user_.contains(me(h).name)) return GH_ERR_DENIED;
    auto* session = host.find(s);
    if (session == nullptr) return GH_ERR_NOT_FOUND;
    session->user = user;
    host.later(nullptr,
               [&host, s, user] { host.session_event(GH_SESSION_AUTHENTICATED, s, user); });
    return GH_OK;
  }
  static gh_status svc_session_info_v1(gh_host* h, gh_session_id s, gh_session_info* out) {
    auto* session = self(h).find(s);
    if (session == nullptr || out == nullptr) return GH_ERR_NOT_FOUND;
    if (GH_HAS_FIELD(out, gh_session_info, user)) out->user = session->user;
    if (GH_HAS_FIELD(out, gh_session_info, transport)) out->transport = 1;
    if (GH_HAS_FIELD(out, gh_session_info, connected_at_ms)) out->connected_at_ms = self(h).now_ms_;
    if (GH_HAS_FIELD(out, gh_session_info, remote_address)) {
      const auto n = std::min(session->remote_address.size(), sizeof(out->remote_address) - 1);
      std::memcpy(out->remote_address, session->remote_address.data(), n);
      out->remote_address[n] = '\0';
    }
    return GH_OK;
  }
  static gh_status svc_session_set_prop_v1(gh_host* h, gh_session_id s, const char* key,
                                           const std::uint8_t* v, std::size_t n) {
    auto* session = self(h).find(s);
    if (session == nullptr) return GH_ERR_NOT_FOUND;
    if (n == 0) {
      session->props.erase(key);
    } else {
      session->props[key] = bytes(v, n);
    }
    return GH_OK;
  }
  static gh_status svc_session_get_prop_v1(gh_host* h, gh_session_id s, const char* key,
                                           const gh_byte_sink* sink) {
    auto* session = self(h).find(s);
    if (session == nullptr) return GH_ERR_NOT_FOUND;
    const auto it = session->props.find(key);
    if (it == session->props.end()) return GH_ERR_NOT_FOUND;
    sink->write(sink->ctx, reinterpret_cast<const std::uint8_t*>(it->second.data()),
                it->second.size());
    return GH_OK;
  }
  static gh_status svc_group_join_v1(gh_host* h, const char* group, gh_session_id s) {
    if (self(h).find(s) == nullptr) return GH_ERR_NOT_FOUND;
    self(h).groups_[group].insert(s);
    return GH_OK;
  }
  static gh_status svc_group_leave_v1(gh_host* h, const char* group, gh_session_id s) {
    auto& groups = self(h).groups_;
    const auto it = groups.find(group);
    if (it == groups.end() || it->second.erase(s) == 0) return GH_ERR_NOT_FOUND;
    if (it->second.empty()) groups.erase(it);
    return GH_OK;
  }
  static std::size_t svc_group_size_v1(gh_host* h, const char* group) {
    return self(h).group_size(group);
  }
  static gh_status svc_group_send_v1(gh_host* h, const char* group, std::uint32_t id,
                                     const std::uint8_t* d, std::size_t n, gh_session_id except) {
    auto& host = self(h);
    if (!me(h).manifest.owns(id)) return GH_ERR_INVALID_ARGUMENT;
    const auto it = host.groups_.find(group);
    if (it == host.groups_.end()) return GH_OK;
    for (const auto member : it->second) {
      if (member != except) svc_send_v1(h, member, id, d, n);
    }
    return GH_OK;
  }
  static gh_status svc_subscribe_v1(gh_host* h, const char* topic) {
    me(h).subscriptions.insert(topic);
    return GH_OK;
  }
  static gh_status svc_unsubscribe_v1(gh_host* h, const char* topic) {
    return me(h).subscriptions.erase(topic) != 0 ? GH_OK : GH_ERR_NOT_FOUND;
  }
  static gh_status svc_publish_v1(gh_host* h, const char* topic, const std::uint8_t* d,
                                  std::size_t n) {
    auto& host = self(h);
    host.published_.emplace_back(Published{topic, bytes(d, n), me(h).name});
    host.deliver_event(&me(h), topic, bytes(d, n), me(h).name);
    return GH_OK;
  }
  static gh_status svc_call_v1(gh_host* h, const char* target, std::uint32_t method,
                               const std::uint8_t* d, std::size_t n, std::uint64_t cookie,
                               std::uint32_t timeout_ms, std::uint64_t* call_id) {
    auto& host = self(h);
    auto* caller = &me(h);
    const auto id = host.next_call_++;
    *call_id = id;
    const auto timer = host.next_timer_++;
    host.timers_[timer] =
        Timer{host.now_ms_ + (timeout_ms == 0 ? 5000 : timeout_ms), 0, 0, caller, id};
    host.calls_[id] = PendingCall{caller, cookie, timer, caller->name};
    auto request = bytes(d, n);
    if (auto* callee = host.find_plugin(target)) {
      host.later(callee,
                 [&host, callee, id, method, request = std::move(request), name = caller->name] {
                   if (callee->descriptor->on_call == nullptr) {
                     host.finish_call(id, GH_ERR_UNSUPPORTED, {});
                     return;
                   }
                   const gh_call call{sizeof(gh_call),
                                      id,
                                      name.c_str(),
                                      method,
                                      reinterpret_cast<const std::uint8_t*>(request.data()),
                                      request.size()};
                   callee->descriptor->on_call(callee->plugin, &call);
                 });
      return GH_OK;
    }
    const auto it = host.call_handlers_.find(target);
    auto result = it == host.call_handlers_.end()
                      ? std::pair<gh_status, std::string>{GH_ERR_NOT_FOUND, {}}
                      : it->second(method, request);
    host.finish_call(id, result.first, std::move(result.second));
    return GH_OK;
  }
  static gh_status svc_reply_v1(gh_host* h, std::uint64_t call_id, std::uint32_t status,
                                const std::uint8_t* d, std::size_t n) {
    auto& host = self(h);
    if (!host.calls_.contains(call_id)) return GH_ERR_NOT_FOUND;  // answered, or timed out
    host.finish_call(call_id, static_cast<gh_status>(status), bytes(d, n));
    return GH_OK;
  }
  static gh_status svc_timer_start_v1(gh_host* h, std::uint64_t delay, std::uint64_t interval,
                                      std::uint64_t cookie, std::uint64_t* timer_id) {
    auto& host = self(h);
    *timer_id = host.next_timer_++;
    host.timers_[*timer_id] = Timer{host.now_ms_ + delay, interval, cookie, &me(h)};
    return GH_OK;
  }
  static gh_status svc_timer_cancel_v1(gh_host* h, std::uint64_t timer_id) {
    auto& timers = self(h).timers_;
    const auto it = timers.find(timer_id);
    if (it == timers.end() || it->second.owner != &me(h) || it->second.call_id != 0)
      return GH_ERR_NOT_FOUND;
    timers.erase(it);
    return GH_OK;
  }
  static std::uint64_t svc_now_ms_v1(gh_host* h) {
    return self(h).now_ms_;
  }
  static gh_status svc_post_keyed_v1(gh_host* h, std::uint64_t, const gh_task* task) {
    const gh_task copy = *task;
    if (self(h).hold_keyed_) {
      self(h).held_keyed_.emplace_back(&me(h), copy);
    } else {
      self(h).later(&me(h), [copy] { copy.run(copy.ud); });
    }
    return GH_OK;
  }
  static gh_status svc_run_blocking_v1(gh_host* h, const gh_blocking_job* job) {
    if (job == nullptr || job->work == nullptr || job->then == nullptr || job->discard == nullptr)
      return GH_ERR_INVALID_ARGUMENT;
    auto& host = self(h);
    if (host.unfinished_jobs_ >= host.job_limit_) {
      job->discard(job->ud);
      return GH_ERR_BUSY;
    }
    ++host.unfinished_jobs_;
    const HeldJob held{&me(h), job->work, job->then, job->ud};
    if (host.hold_jobs_) {
      host.held_jobs_.push_back(held);
    } else {
      host.later(&me(h), [&host, held] {
        held.work(held.ud);
        held.then(held.ud);
        --host.unfinished_jobs_;
      });
    }
    return GH_OK;
  }
  static void svc_log_v1(gh_host* h, std::uint32_t level, const char* text, std::size_t n) {
    self(h).logs_.emplace_back(LogLine{level, std::string(text, n), me(h).name});
  }
  static gh_status svc_config_get_v1(gh_host* h, const char* key, gh_config_value* out) {
    if (key == nullptr || out == nullptr) return GH_ERR_INVALID_ARGUMENT;
    const auto* value = self(h).setting_of(me(h), key);
    if (GH_HAS_FIELD(out, gh_config_value, origin)) out->origin = "FakeHost::set_setting";
    if (value == nullptr) return GH_ERR_NOT_FOUND;
    if (const auto* b = std::get_if<bool>(value)) {
      out->type = GH_CONFIG_BOOL, out->int_value = *b ? 1 : 0;
    } else if (const auto* i = std::get_if<std::int64_t>(value)) {
      out->type = GH_CONFIG_INT, out->int_value = *i;
    } else if (const auto* d = std::get_if<double>(value)) {
      out->type = GH_CONFIG_DOUBLE, out->double_value = *d;
    } else {
      const auto& s = std::get<std::string>(*value);
      out->type = GH_CONFIG_STRING, out->string_value = s.c_str(), out->string_len = s.size();
    }
    if (GH_HAS_FIELD(out, gh_config_value, found_type)) out->found_type = out->type;
    return GH_OK;
  }

  static gh_status svc_key_open_v1(gh_host* h, std::uint64_t key) {
    if (key == 0) return GH_ERR_INVALID_ARGUMENT;
    if (me(h).draining) return GH_ERR_DENIED;
    me(h).keys.insert(key);
    return GH_OK;
  }
  static gh_status svc_key_close_v1(gh_host* h, std::uint64_t key) {
    auto& p = me(h);
    if (p.keys.erase(key) == 0) return GH_ERR_NOT_FOUND;
    std::erase_if(p.session_keys, [key](const auto& e) { return e.second == key; });
    return GH_OK;
  }
  static gh_status svc_key_bind_session_v1(gh_host* h, std::uint64_t key, gh_session_id s) {
    if (key == 0) {
      me(h).session_keys.erase(s);
    } else {
      me(h).session_keys[s] = key;
    }
    return GH_OK;
  }

  static gh_status svc_host_info_v1(gh_host* h, gh_host_info* out) {
    if (out == nullptr) return GH_ERR_INVALID_ARGUMENT;
    if (GH_HAS_FIELD(out, gh_host_info, production)) out->production = self(h).production_ ? 1 : 0;
    if (GH_HAS_FIELD(out, gh_host_info, node_id)) out->node_id = self(h).node_id_;
    if (GH_HAS_FIELD(out, gh_host_info, host_version))
      std::snprintf(out->host_version, sizeof out->host_version, "%s", "0.0.0-fake");
    return GH_OK;
  }
  // Snowflake layout with the manual clock; the sequence grows within one millisecond.
  static gh_status svc_next_id_v1(gh_host* h, std::uint64_t* out) {
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
  static gh_status svc_db_acquire_v1(gh_host* h, std::uint32_t, gh_db** out, gh_error* error) {
    auto& host = *me(h).host;
    if (host.storage_down_)
      return db_fail(error, GH_ERR_FAILED, "database unreachable (fail_storage)");
    ++host.leases_;
    *out = reinterpret_cast<gh_db*>(&host);
    return GH_OK;
  }
  static void svc_db_release_v1(gh_db* db) {
    auto& host = *reinterpret_cast<FakeHost*>(db);
    if (--host.leases_ == 0 && !sqlite3_get_autocommit(host.database())) {
      sqlite3_exec(host.database(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
  }
  static std::uint32_t svc_db_dialect_v1(gh_db*) {
    return GH_DB_SQLITE;
  }
  static gh_status db_run(gh_db* db, const char* sql, gh_error* error) {
    auto& host = *reinterpret_cast<FakeHost*>(db);
    if (host.storage_down_)
      return db_fail(error, GH_ERR_FAILED, "database unreachable (fail_storage)");
    const int rc = sqlite3_exec(host.database(), sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return db_fail(error, sqlite_status(rc), sqlite3_errmsg(host.database()));
    return GH_OK;
  }
  static gh_status svc_db_begin_v1(gh_db* db, gh_error* error) {
    return db_run(db, "BEGIN IMMEDIATE", error);
  }
  static gh_status svc_db_commit_v1(gh_db* db, gh_error* error) {
    return db_run(db, "COMMIT", error);
  }
  static gh_status svc_db_rollback_v1(gh_db* db, gh_error* error) {
    return db_run(db, "ROLLBACK", error);
  }
  static gh_status svc_db_prepare_v1(gh_db* db, const char* sql, std::size_t len, gh_stmt** out,
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
  static FakeStmt& fake(gh_stmt* stmt) {
    return *reinterpret_cast<FakeStmt*>(stmt);
  }
  static gh_status svc_db_bind_v1(gh_stmt* stmt, std::uint32_t index, const gh_db_value* v) {
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
  static gh_status svc_db_step_v1(gh_stmt* stmt, int* has_row, gh_error* error) {
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
  static std::uint32_t svc_db_column_count_v1(gh_stmt* stmt) {
    return static_cast<std::uint32_t>(sqlite3_column_count(fake(stmt).stmt));
  }
  static gh_status svc_db_column_v1(gh_stmt* stmt, std::uint32_t index, gh_db_value* out) {
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
  static std::uint64_t svc_db_changes_v1(gh_stmt* stmt) {
    return fake(stmt).changes;
  }
  static gh_status svc_db_reset_v1(gh_stmt* stmt) {
    sqlite3_reset(fake(stmt).stmt);
    return GH_OK;
  }
  static void svc_db_finalize_v1(gh_stmt* stmt) {
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

  std::vector<std::unique_ptr<Loaded>> plugins_;  // in load order
  bool can_bind_user_all_ = false;
  std::set<std::string> can_bind_user_;
  bool hold_jobs_ = false;
  bool hold_keyed_ = false;
  std::deque<std::pair<Loaded*, gh_task>> held_keyed_;
  std::deque<HeldJob> held_jobs_;
  std::size_t unfinished_jobs_ = 0;
  std::size_t job_limit_ = static_cast<std::size_t>(-1);
  std::uint64_t now_ms_ = 1'700'000'000'000;  // a fixed, realistic Unix time
  gh_session_id next_session_ = 1;
  std::uint64_t next_call_ = 1;
  std::uint64_t next_timer_ = 1;
  std::map<gh_session_id, Session> sessions_;
  std::map<std::string, std::set<gh_session_id>> groups_;
  std::vector<Published> published_;
  std::map<std::string, CallHandler> call_handlers_;
  std::map<std::uint64_t, PendingCall> calls_;
  std::map<std::uint64_t, std::pair<gh_status, std::string>> replies_;
  std::map<std::uint64_t, Timer> timers_;
  std::map<std::string, std::map<std::string, Setting>> settings_;  // "" = every plugin
  std::vector<LogLine> logs_;
  std::deque<std::pair<Loaded*, std::function<void()>>> pending_;
};

}  // namespace gamehost::testing
