/* test-socket.c: two libanysocket endpoints over real loopback sockets
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>
#include "loopback.h"

static void
echo_message (AnySocket *socket, AnyPacket *packet, gpointer user_data)
{
  any_packet_reply (packet, any_packet_get_msg (packet), NULL);
}

/* A server and a client, connected. */
typedef struct {
  AnySocket *server;
  AnySocket *client;
  AnyPeer   *server_side;  /* the client, as the server sees it */
  AnyPeer   *client_side;  /* the server, as the client sees it */
  guint      port;
  GPtrArray *server_messages;
  GPtrArray *disconnects;  /* "server|client reason" */
  gboolean   echo;
} Pair;

static void
record_message (AnySocket *socket, AnyPacket *packet, gpointer user_data)
{
  Pair *pair = user_data;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (pair->server_messages, g_object_ref (packet));
  if (pair->echo)
    {
      g_assert_true (any_packet_reply (packet, any_packet_get_msg (packet), &error));
      g_assert_no_error (error);
    }
}

static void
record_server_connected (AnySocket *socket, AnyPeer *peer, gpointer user_data)
{
  Pair *pair = user_data;

  g_set_object (&pair->server_side, peer);
}

static void
record_disconnect (AnySocket *socket, AnyPeer *peer, const char *reason, gpointer user_data)
{
  Pair *pair = user_data;

  g_ptr_array_add (pair->disconnects,
                   g_strdup_printf ("%s %s", socket == pair->server ? "server" : "client", reason));
}

static void
pair_setup (Pair *pair, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gboolean connected_both = FALSE;

  pair->server = any_socket_new ();
  pair->client = any_socket_new ();
  pair->server_messages = g_ptr_array_new_with_free_func (g_object_unref);
  pair->disconnects = g_ptr_array_new_with_free_func (g_free);
  pair->echo = TRUE;
  g_signal_connect (pair->server, "message", G_CALLBACK (record_message), pair);
  g_signal_connect (pair->server, "connected", G_CALLBACK (record_server_connected), pair);
  g_signal_connect (pair->server, "disconnected", G_CALLBACK (record_disconnect), pair);
  g_signal_connect (pair->client, "disconnected", G_CALLBACK (record_disconnect), pair);

  pair->port = listen_local (pair->server);
  pair->client_side = connect_local (pair->client, pair->port, &error);
  g_assert_no_error (error);
  g_assert_nonnull (pair->client_side);

  /* The server is connected when it sent its AUTH, so before the client. */
  connected_both = pair->server_side != NULL;
  g_assert_true (wait_for (&connected_both, WAIT_MS));
}

static void
pair_teardown (Pair *pair, gconstpointer data)
{
  any_socket_stop (pair->client);
  any_socket_stop (pair->server);
  g_clear_object (&pair->client_side);
  g_clear_object (&pair->server_side);
  g_clear_object (&pair->client);
  g_clear_object (&pair->server);
  g_ptr_array_unref (pair->server_messages);
  g_ptr_array_unref (pair->disconnects);
  drain ();
}

static void
test_ids_and_peers (Pair *pair, gconstpointer data)
{
  g_autoptr(GList) peers = any_socket_get_peers (pair->server);
  const char *id = any_socket_get_id (pair->client);

  g_assert_cmpuint (strlen (id), ==, 32);
  for (const char *p = id; *p; p++)
    g_assert_true (g_ascii_isdigit (*p) || (*p >= 'a' && *p <= 'f'));
  g_assert_cmpint (id[12], ==, '4');
  g_assert_cmpstr (any_peer_get_id (pair->client_side), ==, any_socket_get_id (pair->server));
  g_assert_cmpstr (any_peer_get_id (pair->server_side), ==, id);
  g_assert_cmpuint (g_list_length (peers), ==, 1);
  g_assert_true (peers->data == pair->server_side);
  g_assert_true (any_socket_get_peer (pair->server, id) == pair->server_side);
  g_assert_null (any_socket_get_peer (pair->server, "nobody"));
  g_assert_cmpstr (any_peer_get_connection_id (pair->server_side), !=,
                   any_peer_get_connection_id (pair->client_side));
  g_assert_true (g_str_has_prefix (any_peer_get_remote_address (pair->server_side), "127.0.0.1:"));
  g_assert_cmpint (any_peer_get_lag (pair->client_side), ==, -1);
  g_assert_true (any_peer_is_connected (pair->client_side));
  g_assert_true (any_peer_get_socket (pair->client_side) == pair->client);
}

