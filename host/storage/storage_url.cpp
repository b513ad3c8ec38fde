#include "storage/storage_url.hpp"

#include <charconv>
#include <filesystem>
#include <stdexcept>

namespace gamehost::storage {
namespace {

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      unsigned value = 0;
      const auto* first = text.data() + i + 1;
      if (std::from_chars(first, first + 2, value, 16).ptr == first + 2) {
        out.push_back(static_cast<char>(value));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

}  // namespace

std::string StorageUrl::display() const {
  if (dialect == Dialect::sqlite) return "sqlite:" + sqlite_path;
  return "mysql://" + user + (password.empty() ? "" : ":***") + "@" + host + ":" +
         std::to_string(port) + "/" + database;
}

StorageUrl parse_storage_url(const std::string& url, const std::string& data_dir) {
  StorageUrl out;
  if (url.empty() || url.starts_with("sqlite:")) {
    std::filesystem::path path = url.empty() ? "gamehost.db" : url.substr(7);
    if (path.empty()) throw std::invalid_argument("sqlite: needs a file path, e.g. sqlite:game.db");
    if (path.is_relative()) path = std::filesystem::path(data_dir) / path;
    out.sqlite_path = path.string();
    return out;
  }
  constexpr std::string_view kMysql = "mysql://";
  if (!url.starts_with(kMysql)) {
    throw std::invalid_argument("unknown database in \"" + url +
                                "\": expected sqlite:<file> or mysql://user:password@host:port/db");
  }
  out.dialect = Dialect::mysql;
  std::string_view rest(url);
  rest.remove_prefix(kMysql.size());
  const auto at = rest.rfind('@');
  if (at == std::string_view::npos)
    throw std::invalid_argument("mysql URL needs user@host: " + out.display());
  const auto credentials = rest.substr(0, at);
  rest.remove_prefix(at + 1);
  const auto colon = credentials.find(':');
  out.user = percent_decode(credentials.substr(0, colon));
  if (colon != std::string_view::npos) out.password = percent_decode(credentials.substr(colon + 1));
  const auto slash = rest.find('/');
  if (slash == std::string_view::npos || slash + 1 == rest.size()) {
    throw std::invalid_argument(
        "mysql URL needs a database name after the host: mysql://user:password@host:port/db");
  }
  out.database = std::string(rest.substr(slash + 1));
  auto hostport = rest.substr(0, slash);
  if (const auto c = hostport.rfind(':'); c != std::string_view::npos) {
    const auto port = hostport.substr(c + 1);
    unsigned value = 0;
    if (std::from_chars(port.data(), port.data() + port.size(), value).ptr !=
            port.data() + port.size() ||
        value == 0 || value > 65535) {
      throw std::invalid_argument("mysql URL has a bad port: \"" + std::string(port) + "\"");
    }
    out.port = value;
    hostport = hostport.substr(0, c);
  }
  if (hostport.empty() || out.user.empty())
    throw std::invalid_argument("mysql URL needs a user and a host");
  out.host = std::string(hostport);
  return out;
}

}  // namespace gamehost::storage
