// Writing into a struct a plugin handed the host: only the fields its `size` says it has.
// A plugin built against an older abi.h passes a shorter struct, and the bytes after it
// belong to something else. Every service that fills a caller's struct either writes
// through these helpers or checks GH_HAS_FIELD per field itself (session_info, host_info,
// config_get).
#pragma once

#include <gamehost/abi.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace gamehost::plugins {

// Sets the error's code and text (truncated to fit, always NUL-terminated) where present.
inline void write_error(gh_error* error, std::uint32_t code, std::string_view text) noexcept {
  if (error == nullptr) return;
  if (GH_HAS_FIELD(error, gh_error, code)) error->code = code;
  if (!GH_HAS_FIELD(error, gh_error, text)) return;
  const auto n = std::min(text.size(), sizeof(error->text) - 1);
  std::memcpy(error->text, text.data(), n);
  error->text[n] = '\0';
}

// Copies `value` into `out` up to the size the caller declared, keeping that size.
inline void write_db_value(gh_db_value* out, const gh_db_value& value) noexcept {
  const auto size = out->size;
  std::memcpy(out, &value, std::min<std::size_t>(size, sizeof value));
  out->size = size;
}

}  // namespace gamehost::plugins
