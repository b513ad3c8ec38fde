/* A well-formed plugin whose facts come from compile definitions, so the id-overlap,
 * dependency and cycle cases are each one CMake line (tests/plugins/CMakeLists.txt).
 *   PLUGIN_NAME, PLUGIN_VERSION, RANGE_FIRST, RANGE_LAST, MANIFEST_EXTRA ("depends = ...")
 *   DEP_NAME/DEP_MIN/DEP_BELOW (optional, must match MANIFEST_EXTRA)
 *   FAIL_CREATE (optional): create fails with a reason */
#include "broken_common.h"

#define STR2(x) #x
#define STR(x) STR2(x)
#ifndef MANIFEST_EXTRA
#define MANIFEST_EXTRA ""
#endif
#ifndef ABI_TEXT
#define ABI_TEXT "1.0"
#endif

TEST_MANIFEST("abi = " ABI_TEXT "\nname = " PLUGIN_NAME "\nversion = " PLUGIN_VERSION "\nranges = " STR(
    RANGE_FIRST) "-" STR(RANGE_LAST) "\n" MANIFEST_EXTRA)
static const gh_id_range kRanges[] = {{RANGE_FIRST, RANGE_LAST}};

#ifdef DEP_NAME
static const gh_dependency kDeps[] = {{DEP_NAME, DEP_MIN, DEP_BELOW}};
#define DEPS kDeps
#define NDEPS 1
#else
#define DEPS NULL
#define NDEPS 0
#endif

#ifdef FAIL_CREATE
static gh_status failing_create(const gh_create_args* args, gh_plugin** out, gh_error* error) {
  (void)args;
  (void)out;
  snprintf(error->text, sizeof error->text, "%s", "database not configured");
  return GH_ERR_FAILED;
}
#define CREATE failing_create
#else
#define CREATE test_create_ok
#endif

TEST_DESCRIPTOR(kDescriptor, 1, 0, PLUGIN_NAME, PLUGIN_VERSION, kRanges, 1, DEPS, NDEPS, CREATE)
__attribute__((visibility("default"))) const gh_plugin_descriptor* gamehost_plugin_v1(void) {
  return &kDescriptor;
}
