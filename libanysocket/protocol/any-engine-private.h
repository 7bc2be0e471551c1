/* any-engine-private.h: the engine's state, shared by its three files
 *
 * any-engine.c (frames in and out, AUTH, held packets, closing),
 * any-heartbeat.c (pings, pongs and the lag) and any-e2e-switch.c
 * (starting and answering the E2E switch, pinned keys, capabilities).
 * Nothing outside protocol/ includes this.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "protocol/any-engine-types.h"
#include "protocol/any-reassembly.h"
#include "any-timers.h"

G_BEGIN_DECLS

typedef struct {
  AnyPacketType  type;
  gint32         seq;
  JsonNode      *data;   /* held_in */
  GString       *text;   /* held_out */
  GBytes        *bytes;  /* held_out, a binary message (any-engine-bytes.c) */
} HeldPacket;

struct _AnyEngine {
  AnyEngineRole             role;
  AnyEngineState            state;
  AnyTransport             *transport;
  const AnyEngineCallbacks *callbacks;
  gpointer                  user_data;
  GMainContext             *context;

  char                     *local_id;
  char                     *peer_id;
  JsonNode                 *auth_data;
  gint32                    seq;

  AnyReassembly            *reassembly;
  gsize                     max_message_size;

  /* LINK and INTERNAL packets wait here, in order, until connected. */
  GQueue                    held_in;
  gsize                     held_in_bytes;
  GQueue                    held_out;
  gboolean                  holding;    /* any_engine_set_holding() */

  /* End-to-end encryption: created once connected (it needs both ids). */
  AnyE2e                   *e2e;
  AnyNoiseKeypair          *identity;
  AnyE2ePolicy              e2e_policy;
  guint                     e2e_timeout_ms;
  char                     *peer_caps;
  gboolean                  local_mesh;  /* AnyEngineConfig.mesh */
  gboolean                  legacy_e2e_caps;
  gboolean                  peer_mesh;   /* its caps listed mesh version 1 */
  GString                  *plain;      /* decrypted chunk, reused */
  gboolean                  e2e_started_here;
  /* A proxied peer sends no AUTH: its capabilities come later, in its
   * probe (any_engine_set_peer_caps()). A switch asked for before then
   * waits for them, and so does everything sent after that request. */
  gboolean                  peer_caps_pending;
  gboolean                  e2e_start_pending;
  /* Compat, as the initiator: until the first chunk that decrypts, a
   * chunk in the clear is one the JavaScript responder serialized before
   * it switched (its request and message queues race with its SWITCH
   * answer, so some of its replies follow that answer unencrypted): taken
   * as plain text. Compat protects against a passive eavesdropper only,
   * and these bytes already crossed the wire in the clear. */
  gboolean                  compat_plain_grace;
  /* The peer's id has a pinned native key (any-trust.h): compat is
   * refused; and, on a direct link, @proving until the native switch,
   * started at once, proved that key: nothing but SWITCH and HEARTBEAT
   * may cross before, and the owner hears `connected` only after. */
  gboolean                  pinned;
  gboolean                  proving;

  /* Binary messages (any-engine-bytes.c): the peer advertised "bin" in
   * its caps; the chunks of the binary message being received. */
  gboolean                  peer_bin;
  gboolean                  peer_binfwd;
  gboolean                  bin_wait_caps;  /* bytes held until a proxied peer's caps come */
  GByteArray               *bin_in;
  /* A binary message being sealed frame by frame (any-engine-bytes.c):
   * the rest of it from bin_out_pos, one frame per turn of the main loop,
   * while what the application sends after it waits in held_out. */
  GBytes                   *bin_out;
  gsize                     bin_out_pos;
  gint32                    bin_out_seq;
  AnyTimer                  seal_timer;
  gint32                    bin_in_seq;

