/* any-engine-types.h: what the protocol engine and its owner share
 *
 * The engine's role and state, the callbacks it reports through and its
 * configuration; any-engine.h declares the engine's functions,
 * any-engine-private.h its state (for the engine's own files).
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
  /* A binary LINK message (a reply when @seq < 0): any-engine-bytes.c.
   * @bytes is the callee's to reference. */
  void     (*packet_bytes) (gpointer       user_data,
                            gint32         seq,
                            GBytes        *bytes);
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
  gboolean    mesh;                  /* advertise the mesh capability */
  gboolean    legacy_e2e_caps;       /* tests: list only "noise-xx", as 0.1 did */
} AnyEngineConfig;

typedef struct _AnyEngine AnyEngine;

G_END_DECLS
