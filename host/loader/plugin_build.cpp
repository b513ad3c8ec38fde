#include "loader/plugin_build.hpp"

#include <boost/dll/shared_library.hpp>

#include <algorithm>
#include <cstring>

#include "loader/plugin_file.hpp"

namespace gamehost::plugins {

struct PluginBuild::Library {
  boost::dll::shared_library lib;
};

namespace {

std::string text_or_empty(const char* s) {
  return s == nullptr ? std::string() : std::string(s);
}

// The descriptor must say what the manifest said: the host decided on the manifest.
void check_descriptor(const gh_plugin_descriptor* d, const Manifest& m) {
  if (d == nullptr) throw PluginRefused(GAMEHOST_ENTRY_SYMBOL " returned no descriptor");
  if (d->size < offsetof(gh_plugin_descriptor, on_session_event)) {
    throw PluginRefused("descriptor is too small (" + std::to_string(d->size) + " bytes)");
  }
  if (d->abi_major != m.abi_major || d->abi_minor != m.abi_minor) {
    throw PluginRefused("descriptor ABI " + std::to_string(d->abi_major) + "." +
                        std::to_string(d->abi_minor) + " differs from its manifest's");
  }
  if (text_or_empty(d->name) != m.name.view() || text_or_empty(d->version) != m.version.view()) {
    throw PluginRefused("descriptor says " + text_or_empty(d->name) + " " +
                        text_or_empty(d->version) + ", its manifest says " +
                        std::string(m.name.view()) + " " + std::string(m.version.view()));
  }
  if (d->ranges == nullptr || !same_ranges(d->ranges, d->range_count, m.ranges.data(), m.range_count)) {
    throw PluginRefused("descriptor id ranges differ from its manifest's");
  }
  if (d->create == nullptr || d->destroy == nullptr || d->on_message == nullptr) {
    throw PluginRefused("descriptor lacks create, destroy or on_message");
  }
}

}  // namespace

std::unique_ptr<PluginBuild> PluginBuild::load(const Candidate& candidate, StagedCopy copy) {
  std::unique_ptr<PluginBuild> build(new PluginBuild());
  build->copy_ = std::move(copy);
  build->library_ = std::make_unique<Library>();
  auto& lib = build->library_->lib;
  try {
    // RTLD_LOCAL: the plugin's symbols never satisfy another plugin's references.
    lib.load(build->copy_.path(),
             boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    throw PluginRefused(std::string("cannot load: ") + e.what());
  }
  if (!lib.has(GAMEHOST_ENTRY_SYMBOL)) {
    throw PluginRefused("entry symbol " GAMEHOST_ENTRY_SYMBOL " is missing");
  }
  auto& entry = lib.get<const gh_plugin_descriptor*()>(GAMEHOST_ENTRY_SYMBOL);
  const gh_plugin_descriptor* d = entry();
  check_descriptor(d, candidate.manifest);
  // Entry points the plugin's (older) descriptor lacks stay null: copy only what it has.
  std::memcpy(&build->descriptor_, d, std::min<std::size_t>(d->size, sizeof build->descriptor_));
  build->descriptor_.size = sizeof build->descriptor_;
  return build;
}

PluginBuild::~PluginBuild() {
  if (library_) library_->lib.unload();
  library_.reset();
}

gh_plugin* PluginBuild::create(const gh_host_api& api, const std::string& state) const {
  const gh_create_args args{sizeof(gh_create_args), &api,
                            reinterpret_cast<const std::uint8_t*>(state.data()), state.size()};
  gh_error error{sizeof(gh_error), 0, {}};
  gh_plugin* instance = nullptr;
  if (descriptor_.create(&args, &instance, &error) != GH_OK || instance == nullptr) {
    throw PluginRefused(std::string("create failed: ") +
                        (error.text[0] != '\0' ? error.text : "no reason given"));
  }
  return instance;
}

}  // namespace gamehost::plugins