typedef struct {
  int        done;
  int        failed;
  GPtrArray *replies;
  GError    *last_error;
} Requests;

static void
on_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Requests *r = user_data;
  g_autoptr(GError) error = NULL;
  AnyPacket *reply = any_peer_request_finish (ANY_PEER (source), result, &error);

  r->done++;
  if (reply != NULL)
    g_ptr_array_add (r->replies, reply);
  else
    {
      r->failed++;
      g_clear_error (&r->last_error);
      r->last_error = g_steal_pointer (&error);
    }
}

static void
test_request_reply_64_in_flight (Pair *pair, gconstpointer data)
{
  Requests r = { .replies = g_ptr_array_new_with_free_func (g_object_unref) };
  GHashTable *seen = g_hash_table_new (NULL, NULL);

  for (int i = 0; i < 64; i++)
    {
      g_autofree char *text = g_strdup_printf ("{\"n\":%d,\"s\":\"é漢字😀\"}", i);
      g_autoptr(JsonNode) msg = json_from_string (text, NULL);

      any_peer_request_async (pair->client_side, msg, 0, NULL, on_reply, &r);
    }
  g_assert_true (wait_count (&r.done, 64, WAIT_MS));
  g_assert_cmpint (r.failed, ==, 0);
  for (guint i = 0; i < r.replies->len; i++)
    {
      AnyPacket *reply = r.replies->pdata[i];
      JsonObject *object = json_node_get_object (any_packet_get_msg (reply));

      g_assert_true (any_packet_is_reply (reply));
      g_assert_cmpint (any_packet_get_seq (reply), <, 0);
      g_assert_cmpstr (json_object_get_string_member (object, "s"), ==, "é漢字😀");
      g_hash_table_add (seen, GINT_TO_POINTER (json_object_get_int_member (object, "n") + 1));
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, 64);
  g_hash_table_unref (seen);
  g_ptr_array_unref (r.replies);
}

static void
test_reply_to_reply_is_refused (Pair *pair, gconstpointer data)
{
  Requests r = { .replies = g_ptr_array_new_with_free_func (g_object_unref) };
  g_autoptr(JsonNode) msg = json_from_string ("[1,2,3]", NULL);
  g_autoptr(GError) error = NULL;

  any_peer_request_async (pair->client_side, msg, 0, NULL, on_reply, &r);
  g_assert_true (wait_count (&r.done, 1, WAIT_MS));
  g_assert_cmpuint (r.replies->len, ==, 1);
  g_assert_false (any_packet_reply (r.replies->pdata[0], msg, &error));
  g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT);
  g_ptr_array_unref (r.replies);
}

static void
test_request_timeout_keeps_peer (Pair *pair, gconstpointer data)
{
  Requests r = { .replies = g_ptr_array_new_with_free_func (g_object_unref) };
  g_autoptr(JsonNode) msg = json_from_string ("\"no answer\"", NULL);
  gint64 started = g_get_monotonic_time ();

  pair->echo = FALSE;
  any_peer_request_async (pair->client_side, msg, 150, NULL, on_reply, &r);
  g_assert_true (wait_count (&r.done, 1, WAIT_MS));
  g_assert_error (r.last_error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_TIMEOUT);
  g_assert_cmpint (g_get_monotonic_time () - started, >=, 150 * 1000);
  g_assert_true (any_peer_is_connected (pair->client_side));

  /* A late reply is dropped, and the link still works. */
  g_assert_true (any_packet_reply (pair->server_messages->pdata[0], msg, NULL));
  pair->echo = TRUE;
  any_peer_request_async (pair->client_side, msg, 0, NULL, on_reply, &r);
  g_assert_true (wait_count (&r.done, 2, WAIT_MS));
  g_assert_cmpuint (r.replies->len, ==, 1);
  g_assert_cmpuint (pair->disconnects->len, ==, 0);
  g_clear_error (&r.last_error);
  g_ptr_array_unref (r.replies);
}

