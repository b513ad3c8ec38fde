#include "loader/plugin_file.hpp"

#include <boost/dll/library_info.hpp>

#include <algorithm>
#include <filesystem>

#include "loader/elf_section.hpp"

namespace gamehost::plugins {

std::string host_abi_text() {
  return std::to_string(GAMEHOST_ABI_MAJOR) + "." + std::to_string(GAMEHOST_ABI_MINOR);
}

PluginFile inspect_plugin_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw PluginRefused("file not found");

  // Boost.DLL lists sections and exported symbols from the file's headers alone.
  std::vector<std::string> sections;
  std::vector<std::string> symbols;
  try {
    boost::dll::library_info info(path);
    sections = info.sections();
    symbols = info.symbols();
  } catch (const std::exception& e) {
    throw PluginRefused(std::string("not a loadable shared library: ") + e.what());
  }
  if (std::find(sections.begin(), sections.end(), GAMEHOST_MANIFEST_SECTION) == sections.end()) {
    throw PluginRefused("no " GAMEHOST_MANIFEST_SECTION
                        " section: not a gamehost plugin (build it with GAMEHOST_PLUGIN)");
  }
  if (std::find(symbols.begin(), symbols.end(), GAMEHOST_ENTRY_SYMBOL) == symbols.end()) {
    throw PluginRefused("entry symbol " GAMEHOST_ENTRY_SYMBOL " is not exported");
  }

  std::string text;
  try {
    text = read_elf_section(path, GAMEHOST_MANIFEST_SECTION).value_or("");
  } catch (const ElfError& e) {
    throw PluginRefused(e.what());
  }
  while (!text.empty() && text.back() == '\0') text.pop_back();
  const auto parsed = parse_manifest(text);
  if (!parsed.ok()) {
    throw PluginRefused("invalid manifest" +
                        (parsed.line > 0 ? " line " + std::to_string(parsed.line) : std::string()) +
                        ": " + parsed.error);
  }
  const auto& m = parsed.manifest;
  if (!m.has_abi) throw PluginRefused("manifest does not state the ABI it was built for");
  const auto built = std::to_string(m.abi_major) + "." + std::to_string(m.abi_minor);
  if (m.abi_major != GAMEHOST_ABI_MAJOR) {
    throw PluginRefused("built for ABI " + built + ", this host speaks ABI " + host_abi_text() +
                        " (the major version must match; rebuild the plugin against this SDK)");
  }
  if (m.abi_minor > GAMEHOST_ABI_MINOR) {
    throw PluginRefused("built for ABI " + built + ", newer than this host's ABI " +
                        host_abi_text() + " (upgrade the host or rebuild against its SDK)");
  }
  return PluginFile{path, m};
}

}  // namespace gamehost::plugins
