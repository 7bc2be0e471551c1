/* test-fanout.c: any_socket_broadcast() serialises once (api/any-fanout.c)
 * and still delivers every message to every peer exactly once, in order,
 * over real loopback sockets: peers on our own framing, an end-to-end
 * encrypted peer (its own ciphertext), a permessage-deflate peer (on
 * libsoup's WebSocket); and a peer that stops reading is dropped by its
 * own send buffer's limit without holding the others back.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "loopback.h"

#define N_CLIENTS 4

typedef struct {
  AnySocket *socket;
  AnyPeer   *server;      /* the server, as this client sees it */
  GArray    *got;         /* gint: the "n" of each broadcast, as it came */
  guint      other;       /* messages that were not broadcasts */
} Client;

typedef struct {
  AnySocket  *socket;
  guint       port;
  guint       connected;
  guint       e2e;
  GHashTable *disconnects;  /* peer id -> reason */
} Server;

static void
on_client_message (AnySocket *socket, AnyPacket *packet, gpointer user_data)
{
  Client *c = user_data;
  JsonNode *msg = any_packet_get_msg (packet);
  JsonObject *object = JSON_NODE_HOLDS_OBJECT (msg) ? json_node_get_object (msg) : NULL;

  if (object != NULL && json_object_has_member (object, "n"))
    {
      gint n = (gint) json_object_get_int_member (object, "n");

      g_array_append_val (c->got, n);
    }
  else if (object != NULL && json_object_has_member (object, "req"))
    {
      g_autoptr(JsonNode) reply = json_checked ("{\"echo\": true}");

      g_assert_true (any_packet_reply (packet, reply, NULL));
    }
  else
    c->other++;
}

static void
on_server_connected (AnySocket *socket, AnyPeer *peer, gpointer user_data)
{
  ((Server *) user_data)->connected++;
}

static void
on_server_e2e (AnySocket *socket, AnyPeer *peer, gpointer user_data)
{
  ((Server *) user_data)->e2e++;
}

static void
on_server_disconnected (AnySocket *socket, AnyPeer *peer, const char *reason, gpointer user_data)
{
  Server *s = user_data;

  g_hash_table_replace (s->disconnects, g_strdup (any_peer_get_id (peer)), g_strdup (reason));
}

static void
server_init (Server *s, gboolean deflate, guint64 max_send_buffer)
{
  s->socket = any_socket_new ();
  s->disconnects = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  any_socket_set_permessage_deflate (s->socket, deflate);
  if (max_send_buffer > 0)
    {
      /* The limit is at least three whole messages (any-engine.c). */
      any_socket_set_max_message_size (s->socket, max_send_buffer / 4);
      any_socket_set_max_send_buffer (s->socket, max_send_buffer);
    }
  g_signal_connect (s->socket, "connected", G_CALLBACK (on_server_connected), s);
  g_signal_connect (s->socket, "e2e", G_CALLBACK (on_server_e2e), s);
  g_signal_connect (s->socket, "disconnected", G_CALLBACK (on_server_disconnected), s);
  s->port = listen_local (s->socket);
}

static void
server_clear (Server *s)
{
  any_socket_stop (s->socket);
  drain ();
  g_signal_handlers_disconnect_by_data (s->socket, s);
  g_clear_object (&s->socket);
  g_hash_table_unref (s->disconnects);
}

static void
client_init (Client *c, Server *s, gboolean deflate)
{
  g_autoptr(GError) error = NULL;

  c->socket = any_socket_new ();
  c->got = g_array_new (FALSE, FALSE, sizeof (gint));
  any_socket_set_permessage_deflate (c->socket, deflate);
  g_signal_connect (c->socket, "message", G_CALLBACK (on_client_message), c);
  c->server = connect_local (c->socket, s->port, &error);
  g_assert_no_error (error);
  g_assert_nonnull (c->server);
}

static void
client_clear (Client *c)
{
  any_socket_stop (c->socket);
  drain ();
  g_signal_handlers_disconnect_by_data (c->socket, c);
  g_clear_object (&c->server);
  g_clear_object (&c->socket);
  g_array_unref (c->got);
}

static void
broadcast_n (AnySocket *socket, gint n, gsize pad)
{
  g_autofree char *padding = g_strnfill (pad, 'x');
  g_autofree char *text = g_strdup_printf ("{\"n\": %d, \"pad\": \"%s\"}", n, padding);
  g_autoptr(JsonNode) msg = json_checked (text);

  any_socket_broadcast (socket, msg);
}