typedef struct {
  GPtrArray *order;   /* request names, in the order they completed */
  int        done;
} Completion;

static void
on_named_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Completion *c = g_object_get_data (G_OBJECT (g_task_get_cancellable (G_TASK (result))), "completion");
  const char *name = g_object_get_data (G_OBJECT (g_task_get_cancellable (G_TASK (result))), "name");
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPacket) reply = any_peer_request_finish (ANY_PEER (source), result, &error);

  g_ptr_array_add (c->order, g_strdup_printf ("%s:%s", name, reply ? "reply" : "timeout"));
  if (reply == NULL)
    g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_TIMEOUT);
  c->done++;
}

static void
named_request (Pair *pair, Completion *c, const char *name, guint timeout_ms)
{
  g_autoptr(JsonNode) msg = json_from_string ("\"x\"", NULL);
  g_autoptr(GCancellable) tag = g_cancellable_new ();

  g_object_set_data (G_OBJECT (tag), "completion", c);
  g_object_set_data_full (G_OBJECT (tag), "name", g_strdup (name), g_free);
  any_peer_request_async (pair->client_side, msg, timeout_ms, tag, on_named_reply, NULL);
}

static void
test_request_mixed_timeouts (Pair *pair, gconstpointer data)
{
  Completion c = { g_ptr_array_new_with_free_func (g_free), 0 };

  /* Deadlines out of send order share one timer: each fires on time. */
  pair->echo = FALSE;
  named_request (pair, &c, "slow", 300);
  named_request (pair, &c, "fast", 60);
  named_request (pair, &c, "middle", 150);
  named_request (pair, &c, "answered", 0);
  g_assert_true (wait_count ((int *) &pair->server_messages->len, 4, WAIT_MS));
  g_assert_true (any_packet_reply (pair->server_messages->pdata[3], any_packet_get_msg (pair->server_messages->pdata[3]), NULL));
  g_assert_true (wait_count (&c.done, 4, WAIT_MS));
  g_assert_cmpstr (c.order->pdata[0], ==, "answered:reply");
  g_assert_cmpstr (c.order->pdata[1], ==, "fast:timeout");
  g_assert_cmpstr (c.order->pdata[2], ==, "middle:timeout");
  g_assert_cmpstr (c.order->pdata[3], ==, "slow:timeout");
  g_assert_true (any_peer_is_connected (pair->client_side));
  g_ptr_array_unref (c.order);
}

static void
test_permessage_deflate (void)
{
  g_autoptr(AnySocket) server = any_socket_new ();
  g_autoptr(AnySocket) client = any_socket_new ();
  g_autoptr(AnyPeer) peer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) msg = NULL;
  Requests r = { .replies = g_ptr_array_new_with_free_func (g_object_unref) };
  guint port;

  any_socket_set_permessage_deflate (server, TRUE);
  any_socket_set_permessage_deflate (client, TRUE);
  g_signal_connect (server, "message", G_CALLBACK (echo_message), NULL);
  port = listen_local (server);
  peer = connect_local (client, port, &error);
  g_assert_no_error (error);

  text = g_strdup_printf ("\"%s\"", "compressible compressible compressible é漢😀");
  msg = json_from_string (text, NULL);
  any_peer_request_async (peer, msg, 0, NULL, on_reply, &r);
  g_assert_true (wait_count (&r.done, 1, WAIT_MS));
  g_assert_cmpint (r.failed, ==, 0);
  g_assert_cmpstr (json_node_get_string (any_packet_get_msg (r.replies->pdata[0])), ==,
                   "compressible compressible compressible é漢😀");
  any_socket_stop (client);
  any_socket_stop (server);
  g_ptr_array_unref (r.replies);
  drain ();
}

