// Compile-time test data: built once as is (must compile) and once with MISSPELLED (must
// not): a host service is named by a typed constant from abi.h's list, so a typo in it is
// a compile error rather than a NULL from get_proc at run time.
#include <gamehost/services.hpp>

void* fake_get_proc(const char*) { return nullptr; }

int main() {
#ifdef MISSPELLED
  auto send = gamehost::services::lookup(&fake_get_proc, gamehost::services::sned_v1);
#else
  auto send = gamehost::services::lookup(&fake_get_proc, gamehost::services::send_v1);
#endif
  return send == nullptr ? 0 : 1;
}