  gsize                     max_frame_size;   /* once authenticated */
  AnyTimers                *timers;     /* the context's, shared */
  AnyTimer                  auth_timer;
  AnyTimer                  e2e_timer;
  AnyTimer                  heartbeat_timer;
  guint                     heartbeat_interval_ms;
  gboolean                  received_since_tick;
  gboolean                  tick_moved;     /* into the peer's step, since our last ping */
  guint                     missed_heartbeats;
  gint64                    ping_sent_at;

  /* Callbacks may drop the owner's last reference, and with it the
   * engine: freeing is deferred until the outermost entry point returns. */
  guint                     busy;
  gboolean                  free_pending;
};

/* any-engine.c */
void      any_engine_really_free      (AnyEngine     *self);

/* Callbacks may drop the owner's last reference: every entry point
 * brackets its work with these. */
static inline void
any_engine_enter (AnyEngine *self)
{
  self->busy++;
}

static inline void
any_engine_leave (AnyEngine *self)
{
  if (--self->busy == 0 && self->free_pending)
    any_engine_really_free (self);
}

void      any_engine_fail             (AnyEngine     *self,
                                       const char    *reason);
void      any_engine_send_control     (AnyEngine     *self,
                                       AnyPacketType  type,
                                       JsonNode      *data);
void      any_engine_send_control_text (AnyEngine    *self,
                                        AnyPacketType type,
                                        const char   *json);
void      any_engine_flush_held_out   (AnyEngine     *self);
void      any_engine_on_seal_tick     (AnyTimer      *timer,
                                       gpointer       user_data);
void      any_engine_drop_bin_out     (AnyEngine     *self);
static inline gboolean
any_engine_is_held_type (AnyPacketType type)
{
  return type == ANY_PACKET_TYPE_LINK || type == ANY_PACKET_TYPE_INTERNAL;
}

/* any-engine-write.c */
AnyTransportLane any_engine_packet_lane (AnyEngine     *self,
                                       AnyPacketType  type);
void      any_engine_write_text       (AnyEngine     *self,
                                       AnyPacketType  type,
                                       gint32         seq,
                                       const char    *text,
                                       gsize          len);
/* A packet of @type sent now (not a reply) waits in held_out. */
gboolean  any_engine_should_hold      (AnyEngine     *self,
                                       AnyPacketType  type,
                                       gint32         reply_to);
gboolean  any_engine_is_encrypting    (AnyEngine     *self);
gint32    any_engine_next_seq         (AnyEngine     *self);

/* any-engine-bytes.c */
void      any_engine_read_bin_cap     (AnyEngine     *self,
                                       JsonObject    *holder);
void      any_engine_write_bytes      (AnyEngine     *self,
                                       gint32         seq,
                                       GBytes        *bytes);
gboolean  any_engine_sends_binary_chunks (AnyEngine  *self);
gboolean  any_engine_takes_binary_chunk (AnyEngine   *self,
                                       guint8         first);
void      any_engine_handle_binary_frame (AnyEngine  *self,
                                       const guint8  *data,
                                       gsize          len);

/* any-heartbeat.c */
void      any_engine_on_heartbeat_tick (AnyTimer     *timer,
                                       gpointer       user_data);
void      any_engine_start_heartbeat  (AnyEngine     *self);
void      any_engine_handle_heartbeat (AnyEngine     *self,
                                       JsonNode      *node);

/* any-e2e-switch.c */
void      any_engine_on_e2e_timeout   (AnyTimer      *timer,
                                       gpointer       user_data);
char     *any_engine_caps_to_string   (JsonObject    *holder);
gboolean  any_engine_caps_have_mesh   (JsonObject    *holder);
void      any_engine_create_e2e       (AnyEngine     *self);
void      any_engine_prove_pinned_key (AnyEngine     *self);
void      any_engine_fail_plain_from_pinned (AnyEngine *self,
                                       AnyPacketType  type);
void      any_engine_handle_switch    (AnyEngine     *self,
                                       JsonNode      *node);

G_END_DECLS
