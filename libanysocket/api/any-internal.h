/* any-internal.h: answering INTERNAL requests (PROTOCOL.md 7)
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "any-peer.h"
#include "any-rpc-call.h"

G_BEGIN_DECLS

/* What only the socket can do with an INTERNAL request, handed to
 * _any_internal_handle() by the socket (its AnyPeerHost.internal). */
typedef struct {
  /* RPC: whether a handler serves @method ("a.b"), then the call for it
   * (FALSE when no handler took it). */
  gboolean (*has_rpc_handler) (gpointer     host,
                               const char  *method);
  gboolean (*rpc)             (gpointer     host,
                               AnyRpcCall  *call);
  /* PROXY, to us as a hub. */
  void     (*proxy)           (gpointer     host,
                               AnyPeer     *from,
                               gint32       seq,
                               JsonObject  *request);
  /* NETWORK, from a hub. */
  void     (*network)         (gpointer     host,
                               AnyPeer     *hub,
                               JsonObject  *msg);
} AnyInternalHost;

void      _any_internal_handle (const AnyInternalHost *host,
                                gpointer          host_data,
                                AnyPeer          *peer,
                                gint32            seq,
                                JsonNode         *data);

G_END_DECLS
