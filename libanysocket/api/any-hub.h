/* any-hub.h: relaying between peers that proxy through us (PROTOCOL.md 8)
 *
 * The hub side of proxying: which direct peers are linked, answering
 * PROXY requests, relaying FORWARD frames between linked peers and telling
 * linked peers when one leaves.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "any-peer.h"

G_BEGIN_DECLS

typedef struct _AnyHub AnyHub;

/* What the hub needs from the socket it serves, handed to it at
 * construction: the hub never sees the AnySocket. */
typedef struct {
  /* The application's say on a PROXY request that passed the checks. */
  gboolean    (*allow_proxy)     (gpointer    host,
                                  AnyPeer    *from,
                                  const char *target_id);
  /* The connected (or proxied) peer with @id, or NULL; borrowed. */
  AnyPeer    *(*lookup_peer)     (gpointer    host,
                                  const char *id);
  const char *(*local_id)        (gpointer    host);
  /* What a requester may send to a target that has not confirmed its
   * link yet (the socket's max-send-buffer); 0: no limit per pair. */
  guint64     (*max_send_buffer) (gpointer    host);
} AnyHubHost;

/* @host and @host_data must outlive the hub (the socket owns it). */
AnyHub   *_any_hub_new           (const AnyHubHost *host,
                                  gpointer          host_data);
/* Confirmations still on their way then find nothing to do. */
void      _any_hub_free          (AnyHub           *self);

/* An INTERNAL PROXY packet from a direct peer (`proxy` or `unproxy`). */
void      _any_hub_handle_proxy  (AnyHub           *self,
                                  AnyPeer          *from,
                                  gint32            seq,
                                  JsonObject       *request);
/* A FORWARD frame from @from for another peer (a binary frame when
 * @binary). FALSE with @reason when @from broke the rules and must be
 * disconnected. */
gboolean  _any_hub_relay         (AnyHub           *self,
                                  AnyPeer          *from,
                                  const guint8     *frame,
                                  gsize             len,
                                  gboolean          binary,
                                  const char       *to_id,
                                  char            **reason);
/* A direct peer left: its links go, linked peers hear of it. */
void      _any_hub_peer_gone     (AnyHub           *self,
                                  const char       *id);
gboolean  _any_hub_is_linked     (AnyHub           *self,
                                  const char       *a,
                                  const char       *b);
/* The ids linked to @id, sorted (never NULL). */
GPtrArray *_any_hub_dup_links    (AnyHub           *self,
                                  const char       *id);

G_END_DECLS
