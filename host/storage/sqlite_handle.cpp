// SOCI's SQLite header declares SQLite's API inside namespace sqlite_api; this file is the
// only one that includes it, and hands the connection on as the global type (the same
// opaque struct) to the files that use SQLite's own header.
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "storage/statement.hpp"

namespace gamehost::storage {

::sqlite3* sqlite_handle(soci::session& session) {
  auto* backend = static_cast<soci::sqlite3_session_backend*>(session.get_backend());
  return reinterpret_cast<::sqlite3*>(backend->conn_);
}

}  // namespace gamehost::storage
