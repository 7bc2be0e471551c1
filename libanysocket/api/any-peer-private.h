/* any-peer-private.h: AnyPeer as its socket and the API objects use it
 *
 * A peer reports upward only through the AnyPeerHost its socket hands it
 * at construction: it calls no function of AnySocket.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "any-peer.h"
#include "codec/any-codec.h"
#include "protocol/any-engine.h"
#include "protocol/any-requests.h"
#include "transport/any-transport.h"

G_BEGIN_DECLS

/* What a peer tells the socket that owns it. @host is the socket given
 * to _any_peer_new(); no callback is called once it is gone. */
typedef struct {
  /* The other side's AUTH: FALSE and @reason to refuse the link. */
  gboolean (*authenticate)  (gpointer          host,
                             AnyPeer          *peer,
                             const char       *peer_id,
                             JsonObject       *auth_packet,
                             char            **reason);
  void     (*connected)     (gpointer          host,
                             AnyPeer          *peer);
  /* A message (not a reply) on a connected link, after the peer's own
   * signal. */
  void     (*message)       (gpointer          host,
                             AnyPacket        *packet);
  void     (*heartbeat)     (gpointer          host,
                             AnyPeer          *peer);
  /* An INTERNAL request (not a reply): answering it is the host's job. */
  void     (*internal)      (gpointer          host,
                             AnyPeer          *peer,
                             gint32            seq,
                             JsonNode         *data);
  /* A FORWARD frame on a direct link (AnyEngineCallbacks.forward). */
  void     (*forward)       (gpointer          host,
                             AnyPeer          *from,
                             const guint8     *frame,
                             gsize             len,
                             const AnyForward *forward);
  /* The static key a native E2E handshake presented (32 bytes): FALSE
   * and @reason to refuse it. */
  gboolean (*verify_peer)   (gpointer          host,
                             AnyPeer          *peer,
                             const char       *peer_id,
                             const guint8     *remote_static,
                             char            **reason);
  /* A connected link is now end-to-end encrypted. */
  void     (*e2e)           (gpointer          host,
                             AnyPeer          *peer);
  /* Called once, whoever closed, after the peer's own signal. */
  void     (*disconnected)  (gpointer          host,
                             AnyPeer          *peer,
                             const char       *reason);
  /* What a request waits for its reply when its caller said 0. */
  guint    (*reply_timeout) (gpointer          host);
  /* A LINK message from a peer that speaks the mesh: TRUE if it was a
   * mesh packet (then nobody else sees it). */
  gboolean (*mesh)          (gpointer          host,
                             AnyPeer          *peer,
                             JsonNode         *data);
  /* The link speaks the mesh now (a probe told, after AUTH). */
  void     (*mesh_ready)    (gpointer          host,
                             AnyPeer          *peer);
} AnyPeerHost;

/* @socket is the host: a weak pointer, the socket owns the peer. */
AnyPeer   *_any_peer_new            (const AnyPeerHost *host,
                                     AnySocket      *socket,
                                     AnyTransport   *transport,
                                     AnyEngineRole   role);
void       _any_peer_start          (AnyPeer        *self,
                                     const AnyEngineConfig *config);
void       _any_peer_detach         (AnyPeer        *self);
void       _any_peer_set_heartbeat_interval (AnyPeer *self,
                                     guint           interval_ms);
void       _any_peer_request        (AnyPeer        *self,
                                     AnyPacketType   type,
                                     JsonNode       *msg,
                                     guint           timeout_ms,
                                     GCancellable   *cancellable,
                                     gpointer        source_tag,
                                     GAsyncReadyCallback callback,
                                     gpointer        user_data);
gint32     _any_peer_send_packet    (AnyPeer        *self,
                                     AnyPacketType   type,
                                     gint32          reply_to,
                                     JsonNode       *msg,
                                     GError        **error);
/* The same packet to many peers (api/any-fanout.c, any-engine.h). */
gint32     _any_peer_peek_shared_seq (AnyPeer       *self,
                                     AnyPacketType   type);
