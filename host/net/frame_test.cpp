#include "net/frame.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace gamehost::net {
namespace {

std::string frame(std::uint32_t id, const std::string& payload) {
  std::string out(8, '\0');
  put_u32le(reinterpret_cast<std::uint8_t*>(out.data()),
            static_cast<std::uint32_t>(payload.size()));
  put_u32le(reinterpret_cast<std::uint8_t*>(out.data()) + 4, id);
  return out + payload;
}

struct Collector {
  std::vector<std::pair<std::uint32_t, std::string>> frames;
  FrameDecoder::Status feed(FrameDecoder& d, const std::string& bytes) {
    return d.feed(
        reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(),
        [this](std::uint32_t id, std::string_view p) { frames.emplace_back(id, std::string(p)); });
  }
};

TEST(FrameDecoder, HeaderIsLittleEndianLengthThenId) {
  const auto f = frame(0x01020304, "ab");
  EXPECT_EQ(f, std::string("\x02\x00\x00\x00\x04\x03\x02\x01"
                           "ab",
                           10));
}

TEST(FrameDecoder, FrameSplitAcrossEveryPossibleRead) {
  const auto bytes = frame(90000, "hello") + frame(90002, "world!");
  for (std::size_t cut = 0; cut <= bytes.size(); ++cut) {
    FrameDecoder d(1024);
    Collector c;
    ASSERT_EQ(c.feed(d, bytes.substr(0, cut)), FrameDecoder::Status::ok);
    ASSERT_EQ(c.feed(d, bytes.substr(cut)), FrameDecoder::Status::ok);
    ASSERT_EQ(c.frames.size(), 2u) << "cut at " << cut;
    EXPECT_EQ(c.frames[0], std::make_pair(90000u, std::string("hello")));
    EXPECT_EQ(c.frames[1], std::make_pair(90002u, std::string("world!")));
    EXPECT_EQ(d.pending_bytes(), 0u);
  }
}

TEST(FrameDecoder, ByteByByte) {
  const auto bytes = frame(7, "abc") + frame(8, "");
  FrameDecoder d(1024);
  Collector c;
  for (char ch : bytes) c.feed(d, std::string(1, ch));
  ASSERT_EQ(c.frames.size(), 2u);
  EXPECT_EQ(c.frames[1], std::make_pair(8u, std::string()));
}

TEST(FrameDecoder, SeveralFramesInOneRead) {
  std::string bytes;
  for (std::uint32_t i = 0; i < 50; ++i) bytes += frame(1000 + i, std::string(i, 'x'));
  FrameDecoder d(1024);
  Collector c;
  ASSERT_EQ(c.feed(d, bytes), FrameDecoder::Status::ok);
  ASSERT_EQ(c.frames.size(), 50u);
  for (std::uint32_t i = 0; i < 50; ++i) {
    EXPECT_EQ(c.frames[i].first, 1000 + i);
    EXPECT_EQ(c.frames[i].second.size(), i);
  }
}

TEST(FrameDecoder, ZeroLengthPayloadIsAFrame) {
  FrameDecoder d(16);
  Collector c;
  ASSERT_EQ(c.feed(d, frame(42, "")), FrameDecoder::Status::ok);
  ASSERT_EQ(c.frames.size(), 1u);
  EXPECT_EQ(c.frames[0].first, 42u);
  EXPECT_TRUE(c.frames[0].second.empty());
}

TEST(FrameDecoder, OversizeIsRefusedFromTheHeaderAlone) {
  FrameDecoder d(16);
  Collector c;
  // Only the length field has arrived: the decoder must not wait for 17 bytes of payload.
  auto f = frame(5, std::string(17, 'x'));
  EXPECT_EQ(c.feed(d, f.substr(0, 4)), FrameDecoder::Status::too_large);
  EXPECT_EQ(d.refused_length(), 17u);
  EXPECT_TRUE(c.frames.empty());
}

TEST(FrameDecoder, FramesBeforeAnOversizeOneAreDelivered) {
  FrameDecoder d(16);
  Collector c;
  EXPECT_EQ(c.feed(d, frame(1, "ok") + frame(2, std::string(100, 'x'))),
            FrameDecoder::Status::too_large);
  ASSERT_EQ(c.frames.size(), 1u);
  EXPECT_EQ(c.frames[0].second, "ok");
}

TEST(FrameDecoder, MaxSizedFrameIsAccepted) {
  FrameDecoder d(16);
  Collector c;
  EXPECT_EQ(c.feed(d, frame(1, std::string(16, 'x'))), FrameDecoder::Status::ok);
  EXPECT_EQ(c.frames.size(), 1u);
}

TEST(FrameDecoder, TruncatedFrameStaysPending) {
  FrameDecoder d(64);
  Collector c;
  const auto f = frame(3, "truncated");
  c.feed(d, f.substr(0, f.size() - 2));
  EXPECT_TRUE(c.frames.empty());
  EXPECT_EQ(d.pending_bytes(), f.size() - 2);  // end of stream now = a truncated frame
}


}  // namespace
// A 16 MiB frame arriving in 1-byte reads, or in 16 KiB reads, costs each byte one copy:
// the decoder never re-copies what it already holds (it used to copy all of it on every
// read, ~L^2 / 16 KiB bytes for a frame of L). Counted, not timed.
TEST(FrameDecoder, AHugeFrameInTinyReadsIsDecodedInLinearTime) {
  constexpr std::uint32_t kPayload = 16u << 20;
  std::vector<std::uint8_t> stream(kTcpHeaderBytes + kPayload, 0x5a);
  put_u32le(stream.data(), kPayload);
  put_u32le(stream.data() + 4, 4242);
  for (const std::size_t read : {std::size_t{1}, std::size_t{16384}}) {
    FrameDecoder decoder(kPayload);
    int frames = 0;
    for (std::size_t at = 0; at < stream.size(); at += read) {
      const auto n = std::min(read, stream.size() - at);
      ASSERT_EQ(decoder.feed(stream.data() + at, n,
                             [&](std::uint32_t id, std::string_view payload) {
                               EXPECT_EQ(id, 4242u);
                               EXPECT_EQ(payload.size(), kPayload);
                               ++frames;
                             }),
                FrameDecoder::Status::ok);
    }
    EXPECT_EQ(frames, 1) << "reads of " << read;
    EXPECT_LE(decoder.copied_bytes(), stream.size()) << "reads of " << read;
    EXPECT_EQ(decoder.pending_bytes(), 0u);
  }
}

}  // namespace gamehost::net
