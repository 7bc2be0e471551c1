/* bad-auth.c: hostile AUTH, what is held back before it, replies to
 * nothing, HEARTBEAT
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "bad-input.h"

/* Cases: AUTH */

typedef struct {
  const char *name;
  const char *body;      /* NULL: an id of 300 characters */
  const char *reason;
} BadAuth;

static const BadAuth bad_auths[] = {
  { "no-id",          "{\"auth\":1}",     "Invalid Auth Packet!" },
  { "empty-object",   "{}",               "Invalid Auth Packet!" },
  { "id-number",      "{\"id\":5}",       "Invalid Auth Packet!" },
  { "id-null",        "{\"id\":null}",    "Invalid Auth Packet!" },
  { "id-true",        "{\"id\":true}",    "Invalid Auth Packet!" },
  { "id-array",       "{\"id\":[\"x\"]}", "Invalid Auth Packet!" },
  { "id-object",      "{\"id\":{}}",      "Invalid Auth Packet!" },
  { "id-empty",       "{\"id\":\"\"}",    "Invalid Auth Packet!" },
  { "id-too-long",    NULL,               "Invalid Auth Packet!" },
  { "string",         "\"abc\"",          "Invalid Auth Packet!" },
  { "array",          "[1,2]",            "Invalid Auth Packet!" },
  { "number",         "42",               "Invalid Auth Packet!" },
  { "null",           "null",             "Invalid Auth Packet!" },
};

static void
test_bad_auth (Fixture       *fx,
               gconstpointer  data)
{
  const BadAuth *c = data;
  RawClient *raw = raw_connect (fx);
  g_autofree char *long_body = NULL;
  const char *body = c->body;

  if (body == NULL)
    {
      g_autofree char *id = g_strnfill (300, 'a');

      body = long_body = g_strdup_printf ("{\"id\":\"%s\"}", id);
    }
  g_assert_true (raw_send (raw, LAST, T_AUTH, 1, body));
  raw_expect_close (fx, raw, c->reason);
  g_assert_null (raw_find_type (raw, T_AUTH, NULL));
  g_assert_cmpuint (g_hash_table_size (fx->disconnect_reasons), ==, 0);
}

/* Someone presents the healthy client's id (or the server's own): refused,
 * and the healthy client is not disturbed. */
static void
test_auth_duplicate_id (Fixture       *fx,
                        gconstpointer  data)
{
  gboolean server_id = GPOINTER_TO_INT (data);
  RawClient *raw = raw_connect (fx);
  g_autofree char *body = g_strdup_printf ("{\"id\":\"%s\"}",
                                           server_id ? any_socket_get_id (fx->server) : fx->healthy->id);

  g_assert_true (raw_send (raw, LAST, T_AUTH, 1, body));
  raw_expect_close (fx, raw, "Duplicated AnySocket ID found!");
  g_assert_null (raw_find_type (raw, T_AUTH, NULL));
  g_assert_cmpuint (g_hash_table_size (fx->disconnect_reasons), ==, 0);
  g_assert_true (any_peer_is_connected (fx->healthy->peer));
}

static void
test_auth_twice (Fixture       *fx,
                 gconstpointer  data)
{
  RawClient *raw = raw_connect (fx);
  g_autofree char *body = NULL;

  if (!raw_auth (fx, raw))
    return;
  body = g_strdup_printf ("{\"id\":\"%s\"}", raw->id);
  g_assert_true (raw_send (raw, LAST, T_AUTH, raw->next_seq++, body));
  raw_expect_close (fx, raw, "Invalid Packet! Unexpected AUTH packet after authentication");
}

/* A client that connects and never authenticates. */
static void
test_auth_timeout_silent (Fixture       *fx,
                          gconstpointer  data)
{
  RawClient *raw;
  gint64 elapsed_ms;

  any_socket_set_auth_timeout (fx->server, SHORT_AUTH_TIMEOUT);
  raw = raw_connect (fx);
  raw_expect_close (fx, raw, "auth timed out");
  elapsed_ms = (raw->closed_at - raw->connected_at) / 1000;
  g_test_message ("closed %" G_GINT64_FORMAT " ms after connecting", elapsed_ms);
  /* The timer starts when the server accepts, a little before the client
   * sees the handshake complete. */
  g_assert_cmpint (elapsed_ms, >=, SHORT_AUTH_TIMEOUT / 2);
  g_assert_cmpint (elapsed_ms, <, WAIT_MS);
}

