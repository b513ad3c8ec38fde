// Internal header: the host's private copy of a plugin file (data_dir/run/plugins), owned:
// it is deleted when its owner goes, on every path - a refusal, a failed migration, a
// failed create, an unload, the end of a drain. Move-only.
#pragma once

#include <filesystem>
#include <string>
#include <utility>

namespace gamehost::plugins {

class StagedCopy {
 public:
  StagedCopy() = default;
  explicit StagedCopy(std::string path) : path_(std::move(path)) {}
  StagedCopy(StagedCopy&& other) noexcept : path_(std::exchange(other.path_, {})) {}
  StagedCopy& operator=(StagedCopy&& other) noexcept {
    if (this != &other) {
      remove();
      path_ = std::exchange(other.path_, {});
    }
    return *this;
  }
  StagedCopy(const StagedCopy&) = delete;
  StagedCopy& operator=(const StagedCopy&) = delete;
  ~StagedCopy() { remove(); }

  const std::string& path() const noexcept { return path_; }

 private:
  void remove() noexcept {
    if (path_.empty()) return;
    std::error_code ec;
    std::filesystem::remove(path_, ec);
    path_.clear();
  }
  std::string path_;
};

}  // namespace gamehost::plugins
