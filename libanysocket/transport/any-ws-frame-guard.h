/* any-ws-frame-guard.h: follows RFC 6455 frame headers in a byte stream
 * to bound whole messages, not frames
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Plain data, embedded by its user; no allocation, no I/O. */
typedef struct {
  guint64 max_message;     /* payload bytes of one message, all fragments */
  guint8  header[14];      /* of the frame being read, while incomplete */
  guint   header_len;
  guint64 payload_left;    /* of the current frame */
  guint64 message_bytes;   /* of the current data message so far */
  /* Control frames the reader answers with one of the same size (pings,
   * answered with a pong; a close, answered with a close): added here,
   * taken by the user (see any_ws_frame_guard_take_answers()). */
  guint   answers;
  guint64 answer_bytes;    /* their payload bytes */
} AnyWsFrameGuard;

typedef enum {
  ANY_WS_FRAME_GUARD_OK,
  ANY_WS_FRAME_GUARD_TOO_BIG,  /* a message over max_message */
} AnyWsFrameGuardResult;

void                  any_ws_frame_guard_init   (AnyWsFrameGuard *self,
                                                 guint64          max_message);
/* Follows @len more bytes of the stream. Once it has returned TOO_BIG,
 * the stream has lost its frame boundaries for it: do not feed more. */
AnyWsFrameGuardResult any_ws_frame_guard_feed   (AnyWsFrameGuard *self,
                                                 const guint8    *data,
                                                 gsize            len);
/* The answers counted since the last call; resets them. */
guint                 any_ws_frame_guard_take_answers (AnyWsFrameGuard *self,
                                                       guint64         *payload_bytes);

G_END_DECLS
