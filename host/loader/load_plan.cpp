#include "loader/load_plan.hpp"

#include <algorithm>
#include <array>
#include <functional>
#include <map>
#include <set>

namespace gamehost::plugins {
namespace {

std::string range_text(const gh_id_range& r) {
  return r.first == r.last ? std::to_string(r.first)
                           : std::to_string(r.first) + "-" + std::to_string(r.last);
}

// The first pair of overlapping ranges between a and b, as text, or "".
std::string overlap(const Manifest& a, const Manifest& b) {
  for (std::uint32_t i = 0; i < a.range_count; ++i) {
    for (std::uint32_t j = 0; j < b.range_count; ++j) {
      if (ranges_overlap(a.ranges[i], b.ranges[j])) {
        return "ids " + range_text(a.ranges[i]) + " overlap " + range_text(b.ranges[j]) +
               " owned by plugin " + std::string(b.name.view()) + " " +
               std::string(b.version.view());
      }
    }
  }
  return {};
}

std::string bounds_text(const ManifestDependency& d) {
  std::string out;
  if (!d.min_version.empty()) out += ">=" + std::string(d.min_version.view());
  if (!d.below_version.empty())
    out += (out.empty() ? "<" : " <") + std::string(d.below_version.view());
  return out.empty() ? "any version" : out;
}

}  // namespace

std::string describe_ranges(const Manifest& m) {
  std::string out;
  for (std::uint32_t i = 0; i < m.range_count; ++i) {
    out += (i == 0 ? "" : ", ") + range_text(m.ranges[i]);
  }
  return out;
}

LoadPlan plan_load(std::vector<Candidate> candidates, const std::vector<Candidate>& running) {
  LoadPlan plan;
  auto refuse = [&plan](const Candidate& c, std::string reason) {
    plan.refused.push_back({c.name, c.file, std::move(reason), c.staged});
  };

  // 1. Identity and ids, in config order: the later of two conflicting plugins is refused.
  std::vector<Candidate> accepted;
  for (auto& c : candidates) {
    const std::string declared(c.manifest.name.view());
    if (declared != c.name) {
      refuse(c, "the file declares plugin '" + declared + "', not '" + c.name + "'");
      continue;
    }
    auto same_name = [&](const Candidate& o) { return o.name == c.name; };
    if (std::any_of(running.begin(), running.end(), same_name) ||
        std::any_of(accepted.begin(), accepted.end(), same_name)) {
      refuse(c, "a plugin named '" + c.name + "' is already loaded");
      continue;
    }
    std::string clash;
    for (const auto* set : std::array<const std::vector<Candidate>*, 2>{&running, &accepted}) {
      for (const auto& o : *set) {
        if (clash.empty()) clash = overlap(c.manifest, o.manifest);
      }
    }
    if (!clash.empty()) {
      refuse(c, clash);
      continue;
    }
    accepted.push_back(std::move(c));
  }

  // 2. Dependencies, until nothing changes: refusing one may strand its dependants.
  for (bool changed = true; changed;) {
    changed = false;
    for (auto it = accepted.begin(); it != accepted.end(); ++it) {
      std::string problem;
      const auto& m = it->manifest;
      for (std::uint32_t i = 0; i < m.dependency_count && problem.empty(); ++i) {
        const auto& dep = m.dependencies[i];
        const std::string dep_name(dep.name.view());
        const Candidate* found = nullptr;
        for (const auto* set : std::array<const std::vector<Candidate>*, 2>{&running, &accepted}) {
          for (const auto& o : *set) {
            if (o.name == dep_name) found = &o;
          }
        }
        if (found == nullptr) {
          const bool was_refused =
              std::any_of(plan.refused.begin(), plan.refused.end(),
                          [&](const Refusal& r) { return r.name == dep_name; });
          problem = "needs " + dep_name + " " + bounds_text(dep) +
                    (was_refused ? ", which was refused" : ", which is not loaded");
          continue;
        }
        SemVer v;
        parse_semver(found->manifest.version.view(), v);
        if (!satisfies(dep, v)) {
          problem = "needs " + dep_name + " " + bounds_text(dep) + ", loaded: " + dep_name + " " +
                    std::string(found->manifest.version.view());
        }
      }
      if (!problem.empty()) {
        refuse(*it,
               std::string(m.name.view()) + " " + std::string(m.version.view()) + " " + problem);
        accepted.erase(it);
        changed = true;
        break;
      }
    }
  }

  // 3. Order by dependencies; a cycle is refused whole, named in full.
  std::map<std::string, const Candidate*> by_name;
  for (const auto& c : accepted) by_name[c.name] = &c;
  std::set<std::string> done;
  std::set<std::string> in_cycle;
  std::vector<std::string> stack;
  std::function<bool(const Candidate&)> visit = [&](const Candidate& c) -> bool {
    if (done.contains(c.name)) return true;
    if (in_cycle.contains(c.name)) return false;
    const auto pos = std::find(stack.begin(), stack.end(), c.name);
    if (pos != stack.end()) {
      std::string cycle;
      for (auto p = pos; p != stack.end(); ++p) cycle += *p + " -> ";
      cycle += c.name;
      for (auto p = pos; p != stack.end(); ++p) in_cycle.insert(*p);
      for (auto p = pos; p != stack.end(); ++p) {
        const auto* member = by_name[*p];
        refuse(*member, "dependency cycle: " + cycle);
      }
      return false;
    }
    stack.push_back(c.name);
    bool ok = true;
    for (std::uint32_t i = 0; i < c.manifest.dependency_count; ++i) {
      const auto it = by_name.find(std::string(c.manifest.dependencies[i].name.view()));
      if (it != by_name.end() && !visit(*it->second)) ok = false;
    }
    stack.pop_back();
    if (ok) {
      done.insert(c.name);
      plan.order.push_back(c);
    } else if (!in_cycle.contains(c.name)) {
      in_cycle.insert(c.name);
      refuse(c, "depends on a plugin in a dependency cycle");
    }
    return ok;
  };
  for (const auto& c : accepted) {
    if (!in_cycle.contains(c.name)) visit(c);
  }
  return plan;
}

}  // namespace gamehost::plugins
