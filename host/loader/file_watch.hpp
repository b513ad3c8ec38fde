// Internal header: notices when a plugin file is replaced (inotify), for [plugins] watch.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace gamehost::plugins {

// Watches the directories of `files`; when one of the files is written or renamed into
// place, calls `changed` once things have been quiet for a moment (a package upgrade
// replaces several files in a row). Runs its own thread; stops when destroyed.
class FileWatch {
 public:
  FileWatch(const std::vector<std::string>& files, std::function<void()> changed);
  ~FileWatch();
  FileWatch(const FileWatch&) = delete;
  FileWatch& operator=(const FileWatch&) = delete;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gamehost::plugins
