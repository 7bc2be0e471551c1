/* test-reconnect.c: AnyConnectOptions:reconnect between libanysocket
 * endpoints over real loopback sockets: a server process killed
 * (SIGKILL) and started again on the same port, the backoff's delays and
 * their timing, no more dialling after any_peer_disconnect(),
 * any_socket_stop(), the cancellable or an AUTH refusal (issue 17)
 *
 * The server is this program run again with `--serve PORT ID`: it
 * listens, prints its port and answers requests with their "echo".
 *
 * SPDX-License-Identifier: MIT
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loopback.h"
#include "api/any-socket-private.h"

#define SERVER_ID "5e7e75e7e75e7e75e7e75e7e75e7e75e"
#define SERVER_LIFE_S 60

static const char *self_path;

/* The server process */

static void
serve_echo (AnySocket *socket, AnyPacket *packet, gpointer user_data)
{
  JsonNode *msg = any_packet_get_msg (packet);

  if (msg_string (msg, "echo") != NULL)
    any_packet_reply (packet, msg, NULL);
}

static int
serve (guint port, const char *id)
{
  g_autoptr(AnySocket) socket = any_socket_new ();
  g_autofree char *uri = g_strdup_printf ("ws://127.0.0.1:%u", port);
  AsyncResult r = { 0 };

  _any_socket_set_id_for_testing (socket, id);
  g_signal_connect (socket, "message", G_CALLBACK (serve_echo), NULL);
  any_socket_listen_async (socket, uri, NULL, on_listened, &r);
  if (!wait_for (&r.done, 5000) || r.error != NULL)
    return 1;
  g_print ("%u\n", r.port);
  fflush (stdout);
  iterate_for (SERVER_LIFE_S * 1000);   /* killed long before */
  return 0;
}

/* Starts the server on @port (0: any), returns its port. */
static GSubprocess *
spawn_server (guint *port)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *port_arg = g_strdup_printf ("%u", *port);
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;

  /* The port may still be held for a moment by the process just killed. */
  for (guint tries = 0; tries < 50 && line == NULL; tries++)
    {
      g_clear_object (&child);
      g_clear_object (&out);
      child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                self_path, "--serve", port_arg, SERVER_ID, NULL);
      g_assert_no_error (error);
      out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
      line = g_data_input_stream_read_line (out, NULL, NULL, NULL);
      if (line == NULL)
        {
          g_subprocess_wait (child, NULL, NULL);
          g_usleep (100 * 1000);
        }
    }
  g_assert_nonnull (line);
  *port = (guint) g_ascii_strtoull (line, NULL, 10);
  g_assert_cmpuint (*port, >, 0);
  return g_steal_pointer (&child);
}

static void
kill_server (GSubprocess *child)
{
  g_subprocess_send_signal (child, SIGKILL);
  g_assert_true (g_subprocess_wait (child, NULL, NULL));
}

/* The client */

typedef struct {
  guint    attempt;
  guint    delay_ms;
  gint64   at_us;
  char    *peer_id;
  char    *reason;
} Retry;

typedef struct {
  GArray   *retries;      /* Retry */
  guint     connected;
  AnyPeer  *last;         /* the last peer connected */
  GError   *failed;       /* reconnect-failed */
  guint     disconnected;
} Watch;

static void
retry_clear (gpointer data)
{
  Retry *retry = data;

  g_free (retry->peer_id);
  g_free (retry->reason);
}

static void
on_reconnecting (AnySocket *socket, const char *uri, const char *peer_id, guint attempt,
                 guint delay_ms, const char *reason, gpointer user_data)
{
  Watch *watch = user_data;
  Retry retry = { attempt, delay_ms, g_get_monotonic_time (), g_strdup (peer_id), g_strdup (reason) };

  g_assert_true (g_str_has_prefix (uri, "ws://127.0.0.1:"));
  g_assert_nonnull (reason);
  g_array_append_val (watch->retries, retry);
}

static void
on_watch_connected (AnySocket *socket, AnyPeer *peer, gpointer user_data)
{
  Watch *watch = user_data;

  watch->connected++;
  g_set_object (&watch->last, peer);
}