/* Every broadcast from @from to @to, exactly once, in order. */
static void
assert_all_in_order (Client *c, gint from, gint to)
{
  g_assert_cmpuint (c->got->len, ==, to - from);
  for (gint i = from; i < to; i++)
    g_assert_cmpint (g_array_index (c->got, gint, i - from), ==, i);
}

static gboolean
all_got (Client *clients, guint n_clients, guint count)
{
  for (guint i = 0; i < n_clients; i++)
    if (clients[i].got->len < count)
      return FALSE;
  return TRUE;
}

/* Two peers on our framing, one end-to-end encrypted, one with
 * permessage-deflate: each gets every broadcast once, in order, whether
 * sent in bursts or one at a time, and requests still find their replies
 * on links whose seqs jumped to the shared ones. */
static void
test_fanout_mixed (void)
{
  Server s = { 0 };
  Client c[N_CLIENTS] = { 0 };
  g_autoptr(GList) peers = NULL;
  gint sent = 0;

  server_init (&s, TRUE, 0);
  for (guint i = 0; i < N_CLIENTS; i++)
    client_init (&c[i], &s, i == 3);
  WAIT_UNTIL (s.connected == N_CLIENTS);
  g_assert_cmpuint (s.connected, ==, N_CLIENTS);

  any_peer_e2e (c[2].server);
  WAIT_UNTIL (s.e2e == 1);
  g_assert_cmpuint (s.e2e, ==, 1);
  g_assert_cmpint (any_peer_get_e2e_mode (c[2].server), !=, ANY_E2E_MODE_NONE);
  g_assert_cmpint (any_peer_get_e2e_mode (c[0].server), ==, ANY_E2E_MODE_NONE);

  /* Bursts of 50 with the loop held, then one at a time. */
  for (guint burst = 0; burst < 6; burst++)
    {
      for (guint k = 0; k < 50; k++)
        broadcast_n (s.socket, sent++, burst * 40);
      WAIT_UNTIL (all_got (c, N_CLIENTS, sent));
    }
  for (guint k = 0; k < 20; k++)
    {
      broadcast_n (s.socket, sent++, 0);
      WAIT_UNTIL (all_got (c, N_CLIENTS, sent));
    }
  /* Nothing more comes late. */
  iterate_for (200);
  for (guint i = 0; i < N_CLIENTS; i++)
    {
      assert_all_in_order (&c[i], 0, sent);
      g_assert_cmpuint (c[i].other, ==, 0);
    }

  /* The server's requests to each (its seqs skipped to the shared ones)
   * still get their own replies; so do the clients'. */
  peers = any_socket_get_peers (s.socket);
  g_assert_cmpuint (g_list_length (peers), ==, N_CLIENTS);
  for (GList *l = peers; l != NULL; l = l->next)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) req = json_checked ("{\"req\": 1}");
      g_autoptr(AnyPacket) reply = request_local (l->data, req, 5000, &error);

      g_assert_no_error (error);
      g_assert_nonnull (reply);
    }
  g_assert_cmpint (any_peer_get_e2e_mode (c[2].server), !=, ANY_E2E_MODE_NONE);

  for (guint i = 0; i < N_CLIENTS; i++)
    client_clear (&c[i]);
  server_clear (&s);
}

/* A client in a thread of its own that stops reading: its main context
 * is not run while the test holds it. */
typedef struct {
  guint         port;
  GMutex        lock;
  GCond         cond;
  gint          connected;   /* atomic */
  gint          failed;
  gboolean      release;
} Sleeper;

static void
on_sleeper_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AsyncResult *r = user_data;

  r->peer = any_socket_connect_finish (ANY_SOCKET (source), result, &r->error);
  r->done = TRUE;
}

static gpointer
sleeper_thread (gpointer data)
{
  Sleeper *sleeper = data;
  GMainContext *context = g_main_context_new ();
  AnySocket *socket;
  AsyncResult r = { 0 };
  g_autofree char *uri = g_strdup_printf ("ws://127.0.0.1:%u", sleeper->port);
  gint64 deadline = g_get_monotonic_time () + WAIT_MS * G_TIME_SPAN_MILLISECOND;

  g_main_context_push_thread_default (context);
  socket = any_socket_new ();
  any_socket_connect_async (socket, uri, NULL, on_sleeper_connected, &r);
  while (!r.done && g_get_monotonic_time () < deadline)
    g_main_context_iteration (context, FALSE), g_usleep (1000);

  g_mutex_lock (&sleeper->lock);
  g_atomic_int_set (&sleeper->connected, r.peer != NULL);
  g_atomic_int_set (&sleeper->failed, r.peer == NULL);
  /* Asleep: nothing reads the socket until released (bounded). */
  deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;
  while (!sleeper->release)
    if (!g_cond_wait_until (&sleeper->cond, &sleeper->lock, deadline))
      break;
  g_mutex_unlock (&sleeper->lock);

  g_clear_error (&r.error);
  g_clear_object (&r.peer);
  any_socket_stop (socket);
  for (guint i = 0; i < 100; i++)
    g_main_context_iteration (context, FALSE);
  g_object_unref (socket);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  return NULL;
}

