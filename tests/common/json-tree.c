/* json-tree.c: what JSON tests ask of a tree
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>

#include "json-tree.h"

gboolean
json_tree_has_non_finite (JsonNode *node)
{
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        if (json_tree_has_non_finite (json_array_get_element (array, i)))
          return TRUE;
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      JsonNode *member;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, NULL, &member))
        if (json_tree_has_non_finite (member))
          return TRUE;
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return !isfinite (json_node_get_double (node));
  return FALSE;
}