static void
on_watch_disconnected (AnySocket *socket, AnyPeer *peer, const char *reason, gpointer user_data)
{
  ((Watch *) user_data)->disconnected++;
}

static void
on_reconnect_failed (AnySocket *socket, const char *uri, const char *peer_id, GError *error,
                     gpointer user_data)
{
  Watch *watch = user_data;

  g_clear_error (&watch->failed);
  watch->failed = g_error_copy (error);
}

static void
watch_init (Watch *watch, AnySocket *client)
{
  memset (watch, 0, sizeof *watch);
  watch->retries = g_array_new (FALSE, TRUE, sizeof (Retry));
  g_array_set_clear_func (watch->retries, retry_clear);
  g_signal_connect (client, "reconnecting", G_CALLBACK (on_reconnecting), watch);
  g_signal_connect (client, "connected", G_CALLBACK (on_watch_connected), watch);
  g_signal_connect (client, "disconnected", G_CALLBACK (on_watch_disconnected), watch);
  g_signal_connect (client, "reconnect-failed", G_CALLBACK (on_reconnect_failed), watch);
}

static void
watch_clear (Watch *watch, AnySocket *client)
{
  g_signal_handlers_disconnect_by_data (client, watch);
  g_array_unref (watch->retries);
  g_clear_object (&watch->last);
  g_clear_error (&watch->failed);
}

static AnyConnectOptions *
options_new (guint initial_ms, double factor, guint max_ms, double jitter)
{
  AnyConnectOptions *options = any_connect_options_new ();

  g_object_set (options, "reconnect", TRUE, "reconnect-initial", initial_ms,
                "reconnect-factor", factor, "reconnect-max", max_ms,
                "reconnect-jitter", jitter, NULL);
  return options;
}

static void
start_connect (AnySocket *client, guint port, AnyConnectOptions *options,
               GCancellable *cancellable, AsyncResult *r)
{
  g_autofree char *uri = g_strdup_printf ("ws://127.0.0.1:%u", port);

  any_socket_connect_with_options_async (client, uri, options, cancellable, on_connected, r);
}

static AnyPeer *
connect_reconnecting (AnySocket *client, guint port, AnyConnectOptions *options)
{
  AsyncResult r = { 0 };

  start_connect (client, port, options, NULL, &r);
  g_assert_true (wait_for (&r.done, 10000));
  g_assert_no_error (r.error);
  return r.peer;
}

static void
assert_echo (AnyPeer *peer, const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) msg = json_printf ("{\"echo\":\"%s\"}", text);
  g_autoptr(AnyPacket) reply = request_local (peer, msg, 5000, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (msg_string (any_packet_get_msg (reply), "echo"), ==, text);
}

#define INITIAL_MS 150
#define FACTOR     2.0
#define MAX_MS     600
#define JITTER     0.5
/* How late a timer may fire on a loaded machine: 2 cores shared. */
#define LATE_MS    1500

/* The server is killed: each failed dial waits longer, within the jitter
 * bounds and at most MAX_MS; started again on the same port with the
 * same id, the link comes back (a new AnyPeer, the same id) and carries
 * requests. */
