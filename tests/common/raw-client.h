/* raw-client.h: a libsoup WebSocket client that speaks AnySocket by
 * hand: it sends whatever chunk bytes a test makes and records every
 * frame it gets, for a test to play a peer the library would never be
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "chunk-bytes.h"

G_BEGIN_DECLS

/* The raw client answers the server's pings from its own seq range, so
 * that a pong never collides with a seq a case is using. */
#define RAW_PONG_SEQ_BASE   1000000

typedef struct {
  SoupSession             *session;
  SoupWebsocketConnection *conn;
  GCancellable            *cancellable;
  GError                  *connect_error;
  gboolean                 connect_done;
  gint64                   connected_at;

  GPtrArray               *frames;      /* RawFrame */
  gboolean                 closed;
  gint64                   closed_at;
  gushort                  close_code;
  char                    *close_reason;

  char                     id[33];      /* a fresh one, for its AUTH */
  gboolean                 authenticated;
  gint32                   next_seq;
  gint32                   pong_seq;
} RawClient;

/* Connects to @uri and waits for the upgrade, which must succeed. */
RawClient *raw_client_connect (const char  *uri);
/* The same with @headers (NAME, VALUE..., NULL-terminated) added to the
 * upgrade request, as they are, and an upgrade that may fail
 * (connect_error). */
RawClient *raw_client_try_connect (const char         *uri,
                                   const char * const *headers);
/* Closes the link (if still open) and waits for the close. */
void       raw_client_free    (RawClient   *raw);

gboolean   raw_is_open        (RawClient   *raw);
/* Sends @bytes (taken) as one message, if the link is open. */
gboolean   raw_send_bytes     (RawClient   *raw,
                               GBytes      *bytes,
                               gboolean     binary);
gboolean   raw_send_len       (RawClient   *raw,
                               char         flag,
                               char         type,
                               gint32       seq,
                               const char  *body,
                               gsize        body_len);
gboolean   raw_send           (RawClient   *raw,
                               char         flag,
                               char         type,
                               gint32       seq,
                               const char  *body);

/* Makes frame @i of a flood. */
typedef GBytes *(*FrameMaker) (guint i, gpointer data);

/* Sends frames made by @make until @n went out or the link closed; keeps
 * the main loop running so that both ends make progress. Returns how many
 * were sent. */
guint      raw_flood          (RawClient   *raw,
                               guint        n,
                               FrameMaker   make,
                               gpointer     data);

/* What came: the first valid chunk of @type with @seq (or with @body,
 * when not NULL), NULL when none; raw_wait() waits for it, or the close. */
RawFrame  *raw_find           (RawClient   *raw,
                               char         type,
                               gint32       seq);
RawFrame  *raw_find_type      (RawClient   *raw,
                               char         type,
                               const char  *body);
int        raw_frame_index    (RawClient   *raw,
                               RawFrame    *frame);
RawFrame  *raw_wait           (RawClient   *raw,
                               char         type,
                               gint32       seq);

G_END_DECLS
