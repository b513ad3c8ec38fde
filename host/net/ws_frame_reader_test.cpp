#include "net/ws_frame_reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gamehost::net {
namespace {

using Kind = WsFrameReader::Event::Kind;

// A client frame (RFC 6455 5.2): masked with a fixed key, length in its shortest form
// unless `len_bytes` forces 2 or 8.
std::string client_frame(std::uint8_t opcode, const std::string& payload, bool fin = true,
                         int len_bytes = 0, bool masked = true) {
  std::string out;
  out.push_back(static_cast<char>((fin ? 0x80 : 0) | opcode));
  const std::uint8_t mask_bit = masked ? 0x80 : 0;
  const std::uint64_t n = payload.size();
  if (len_bytes == 0) len_bytes = n < 126 ? 0 : n <= 0xFFFF ? 2 : 8;
  if (len_bytes == 0) {
    out.push_back(static_cast<char>(mask_bit | n));
  } else {
    out.push_back(static_cast<char>(mask_bit | (len_bytes == 2 ? 126 : 127)));
    for (int i = len_bytes - 1; i >= 0; --i) out.push_back(static_cast<char>(n >> (8 * i)));
  }
  const std::uint8_t key[4] = {0x37, 0xFA, 0x21, 0x3D};
  if (masked) out.append(reinterpret_cast<const char*>(key), 4);
  for (std::size_t i = 0; i < payload.size(); ++i)
    out.push_back(static_cast<char>(payload[i] ^ (masked ? key[i % 4] : 0)));
  return out;
}

struct Seen {
  Kind kind;
  bool binary = false;
  std::uint16_t code = 0;
  std::string data;
  bool operator==(const Seen&) const = default;
};

// Feeds `bytes` in reads of `step` bytes (0: all at once) and collects the events, up to
// and including a close or a failure.
std::vector<Seen> read_all(const std::string& bytes, std::size_t step = 0,
                           std::size_t max_message = 1 << 16, std::string* why = nullptr) {
  WsFrameReader r(max_message);
  std::vector<Seen> seen;
  std::string copy = bytes;
  std::size_t at = 0;
  while (at < copy.size()) {
    std::size_t n = step == 0 ? copy.size() - at : std::min(step, copy.size() - at);
    auto* p = reinterpret_cast<std::uint8_t*>(copy.data()) + at;
    at += n;
    for (;;) {
      const auto e = r.next(p, n);
      if (e.kind == Kind::need_more) break;
      seen.push_back(Seen{e.kind, e.binary, e.close_code, std::string(e.data)});
      if (e.kind == Kind::fail && why != nullptr) *why = e.why;
      if (e.kind == Kind::close || e.kind == Kind::fail) return seen;
    }
    EXPECT_EQ(n, 0u);
  }
  return seen;
}

TEST(WsFrameReader, BinaryAndTextMessagesUnmaskedAtEveryReadSplit) {
  const std::string bytes = client_frame(2, std::string("\x10\x00\x00\x00hello", 9)) +
                            client_frame(1, "text") + client_frame(2, "");
  const std::vector<Seen> want = {{Kind::message, true, 0, std::string("\x10\x00\x00\x00hello", 9)},
                                  {Kind::message, false, 0, "text"},
                                  {Kind::message, true, 0, ""}};
  for (std::size_t step : {0, 1, 2, 3, 5, 7, 11}) EXPECT_EQ(read_all(bytes, step), want) << step;
}

TEST(WsFrameReader, LengthsIn7And16And64BitsAtTheirBoundaries) {
  for (std::size_t n : {125, 126, 65535, 65536, 70000}) {
    const std::string payload(n, 'x');
    const auto seen = read_all(client_frame(2, payload), 4096, 1 << 20);
    ASSERT_EQ(seen.size(), 1u) << n;
    EXPECT_EQ(seen[0].data, payload) << n;
  }
}

TEST(WsFrameReader, AFragmentedMessageIsGatheredWithPingsBetweenItsFragments) {
  const std::string bytes = client_frame(2, "ab", false) + client_frame(9, "p1") +
                            client_frame(0, "cd", false) + client_frame(0, "", false) +
                            client_frame(10, "") + client_frame(0, "ef", true);
  const std::vector<Seen> want = {
      {Kind::ping, false, 0, "p1"}, {Kind::pong, false, 0, ""}, {Kind::message, true, 0, "abcdef"}};
  for (std::size_t step : {0, 1, 3}) EXPECT_EQ(read_all(bytes, step), want) << step;
  // The last fragment may be empty.
  EXPECT_EQ(read_all(client_frame(1, "xy", false) + client_frame(0, "")),
            (std::vector<Seen>{{Kind::message, false, 0, "xy"}}));
}

TEST(WsFrameReader, ACloseFrameEndsTheStreamWithItsCodeAndReason) {
  const auto seen =
      read_all(client_frame(8, std::string("\x03\xE8") + "bye") + client_frame(2, "late"));
  EXPECT_EQ(seen, (std::vector<Seen>{{Kind::close, false, 1000, "bye"}}));
  EXPECT_EQ(read_all(client_frame(8, "")), (std::vector<Seen>{{Kind::close, false, 0, ""}}));
}

TEST(WsFrameReader, AfterACloseOrAFailureNothingMoreIsRead) {
  WsFrameReader r(100);
  std::string bytes = client_frame(8, "") + client_frame(2, "more");
  auto* p = reinterpret_cast<std::uint8_t*>(bytes.data());
  std::size_t n = bytes.size();
  EXPECT_EQ(r.next(p, n).kind, Kind::close);
  const std::size_t left = n;
  EXPECT_EQ(r.next(p, n).kind, Kind::close);
  EXPECT_EQ(n, left);
}

struct Bad {
  const char* what;
  std::string bytes;
  std::uint16_t code;
};

TEST(WsFrameReader, EveryProtocolViolationFailsWithItsCloseCode) {
  const std::string big(126, 'x');
  const std::vector<Bad> cases = {
      {"unmasked", client_frame(2, "abcd", true, 0, false), 1002},
      {"reserved bit", std::string("\xC2") + client_frame(2, "abcd").substr(1), 1002},
      {"data opcode 3", client_frame(3, "abcd"), 1002},
      {"control opcode 11", client_frame(11, ""), 1002},
      {"fragmented ping", client_frame(9, "p", false), 1002},
      {"ping over 125 bytes", client_frame(9, big), 1002},
      {"continuation first", client_frame(0, "abcd"), 1002},
      {"new message inside a fragmented one", client_frame(2, "ab", false) + client_frame(2, "cd"),
       1002},
      {"16-bit length under 126", client_frame(2, "abcd", true, 2), 1002},
      {"64-bit length under 65536", client_frame(2, "abcd", true, 8), 1002},
      {"64-bit length with its top bit", std::string("\x82\xFF\x80\0\0\0\0\0\0\0mask", 14), 1002},
      {"close with one byte", client_frame(8, "x"), 1002},
      {"close code 1005", client_frame(8, "\x03\xED"), 1002},
      {"close code 999", client_frame(8, "\x03\xE7"), 1002},
      {"close code 2000", client_frame(8, "\x07\xD0"), 1002},
      {"close reason not UTF-8", client_frame(8, "\x03\xE8\xC3\x28"), 1002},
      {"close reason a surrogate", client_frame(8, "\x03\xE8\xED\xA0\x80"), 1002},
      {"message over the limit", client_frame(2, std::string(101, 'x')), 1009},
      {"fragments over the limit",
       client_frame(2, std::string(60, 'x'), false) + client_frame(0, std::string(41, 'x')), 1009},
  };
  for (const auto& c : cases) {
    for (std::size_t step : {0, 1}) {
      std::string why;
      const auto seen = read_all(c.bytes, step, 100, &why);
      ASSERT_FALSE(seen.empty()) << c.what;
      EXPECT_EQ(seen.back().kind, Kind::fail) << c.what;
      EXPECT_EQ(seen.back().code, c.code) << c.what;
      EXPECT_FALSE(why.empty()) << c.what;
    }
  }
  // At the limit, and valid close codes, are taken.
  EXPECT_EQ(read_all(client_frame(2, std::string(100, 'x')), 0, 100).at(0).kind, Kind::message);
  for (const char* code : {"\x03\xE8", "\x03\xF5", "\x0B\xB8", "\xFF\xFF"})
    EXPECT_EQ(read_all(client_frame(8, std::string(code, 2) + "\xC3\xA9")).at(0).kind, Kind::close);
}

TEST(WsFrameReader, TheTooBigFailureComesFromTheHeaderBeforeThePayload) {
  std::string why;
  // Only the header of a 1 MB frame: the limit is known from it.
  const auto seen =
      read_all(client_frame(2, std::string(1 << 20, 'x')).substr(0, 14), 1, 100, &why);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].code, 1009);
}

TEST(WsFrameReader, AWholeFrameInOneReadIsHandedInPlaceAndNothingIsKeptAfterwards) {
  WsFrameReader r(1 << 16);
  std::string bytes = client_frame(2, std::string(1000, 'q'));
  auto* p = reinterpret_cast<std::uint8_t*>(bytes.data());
  std::size_t n = bytes.size();
  const auto e = r.next(p, n);
  ASSERT_EQ(e.kind, Kind::message);
  EXPECT_EQ(reinterpret_cast<const char*>(e.data.data()), bytes.data() + 8);  // 2 + 2 + mask
  EXPECT_FALSE(r.mid_message());
  // Half a frame: the reader is mid-message and keeps what it has.
  std::string half = client_frame(2, std::string(1000, 'h')).substr(0, 500);
  p = reinterpret_cast<std::uint8_t*>(half.data());
  n = half.size();
  EXPECT_EQ(r.next(p, n).kind, Kind::need_more);
  EXPECT_TRUE(r.mid_message());
}

}  // namespace
}  // namespace gamehost::net
