/* temp-tree.h: removing a test's temporary folder
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* @path and all below it (symbolic links are removed, not followed). */
void test_remove_tree (const char *path);

G_END_DECLS
