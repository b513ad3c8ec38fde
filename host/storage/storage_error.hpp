// Internal header: the one exception type of the storage component. The host services
// turn it into a gh_status and an error text at the C boundary.
#pragma once

#include <gamehost/abi.h>

#include <stdexcept>
#include <string>

namespace gamehost::storage {

class StorageError : public std::runtime_error {
 public:
  StorageError(gh_status status, const std::string& text)
      : std::runtime_error(text), status_(status) {}
  gh_status status() const noexcept { return status_; }

 private:
  gh_status status_;
};

enum class Dialect { sqlite = GH_DB_SQLITE, mysql = GH_DB_MYSQL };

}  // namespace gamehost::storage
