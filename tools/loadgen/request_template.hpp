// Pre-serialized requests with a timestamp slot, and the reading side of that stamp.
//
// Every request's `data` bytes start with a 16-byte stamp:
//   [0, 8)   send time, steady-clock nanoseconds (little-endian)
//   [8, 12)  the sending connection's index, so a shouter recognises its own ShoutHeard
//   [12, 16) the magic "GHLG", to tell a mangled echo from a real one
// followed by filler up to --payload bytes. Carrying the time in the payload needs no
// per-request bookkeeping and works for shout, where one request fans out to many receivers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gamehost::loadgen {

inline constexpr std::size_t kStampBytes = 16;

struct Stamp {
  std::uint64_t sent_ns;
  std::uint32_t sender;
};

// Reads the stamp from echoed `data`; nullopt when the bytes are not what was sent.
std::optional<Stamp> read_stamp(std::string_view data, std::size_t expected_size);

class RequestTemplate {
 public:
  static RequestTemplate echo(std::size_t payload_bytes, std::uint32_t sender);
  static RequestTemplate shout(const std::string& group, std::size_t payload_bytes,
                               std::uint32_t sender);

  std::uint32_t id() const { return id_; }
  // Writes the serialized request carrying `sent_ns` into `out`, reusing its capacity.
  void stamp(std::string& out, std::uint64_t sent_ns) const;

 private:
  RequestTemplate(std::uint32_t id, std::string serialized, std::size_t data_size);

  std::uint32_t id_;
  std::string serialized_;
  // Where the `data` bytes start inside serialized_. Serializing once and patching the
  // timestamp in place keeps protobuf off the send path.
  std::size_t data_offset_;
};

}  // namespace gamehost::loadgen
