#include "net/static_files.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "support/temp_dir.hpp"

namespace gamehost::net {
namespace {

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.path() / "site" / "js");
    std::ofstream(dir_.path() / "site" / "index.html") << "<h1>demo</h1>";
    std::ofstream(dir_.path() / "site" / "js" / "app.js") << "export const x = 1;";
    std::ofstream(dir_.path() / "secret.txt") << "outside the root";
  }
  StaticFiles site() const { return StaticFiles(dir_.path() / "site"); }
  testing::TempDir dir_;
};

std::string body_of(const std::string& answer) {
  return answer.substr(answer.find("\r\n\r\n") + 4);
}

TEST_F(StaticFilesTest, ServesTheIndexAtTheRootAndFilesWithTheirType) {
  const auto index = site().respond("GET", "/");
  EXPECT_EQ(index.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << index;
  EXPECT_NE(index.find("Content-Type: text/html"), std::string::npos);
  EXPECT_EQ(body_of(index), "<h1>demo</h1>");
  const auto js = site().respond("GET", "/js/app.js?v=3");
  EXPECT_NE(js.find("Content-Type: text/javascript"), std::string::npos);
  EXPECT_NE(js.find("Content-Length: 19\r\n"), std::string::npos);
  EXPECT_EQ(body_of(js), "export const x = 1;");
  EXPECT_EQ(body_of(site().respond("GET", "/js/app%2Ejs")), "export const x = 1;");
}

TEST_F(StaticFilesTest, HeadGivesTheHeadersWithoutTheBody) {
  const auto head = site().respond("HEAD", "/js/app.js");
  EXPECT_NE(head.find("Content-Length: 19\r\n"), std::string::npos);
  EXPECT_EQ(body_of(head), "");
}

TEST_F(StaticFilesTest, NothingOutsideTheRootIsServed) {
  for (const char* target : {"/../secret.txt", "/js/../../secret.txt", "/%2e%2e/secret.txt",
                             "/%2E%2E%2Fsecret.txt", "/nope.html"}) {
    const auto answer = site().respond("GET", target);
    EXPECT_EQ(answer.rfind("HTTP/1.1 404 ", 0), 0u) << target << ": " << answer;
    EXPECT_EQ(answer.find("outside the root"), std::string::npos) << target;
  }
}

TEST_F(StaticFilesTest, MalformedTargetsAndOtherMethodsAreRefusedClearly) {
  EXPECT_EQ(site().respond("GET", "/a%zz").rfind("HTTP/1.1 400 ", 0), 0u);
  EXPECT_EQ(site().respond("GET", "/a%00b").rfind("HTTP/1.1 400 ", 0), 0u);
  EXPECT_EQ(site().respond("GET", "/a%4").rfind("HTTP/1.1 400 ", 0), 0u);
  EXPECT_EQ(site().respond("GET", "index.html").rfind("HTTP/1.1 400 ", 0), 0u);
  const auto post = site().respond("POST", "/");
  EXPECT_EQ(post.rfind("HTTP/1.1 405 ", 0), 0u);
  EXPECT_NE(post.find("Allow: GET, HEAD"), std::string::npos);
}

}  // namespace
}  // namespace gamehost::net
