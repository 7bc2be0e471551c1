/* bench-wire.h: the frames the hand-written load generators send
 *
 * What any-bench (--proto=wire and --proto=ws, on libsoup), ws-load (raw
 * sockets) and idle-peers (raw sockets) share: the request JSON, one
 * single-chunk AnySocket packet (libanysocket's own codec), the AUTH
 * body with a fresh id, and the client side of RFC 6455 (the upgrade
 * request, a masked frame, a frame header read).
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

#include "codec/any-codec.h"

G_BEGIN_DECLS

/* The benchmark's request and fire-and-forget message. */
#define BENCH_REQ_JSON "{\"type\":\"req\",\"data\":\"hello\"}"
#define BENCH_MSG_JSON "{\"type\":\"msg\",\"data\":\"hello\"}"

/* The largest packet built here (AUTH, a request, a pong, a time answer). */
#define BENCH_WIRE_PACKET_MAX 256

/* The next seq of a connection whose last one is *@seq (1 after the
 * largest). */
gint32 bench_wire_next_seq (gint32 *seq);

/* One single-chunk packet @type with @seq and @json into @out; its length. */
gsize  bench_wire_packet   (guint8         out[BENCH_WIRE_PACKET_MAX],
                            AnyPacketType  type,
                            gint32         seq,
                            const char    *json,
                            gsize          json_len);

/* A fresh UUIDv4 (PROTOCOL.md 4). */
void   bench_wire_new_id    (guint8 id[16]);

/* The AUTH body {"id":"<@id without dashes>"}; its length. */
gsize  bench_wire_auth_json_for (const guint8 id[16],
                                 char         out[64]);

/* The same with a fresh id. */
gsize  bench_wire_auth_json (char out[64]);

/* The RFC 6455 client side. */

/* "GET / HTTP/1.1 ... Upgrade: websocket" to 127.0.0.1:@port. */
void   bench_ws_upgrade_request (char   *out,
                                 gsize   size,
                                 int     port);

/* The client frame header (FIN, @opcode, the mask bit, @len, @key) of a
 * payload of @len bytes into @out (at most 14 bytes); its length. */
gsize  bench_ws_head       (guint8        out[14],
                            guint8        opcode,
                            gsize         len,
                            const guint8  key[4]);

/* XORs @data with @key, @data starting at payload offset @offset. */
void   bench_ws_mask       (guint8       *data,
                            gsize         len,
                            const guint8  key[4],
                            gsize         offset);

/* A whole masked client frame (@opcode, @payload) appended to @out. */
void   bench_ws_frame      (GByteArray   *out,
                            guint8        opcode,
                            const guint8 *payload,
                            gsize         len,
                            const guint8  key[4]);

/* Reads the header of a server frame at @buf (@len bytes there): TRUE
 * with its first byte, header length and payload length when the header
 * is whole; FALSE when more bytes are needed. */
gboolean bench_ws_parse_head (const guint8 *buf,
                              gsize         len,
                              guint8       *first,
                              gsize        *head,
                              guint64      *payload_len);

G_END_DECLS
