/* any-mesh-links.c: what AnyMesh hears from below: its socket (mesh
 * packets, neighbours coming and going), the core (packets to send, routes,
 * publications, DATA), the end-to-end sessions, and its tick
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "any-error.h"
#include "api/any-mesh-private.h"
#include "api/any-peer-private.h"
#include "api/any-socket-private.h"
#include "codec/any-base64.h"

AnyMeshCore *
_any_mesh_get_core (AnyMesh *self)
{
  return self->core;
}

gint64
_any_mesh_now_ms (void)
{
  return g_get_monotonic_time () / 1000;
}

/* --- the socket below ------------------------------------------------------ */

static void
core_send (gpointer      user_data,
           gpointer      neighbour,
           const guint8 *data,
           gsize         len)
{
  g_autoptr(GString) text = g_string_sized_new (len * 4 / 3 + 4);
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(GError) error = NULL;

  any_base64_encode_append (text, data, len);
  json_object_set_string_member (object, "anymesh", text->str);
  json_node_set_object (node, object);
  if (!any_peer_send (neighbour, node, &error))
    g_debug ("Mesh packet to %s not sent: %s", any_peer_get_id (neighbour), error->message);
}

/* AnySocketMeshHost.packet: a LINK message of a mesh peer. */
static gboolean
socket_packet (gpointer  mesh,
               AnyPeer  *peer,
               JsonNode *data)
{
  AnyMesh *self = mesh;
  JsonObject *object;
  JsonNode *member;
  const char *text;
  gsize len;
  g_autoptr(GByteArray) bytes = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (data))
    return FALSE;
  object = json_node_get_object (data);
  member = json_object_get_member (object, "anymesh");
  if (member == NULL)
    return FALSE;
  if (json_object_get_size (object) != 1 || !JSON_NODE_HOLDS_VALUE (member)
      || json_node_get_value_type (member) != G_TYPE_STRING)
    return TRUE;  /* reserved on a mesh link: dropped */
  text = json_node_get_string (member);
  len = strlen (text);
  if (len / 4 * 3 > self->limits.max_message_size + 3)
    {
      any_mesh_core_count_oversized (self->core);   /* not even decoded */
      return TRUE;
    }
  bytes = g_byte_array_sized_new (len / 4 * 3 + 3);
  if (!any_base64_decode_strict ((const guint8 *) text, len, bytes))
    return TRUE;
  any_mesh_core_receive (self->core, peer, bytes->data, bytes->len, _any_mesh_now_ms ());
  return TRUE;
}

/* AnySocketMeshHost.ready: a probe showed both sides speak the mesh. */
static void
socket_ready (gpointer  mesh,
              AnyPeer  *peer)
{
  AnyMesh *self = mesh;

  any_mesh_core_add_neighbour (self->core, peer, _any_mesh_now_ms ());
}

const AnySocketMeshHost _any_mesh_socket_host = {
  .packet = socket_packet,
  .ready = socket_ready,
};

/* A link whose AUTH said the mesh both ways is a neighbour at once. Any
 * other (made before the mesh, or proxied through a hub, whose caps come
 * later) gets a probe with our caps: it becomes a neighbour on both sides
 * when the probe shows both speak the mesh (socket_ready). */
void
_any_mesh_on_connected (AnySocket *socket,
              AnyPeer   *peer,
              AnyMesh   *self)
{
  if (_any_peer_has_mesh (peer))
    any_mesh_core_add_neighbour (self->core, peer, _any_mesh_now_ms ());
  else
    _any_peer_offer_mesh (peer);
}

/* The links the socket had before the mesh was created. */
void
_any_mesh_adopt_links (AnyMesh *self)
{
  GList *peers = any_socket_get_peers (self->socket);

  for (GList *l = peers; l != NULL; l = l->next)
    _any_peer_offer_mesh (l->data);
  g_list_free (peers);
}

void
_any_mesh_on_disconnected (AnySocket  *socket,
                 AnyPeer    *peer,
                 const char *reason,
                 AnyMesh    *self)
{
  any_mesh_core_remove_neighbour (self->core, peer, _any_mesh_now_ms ());
}

/* --- what the core reports ------------------------------------------------- */

static void
core_route_added (gpointer            user_data,
                  const AnyMeshRoute *route)
{
  AnyMesh *self = user_data;
  g_autofree char *id = any_ed25519_node_id_hex (route->id);
  AnyMeshNode *node = _any_mesh_node_new (id, route->sign_pub);

  _any_mesh_node_set_route (node, route->hops, route->next_hop);
  _any_mesh_node_set_pinned (node, _any_mesh_is_pinned (self, id, any_mesh_node_get_fingerprint (node)));
  g_hash_table_replace (self->nodes, g_strdup (id), node);
  _any_mesh_emit_node (self, TRUE, node);
  if (route->next_hop != NULL)
    _any_mesh_flush_waiting (self, id);
}

