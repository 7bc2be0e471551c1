/* any-internal.c: answering INTERNAL requests (PROTOCOL.md 7)
 *
 * The JavaScript peer sends INTERNAL requests for RPC, synced time and
 * proxying and waits for the answers; one that never comes costs it the
 * whole link (its reply timeout disconnects). So every request type gets
 * the answer the JavaScript peer expects: SYNCED_TIME and RPC are
 * answered here (the messages come from protocol/), PROXY and NETWORK go
 * to the socket's hub and proxy code through the AnyInternalHost.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "api/any-internal.h"
#include "api/any-peer-private.h"
#include "api/any-rpc-call-private.h"
#include "api/any-socket-private.h"
#include "protocol/any-internal-msg.h"
#include "protocol/any-rpc-wire.h"

static void
reply_synced_time (AnyPeer    *peer,
                   gint32      seq,
                   JsonObject *request)
{
  g_autoptr(JsonNode) answer = any_internal_synced_time_answer (request);

  /* A proxied peer's probe: it learns our capabilities, we learn its. */
  if (json_object_has_member (request, "caps"))
    _any_peer_take_probe (peer, request, json_node_get_object (answer));
  /* A direct link's probe (any-socket-links.c): we too drain the
   * proxied link before this one takes over. */
  if (json_object_has_member (request, "links") && any_peer_get_socket (peer) != NULL &&
      _any_links_will_fence (_any_socket_get_links (any_peer_get_socket (peer)), peer))
    json_object_set_int_member (json_node_get_object (answer), "links", 1);
  _any_peer_reply_internal (peer, seq, answer);
}

/* An RPC (@wants_reply) or RPC_NOTIFY request from @peer. */
static void
handle_rpc (const AnyInternalHost *host,
            gpointer               host_data,
            AnyPeer               *peer,
            gint32                 seq,
            JsonObject            *request,
            gboolean               wants_reply)
{
  g_autofree char *path = _any_rpc_method_path (request);
  g_autoptr(JsonNode) params = NULL;
  g_autoptr(GPtrArray) param_bytes = NULL;
  g_autoptr(AnyRpcCall) call = NULL;
  g_autofree char *problem = NULL;

  /* Seq 0 is no request: there is no way to answer it. */
  wants_reply = wants_reply && seq > 0;

  /* The method first, as the JavaScript peer: an unknown method with bad
   * params is a 404. Nothing is decoded for a method nobody serves. */
  if (path == NULL || !host->has_rpc_handler (host_data, path))
    {
      if (wants_reply)
        {
          g_autoptr(JsonNode) answer = _any_rpc_not_found_answer (request);

          _any_peer_reply_internal (peer, seq, answer);
        }
      else
        g_debug ("RPC notification '%s' from %s: method not found", path != NULL ? path : "(none)",
                 any_peer_get_id (peer));
      return;
    }

  if (!_any_rpc_read_params (request, &params, &param_bytes, &problem))
    {
      g_debug ("Refused RPC '%s' from %s: %s", path, any_peer_get_id (peer), problem);
      if (wants_reply)
        {
          g_autoptr(JsonNode) answer = _any_rpc_error_answer (problem, path, 500);

          _any_peer_reply_internal (peer, seq, answer);
        }
      return;
    }

  call = _any_rpc_call_new_incoming (peer, seq, path, params, param_bytes, wants_reply);
  if (!host->rpc (host_data, call))
    _any_rpc_call_complete_unhandled (call);
  /* The last reference of a call no handler kept: finalizing answers it
   * if nobody did. */
}

void
_any_internal_handle (const AnyInternalHost *host,
                      gpointer               host_data,
                      AnyPeer               *peer,
                      gint32                 seq,
                      JsonNode              *data)
{
  JsonObject *request = JSON_NODE_HOLDS_OBJECT (data) ? json_node_get_object (data) : NULL;
  gint64 type = any_internal_type_of (data);

  switch (type)
    {
    case ANY_INTERNAL_SYNCED_TIME:
      reply_synced_time (peer, seq, request);
      break;
    case ANY_INTERNAL_RPC:
    case ANY_INTERNAL_RPC_NOTIFY:
      handle_rpc (host, host_data, peer, seq, request, type == ANY_INTERNAL_RPC);
      break;
    case ANY_INTERNAL_PROXY:
      if (request != NULL)
        host->proxy (host_data, peer, seq, request);
      break;
    case ANY_INTERNAL_NETWORK:
      host->network (host_data, peer, request);
      break;
    default:
      any_peer_disconnect (peer, "Invalid internal message");
      break;
    }
}
