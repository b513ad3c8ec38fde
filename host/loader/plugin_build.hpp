// Internal header: one loaded build of a plugin - its mapped library, a checked copy of its
// descriptor, and the private file it was mapped from. What a live reload swaps.
#pragma once

#include <gamehost/abi.h>

#include <memory>
#include <string>

#include "loader/load_plan.hpp"
#include "loader/staged_copy.hpp"

namespace gamehost::plugins {

class PluginBuild {
 public:
  // Maps `copy` (the candidate's staged file) and checks its descriptor against the
  // candidate's manifest: the host decided on the manifest. The build owns the copy from
  // here on, also when this throws PluginRefused. Runs the plugin's static initializers.
  static std::unique_ptr<PluginBuild> load(const Candidate& candidate, StagedCopy copy);
  // Unmaps the library (the plugin's version script lets it really unmap), then deletes
  // the private copy. Only once nothing of this build is queued or running.
  ~PluginBuild();
  PluginBuild(const PluginBuild&) = delete;
  PluginBuild& operator=(const PluginBuild&) = delete;

  // Entry points the plugin's (older) descriptor lacks are null.
  const gh_plugin_descriptor& descriptor() const noexcept { return descriptor_; }
  // Creates an instance with `state`; throws PluginRefused with the plugin's reason.
  // Nothing else may run this build's code meanwhile.
  gh_plugin* create(const gh_host_api& api, const std::string& state) const;

 private:
  PluginBuild() = default;
  struct Library;
  std::unique_ptr<Library> library_;
  gh_plugin_descriptor descriptor_{};  // zeroed past what the plugin's descriptor had
  StagedCopy copy_;  // deleted after the library is unmapped (~PluginBuild)
};

}  // namespace gamehost::plugins
