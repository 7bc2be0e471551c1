/* bad-limits.c: hostile max-message-size and max-partial-messages
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "bad-input.h"

/* Cases: max-message-size */

/* A message of exactly max-message-size over several chunks is accepted;
 * a message that goes one byte over is refused when that byte arrives,
 * not after buffering more. */
static void
test_oversize_chunks (Fixture       *fx,
                      gconstpointer  data)
{
  const gsize piece = MAX_MESSAGE_SIZE / 8;
  g_autofree char *whole = json_string_of_size (MAX_MESSAGE_SIZE);
  RawClient *raw = raw_connect (fx);
  RawFrame *reply;

  if (!raw_auth (fx, raw))
    return;

  /* Exactly the limit, in 8 chunks: delivered. */
  for (guint i = 0; i < 8; i++)
    g_assert_true (raw_send_len (raw, i < 7 ? MORE : LAST, T_LINK, 5, whole + i * piece, piece));
  reply = raw_wait (raw, T_LINK, -5);
  g_assert_nonnull (reply);
  g_assert_cmpuint (fx->raw_messages->len, ==, 1);

  /* Exactly the limit held in one unfinished message: still fine... */
  for (guint i = 0; i < 8; i++)
    g_assert_true (raw_send_len (raw, MORE, T_LINK, 6, whole + i * piece, piece));
  raw->next_seq = 7;
  raw_expect_alive (fx, raw);
  /* ...one byte more is not. */
  g_assert_true (raw_send_len (raw, MORE, T_LINK, 6, "a", 1));
  raw_expect_close (fx, raw, "Message too big: seq 6 exceeds 65536 bytes");
}

/* A single chunk over the limit (but within the WebSocket frame limit). */
static void
test_oversize_single_chunk (Fixture       *fx,
                            gconstpointer  data)
{
  gboolean after_auth = GPOINTER_TO_INT (data);
  g_autofree char *body = json_string_of_size (MAX_MESSAGE_SIZE + 1);
  RawClient *raw = raw_connect (fx);

  if (after_auth && !raw_auth (fx, raw))
    return;
  g_assert_true (raw_send (raw, LAST, T_LINK, 7, body));
  raw_expect_close (fx, raw, "Message too big: seq 7 exceeds 65536 bytes");
  g_assert_cmpuint (fx->raw_messages->len, ==, 0);
}

/* One WebSocket frame far bigger than any chunk can be: refused by the
 * WebSocket layer before it is buffered; the close must still say why. */
static void
test_oversize_frame (Fixture       *fx,
                     gconstpointer  data)
{
  gboolean after_auth = GPOINTER_TO_INT (data);
  g_autofree char *body = json_string_of_size (4 * MAX_MESSAGE_SIZE);
  RawClient *raw = raw_connect (fx);

  if (after_auth && !raw_auth (fx, raw))
    return;
  g_assert_true (raw_send (raw, LAST, T_LINK, 7, body));
  raw_expect_websocket_close (fx, raw);
}

typedef struct {
  const char *piece;
  gsize       len;
} Piece;

static GBytes *
make_oversize_piece (guint    i,
                     gpointer data)
{
  Piece *piece = data;

  return chunk_new (MORE, T_LINK, 9, piece->piece, piece->len);
}

/* A message declared over many chunks, far beyond the limit: the server
 * closes the link, and memory does not follow the flood. */
static void
test_oversize_flood (Fixture       *fx,
                     gconstpointer  data)
{
  const guint chunks = 512;
  g_autofree char *text = g_strnfill (32 * 1024, 'x');
  Piece piece = { text, 32 * 1024 };
  RawClient *raw = raw_connect (fx);
  MemoryMark mark;
  guint sent;

  if (!raw_auth (fx, raw))
    return;
  memory_mark (&mark);
  sent = raw_flood (raw, chunks, make_oversize_piece, &piece);
  raw_expect_close (fx, raw, "Message too big: seq 9 exceeds 65536 bytes");
  g_test_message ("sent %u of %u chunks of 32 KiB before the close", sent, chunks);
  g_assert_cmpuint (sent, <, chunks);
  assert_memory_growth (&mark, 4 * 1024 * 1024, "after a 16 MiB message flood");
}

