// Internal header: what a plugin file says about itself, read without loading it.
#pragma once

#include <gamehost/manifest.hpp>

#include <stdexcept>
#include <string>

namespace gamehost::plugins {

// A plugin the host will not load; what() is the reason, for one log line.
class PluginRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct PluginFile {
  std::string path;
  Manifest manifest;
};

// Checks that `path` is a plugin this host can load - the entry symbol is there, the
// manifest section parses, the ABI matches - before any of its code (static initializers
// included) runs. Throws PluginRefused.
PluginFile inspect_plugin_file(const std::string& path);

// "1.0"-style text of the ABI this host speaks.
std::string host_abi_text();

}  // namespace gamehost::plugins
