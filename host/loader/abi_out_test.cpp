// The host writes into a plugin's struct only as far as the plugin's `size` says.
#include "loader/abi_out.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>
#include <string>

namespace gamehost::plugins {
namespace {

// A gh_error as a plugin built before `text` existed would pass it, with bytes after it.
struct ShortErrorAndNeighbour {
  gh_error error;
  unsigned char after[8];
};

TEST(AbiOut, AShortErrorStructGetsNoTextAndItsNeighbourIsUntouched) {
  ShortErrorAndNeighbour buffer;
  std::memset(&buffer, 0xAA, sizeof buffer);
  buffer.error.size = offsetof(gh_error, text);
  write_error(&buffer.error, 15, "storage unavailable");
  EXPECT_EQ(buffer.error.code, 15u);
  for (const auto byte : buffer.error.text) ASSERT_EQ(static_cast<unsigned char>(byte), 0xAA);
  for (const auto byte : buffer.after) ASSERT_EQ(byte, 0xAA);
}

TEST(AbiOut, AFullErrorStructGetsTheTextTruncatedAndTerminated) {
  gh_error error{};
  error.size = sizeof error;
  write_error(&error, 15, std::string(1000, 'x'));
  EXPECT_EQ(std::strlen(error.text), sizeof(error.text) - 1);
  write_error(&error, 16, "short");
  EXPECT_STREQ(error.text, "short");
  EXPECT_EQ(error.code, 16u);
  write_error(nullptr, 1, "ignored");  // no struct: nothing to do, no crash
}

TEST(AbiOut, ADbValueIsCopiedUpToTheCallersSizeWhichItKeeps) {
  struct {
    gh_db_value value;
    unsigned char after[8];
  } buffer;
  std::memset(&buffer, 0xAA, sizeof buffer);
  buffer.value.size = offsetof(gh_db_value, text);  // an older, shorter gh_db_value
  gh_db_value column{};
  column.size = sizeof column;
  column.type = GH_DB_INT;
  column.int_value = 42;
  column.text = "not for this caller";
  write_db_value(&buffer.value, column);
  EXPECT_EQ(buffer.value.size, offsetof(gh_db_value, text));
  EXPECT_EQ(buffer.value.int_value, 42);
  const auto* tail = reinterpret_cast<const unsigned char*>(&buffer.value) + buffer.value.size;
  for (std::size_t i = buffer.value.size; i < sizeof(buffer); ++i, ++tail) ASSERT_EQ(*tail, 0xAA);
}

}  // namespace
}  // namespace gamehost::plugins
