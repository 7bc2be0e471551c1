/* json-tree.h: what JSON tests ask of a tree
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>

/* Whether a double in @node is infinite or NaN (a number too big for a
 * double reads as infinity, and is written as null). */
gboolean json_tree_has_non_finite (JsonNode *node);