/* A connection that starts its HTTP upgrade and stalls is closed after
 * auth-timeout, as one that never sends anything is (it would otherwise
 * hold its socket forever). */
static void
on_stall_listening (GObject *source, GAsyncResult *result, gpointer user_data)
{
  guint *port = user_data;

  *port = any_socket_listen_finish (ANY_SOCKET (source), result, NULL);
}

static void
keep_peer (AnySocket *socket, AnyPeer *peer, gpointer user_data)
{
  g_set_object ((AnyPeer **) user_data, peer);
}

static void
test_stalled_upgrade (Fixture       *fx,
                      gconstpointer  data)
{
  g_autoptr(AnySocket) server = any_socket_new ();
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  static const char partial[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n";
  GSocket *socket;
  guint port = 0;
  gint64 start, elapsed_ms;
  gboolean closed = FALSE;
  char buffer[256];

  any_socket_set_auth_timeout (server, SHORT_AUTH_TIMEOUT);
  any_socket_listen_async (server, "ws://127.0.0.1:0", NULL, on_stall_listening, &port);
  WAIT_FOR (port != 0, WAIT_MS);
  g_assert_cmpuint (port, >, 0);

  connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);
  socket = g_socket_connection_get_socket (connection);
  g_socket_set_blocking (socket, FALSE);
  g_assert_cmpint (g_socket_send (socket, partial, sizeof partial - 1, NULL, &error), ==, sizeof partial - 1);
  start = g_get_monotonic_time ();
  /* Until the server closes: a read of 0 bytes (or a reset). */
  WAIT_FOR ((g_socket_condition_check (socket, G_IO_IN | G_IO_HUP | G_IO_ERR) != 0 &&
             (closed = g_socket_receive (socket, buffer, sizeof buffer, NULL, NULL) <= 0)) ||
            closed, WAIT_MS);
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  g_test_message ("closed %" G_GINT64_FORMAT " ms after the partial request", elapsed_ms);
  g_assert_true (closed);
  g_assert_cmpint (elapsed_ms, >=, SHORT_AUTH_TIMEOUT / 2);
  g_assert_cmpint (elapsed_ms, <, 5 * SHORT_AUTH_TIMEOUT);

  /* A link that did upgrade is not bound by it: still up well after. */
  {
    g_autoptr(AnySocket) healthy = any_socket_new ();
    g_autoptr(AnyPeer) peer = NULL;
    g_autofree char *uri = g_strdup_printf ("ws://127.0.0.1:%u", port);
    g_autoptr(GList) peers = NULL;
    gint64 until;

    g_signal_connect (healthy, "connected", G_CALLBACK (keep_peer), &peer);
    any_socket_connect_async (healthy, uri, NULL, NULL, NULL);
    WAIT_FOR (peer != NULL, WAIT_MS);
    g_assert_nonnull (peer);
    until = g_get_monotonic_time () + 4 * SHORT_AUTH_TIMEOUT * 1000;
    WAIT_FOR (g_get_monotonic_time () >= until, WAIT_MS);
    g_assert_true (any_peer_is_connected (peer));
    peers = any_socket_get_peers (server);
    g_assert_cmpuint (g_list_length (peers), ==, 1);
    any_socket_stop (healthy);
  }
  any_socket_stop (server);
}

/* Cases: LINK and INTERNAL before AUTH (PROTOCOL.md 4: held back) */

static void
test_held_then_timeout (Fixture       *fx,
                        gconstpointer  data)
{
  RawClient *raw;

  any_socket_set_auth_timeout (fx->server, SHORT_AUTH_TIMEOUT);
  raw = raw_connect (fx);
  g_assert_true (raw_send (raw, LAST, T_LINK, 2, "{\"held\":1}"));
  g_assert_true (raw_send (raw, LAST, T_INTERNAL, 3, "{\"type\":3,\"method\":[\"a\"],\"params\":[],\"bin\":[]}"));
  raw_expect_close (fx, raw, "auth timed out");
  g_assert_cmpuint (fx->raw_messages->len, ==, 0);
  g_assert_cmpuint (raw->frames->len, ==, 0);
}

