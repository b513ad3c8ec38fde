// libFuzzer: the config loader. Any text is either a config or a ConfigError naming what is
// wrong; nothing else may escape, and nothing may crash.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "config/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    (void)gamehost::config::load_text(text, "fuzz.toml");
  } catch (const gamehost::config::ConfigError& e) {
    if (std::string_view(e.what()).empty()) std::abort();  // an error always says what
  }
  return 0;
}
