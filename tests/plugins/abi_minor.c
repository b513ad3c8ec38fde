/* Built against a newer minor ABI (1.99) than the host's: refused, it may need services
 * this host lacks. */
#include "broken_common.h"
TEST_MANIFEST("abi = 1.99\nname = abi_minor\nversion = 1.0.0\nranges = 100020-100029\n")
TEST_MARK_IF_LOADED("abi_minor")
static const gh_id_range kRanges[] = {{100020, 100029}};
TEST_DESCRIPTOR(kDescriptor, 1, 99, "abi_minor", "1.0.0", kRanges, 1, NULL, 0, test_create_ok)
__attribute__((visibility("default"))) const gh_plugin_descriptor* gamehost_plugin_v1(void) {
  return &kDescriptor;
}