static void
test_request_cancel (Pair *pair, gconstpointer data)
{
  Requests r = { .replies = g_ptr_array_new_with_free_func (g_object_unref) };
  g_autoptr(JsonNode) msg = json_from_string ("1", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  pair->echo = FALSE;
  any_peer_request_async (pair->client_side, msg, 0, cancellable, on_reply, &r);
  iterate_for (20);
  g_cancellable_cancel (cancellable);
  g_assert_true (wait_count (&r.done, 1, WAIT_MS));
  g_assert_error (r.last_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* The slot is free: the late reply is dropped, not delivered. */
  g_assert_true (wait_count ((int *) &pair->server_messages->len, 1, WAIT_MS));
  g_assert_true (any_packet_reply (pair->server_messages->pdata[0], msg, NULL));
  iterate_for (50);
  g_assert_cmpint (r.done, ==, 1);
  g_clear_error (&r.last_error);
  g_ptr_array_unref (r.replies);
}

static void
test_disconnect_fails_pending (Pair *pair, gconstpointer data)
{
  Requests r = { .replies = g_ptr_array_new_with_free_func (g_object_unref) };
  g_autoptr(JsonNode) msg = json_from_string ("1", NULL);
  g_autoptr(GError) error = NULL;
  gboolean gone = FALSE;

  pair->echo = FALSE;
  for (int i = 0; i < 3; i++)
    any_peer_request_async (pair->client_side, msg, 0, NULL, on_reply, &r);
  g_assert_true (wait_count ((int *) &pair->server_messages->len, 3, WAIT_MS));

  any_peer_disconnect (pair->server_side, "Go away");
  g_assert_true (wait_count (&r.done, 3, WAIT_MS));
  g_assert_cmpint (r.failed, ==, 3);
  g_assert_error (r.last_error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_DISCONNECTED);
  g_assert_nonnull (strstr (r.last_error->message, "Go away"));

  /* Both sides saw the reason; the peers are gone from the tables. */
  gone = pair->disconnects->len == 2;
  for (int i = 0; i < 100 && !gone; i++)
    {
      iterate_for (10);
      gone = pair->disconnects->len == 2;
    }
  g_assert_cmpuint (pair->disconnects->len, ==, 2);
  g_assert_cmpstr (pair->disconnects->pdata[0], ==, "server Go away");
  g_assert_cmpstr (pair->disconnects->pdata[1], ==, "client Go away");
  g_assert_null (any_socket_get_peers (pair->server));
  g_assert_false (any_peer_send (pair->client_side, msg, &error));
  g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_DISCONNECTED);
  g_clear_error (&r.last_error);
  g_ptr_array_unref (r.replies);
}

static char *
big_string (gsize bytes)
{
  GString *text = g_string_new ("\"");

  for (guint i = 0; text->len < bytes; i++)
    g_string_append (text, i % 5 == 0 ? "é漢😀" : "0123456789");
  g_string_append_c (text, '"');
  return g_string_free (text, FALSE);
}

static void
test_five_mib_message (Pair *pair, gconstpointer data)
{
  g_autofree char *text = big_string (5 * 1024 * 1024);
  g_autoptr(JsonNode) msg = json_from_string (text, NULL);
  Requests r = { .replies = g_ptr_array_new_with_free_func (g_object_unref) };
  const char *echoed;

  any_peer_request_async (pair->client_side, msg, 0, NULL, on_reply, &r);
  g_assert_true (wait_count (&r.done, 1, 20000));
  g_assert_cmpint (r.failed, ==, 0);
  echoed = json_node_get_string (any_packet_get_msg (r.replies->pdata[0]));
  g_assert_cmpuint (strlen (echoed), ==, strlen (text) - 2);
  g_assert_true (strncmp (echoed, text + 1, strlen (echoed)) == 0);
  g_ptr_array_unref (r.replies);
}

static void
test_send_too_big (Pair *pair, gconstpointer data)
{
  g_autofree char *text = big_string (2000);
  g_autoptr(JsonNode) msg = json_from_string (text, NULL);
  g_autoptr(GError) error = NULL;

  /* The limit applies to links made after it is set: reconnect. */
  any_socket_set_max_message_size (pair->client, 1000);
  any_socket_stop (pair->client);
  g_clear_object (&pair->client_side);
  pair->client_side = connect_local (pair->client, pair->port, &error);
  g_assert_no_error (error);
  g_assert_false (any_peer_send (pair->client_side, msg, &error));
  g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_MESSAGE_TOO_BIG);
  g_assert_true (any_peer_is_connected (pair->client_side));
}

