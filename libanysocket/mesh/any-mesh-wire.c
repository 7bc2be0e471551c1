/* any-mesh-wire.c: the mesh packets as bytes (see any-mesh-wire.h)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "mesh/any-mesh-wire.h"

#define ANNOUNCE_LABEL "AnyMesh-announce-v1"
#define PUBLISH_LABEL  "AnyMesh-publish-v1"
#define ANNOUNCE_SIGNED_OFF 3
#define ANNOUNCE_SIGNED_LEN (32 + 32 + 8 + 4)
#define PUBLISH_FIXED (3 + 32 + 8 + 1)  /* before the topic */

static void
put_u64 (guint8 *p, guint64 v)
{
  for (int i = 7; i >= 0; i--, v >>= 8)
    p[i] = v & 0xff;
}

static guint64
get_u64 (const guint8 *p)
{
  guint64 v = 0;

  for (int i = 0; i < 8; i++)
    v = (v << 8) | p[i];
  return v;
}

static void
put_u32 (guint8 *p, guint32 v)
{
  p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

static guint32
get_u32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

/* The label then the signed bytes, in one buffer for the signature. */
static GByteArray *
labelled (const char *label, const guint8 *data, gsize len)
{
  GByteArray *buf = g_byte_array_sized_new (strlen (label) + len);

  g_byte_array_append (buf, (const guint8 *) label, strlen (label));
  g_byte_array_append (buf, data, len);
  return buf;
}

guint
any_mesh_id_hash (gconstpointer key)
{
  guint h;

  memcpy (&h, key, sizeof h);
  return h;
}

gboolean
any_mesh_node_id_equal (gconstpointer a, gconstpointer b)
{
  return memcmp (a, b, ANY_MESH_NODE_ID_LEN) == 0;
}

gboolean
any_mesh_msg_id_equal (gconstpointer a, gconstpointer b)
{
  return memcmp (a, b, ANY_MESH_MSG_ID_LEN) == 0;
}

AnyMeshPacketType
any_mesh_packet_type (const guint8 *data,
                      gsize         len)
{
  if (len < 3 || data[0] != ANY_MESH_WIRE_VERSION)
    return 0;
  if (data[1] < ANY_MESH_PACKET_ANNOUNCE || data[1] > ANY_MESH_PACKET_REFRESH)
    return 0;
  return data[1];
}

/* --- ANNOUNCE ------------------------------------------------------------ */

static void
announce_fill (const AnyMeshAnnounce *ann,
               guint8                 out[ANY_MESH_ANNOUNCE_LEN])
{
  out[0] = ANY_MESH_WIRE_VERSION;
  out[1] = ANY_MESH_PACKET_ANNOUNCE;
  out[2] = ann->hops;
  memcpy (out + 3, ann->sign_pub, 32);
  memcpy (out + 35, ann->dh_pub, 32);
  put_u64 (out + 67, ann->seq);
  put_u32 (out + 75, ann->lifetime_ms);
  memcpy (out + 79, ann->sig, 64);
}

void
any_mesh_announce_sign (AnyMeshAnnounce     *ann,
                        const AnyEd25519Key *key)
{
  guint8 bytes[ANY_MESH_ANNOUNCE_LEN];
  g_autoptr(GByteArray) msg = NULL;

  memcpy (ann->sign_pub, key->pub, 32);
  announce_fill (ann, bytes);
  msg = labelled (ANNOUNCE_LABEL, bytes + ANNOUNCE_SIGNED_OFF, ANNOUNCE_SIGNED_LEN);
  any_ed25519_sign (key, msg->data, msg->len, ann->sig);
}

void
any_mesh_announce_write (const AnyMeshAnnounce *ann,
                         guint8                 out[ANY_MESH_ANNOUNCE_LEN])
{
  announce_fill (ann, out);
}

gboolean
any_mesh_announce_read (const guint8    *data,
                        gsize            len,
                        AnyMeshAnnounce *ann)
{
  g_autoptr(GByteArray) msg = NULL;

  if (len != ANY_MESH_ANNOUNCE_LEN || any_mesh_packet_type (data, len) != ANY_MESH_PACKET_ANNOUNCE)
    return FALSE;
  ann->hops = data[2];
  memcpy (ann->sign_pub, data + 3, 32);
  memcpy (ann->dh_pub, data + 35, 32);
  ann->seq = get_u64 (data + 67);
  ann->lifetime_ms = get_u32 (data + 75);
  memcpy (ann->sig, data + 79, 64);
  msg = labelled (ANNOUNCE_LABEL, data + ANNOUNCE_SIGNED_OFF, ANNOUNCE_SIGNED_LEN);
  return any_ed25519_verify (ann->sign_pub, msg->data, msg->len, ann->sig);
}

/* --- REFRESH ------------------------------------------------------------- */

/* version, type, hops | node id (16) | seq (8) | lifetime (4) | sig (64) */
void
any_mesh_refresh_from_announce (const guint8 full[ANY_MESH_ANNOUNCE_LEN],
                                guint8       out[ANY_MESH_REFRESH_LEN])
{
  out[0] = ANY_MESH_WIRE_VERSION;
  out[1] = ANY_MESH_PACKET_REFRESH;
  out[2] = full[2];
  any_ed25519_node_id (full + 3, out + 3);
  memcpy (out + 3 + ANY_MESH_NODE_ID_LEN, full + 67, 8 + 4 + 64);
}

const guint8 *
any_mesh_refresh_node_id (const guint8 refresh[ANY_MESH_REFRESH_LEN])
{
  return refresh + 3;
}

void
any_mesh_refresh_expand (const guint8 refresh[ANY_MESH_REFRESH_LEN],
                         const guint8 sign_pub[ANY_ED25519_KEY_LEN],
                         const guint8 dh_pub[32],
                         guint8       out[ANY_MESH_ANNOUNCE_LEN])
{
  out[0] = ANY_MESH_WIRE_VERSION;
  out[1] = ANY_MESH_PACKET_ANNOUNCE;
  out[2] = refresh[2];
  memcpy (out + 3, sign_pub, 32);
  memcpy (out + 35, dh_pub, 32);
  memcpy (out + 67, refresh + 3 + ANY_MESH_NODE_ID_LEN, 8 + 4 + 64);
}

/* --- PUBLISH ------------------------------------------------------------- */

void
any_mesh_publish_write (GByteArray          *out,
                        const AnyEd25519Key *key,
                        guint8               hop_limit,
                        guint64              seq,
                        const char          *topic,
                        const guint8        *payload,
                        gsize                payload_len)
{
  gsize start = out->len;
  gsize topic_len = MIN (strlen (topic), ANY_MESH_MAX_TOPIC_LEN);
  guint8 head[PUBLISH_FIXED];
  guint8 len4[4];
  guint8 sig[64];
  g_autoptr(GByteArray) msg = NULL;

  head[0] = ANY_MESH_WIRE_VERSION;
  head[1] = ANY_MESH_PACKET_PUBLISH;
  head[2] = hop_limit;
  memcpy (head + 3, key->pub, 32);
  put_u64 (head + 35, seq);
  head[43] = topic_len;
  put_u32 (len4, payload_len);
  g_byte_array_append (out, head, sizeof head);
  g_byte_array_append (out, (const guint8 *) topic, topic_len);
  g_byte_array_append (out, len4, 4);
  g_byte_array_append (out, payload, payload_len);
  msg = labelled (PUBLISH_LABEL, out->data + start + 3, out->len - start - 3);
  any_ed25519_sign (key, msg->data, msg->len, sig);
  g_byte_array_append (out, sig, sizeof sig);
}

gboolean
any_mesh_publish_read (const guint8   *data,
                       gsize           len,
                       AnyMeshPublish *pub)
{
  gsize off;

  if (len < PUBLISH_FIXED + 4 + 64 || any_mesh_packet_type (data, len) != ANY_MESH_PACKET_PUBLISH)
    return FALSE;
  pub->hop_limit = data[2];
  pub->author = data + 3;
  pub->seq = get_u64 (data + 35);
  pub->topic_len = data[43];
  pub->topic = (const char *) data + PUBLISH_FIXED;
  off = PUBLISH_FIXED + pub->topic_len;
  if (pub->topic_len == 0 || len < off + 4 + 64)
    return FALSE;
  pub->payload_len = get_u32 (data + off);
  pub->payload = data + off + 4;
  if (len != off + 4 + pub->payload_len + 64)
    return FALSE;
  pub->sig = data + len - 64;
  return TRUE;
}

gboolean
any_mesh_publish_verify (const guint8 *data,
                         gsize         len)
{
  g_autoptr(GByteArray) msg = labelled (PUBLISH_LABEL, data + 3, len - 3 - 64);

  return any_ed25519_verify (data + 3, msg->data, msg->len, data + len - 64);
}

void
any_mesh_publish_id (const AnyMeshPublish *pub,
                     guint8                id[ANY_MESH_MSG_ID_LEN])
{
  any_ed25519_node_id (pub->author, id);
  put_u64 (id + ANY_MESH_NODE_ID_LEN, pub->seq);
}

/* --- IHAVE / IWANT ------------------------------------------------------- */

void
any_mesh_ids_write (GByteArray       *out,
                    AnyMeshPacketType type,
                    const guint8     *ids,
                    guint             count)
{
  guint8 head[3] = { ANY_MESH_WIRE_VERSION, type, MIN (count, ANY_MESH_MAX_IDS) };

  g_byte_array_append (out, head, 3);
  g_byte_array_append (out, ids, head[2] * ANY_MESH_MSG_ID_LEN);
}

gboolean
any_mesh_ids_read (const guint8  *data,
                   gsize          len,
                   const guint8 **ids,
                   guint         *count)
{
  if (len < 3 || data[2] == 0 || data[2] > ANY_MESH_MAX_IDS
      || len != 3 + (gsize) data[2] * ANY_MESH_MSG_ID_LEN)
    return FALSE;
  *ids = data + 3;
  *count = data[2];
  return TRUE;
}

/* --- DATA ---------------------------------------------------------------- */

void
any_mesh_data_write (GByteArray     *out,
                     guint8          hop_limit,
                     const guint8   *dst,
                     const guint8   *src,
                     AnyMeshDataKind kind,
                     guint64         session,
                     const guint8   *body,
                     gsize           body_len)
{
  guint8 head[ANY_MESH_DATA_HEADER_LEN];

  head[0] = ANY_MESH_WIRE_VERSION;
  head[1] = ANY_MESH_PACKET_DATA;
  head[2] = hop_limit;
  memcpy (head + 3, dst, ANY_MESH_NODE_ID_LEN);
  memcpy (head + 19, src, ANY_MESH_NODE_ID_LEN);
  head[35] = kind;
  put_u64 (head + 36, session);
  g_byte_array_append (out, head, sizeof head);
  g_byte_array_append (out, body, body_len);
}

gboolean
any_mesh_data_read (const guint8 *data,
                    gsize         len,
                    AnyMeshData  *out)
{
  if (len < ANY_MESH_DATA_HEADER_LEN || any_mesh_packet_type (data, len) != ANY_MESH_PACKET_DATA
      || data[35] >= ANY_MESH_DATA_KIND_COUNT)
    return FALSE;
  out->hop_limit = data[2];
  out->dst = data + 3;
  out->src = data + 19;
  out->kind = data[35];
  out->session = get_u64 (data + 36);
  out->body = data + ANY_MESH_DATA_HEADER_LEN;
  out->body_len = len - ANY_MESH_DATA_HEADER_LEN;
  return TRUE;
}
