/* any-socket-host.c: what AnySocket's peers, INTERNAL requests and dialler report
 * to it (the AnyPeerHost, AnyInternalHost and AnyWsDialHost tables)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "any-error.h"
#include "any-enum-types.h"
#include "any-packet.h"
#include "any-peer.h"
#include "any-rpc-call.h"
#include "any-socket.h"
#include "api/any-hub.h"
#include "api/any-internal.h"
#include "api/any-peer-private.h"
#include "api/any-socket-private.h"
#include "api/any-socket-http.h"
#include "api/any-socket-tls.h"
#include "codec/any-id.h"
#include "protocol/any-trust.h"
#include "transport/any-ws-dial.h"
#include "crypto/any-noise.h"


/* Peers */

/* What peers and INTERNAL requests report to us (defined below, with
 * their callbacks). */
static const AnyPeerHost peer_host;
static const AnyInternalHost internal_host;

static AnyEngineConfig
engine_config (AnySocket *self)
{
  AnyEngineConfig config = {
    .local_id = self->id,
    .auth_data = self->auth_data,
    .heartbeat_interval_ms = self->heartbeat_interval,
    .auth_timeout_ms = self->auth_timeout,
    .max_message_size = MIN (self->max_message_size, G_MAXSIZE),
    .max_send_buffer = MIN (self->max_send_buffer, G_MAXSIZE),
    .max_partials = self->max_partial_messages,
    .identity = self->identity,
    .e2e_policy = self->e2e_policy,
    .e2e_timeout_ms = self->e2e_timeout,
    .mesh = self->mesh_host != NULL,
    .legacy_e2e_caps = self->legacy_e2e_caps,
  };

  return config;
}

static void
start_peer (AnySocket    *self,
            AnyTransport *transport,
            AnyEngineRole role,
            GTask        *connect_task)
{
  g_autoptr(AnyPeer) peer = _any_peer_new (&peer_host, self, transport, role);
  AnyEngineConfig config = engine_config (self);

  g_hash_table_insert (self->unauthenticated, g_object_ref (peer),
                       connect_task ? g_object_ref (connect_task) : NULL);
  any_transport_set_tcp_keepalive (transport, self->tcp_keepalive);
  _any_peer_start (peer, &config);
}

/* A fixed id, before any link, so that a fuzz input can address us. */
void
_any_socket_set_id_for_testing (AnySocket  *self,
                                const char *id)
{
  g_return_if_fail (any_id_is_valid (id));
  g_return_if_fail (g_hash_table_size (self->peers) == 0);

  g_free (self->id);
  self->id = g_strdup (id);
}

/* Lists only "noise-xx" in its caps, as libanysocket 0.1 did: native E2E
 * with ChaChaPoly (tests of the negotiation with an older peer). */
void
_any_socket_set_legacy_e2e_caps_for_testing (AnySocket *self)
{
  self->legacy_e2e_caps = TRUE;
}

/* Without its identity a socket offers no native E2E, as the JavaScript
 * peer: compat between two libanysocket peers (tests). */
void
_any_socket_drop_identity_for_testing (AnySocket *self)
{
  g_clear_pointer (&self->identity, any_noise_keypair_unref);
}

/* A link over any transport, as if accepted by a listener (or, below,
 * connected to): for tests and fuzzing, which feed the whole stack frames
 * without a socket. */
void
_any_socket_accept_transport (AnySocket    *self,
                              AnyTransport *transport)
{
  start_peer (self, transport, ANY_ENGINE_ROLE_SERVER, NULL);
}

/* Finished with any_socket_connect_finish(). */
void
_any_socket_connect_transport (AnySocket           *self,
                               AnyTransport        *transport,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);

  g_task_set_source_tag (task, any_socket_connect_async);
  start_peer (self, transport, ANY_ENGINE_ROLE_CLIENT, task);
}

/* The dialler's host (any-ws-dial.h) */

static void
dial_link (gpointer      host,
           AnyTransport *transport,
           GTask        *connect_task)
{
  start_peer (host, transport, connect_task != NULL ? ANY_ENGINE_ROLE_CLIENT : ANY_ENGINE_ROLE_SERVER,
              connect_task);
}

static void
dial_config (gpointer         host,
             AnyWsDialConfig *config)
{
  AnySocket *self = host;

  config->permessage_deflate = self->permessage_deflate;
  config->upgrade_timeout_ms = self->auth_timeout;
  config->connect_timeout_ms = self->auth_timeout > 0 ? self->auth_timeout : SOCKET_DEFAULT_AUTH_TIMEOUT;
  config->max_connections = self->max_connections;
  config->ws_protocols = _any_socket_http_get_protocols (self->http);
  config->tls_certificate = _any_socket_tls_get_certificate (self->tls);
  config->tls_database = _any_socket_tls_get_database (self->tls);
}

