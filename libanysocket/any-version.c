/* any-version.c: the version of the library loaded at run time
 *
 * The ANY_*_VERSION macros say which headers a program was compiled
 * against; these functions say which library it runs with, which can be
 * newer (a shared library is upgraded under the program).
 *
 * SPDX-License-Identifier: MIT
 */
#include "any-version.h"

/**
 * any_get_major_version:
 *
 * Gets the major version of the libanysocket loaded at run time (the
 * headers' is [const@MAJOR_VERSION]).
 *
 * Returns: the major version
 *
 * Since: 0.2
 */
guint
any_get_major_version (void)
{
  return ANY_MAJOR_VERSION;
}

/**
 * any_get_minor_version:
 *
 * Gets the minor version of the libanysocket loaded at run time (the
 * headers' is [const@MINOR_VERSION]).
 *
 * Returns: the minor version
 *
 * Since: 0.2
 */
guint
any_get_minor_version (void)
{
  return ANY_MINOR_VERSION;
}

/**
 * any_get_micro_version:
 *
 * Gets the micro version of the libanysocket loaded at run time (the
 * headers' is [const@MICRO_VERSION]).
 *
 * Returns: the micro version
 *
 * Since: 0.2
 */
guint
any_get_micro_version (void)
{
  return ANY_MICRO_VERSION;
}

/**
 * any_check_version:
 * @major: the major version required
 * @minor: the minor version required
 * @micro: the micro version required
 *
 * Whether the libanysocket loaded at run time is @major.@minor.@micro or
 * newer, with the same major version (a new major version breaks the
 * API). `ANY_CHECK_VERSION()` asks the same of the headers at
 * compile time.
 *
 * Returns: `TRUE` if the library is compatible with that version
 *
 * Since: 0.2
 */
gboolean
any_check_version (guint major,
                   guint minor,
                   guint micro)
{
  if (major != ANY_MAJOR_VERSION)
    return FALSE;
  if (minor != ANY_MINOR_VERSION)
    return minor < ANY_MINOR_VERSION;
  return micro <= ANY_MICRO_VERSION;
}
