#include <gtest/gtest.h>
#include <gamehost/manifest.hpp>

namespace gamehost {
namespace {

// The parser runs at compile time in every plugin: prove it here once.
constexpr auto kCompileTime =
    parse_manifest("name = x\nversion = 1.2.3\nranges = 1000-1009, 2000\npublic = 1000-1001\n");
static_assert(kCompileTime.ok());
static_assert(kCompileTime.manifest.range_count == 2);
static_assert(kCompileTime.manifest.is_public(1001) && !kCompileTime.manifest.is_public(1002));

std::string error_of(std::string_view text) {
  const auto r = parse_manifest(text);
  return r.ok() ? "(ok)" : std::to_string(r.line) + ": " + r.error;
}

TEST(Manifest, ParsesEveryKey) {
  const auto r = parse_manifest(
      "# comment\nabi = 1.0\nname = room\nversion = 1.4.0\nranges = 2000-2099\npublic = 2000\n"
      "depends = user >=2.0.0 <3.0.0, auth\n");
  ASSERT_TRUE(r.ok()) << r.error;
  const auto& m = r.manifest;
  EXPECT_TRUE(m.has_abi);
  EXPECT_EQ(m.name.view(), "room");
  EXPECT_EQ(m.version.view(), "1.4.0");
  EXPECT_TRUE(m.owns(2099));
  EXPECT_FALSE(m.owns(2100));
  ASSERT_EQ(m.dependency_count, 2u);
  EXPECT_EQ(m.dependencies[0].name.view(), "user");
  EXPECT_EQ(m.dependencies[0].min_version.view(), "2.0.0");
  EXPECT_EQ(m.dependencies[0].below_version.view(), "3.0.0");
  EXPECT_TRUE(m.dependencies[1].min_version.empty());
}

TEST(Manifest, RefusesMistakesWithTheirLine) {
  EXPECT_EQ(error_of("name = a\nversoin = 1.0.0\n"),
            "2: unknown manifest key (known: name, version, ranges, public, depends)");
  EXPECT_EQ(error_of("name = A\n"),
            "1: name must be 1-32 characters of [a-z0-9_-], starting with a letter");
  EXPECT_EQ(error_of("name = a\nversion = 1.0\n"), "2: version must be MAJOR.MINOR.PATCH");
  EXPECT_EQ(error_of("name = a\nversion = 1.0.0\nranges = 2000-1000\n"),
            "3: bad id range (want a-b)");
  EXPECT_EQ(error_of("name = a\nversion = 1.0.0\n"),
            "0: ranges is missing: a plugin owns at least one id");
  EXPECT_EQ(error_of("name = a\nversion = 1.0.0\nranges = 500-1500\n"),
            "0: ids below 1000 belong to the host");
  EXPECT_EQ(error_of("name = a\nversion = 1.0.0\nranges = 1000-1100, 1050-1200\n"),
            "0: two of the plugin's ranges overlap");
  EXPECT_EQ(error_of("name = a\nversion = 1.0.0\nranges = 1000-1100\npublic = 1200\n"),
            "0: a public range is not inside the plugin's own ranges");
  EXPECT_EQ(error_of("name = a\nversion = 1.0.0\nranges = 1000\ndepends = b >1.0.0\n"),
            "4: bad dependency (want 'name >=1.0.0 <2.0.0')");
  EXPECT_EQ(error_of("name = a\nversion = 1.0.0\nranges = 1000\ndepends = a\n"),
            "0: a plugin cannot depend on itself");
}

TEST(Manifest, VersionBounds) {
  ManifestDependency d;
  d.name.assign("user");
  d.min_version.assign("2.0.0");
  d.below_version.assign("3.0.0");
  EXPECT_FALSE(satisfies(d, {1, 9, 9}));
  EXPECT_TRUE(satisfies(d, {2, 0, 0}));
  EXPECT_TRUE(satisfies(d, {2, 10, 3}));
  EXPECT_FALSE(satisfies(d, {3, 0, 0}));
}

}  // namespace
}  // namespace gamehost

#include <gamehost/plugin.hpp>

namespace gamehost {
namespace {

TEST(VersionedState, RoundTripsAndRefusesWhatItCannotRead) {
  const auto state = versioned_state(3, std::string("\0bytes", 6));
  const auto read = read_state(state, 2, 3);
  EXPECT_EQ(read.version, 3u);
  EXPECT_EQ(read.bytes, std::string_view("\0bytes", 6));
  EXPECT_EQ(read_state("", 1, 1).version, 0u);  // cold start
  EXPECT_THROW(read_state(state, 4, 5), StateVersionError);
  EXPECT_THROW(read_state(state, 1, 2), StateVersionError);
  EXPECT_THROW(read_state("not an envelope", 1, 9), StateVersionError);
  try {
    read_state(versioned_state(1, "x"), 2, 4);
  } catch (const StateVersionError& e) {
    EXPECT_STREQ(e.what(), "cannot read state version 1 (this build reads 2-4)");
  }
}

}  // namespace
}  // namespace gamehost
