/* any-mesh-wire.h: the mesh packets as bytes (docs/protocol.md, "Mesh")
 *
 * Pure builders and readers: no I/O, no state. Every packet starts with
 * a version byte (1) and a type byte; multi-byte integers are big-endian.
 * Signatures are Ed25519 over a label and the signed bytes (never over
 * JSON, so nothing needs a canonical form). A reader checks lengths and
 * signatures; what a packet means is the core's business (any-mesh-core.c).
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

#include "crypto/any-ed25519.h"

G_BEGIN_DECLS

#define ANY_MESH_WIRE_VERSION   2   /* 2: REFRESH (mesh cap 2) */
#define ANY_MESH_MSG_ID_LEN     (ANY_MESH_NODE_ID_LEN + 8)
#define ANY_MESH_MAX_IDS        64    /* message ids in one IHAVE / IWANT */
#define ANY_MESH_MAX_TOPIC_LEN  255

typedef enum {
  ANY_MESH_PACKET_ANNOUNCE = 1,
  ANY_MESH_PACKET_PUBLISH  = 2,
  ANY_MESH_PACKET_IHAVE    = 3,
  ANY_MESH_PACKET_IWANT    = 4,
  ANY_MESH_PACKET_DATA     = 5,
  ANY_MESH_PACKET_REFRESH  = 6,
} AnyMeshPacketType;

/* ANNOUNCE: a node says it exists, signed by itself. */
#define ANY_MESH_ANNOUNCE_LEN   143
typedef struct {
  guint8  hops;                           /* unsigned: each relay adds 1 */
  guint8  sign_pub[ANY_ED25519_KEY_LEN];
  guint8  dh_pub[32];                     /* its X25519 identity */
  guint64 seq;
  guint32 lifetime_ms;
  guint8  sig[ANY_ED25519_SIGNATURE_LEN];
} AnyMeshAnnounce;

void     any_mesh_announce_sign   (AnyMeshAnnounce     *ann,
                                   const AnyEd25519Key *key);
void     any_mesh_announce_write  (const AnyMeshAnnounce *ann,
                                   guint8               out[ANY_MESH_ANNOUNCE_LEN]);
/* Parses and checks the signature: FALSE for a short, long or forged one. */
gboolean any_mesh_announce_read   (const guint8        *data,
                                   gsize                len,
                                   AnyMeshAnnounce     *ann);

/* REFRESH: an ANNOUNCE of a node the receiver knows, without its keys:
 * the node id instead (the receiver rebuilds the ANNOUNCE from the keys
 * it keeps, and checks the same signature). */
#define ANY_MESH_REFRESH_LEN    95
void     any_mesh_refresh_from_announce (const guint8  full[ANY_MESH_ANNOUNCE_LEN],
                                         guint8        out[ANY_MESH_REFRESH_LEN]);
/* The node id a REFRESH names (ANY_MESH_NODE_ID_LEN bytes, borrowed). */
const guint8 *any_mesh_refresh_node_id  (const guint8  refresh[ANY_MESH_REFRESH_LEN]);
void     any_mesh_refresh_expand        (const guint8  refresh[ANY_MESH_REFRESH_LEN],
                                         const guint8  sign_pub[ANY_ED25519_KEY_LEN],
                                         const guint8  dh_pub[32],
                                         guint8        out[ANY_MESH_ANNOUNCE_LEN]);

/* PUBLISH: a message on a topic, signed by its author. The fields point
 * into the buffer that was read (borrowed). */
typedef struct {
  guint8        hop_limit;                /* unsigned: each relay takes 1 */
  const guint8 *author;                   /* ANY_ED25519_KEY_LEN bytes */
  guint64       seq;
  const char   *topic;                    /* not NUL-terminated */
  gsize         topic_len;
  const guint8 *payload;
  gsize         payload_len;
  const guint8 *sig;
} AnyMeshPublish;

/* Appends a signed PUBLISH to @out. */
void     any_mesh_publish_write   (GByteArray          *out,
                                   const AnyEd25519Key *key,
                                   guint8               hop_limit,
                                   guint64              seq,
                                   const char          *topic,
                                   const guint8        *payload,
                                   gsize                payload_len);
/* Parses; does not verify (verify only what is new: any_mesh_publish_verify). */
gboolean any_mesh_publish_read    (const guint8        *data,
                                   gsize                len,
                                   AnyMeshPublish      *pub);
gboolean any_mesh_publish_verify  (const guint8        *data,
                                   gsize                len);
/* The message id: the author's node id and the seq (ANY_MESH_MSG_ID_LEN). */
void     any_mesh_publish_id      (const AnyMeshPublish *pub,
                                   guint8               id[ANY_MESH_MSG_ID_LEN]);

/* IHAVE / IWANT: up to ANY_MESH_MAX_IDS message ids. */
void     any_mesh_ids_write       (GByteArray          *out,
                                   AnyMeshPacketType    type,
                                   const guint8        *ids,
                                   guint                count);
gboolean any_mesh_ids_read        (const guint8        *data,
                                   gsize                len,
                                   const guint8       **ids,
                                   guint               *count);

/* DATA: end-to-end traffic between two nodes; relays read only this
 * header. */
#define ANY_MESH_DATA_HEADER_LEN 44
typedef enum {
  ANY_MESH_DATA_HELLO      = 0,  /* Noise XX message 1 */
  ANY_MESH_DATA_WELCOME    = 1,  /* Noise XX message 2 */
  ANY_MESH_DATA_CONFIRM    = 2,  /* Noise XX message 3 */
  ANY_MESH_DATA_SEALED     = 3,  /* 8-byte nonce, then ciphertext and tag */
  ANY_MESH_DATA_RESET      = 4,  /* "I have no such session": nonce, signature */
  ANY_MESH_DATA_KIND_COUNT
} AnyMeshDataKind;

typedef struct {
  guint8        hop_limit;
  const guint8 *dst;                      /* ANY_MESH_NODE_ID_LEN */
  const guint8 *src;
  AnyMeshDataKind kind;
  guint64       session;
  const guint8 *body;
  gsize         body_len;
} AnyMeshData;

void     any_mesh_data_write      (GByteArray          *out,
                                   guint8               hop_limit,
                                   const guint8        *dst,
                                   const guint8        *src,
                                   AnyMeshDataKind      kind,
                                   guint64              session,
                                   const guint8        *body,
                                   gsize                body_len);
gboolean any_mesh_data_read       (const guint8        *data,
                                   gsize                len,
                                   AnyMeshData         *out);

/* Hash tables keyed by raw node ids or message ids (their first bytes
 * are already uniform). */
guint    any_mesh_id_hash         (gconstpointer        key);
gboolean any_mesh_node_id_equal   (gconstpointer        a,
                                   gconstpointer        b);
gboolean any_mesh_msg_id_equal    (gconstpointer        a,
                                   gconstpointer        b);

/* The type of a packet, or 0 if it is not a mesh packet of our version. */
AnyMeshPacketType any_mesh_packet_type (const guint8   *data,
                                        gsize           len);

G_END_DECLS