#define SLOW_SEND_BUFFER (256 * 1024)
#define SLOW_MSG_PAD     4000
#define SLOW_ROUND       64
#define SLOW_MAX_ROUNDS  400    /* 100 MB: far past any kernel buffer */

static gboolean
sleeper_dropped (Server *s, const char *id)
{
  return g_hash_table_contains (s->disconnects, id);
}

/* The sleeper fills its own queue until its max-send-buffer drops it;
 * meanwhile the healthy peers get every broadcast, in order, round by
 * round (a round is 64 x 4 KB, 256 KiB: they read it all before the
 * next). */
static void
test_fanout_slow_peer (void)
{
  Server s = { 0 };
  Client c[2] = { 0 };
  Sleeper sleeper = { 0 };
  GThread *thread;
  g_autoptr(GList) peers = NULL;
  g_autofree char *sleeper_id = NULL;
  const char *reason;
  gint sent = 0;
  guint rounds = 0;

  server_init (&s, FALSE, SLOW_SEND_BUFFER);
  for (guint i = 0; i < G_N_ELEMENTS (c); i++)
    client_init (&c[i], &s, FALSE);
  WAIT_UNTIL (s.connected == G_N_ELEMENTS (c));

  g_mutex_init (&sleeper.lock);
  g_cond_init (&sleeper.cond);
  sleeper.port = s.port;
  thread = g_thread_new ("sleeper", sleeper_thread, &sleeper);
  /* The server answers its AUTH from this thread's loop. */
  WAIT_UNTIL (g_atomic_int_get (&sleeper.connected) || g_atomic_int_get (&sleeper.failed));
  g_assert_true (g_atomic_int_get (&sleeper.connected));
  WAIT_UNTIL (s.connected == G_N_ELEMENTS (c) + 1);
  g_assert_cmpuint (s.connected, ==, G_N_ELEMENTS (c) + 1);

  /* The sleeper is the server's peer that is neither client. */
  peers = any_socket_get_peers (s.socket);
  for (GList *l = peers; l != NULL; l = l->next)
    {
      const char *id = any_peer_get_id (l->data);

      if (g_strcmp0 (id, any_socket_get_id (c[0].socket)) != 0 &&
          g_strcmp0 (id, any_socket_get_id (c[1].socket)) != 0)
        sleeper_id = g_strdup (id);
    }
  g_assert_nonnull (sleeper_id);

  while (!sleeper_dropped (&s, sleeper_id) && rounds++ < SLOW_MAX_ROUNDS)
    {
      for (guint k = 0; k < SLOW_ROUND; k++)
        broadcast_n (s.socket, sent++, SLOW_MSG_PAD);
      WAIT_UNTIL (all_got (c, G_N_ELEMENTS (c), sent));
      g_assert_true (all_got (c, G_N_ELEMENTS (c), sent));
    }
  g_test_message ("the sleeper was dropped after %u rounds (%d messages of %d bytes)", rounds, sent,
                  SLOW_MSG_PAD);
  g_assert_true (sleeper_dropped (&s, sleeper_id));
  reason = g_hash_table_lookup (s.disconnects, sleeper_id);
  g_assert_true (g_str_has_prefix (reason, "Send buffer full"));

  /* And the others go on. */
  for (guint k = 0; k < 10; k++)
    broadcast_n (s.socket, sent++, 10);
  WAIT_UNTIL (all_got (c, G_N_ELEMENTS (c), sent));
  iterate_for (100);
  for (guint i = 0; i < G_N_ELEMENTS (c); i++)
    assert_all_in_order (&c[i], 0, sent);
  g_assert_cmpuint (g_hash_table_size (s.disconnects), ==, 1);

  g_mutex_lock (&sleeper.lock);
  sleeper.release = TRUE;
  g_cond_broadcast (&sleeper.cond);
  g_mutex_unlock (&sleeper.lock);
  g_thread_join (thread);
  g_mutex_clear (&sleeper.lock);
  g_cond_clear (&sleeper.cond);
  for (guint i = 0; i < G_N_ELEMENTS (c); i++)
    client_clear (&c[i]);
  server_clear (&s);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/fanout/mixed", test_fanout_mixed);
  g_test_add_func ("/fanout/slow-peer", test_fanout_slow_peer);

  return g_test_run ();
}
