#include "loader/plugin_manager.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include "core/thread_name.hpp"
#include "loader/plugin_file.hpp"
#include "storage/storage.hpp"

namespace gamehost::plugins {
namespace {

std::atomic<std::uint64_t> g_stage_counter{0};

void log_refusal(const Refusal& r) {
  spdlog::error("plugin {} ({}) refused: {}", r.name, r.file, r.reason);
}

}  // namespace

PluginManager::PluginManager(core::Runtime& runtime, router::Routes& routes)
    : runtime_(runtime), routes_(routes) {}

PluginManager::~PluginManager() { unload_all(); }

void PluginManager::migrate(const std::string& name) {
  if (runtime_.storage == nullptr) return;
  try {
    runtime_.storage->migrator().apply(name);
  } catch (const storage::MigrationError& e) {
    throw PluginRefused(std::string("migration refused: ") + e.what());
  } catch (const storage::StorageError& e) {
    throw PluginRefused(std::string("cannot apply migrations: ") + e.what());
  }
}

PluginManager::Staged PluginManager::stage(const config::PluginConfig& config) {
  const auto dir = std::filesystem::path(runtime_.config.server.data_dir) / "run" / "plugins";
  std::filesystem::create_directories(dir);
  const auto staged = dir / (config.name + "-" + std::to_string(::getpid()) + "-" +
                             std::to_string(g_stage_counter.fetch_add(1)) + ".so");
  std::error_code ec;
  if (!std::filesystem::is_regular_file(config.file, ec)) throw PluginRefused("file not found");
  std::filesystem::copy_file(config.file, staged, std::filesystem::copy_options::overwrite_existing,
                             ec);
  if (ec) throw PluginRefused("cannot copy to " + staged.string() + ": " + ec.message());
  StagedCopy copy(staged.string());
  auto file = inspect_plugin_file(staged.string());
  return {Candidate{config.name, config.file, staged.string(), file.manifest}, std::move(copy)};
}

std::vector<Candidate> PluginManager::running_candidates_locked() const {
  std::vector<Candidate> out;
  for (const auto& p : running_)
    out.push_back({p->name(), p->file(), p->private_copy(), p->manifest()});
  return out;
}

std::vector<Refusal> PluginManager::load_configured() {
  std::lock_guard changes(changes_mutex_);
  std::lock_guard lock(mutex_);
  std::vector<Refusal> refused;
  std::vector<Candidate> candidates;
  // Every copy not taken by a started instance is deleted on return, whatever refused it.
  std::map<std::string, StagedCopy> copies;
  for (const auto& pc : runtime_.config.plugins.load) {
    try {
      auto staged = stage(pc);
      copies.insert_or_assign(pc.name, std::move(staged.copy));
      candidates.push_back(std::move(staged.candidate));
    } catch (const PluginRefused& e) {
      refused.push_back({pc.name, pc.file, e.what(), {}});
    }
  }
  auto plan = plan_load(std::move(candidates), running_candidates_locked());
  refused.insert(refused.end(), plan.refused.begin(), plan.refused.end());
  for (const auto& c : plan.order) {
    const auto& pc =
        *std::find_if(runtime_.config.plugins.load.begin(), runtime_.config.plugins.load.end(),
                      [&](const config::PluginConfig& x) { return x.name == c.name; });
    // A dependency that failed to start takes its dependants down with it.
    std::string missing;
    for (std::uint32_t i = 0; i < c.manifest.dependency_count; ++i) {
      const std::string dep(c.manifest.dependencies[i].name.view());
      const bool up = std::any_of(running_.begin(), running_.end(),
                                  [&](const auto& p) { return p->name() == dep; });
      if (!up && missing.empty()) missing = dep;
    }
    if (!missing.empty()) {
      refused.push_back({c.name, c.file, "needs " + missing + ", which failed to start", {}});
      continue;
    }
    try {
      migrate(c.name);
      running_.push_back(
          PluginInstance::start(runtime_, *this, c, std::move(copies.at(c.name)), pc, {}));
      spdlog::info("plugin {} {} loaded from {} (ids {})", c.name,
                   std::string(c.manifest.version.view()), c.file, describe_ranges(c.manifest));
    } catch (const PluginRefused& e) {
      refused.push_back({c.name, c.file, e.what(), {}});
    }
  }
  for (const auto& r : refused) log_refusal(r);
  publish_routes_locked();
  return refused;
}

void PluginManager::load(const config::PluginConfig& config) {
  std::lock_guard changes(changes_mutex_);
  std::lock_guard lock(mutex_);
  Refusal refusal{config.name, config.file, {}, {}};
  try {
    auto [candidate, copy] = stage(config);  // the copy goes with any refusal below
    auto plan = plan_load({candidate}, running_candidates_locked());
    if (!plan.refused.empty()) throw PluginRefused(plan.refused.front().reason);
    migrate(config.name);
    running_.push_back(
        PluginInstance::start(runtime_, *this, candidate, std::move(copy), config, {}));
    spdlog::info("plugin {} {} loaded from {} (ids {})", config.name,
                 std::string(candidate.manifest.version.view()), config.file,
                 describe_ranges(candidate.manifest));
  } catch (const PluginRefused& e) {
    refusal.reason = e.what();
    log_refusal(refusal);
    throw;
  }
  publish_routes_locked();
}

void PluginManager::unload(const std::string& name) {
  std::lock_guard changes(changes_mutex_);  // not in the middle of this plugin's reload
  std::shared_ptr<PluginInstance> victim;
  {
    std::lock_guard lock(mutex_);
    const auto it = std::find_if(running_.begin(), running_.end(),
                                 [&](const auto& p) { return p->name() == name; });
    if (it == running_.end()) throw PluginRefused("plugin " + name + " is not loaded");
    for (const auto& p : running_) {
      const auto& m = p->manifest();
      for (std::uint32_t i = 0; i < m.dependency_count; ++i) {
        if (m.dependencies[i].name.view() == name) {
          throw PluginRefused("plugin " + p->name() + " depends on " + name + "; unload it first");
        }
      }
    }
    victim = *it;
    running_.erase(it);
    publish_routes_locked();  // new messages for its ids now get "unknown id"
  }
  victim->stop();
  spdlog::info("plugin {} {} unloaded", victim->name(), victim->version());
}

void PluginManager::unload_all() {
  std::lock_guard changes(changes_mutex_);
  std::vector<std::shared_ptr<PluginInstance>> all;
  std::vector<std::shared_ptr<PluginInstance>> old;
  std::vector<std::thread> finishers;
  {
    std::lock_guard lock(mutex_);
    all.swap(running_);
    old.swap(draining_);
    finishers.swap(finishers_);
    publish_routes_locked();
  }
  for (auto& t : finishers) t.join();
  for (auto& p : old) p->stop();  // builds still draining end with the host
  for (auto it = all.rbegin(); it != all.rend(); ++it) (*it)->stop();
}

namespace {

bool same_bytes(const std::string& a, const std::string& b) {
  std::error_code ec;
  if (std::filesystem::file_size(a, ec) != std::filesystem::file_size(b, ec) || ec) return false;
  std::ifstream fa(a, std::ios::binary);
  std::ifstream fb(b, std::ios::binary);
  return std::equal(std::istreambuf_iterator<char>(fa), std::istreambuf_iterator<char>(),
                    std::istreambuf_iterator<char>(fb));
}

}  // namespace

PluginManager::ReloadResult PluginManager::reload(const std::string& name, const std::string& file,
                                                  const std::string& strategy_asked) {
  std::lock_guard changes(changes_mutex_);
  auto plugin = find(name);
  if (!plugin) throw PluginRefused("plugin " + name + " is not loaded");
  auto pc = plugin->config();
  if (!file.empty()) pc.file = file;
  const auto from = plugin->version();
  const auto strategy = strategy_asked.empty() ? pc.reload_strategy : strategy_asked;
  try {
    if (strategy != "handover" && strategy != "drain") {
      throw PluginRefused("unknown reload strategy '" + strategy + "' (handover or drain)");
    }
    for (const auto& d : draining()) {
      if (d->name() == name) {
        throw PluginRefused("plugin " + name + " " + d->version() + " is still draining " +
                            std::to_string(d->open_keys()) +
                            " key(s); reload again when it is done");
      }
    }
    auto [candidate, copy] = stage(pc);  // the copy goes with any refusal below
    if (candidate.manifest.name.view() != name) {
      throw PluginRefused("the file declares plugin '" +
                          std::string(candidate.manifest.name.view()) + "'");
    }
    if (!same_ranges(candidate.manifest.ranges.data(), candidate.manifest.range_count,
                     plugin->manifest().ranges.data(), plugin->manifest().range_count)) {
      throw PluginRefused("a live reload cannot change the id ranges (" +
                          describe_ranges(plugin->manifest()) + " -> " +
                          describe_ranges(candidate.manifest) + "); unload and load instead");
    }
    {
      // Dependencies of the new build, and dependants' ranges, against everything else.
      std::lock_guard lock(mutex_);
      std::vector<Candidate> others;
      for (const auto& p : running_) {
        if (p->name() != name)
          others.push_back({p->name(), p->file(), p->private_copy(), p->manifest()});
      }
      auto plan = plan_load({candidate}, others);
      if (!plan.refused.empty()) throw PluginRefused(plan.refused.front().reason);
      SemVer next;
      parse_semver(candidate.manifest.version.view(), next);
      for (const auto& o : others) {
        for (std::uint32_t i = 0; i < o.manifest.dependency_count; ++i) {
          const auto& dep = o.manifest.dependencies[i];
          if (dep.name.view() == name && !satisfies(dep, next)) {
            throw PluginRefused("plugin " + o.name + " needs " + name + " in another range than " +
                                std::string(candidate.manifest.version.view()));
          }
        }
      }
    }
    // The new build's new migrations; the old build keeps running on the extended schema
    // until the swap, so a migration must stay compatible with the build before it.
    migrate(name);
    if (strategy == "drain") {
      // The new build starts cold beside the old one and takes everything new at once; the
      // route table sends the sessions playing in the old build's keys to the old build.
      auto next = PluginInstance::start(runtime_, *this, candidate, std::move(copy), pc, {});
      {
        std::lock_guard lock(mutex_);
        std::replace(running_.begin(), running_.end(), plugin, next);
        draining_.push_back(plugin);
        publish_routes_locked();
      }
      next->stats().record_reload(
          {true, true, from + " -> " + next->version() + " (drain)", 0, core::now_ms()});
      spdlog::info("plugin {} drain reload {} -> {} from {}: {} key(s) finish on {}", name, from,
                   next->version(), pc.file, plugin->open_keys(), from);
      std::weak_ptr<PluginInstance> old_weak = plugin;
      std::weak_ptr<PluginInstance> next_weak = next;
      plugin->begin_drain([this, old_weak, next_weak] {
        // Ends on its own thread: the last key may close on a worker, where stop() may not run.
        std::lock_guard lock(mutex_);
        finishers_.emplace_back([this, old_weak, next_weak] {
          core::name_this_thread("gh-drain");
          if (auto old = old_weak.lock()) finish_drain(old, next_weak.lock());
        });
      });
      return {from, next->version(), std::chrono::microseconds(0)};
    }
    const auto pause = plugin->reload(candidate, std::move(copy));
    plugin->stats().record_reload({true, true, from + " -> " + plugin->version(),
                           static_cast<std::uint64_t>(pause.count()), core::now_ms()});
    spdlog::info("plugin {} reloaded {} -> {} from {} (messages held {} us)", name, from,
                 plugin->version(), pc.file, pause.count());
    {
      std::lock_guard lock(mutex_);
      publish_routes_locked();  // public ids may have changed
    }
    return {from, plugin->version(), pause};
  } catch (const PluginRefused& e) {
    plugin->stats().record_reload({true, false, e.what(), 0, core::now_ms()});
    spdlog::error("plugin {} reload from {} refused, {} goes on serving: {}", name, pc.file, from,
                  e.what());
    throw;
  }
}

void PluginManager::finish_drain(const std::shared_ptr<PluginInstance>& old,
                                 const std::shared_ptr<PluginInstance>& next) {
  {
    // Out of the routes first: what arrives from now on goes to the new build.
    std::lock_guard lock(mutex_);
    std::erase(draining_, old);
    publish_routes_locked();
  }
  old->stop();
  spdlog::info("plugin {} {} drained and unloaded{}", old->name(), old->version(),
               next ? ", " + next->version() + " serves alone" : std::string());
}

std::vector<std::shared_ptr<PluginInstance>> PluginManager::draining() const {
  std::lock_guard lock(mutex_);
  return draining_;
}

std::size_t PluginManager::reload_changed() {
  std::size_t reloaded = 0;
  for (const auto& p : list()) {
    if (same_bytes(p->config().file, p->private_copy())) continue;
    try {
      reload(p->name());
      ++reloaded;
    } catch (const PluginRefused&) {
      // logged by reload(); the old build serves on
    }
  }
  return reloaded;
}

std::shared_ptr<PluginInstance> PluginManager::find(const std::string& name) const {
  std::lock_guard lock(mutex_);
  for (const auto& p : running_) {
    if (p->name() == name) return p;
  }
  return nullptr;
}

std::vector<std::shared_ptr<PluginInstance>> PluginManager::list() const {
  std::lock_guard lock(mutex_);
  return running_;
}

void PluginManager::broadcast_session_event(gh_session_event_kind kind, session::SessionId session,
                                            session::UserId user) const {
  std::vector<std::shared_ptr<PluginInstance>> running;
  std::vector<std::shared_ptr<PluginInstance>> old;
  {
    std::lock_guard lock(mutex_);
    running = running_;
    if (kind != GH_SESSION_OPENED) old = draining_;
  }
  for (const auto& p : old) p->post_session_event(kind, session, user);
  for (const auto& p : running) p->post_session_event(kind, session, user);
}

void PluginManager::publish_routes_locked() {
  std::vector<router::RouteTable::Route> routes;
  for (const auto& p : running_) {
    // A drain reload's old build keeps the ranges (a reload cannot change them) for the
    // sessions bound to its keys.
    std::shared_ptr<PluginInstance> old;
    for (const auto& d : draining_) {
      if (d->name() == p->name()) old = d;
    }
    const auto& m = p->manifest();
    for (std::uint32_t i = 0; i < m.range_count; ++i) {
      routes.push_back({m.ranges[i].first, m.ranges[i].last, p, old});
    }
  }
  routes_.publish(std::make_shared<const router::RouteTable>(std::move(routes)));
}

}  // namespace gamehost::plugins
