// In-process cost of a client message, from "frame decoded" to "handler called" (and the
// handler's reply handed back to the session), with no sockets: the router lookup, the
// authentication check, the copy into the plugin's queue, the hop to a worker thread, the
// C ABI call, protobuf decode in the SDK, the handler, and the reply's encode and send.
#include <benchmark/benchmark.h>

#include <atomic>
#include <thread>

#include "echo.pb.h"
#include "net/frame.hpp"
#include "router/dispatcher.hpp"
#include "support/in_process_host.hpp"

namespace {

using gamehost::testing::InProcessHost;
using gamehost::testing::TempDir;

// A session that only counts what it is sent: the benchmark measures the host, not a socket.
class CountingSession final : public gamehost::session::Session {
 public:
  CountingSession() : Session(1, gamehost::session::Transport::tcp, "127.0.0.1", 1, 0) {}
  void send(std::uint32_t, gamehost::session::Payload) override {
    sent.fetch_add(1, std::memory_order_release);
  }
  void kick(std::uint32_t, const std::string&) override {}
  void close() override {}
  bool is_open() const noexcept override { return true; }
  std::atomic<std::uint64_t> sent{0};
};

struct Fixture {
  TempDir dir;
  InProcessHost host{dir.str()};
  std::shared_ptr<CountingSession> session = std::make_shared<CountingSession>();
  gamehost::router::Dispatcher dispatcher{host.runtime(), host.routes(), host.plugins()};
  Fixture() {
    auto pc = InProcessHost::plugin("echo", std::string(GAMEHOST_PLUGIN_DIR) + "/echo.so");
    pc.queue_capacity = 1 << 22;
    host.plugins().load(pc);
    host.add_session(session);
  }
};

// Frames are dispatched in batches; the time includes waiting until every reply is sent.
void BM_DispatchEchoToHandlerAndReply(benchmark::State& state) {
  static Fixture f;
  gamehost::echo::EchoRequest req;
  req.set_data(std::string(static_cast<std::size_t>(state.range(0)), 'x'));
  const auto payload = req.SerializeAsString();
  const int batch = 1000;
  for (auto _ : state) {
    const auto target = f.session->sent.load() + batch;
    for (int i = 0; i < batch; ++i) f.dispatcher.on_frame(*f.session, 90000, payload);
    while (f.session->sent.load(std::memory_order_acquire) < target) std::this_thread::yield();
  }
  state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK(BM_DispatchEchoToHandlerAndReply)->Arg(16)->Arg(512)->UseRealTime();

// The network-side share alone: cutting frames out of a TCP byte stream.
void BM_FrameDecoder(benchmark::State& state) {
  std::string stream;
  for (int i = 0; i < 1000; ++i) {
    std::string frame(8 + 16, 'x');
    gamehost::net::put_u32le(reinterpret_cast<std::uint8_t*>(frame.data()), 16);
    gamehost::net::put_u32le(reinterpret_cast<std::uint8_t*>(frame.data()) + 4, 90000);
    stream += frame;
  }
  gamehost::net::FrameDecoder decoder(65536);
  std::uint64_t frames = 0;
  for (auto _ : state) {
    decoder.feed(reinterpret_cast<const std::uint8_t*>(stream.data()), stream.size(),
                 [&frames](std::uint32_t, std::string_view) { ++frames; });
  }
  benchmark::DoNotOptimize(frames);
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_FrameDecoder);

}  // namespace

BENCHMARK_MAIN();