const AnyWsDialHost _any_socket_dial_host = {
  .link = dial_link,
  .config = dial_config,
  .http = _any_socket_http_dispatch,
};

static gboolean
peer_authenticate (gpointer     host,
                   AnyPeer     *peer,
                   const char  *peer_id,
                   JsonObject  *auth_packet,
                   char       **reason)
{
  AnySocket *self = host;
  gboolean accepted = TRUE;
  AnyPeer *known = g_hash_table_lookup (self->peers, peer_id);

  /* A peer we reach through a hub may connect directly: the direct link
   * wins once connected (peer_connected()). Any other second
   * link from a known id is refused. */
  if ((known != NULL && !any_peer_is_proxy (known)) || g_str_equal (peer_id, self->id) ||
      _any_links_is_pending (self->links, peer_id))
    {
      *reason = g_strdup ("Duplicated AnySocket ID found!");
      return FALSE;
    }

  /* With the peer first (its upgrade request's headers and cookies),
   * then without, as before 0.2. */
  g_signal_emit (self, _any_socket_signals[SOCKET_SIGNAL_AUTHENTICATE_PEER], 0, peer, peer_id,
                 json_object_get_member (auth_packet, "auth"), &accepted);
  if (accepted)
    g_signal_emit (self, _any_socket_signals[SOCKET_SIGNAL_AUTHENTICATE], 0, peer_id,
                   json_object_get_member (auth_packet, "auth"), &accepted);
  if (!accepted)
    {
      *reason = g_strdup ("Invalid Auth Packet!");
      return FALSE;
    }

  /* Looked at after the handlers: one may have pinned the key (anychat
   * does, from the stable id in "auth"). Such a link is connected, and
   * replaces a proxied one, only once it proved the key (any-trust.h). */
  if (g_hash_table_contains (self->pins, peer_id))
    _any_peer_require_pinned_key (peer, TRUE);
  return TRUE;
}

/* A direct link is connected (a pinned one after proving its key): a
 * direct one keeps the id (two links of the same key raced through their
 * switches); a proxied one stays until the other side has accepted the
 * direct link too (any-socket-links.c), which then takes over. */
static gboolean
take_over_id (AnySocket *self,
              AnyPeer   *peer)
{
  AnyPeer *known = g_hash_table_lookup (self->peers, any_peer_get_id (peer));
  gboolean pending = _any_links_is_pending (self->links, any_peer_get_id (peer));
  gpointer key, value;

  if (known == NULL && !pending)
    return TRUE;
  if (known == NULL || !any_peer_is_proxy (known) || pending)
    {
      any_peer_disconnect (peer, "Duplicated AnySocket ID found!");
      return FALSE;
    }
  if (g_hash_table_steal_extended (self->unauthenticated, peer, &key, &value))
    {
      g_autoptr(AnyPeer) stolen = key;
      g_autoptr(GTask) task = value;

      _any_links_hold (self->links, stolen, known, task);
    }
  return FALSE;
}

/* A peer is connected: the application hears of it, and a connect_async()
 * that made it completes. */
void
_any_socket_announce_peer (AnySocket *self,
                           AnyPeer   *peer,
                           GTask     *task)
{
  AnyPeer *replaced = g_hash_table_lookup (self->peers, any_peer_get_id (peer));

  if (replaced != NULL && any_peer_is_proxy (replaced))
    self->n_proxied--;
  if (any_peer_is_proxy (peer))
    self->n_proxied++;
  g_hash_table_insert (self->peers, g_strdup (any_peer_get_id (peer)), g_object_ref (peer));

  g_signal_emit (self, _any_socket_signals[SOCKET_SIGNAL_CONNECTED], 0, peer);

  if (task != NULL)
    {
      if (g_task_return_error_if_cancelled (task))
        any_peer_disconnect (peer, "Connect cancelled");
      else
        g_task_return_pointer (task, g_object_ref (peer), g_object_unref);
    }
}

/* A proxied peer leaves the table (a direct link replaced it) while its
 * link still drains: the application hears it is gone. */
void
_any_socket_retire_peer (AnySocket  *self,
                         AnyPeer    *peer,
                         const char *reason)
{
  g_autoptr(AnyPeer) stolen = g_object_ref (peer);

  if (g_hash_table_lookup (self->peers, any_peer_get_id (peer)) != peer)
    return;
  if (any_peer_is_proxy (peer))
    self->n_proxied--;
  g_hash_table_remove (self->peers, any_peer_get_id (peer));
  g_signal_emit (self, _any_socket_signals[SOCKET_SIGNAL_DISCONNECTED], 0, stolen, reason);
}

AnyHub *
_any_socket_get_hub (AnySocket *self)
{
  return self->hub;
}

