#include "request_template.hpp"

#include <cstring>
#include <stdexcept>

#include "echo.pb.h"
#include "wire.hpp"

namespace gamehost::loadgen {
namespace {

constexpr std::uint8_t kMagic[4] = {'G', 'H', 'L', 'G'};

std::string make_data(std::size_t payload_bytes, std::uint32_t sender) {
  if (payload_bytes < kStampBytes) throw std::invalid_argument("payload must be >= 16 bytes");
  std::string data(payload_bytes, '\0');
  auto* p = reinterpret_cast<std::uint8_t*>(data.data());
  store_u32_le(p + 8, sender);
  std::memcpy(p + 12, kMagic, sizeof kMagic);
  // Non-zero filler, so a server that zeroes or truncates data is noticed by length or content.
  for (std::size_t i = kStampBytes; i < payload_bytes; ++i) p[i] = static_cast<std::uint8_t>(i);
  return data;
}

// `data` is the last field of both requests, and protobuf writes fields in number order,
// so its bytes are the tail of the serialized message. Checked rather than assumed.
std::size_t tail_offset(const std::string& serialized, const std::string& data) {
  if (serialized.size() < data.size() ||
      serialized.compare(serialized.size() - data.size(), data.size(), data) != 0) {
    throw std::logic_error("request data is not the tail of the serialized message");
  }
  return serialized.size() - data.size();
}

}  // namespace

std::optional<Stamp> read_stamp(std::string_view data, std::size_t expected_size) {
  if (data.size() != expected_size || data.size() < kStampBytes) return std::nullopt;
  const auto* p = reinterpret_cast<const std::uint8_t*>(data.data());
  if (std::memcmp(p + 12, kMagic, sizeof kMagic) != 0) return std::nullopt;
  return Stamp{load_u64_le(p), load_u32_le(p + 8)};
}

RequestTemplate::RequestTemplate(std::uint32_t id, std::string serialized, std::size_t data_size)
    : id_(id), serialized_(std::move(serialized)), data_offset_(serialized_.size() - data_size) {}

RequestTemplate RequestTemplate::echo(std::size_t payload_bytes, std::uint32_t sender) {
  gamehost::echo::EchoRequest request;
  request.set_data(make_data(payload_bytes, sender));
  std::string serialized = request.SerializeAsString();
  tail_offset(serialized, request.data());
  return RequestTemplate(msg::kEchoRequest, std::move(serialized), payload_bytes);
}

RequestTemplate RequestTemplate::shout(const std::string& group, std::size_t payload_bytes,
                                       std::uint32_t sender) {
  gamehost::echo::Shout request;
  request.set_group(group);
  request.set_data(make_data(payload_bytes, sender));
  std::string serialized = request.SerializeAsString();
  tail_offset(serialized, request.data());
  return RequestTemplate(msg::kShout, std::move(serialized), payload_bytes);
}

void RequestTemplate::stamp(std::string& out, std::uint64_t sent_ns) const {
  out.assign(serialized_);
  store_u64_le(reinterpret_cast<std::uint8_t*>(out.data() + data_offset_), sent_ns);
}

}  // namespace gamehost::loadgen
