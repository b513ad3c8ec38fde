/* Built for ABI 2.0: a host speaking 1.x must refuse it without running any of its code. */
#include "broken_common.h"
TEST_MANIFEST("abi = 2.0\nname = abi_major\nversion = 1.0.0\nranges = 100010-100019\n")
TEST_MARK_IF_LOADED("abi_major")
static const gh_id_range kRanges[] = {{100010, 100019}};
TEST_DESCRIPTOR(kDescriptor, 2, 0, "abi_major", "1.0.0", kRanges, 1, NULL, 0, test_create_ok)
__attribute__((visibility("default"))) const gh_plugin_descriptor* gamehost_plugin_v1(void) {
  return &kDescriptor;
}
