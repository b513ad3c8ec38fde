#include "exec/batch_scope.hpp"

namespace gamehost::exec {
namespace {
thread_local std::vector<std::function<void()>>* t_deferred = nullptr;
thread_local std::chrono::steady_clock::time_point t_mark;
}  // namespace

BatchScope::BatchScope() noexcept : outermost_(t_deferred == nullptr) {
  if (outermost_) {
    t_deferred = &deferred_;
    t_mark = std::chrono::steady_clock::now();
  }
}

std::chrono::steady_clock::time_point BatchScope::task_start() noexcept {
  return t_deferred != nullptr ? t_mark : std::chrono::steady_clock::now();
}

std::chrono::steady_clock::time_point BatchScope::task_end() noexcept {
  t_mark = std::chrono::steady_clock::now();
  return t_mark;
}

BatchScope::~BatchScope() {
  if (!outermost_) return;
  // Deferred work may defer more (it runs inside the scope): run until none is left.
  for (std::size_t i = 0; i < deferred_.size(); ++i) {
    auto fn = std::move(deferred_[i]);
    try {
      fn();
    } catch (...) {
      // Deferred work handles its own failures; nothing may escape a destructor.
    }
  }
  t_deferred = nullptr;
}

bool BatchScope::defer(std::function<void()> fn) {
  if (t_deferred == nullptr) return false;
  t_deferred->push_back(std::move(fn));
  return true;
}

}  // namespace gamehost::exec
