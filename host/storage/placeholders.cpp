// Statement text helpers shared by the backends.
#include <cctype>
#include <string>

#include "storage/statement.hpp"

namespace gamehost::storage {

std::pair<std::string, std::uint32_t> number_placeholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  std::uint32_t count = 0;
  char quote = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote != 0) {
      out.push_back(c);
      if (c == quote) quote = 0;  // a doubled quote re-opens at once: same result
      continue;
    }
    if (c == '\'' || c == '"' || c == '`') {
      quote = c;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      const auto end = sql.find('\n', i);
      const auto stop = end == std::string_view::npos ? sql.size() : end;
      out.append(sql.substr(i, stop - i));
      i = stop - 1;
      continue;
    } else if (c == '?') {
      out += ":p" + std::to_string(++count);
      continue;
    }
    out.push_back(c);
  }
  return {std::move(out), count};
}

bool returns_rows(std::string_view sql) {
  std::size_t i = 0;
  while (i < sql.size() && (std::isspace(static_cast<unsigned char>(sql[i])) || sql[i] == '(')) ++i;
  std::string word;
  while (i < sql.size() && std::isalpha(static_cast<unsigned char>(sql[i]))) {
    word.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(sql[i++]))));
  }
  return word == "SELECT" || word == "WITH" || word == "SHOW" || word == "PRAGMA" ||
         word == "EXPLAIN" || word == "VALUES" || word == "DESCRIBE";
}

}  // namespace gamehost::storage