static void
test_killed_and_restarted (void)
{
  g_autoptr(AnySocket) client = any_socket_new ();
  g_autoptr(AnyConnectOptions) options = options_new (INITIAL_MS, FACTOR, MAX_MS, JITTER);
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(AnyPeer) first = NULL;
  guint port = 0;
  Watch watch;

  watch_init (&watch, client);
  server = spawn_server (&port);
  first = connect_reconnecting (client, port, options);
  g_assert_cmpstr (any_peer_get_id (first), ==, SERVER_ID);
  assert_echo (first, "before");

  kill_server (server);
  g_clear_object (&server);
  /* Five dials that fail (nothing listens): 150, 300, 600, 600, 600 */
  g_assert_true (WAIT_FOR (watch.retries->len >= 5, 5 * (MAX_MS + LATE_MS)));
  g_assert_false (any_peer_is_connected (first));
  g_assert_cmpuint (watch.disconnected, ==, 1);
  for (guint i = 0; i < 5; i++)
    {
      Retry *retry = &g_array_index (watch.retries, Retry, i);
      double base = INITIAL_MS;

      for (guint k = 0; k < i; k++)
        base = MIN (base * FACTOR, MAX_MS);

      g_assert_cmpuint (retry->attempt, ==, i + 1);
      g_assert_cmpstr (retry->peer_id, ==, SERVER_ID);
      g_assert_cmpuint (retry->delay_ms, >=, (guint) (base * (1 - JITTER)));
      g_assert_cmpuint (retry->delay_ms, <=, (guint) base);
      /* the next dial came after the wait, and failed at once */
      if (i > 0)
        {
          Retry *before = &g_array_index (watch.retries, Retry, i - 1);
          gint64 gap_ms = (retry->at_us - before->at_us) / 1000;

          g_assert_cmpint (gap_ms, >=, (gint64) before->delay_ms - 1);
          g_assert_cmpint (gap_ms, <=, (gint64) before->delay_ms + LATE_MS);
        }
    }
  g_assert_cmpuint (watch.connected, ==, 1);

  server = spawn_server (&port);
  g_assert_true (WAIT_FOR (watch.connected == 2, MAX_MS + LATE_MS + 5000));
  /* One AnyPeer per link: the new one has the same id. */
  g_assert_true (watch.last != first);
  g_assert_cmpstr (any_peer_get_id (watch.last), ==, SERVER_ID);
  g_assert_true (any_socket_get_peer (client, SERVER_ID) == watch.last);
  assert_echo (watch.last, "after");
  g_assert_null (watch.failed);

  /* Killed again: the count starts over at attempt 1. */
  {
    guint before = watch.retries->len;

    kill_server (server);
    g_clear_object (&server);
    g_assert_true (WAIT_FOR (watch.retries->len > before, LATE_MS + 5000));
    g_assert_cmpuint (g_array_index (watch.retries, Retry, before).attempt, ==, 1);
  }
  any_socket_stop (client);
  watch_clear (&watch, client);
}

static void
count_connected (AnySocket *socket, AnyPeer *peer, gpointer user_data)
{
  (*(guint *) user_data)++;
}

/* The server side closes its only link. */
static void
drop_from_server (AnySocket *server, const char *reason)
{
  GList *peers = any_socket_get_peers (server);

  g_assert_cmpuint (g_list_length (peers), ==, 1);
  any_peer_disconnect (peers->data, reason);
  g_list_free (peers);
}

/* any_peer_disconnect() on the link: no dialling again. */
static void
test_stop_on_disconnect (void)
{
  g_autoptr(AnySocket) server = any_socket_new ();
  g_autoptr(AnySocket) client = any_socket_new ();
  g_autoptr(AnyConnectOptions) options = options_new (50, 1.0, 50, 0.0);
  g_autoptr(AnyPeer) peer = NULL;
  guint port = listen_local (server);
  guint links = 0;
  Watch watch;

  watch_init (&watch, client);
  g_signal_connect (server, "connected", G_CALLBACK (count_connected), &links);
  peer = connect_reconnecting (client, port, options);
  g_assert_true (WAIT_FOR (links == 1, 5000));
  any_peer_disconnect (peer, "Bye");
  iterate_for (500);   /* ten times the delay */
  g_assert_cmpuint (watch.retries->len, ==, 0);
  g_assert_cmpuint (links, ==, 1);
  g_assert_null (watch.failed);
  g_assert_cmpuint (_any_socket_get_reconnects (client)->len, ==, 0);
  watch_clear (&watch, client);
}

/* any_socket_stop() while waiting to dial, and the cancellable while
 * waiting: no more dials. */