/* The bytes of all unfinished messages together are bounded too. */
static void
test_unfinished_total (Fixture       *fx,
                       gconstpointer  data)
{
  const gsize piece = MAX_MESSAGE_SIZE / 8;
  g_autofree char *text = g_strnfill (piece, '[');
  RawClient *raw = raw_connect (fx);

  if (!raw_auth (fx, raw))
    return;
  for (gint32 seq = 100; seq < 108; seq++)
    g_assert_true (raw_send_len (raw, MORE, T_LINK, seq, text, piece));
  raw_expect_alive (fx, raw);
  g_assert_true (raw_send_len (raw, MORE, T_LINK, 108, "[", 1));
  raw_expect_close (fx, raw, "Unfinished messages exceed 65536 bytes");
}

/* Cases: max-partial-messages */

static void
test_partials_limit (Fixture       *fx,
                     gconstpointer  data)
{
  RawClient *raw = raw_connect (fx);
  RawFrame *reply;

  if (!raw_auth (fx, raw))
    return;
  for (gint32 seq = 100; seq < 100 + MAX_PARTIALS; seq++)
    g_assert_true (raw_send (raw, MORE, T_LINK, seq, "[\"part\","));
  raw_expect_alive (fx, raw);

  /* Finishing one frees its slot... */
  g_assert_true (raw_send (raw, LAST, T_LINK, 100, "\"end\"]"));
  reply = raw_wait (raw, T_LINK, -100);
  g_assert_nonnull (reply);
  if (reply != NULL)
    g_assert_cmpstr (reply->body, ==, "{\"echo\":[\"part\",\"end\"]}");
  g_assert_true (raw_send (raw, MORE, T_LINK, 200, "["));
  raw_expect_alive (fx, raw);

  /* ...but one more than the limit closes the link. */
  g_assert_true (raw_send (raw, MORE, T_LINK, 201, "["));
  raw_expect_close (fx, raw, "Too many unfinished messages (limit 16)");
}

static GBytes *
make_partial (guint    i,
              gpointer data)
{
  Piece *piece = data;

  return chunk_new (MORE, T_LINK, 1000 + (gint32) i, piece->piece, piece->len);
}

/* Thousands of messages that are never finished. */
static void
test_partials_flood (Fixture       *fx,
                     gconstpointer  data)
{
  const guint count = 4000;
  g_autofree char *text = g_strnfill (2048, '[');
  Piece piece = { text, 2048 };
  RawClient *raw = raw_connect (fx);
  MemoryMark mark;
  guint sent;

  if (!raw_auth (fx, raw))
    return;
  memory_mark (&mark);
  sent = raw_flood (raw, count, make_partial, &piece);
  raw_expect_close (fx, raw, "Too many unfinished messages (limit 16)");
  g_test_message ("sent %u of %u unfinished messages before the close", sent, count);
  g_assert_cmpuint (sent, <, count);
  assert_memory_growth (&mark, 4 * 1024 * 1024, "after 8 MiB of unfinished messages");
}

static void
test_partial_type_change (Fixture       *fx,
                          gconstpointer  data)
{
  RawClient *raw = raw_connect (fx);

  if (!raw_auth (fx, raw))
    return;
  g_assert_true (raw_send (raw, MORE, T_LINK, 7, "["));
  g_assert_true (raw_send (raw, LAST, T_INTERNAL, 7, "]"));
  raw_expect_close (fx, raw, "Chunk of seq 7 changes packet type from LINK to INTERNAL");
}

void
badinput_add_limits_cases (void)
{
  ADD ("oversize/chunks", NULL, test_oversize_chunks);

  ADD ("oversize/single-chunk/before-auth", GINT_TO_POINTER (FALSE), test_oversize_single_chunk);

  ADD ("oversize/single-chunk/after-auth", GINT_TO_POINTER (TRUE), test_oversize_single_chunk);

  ADD ("oversize/frame/before-auth", GINT_TO_POINTER (FALSE), test_oversize_frame);

  ADD ("oversize/frame/after-auth", GINT_TO_POINTER (TRUE), test_oversize_frame);

  ADD ("oversize/flood", NULL, test_oversize_flood);

  ADD ("oversize/unfinished-total", NULL, test_unfinished_total);

  ADD ("partials/limit", NULL, test_partials_limit);

  ADD ("partials/flood", NULL, test_partials_flood);

  ADD ("partials/type-change", NULL, test_partial_type_change);
}