AnyLinks *
_any_socket_get_links (AnySocket *self)
{
  return self->links;
}

GPtrArray *
_any_socket_get_reconnects (AnySocket *self)
{
  return self->reconnects;
}

static void
peer_connected (gpointer  host,
                AnyPeer  *peer)
{
  AnySocket *self = host;
  g_autoptr(GTask) task = NULL;
  g_autoptr(AnyPeer) held = NULL;
  gpointer key, value;

  if (any_peer_is_proxy (peer))
    held = g_object_ref (peer);
  else if (!g_hash_table_contains (self->unauthenticated, peer))
    return;
  else if (!take_over_id (self, peer))
    return;
  else if (g_hash_table_steal_extended (self->unauthenticated, peer, &key, &value))
    {
      held = key;
      task = value;
    }
  else
    return;
  _any_socket_announce_peer (self, peer, task);
}

static void
peer_message (gpointer   host,
              AnyPacket *packet)
{
  AnySocket *self = host;

  _any_links_seen (self->links, any_packet_get_peer (packet));
  g_signal_emit (host, _any_socket_signals[SOCKET_SIGNAL_MESSAGE], 0, packet);
}

static gboolean
peer_mesh (gpointer  host,
           AnyPeer  *peer,
           JsonNode *data)
{
  AnySocket *self = host;

  if (self->mesh_host != NULL)
    return self->mesh_host->packet (self->mesh, peer, data);
  /* The mesh is gone but the link still speaks it: drop its packets. */
  return JSON_NODE_HOLDS_OBJECT (data) && json_object_has_member (json_node_get_object (data), "anymesh");
}

static void
peer_mesh_ready (gpointer  host,
                 AnyPeer  *peer)
{
  AnySocket *self = host;

  if (self->mesh_host != NULL)
    self->mesh_host->ready (self->mesh, peer);
}

/* The mesh over this socket (api/any-mesh.c): links made from now on
 * advertise the mesh capability, and their mesh packets go to @host
 * (the mesh offers itself to the links already up: any-mesh-links.c). */
void
_any_socket_set_mesh (AnySocket               *self,
                      const AnySocketMeshHost *host,
                      gpointer                 mesh)
{
  self->mesh_host = host;
  self->mesh = mesh;
}

AnyNoiseKeypair *
_any_socket_get_identity (AnySocket *self)
{
  return self->identity;
}

static void
peer_heartbeat (gpointer  host,
                AnyPeer  *peer)
{
  g_signal_emit (host, _any_socket_signals[SOCKET_SIGNAL_HEARTBEAT], 0, peer);
}

/* RPC details are looked up, never made: methods come from the remote
 * peer, and quarks are never freed. A method no handler was connected to
 * by name has no quark, and reaches the handlers without a detail only. */
static gboolean
internal_has_rpc_handler (gpointer    host,
                          const char *method)
{
  return g_signal_has_handler_pending (host, _any_socket_signals[SOCKET_SIGNAL_RPC], g_quark_try_string (method), FALSE);
}

static gboolean
internal_rpc (gpointer    host,
              AnyRpcCall *call)
{
  gboolean handled = FALSE;

  g_signal_emit (host, _any_socket_signals[SOCKET_SIGNAL_RPC], g_quark_try_string (any_rpc_call_get_method (call)),
                 call, &handled);
  return handled;
}

static void
peer_disconnected (gpointer    host,
                   AnyPeer    *peer,
                   const char *reason)
{
  AnySocket *self = host;
  gpointer key, value;
  const char *id = any_peer_get_id (peer);

  if (g_hash_table_steal_extended (self->unauthenticated, peer, &key, &value))
    {
      G_GNUC_UNUSED g_autoptr(AnyPeer) stolen = key;   /* dropped at the end of the block */
      g_autoptr(GTask) task = value;

      if (_any_peer_get_unproven_id (stolen) != NULL)
        g_signal_emit (self, _any_socket_signals[SOCKET_SIGNAL_UNTRUSTED], 0, _any_peer_get_unproven_id (stolen), reason);
      if (task != NULL)
        g_task_return_new_error (task, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_AUTH_FAILED,
                                 _("Connection closed before AUTH completed: %s"), reason);
      return;
    }

  if (id != NULL && g_hash_table_lookup (self->peers, id) == peer)
    {
      g_autoptr(AnyPeer) stolen = g_object_ref (peer);

      g_hash_table_remove (self->peers, id);
      if (any_peer_is_proxy (peer))
        self->n_proxied--;
      if (!any_peer_is_proxy (peer))
        {
          _any_hub_peer_gone (self->hub, id);
          _any_proxy_close_via (self, peer, reason);
        }
      /* A proxied link starts connected: one to a pinned id that was
       * refused before it proved the key is untrusted too. */
      else if (_any_peer_get_unproven_id (peer) != NULL && any_trust_is_refusal (reason))
        g_signal_emit (self, _any_socket_signals[SOCKET_SIGNAL_UNTRUSTED], 0, id, reason);
      g_signal_emit (self, _any_socket_signals[SOCKET_SIGNAL_DISCONNECTED], 0, stolen, reason);
    }
  _any_links_peer_gone (self->links, peer, reason);
}

