#include "loader/plugin_instance.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <functional>
#include <future>

#include "exec/batch_scope.hpp"
#include "loader/host_services.hpp"
#include "loader/plugin_build.hpp"
#include "loader/plugin_file.hpp"
#include "log/logging.hpp"

namespace gamehost::plugins {

PluginInstance::PluginInstance(core::Runtime& runtime, const PluginDirectory& directory,
                               const Candidate& candidate, const config::PluginConfig& config)
    : runtime_(runtime), directory_(directory), name_(candidate.name), config_(config) {}

std::shared_ptr<PluginInstance> PluginInstance::start(core::Runtime& runtime,
                                                      const PluginDirectory& directory,
                                                      const Candidate& candidate, StagedCopy copy,
                                                      const config::PluginConfig& config,
                                                      const std::string& state) {
  std::shared_ptr<PluginInstance> p(new PluginInstance(runtime, directory, candidate, config));
  auto code = PluginBuild::load(candidate, std::move(copy));
  p->builds_.push_back(
      std::make_unique<BuildInfo>(BuildInfo{std::string(candidate.manifest.version.view()),
                                            candidate.manifest, candidate.file, candidate.staged}));
  p->build_.store(p->builds_.back().get(), std::memory_order_release);
  p->start_queues();
  // Held until the instance exists: what its constructor starts (a subscription hearing an
  // event, a timer, a session event) must not reach it before, with no instance or code.
  p->queue_->pause();
  try {
    p->instance_ = code->create(p->api_, state);
  } catch (...) {
    // Refused: whatever the constructor queued runs as a no-op and lets the slot go.
    p->destroyed_ = true;
    p->abandon();
    p->queue_->resume();
    throw;
  }
  p->warn_unread_settings();  // a plugin reads its settings in create: the rest are typos
  p->code_ = std::move(code);
  p->descriptor_ = &p->code_->descriptor();
  p->queue_->resume();
  return p;
}

void PluginInstance::abandon() noexcept {
  accepting_ = false;
  keyed_accepting_ = false;
  std::set<std::uint64_t> timers;
  {
    std::lock_guard lock(timers_mutex_);
    timers.swap(timers_);
  }
  for (const auto id : timers) runtime_.timers.cancel(id);
  runtime_.events.unsubscribe_all(this);
}

void PluginInstance::start_queues() {
  logger_ = logging::plugin_logger(name_, config_.log_level);
  queue_ = std::make_shared<exec::SerialQueue>(runtime_.workers, config_.queue_capacity);
  const auto lanes =
      runtime_.config.plugins.keyed_lanes != 0
          ? runtime_.config.plugins.keyed_lanes
          : static_cast<std::uint32_t>(4 * std::max<std::size_t>(1, runtime_.workers.size()));
  for (std::uint32_t i = 0; i < lanes; ++i) {
    lanes_.push_back(std::make_shared<exec::SerialQueue>(runtime_.workers, config_.queue_capacity));
  }
  api_ = gh_host_api{sizeof(gh_host_api), GAMEHOST_ABI_MAJOR, GAMEHOST_ABI_MINOR, handle(),
                     &host_get_proc};
}

PluginInstance::~PluginInstance() {
  if (instance_ != nullptr && !destroyed_ && descriptor_ != nullptr)
    descriptor_->destroy(instance_);
  code_.reset();
}

bool PluginInstance::key_open(std::uint64_t key) {
  std::lock_guard lock(keys_mutex_);
  if (draining_) return false;  // new work goes to the new build; this one only finishes
  keys_.insert(key);
  return true;
}

void PluginInstance::key_close(std::uint64_t key) {
  std::function<void()> drained;
  {
    std::lock_guard lock(keys_mutex_);
    if (keys_.erase(key) == 0) return;
    std::erase_if(session_keys_, [key](const auto& entry) { return entry.second == key; });
    if (draining_ && keys_.empty()) drained = std::exchange(drained_, nullptr);
  }
  if (drained) drained();
}

void PluginInstance::key_bind(std::uint64_t key, session::SessionId session) {
  std::lock_guard lock(keys_mutex_);
  if (key == 0) {
    session_keys_.erase(session);
  } else {
    session_keys_[session] = key;
  }
}

std::size_t PluginInstance::open_keys() const {
  std::lock_guard lock(keys_mutex_);
  return keys_.size();
}

bool PluginInstance::owns_session(session::SessionId session) const {
  std::lock_guard lock(keys_mutex_);
  const auto it = session_keys_.find(session);
  return it != session_keys_.end() && keys_.contains(it->second);
}

void PluginInstance::begin_drain(std::function<void()> when_empty) {
  {
    std::lock_guard lock(keys_mutex_);
    draining_ = true;
    if (!keys_.empty()) {
      drained_ = std::move(when_empty);
      return;
    }
  }
  when_empty();
}

bool PluginInstance::draining() const {
  std::lock_guard lock(keys_mutex_);
  return draining_;
}

bool PluginInstance::has_capability(const std::string& capability) const {
  return std::find(config_.capabilities.begin(), config_.capabilities.end(), capability) !=
         config_.capabilities.end();
}

template <class Fn>
void PluginInstance::run_unbounded(Fn&& fn) {
  queue_->push_unbounded([self = shared_from_this(), fn = std::forward<Fn>(fn)]() mutable {
    if (!self->destroyed_) fn(*self);
  });
}

PluginInstance::Post PluginInstance::post_message(session::SessionId session, session::UserId user,
                                                  std::uint32_t msg_id, std::string_view payload) {
  if (!accepting_.load(std::memory_order_acquire)) return Post::stopped;
  // Refused before anything is copied: a flood costs the host the error reply, no memory.
  // (The item count is checked again, exactly, when the task is pushed.)
  if (queue_->depth() >= config_.queue_capacity) return Post::busy;
  const std::uint64_t size = payload.size();
  if (queued_bytes_.fetch_add(size, std::memory_order_acq_rel) + size > config_.queue_bytes) {
    queued_bytes_.fetch_sub(size, std::memory_order_acq_rel);
    return Post::busy;
  }
  auto task = [self = shared_from_this(), session, user, msg_id, payload = std::string(payload)] {
    self->queued_bytes_.fetch_sub(payload.size(), std::memory_order_acq_rel);
    if (self->destroyed_) return;
    const gh_message msg{sizeof(gh_message),
                         msg_id,
                         session,
                         user,
                         reinterpret_cast<const std::uint8_t*>(payload.data()),
                         payload.size()};
    gh_error error{sizeof(gh_error), 0, {}};
    const auto started = exec::BatchScope::task_start();
    const auto status = self->descriptor_->on_message(self->instance_, &msg, &error);
    self->stats_.count_handled();
    // Last: a scrape that sees this handler's time sees its message counted too.
    self->stats_.record_handler_time(exec::BatchScope::task_end() - started);
    if (status == GH_OK) return;
    const auto code =
        error.code != 0 ? error.code : static_cast<std::uint32_t>(GH_CODE_PLUGIN_FAILURE);
    if (code == GH_CODE_PLUGIN_FAILURE) self->stats_.count_failure();
    self->runtime_.metrics.count_error(code);
    if (auto s = self->runtime_.sessions.find(session)) s->send_error(code, msg_id, error.text);
  };
  if (holding_.load(std::memory_order_acquire)) {
    // A reload is letting blocking work finish: this message waits for the new build.
    std::lock_guard lock(held_mutex_);
    if (holding_.load(std::memory_order_relaxed)) {
      if (held_.size() >= config_.queue_capacity) {
        queued_bytes_.fetch_sub(size, std::memory_order_acq_rel);
        return Post::busy;
      }
      held_.emplace_back(std::move(task));
      return Post::queued;
    }
  }
  if (queue_->push(std::move(task))) return Post::queued;
  queued_bytes_.fetch_sub(size, std::memory_order_acq_rel);
  return Post::busy;
}

gh_status PluginInstance::run_blocking(const gh_blocking_job& job) {
  const bool on_lane =
      GH_HAS_FIELD(&job, gh_blocking_job, lane_key) && (job.flags & GH_JOB_THEN_ON_LANE) != 0;
  const auto lane_key = on_lane ? job.lane_key : 0;
  if (!keyed_accepting_.load(std::memory_order_acquire) ||
      jobs_in_flight_.load(std::memory_order_relaxed) >= config_.queue_capacity) {
    job.discard(job.ud);
    return GH_ERR_BUSY;
  }
  jobs_in_flight_.fetch_add(1, std::memory_order_acq_rel);
  const gh_blocking_job copy = job;
  runtime_.blocking.post([self = shared_from_this(), copy, on_lane, lane_key] {
    copy.work(copy.ud);
    // The continuation must run, whatever the plugin is doing now: stop() and reload()
    // wait for it, so the instance (and its code) is still there.
    auto then = [self, copy] {
      copy.then(copy.ud);
      self->job_finished();
    };
    if (on_lane) {
      self->lanes_[lane_key % self->lanes_.size()]->push_unbounded(std::move(then));
    } else {
      self->queue_->push_unbounded(std::move(then));
    }
  });
  return GH_OK;
}

void PluginInstance::job_finished() noexcept {
  if (jobs_in_flight_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    std::lock_guard lock(jobs_mutex_);
    jobs_done_.notify_all();
  }
}

void PluginInstance::wait_for_jobs() {
  std::unique_lock lock(jobs_mutex_);
  jobs_done_.wait(lock, [this] { return jobs_in_flight_.load(std::memory_order_acquire) == 0; });
}

void PluginInstance::note_setting_asked(const std::string& key) {
  std::lock_guard lock(settings_mutex_);
  settings_asked_.insert(key);
}

const char* PluginInstance::setting_origin(const std::string& key) {
  const auto it = config_.setting_origins.find(key);
  return it == config_.setting_origins.end() ? "" : it->second.c_str();
}

void PluginInstance::warn_unread_settings() const {
  std::lock_guard lock(settings_mutex_);
  // Dotted paths of every value (not tables) in the settings table.
  std::vector<std::pair<std::string, const toml::node*>> leaves;
  std::function<void(const toml::table&, const std::string&)> walk =
      [&](const toml::table& t, const std::string& prefix) {
        for (const auto& [k, v] : t) {
          const auto path =
              prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
          if (const auto* sub = v.as_table()) {
            walk(*sub, path);
          } else {
            leaves.emplace_back(path, &v);
          }
        }
      };
  walk(config_.settings, "");
  for (const auto& [path, node] : leaves) {
    if (settings_asked_.contains(path)) continue;
    const auto origin = config_.setting_origins.find(path);
    logger_->warn("{}: plugins.{}.settings.{} is not a setting {} {} reads (a typo?)",
                  origin == config_.setting_origins.end() ? "config" : origin->second, name_, path,
                  name_, version());
  }
}

void PluginInstance::post_session_event(gh_session_event_kind kind, session::SessionId session,
                                        session::UserId user) {
  if (!accepting_) return;
  run_unbounded([kind, session, user](PluginInstance& self) {
    if (self.descriptor_->on_session_event == nullptr) return;
    const gh_session_event ev{sizeof(gh_session_event), static_cast<std::uint32_t>(kind), session,
                              user};
    self.descriptor_->on_session_event(self.instance_, &ev);
  });
}

void PluginInstance::post_event(std::string topic, std::string publisher,
                                std::shared_ptr<const std::string> data) {
  if (!accepting_) return;
  // Bounded: a subscriber whose queue is full loses the event (counted, and logged at most
  // once a second) rather than letting publishers grow its memory without end.
  if (queue_->depth() >= config_.queue_capacity) {
    stats_.count_event_dropped();
    const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    auto last = last_drop_log_.load(std::memory_order_relaxed);
    if (now - last > std::chrono::nanoseconds(std::chrono::seconds(1)).count() &&
        last_drop_log_.compare_exchange_strong(last, now)) {
      logger_->warn("queue full ({} tasks): event {} from {} dropped ({} so far)",
                    config_.queue_capacity, topic, publisher, stats_.events_dropped());
    }
    return;
  }
  run_unbounded([topic = std::move(topic), publisher = std::move(publisher),
                 data = std::move(data)](PluginInstance& self) {
    if (self.descriptor_->on_event == nullptr) return;
    const gh_event ev{sizeof(gh_event), topic.c_str(), publisher.c_str(),
                      reinterpret_cast<const std::uint8_t*>(data->data()), data->size()};
    self.descriptor_->on_event(self.instance_, &ev);
  });
}

void PluginInstance::post_call(std::uint64_t call_id, std::string caller, std::uint32_t method,
                               std::string data) {
  auto refuse = [this, call_id](gh_status status) {
    // Nobody will answer: fail the call now rather than let the caller wait for a timeout.
    if (auto pending = runtime_.calls.finish(call_id)) {
      runtime_.timers.cancel(pending->timer);
      if (auto c = pending->caller.lock()) c->post_call_result(call_id, pending->cookie, status, {});
    }
  };
  if (!accepting_) {
    refuse(GH_ERR_UNSUPPORTED);
    return;
  }
  // Bounded: a callee whose queue is full answers busy at once, as a client is answered.
  if (queue_->depth() >= config_.queue_capacity) {
    refuse(GH_ERR_BUSY);
    return;
  }
  run_unbounded([call_id, caller = std::move(caller), method, data = std::move(data),
                 refuse](PluginInstance& self) {
    if (self.descriptor_->on_call == nullptr) {
      refuse(GH_ERR_UNSUPPORTED);
      return;
    }
    const gh_call call{sizeof(gh_call),
                       call_id,
                       caller.c_str(),
                       method,
                       reinterpret_cast<const std::uint8_t*>(data.data()),
                       data.size()};
    self.descriptor_->on_call(self.instance_, &call);
  });
}

void PluginInstance::post_call_result(std::uint64_t call_id, std::uint64_t cookie, gh_status status,
                                      std::string data) {
  run_unbounded([call_id, cookie, status, data = std::move(data)](PluginInstance& self) {
    if (self.descriptor_->on_call_result == nullptr) return;
    const gh_call_result r{sizeof(gh_call_result),
                           call_id,
                           cookie,
                           static_cast<std::uint32_t>(status),
                           reinterpret_cast<const std::uint8_t*>(data.data()),
                           data.size()};
    self.descriptor_->on_call_result(self.instance_, &r);
  });
}

gh_status PluginInstance::post_keyed(std::uint64_t key, const gh_task& task) {
  if (!keyed_accepting_) {
    task.discard(task.ud);
    return GH_ERR_BUSY;
  }
  auto& lane = lanes_[key % lanes_.size()];
  const bool taken = lane->push([self = shared_from_this(), task] {
    if (self->destroyed_) {
      task.discard(task.ud);
    } else {
      task.run(task.ud);
    }
  });
  if (taken) return GH_OK;
  task.discard(task.ud);
  return GH_ERR_BUSY;
}

std::uint64_t PluginInstance::start_timer(std::uint64_t delay_ms, std::uint64_t interval_ms,
                                          std::uint64_t cookie) {
  // The firing only queues on_timer; the plugin code runs on its queue, never here.
  std::weak_ptr<PluginInstance> weak = weak_from_this();
  const bool once = interval_ms == 0;
  const auto id =
      runtime_.timers.start(delay_ms, interval_ms, [weak, cookie, once](std::uint64_t timer_id) {
        auto self = weak.lock();
        if (!self || !self->accepting_) return;
        {
          // Bounded: a repeating timer whose last firing still waits in a busy queue does
          // not queue another one (the plugin sees one firing for the missed ones).
          std::lock_guard lock(self->timers_mutex_);
          if (!self->timers_firing_.insert(timer_id).second) return;
        }
        self->run_unbounded([timer_id, cookie, once](PluginInstance& p) {
          {
            std::lock_guard lock(p.timers_mutex_);
            p.timers_firing_.erase(timer_id);
            if (once) p.timers_.erase(timer_id);
          }
          const gh_timer_event ev{sizeof(gh_timer_event), timer_id, cookie};
          if (p.descriptor_->on_timer != nullptr) p.descriptor_->on_timer(p.instance_, &ev);
        });
      });
  std::lock_guard lock(timers_mutex_);
  timers_.insert(id);
  return id;
}

bool PluginInstance::cancel_timer(std::uint64_t timer_id) {
  {
    std::lock_guard lock(timers_mutex_);
    if (timers_.erase(timer_id) == 0) return false;  // not ours, or already fired
  }
  runtime_.timers.cancel(timer_id);
  return true;
}

void PluginInstance::settle_for_reload() {
  holding_.store(true, std::memory_order_release);
  // Work already started finishes on the old build: blocking jobs and their continuations
  // (which may start more), keyed work, queued events and timers. Rounds until one finds
  // all of it idle with the queue paused, so no continuation can still be on its way.
  while (true) {
    wait_for_jobs();
    drain_lanes();
    queue_->pause_until_idle();
    if (jobs_in_flight_.load(std::memory_order_acquire) == 0 &&
        std::all_of(lanes_.begin(), lanes_.end(), [](const auto& lane) { return lane->idle(); })) {
      return;
    }
    queue_->resume();
  }
}

void PluginInstance::drain_lanes() {
  // Until one full round finds every lane idle: a keyed task may post to another lane
  // while a round passes. Idle lanes cost nothing, so a plugin without keyed work pays
  // nothing here.
  for (bool busy = true; busy;) {
    busy = false;
    for (auto& lane : lanes_) {
      if (lane->idle()) continue;
      busy = true;
      std::promise<void> drained;
      lane->push_unbounded([&drained] { drained.set_value(); });
      drained.get_future().wait();
    }
  }
}

std::chrono::microseconds PluginInstance::reload(const Candidate& candidate, StagedCopy copy) {
  if (runtime_.workers.on_worker_thread()) {
    throw std::logic_error("PluginInstance::reload must not run on a worker thread");
  }
  if (!accepting_) throw PluginRefused("plugin " + name_ + " is stopping");
  // Map and check the new build first: its static initializers run, the old one still serves.
  auto next = PluginBuild::load(candidate, std::move(copy));
  const auto from = version();

  const auto paused_at = std::chrono::steady_clock::now();
  settle_for_reload();  // new messages are held, in order, from here; nothing else runs
  auto resume = [this, paused_at] {
    // The held messages go to the queue first, in order, then new ones follow them.
    {
      std::lock_guard lock(held_mutex_);
      for (auto& task : held_) queue_->push_unbounded(std::move(task));
      held_.clear();
      holding_.store(false, std::memory_order_release);
    }
    queue_->resume();
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                 paused_at);
  };