static void
test_stop_while_waiting (gconstpointer data)
{
  gboolean by_cancel = GPOINTER_TO_INT (data);
  g_autoptr(AnySocket) server = any_socket_new ();
  g_autoptr(AnySocket) client = any_socket_new ();
  g_autoptr(AnyConnectOptions) options = options_new (300, 1.0, 300, 0.0);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  guint port = listen_local (server);
  guint links = 0;
  AsyncResult r = { 0 };
  Watch watch;

  watch_init (&watch, client);
  g_signal_connect (server, "connected", G_CALLBACK (count_connected), &links);
  start_connect (client, port, options, cancellable, &r);
  g_assert_true (wait_for (&r.done, 10000));
  g_assert_no_error (r.error);
  g_assert_true (WAIT_FOR (links == 1, 5000));

  /* the other side drops it: that is retried */
  drop_from_server (server, "Go away for now");
  g_assert_true (WAIT_FOR (watch.retries->len == 1, 5000));
  g_assert_cmpstr (g_array_index (watch.retries, Retry, 0).reason, ==, "Go away for now");
  if (by_cancel)
    g_cancellable_cancel (cancellable);
  else
    any_socket_stop (client);
  iterate_for (900);   /* three times the delay */
  g_assert_cmpuint (watch.retries->len, ==, 1);
  g_assert_cmpuint (links, ==, 1);
  g_assert_null (watch.failed);
  g_assert_cmpuint (_any_socket_get_reconnects (client)->len, ==, 0);
  g_clear_object (&r.peer);
  watch_clear (&watch, client);
}

static void
stop_when_reconnecting (AnySocket *socket, const char *uri, const char *peer_id, guint attempt,
                        guint delay_ms, const char *reason, gpointer user_data)
{
  any_socket_stop (socket);
}

/* A handler of `reconnecting` stops the socket: nothing is dialled, and
 * nothing is used after it was freed (valgrind, ASan). */
static void
test_stop_from_handler (void)
{
  g_autoptr(AnySocket) server = any_socket_new ();
  g_autoptr(AnySocket) client = any_socket_new ();
  g_autoptr(AnyConnectOptions) options = options_new (50, 1.0, 50, 0.0);
  g_autoptr(AnyPeer) peer = NULL;
  guint port = listen_local (server);
  guint links = 0;
  Watch watch;

  watch_init (&watch, client);
  g_signal_connect (server, "connected", G_CALLBACK (count_connected), &links);
  g_signal_connect (client, "reconnecting", G_CALLBACK (stop_when_reconnecting), NULL);
  peer = connect_reconnecting (client, port, options);
  g_assert_true (WAIT_FOR (links == 1, 5000));
  drop_from_server (server, "Bye for now");
  g_assert_true (WAIT_FOR (watch.retries->len == 1, 5000));
  iterate_for (300);
  g_assert_cmpuint (links, ==, 1);
  g_assert_cmpuint (watch.retries->len, ==, 1);
  g_assert_cmpuint (_any_socket_get_reconnects (client)->len, ==, 0);
  watch_clear (&watch, client);
}

static gboolean
refuse_after_first (AnySocket *socket, AnyPeer *peer, const char *peer_id, JsonNode *auth,
                    gpointer user_data)
{
  guint *seen = user_data;

  return ++*seen == 1;
}

/* The server accepts the first link, drops it, then refuses the AUTH:
 * reconnect-failed, and no dial after it. */
static void
test_no_reconnect_after_refusal (void)
{
  g_autoptr(AnySocket) server = any_socket_new ();
  g_autoptr(AnySocket) client = any_socket_new ();
  g_autoptr(AnyConnectOptions) options = options_new (50, 1.0, 50, 0.0);
  g_autoptr(AnyPeer) peer = NULL;
  guint port = listen_local (server);
  guint auths = 0;
  Watch watch;

  watch_init (&watch, client);
  g_signal_connect (server, "authenticate-peer", G_CALLBACK (refuse_after_first), &auths);
  peer = connect_reconnecting (client, port, options);
  g_assert_true (WAIT_FOR (any_socket_get_peers (server) != NULL, 5000));
  drop_from_server (server, "Restarting");
  g_assert_true (WAIT_FOR (watch.failed != NULL, 5000));
  g_assert_error (watch.failed, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_AUTH_FAILED);
  g_assert_nonnull (strstr (watch.failed->message, "Invalid Auth Packet!"));
  g_assert_cmpuint (watch.retries->len, ==, 1);
  iterate_for (500);
  g_assert_cmpuint (auths, ==, 2);
  g_assert_cmpuint (watch.retries->len, ==, 1);
  g_assert_cmpuint (_any_socket_get_reconnects (client)->len, ==, 0);
  watch_clear (&watch, client);
}

/* A pinned key that changed: the server comes back with another key for
 * the same id; the link is refused and not dialled again. */