static guint
peer_reply_timeout (gpointer host)
{
  return ((AnySocket *) host)->reply_timeout;
}

/* A pinned fingerprint wins; then any verify-peer handler may refuse. */
static gboolean
peer_verify (gpointer      host,
             AnyPeer      *peer,
             const char   *id,
             const guint8 *remote_static,
             char        **reason)
{
  AnySocket *self = host;
  g_autofree char *fingerprint = any_noise_fingerprint (remote_static);
  const char *pinned = g_hash_table_lookup (self->pins, id);
  gboolean accepted = TRUE;

  if (pinned != NULL && !g_str_equal (pinned, fingerprint))
    {
      *reason = any_trust_changed_reason (id, pinned, fingerprint);
      return FALSE;
    }
  g_signal_emit (self, _any_socket_signals[SOCKET_SIGNAL_VERIFY_PEER], 0, peer, fingerprint, &accepted);
  if (!accepted)
    {
      *reason = g_strdup_printf ("E2E: the key of peer %s was refused (fingerprint %s)", id, fingerprint);
      return FALSE;
    }
  return TRUE;
}

static void
peer_e2e (gpointer  host,
          AnyPeer  *peer)
{
  g_signal_emit (host, _any_socket_signals[SOCKET_SIGNAL_E2E], 0, peer);
}

/* Proxying */

/* Returns a new reference (the peer table holds another). */
AnyPeer *
_any_socket_add_proxied_peer (AnySocket  *self,
                              AnyPeer    *via,
                              const char *peer_id)
{
  g_autoptr(AnyTransport) transport = _any_proxy_transport_new (via, self->id, peer_id);
  AnyPeer *peer = _any_peer_new (&peer_host, self, transport, ANY_ENGINE_ROLE_SERVER);
  AnyEngineConfig config = engine_config (self);

  /* Never compat with a pinned id. A proxied peer starts connected: its
   * owner calls any_peer_e2e(), the native switch then checks the pin. */
  if (g_hash_table_contains (self->pins, peer_id))
    _any_peer_require_pinned_key (peer, FALSE);

  /* Connected at once: the peer table and `connected` follow from it. */
  _any_peer_start_proxied (peer, via, &config, peer_id);
  return peer;
}

static void
internal_proxy (gpointer    host,
                AnyPeer    *from,
                gint32      seq,
                JsonObject *request)
{
  AnySocket *self = host;

  _any_hub_handle_proxy (self->hub, from, seq, request);
}

static void
peer_forward (gpointer          host,
              AnyPeer          *from,
              const guint8     *frame,
              gsize             len,
              const AnyForward *forward)
{
  AnySocket *self = host;

  _any_proxy_forward (self, self->hub, from, frame, len, forward);
}

static void
peer_internal (gpointer  host,
               AnyPeer  *peer,
               gint32    seq,
               JsonNode *data)
{
  AnySocket *self = host;
  gboolean links = _any_links_internal (self->links, peer, data);

  _any_internal_handle (&internal_host, host, peer, seq, data);
  if (links)
    _any_links_answered (self->links, peer);
}

static void
internal_network (gpointer    host,
                  AnyPeer    *hub,
                  JsonObject *msg)
{
  _any_proxy_handle_network (hub, msg);
}

static const AnyInternalHost internal_host = {
  .has_rpc_handler = internal_has_rpc_handler,
  .rpc = internal_rpc,
  .proxy = internal_proxy,
  .network = internal_network,
};

static const AnyPeerHost peer_host = {
  .authenticate = peer_authenticate,
  .connected = peer_connected,
  .message = peer_message,
  .heartbeat = peer_heartbeat,
  .internal = peer_internal,
  .forward = peer_forward,
  .verify_peer = peer_verify,
  .e2e = peer_e2e,
  .disconnected = peer_disconnected,
  .reply_timeout = peer_reply_timeout,
  .mesh = peer_mesh,
  .mesh_ready = peer_mesh_ready,
};

AnySocketHttp *
_any_socket_get_http (AnySocket *self)
{
  return self->http;
}

AnySocketTls *
_any_socket_get_tls (AnySocket *self)
{
  return self->tls;
}

AnyWsDial *
_any_socket_get_dial (AnySocket *self)
{
  return self->dial;
}
