/* any-internal.c: answering INTERNAL packets (PROTOCOL.md 7)
 *
 * The JavaScript peer sends INTERNAL requests for RPC, synced time and
 * proxying and waits for the answers; one that never comes costs it the
 * whole link (its reply timeout disconnects). So every request type gets
 * the answer the JavaScript peer expects: SYNCED_TIME is answered here,
 * RPC goes to any-rpc.c, PROXY and NETWORK to the hub and proxy code.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "api/any-internal.h"
#include "api/any-hub.h"
#include "api/any-rpc.h"

static void
reply (AnyPeer  *peer,
       gint32    seq,
       JsonNode *msg)
{
  g_autoptr(GError) error = NULL;

  /* Seq 0 is no request: a reply to it could not say what it answers. */
  if (seq <= 0)
    return;
  if (_any_peer_send_packet (peer, ANY_PACKET_TYPE_INTERNAL, seq, msg, &error) == 0)
    g_debug ("Could not answer INTERNAL packet %d: %s", seq, error->message);
}

/* For any-rpc.c, which answers the RPC requests. */
void
_any_internal_reply (AnyPeer  *peer,
                     gint32    seq,
                     JsonNode *msg)
{
  reply (peer, seq, msg);
}

static void
reply_synced_time (AnyPeer    *peer,
                   gint32      seq,
                   JsonObject *request)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) answer = NULL;
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
  answer = json_builder_get_root (builder);
  /* A proxied peer's probe: it learns our capabilities, we learn its. */
  if (json_object_has_member (request, "caps"))
    _any_proxy_take_probe (peer, request, json_node_get_object (answer));
  reply (peer, seq, answer);
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

/* The "type" of an INTERNAL request, 0 when it has none. */
gint64
_any_internal_type_of (JsonNode *data)
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

void
_any_internal_handle (AnyPeer  *peer,
                      gint32    seq,
                      JsonNode *data)
{
  JsonObject *request = JSON_NODE_HOLDS_OBJECT (data) ? json_node_get_object (data) : NULL;
  gint64 type = _any_internal_type_of (data);

  switch (type)
    {
    case ANY_INTERNAL_SYNCED_TIME:
      reply_synced_time (peer, seq, request);
      break;
    case ANY_INTERNAL_RPC:
    case ANY_INTERNAL_RPC_NOTIFY:
      _any_rpc_handle (peer, seq, request, type == ANY_INTERNAL_RPC);
      break;
    case ANY_INTERNAL_PROXY:
      _any_socket_handle_proxy (peer, seq, request);
      break;
    case ANY_INTERNAL_NETWORK:
      _any_proxy_handle_network (peer, request);
      break;
      break;
    default:
      any_peer_disconnect (peer, "Invalid internal message");
      break;
    }
}
