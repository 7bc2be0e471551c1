/* any-internal-msg.c: the INTERNAL messages on the wire (PROTOCOL.md 7)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "protocol/any-internal-msg.h"

gint64
any_internal_type_of (JsonNode *data)
{
  JsonNode *type_node;

  if (!JSON_NODE_HOLDS_OBJECT (data))
    return 0;
  type_node = json_object_get_member (json_node_get_object (data), "type");
  if (type_node != NULL && JSON_NODE_HOLDS_VALUE (type_node) &&
      json_node_get_value_type (type_node) == G_TYPE_INT64)
    return json_node_get_int (type_node);
  return 0;
}

JsonObject *
any_internal_new_synced_time (void)
{
  JsonObject *object = json_object_new ();

  json_object_set_int_member (object, "type", ANY_INTERNAL_SYNCED_TIME);
  json_object_set_int_member (object, "time", g_get_real_time () / 1000);
  return object;
}

JsonNode *
any_internal_synced_time_answer (JsonObject *request)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  JsonNode *time = json_object_get_member (request, "time");

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "o");
  if (time != NULL)
    json_builder_add_value (builder, json_node_copy (time));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "t");
  json_builder_add_int_value (builder, g_get_real_time () / 1000);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

JsonNode *
any_internal_build (AnyInternalType  type,
                    const char      *action,
                    const char      *id)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonObject) object = json_object_new ();

  json_object_set_int_member (object, "type", type);
  json_object_set_string_member (object, "action", action);
  json_object_set_string_member (object, "id", id);
  json_node_set_object (node, object);
  return node;
}

JsonNode *
any_internal_proxy_answer (const char *refusal)
{
  JsonNode *msg = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonObject) object = json_object_new ();

  /* The JavaScript peer reads `ok` only; `error` says why to those that
   * look (and to people reading a capture). */
  json_object_set_boolean_member (object, "ok", refusal == NULL);
  if (refusal != NULL)
    json_object_set_string_member (object, "error", refusal);
  json_node_set_object (msg, object);
  return msg;
}
