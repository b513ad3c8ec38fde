// Internal header: deciding which plugins may load together, and in which order.
// Pure logic over manifests; no file is opened and no code is loaded here.
#pragma once

#include <gamehost/manifest.hpp>

#include <string>
#include <vector>

namespace gamehost::plugins {

struct Candidate {
  std::string name;    // as configured
  std::string file;    // as configured (what the operator sees)
  std::string staged;  // the host's private copy, the file actually inspected and loaded
  Manifest manifest;
};

struct Refusal {
  std::string name;
  std::string file;
  std::string reason;
  std::string staged;  // the private copy to delete, if one was made
};

struct LoadPlan {
  std::vector<Candidate> order;  // dependencies before dependants
  std::vector<Refusal> refused;
};

// Checks the candidates against each other and against the plugins already running:
// unique names, disjoint id ranges, dependencies present with versions in range, no
// dependency cycle. A refused plugin's dependants are refused too, saying why.
LoadPlan plan_load(std::vector<Candidate> candidates, const std::vector<Candidate>& running);

// "90000-90099" or "90000-90099, 91000-91009".
std::string describe_ranges(const Manifest& m);

}  // namespace gamehost::plugins
