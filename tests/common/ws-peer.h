/* ws-peer.h: one end of an upgraded WebSocket connection, played by hand
 * on a plain TCP socket: it writes whatever frames a test makes (in
 * chops of any size, masked when it plays the client) and records every
 * frame the other end sends, byte for byte, with no validation of its
 * own, for the Autobahn cases (tests/badinput/bad-autobahn-*.c) to judge
 * what the library under test really put on the wire
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define WS_OP_CONTINUATION 0x0
#define WS_OP_TEXT         0x1
#define WS_OP_BINARY       0x2
#define WS_OP_CLOSE        0x8
#define WS_OP_PING         0x9
#define WS_OP_PONG         0xa
#define WS_FIN             0x80
/* RSV1..3 as the number 1..7 Autobahn uses, shifted into the first byte. */
#define WS_RSV(n)          (((n) & 7) << 4)

/* A frame as received. */
typedef struct {
  guint8   first;       /* FIN, RSV, opcode */
  gboolean masked;
  GBytes  *payload;     /* unmasked */
} WsFrame;

#define WS_FRAME_OPCODE(f) ((f)->first & 0x0f)

typedef struct {
  GSocketConnection *connection;
  GSocket           *socket;
  GSource           *source;
  gboolean           masking;     /* it plays the client: its frames are masked */
  GByteArray        *in;
  GPtrArray         *frames;      /* WsFrame */
  /* Whole data messages (fragments joined), as WsFrame: the first
   * frame's first byte, all the payload. */
  GPtrArray         *messages;
  GByteArray        *message;     /* the one being received, or NULL */
  guint8             message_first;

  /* The first close frame: its code (1005 when it had none), its reason. */
  gboolean           close_received;
  guint              close_code;
  char              *close_reason;
  gsize              close_payload_len;
  gint64             close_received_at;
  /* The other end closed (or reset) TCP. */
  gboolean           eof;
  gint64             eof_at;

  /* Answers AnySocket HEARTBEAT pings in text frames, as a peer would,
   * but never inside a frame or a fragmented message of the test's:
   * while held (ws_peer_hold (), and during every write), the answers
   * wait in @held. */
  gboolean           answer_heartbeats;
  gint32             pong_seq;
  gboolean           hold;
  gboolean           writing;
  GByteArray        *held;
} WsPeer;

/* Takes @connection (already upgraded, with nothing of the other end's
 * frames read yet but @already_read, which may be NULL). */
WsPeer   *ws_peer_new          (GSocketConnection *connection,
                                gboolean           masking,
                                GBytes            *already_read);
void      ws_peer_free         (WsPeer            *peer);

/* Writes @len bytes in pieces of @chop (0: at once), running the main
 * context between them so that the other end may read each piece on its
 * own. FALSE if the other end closed first. */
gboolean  ws_peer_write        (WsPeer            *peer,
                                const guint8      *data,
                                gsize              len,
                                gsize              chop);
/* Appends one frame (first byte as given, the shortest length, masked
 * when the peer masks) to @out; @payload NULL is @len zeros. */
void      ws_peer_frame        (WsPeer            *peer,
                                GByteArray        *out,
                                guint8             first,
                                const void        *payload,
                                gsize              len);
/* ws_peer_frame() and ws_peer_write() of it. */
gboolean  ws_peer_send         (WsPeer            *peer,
                                guint8             first,
                                const void        *payload,
                                gsize              len,
                                gsize              chop);
/* A close frame: @code 0 sends an empty payload; @reason_len -1 is
 * strlen (@reason). */
gboolean  ws_peer_send_close   (WsPeer            *peer,
                                guint              code,
                                const char        *reason,
                                gssize             reason_len);

/* Holds the heartbeat answers (a fragmented message is being sent), or
 * sends those held. */
void      ws_peer_hold         (WsPeer            *peer,
                                gboolean           hold);

/* The first frame at or after @from with @opcode, or NULL. */
WsFrame  *ws_peer_find         (WsPeer            *peer,
                                guint8             opcode,
                                guint              from);
/* Waits (bounded) for a close frame or the end of TCP. */
gboolean  ws_peer_wait_closed  (WsPeer            *peer,
                                guint              ms);
/* Waits (bounded) for a frame with @opcode at or after @from. */
WsFrame  *ws_peer_wait_frame   (WsPeer            *peer,
                                guint8             opcode,
                                guint              from,
                                guint              ms);
/* How many frames with @opcode came. */
guint     ws_peer_count        (WsPeer            *peer,
                                guint8             opcode);

/* The Sec-WebSocket-Accept value for @key (RFC 6455 4.2.2). */
char     *ws_accept_key        (const char        *key);

G_END_DECLS
