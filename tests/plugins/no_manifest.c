/* A shared library that is not a gamehost plugin at all: no manifest section. */
#include "broken_common.h"
TEST_MARK_IF_LOADED("no_manifest")
__attribute__((visibility("default"))) int some_function(void) { return 42; }
