#include "loader/load_plan.hpp"

#include <gtest/gtest.h>

namespace gamehost::plugins {
namespace {

Candidate candidate(const std::string& text) {
  const auto r = parse_manifest(text);
  EXPECT_TRUE(r.ok()) << r.error;
  return Candidate{std::string(r.manifest.name.view()),
                   "/p/" + std::string(r.manifest.name.view()) + ".so", "", r.manifest};
}

TEST(LoadPlan, RefusesAClashWithARunningPlugin) {
  const auto plan = plan_load({candidate("name = b\nversion = 1.0.0\nranges = 1500-1600\n")},
                              {candidate("name = a\nversion = 2.1.0\nranges = 1000-1500\n")});
  ASSERT_EQ(plan.refused.size(), 1u);
  EXPECT_EQ(plan.refused[0].reason, "ids 1500-1600 overlap 1000-1500 owned by plugin a 2.1.0");
}

TEST(LoadPlan, RefusesTheSameNameTwice) {
  const auto plan = plan_load({candidate("name = a\nversion = 1.0.0\nranges = 1000\n")},
                              {candidate("name = a\nversion = 1.0.0\nranges = 2000\n")});
  ASSERT_EQ(plan.refused.size(), 1u);
  EXPECT_EQ(plan.refused[0].reason, "a plugin named 'a' is already loaded");
}

TEST(LoadPlan, RefusingADependencyRefusesItsDependants) {
  const auto plan =
      plan_load({candidate("name = top\nversion = 1.0.0\nranges = 3000\ndepends = mid\n"),
                 candidate("name = mid\nversion = 1.0.0\nranges = 2000\ndepends = gone\n")},
                {});
  ASSERT_EQ(plan.refused.size(), 2u);
  EXPECT_TRUE(plan.order.empty());
}

TEST(LoadPlan, DependantOfACycleIsRefusedToo) {
  const auto plan =
      plan_load({candidate("name = c\nversion = 1.0.0\nranges = 3000\ndepends = a\n"),
                 candidate("name = a\nversion = 1.0.0\nranges = 1000\ndepends = b\n"),
                 candidate("name = b\nversion = 1.0.0\nranges = 2000\ndepends = a\n")},
                {});
  EXPECT_TRUE(plan.order.empty());
  ASSERT_EQ(plan.refused.size(), 3u);
}

TEST(LoadPlan, DeepChainIsOrdered) {
  const auto plan =
      plan_load({candidate("name = d\nversion = 1.0.0\nranges = 4000\ndepends = c\n"),
                 candidate("name = c\nversion = 1.0.0\nranges = 3000\ndepends = b, a\n"),
                 candidate("name = b\nversion = 1.0.0\nranges = 2000\ndepends = a >=1.0.0\n"),
                 candidate("name = a\nversion = 1.0.0\nranges = 1000\n")},
                {});
  ASSERT_EQ(plan.order.size(), 4u);
  EXPECT_EQ(plan.order[0].name, "a");
  EXPECT_EQ(plan.order[1].name, "b");
  EXPECT_EQ(plan.order[2].name, "c");
  EXPECT_EQ(plan.order[3].name, "d");
}

TEST(LoadPlan, FileDeclaringAnotherNameIsRefused) {
  auto c = candidate("name = a\nversion = 1.0.0\nranges = 1000\n");
  c.name = "b";
  const auto plan = plan_load({c}, {});
  ASSERT_EQ(plan.refused.size(), 1u);
  EXPECT_EQ(plan.refused[0].reason, "the file declares plugin 'a', not 'b'");
}

}  // namespace
}  // namespace gamehost::plugins
