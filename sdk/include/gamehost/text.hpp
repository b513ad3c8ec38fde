// Public header: text a player typed (a nickname, a chat line, a room name) - is it clean
// to show others?
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace gamehost {

// True when `text` is well-formed UTF-8 (no overlong forms, no surrogates) without control
// characters (U+0000-U+001F, U+007F-U+009F).
inline bool is_clean_text(std::string_view text) {
  static constexpr std::uint32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    std::uint32_t code = 0;
    if (lead < 0x80) {
      length = 1, code = lead;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2, code = lead & 0x1Fu;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3, code = lead & 0x0Fu;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4, code = lead & 0x07u;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = code << 6 | (next & 0x3Fu);
    }
    if (code < kSmallest[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      return false;
    }
    if (code < 0x20 || (code >= 0x7F && code < 0xA0)) return false;
    i += length;
  }
  return true;
}

}  // namespace gamehost
