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

#include <json-glib/json-glib.h>
#include "any-error.h"
#include "any-types.h"
#include "codec/any-codec.h"
#include "protocol/any-e2e.h"
#include "transport/any-transport.h"

G_BEGIN_DECLS

typedef enum {
  ANY_ENGINE_ROLE_CLIENT,   /* sends AUTH first */
  ANY_ENGINE_ROLE_SERVER,   /* waits for the client's AUTH */
} AnyEngineRole;

typedef enum {
  ANY_ENGINE_STATE_NEW,
  ANY_ENGINE_STATE_AUTHENTICATING,
  ANY_ENGINE_STATE_CONNECTED,
  ANY_ENGINE_STATE_CLOSED,
} AnyEngineState;

typedef struct {
  /* The other side's AUTH object (id already checked to be a non-empty
   * string). Return FALSE and set @reason to refuse the link. */
  gboolean (*authenticate) (gpointer     user_data,
                            const char  *peer_id,
                            JsonObject  *auth_packet,
                            char       **reason);
  void     (*connected)    (gpointer     user_data);
  /* A LINK or INTERNAL packet (a reply when @seq < 0). @data is owned by
   * the callee. */
  void     (*packet)       (gpointer       user_data,
                            AnyPacketType  type,
                            gint32         seq,
                            JsonNode      *data);
  void     (*heartbeat)    (gpointer     user_data,
                            int          lag_ms);
  /* A FORWARD frame (PROTOCOL.md 8): @frame is all of it, @forward its
   * decoded header pointing into it. NULL drops them. */
  void     (*forward)      (gpointer          user_data,
                            const guint8     *frame,
                            gsize             len,
                            const AnyForward *forward);
  /* A native E2E handshake presents the peer's static key (32 bytes):
   * return FALSE and set @reason to refuse it. NULL accepts. */
  gboolean (*verify_peer)  (gpointer      user_data,
                            const guint8 *remote_static,
                            char        **reason);
  /* The link is now end-to-end encrypted. */
  void     (*e2e)          (gpointer     user_data);
  /* Called once, whoever closed. */
  void     (*closed)       (gpointer     user_data,
                            const char  *reason);
} AnyEngineCallbacks;

typedef struct {
  const char *local_id;
  JsonNode   *auth_data;             /* nullable; sent as AUTH's "auth" */
  guint       heartbeat_interval_ms; /* 0 disables the heartbeat */
  guint       auth_timeout_ms;       /* 0 disables the auth timeout */
  gsize       max_message_size;
  gsize       max_send_buffer;       /* 0: no limit (any-transport.h) */
  guint       max_partials;
  AnyNoiseKeypair *identity;         /* nullable: then no native E2E */
  AnyE2ePolicy e2e_policy;
  guint       e2e_timeout_ms;
} AnyEngineConfig;

typedef struct _AnyEngine AnyEngine;

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
void            any_engine_close       (AnyEngine                 *self,
                                        const char                *reason);
gboolean        any_engine_start_e2e   (AnyEngine                 *self,
                                        GError                   **error);
AnyE2eMode      any_engine_get_e2e_mode (AnyEngine                *self);
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
