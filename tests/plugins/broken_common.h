/* Shared by the deliberately broken test plugins: each is plain C, written against abi.h
 * alone, so each failure the loader must catch is spelled out in a few lines. */
#ifndef GAMEHOST_TEST_BROKEN_COMMON_H
#define GAMEHOST_TEST_BROKEN_COMMON_H

#include <gamehost/abi.h>
#include <stdio.h>
#include <stdlib.h>

#define TEST_MANIFEST(text) \
  __attribute__((section(GAMEHOST_MANIFEST_SECTION), used)) static const char kManifest[] = text;

/* Leaves a file behind if the host ever runs this library's code: the loader must refuse
 * before any static initializer runs. */
#define TEST_MARK_IF_LOADED(tag)                                  \
  __attribute__((constructor)) static void mark_loaded(void) {    \
    const char* dir = getenv("GAMEHOST_TEST_MARKER_DIR");         \
    if (dir == NULL) return;                                      \
    char path[1024];                                              \
    snprintf(path, sizeof path, "%s/%s.loaded", dir, tag);        \
    FILE* f = fopen(path, "w");                                   \
    if (f != NULL) fclose(f);                                     \
  }

static int test_instance_storage;

static gh_status test_create_ok(const gh_create_args* args, gh_plugin** out, gh_error* error) {
  (void)args;
  (void)error;
  *out = (gh_plugin*)&test_instance_storage;
  return GH_OK;
}
static void test_destroy(gh_plugin* self) { (void)self; }
static gh_status test_on_message(gh_plugin* self, const gh_message* msg, gh_error* error) {
  (void)self;
  (void)msg;
  (void)error;
  return GH_OK;
}

/* A descriptor with the given facts and the no-op entry points above. */
#define TEST_DESCRIPTOR(var, abi_maj, abi_min, nm, ver, rng, nrng, deps, ndeps, create_fn) \
  static const gh_plugin_descriptor var = {                                                   \
      sizeof(gh_plugin_descriptor), abi_maj, abi_min, nm, ver, rng, nrng, NULL, 0, deps,      \
      ndeps, kManifest, create_fn, test_destroy, test_on_message, NULL, NULL, NULL, NULL,     \
      NULL, NULL};

#endif
