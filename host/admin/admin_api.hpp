// Internal header: the admin API's requests and answers, independent of HTTP plumbing so
// it is tested without sockets. docs/operations.md lists the endpoints.
#pragma once

#include <cstdint>
#include <string>

#include "core/runtime.hpp"

namespace gamehost::plugins {
class PluginManager;
}

namespace gamehost::admin {

struct Request {
  std::string method;         // "GET", "POST"
  std::string target;         // path and query, e.g. "/v1/plugins/room/reload?file=/x.so"
  std::string authorization;  // the Authorization header, e.g. "Bearer abc"
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

// Thread-safe. Reload, load and unload block the calling thread while they run.
class Api {
 public:
  Api(core::Runtime& runtime, plugins::PluginManager& plugins, std::string token);
  Response handle(const Request& request);

 private:
  Response route(const Request& request, const std::string& path, const std::string& query);
  std::string metrics() const;

  core::Runtime& runtime_;
  plugins::PluginManager& plugins_;
  std::string token_;
  std::uint64_t started_at_ms_;
};

}  // namespace gamehost::admin
