/* any-engine.h: the protocol engine of one connection (PROTOCOL.md 2-5)
 *
 * The engine owns the connection's state (auth, connected, closed), its seq
 * counter, reassembly, the held-back queues and the heartbeat. It knows
 * nothing of AnySocket or AnyPeer: it talks to a transport below and to
 * its owner through AnyEngineCallbacks, so tests can drive it with a fake
 * transport.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "protocol/any-engine-types.h"

G_BEGIN_DECLS

AnyEngine      *any_engine_new         (AnyEngineRole              role,
                                        AnyTransport              *transport,
                                        const AnyEngineCallbacks  *callbacks,
                                        gpointer                   user_data);
void            any_engine_free        (AnyEngine                 *self);
void            any_engine_start       (AnyEngine                 *self,
                                        const AnyEngineConfig     *config);
void            any_engine_start_connected (AnyEngine             *self,
                                        const AnyEngineConfig     *config,
                                        const char                *peer_id);
void            any_engine_set_peer_caps (AnyEngine               *self,
                                        JsonObject                *holder);
gboolean        any_engine_get_peer_caps_pending (AnyEngine       *self);
/* Both sides advertised the mesh capability (in AUTH or a later probe). */
gboolean        any_engine_get_peer_mesh (AnyEngine               *self);
/* A mesh created over a link that is already up: our caps say "mesh"
 * from now on (a probe tells the peer). */
void            any_engine_set_local_mesh (AnyEngine              *self);
/* A probe's caps (@holder, or NULL) that list the mesh turn it on for the
 * peer; never off (its mesh packets must never reach the application). */
void            any_engine_take_peer_mesh (AnyEngine              *self,
                                        JsonObject                *holder);
void            any_engine_add_local_caps (AnyEngine              *self,
                                        JsonObject                *object);
gboolean        any_engine_send_frame  (AnyEngine                 *self,
                                        GBytes                    *frame,
                                        GError                   **error);
AnyEngineState  any_engine_get_state   (AnyEngine                 *self);
const char     *any_engine_get_peer_id (AnyEngine                 *self);
void            any_engine_set_heartbeat_interval (AnyEngine      *self,
                                        guint                      interval_ms);
gint32          any_engine_send        (AnyEngine                 *self,
                                        AnyPacketType              type,
                                        gint32                     reply_to,
                                        JsonNode                  *data,
                                        GError                   **error);
/* A binary LINK message (any-engine-bytes.c): a reply to @reply_to, or
 * a new message (0). Fails with NOT_SUPPORTED when the peer or the
 * transport has no binary kind. */
gint32          any_engine_send_bytes  (AnyEngine                 *self,
                                        gint32                     reply_to,
                                        GBytes                    *bytes,
                                        GError                   **error);
gboolean        any_engine_can_send_bytes (AnyEngine              *self);
/* One packet (not a reply) for many links, serialised once
 * (any-engine-shared.c): the seq this link would give it, 0 when it
 * cannot take a shared frame; the frame, with the highest of those seqs,
 * NULL when it is too big for one chunk; and the send, FALSE when this
 * link must use any_engine_send() instead. */
gint32          any_engine_peek_shared_seq (AnyEngine             *self,
                                        AnyPacketType              type);
AnySharedFrame *any_engine_encode_shared (AnyPacketType            type,
                                        gint32                     seq,
                                        JsonNode                  *data,
                                        gsize                     *body_len);
gboolean        any_engine_send_shared (AnyEngine                 *self,
                                        AnyPacketType              type,
                                        gint32                     seq,
                                        AnySharedFrame            *frame,
                                        gsize                      body_len);
void            any_engine_close       (AnyEngine                 *self,
                                        const char                *reason);
/* TRUE: LINK and INTERNAL packets the owner sends (not replies) wait, in
 * order, until FALSE (a direct link taking over a proxied one waits for
 * what went through the hub: api/any-socket-links.c). */
void            any_engine_set_holding (AnyEngine                 *self,
                                        gboolean                   holding);
gboolean        any_engine_start_e2e   (AnyEngine                 *self,
                                        GError                   **error);
AnyE2eMode      any_engine_get_e2e_mode (AnyEngine                *self);
const char     *any_engine_get_e2e_cipher (AnyEngine              *self);
gsize           any_engine_get_bytes_unsealed (AnyEngine          *self);
gboolean        any_engine_takes_binary_forward (AnyEngine        *self);
gboolean        any_engine_send_frame_full (AnyEngine             *self,
                                            GBytes                *frame,
                                            gboolean               binary,
                                            GError               **error);
const char     *any_engine_local_e2e_caps (AnyEngine              *self);
void            any_engine_require_pinned_key (AnyEngine          *self,
                                        gboolean                   prove_first);
const guint8   *any_engine_get_remote_static (AnyEngine           *self);

/* Tests only: native E2E rekeys every @interval chunks (after the switch). */
void            any_engine_set_rekey_interval_for_testing (AnyEngine *self,
                                        guint64                    interval);
/* Tests only: the seq the next packet follows (to test the wrap). */
void            any_engine_set_last_seq_for_testing (AnyEngine    *self,
                                        gint32                     seq);

G_END_DECLS
