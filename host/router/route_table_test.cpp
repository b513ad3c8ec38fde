#include "router/route_table.hpp"

#include <gtest/gtest.h>

namespace gamehost::router {
namespace {

TEST(RouteTable, FindsTheOwnerOfEachIdAndNothingBetween) {
  // Plugin pointers are only compared here, never used: fake distinct non-null values.
  auto a = std::shared_ptr<plugins::PluginInstance>(
      reinterpret_cast<plugins::PluginInstance*>(0x10), [](auto*) {});
  auto b = std::shared_ptr<plugins::PluginInstance>(
      reinterpret_cast<plugins::PluginInstance*>(0x20), [](auto*) {});
  const RouteTable t({{3000, 3099, b}, {1000, 1099, a}, {1100, 1100, b}});
  EXPECT_EQ(t.find(999), nullptr);
  EXPECT_EQ(t.find(1000)->get(), a.get());
  EXPECT_EQ(t.find(1099)->get(), a.get());
  EXPECT_EQ(t.find(1100)->get(), b.get());
  EXPECT_EQ(t.find(1101), nullptr);
  EXPECT_EQ(t.find(3050)->get(), b.get());
  EXPECT_EQ(t.find(4000000000u), nullptr);
  EXPECT_EQ(RouteTable().find(1000), nullptr);
}

}  // namespace
}  // namespace gamehost::router