  std::string state;
  if (descriptor_->export_state != nullptr) {
    const gh_byte_sink sink{&state, [](void* ctx, const std::uint8_t* d, std::size_t n) {
                              static_cast<std::string*>(ctx)->append(
                                  reinterpret_cast<const char*>(d), n);
                            }};
    gh_error error{sizeof(gh_error), 0, {}};
    if (descriptor_->export_state(instance_, &sink, &error) != GH_OK) {
      resume();
      throw PluginRefused(std::string("export_state of ") + from + " failed: " + error.text);
    }
  }
  std::set<std::uint64_t> old_timers;
  {
    std::lock_guard lock(timers_mutex_);
    old_timers = timers_;
  }
  gh_plugin* created = nullptr;
  try {
    {
      std::lock_guard lock(settings_mutex_);
      settings_asked_.clear();  // what the new build reads
    }
    created = next->create(api_, state);  // the old build is paused: nothing else runs
  } catch (const PluginRefused&) {
    resume();
    throw;  // `next` goes: the new build is unmapped, the old one never stopped serving
  }

  // The swap. The old build's timers belong to its instance: they go with it.
  for (const auto id : old_timers) cancel_timer(id);
  descriptor_->destroy(instance_);
  instance_ = created;
  std::swap(code_, next);
  descriptor_ = &code_->descriptor();
  builds_.push_back(
      std::make_unique<BuildInfo>(BuildInfo{std::string(candidate.manifest.version.view()),
                                            candidate.manifest, candidate.file, candidate.staged}));
  build_.store(builds_.back().get(), std::memory_order_release);
  reloads_.fetch_add(1, std::memory_order_relaxed);
  const auto pause = resume();
  warn_unread_settings();
  next.reset();  // unmaps the old build: nothing of it is queued or running any more
  logger_->info("reloaded {} -> {}: {} bytes of state, messages held {} us", from, version(),
                state.size(), pause.count());
  return pause;
}

