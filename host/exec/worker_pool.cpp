#include "exec/worker_pool.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <optional>
#include <thread>
#include <vector>

namespace gamehost::exec {
namespace {
thread_local const void* t_current_pool = nullptr;
}

struct WorkerPool::Impl {
  boost::asio::io_context io;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard{
      io.get_executor()};
  std::vector<std::thread> threads;
};

WorkerPool::WorkerPool(std::size_t threads) : impl_(std::make_unique<Impl>()) {
  for (std::size_t i = 0; i < threads; ++i) {
    impl_->threads.emplace_back([this] {
      t_current_pool = this;
      impl_->io.run();
    });
  }
}

WorkerPool::~WorkerPool() {
  stop();
}

void WorkerPool::post(std::function<void()> job) {
  boost::asio::post(impl_->io, std::move(job));
}

std::size_t WorkerPool::size() const noexcept {
  return impl_->threads.size();
}

bool WorkerPool::on_worker_thread() const noexcept {
  return t_current_pool == this;
}

void WorkerPool::stop() noexcept {
  impl_->guard.reset();
  impl_->io.stop();
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
  impl_->threads.clear();
}

}  // namespace gamehost::exec
