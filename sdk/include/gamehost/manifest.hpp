// Public header: the plugin manifest, its text format and its parser.
//
// A plugin states its facts once, as text, in GAMEHOST_PLUGIN(...):
//
//   name = echo
//   version = 1.0.0
//   ranges = 90000-90099
//   public = 90000-90007, 90020
//   depends = user >=1.2.0 <2.0.0, auth
//
// The same text is parsed at compile time (a typo is a compile error), turned into the
// descriptor the entry symbol returns, and stored in the ELF section
// GAMEHOST_MANIFEST_SECTION, where the host reads it without loading the library.
// The host parses it with this very code, so the two can never disagree.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gamehost/abi.h"

namespace gamehost {

// A NUL-terminated string of bounded length that can live in constexpr data.
template <std::size_t N>
struct FixedString {
  char data[N + 1]{};
  std::size_t len = 0;

  constexpr bool assign(std::string_view s) {
    if (s.size() > N) return false;
    for (std::size_t i = 0; i < s.size(); ++i) data[i] = s[i];
    data[s.size()] = '\0';
    len = s.size();
    return true;
  }
  constexpr std::string_view view() const { return {data, len}; }
  constexpr const char* c_str() const { return data; }
  constexpr bool empty() const { return len == 0; }
};

struct SemVer {
  std::uint32_t major = 0;
  std::uint32_t minor = 0;
  std::uint32_t patch = 0;
  constexpr auto operator<=>(const SemVer&) const =
      default;  // NOLINT(modernize-use-nullptr): clang-tidy 14 misreads the defaulted <=>
};

namespace detail {
constexpr bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
constexpr bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}
constexpr std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}
constexpr bool parse_u32(std::string_view s, std::uint32_t& out) {
  if (s.empty() || s.size() > 10) return false;
  std::uint64_t v = 0;
  for (char c : s) {
    if (!is_digit(c)) return false;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (v > 0xffffffffULL) return false;
  out = static_cast<std::uint32_t>(v);
  return true;
}
// Splits off the text before `sep` (or all of it) and advances `rest`.
constexpr std::string_view next_item(std::string_view& rest, char sep) {
  const auto pos = rest.find(sep);
  const auto item = rest.substr(0, pos);
  rest = pos == std::string_view::npos ? std::string_view{} : rest.substr(pos + 1);
  return item;
}
}  // namespace detail

// Parses "MAJOR.MINOR.PATCH" (no pre-release or build suffix).
constexpr bool parse_semver(std::string_view s, SemVer& out) {
  std::uint32_t parts[3]{};
  for (int i = 0; i < 3; ++i) {
    const auto item = detail::next_item(s, '.');
    if (!detail::parse_u32(item, parts[i])) return false;
    if (i < 2 && s.empty()) return false;
  }
  if (!s.empty()) return false;
  out = {parts[0], parts[1], parts[2]};
  return true;
}

struct ManifestDependency {
  FixedString<32> name;
  FixedString<24> min_version;    // inclusive; empty = any
  FixedString<24> below_version;  // exclusive; empty = any
};

// How id ranges compare: the one definition the SDK's compile-time checks and the host's
// loader (routing, overlaps between plugins, a reload's same-ranges rule) all use.
constexpr bool range_contains(const gh_id_range& r, std::uint32_t id) {
  return id >= r.first && id <= r.last;
}
constexpr bool range_within(const gh_id_range& inner, const gh_id_range& outer) {
  return inner.first >= outer.first && inner.last <= outer.last;
}
constexpr bool ranges_overlap(const gh_id_range& a, const gh_id_range& b) {
  return a.first <= b.last && b.first <= a.last;
}
constexpr bool same_ranges(const gh_id_range* a, std::uint32_t a_count, const gh_id_range* b,
                           std::uint32_t b_count) {
  if (a_count != b_count) return false;
  for (std::uint32_t i = 0; i < a_count; ++i) {
    if (a[i].first != b[i].first || a[i].last != b[i].last) return false;
  }
  return true;
}

struct Manifest {
  static constexpr std::size_t kMaxRanges = 16;
  static constexpr std::size_t kMaxPublicRanges = 32;
  static constexpr std::size_t kMaxDependencies = 16;

  bool has_abi = false;  // the "abi" key is written by GAMEHOST_PLUGIN, not by authors
  std::uint32_t abi_major = 0;
  std::uint32_t abi_minor = 0;
  FixedString<32> name;
  FixedString<24> version;
  std::array<gh_id_range, kMaxRanges> ranges{};
  std::uint32_t range_count = 0;
  std::array<gh_id_range, kMaxPublicRanges> public_ranges{};
  std::uint32_t public_range_count = 0;
  std::array<ManifestDependency, kMaxDependencies> dependencies{};
  std::uint32_t dependency_count = 0;

  constexpr bool owns(std::uint32_t id) const {
    for (std::uint32_t i = 0; i < range_count; ++i) {
      if (range_contains(ranges[i], id)) return true;
    }
    return false;
  }
  constexpr bool is_public(std::uint32_t id) const {
    for (std::uint32_t i = 0; i < public_range_count; ++i) {
      if (range_contains(public_ranges[i], id)) return true;
    }
    return false;
  }
};

// Ids below this belong to the host.
inline constexpr std::uint32_t kFirstPluginId = 1000;

struct ManifestResult {
  Manifest manifest;
  const char* error = nullptr;  // a string literal; nullptr on success
  int line = 0;                 // 1-based line of the error, 0 when not line-specific
  constexpr bool ok() const { return error == nullptr; }
};