void PluginInstance::stop() {
  if (runtime_.workers.on_worker_thread()) {
    throw std::logic_error("PluginInstance::stop must not run on a worker thread");
  }
  if (accepting_.exchange(false) == false) return;  // already stopped
  std::set<std::uint64_t> timers;
  {
    std::lock_guard lock(timers_mutex_);
    timers.swap(timers_);
  }
  for (const auto id : timers) runtime_.timers.cancel(id);
  runtime_.events.unsubscribe_all(this);

  // Barriers: messages and keyed work already queued finish before the instance goes.
  // The main queue first (its handlers may post keyed work), then the lanes.
  std::promise<void> messages_done;
  queue_->push_unbounded([&messages_done] { messages_done.set_value(); });
  messages_done.get_future().wait();
  keyed_accepting_ = false;
  // Blocking jobs in flight finish, and their continuations run on the live instance
  // (they may queue more work on the lanes: drained next).
  wait_for_jobs();
  drain_lanes();
  std::promise<void> destroyed;
  queue_->push_unbounded([this, &destroyed] {
    if (!destroyed_) descriptor_->destroy(instance_);
    destroyed_ = true;
    destroyed.set_value();
  });
  destroyed.get_future().wait();
  logger_->info("stopped {} {}", name_, version());
}

}  // namespace gamehost::plugins
