/* any-mesh-e2e.h: end-to-end sessions between two mesh nodes
 *
 * Noise XX (crypto/any-noise.h) between the two ends' X25519 identities,
 * carried in DATA packets that the relays route by their header only.
 * The prologue is "AnyMesh-e2e-v1" || initiator node id || responder node
 * id; the responder's static key must be the one its signed announcement
 * carries, and so must the initiator's (checked by the responder against
 * its route to it). After the handshake every message is one SEALED DATA
 * packet: an explicit 8-byte nonce, then ChaCha20-Poly1305 over the
 * plaintext with the 44-byte DATA header (hop limit byte zeroed) as
 * associated data; a window of 64 nonces refuses replays. Out-of-order
 * delivery is fine; a lost packet is lost (requests time out above).
 *
 * The sessions sit on top of the core's routing (any_mesh_core_send_data()
 * goes out, the core's data callback comes in) and report to their owner
 * through the callback table. No I/O, no GObject; time is an argument.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

#include "crypto/any-noise.h"
#include "mesh/any-mesh-core.h"

G_BEGIN_DECLS

typedef struct _AnyMeshE2e AnyMeshE2e;

typedef struct {
  /* A plaintext from @src, authenticated end to end. */
  void (*deliver)   (gpointer      user_data,
                     const guint8 *src,
                     const guint8 *plain,
                     gsize         len);
  /* A session with @id is established: its key is proven; @rtt_ms is the
   * handshake's round trip (-1 for the responder). */
  void (*verified)  (gpointer      user_data,
                     const guint8 *id,
                     int           rtt_ms);
} AnyMeshE2eCallbacks;

typedef struct {
  guint64 sealed_sent;
  guint64 sealed_received;
  guint64 failed;          /* a handshake or a packet that did not verify */
  guint64 replayed;
  guint64 queued_dropped;  /* waiting messages dropped (no route, queue full, timeout) */
} AnyMeshE2eStats;

AnyMeshE2e *any_mesh_e2e_new      (AnyMeshCore             *core,
                                   AnyNoiseKeypair         *identity,
                                   const AnyMeshE2eCallbacks *callbacks,
                                   gpointer                 user_data);
void        any_mesh_e2e_free     (AnyMeshE2e              *self);
/* Seals @plain for @dst, starting a handshake first if needed (the
 * message waits for it). FALSE if @dst has no route. */
gboolean    any_mesh_e2e_send     (AnyMeshE2e              *self,
                                   const guint8            *dst,
                                   const guint8            *plain,
                                   gsize                    len,
                                   gint64                   now_ms);
/* A DATA packet for us (the core's data callback). */
void        any_mesh_e2e_receive  (AnyMeshE2e              *self,
                                   const AnyMeshData       *data,
                                   gint64                   now_ms);
/* Drops handshakes older than @timeout_ms and the sessions of nodes that
 * are gone. */
void        any_mesh_e2e_tick     (AnyMeshE2e              *self,
                                   guint                    timeout_ms,
                                   gint64                   now_ms);
/* The node is gone (or changed keys): forget its session. */
void        any_mesh_e2e_forget   (AnyMeshE2e              *self,
                                   const guint8            *id);
gboolean    any_mesh_e2e_is_verified (AnyMeshE2e           *self,
                                   const guint8            *id);
const AnyMeshE2eStats *any_mesh_e2e_get_stats (AnyMeshE2e  *self);

G_END_DECLS
