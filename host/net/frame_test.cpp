#include "net/frame.hpp"
#include "net/outbox_stream.hpp"

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


// ---- ReadTracker (net/outbox_stream.hpp): when Beast has nothing of the client's left ----

// A client frame (masked, RFC 6455 5.2) with a 7-, 16- or 64-bit length as the size needs.
std::string client_frame(std::uint8_t opcode, bool fin, const std::string& payload) {
  std::string f;
  f.push_back(static_cast<char>((fin ? 0x80 : 0) | opcode));
  const std::uint64_t n = payload.size();
  if (n < 126) {
    f.push_back(static_cast<char>(0x80 | n));
  } else if (n <= 0xFFFF) {
    f.push_back(static_cast<char>(0x80 | 126));
    f.push_back(static_cast<char>(n >> 8));
    f.push_back(static_cast<char>(n));
  } else {
    f.push_back(static_cast<char>(0x80 | 127));
    for (int shift = 56; shift >= 0; shift -= 8) f.push_back(static_cast<char>(n >> shift));
  }
  const char key[4] = {0x11, 0x22, 0x33, 0x44};
  f.append(key, 4);
  for (std::size_t i = 0; i < n; ++i) f.push_back(static_cast<char>(payload[i] ^ key[i % 4]));
  return f;
}

const std::string kUpgrade =
    "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

void feed(ReadTracker& t, const std::string& bytes) {
  t.feed(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

TEST(ReadTracker, AllHandedOverOnlyAtTheEndOfEachMessageFedByteByByte) {
  ReadTracker t;
  EXPECT_FALSE(t.all_handed_over(0));
  for (char c : kUpgrade) {
    EXPECT_FALSE(t.all_handed_over(0));  // nothing has ended a message yet
    feed(t, std::string(1, c));
  }
  EXPECT_FALSE(t.all_handed_over(0)) << "the request alone is no message";
  // 7-, 16- and 64-bit lengths, and an empty message.
  const std::vector<std::string> payloads = {"abcd", std::string(300, 'x'),
                                             std::string(70000, 'y'), ""};
  std::uint64_t messages = 0;
  for (const auto& payload : payloads) {
    const auto f = client_frame(0x2, true, payload);
    for (std::size_t i = 0; i < f.size(); ++i) {
      feed(t, f.substr(i, 1));
      if (i + 1 < f.size()) {
        EXPECT_FALSE(t.all_handed_over(messages)) << "mid-frame after byte " << i;
        EXPECT_FALSE(t.all_handed_over(messages + 1)) << "mid-frame after byte " << i;
      }
    }
    ++messages;
    EXPECT_TRUE(t.all_handed_over(messages)) << payload.size() << "-byte message";
    EXPECT_FALSE(t.all_handed_over(messages - 1)) << "one message not handed over yet";
  }
}

TEST(ReadTracker, MessagesInOneReadAndAControlFrameAfterTheLastOne) {
  ReadTracker t;
  feed(t, kUpgrade + client_frame(0x2, true, "one") + client_frame(0x2, true, "two"));
  EXPECT_TRUE(t.all_handed_over(2));
  EXPECT_FALSE(t.all_handed_over(1)) << "the second message is still in Beast's buffer";
  // A ping behind the last message: Beast has it to answer, so no idle wait.
  feed(t, client_frame(0x9, true, "ping"));
  EXPECT_FALSE(t.all_handed_over(2));
  feed(t, client_frame(0x2, true, "three"));
  EXPECT_TRUE(t.all_handed_over(3));
  // A close frame is a control frame too.
  feed(t, client_frame(0x8, true, std::string("\x03\xe8", 2)));
  EXPECT_FALSE(t.all_handed_over(3));
}

TEST(ReadTracker, AFragmentedMessageEndsWithItsLastFragmentPingsBetweenNotwithstanding) {
  ReadTracker t;
  feed(t, kUpgrade);
  feed(t, client_frame(0x2, false, "frag1"));
  EXPECT_FALSE(t.all_handed_over(0));
  EXPECT_FALSE(t.all_handed_over(1));
  feed(t, client_frame(0x9, true, ""));  // a ping between fragments
  feed(t, client_frame(0x0, false, "frag2"));
  EXPECT_FALSE(t.all_handed_over(1));
  feed(t, client_frame(0x0, true, "frag3"));
  EXPECT_TRUE(t.all_handed_over(1));
}

TEST(ReadTracker, TheRequestEndsAtItsFirstEmptyLine) {
  ReadTracker t;
  // "\r\n\r" then "\r\n\r\n": the match restarts on the repeated CR.
  feed(t, "GET / HTTP/1.1\r\nX: a\r\n\r");
  feed(t, "\n");
  feed(t, client_frame(0x2, true, "m"));
  EXPECT_TRUE(t.all_handed_over(1));
  ReadTracker u;
  feed(u, "GET / HTTP/1.1\r\nX: \r\r\n\r\n" + client_frame(0x2, true, "m"));
  EXPECT_TRUE(u.all_handed_over(1));
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