namespace detail {
constexpr bool valid_name(std::string_view s) {
  if (s.empty() || !(s[0] >= 'a' && s[0] <= 'z')) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || is_digit(c) || c == '_' || c == '-')) return false;
  }
  return true;
}
// "a-b" or "a"; both ends inclusive.
constexpr bool parse_range(std::string_view s, gh_id_range& out) {
  s = trim(s);
  const auto dash = s.find('-');
  std::uint32_t first = 0;
  std::uint32_t last = 0;
  if (dash == std::string_view::npos) {
    if (!parse_u32(s, first)) return false;
    last = first;
  } else if (!parse_u32(trim(s.substr(0, dash)), first) ||
             !parse_u32(trim(s.substr(dash + 1)), last)) {
    return false;
  }
  if (first > last) return false;
  out = {first, last};
  return true;
}
// "name", "name >=1.0.0", "name >=1.0.0 <2.0.0", "name <2.0.0"
constexpr bool parse_dependency(std::string_view s, ManifestDependency& out) {
  s = trim(s);
  auto name = next_item(s, ' ');
  if (!valid_name(name) || !out.name.assign(name)) return false;
  while (!(s = trim(s)).empty()) {
    auto bound = next_item(s, ' ');
    SemVer v;
    if (bound.substr(0, 2) == ">=") {
      bound.remove_prefix(2);
      if (!parse_semver(bound, v) || !out.min_version.assign(bound)) return false;
    } else if (bound.substr(0, 1) == "<") {
      bound.remove_prefix(1);
      if (!parse_semver(bound, v) || !out.below_version.assign(bound)) return false;
    } else {
      return false;
    }
  }
  return true;
}
}  // namespace detail

// Parses and validates a manifest. Usable at compile time and at run time.
constexpr ManifestResult parse_manifest(std::string_view text) {
  using namespace detail;
  ManifestResult r;
  Manifest& m = r.manifest;
  int line_no = 0;
  auto fail = [&r, &line_no](const char* why) {
    r.error = why;
    r.line = line_no;
    return r;
  };
  while (!text.empty()) {
    ++line_no;
    const auto line = trim(next_item(text, '\n'));
    if (line.empty() || line[0] == '#') continue;
    const auto eq = line.find('=');
    if (eq == std::string_view::npos) return fail("expected 'key = value'");
    const auto key = trim(line.substr(0, eq));
    auto value = trim(line.substr(eq + 1));
    if (key == "abi") {
      const auto dot = value.find('.');
      if (dot == std::string_view::npos || !parse_u32(value.substr(0, dot), m.abi_major) ||
          !parse_u32(value.substr(dot + 1), m.abi_minor)) {
        return fail("abi must be MAJOR.MINOR");
      }
      m.has_abi = true;
    } else if (key == "name") {
      if (!valid_name(value) || !m.name.assign(value)) {
        return fail("name must be 1-32 characters of [a-z0-9_-], starting with a letter");
      }
    } else if (key == "version") {
      SemVer v;
      if (!parse_semver(value, v) || !m.version.assign(value)) {
        return fail("version must be MAJOR.MINOR.PATCH");
      }
    } else if (key == "ranges" || key == "public") {
      const bool is_public = key == "public";
      while (!value.empty()) {
        gh_id_range range{};
        if (!parse_range(next_item(value, ','), range)) return fail("bad id range (want a-b)");
        auto& count = is_public ? m.public_range_count : m.range_count;
        const auto capacity = is_public ? Manifest::kMaxPublicRanges : Manifest::kMaxRanges;
        if (count == capacity) return fail("too many id ranges");
        (is_public ? m.public_ranges[count] : m.ranges[count]) = range;
        ++count;
      }
    } else if (key == "depends") {
      while (!value.empty()) {
        if (m.dependency_count == Manifest::kMaxDependencies) return fail("too many dependencies");
        if (!parse_dependency(next_item(value, ','), m.dependencies[m.dependency_count])) {
          return fail("bad dependency (want 'name >=1.0.0 <2.0.0')");
        }
        ++m.dependency_count;
      }
    } else {
      return fail("unknown manifest key (known: name, version, ranges, public, depends)");
    }
  }
  line_no = 0;
  if (m.name.empty()) return fail("name is missing");
  if (m.version.empty()) return fail("version is missing");
  if (m.range_count == 0) return fail("ranges is missing: a plugin owns at least one id");
  for (std::uint32_t i = 0; i < m.range_count; ++i) {
    if (m.ranges[i].first < kFirstPluginId) return fail("ids below 1000 belong to the host");
    for (std::uint32_t j = i + 1; j < m.range_count; ++j) {
      if (ranges_overlap(m.ranges[i], m.ranges[j])) return fail("two of the plugin's ranges overlap");
    }
  }
  for (std::uint32_t i = 0; i < m.public_range_count; ++i) {
    const auto& p = m.public_ranges[i];
    bool inside = false;
    for (std::uint32_t j = 0; j < m.range_count; ++j) {
      inside = inside || range_within(p, m.ranges[j]);
    }
    if (!inside) return fail("a public range is not inside the plugin's own ranges");
  }
  for (std::uint32_t i = 0; i < m.dependency_count; ++i) {
    if (m.dependencies[i].name.view() == m.name.view())
      return fail("a plugin cannot depend on itself");
  }
  return r;
}

// True when `version` satisfies the dependency's bounds.
constexpr bool satisfies(const ManifestDependency& dep, const SemVer& version) {
  SemVer bound;
  if (!dep.min_version.empty() && parse_semver(dep.min_version.view(), bound) && version < bound) {
    return false;
  }
  if (!dep.below_version.empty() && parse_semver(dep.below_version.view(), bound) &&
      !(version < bound)) {
    return false;
  }
  return true;
}

}  // namespace gamehost
