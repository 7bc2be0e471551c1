/* chunk-bytes.h: AnySocket chunks (PROTOCOL.md 2) written and read byte
 * by byte, apart from the library's codec, so that a test can send what
 * the codec would never make and check what the library really sent
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Chunk header code points 0 (flag) and 1 (type). */
#define LAST        '1'
#define MORE        '2'
#define T_AUTH      '1'
#define T_INTERNAL  '2'
#define T_LINK      '3'
#define T_SWITCH    '4'
#define T_HEARTBEAT '5'

/* A chunk as received. */
typedef struct {
  gboolean  binary;
  gboolean  valid;      /* the header decoded */
  char      flag;
  char      type;
  gint32    seq;
  char     *body;       /* NUL-terminated copy */
  gsize     body_len;
} RawFrame;

/* One byte as one code point (UTF-8: two bytes from 0x80 on). */
void         append_byte_code_point (GByteArray            *out,
                                     guint8                 byte);
GBytes      *chunk_new              (char                   flag,
                                     char                   type,
                                     gint32                 seq,
                                     const char            *body,
                                     gsize                  body_len);
RawFrame    *raw_frame_decode       (SoupWebsocketDataType  type,
                                     GBytes                *message);
void         raw_frame_free         (gpointer               frame);
/* The body as a JSON object (NULL when it is not one); @holder keeps the
 * tree for the caller to free. */
JsonObject  *frame_object           (RawFrame              *frame,
                                     JsonNode             **holder);

G_END_DECLS