static void
test_held_then_auth (Fixture       *fx,
                     gconstpointer  data)
{
  RawClient *raw = raw_connect (fx);
  g_autofree char *connected = NULL, *message1 = NULL, *message2 = NULL;
  g_autoptr(JsonNode) rpc_reply = NULL;
  RawFrame *auth, *reply2, *reply3, *reply4;
  guint i_connected = 0, i_message1 = 0, i_message2 = 0;

  g_assert_true (raw_send (raw, LAST, T_LINK, 2, "{\"n\":1}"));
  g_assert_true (raw_send (raw, LAST, T_INTERNAL, 3, "{\"type\":3,\"method\":[\"a\",\"b\"],\"params\":[],\"bin\":[]}"));
  g_assert_true (raw_send (raw, LAST, T_LINK, 4, "{\"n\":2}"));
  iterate_for (QUIET_MS);
  /* Nothing is delivered or answered before AUTH. */
  g_assert_cmpuint (fx->raw_messages->len, ==, 0);
  g_assert_cmpuint (raw->frames->len, ==, 0);
  g_assert_false (raw->closed);
  raw->next_seq = 5;
  if (!raw_auth (fx, raw))
    return;

  reply2 = raw_wait (raw, T_LINK, -2);
  reply3 = raw_wait (raw, T_INTERNAL, -3);
  reply4 = raw_wait (raw, T_LINK, -4);
  auth = raw_find_type (raw, T_AUTH, NULL);
  g_assert_nonnull (reply2);
  g_assert_nonnull (reply3);
  g_assert_nonnull (reply4);
  if (reply2 == NULL || reply3 == NULL || reply4 == NULL)
    return;
  g_assert_cmpstr (reply2->body, ==, "{\"echo\":{\"n\":1}}");
  g_assert_cmpstr (reply4->body, ==, "{\"echo\":{\"n\":2}}");
  rpc_reply = json_or_null (reply3->body);
  g_assert_true (rpc_reply != NULL && JSON_NODE_HOLDS_OBJECT (rpc_reply));
  if (rpc_reply != NULL && JSON_NODE_HOLDS_OBJECT (rpc_reply))
    g_assert_cmpint (json_object_get_int_member_with_default (json_node_get_object (rpc_reply), "code", 0), ==, 404);
  /* AUTH answer first, then the held packets in the order they were sent. */
  g_assert_cmpint (raw_frame_index (raw, auth), <, raw_frame_index (raw, reply2));
  g_assert_cmpint (raw_frame_index (raw, reply2), <, raw_frame_index (raw, reply3));
  g_assert_cmpint (raw_frame_index (raw, reply3), <, raw_frame_index (raw, reply4));

  /* The application saw the peer connect, then its messages in order. */
  connected = g_strdup_printf ("connected %s", raw->id);
  message1 = g_strdup_printf ("message %s {\"n\":1}", raw->id);
  message2 = g_strdup_printf ("message %s {\"n\":2}", raw->id);
  g_assert_true (server_log_index (fx, connected, &i_connected));
  g_assert_true (server_log_index (fx, message1, &i_message1));
  g_assert_true (server_log_index (fx, message2, &i_message2));
  g_assert_cmpuint (i_connected, <, i_message1);
  g_assert_cmpuint (i_message1, <, i_message2);
  g_assert_cmpuint (fx->raw_messages->len, ==, 2);

  raw_expect_alive (fx, raw);
}

static void
test_held_then_bad_auth (Fixture       *fx,
                         gconstpointer  data)
{
  RawClient *raw = raw_connect (fx);

  g_assert_true (raw_send (raw, LAST, T_LINK, 2, "{\"n\":1}"));
  g_assert_true (raw_send (raw, LAST, T_AUTH, 1, "{\"auth\":\"no id\"}"));
  raw_expect_close (fx, raw, "Invalid Auth Packet!");
  g_assert_cmpuint (fx->raw_messages->len, ==, 0);
  g_assert_null (raw_find (raw, T_LINK, -2));
}

/* Held packets are bounded by max-message-size in total: well under the
 * limit they are held and delivered, over it the link closes (whether the
 * server counts a little overhead per packet or not). */
static void
test_held_limit (Fixture       *fx,
                 gconstpointer  data)
{
  gboolean over = GPOINTER_TO_INT (data);
  const gsize piece = MAX_MESSAGE_SIZE / 8;
  const gint32 pieces = over ? 9 : 7;
  g_autofree char *body = json_string_of_size (piece);
  RawClient *raw = raw_connect (fx);

  for (gint32 seq = 2; seq < 2 + pieces; seq++)
    raw_send (raw, LAST, T_LINK, seq, body);

  if (over)
    {
      raw_expect_close (fx, raw, "Too much data before authentication");
      g_assert_cmpuint (fx->raw_messages->len, ==, 0);
      return;
    }

  iterate_for (QUIET_MS);
  g_assert_false (raw->closed);
  raw->next_seq = 2 + pieces;
  if (!raw_auth (fx, raw))
    return;
  g_assert_nonnull (raw_wait (raw, T_LINK, -(1 + pieces)));
  g_assert_cmpuint (fx->raw_messages->len, ==, (guint) pieces);
  raw_expect_alive (fx, raw);
}

