#include "admin/console.hpp"

namespace gamehost::admin::console {

const Asset* find(std::string_view name) {
  for (std::size_t i = 0; i < kAssetCount; ++i) {
    if (kAssets[i].name == name) return &kAssets[i];
  }
  return nullptr;
}

std::optional<Answer> serve(std::string_view method, std::string_view target) {
  const auto path = target.substr(0, target.find('?'));
  constexpr std::string_view root = "/console";
  if (path.substr(0, root.size()) != root) return std::nullopt;
  auto name = path.substr(root.size());
  if (!name.empty() && name.front() != '/') return std::nullopt;  // "/consoles" is not ours
  if (method != "GET") {
    return Answer{405, "application/json", "{\"error\":\"the console is read with GET\"}\n",
                  "GET"};
  }
  if (name.size() <= 1) name = "/index.html";
  const auto* asset = find(name.substr(1));
  if (asset == nullptr) {
    // The name is not echoed: only the embedded files exist, and nothing here reads a disk.
    return Answer{404, "application/json", "{\"error\":\"no such console file\"}\n", {}};
  }
  return Answer{200, asset->content_type, std::string(asset->body), {}};
}

}  // namespace gamehost::admin::console