static void
test_receive_too_big (Pair *pair, gconstpointer data)
{
  g_autofree char *text = big_string (3 * 1024 * 1024);
  g_autoptr(JsonNode) msg = json_from_string (text, NULL);
  g_autoptr(AnySocket) strict = any_socket_new ();
  g_autoptr(AnyPeer) peer = NULL;
  g_autoptr(GError) error = NULL;

  /* A server that takes at most 1 MiB gets a 3 MiB message over three
   * chunks: it hangs up with a reason the sender can read. */
  any_socket_set_max_message_size (pair->server, 1024 * 1024);
  peer = connect_local (strict, pair->port, &error);
  g_assert_no_error (error);
  g_assert_true (any_peer_send (peer, msg, &error));
  for (int i = 0; i < 500 && any_peer_is_connected (peer); i++)
    iterate_for (10);
  g_assert_false (any_peer_is_connected (peer));
  g_assert_cmpuint (pair->server_messages->len, ==, 0);
  any_socket_stop (strict);
}

static void
test_broadcast (Pair *pair, gconstpointer data)
{
  g_autoptr(AnySocket) second = any_socket_new ();
  g_autoptr(AnyPeer) peer = NULL;
  g_autoptr(JsonNode) msg = json_from_string ("{\"to\":\"all\"}", NULL);
  g_autoptr(GError) error = NULL;
  int received = 0;

  peer = connect_local (second, pair->port, &error);
  g_assert_no_error (error);
  g_signal_connect_swapped (pair->client, "message", G_CALLBACK (g_atomic_int_inc), &received);
  g_signal_connect_swapped (second, "message", G_CALLBACK (g_atomic_int_inc), &received);
  {
    g_autoptr(GList) peers = NULL;
    for (int i = 0; i < 200 && g_list_length (peers) < 2; i++)
      {
        g_clear_pointer (&peers, g_list_free);
        iterate_for (5);
        peers = any_socket_get_peers (pair->server);
      }
    g_assert_cmpuint (g_list_length (peers), ==, 2);
  }
  any_socket_broadcast (pair->server, msg);
  g_assert_true (wait_count (&received, 2, WAIT_MS));
  any_socket_stop (second);
}

static void
test_duplicate_id_refused (Pair *pair, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPeer) again = connect_local (pair->client, pair->port, &error);

  g_assert_null (again);
  g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_AUTH_FAILED);
  g_assert_nonnull (strstr (error->message, "Duplicated AnySocket ID found!"));
  /* The first link is untouched. */
  g_assert_true (any_peer_is_connected (pair->client_side));
}

static gboolean
refuse_without_token (AnySocket *socket, const char *peer_id, JsonNode *auth, gpointer user_data)
{
  return auth != NULL && JSON_NODE_HOLDS_OBJECT (auth) &&
         g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (auth), "token", NULL),
                    "sesame") == 0;
}

