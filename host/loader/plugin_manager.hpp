// Internal header: the set of running plugins - loading, unloading, and the route table.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "config/config.hpp"
#include "core/runtime.hpp"
#include "loader/load_plan.hpp"
#include "loader/plugin_directory.hpp"
#include "loader/plugin_instance.hpp"
#include "router/route_table.hpp"

namespace gamehost::plugins {

// Thread-safe. Loading, unloading and reloading block the calling thread (never a worker
// thread), one at a time.
class PluginManager final : public PluginDirectory {
 public:
  PluginManager(core::Runtime& runtime, router::Routes& routes);
  ~PluginManager();

  // Loads every plugin of [plugins] load in dependency order. Each refusal is logged as
  // one line naming plugin, file and reason, and returned.
  std::vector<Refusal> load_configured();
  // Loads one more plugin. Throws PluginRefused with the reason.
  void load(const config::PluginConfig& config);
  // Stops and unloads; throws PluginRefused while another plugin depends on it.
  void unload(const std::string& name);
  // Stops every plugin, dependants first.
  void unload_all();

  // Live handover reload of plugin `name` from `file` ("" = its configured file). The new
  // build must keep the plugin's name and id ranges and satisfy its dependencies and its
  // dependants' version ranges. Throws PluginRefused with the reason; the old build then
  // goes on serving. Logged either way.
  struct ReloadResult {
    std::string from;
    std::string to;
    std::chrono::microseconds pause;
  };
  // `strategy` "" uses the plugin's configured default. "drain": the new build starts cold
  // beside the old one, takes every new unit of work (key) and session, and the old build
  // unloads when its last key closes.
  ReloadResult reload(const std::string& name, const std::string& file = "",
                      const std::string& strategy = "");
  // Old builds still finishing their keys after a drain reload.
  std::vector<std::shared_ptr<PluginInstance>> draining() const;
  // Reloads every plugin whose configured file differs from the build it runs (SIGHUP).
  // Returns the number reloaded; failures are logged and the old builds keep serving.
  std::size_t reload_changed();

  std::shared_ptr<PluginInstance> find(const std::string& name) const override;
  std::vector<std::shared_ptr<PluginInstance>> list() const;
  // To every running plugin, and to the builds still draining (which hear everything but
  // SESSION_OPENED: their players log in and leave too, new sessions are the new build's).
  void broadcast_session_event(gh_session_event_kind kind, session::SessionId session,
                               session::UserId user) const override;

 private:
  // Copies `file` to a private path under data_dir and inspects the copy, so what is
  // checked is exactly what is loaded, and a later `cp` over `file` cannot touch it.
  struct Staged {
    Candidate candidate;
    StagedCopy copy;  // deleted unless a started instance took it
  };
  Staged stage(const config::PluginConfig& config);
  // Applies the plugin's pending migrations; throws PluginRefused naming file and statement.
  void migrate(const std::string& name);
  std::vector<Candidate> running_candidates_locked() const;
  void publish_routes_locked();

  core::Runtime& runtime_;
  router::Routes& routes_;
  std::mutex changes_mutex_;  // one load, unload or reload at a time; taken before mutex_
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<PluginInstance>> running_;   // in load (dependency) order
  std::vector<std::shared_ptr<PluginInstance>> draining_;  // old builds of drain reloads
  std::vector<std::thread> finishers_;                     // threads that ended drains
  void finish_drain(const std::shared_ptr<PluginInstance>& old,
                    const std::shared_ptr<PluginInstance>& next);
};

}  // namespace gamehost::plugins