static void
core_route_changed (gpointer            user_data,
                    const AnyMeshRoute *route)
{
  AnyMesh *self = user_data;
  g_autofree char *id = any_ed25519_node_id_hex (route->id);
  AnyMeshNode *node = g_hash_table_lookup (self->nodes, id);

  if (node != NULL)
    _any_mesh_node_set_route (node, route->hops, route->next_hop);
  if (route->next_hop != NULL)
    _any_mesh_flush_waiting (self, id);
}

static void
core_route_removed (gpointer      user_data,
                    const guint8 *raw_id)
{
  AnyMesh *self = user_data;
  g_autofree char *id = any_ed25519_node_id_hex (raw_id);
  g_autoptr(AnyMeshNode) node = NULL;
  gpointer key;

  any_mesh_e2e_forget (self->e2e, raw_id);
  if (!g_hash_table_steal_extended (self->nodes, id, &key, (gpointer *) &node))
    return;
  g_free (key);
  _any_mesh_node_set_reachable (node, FALSE);
  _any_mesh_node_set_verified (node, FALSE);
  _any_mesh_fail_requests (self, id, _("The mesh has no route to the node any more"));
  _any_mesh_emit_node (self, FALSE, node);
}

static void
core_message (gpointer              user_data,
              const AnyMeshPublish *pub)
{
  AnyMesh *self = user_data;
  g_autofree char *topic = g_strndup (pub->topic, pub->topic_len);
  g_autoptr(JsonParser) parser = NULL;
  guint8 raw_id[ANY_MESH_NODE_ID_LEN];
  g_autofree char *author = NULL;
  g_autofree char *fingerprint = NULL;

  if (!g_hash_table_contains (self->subscriptions, topic))
    return;
  parser = json_parser_new_immutable ();
  if (!g_utf8_validate ((const char *) pub->payload, pub->payload_len, NULL)
      || !json_parser_load_from_data (parser, (const char *) pub->payload, pub->payload_len, NULL)
      || json_parser_get_root (parser) == NULL)
    {
      self->bad_json++;
      return;
    }
  any_ed25519_node_id (pub->author, raw_id);
  author = any_ed25519_node_id_hex (raw_id);
  fingerprint = any_ed25519_fingerprint (pub->author);
  _any_mesh_set_delivering (self, pub);
  _any_mesh_emit_message (self, topic, author, fingerprint, json_parser_get_root (parser));
  _any_mesh_set_delivering (self, NULL);
}

static void
core_data (gpointer           user_data,
           const AnyMeshData *data)
{
  AnyMesh *self = user_data;

  any_mesh_e2e_receive (self->e2e, data, _any_mesh_now_ms ());
}

static gboolean
core_accept (gpointer      user_data,
             const guint8 *id,
             const guint8 *sign_pub)
{
  return _any_mesh_accept_key (user_data, id, sign_pub);
}

const AnyMeshCoreCallbacks _any_mesh_core_callbacks = {
  .send = core_send,
  .accept = core_accept,
  .route_added = core_route_added,
  .route_changed = core_route_changed,
  .route_removed = core_route_removed,
  .message = core_message,
  .data = core_data,
};

const AnyMeshE2eCallbacks _any_mesh_e2e_callbacks = {
  .deliver = _any_mesh_deliver,
  .verified = _any_mesh_verified,
};

static gboolean
on_tick (gpointer user_data)
{
  AnyMesh *self = user_data;
  gint64 now = _any_mesh_now_ms ();

  any_mesh_core_tick (self->core, now);
  any_mesh_e2e_tick (self->e2e, self->request_timeout, now);
  _any_mesh_expire_waiting (self, now, FALSE);
  _any_mesh_ping_tick (self, now);
  return G_SOURCE_CONTINUE;
}

void
_any_mesh_restart_tick (AnyMesh *self)
{
  if (self->tick != NULL)
    {
      g_source_destroy (self->tick);
      g_source_unref (self->tick);
    }
  self->tick = g_timeout_source_new (MAX (self->limits.gossip_interval_ms, 10));
  /* A random phase: meshes started together (one process, one boot) do
   * not tick in step, or neighbours at the same distance from a node
   * would relay its announcements to each other at the same instant,
   * before either knew the other had them (any-mesh-core.c). */
  g_source_set_ready_time (self->tick, g_get_monotonic_time ()
                           + g_random_int_range (0, MAX (self->limits.gossip_interval_ms, 10)) * 1000);
  g_source_set_callback (self->tick, on_tick, self, NULL);
  g_source_set_static_name (self->tick, "[anysocket] mesh tick");
  g_source_attach (self->tick, g_main_context_get_thread_default ());
}

void
_any_mesh_apply_limits (AnyMesh *self)
{
  AnyMeshLimits limits = self->limits;

  if (limits.route_lifetime_ms == 0)
    limits.route_lifetime_ms = 3 * limits.announce_interval_ms;
  any_mesh_core_set_limits (self->core, &limits);
}
