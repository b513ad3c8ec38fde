// The operator console (docs/operations.md, "Console") through the real binary: the page and
// its files served from the binary on the admin port without the token, with their types
// and security headers, and the admin API calls the page makes, with the token, answering
// what the page reads.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "integration/fixtures.hpp"

namespace gamehost::testing {
namespace {

using nlohmann::json;

struct HttpAnswer {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;

  std::string header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

// One request on the admin port (one request per connection, as the API serves them), the
// answer read until the host closes.
HttpAnswer request(std::uint16_t port, const std::string& method, const std::string& target,
                   bool with_token = false) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string raw;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    std::string req = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n";
    if (with_token) req += "Authorization: Bearer " + std::string(HostProcess::kAdminToken) + "\r\n";
    if (method == "POST") req += "Content-Length: 0\r\n";
    req += "Connection: close\r\n\r\n";
    ::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
    char buf[4096];
    while (true) {
      const auto n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      raw.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);

  HttpAnswer a;
  const auto end = raw.find("\r\n\r\n");
  if (end == std::string::npos) return a;
  std::istringstream head(raw.substr(0, end));
  std::string line;
  std::getline(head, line);
  if (line.size() > 12) a.status = std::stoi(line.substr(9, 3));
  while (std::getline(head, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    auto name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    a.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
  }
  a.body = raw.substr(end + 4);
  return a;
}

std::string source_file(const std::string& name) {
  std::ifstream in(std::string(GAMEHOST_SOURCE_DIR) + "/host/admin/console/" + name,
                   std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void expect_console_headers(const HttpAnswer& a, const std::string& what) {
  EXPECT_EQ(a.header("cache-control"), "no-cache") << what;
  const auto csp = a.header("content-security-policy");
  EXPECT_NE(csp.find("default-src 'self'"), std::string::npos) << what << ": " << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << what << ": " << csp;
  EXPECT_EQ(csp.find("unsafe"), std::string::npos) << what << ": " << csp;
  EXPECT_EQ(csp.find("http"), std::string::npos) << what << ": no other origin: " << csp;
  EXPECT_EQ(a.header("x-content-type-options"), "nosniff") << what;
}

std::string plugins_toml() {
  return "[plugins]\nload = [\"counter\", \"rooms\"]\n"
         "[plugins.counter]\nfile = \"" +
         test_plugin_path("counter_v1") +
         "\"\n"
         "[plugins.rooms]\nfile = \"" +
         test_plugin_path("rooms_v1") + "\"\n";
}

class Console : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { host_ = std::make_unique<HostProcess>(plugins_toml()); }
  static void TearDownTestSuite() { host_.reset(); }
  static std::uint16_t port() { return host_->admin_port(); }
  static inline std::unique_ptr<HostProcess> host_;
};

TEST_F(Console, ThePageIsServedWithoutTheToken) {
  for (const char* target : {"/console", "/console/", "/console/index.html", "/console?x=1"}) {
    const auto a = request(port(), "GET", target);
    ASSERT_EQ(a.status, 200) << target << "\n" << a.body;
    EXPECT_EQ(a.header("content-type"), "text/html; charset=utf-8") << target;
    expect_console_headers(a, target);
    EXPECT_EQ(a.body, source_file("index.html")) << target << ": the embedded page is the source";
  }
  const auto page = request(port(), "GET", "/console").body;
  EXPECT_NE(page.find("<script type=\"module\" src=\"/console/console.js\">"), std::string::npos);
  EXPECT_NE(page.find("href=\"/console/console.css\""), std::string::npos);
  // The hooks browser tests select by.
  for (const char* id : {"id=\"plugins-table\"", "id=\"sessions-count\"", "id=\"rooms-count\"",
                         "id=\"charts\"", "id=\"token-form\"", "id=\"reload-history\""}) {
    EXPECT_NE(page.find(id), std::string::npos) << id;
  }
  // Nothing from another origin, nothing inline that the policy would refuse.
  EXPECT_EQ(page.find("http://"), std::string::npos);
  EXPECT_EQ(page.find("https://"), std::string::npos);
  EXPECT_EQ(page.find("style="), std::string::npos);
  EXPECT_EQ(page.find("<style"), std::string::npos);
  EXPECT_EQ(page.find("<script>"), std::string::npos);
}

TEST_F(Console, ItsFilesHaveTheirTypes) {
  const std::pair<const char*, const char*> files[] = {
      {"console.js", "text/javascript; charset=utf-8"},
      {"console.css", "text/css; charset=utf-8"},
      {"favicon.svg", "image/svg+xml"},
  };
  for (const auto& [name, type] : files) {
    const auto a = request(port(), "GET", std::string("/console/") + name);
    ASSERT_EQ(a.status, 200) << name;
    EXPECT_EQ(a.header("content-type"), type) << name;
    expect_console_headers(a, name);
    EXPECT_EQ(a.body, source_file(name)) << name << ": the embedded file is the source";
  }
  const auto js = request(port(), "GET", "/console/console.js").body;
  EXPECT_NE(js.find("Authorization: `Bearer ${token}`"), std::string::npos)
      << "the page sends the token as admin_server.cpp reads it";
  EXPECT_EQ(js.find("http://"), std::string::npos);
  EXPECT_EQ(js.find("https://"), std::string::npos);
}

TEST_F(Console, AnUnknownFileIs404AndOnlyGetIsAnswered) {
  for (const char* target : {"/console/nope.js", "/console/../admin/admin_api.cpp",
                             "/console/console.js/", "/console//index.html",
                             "/console/%2e%2e/console.js"}) {
    const auto a = request(port(), "GET", target);
    EXPECT_EQ(a.status, 404) << target;
    EXPECT_EQ(a.header("content-type"), "application/json") << target;
    EXPECT_TRUE(json::parse(a.body, nullptr, false).contains("error")) << target << a.body;
    expect_console_headers(a, target);
  }
  const auto post = request(port(), "POST", "/console");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.header("allow"), "GET");
  // A path that only begins like the console's is the API's: 401 without the token.
  EXPECT_EQ(request(port(), "GET", "/consoles").status, 401);
  EXPECT_EQ(request(port(), "GET", "/consoles", true).status, 404);
  // The page needs no token, the API still does.
  EXPECT_EQ(request(port(), "GET", "/v1/plugins").status, 401);
}

TEST_F(Console, TheApiCallsThePageMakesAnswerWhatItReads) {
  // Status tiles: /healthz and /v1/status.
  auto a = request(port(), "GET", "/healthz", true);
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(json::parse(a.body)["status"], "ok");
  a = request(port(), "GET", "/v1/status", true);
  ASSERT_EQ(a.status, 200) << a.body;
  auto status = json::parse(a.body);
  for (const char* key : {"version", "uptime_s", "sessions", "plugins"})
    EXPECT_TRUE(status.contains(key)) << key << " in " << a.body;

  // A player opens a room in the rooms plugin: its open keys count it.
  TcpClient alice(host_->tcp_port());
  alice.send(100800, u64le(7));
  alice.expect(100801);

  a = request(port(), "GET", "/v1/plugins", true);
  ASSERT_EQ(a.status, 200) << a.body;
  auto plugins = json::parse(a.body);
  ASSERT_TRUE(plugins.is_array());
  auto find = [](const json& list, const std::string& name, const std::string& state) {
    for (const auto& p : list) {
      if (p["name"] == name && p["state"] == state) return p;
    }
    return json();
  };
  const auto counter = find(plugins, "counter", "running");
  ASSERT_FALSE(counter.is_null()) << a.body;
  for (const char* key : {"name", "version", "state", "file", "loaded_at_ms", "reloads",
                          "queue_depth", "messages", "failures", "open_keys", "last_reload"}) {
    EXPECT_TRUE(counter.contains(key)) << key << " in " << counter.dump();
  }
  EXPECT_EQ(counter["open_keys"], 0);
  EXPECT_EQ(find(plugins, "rooms", "running")["open_keys"], 1) << a.body;

  // The charts: every metric they sample is in /metrics.
  a = request(port(), "GET", "/metrics", true);
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(a.header("content-type"), "text/plain; version=0.0.4");
  for (const char* metric :
       {"gamehost_sessions ", "gamehost_connections_total{event=\"opened\"} ",
        "gamehost_connections_total{event=\"closed\"} ", "gamehost_frames_in_total ",
        "gamehost_plugin_messages_total{plugin=\"rooms\"} ", "gamehost_errors_total{code=",
        "gamehost_plugin_failures_total{plugin=\"counter\"} ",
        "gamehost_plugin_queue_depth{plugin=\"counter\"} ",
        "gamehost_plugin_handler_seconds_sum{plugin=\"rooms\"} ",
        "gamehost_plugin_handler_seconds_count{plugin=\"rooms\"} "}) {
    EXPECT_NE(a.body.find(metric), std::string::npos) << metric;
  }

  // The reload button: each strategy of the select, from the configured file.
  a = request(port(), "POST", "/v1/plugins/counter/reload?strategy=handover", true);
  ASSERT_EQ(a.status, 200) << a.body;
  auto reloaded = json::parse(a.body);
  EXPECT_EQ(reloaded["from"], "1.0.0");
  EXPECT_EQ(reloaded["to"], "1.0.0");
  EXPECT_TRUE(reloaded["pause_us"].is_number());
  a = request(port(), "POST", "/v1/plugins/counter/reload", true);  // "configured"
  EXPECT_EQ(a.status, 200) << a.body;
  a = request(port(), "POST", "/v1/plugins/rooms/reload?strategy=drain", true);
  ASSERT_EQ(a.status, 200) << a.body;

  // The table after it: reloads counted, the last reload recorded, the drained build listed
  // with the room that finishes on it.
  plugins = json::parse(request(port(), "GET", "/v1/plugins", true).body);
  const auto after = find(plugins, "counter", "running");
  EXPECT_EQ(after["reloads"], 2) << after.dump();
  ASSERT_TRUE(after["last_reload"].is_object()) << after.dump();
  EXPECT_EQ(after["last_reload"]["ok"], true);
  EXPECT_EQ(after["last_reload"]["detail"], "1.0.0 -> 1.0.0");
  const auto old_rooms = find(plugins, "rooms", "draining");
  ASSERT_FALSE(old_rooms.is_null()) << plugins.dump();
  EXPECT_EQ(old_rooms["open_keys"], 1);
  EXPECT_EQ(find(plugins, "rooms", "running")["open_keys"], 0);

  // A refusal: 409 and the reason, which the page shows as it is.
  a = request(port(), "POST", "/v1/plugins/rooms/reload?strategy=handover", true);
  EXPECT_EQ(a.status, 409) << a.body;
  EXPECT_NE(json::parse(a.body)["error"].get<std::string>().find("still draining"),
            std::string::npos)
      << a.body;
  a = request(port(), "POST", "/v1/plugins/nope/reload?strategy=drain", true);
  EXPECT_EQ(a.status, 409);
  EXPECT_EQ(json::parse(a.body)["error"], "plugin nope is not loaded");

  // The room closes: the old build drains away.
  alice.send(100804, "");
  alice.expect(100805);
  bool drained = false;
  for (int i = 0; i < 300 && !drained; ++i) {
    plugins = json::parse(request(port(), "GET", "/v1/plugins", true).body);
    drained = find(plugins, "rooms", "draining").is_null();
    if (!drained) std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(drained) << plugins.dump();
}

}  // namespace
}  // namespace gamehost::testing
