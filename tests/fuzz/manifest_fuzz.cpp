// libFuzzer: the plugin manifest parser (the text the host reads from a plugin's ELF
// section). Any text parses or is refused with a reason and a line; a manifest that
// parses has ranges inside each other's bounds as the checks promise.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <gamehost/manifest.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto r = gamehost::parse_manifest(text);
  if (!r.ok()) {
    if (r.error == nullptr || *r.error == '\0') std::abort();
    return 0;
  }
  const auto& m = r.manifest;
  if (m.range_count > m.ranges.size() || m.public_range_count > m.public_ranges.size()) std::abort();
  for (std::uint32_t i = 0; i < m.range_count; ++i) {
    if (m.ranges[i].first > m.ranges[i].last || m.ranges[i].first < gamehost::kFirstPluginId) {
      std::abort();  // the parser promises plugin ids only, first <= last
    }
  }
  for (std::uint32_t i = 0; i < m.public_range_count; ++i) {
    // every public id is one of the plugin's own
    if (!m.owns(m.public_ranges[i].first) || !m.owns(m.public_ranges[i].last)) std::abort();
  }
  return 0;
}