/* Many tiny held packets: their bytes are within the limit, and the
 * memory that holds them must be too, within a small factor. The server
 * may either refuse them (`Too much data before authentication`) or hold
 * them all cheaply and deliver them after AUTH. */
static GBytes *
make_tiny_link (guint    i,
                gpointer data)
{
  return chunk_new (LAST, T_LINK, (gint32) i + 2, "0", 1);
}

static void
test_held_tiny_flood (Fixture       *fx,
                      gconstpointer  data)
{
  const guint count = 16384;      /* 16 KiB of JSON: a quarter of the byte limit */
  const gssize bound = 4 * MAX_MESSAGE_SIZE;
  RawClient *raw;
  MemoryMark mark;
  gssize heap_growth, rss_growth;
  guint sent;

  /* No timeout: every packet must have been read when AUTH arrives. */
  any_socket_set_auth_timeout (fx->server, 0);
  raw = raw_connect (fx);
  fx->measure_id = raw->id;
  memory_mark (&mark);
  sent = raw_flood (raw, count, make_tiny_link, NULL);
  g_test_message ("sent %u of %u one-byte LINK packets before AUTH", sent, count);
  raw->next_seq = count + 2;
  iterate_for (QUIET_MS);
  if (raw->closed)
    {
      /* Refused: fine, if it says why and holds little. */
      raw_expect_close (fx, raw, "Too much data before authentication");
      assert_memory_growth (&mark, bound, "after the refused flood");
      return;
    }
  if (!raw_auth (fx, raw))
    return;

  heap_growth = (gssize) fx->heap_at_connected - (gssize) mark.heap;
  rss_growth = (gssize) fx->rss_at_connected - (gssize) mark.rss;
  g_test_message ("%u one-byte LINK packets held before AUTH: heap %+zd KiB (%zd bytes a packet), RSS %+zd KiB (bound %zd KiB)",
                  count, heap_growth / 1024, heap_growth / (gssize) count, rss_growth / 1024, bound / 1024);
  if (mark.heap != 0)
    g_assert_cmpint (heap_growth, <, bound);
  else
    g_test_message ("heap in use unknown (valgrind?): not checked");

  /* All of them are delivered, in order, once connected. */
  g_assert_nonnull (raw_wait (raw, T_LINK, -(gint32) (count + 1)));
  g_assert_cmpuint (fx->raw_messages->len, ==, count);
  for (guint i = 0; i < fx->raw_messages->len; i++)
    if (!g_str_equal (g_ptr_array_index (fx->raw_messages, i), "0"))
      {
        g_assert_cmpstr (g_ptr_array_index (fx->raw_messages, i), ==, "0");
        break;
      }
}

/* Cases: replies */

/* A reply to a request that was never made is dropped; the link stays up. */
static void
test_reply_unknown_seq (Fixture       *fx,
                        gconstpointer  data)
{
  RawClient *raw = raw_connect (fx);

  if (!raw_auth (fx, raw))
    return;
  g_assert_true (raw_send (raw, LAST, T_LINK, -12345, "{\"late\":1}"));
  g_assert_true (raw_send (raw, LAST, T_LINK, -1, "{\"late\":2}"));
  g_assert_true (raw_send (raw, LAST, T_INTERNAL, -777, "{\"ok\":true}"));
  g_assert_true (raw_send (raw, LAST, T_LINK, -G_MAXINT32, "{\"late\":4}"));
  raw_expect_alive (fx, raw);
  raw_expect_alive (fx, raw);
  g_assert_cmpuint (fx->raw_messages->len, ==, 2);
  g_assert_false (g_hash_table_contains (fx->disconnect_reasons, raw->id));
}

/* A seq no peer sends (PROTOCOL.md 3): 0 cannot be answered (the reply
 * would carry seq 0 too, a new request), -2^31 is the reply to no
 * request. Neither is silently swallowed: the link closes, with a reason. */
typedef struct {
  char        type;
  gint32      seq;
  const char *reason;
} NeverSentSeq;

