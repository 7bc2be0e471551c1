/* bad-limits.c: hostile max-message-size and max-partial-messages
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
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

/* A peer that stops reading but keeps sending (so its heartbeats look
 * fine) while we send it more and more: without a bound, libsoup would
 * queue it all. It is dropped once 1 MiB waits, and memory stays flat.
 * The client is a bare TCP socket: libsoup's own client always reads. */

#define SEND_BUFFER  (1024 * 1024)
#define SEND_MESSAGE (32 * 1024)
#define SEND_MAX     4096   /* 128 MiB: far more than any kernel buffers */

static void
test_peer_not_reading (Fixture       *fx,
                       gconstpointer  data)
{
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(JsonNode) message = NULL;
  g_autofree char *id = g_strdup_printf ("%08x%08x%08x%08x", g_random_int (), g_random_int (),
                                         g_random_int (), g_random_int ());
  g_autofree char *auth = g_strdup_printf ("{\"id\":\"%s\"}", id);
  g_autofree char *text = g_strnfill (SEND_MESSAGE, 'x');
  const char *reason;
  GSocket *socket;
  AnyPeer *peer;
  MemoryMark mark;
  guint sent = 0;
  gint32 seq = 2;

  any_socket_set_max_send_buffer (fx->server, SEND_BUFFER);
  connection = bare_connect (fx);
  socket = g_socket_connection_get_socket (connection);
  g_assert_true (bare_send_chunk (socket, T_AUTH, 1, auth));
  WAIT_FOR (any_socket_get_peer (fx->server, id) != NULL, WAIT_MS);
  peer = any_socket_get_peer (fx->server, id);
  g_assert_nonnull (peer);

  /* From here on the client reads nothing. */
  memory_mark (&mark);
  message = json_node_new (JSON_NODE_VALUE);
  json_node_set_string (message, text);
  while (sent < SEND_MAX && !g_hash_table_contains (fx->disconnect_reasons, id))
    {
      g_assert_true (any_peer_send (peer, message, NULL) || !any_peer_is_connected (peer));
      if (++sent % 16 == 0)
        {
          g_autofree char *alive = g_strdup_printf ("{\"alive\":%u}", sent);

          g_assert_true (bare_send_chunk (socket, T_LINK, seq++, alive));
          for (guint i = 0; i < 8 && g_main_context_iteration (NULL, FALSE); i++)
            ;
        }
    }
  WAIT_FOR (g_hash_table_contains (fx->disconnect_reasons, id), WAIT_MS);
  reason = g_hash_table_lookup (fx->disconnect_reasons, id);
  g_test_message ("dropped after %u messages of 32 KiB (%u MiB): %s", sent, sent / 32,
                  reason != NULL ? reason : "(not dropped)");
  assert_prefix (reason, "Send buffer full: the peer is not reading");
  g_assert_cmpuint (sent, <, SEND_MAX / 2);
  assert_memory_growth (&mark, 16 * 1024 * 1024, "after sending to a peer that does not read");
}

/* Before its AUTH, a connecting peer may send that AUTH and nothing
 * bigger than 128 KiB (any-engine.c, MAX_AUTH_BYTES), even where
 * max-message-size allows 16 MiB once it is authenticated: an AUTH
 * carrying 256 KiB of "auth" data is closed by the WebSocket layer
 * (1009), never read whole; a peer that authenticated first may then
 * send a message of that size. */
static void
test_auth_budget (Fixture       *fx,
                  gconstpointer  data)
{
  g_autofree char *pad = json_string_of_size (256 * 1024);
  g_autofree char *big_auth = NULL;
  RawClient *early, *late;
  RawFrame *reply;

  any_socket_set_max_message_size (fx->server, 16 * 1024 * 1024);

  early = raw_connect (fx);
  big_auth = g_strdup_printf ("{\"id\":\"%s\",\"auth\":%s}", early->id, pad);
  g_assert_true (raw_send (early, LAST, T_AUTH, 1, big_auth));
  raw_expect_websocket_close (fx, early);
  g_assert_cmpuint (early->close_code, ==, SOUP_WEBSOCKET_CLOSE_TOO_BIG);
  {
    g_autofree char *line = g_strdup_printf ("connected %s", early->id);

    g_assert_false (server_log_index (fx, line, NULL));
  }

  late = raw_connect (fx);
  if (!raw_auth (fx, late))
    return;
  g_assert_true (raw_send (late, LAST, T_LINK, 2, pad));
  reply = raw_wait (late, T_LINK, -2);
  g_assert_nonnull (reply);
  g_assert_cmpuint (fx->raw_messages->len, ==, 1);
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

  ADD ("oversize/auth-budget", NULL, test_auth_budget);

  ADD ("oversize/unfinished-total", NULL, test_unfinished_total);

  ADD ("partials/limit", NULL, test_partials_limit);

  ADD ("partials/flood", NULL, test_partials_flood);

  ADD ("partials/type-change", NULL, test_partial_type_change);

  ADD ("send-buffer/peer-not-reading", NULL, test_peer_not_reading);
}
