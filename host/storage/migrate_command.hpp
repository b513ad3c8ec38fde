// Internal header: `gamehost migrate [--status | --dry-run]`, for operators who want to see
// or apply the schema changes of the configured plugins without starting the host.
#pragma once

#include <ostream>

#include "config/config.hpp"

namespace gamehost::storage {

struct MigrateOptions {
  bool status_only = false;
  bool dry_run = false;
};

// Exit codes: 0 done (or nothing to do), 5 the database cannot be opened, 6 a migration
// was changed after it was applied or failed (docs/operations.md).
int run_migrate_command(const config::Config& config, const MigrateOptions& options,
                        std::ostream& out, std::ostream& err);

}  // namespace gamehost::storage
