/* test-version.c: the version macros and functions agree with meson.build
 *
 * SPDX-License-Identifier: MIT
 */
#include <anysocket.h>

/* The headers' numbers are the library's (a stale any-version.h in the
 * include path would show here). */
static void
test_runtime_matches_headers (void)
{
  g_assert_cmpuint (any_get_major_version (), ==, ANY_MAJOR_VERSION);
  g_assert_cmpuint (any_get_minor_version (), ==, ANY_MINOR_VERSION);
  g_assert_cmpuint (any_get_micro_version (), ==, ANY_MICRO_VERSION);
  g_assert_true (ANY_MAJOR_VERSION > 0 || ANY_MINOR_VERSION >= 2);
}

static void
test_check_version_macro (void)
{
  g_assert_true (ANY_CHECK_VERSION (ANY_MAJOR_VERSION, ANY_MINOR_VERSION, ANY_MICRO_VERSION));
  g_assert_true (ANY_CHECK_VERSION (0, 1, 0));
  g_assert_true (ANY_CHECK_VERSION (0, 2, 0));
  g_assert_false (ANY_CHECK_VERSION (ANY_MAJOR_VERSION, ANY_MINOR_VERSION, ANY_MICRO_VERSION + 1));
  g_assert_false (ANY_CHECK_VERSION (ANY_MAJOR_VERSION + 1, 0, 0));
}

/* At run time a new major version is incompatible, older minors are fine. */
static void
test_check_version_function (void)
{
  g_assert_true (any_check_version (ANY_MAJOR_VERSION, ANY_MINOR_VERSION, ANY_MICRO_VERSION));
  g_assert_true (any_check_version (0, 1, 9));
  g_assert_false (any_check_version (ANY_MAJOR_VERSION, ANY_MINOR_VERSION, ANY_MICRO_VERSION + 1));
  g_assert_false (any_check_version (ANY_MAJOR_VERSION, ANY_MINOR_VERSION + 1, 0));
  g_assert_false (any_check_version (ANY_MAJOR_VERSION + 1, 0, 0));
}

static void
test_encoded_versions (void)
{
  g_assert_cmpint (ANY_VERSION_0_2, ==, ANY_ENCODE_VERSION (0, 2));
  g_assert_cmpint (ANY_ENCODE_VERSION (0, 2), <, ANY_ENCODE_VERSION (0, 3));
  g_assert_cmpint (ANY_ENCODE_VERSION (0, 9), <, ANY_ENCODE_VERSION (1, 0));
  g_assert_cmpint (ANY_VERSION_MIN_REQUIRED, <=, ANY_VERSION_MAX_ALLOWED);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/version/runtime-matches-headers", test_runtime_matches_headers);
  g_test_add_func ("/version/check-version-macro", test_check_version_macro);
  g_test_add_func ("/version/check-version-function", test_check_version_function);
  g_test_add_func ("/version/encoded", test_encoded_versions);
  return g_test_run ();
}
