/* any-codec.h: chunk and FORWARD frame encoding (PROTOCOL.md 2 and 8)
 *
 * Pure functions over bytes: no I/O, no GObject, no state. A frame is the
 * UTF-8 payload of one WebSocket text frame.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  ANY_PACKET_TYPE_AUTH      = 1,
  ANY_PACKET_TYPE_INTERNAL  = 2,
  ANY_PACKET_TYPE_LINK      = 3,
  ANY_PACKET_TYPE_SWITCH    = 4,
  ANY_PACKET_TYPE_HEARTBEAT = 5,
  ANY_PACKET_TYPE_FORWARD   = 6,
} AnyPacketType;

/* Code point 0 of a frame. */
#define ANY_CHUNK_LAST    '1'
#define ANY_CHUNK_PARTIAL '2'
#define ANY_FRAME_FORWARD '6'

/* The JavaScript peer cuts a packet's JSON text every 1,048,576 UTF-16
 * code units (its MAX_PACKET_SIZE); we cut at the same place so that its
 * receive path sees what its own peers send. */
#define ANY_CHUNK_MAX_UNITS 1048576

/* flag + type are ASCII; each of the 4 seq code points takes 1 or 2 bytes. */
#define ANY_CHUNK_HEADER_MAX 10

/* '6' + 16 + 16 code points of up to 2 bytes each. */
#define ANY_FORWARD_HEADER_MAX 65

typedef struct {
  gboolean       last;
  AnyPacketType  type;
  gint32         seq;
  const guint8  *body;       /* points into the frame */
  gsize          body_len;
} AnyChunk;

typedef struct {
  guint8         to[16];
  guint8         from[16];
  const guint8  *inner;      /* a whole chunk, points into the frame */
  gsize          inner_len;
  gboolean       binary;     /* came as a binary frame: so is @inner (set by the reader) */
} AnyForward;

const char *any_packet_type_to_string (AnyPacketType type);

gsize    any_chunk_header_encode  (guint8          out[ANY_CHUNK_HEADER_MAX],
                                   gboolean        last,
                                   AnyPacketType   type,
                                   gint32          seq);
void     any_chunk_encode         (GString        *out,
                                   gboolean        last,
                                   AnyPacketType   type,
                                   gint32          seq,
                                   const char     *body,
                                   gsize           body_len);
gboolean any_chunk_decode         (const guint8   *frame,
                                   gsize           len,
                                   AnyChunk       *chunk,
                                   GError        **error);

gsize    any_chunk_slice_length   (const char     *text,
                                   gsize           len,
                                   gsize           max_units);
GPtrArray *any_chunk_split        (AnyPacketType   type,
                                   gint32          seq,
                                   const char     *text,
                                   gsize           len,
                                   gsize           max_units);

gboolean any_frame_is_forward     (const guint8   *frame,
                                   gsize           len);
void     any_forward_encode       (GString        *out,
                                   const guint8    to[16],
                                   const guint8    from[16],
                                   const guint8   *inner,
                                   gsize           inner_len);
gboolean any_forward_decode       (const guint8   *frame,
                                   gsize           len,
                                   AnyForward     *forward,
                                   GError        **error);

gboolean any_id_to_bytes          (const char     *id,
                                   guint8          out[16]);
void     any_id_from_bytes        (const guint8    bytes[16],
                                   char            out[33]);

G_END_DECLS