static void
test_custom_auth (Pair *pair, gconstpointer data)
{
  g_autoptr(AnySocket) stranger = any_socket_new ();
  g_autoptr(AnySocket) friend = any_socket_new ();
  g_autoptr(JsonNode) token = json_from_string ("{\"token\":\"sesame\"}", NULL);
  g_autoptr(JsonNode) wrong = json_from_string ("{\"token\":\"nope\"}", NULL);
  g_autoptr(AnyPeer) refused = NULL;
  g_autoptr(AnyPeer) accepted = NULL;
  g_autoptr(GError) error = NULL;

  g_signal_connect (pair->server, "authenticate", G_CALLBACK (refuse_without_token), NULL);
  any_socket_set_auth_data (stranger, wrong);
  refused = connect_local (stranger, pair->port, &error);
  g_assert_null (refused);
  g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_AUTH_FAILED);
  g_assert_nonnull (strstr (error->message, "Invalid Auth Packet!"));
  g_clear_error (&error);

  g_object_set (friend, "auth-data", token, NULL);
  accepted = connect_local (friend, pair->port, &error);
  g_assert_no_error (error);
  g_assert_nonnull (accepted);
  any_socket_stop (friend);
  any_socket_stop (stranger);
}

static void
count_heartbeat (AnyPeer *peer, gpointer user_data)
{
  (*(int *) user_data)++;
}

static void
test_heartbeat_lag (Pair *pair, gconstpointer data)
{
  int beats = 0;

  g_signal_connect (pair->client_side, "heartbeat", G_CALLBACK (count_heartbeat), &beats);
  any_socket_set_heartbeat_interval (pair->client, 50);
  any_socket_set_heartbeat_interval (pair->server, 50);
  g_assert_true (wait_count (&beats, 4, WAIT_MS));
  g_assert_cmpint (any_peer_get_lag (pair->client_side), >=, 0);
  g_assert_cmpint (any_peer_get_lag (pair->client_side), <, 50);
  /* Idle for many intervals: heartbeats keep the link up. */
  iterate_for (400);
  g_assert_true (any_peer_is_connected (pair->client_side));
  g_assert_cmpuint (pair->disconnects->len, ==, 0);
}

static void
test_stop_disconnects_all (Pair *pair, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPeer) peer = NULL;
  g_autofree char *uri = g_strdup_printf ("ws://127.0.0.1:%u", pair->port);

  any_socket_stop (pair->server);
  g_assert_cmpuint (pair->disconnects->len, >=, 1);
  g_assert_cmpstr (pair->disconnects->pdata[0], ==, "server Socket stopped");
  g_assert_null (any_socket_get_peers (pair->server));
  for (int i = 0; i < 100 && pair->disconnects->len < 2; i++)
    iterate_for (10);
  g_assert_cmpstr (pair->disconnects->pdata[1], ==, "client Socket stopped");

  /* Nobody listens any more. */
  peer = connect_local (pair->client, pair->port, &error);
  g_assert_null (peer);
  g_assert_nonnull (error);
}

typedef struct {
  gboolean done;
  gboolean ok;
  gint64   rtt;
  double   offset;
  GError  *error;
} SyncedTimeResult;

static void
on_synced_time (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SyncedTimeResult *r = user_data;

  r->ok = any_peer_get_synced_time_finish (ANY_PEER (source), result, &r->rtt, &r->offset, &r->error);
  r->done = TRUE;
}

static void
test_synced_time (Pair *pair, gconstpointer data)
{
  SyncedTimeResult r = { 0 };

  any_peer_get_synced_time_async (pair->client_side, NULL, on_synced_time, &r);
  g_assert_true (wait_for (&r.done, WAIT_MS));
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  /* Same machine, same clock: a small round trip and offset. */
  g_assert_cmpint (r.rtt, >=, 0);
  g_assert_cmpint (r.rtt, <, 1000);
  g_assert_cmpfloat (ABS (r.offset), <, 1000);
  /* INTERNAL requests are not messages. */
  g_assert_cmpuint (pair->server_messages->len, ==, 0);
}