static const NeverSentSeq never_sent_seqs[] = {
  { T_LINK, 0, "Invalid Packet! LINK packet with seq 0, which no peer sends" },
  { T_LINK, G_MININT32, "Invalid Packet! LINK packet with seq -2147483648, which no peer sends" },
  { T_INTERNAL, 0, "Invalid Packet! INTERNAL packet with seq 0, which no peer sends" },
};

static void
test_seq_never_sent (Fixture       *fx,
                     gconstpointer  data)
{
  const NeverSentSeq *bad = data;
  RawClient *raw = raw_connect (fx);

  if (!raw_auth (fx, raw))
    return;
  raw_expect_alive (fx, raw);
  g_assert_true (raw_send (raw, LAST, bad->type, bad->seq,
                           bad->type == T_LINK ? "{\"x\":1}" : "{\"type\":5,\"time\":1}"));
  raw_expect_close (fx, raw, bad->reason);
  /* Negated as the wire would (G_MININT32 is its own negation). */
  g_assert_null (raw_find (raw, bad->type, (gint32) (0u - (guint32) bad->seq)));
}

/* Cases: HEARTBEAT (PROTOCOL.md 5) */

static void
test_heartbeat_ping (Fixture       *fx,
                     gconstpointer  data)
{
  RawClient *raw = raw_connect (fx);
  RawFrame *pong;

  if (!raw_auth (fx, raw))
    return;
  g_assert_true (raw_send (raw, LAST, T_HEARTBEAT, 2, "1"));
  WAIT_FOR (raw_find_type (raw, T_HEARTBEAT, "2") != NULL || raw->closed, WAIT_MS);
  pong = raw_find_type (raw, T_HEARTBEAT, "2");
  g_assert_nonnull (pong);
  if (pong != NULL)
    {
      g_assert_cmpint (pong->flag, ==, LAST);
      g_assert_cmpint (pong->seq, >, 0);
    }

  /* An unsolicited pong is harmless. */
  g_assert_true (raw_send (raw, LAST, T_HEARTBEAT, 3, "2"));
  raw->next_seq = 4;
  raw_expect_alive (fx, raw);
}

static void
test_heartbeat_invalid (Fixture       *fx,
                        gconstpointer  data)
{
  RawClient *raw = raw_connect (fx);

  if (!raw_auth (fx, raw))
    return;
  g_assert_true (raw_send (raw, LAST, T_HEARTBEAT, 2, (const char *) data));
  raw_expect_close (fx, raw, "Invalid HEARTBEAT packet");
}

void
badinput_add_auth_cases (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_auths); i++)
    {
      g_autofree char *path = g_strdup_printf ("/badinput/auth/invalid/%s", bad_auths[i].name);

      g_test_add (path, Fixture, &bad_auths[i], fixture_setup, test_bad_auth, fixture_teardown);
    }

  ADD ("auth/duplicate-id/healthy-client", GINT_TO_POINTER (FALSE), test_auth_duplicate_id);

  ADD ("auth/duplicate-id/server", GINT_TO_POINTER (TRUE), test_auth_duplicate_id);

  ADD ("auth/twice", NULL, test_auth_twice);

  ADD ("auth/timeout-silent", NULL, test_auth_timeout_silent);
  ADD ("auth/stalled-upgrade", NULL, test_stalled_upgrade);

  ADD ("held/link-then-timeout", NULL, test_held_then_timeout);

  ADD ("held/link-then-auth", NULL, test_held_then_auth);

  ADD ("held/link-then-bad-auth", NULL, test_held_then_bad_auth);

  ADD ("held/under-limit", GINT_TO_POINTER (FALSE), test_held_limit);

  ADD ("held/over-limit", GINT_TO_POINTER (TRUE), test_held_limit);

  ADD ("held/tiny-flood", NULL, test_held_tiny_flood);

  ADD ("reply/unknown-seq", NULL, test_reply_unknown_seq);

  ADD ("seq/link-0", &never_sent_seqs[0], test_seq_never_sent);
  ADD ("seq/link-min", &never_sent_seqs[1], test_seq_never_sent);
  ADD ("seq/internal-0", &never_sent_seqs[2], test_seq_never_sent);

  ADD ("heartbeat/ping", NULL, test_heartbeat_ping);

  ADD ("heartbeat/invalid-3", "3", test_heartbeat_invalid);

  ADD ("heartbeat/invalid-string", "\"1\"", test_heartbeat_invalid);

  ADD ("heartbeat/invalid-object", "{}", test_heartbeat_invalid);
}