gboolean   _any_peer_send_shared    (AnyPeer        *self,
                                     AnyPacketType   type,
                                     gint32          seq,
                                     AnySharedFrame *frame,
                                     gsize           body_len);
/* Answers the INTERNAL request @seq (nothing for seq 0, which is no
 * request); a failure is only logged. */
void       _any_peer_reply_internal (AnyPeer        *self,
                                     gint32          seq,
                                     JsonNode       *msg);

void       _any_peer_retire         (AnyPeer        *self);
void       _any_peer_set_holding    (AnyPeer        *self,
                                     gboolean        holding);

gboolean   _any_peer_send_frame     (AnyPeer        *self,
                                     GBytes         *frame,
                                     GError        **error);
void       _any_peer_start_proxied  (AnyPeer        *self,
                                     AnyPeer        *via,
                                     const AnyEngineConfig *config,
                                     const char     *peer_id);
void       _any_peer_deliver_forwarded (AnyPeer     *self,
                                     const guint8   *inner,
                                     gsize           inner_len,
                                     gboolean        is_text);
gboolean   _any_peer_send_binary_frame (AnyPeer     *self,
                                     GBytes         *frame,
                                     GError        **error);
gboolean   _any_peer_takes_binary_forward (AnyPeer  *self);
void       _any_peer_close_proxied  (AnyPeer        *self,
                                     const char     *reason);
/* A proxied peer's probe (a SYNCED_TIME @request with "caps") came in:
 * our capabilities go into its @answer. */
void       _any_peer_take_probe     (AnyPeer        *self,
                                     JsonObject     *request,
                                     JsonObject     *answer);
void       _any_peer_require_pinned_key (AnyPeer    *self,
                                     gboolean        prove_first);
const char *_any_peer_get_unproven_id (AnyPeer      *self);
/* Whether any_peer_disconnect() closed it (not the other side or the
 * network): a reconnecting connect stops then. */
gboolean    _any_peer_was_closed_here (AnyPeer      *self);
/* Binary messages: any-peer.c for any-peer-bytes.c and any-packet.c */
gint32      _any_peer_send_bytes  (AnyPeer      *self,
                                   gint32        reply_to,
                                   GBytes       *bytes,
                                   GError      **error);
/* Takes @task; @error (not taken) when @seq is 0: the send failed. */
void        _any_peer_wait_reply  (AnyPeer      *self,
                                   gint32        seq,
                                   GTask        *task,
                                   GError       *error,
                                   guint         timeout_ms,
                                   GCancellable *cancellable);
gboolean    _any_peer_is_pinned       (AnyPeer      *self);
const char *_any_peer_get_e2e_cipher  (AnyPeer      *self);
void        _any_peer_send_probe      (AnyPeer      *self);
gsize       _any_peer_get_bytes_unsealed (AnyPeer   *self);
gboolean    _any_peer_has_mesh        (AnyPeer      *self);
void        _any_peer_offer_mesh      (AnyPeer      *self);
AnyUpgradeRequest *_any_peer_get_upgrade_request (AnyPeer *self);

/* The object, for its files: any-peer.c (the class, what its engine
 * reports), any-peer-send.c, any-peer-e2e.c */
struct _AnyPeer
{
  GObject       parent_instance;

  const AnyPeerHost *host;
  AnySocket    *socket;          /* weak pointer: the socket owns us; the
                                  * host's data, NULL once it is gone */
  AnyPeer      *via;             /* the hub of a proxied peer, else NULL */
  AnyTransport *transport;
  AnyEngine    *engine;

  char         *id;
  char         *connection_id;
  int           lag;
  gboolean      was_connected;
  gboolean      probe_sent;
  gboolean      pinned;          /* its id's key is pinned (any-trust.h) */
  gboolean      retired;         /* replaced by a direct link, draining
                                  * (api/any-socket-links.c) */
  gboolean      closed_here;     /* any_peer_disconnect() was called: no
                                  * reconnecting (any-socket-reconnect.c) */

  AnyRequests  *requests;        /* waiting for their replies */
};

G_END_DECLS
