// Internal header: a plugin slot - the running instance of a plugin, its queues and its
// lifecycle (start, live reload by handover, drain, stop). The build it runs is a
// PluginBuild (plugin_build.hpp), what it counts a PluginStats (plugin_stats.hpp); which
// build a message of a draining plugin goes to is the route table's (router/route_table).
#pragma once

#include <gamehost/abi.h>
#include <gamehost/manifest.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/config.hpp"
#include "core/endpoint.hpp"
#include "core/runtime.hpp"
#include "exec/serial_queue.hpp"
#include "loader/load_plan.hpp"
#include "loader/plugin_directory.hpp"
#include "loader/plugin_stats.hpp"
#include "loader/staged_copy.hpp"
#include "session/session.hpp"

namespace spdlog {
class logger;
}

namespace gamehost::plugins {

class PluginBuild;

// Every call into plugin code goes through this object's queues, on worker threads, so the
// plugin sees one thread at a time. Tasks hold a shared_ptr to it, so the slot, and with it
// the build it runs, outlive every queued task, timer and call that refers to them; a build
// replaced by a reload is unmapped as soon as the swap is done (nothing of it is queued
// then). Thread-safe unless noted.
class PluginInstance final : public core::Endpoint,
                             public std::enable_shared_from_this<PluginInstance> {
 public:
  // Loads `candidate` (already inspected and planned) from its private copy `copy` (owned
  // from here on, deleted if this throws) and creates the instance with `state`. Throws
  // PluginRefused with the reason. Call from a non-worker thread.
  static std::shared_ptr<PluginInstance> start(core::Runtime& runtime,
                                               const PluginDirectory& directory,
                                               const Candidate& candidate, StagedCopy copy,
                                               const config::PluginConfig& config,
                                               const std::string& state);
  ~PluginInstance();
  PluginInstance(const PluginInstance&) = delete;
  PluginInstance& operator=(const PluginInstance&) = delete;

  // What is known of the build that runs now. A live reload swaps it; the old facts stay
  // valid (they are kept until this object goes), so readers on any thread are safe.
  struct BuildInfo {
    std::string version;
    Manifest manifest;
    std::string file;    // as configured
    std::string staged;  // the private copy that is mapped
  };
  const std::string& name() const noexcept override { return name_; }
  const BuildInfo& build() const noexcept { return *build_.load(std::memory_order_acquire); }
  const std::string& version() const noexcept { return build().version; }
  const Manifest& manifest() const noexcept { return build().manifest; }
  const std::string& file() const noexcept { return build().file; }
  const std::string& private_copy() const noexcept { return build().staged; }
  bool has_capability(const std::string& capability) const;
  bool is_public(std::uint32_t msg_id) const noexcept { return manifest().is_public(msg_id); }
  std::uint64_t reloads() const noexcept { return reloads_.load(std::memory_order_relaxed); }
  std::uint64_t loaded_at_ms() const noexcept { return loaded_at_ms_; }
  std::size_t queue_depth() const { return queue_->depth(); }
  bool stopped() const noexcept { return !accepting_.load(std::memory_order_acquire); }
  // What this slot counted, across reloads.
  PluginStats& stats() noexcept { return stats_; }
  const PluginStats& stats() const noexcept { return stats_; }

  // Queue work for the plugin.
  enum class Post { queued, busy, stopped };
  // Refused (busy) past queue_capacity messages or queue_bytes payload bytes waiting,
  // before the payload is copied.
  Post post_message(session::SessionId session, session::UserId user, std::uint32_t msg_id,
                    std::string_view payload);
  // Client payload bytes waiting in the queue (held ones included), for /metrics.
  std::uint64_t queued_bytes() const noexcept {
    return queued_bytes_.load(std::memory_order_relaxed);
  }
  void post_session_event(gh_session_event_kind kind, session::SessionId session,
                          session::UserId user);
  void post_event(std::string topic, std::string publisher,
                  std::shared_ptr<const std::string> data) override;
  void post_call(std::uint64_t call_id, std::string caller, std::uint32_t method, std::string data);
  void post_call_result(std::uint64_t call_id, std::uint64_t cookie, gh_status status,
                        std::string data) override;
  gh_status post_keyed(std::uint64_t key, const gh_task& task);
  // Runs job.work on the host's blocking pool, then job.then on the plugin's queue (or the
  // job's lane). GH_ERR_BUSY (after job.discard) when queue_capacity jobs are in flight
  // or the plugin is stopping.
  gh_status run_blocking(const gh_blocking_job& job);
  std::size_t blocking_jobs() const noexcept {
    return jobs_in_flight_.load(std::memory_order_acquire);
  }
  // The settings keys the plugin asked for (config_get), to warn about the others.
  void note_setting_asked(const std::string& key);
  // "path:line:col" of a setting, for the plugin's error texts; valid while this lives.
  const char* setting_origin(const std::string& key);
  // Warns, with its line, about each key of the plugin's settings it never asked for.
  void warn_unread_settings() const;

  // Timers of this plugin (cancelled when it stops).
  std::uint64_t start_timer(std::uint64_t delay_ms, std::uint64_t interval_ms,
                            std::uint64_t cookie);
  bool cancel_timer(std::uint64_t timer_id);

  // Live handover reload to `candidate` (same name, same id ranges; checked by the caller):
  // holds the plugin's messages, waits for running and keyed work, exports the old
  // instance's state, creates the new one with it, swaps, and releases the held messages to
  // the new build in order. Throws PluginRefused with the reason; the old build then goes
  // on serving, nothing lost. Returns how long messages were held. Call from a non-worker
  // thread, one reload at a time (the manager serialises them).
  std::chrono::microseconds reload(const Candidate& candidate, StagedCopy copy);

  // ---- Keys and drain reloads ---------------------------------------------------------
  // Called by the plugin (host services), any thread.
  // False (and nothing opened) once this build drains: new keys belong to the next build.
  bool key_open(std::uint64_t key);
  void key_close(std::uint64_t key);
  void key_bind(std::uint64_t key, session::SessionId session);
  std::size_t open_keys() const;
  // True when `session` is bound to a key this instance holds (the route table sends the
  // messages of such a session to this build while it drains).
  bool owns_session(session::SessionId session) const;
  // This (old) instance drains: `when_empty` runs once its last key closes - at once,
  // on this thread, if it holds none. It runs on whatever thread closes the key.
  void begin_drain(std::function<void()> when_empty);
  bool draining() const;

  // Stops taking work, waits for queued work, then destroys the instance; the build is
  // unmapped (and its private copy deleted) when the last reference to this object goes.
  // Call from a non-worker thread.
  void stop();

  // For the host services.
  core::Runtime& runtime() noexcept { return runtime_; }
  spdlog::logger& logger() noexcept { return *logger_; }
  const config::PluginConfig& config() const noexcept { return config_; }
  const PluginDirectory& directory() const noexcept { return directory_; }
  gh_host* handle() noexcept { return reinterpret_cast<gh_host*>(this); }
  static PluginInstance& from(gh_host* host) noexcept {
    return *reinterpret_cast<PluginInstance*>(host);
  }

 private:
  PluginInstance(core::Runtime& runtime, const PluginDirectory& directory,
                 const Candidate& candidate, const config::PluginConfig& config);
  void drain_lanes();
  // Until no blocking job of this instance is in flight and its continuation has run,
  // nothing is queued or running, and no keyed lane is busy: what a live reload needs
  // before it may export the state. New client messages are held meanwhile (held_).
  void settle_for_reload();
  void wait_for_jobs();
  void job_finished() noexcept;
  void start_queues();
  // A refused start: stops taking work, cancels its timers, drops its subscriptions.
  void abandon() noexcept;
  // Runs fn with the instance on its serial queue, unless the plugin has stopped.
  template <class Fn>
  void run_unbounded(Fn&& fn);

  core::Runtime& runtime_;
  const PluginDirectory& directory_;
  const std::string name_;
  const config::PluginConfig config_;
  std::vector<std::unique_ptr<BuildInfo>> builds_;  // every build this plugin ran; appended only
  std::atomic<const BuildInfo*> build_{nullptr};
  // The running build's code. Swapped only while the queue is paused and idle, so tasks on
  // the queue always see a consistent pair.
  std::unique_ptr<PluginBuild> code_;
  const gh_plugin_descriptor* descriptor_ = nullptr;
  std::atomic<std::uint64_t> reloads_{0};
  std::atomic<std::uint64_t> queued_bytes_{0};
  mutable std::mutex keys_mutex_;
  std::set<std::uint64_t> keys_;                                        // guarded by keys_mutex_
  std::unordered_map<session::SessionId, std::uint64_t> session_keys_;  // guarded by keys_mutex_
  std::function<void()> drained_;                                       // guarded by keys_mutex_
  bool draining_ = false;                                               // guarded by keys_mutex_
  std::uint64_t loaded_at_ms_ = core::now_ms();
  gh_host_api api_{};
  gh_plugin* instance_ = nullptr;
  std::shared_ptr<spdlog::logger> logger_;
  std::shared_ptr<exec::SerialQueue> queue_;
  std::vector<std::shared_ptr<exec::SerialQueue>> lanes_;
  std::atomic<bool> accepting_{true};        // messages and events; false once stop() began
  std::atomic<bool> keyed_accepting_{true};  // keyed tasks; false once the message queue drained
  std::atomic<bool> destroyed_{false};       // set on the serial queue once destroy() ran
  std::mutex timers_mutex_;
  std::set<std::uint64_t> timers_;         // guarded by timers_mutex_
  std::set<std::uint64_t> timers_firing_;  // queued firings; guarded by timers_mutex_
  std::atomic<std::int64_t> last_drop_log_{0};  // steady clock, ns: the last dropped-event log
  // Blocking jobs whose continuation has not run yet.
  std::atomic<std::size_t> jobs_in_flight_{0};
  std::mutex jobs_mutex_;
  std::condition_variable jobs_done_;
  // While a reload settles, client messages wait here, in order (see settle_for_reload).
  std::atomic<bool> holding_{false};
  std::mutex held_mutex_;
  std::deque<std::function<void()>> held_;  // guarded by held_mutex_
  mutable std::mutex settings_mutex_;
  std::set<std::string> settings_asked_;  // guarded by settings_mutex_
  PluginStats stats_;
};

}  // namespace gamehost::plugins
