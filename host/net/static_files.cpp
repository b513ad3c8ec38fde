#include "net/static_files.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <iterator>
#include <optional>
#include <utility>

namespace gamehost::net {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 14> kTypes{{
    {".html", "text/html; charset=utf-8"},
    {".htm", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".map", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".ico", "image/x-icon"},
    {".wasm", "application/wasm"},
    {".txt", "text/plain; charset=utf-8"},
    {".woff2", "font/woff2"},
}};

std::string_view content_type(const std::filesystem::path& file) {
  const auto ext = file.extension().string();
  for (const auto& [e, type] : kTypes) {
    if (ext == e) return type;
  }
  return "application/octet-stream";
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The path part of a request target, percent-decoded; nullopt when malformed (a bad
// escape, a NUL, not starting with '/').
std::optional<std::string> decode_path(std::string_view target) {
  const auto query = target.find_first_of("?#");
  if (query != std::string_view::npos) target = target.substr(0, query);
  if (target.empty() || target.front() != '/') return std::nullopt;
  std::string out;
  out.reserve(target.size());
  for (std::size_t i = 0; i < target.size(); ++i) {
    char c = target[i];
    if (c == '%') {
      if (i + 2 >= target.size()) return std::nullopt;
      const int hi = hex_value(target[i + 1]);
      const int lo = hex_value(target[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    if (c == '\0') return std::nullopt;
    out.push_back(c);
  }
  return out;
}

std::string answer(int status, std::string_view reason, std::string_view type,
                   const std::string& body, bool with_body) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) + "\r\n";
  out += "Content-Type: " + std::string(type) + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  out += "Cache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n";
  if (status == 405) out += "Allow: GET, HEAD\r\n";
  out += "\r\n";
  if (with_body) out += body;
  return out;
}

std::string error(int status, std::string_view reason, bool with_body) {
  return answer(status, reason, "text/plain; charset=utf-8", std::string(reason) + "\n",
                with_body);
}

}  // namespace

StaticFiles::StaticFiles(const std::filesystem::path& root)
    : root_(std::filesystem::weakly_canonical(root)) {}

std::string StaticFiles::respond(std::string_view method, std::string_view target) const {
  const bool head = method == "HEAD";
  if (method != "GET" && !head) return error(405, "Method Not Allowed", true);
  const auto path = decode_path(target);
  if (!path) return error(400, "Bad Request", !head);
  // Resolved, symlinks included, and kept only when it stays under the root.
  std::error_code ec;
  auto file = std::filesystem::weakly_canonical(root_ / std::filesystem::path(*path).relative_path(),
                                                ec);
  if (ec) return error(404, "Not Found", !head);
  const auto [root_end, file_it] = std::mismatch(root_.begin(), root_.end(), file.begin(), file.end());
  if (root_end != root_.end()) return error(404, "Not Found", !head);
  if (std::filesystem::is_directory(file, ec)) file /= "index.html";
  if (!std::filesystem::is_regular_file(file, ec)) return error(404, "Not Found", !head);
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) return error(404, "Not Found", !head);
  if (size > kMaxFileBytes) return error(413, "Content Too Large", !head);
  std::ifstream in(file, std::ios::binary);
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in && !in.eof()) return error(500, "Internal Server Error", !head);
  return answer(200, "OK", content_type(file), body, !head);
}

}  // namespace gamehost::net
