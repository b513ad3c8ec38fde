// libFuzzer: the TCP frame decoder. The input is cut into reads at points chosen from the
// input itself; the frames (or the too-large refusal) must be exactly what one read of the
// whole input gives, so no split can lose, add or change a frame. The decoder's copy
// counter must stay linear in the bytes fed.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "net/frame.hpp"

namespace {

struct Frame {
  std::uint32_t id;
  std::string payload;
  bool operator==(const Frame&) const = default;
};

constexpr std::uint32_t kMaxPayload = 4096;

struct Run {
  std::vector<Frame> frames;
  bool too_large = false;
};

template <class Splits>
Run decode(const std::uint8_t* data, std::size_t size, Splits next_read) {
  gamehost::net::FrameDecoder decoder(kMaxPayload);
  Run run;
  std::size_t at = 0;
  while (at < size && !run.too_large) {
    const std::size_t n = std::min(size - at, next_read());
    const auto status = decoder.feed(data + at, n, [&](std::uint32_t id, std::string_view p) {
      run.frames.push_back({id, std::string(p)});
    });
    run.too_large = status == gamehost::net::FrameDecoder::Status::too_large;
    at += n;
  }
  if (decoder.copied_bytes() > size) std::abort();  // each byte copied at most once
  return run;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  // The first byte seeds the read sizes (1..64 bytes, varying); the rest is the stream.
  std::uint32_t state = data[0] | 1u;
  const auto whole = decode(data + 1, size - 1, [&] { return size; });
  const auto split = decode(data + 1, size - 1, [&] {
    state = state * 1103515245u + 12345u;
    return static_cast<std::size_t>(1 + (state >> 16) % 64);
  });
  if (whole.too_large != split.too_large || whole.frames != split.frames) std::abort();
  return 0;
}
