// Internal to the battlemap plugin: the ViewUpdate of battlemap.proto (id 3006) written
// straight from an aoi::Batch, in protobuf's wire format, byte for byte what
// ViewUpdate::SerializeAsString would give (a test checks it). The most frequent message
// of the plugin: building it through the generated class cost more than the AOI itself
// (BENCH.md).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

#include "aoi/world.hpp"

namespace gh_battlemap {

namespace wire {

inline std::size_t varint_size(std::uint64_t v) {
  std::size_t n = 1;
  while (v >= 0x80) v >>= 7, ++n;
  return n;
}
inline char* put_varint(char* p, std::uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}
inline char* put_float(char* p, float f) {
  std::memcpy(p, &f, 4);  // little-endian hosts only (as the host's framing)
  return p + 4;
}
inline bool is_default(float f) {
  std::uint32_t bits;
  std::memcpy(&bits, &f, 4);
  return bits == 0;  // proto3 leaves out +0.0 only
}
inline std::size_t entity_size(aoi::EntityId id, std::uint64_t user, const aoi::EntityView& v) {
  std::size_t len = 0;
  if (id != 0) len += 1 + varint_size(id);
  if (user != 0) len += 1 + varint_size(user);
  for (const float f : {v.pos.x, v.pos.y, v.dir}) len += is_default(f) ? 0 : 5;
  return len;
}

}  // namespace wire

// Replaces `out` with the encoded ViewUpdate. user_of(EntityId) -> UserId for `appeared`.
// The size is counted first, so the bytes are written in one pass with no reallocation.
template <class UserOf>
void encode_view_update(std::uint64_t tick, const aoi::Batch& b, UserOf&& user_of,
                        std::string& out) {
  using namespace wire;
  std::size_t size = tick != 0 ? 1 + varint_size(tick) : 0;
  for (const auto& v : b.appeared) {
    const auto len = entity_size(v.id, user_of(v.id), v);
    size += 1 + varint_size(len) + len;
  }
  std::size_t gone = 0;
  for (const auto id : b.disappeared) gone += varint_size(id);
  if (gone != 0) size += 1 + varint_size(gone) + gone;
  std::size_t ids = 0;
  for (const auto& v : b.moved) ids += varint_size(v.id);
  const std::size_t floats = 12 * b.moved.size();
  if (!b.moved.empty()) size += 2 + varint_size(ids) + ids + varint_size(floats) + floats;

  out.resize(size);
  char* p = out.data();
  if (tick != 0) *p++ = 0x08, p = put_varint(p, tick);
  for (const auto& v : b.appeared) {
    const std::uint64_t user = user_of(v.id);
    *p++ = 0x12;
    p = put_varint(p, entity_size(v.id, user, v));
    if (v.id != 0) *p++ = 0x08, p = put_varint(p, v.id);
    if (user != 0) *p++ = 0x10, p = put_varint(p, user);
    if (!is_default(v.pos.x)) *p++ = 0x1D, p = put_float(p, v.pos.x);
    if (!is_default(v.pos.y)) *p++ = 0x25, p = put_float(p, v.pos.y);
    if (!is_default(v.dir)) *p++ = 0x2D, p = put_float(p, v.dir);
  }
  if (gone != 0) {
    *p++ = 0x1A;
    p = put_varint(p, gone);
    for (const auto id : b.disappeared) p = put_varint(p, id);
  }
  if (!b.moved.empty()) {
    *p++ = 0x22;
    p = put_varint(p, ids);
    for (const auto& v : b.moved) p = put_varint(p, v.id);
    *p++ = 0x2A;
    p = put_varint(p, floats);
    for (const auto& v : b.moved) {
      p = put_float(p, v.pos.x);
      p = put_float(p, v.pos.y);
      p = put_float(p, v.dir);
    }
  }
}

}  // namespace gh_battlemap