static void
test_bad_uris (void)
{
  g_autoptr(AnySocket) socket = any_socket_new ();
  static const char *bad[] = { "http://127.0.0.1:1", "ws://", "not a uri", "ws://127.0.0.1", "udp://127.0.0.1:1" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      AsyncResult r = { 0 };

      any_socket_listen_async (socket, bad[i], NULL, on_listened, &r);
      g_assert_true (wait_for (&r.done, WAIT_MS));
      g_assert_error (r.error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_URI);
      g_clear_error (&r.error);
    }
  {
    AsyncResult r = { 0 };

    any_socket_connect_async (socket, "ftp://127.0.0.1:21", NULL, on_connected, &r);
    g_assert_true (wait_for (&r.done, WAIT_MS));
    g_assert_error (r.error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_URI);
    g_clear_error (&r.error);
  }
}

static void
test_port_in_use_and_refused (void)
{
  g_autoptr(AnySocket) first = any_socket_new ();
  g_autoptr(AnySocket) second = any_socket_new ();
  guint port = listen_local (first);
  g_autofree char *uri = g_strdup_printf ("ws://127.0.0.1:%u", port);
  AsyncResult r = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPeer) peer = NULL;

  any_socket_listen_async (second, uri, NULL, on_listened, &r);
  g_assert_true (wait_for (&r.done, WAIT_MS));
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_clear_error (&r.error);

  any_socket_stop (first);
  peer = connect_local (second, port, &error);
  g_assert_null (peer);
  g_assert_nonnull (error);
  drain ();
}

static void
test_connect_to_self_refused (void)
{
  g_autoptr(AnySocket) socket = any_socket_new ();
  guint port = listen_local (socket);
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPeer) peer = connect_local (socket, port, &error);

  g_assert_null (peer);
  g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_AUTH_FAILED);
  g_assert_null (any_socket_get_peers (socket));
  any_socket_stop (socket);
  drain ();
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Pair, NULL, pair_setup, func, pair_teardown)
  ADD ("/socket/ids-and-peers", test_ids_and_peers);
  ADD ("/socket/request/64-in-flight", test_request_reply_64_in_flight);
  ADD ("/socket/request/reply-to-reply", test_reply_to_reply_is_refused);
  ADD ("/socket/request/timeout-keeps-peer", test_request_timeout_keeps_peer);
  ADD ("/socket/request/cancel", test_request_cancel);
  ADD ("/socket/request/mixed-timeouts", test_request_mixed_timeouts);
  ADD ("/socket/request/disconnect-fails-pending", test_disconnect_fails_pending);
  ADD ("/socket/message/five-mib", test_five_mib_message);
  ADD ("/socket/message/send-too-big", test_send_too_big);
  ADD ("/socket/message/receive-too-big", test_receive_too_big);
  ADD ("/socket/broadcast", test_broadcast);
  ADD ("/socket/auth/duplicate-id", test_duplicate_id_refused);
  ADD ("/socket/auth/custom", test_custom_auth);
  ADD ("/socket/heartbeat/lag", test_heartbeat_lag);
  ADD ("/socket/stop", test_stop_disconnects_all);
  ADD ("/socket/synced-time", test_synced_time);
#undef ADD
  g_test_add_func ("/socket/permessage-deflate", test_permessage_deflate);
  g_test_add_func ("/socket/errors/bad-uris", test_bad_uris);
  g_test_add_func ("/socket/errors/port-in-use-and-refused", test_port_in_use_and_refused);
  g_test_add_func ("/socket/errors/connect-to-self", test_connect_to_self_refused);

  return g_test_run ();
}
