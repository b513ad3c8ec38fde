#include "loader/file_watch.hpp"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>
#include <thread>

#include "core/thread_name.hpp"

namespace gamehost::plugins {
namespace {
// Quiet time after the last change before reacting: long enough to cover a package
// manager renaming several plugins, short enough that nobody waits.
constexpr int kSettleMs = 200;
}  // namespace

struct FileWatch::Impl {
  int fd = -1;
  std::map<int, std::string> dirs;  // watch descriptor -> directory
  std::set<std::string> watched;    // full paths of the plugin files
  std::function<void()> changed;
  std::atomic<bool> stop{false};
  std::thread thread;

  void run() {
    bool pending = false;
    alignas(inotify_event) char buf[8192];
    while (!stop) {
      pollfd p{fd, POLLIN, 0};
      const int ready = ::poll(&p, 1, pending ? kSettleMs : 100);
      if (ready > 0) {
        const auto n = ::read(fd, buf, sizeof buf);
        for (char* at = buf; n > 0 && at < buf + n;) {
          const auto* ev = reinterpret_cast<const inotify_event*>(at);
          at += sizeof(inotify_event) + ev->len;
          if (ev->len == 0) continue;
          const auto it = dirs.find(ev->wd);
          if (it == dirs.end()) continue;
          const auto path = (std::filesystem::path(it->second) / ev->name).string();
          if (watched.contains(path)) pending = true;
        }
      } else if (ready == 0 && pending) {
        pending = false;
        spdlog::info("a watched plugin file changed: reloading changed plugins");
        changed();
      }
    }
  }
};

FileWatch::FileWatch(const std::vector<std::string>& files, std::function<void()> changed)
    : impl_(std::make_unique<Impl>()) {
  impl_->changed = std::move(changed);
  impl_->fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (impl_->fd < 0) throw std::runtime_error("inotify_init1 failed");
  std::set<std::string> dirs;
  for (const auto& f : files) {
    const auto abs = std::filesystem::absolute(f).lexically_normal();
    impl_->watched.insert(abs.string());
    dirs.insert(abs.parent_path().string());
  }
  for (const auto& d : dirs) {
    const int wd =
        ::inotify_add_watch(impl_->fd, d.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE);
    if (wd < 0) {
      spdlog::warn("cannot watch {} for plugin changes", d);
      continue;
    }
    impl_->dirs[wd] = d;
  }
  impl_->thread = std::thread([this] {
    core::name_this_thread("gh-file-watch");
    impl_->run();
  });
}

FileWatch::~FileWatch() {
  impl_->stop = true;
  if (impl_->thread.joinable()) impl_->thread.join();
  if (impl_->fd >= 0) ::close(impl_->fd);
}

}  // namespace gamehost::plugins
