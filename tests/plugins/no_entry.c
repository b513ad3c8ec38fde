/* Has a manifest but exports its entry under the wrong name. */
#include "broken_common.h"
TEST_MANIFEST("abi = 1.0\nname = no_entry\nversion = 1.0.0\nranges = 100030-100039\n")
TEST_MARK_IF_LOADED("no_entry")
static const gh_id_range kRanges[] = {{100030, 100039}};
TEST_DESCRIPTOR(kDescriptor, 1, 0, "no_entry", "1.0.0", kRanges, 1, NULL, 0, test_create_ok)
__attribute__((visibility("default"))) const gh_plugin_descriptor* gamehost_plugin_v0(void) {
  return &kDescriptor;
}