static void
test_no_reconnect_after_changed_key (void)
{
  g_autoptr(AnySocket) server = any_socket_new ();
  g_autoptr(AnySocket) client = any_socket_new ();
  g_autoptr(AnyConnectOptions) options = options_new (50, 1.0, 50, 0.0);
  g_autoptr(AnyPeer) peer = NULL;
  g_autofree char *fingerprint = NULL;
  guint port;
  guint links = 0;
  Watch watch;

  any_socket_generate_identity (server);
  any_socket_generate_identity (client);
  _any_socket_set_id_for_testing (server, SERVER_ID);
  port = listen_local (server);
  watch_init (&watch, client);
  g_signal_connect (server, "connected", G_CALLBACK (count_connected), &links);
  fingerprint = any_socket_dup_fingerprint (server);
  any_socket_pin_fingerprint (client, SERVER_ID, fingerprint);
  peer = connect_reconnecting (client, port, options);
  g_assert_cmpuint (links, ==, 1);

  /* the same id, another key */
  any_socket_generate_identity (server);
  drop_from_server (server, "Restarting");
  g_assert_true (WAIT_FOR (watch.failed != NULL, 5000));
  g_assert_nonnull (strstr (watch.failed->message, "changed"));
  iterate_for (500);
  g_assert_cmpuint (watch.retries->len, ==, 1);
  g_assert_cmpuint (_any_socket_get_reconnects (client)->len, ==, 0);
  watch_clear (&watch, client);
}

/* A failed first dial: the connect fails at once without reconnect-first,
 * and completes once the server is up with it. */
static void
test_first_dial (void)
{
  g_autoptr(AnySocket) client = any_socket_new ();
  g_autoptr(AnyConnectOptions) options = options_new (100, 1.0, 100, 0.0);
  g_autoptr(GSubprocess) server = NULL;
  guint port = 0;
  AsyncResult r = { 0 };
  Watch watch;

  /* a free port: a server started and killed */
  server = spawn_server (&port);
  kill_server (server);
  g_clear_object (&server);

  watch_init (&watch, client);
  start_connect (client, port, options, NULL, &r);
  g_assert_true (wait_for (&r.done, 10000));
  g_assert_nonnull (r.error);
  g_clear_error (&r.error);
  g_assert_cmpuint (watch.retries->len, ==, 0);
  g_assert_cmpuint (_any_socket_get_reconnects (client)->len, ==, 0);

  g_object_set (options, "reconnect-first", TRUE, NULL);
  r.done = FALSE;
  start_connect (client, port, options, NULL, &r);
  g_assert_true (WAIT_FOR (watch.retries->len >= 2, 5000));
  g_assert_false (r.done);
  g_assert_null (g_array_index (watch.retries, Retry, 0).peer_id);
  server = spawn_server (&port);
  g_assert_true (wait_for (&r.done, 10000));
  g_assert_no_error (r.error);
  g_assert_cmpstr (any_peer_get_id (r.peer), ==, SERVER_ID);
  assert_echo (r.peer, "late");
  g_clear_object (&r.peer);
  any_socket_stop (client);
  kill_server (server);
  watch_clear (&watch, client);
}

int
main (int argc, char **argv)
{
  if (argc == 4 && g_str_equal (argv[1], "--serve"))
    return serve ((guint) g_ascii_strtoull (argv[2], NULL, 10), argv[3]);

  self_path = argv[0];
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/reconnect/killed-and-restarted", test_killed_and_restarted);
  g_test_add_func ("/reconnect/stop-on-disconnect", test_stop_on_disconnect);
  g_test_add_data_func ("/reconnect/stop-while-waiting", GINT_TO_POINTER (FALSE), test_stop_while_waiting);
  g_test_add_data_func ("/reconnect/cancel-while-waiting", GINT_TO_POINTER (TRUE), test_stop_while_waiting);
  g_test_add_func ("/reconnect/stop-from-handler", test_stop_from_handler);
  g_test_add_func ("/reconnect/no-reconnect-after-refusal", test_no_reconnect_after_refusal);
  g_test_add_func ("/reconnect/no-reconnect-after-changed-key", test_no_reconnect_after_changed_key);
  g_test_add_func ("/reconnect/first-dial", test_first_dial);
  return g_test_run ();
}
