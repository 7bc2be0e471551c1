/* interop-reconnect.c: AnyConnectOptions:reconnect against the npm
 * server (issue 17): the JavaScript server is killed (SIGKILL) and
 * started again on the same port; the libanysocket client dials again
 * with backoff and the new link carries requests both ways. The new
 * server has a new id (the package picks one at random at each start):
 * the reconnect takes the link as it comes, as a new AnyPeer.
 *
 * SPDX-License-Identifier: MIT
 */
#include <signal.h>

#include "interop.h"

#define INITIAL_MS 100
#define MAX_MS     400

typedef struct {
  guint  reconnecting;
  guint  last_attempt;
  guint  connected;
  AnyPeer *last;
  gboolean failed;
} Seen;

static void
on_reconnecting (AnySocket *socket, const char *uri, const char *peer_id, guint attempt,
                 guint delay_ms, const char *reason, gpointer user_data)
{
  Seen *seen = user_data;

  g_assert_cmpuint (attempt, ==, seen->last_attempt + 1);
  g_assert_cmpuint (delay_ms, <=, MAX_MS);
  seen->last_attempt = attempt;
  seen->reconnecting++;
}

static void
on_seen_connected (AnySocket *socket, AnyPeer *peer, gpointer user_data)
{
  Seen *seen = user_data;

  seen->connected++;
  seen->last_attempt = 0;
  g_set_object (&seen->last, peer);
}

static void
on_failed (AnySocket *socket, const char *uri, const char *peer_id, GError *error, gpointer user_data)
{
  ((Seen *) user_data)->failed = TRUE;
}

static void
assert_js_echo (AnyPeer *peer, const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) msg = json_printf ("{\"op\":\"echo\",\"data\":\"%s\",\"i\":1}", text);
  g_autoptr(AnyPacket) reply = request_local (peer, msg, 5000, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (msg_string (any_packet_get_msg (reply), "echo"), ==, text);
}

/* The JavaScript peer's "requests" command */
static void
on_echo (AnySocket *socket, AnyPacket *packet, gpointer user_data)
{
  JsonNode *msg = any_packet_get_msg (packet);

  if (g_strcmp0 (msg_string (msg, "op"), "echo") == 0)
    {
      g_autoptr(JsonNode) reply = json_printf ("{\"echo\":\"%s\",\"i\":%" G_GINT64_FORMAT "}",
                                               msg_string (msg, "data"), msg_int (msg, "i"));

      g_assert_true (any_packet_reply (packet, reply, NULL));
    }
}

static void
test_js_server_restarted (gconstpointer data)
{
  g_autoptr(AnySocket) client = any_socket_new ();
  g_autoptr(AnyConnectOptions) options = any_connect_options_new ();
  g_autofree char *uri = NULL;
  g_autofree char *port_arg = NULL;
  g_autofree char *first_id = NULL;
  JsPeer *js = js_spawn ("server", 0, NULL);
  guint port = js->port;
  AsyncResult r = { 0 };
  Seen seen = { 0 };

  g_object_set (options, "reconnect", TRUE, "reconnect-initial", INITIAL_MS,
                "reconnect-max", MAX_MS, NULL);
  g_signal_connect (client, "reconnecting", G_CALLBACK (on_reconnecting), &seen);
  g_signal_connect (client, "connected", G_CALLBACK (on_seen_connected), &seen);
  g_signal_connect (client, "reconnect-failed", G_CALLBACK (on_failed), &seen);
  g_signal_connect (client, "message", G_CALLBACK (on_echo), NULL);
  uri = g_strdup_printf ("ws://127.0.0.1:%u", port);
  any_socket_connect_with_options_async (client, uri, options, NULL, on_connected, &r);
  g_assert_true (wait_for (&r.done, 10000));
  g_assert_no_error (r.error);
  first_id = g_strdup (any_peer_get_id (r.peer));
  g_assert_cmpstr (first_id, ==, js->id);
  assert_js_echo (r.peer, "before");

  js_signal (js, SIGKILL);
  g_assert_true (WAIT_FOR (seen.reconnecting >= 3, 10000));
  g_assert_false (any_peer_is_connected (r.peer));
  js_free (js);

  port_arg = g_strdup_printf ("--port=%u", port);
  js = js_spawn ("server", 0, (const char *[]) { port_arg, NULL });
  g_assert_cmpuint (js->port, ==, port);
  g_assert_true (WAIT_FOR (seen.connected == 2, 10000));
  g_assert_cmpstr (any_peer_get_id (seen.last), ==, js->id);
  g_assert_cmpstr (any_peer_get_id (seen.last), !=, first_id);
  assert_js_echo (seen.last, "after");
  /* and the other way, once the JavaScript side has its peer: our
   * "connected" can come first, and a command before its own says
   * "no peer" */
  json_node_unref (js_expect (js, "connected", 10000));
  js_command_text (js, "{\"cmd\":\"requests\",\"count\":8,\"prefix\":\"back\"}");
  {
    g_autoptr(JsonNode) done = js_expect (js, "requests_done", 10000);

    g_assert_cmpint (msg_required_int (done, "ok"), ==, 8);
  }
  g_assert_false (seen.failed);

  any_socket_stop (client);
  g_clear_object (&r.peer);
  g_clear_object (&seen.last);
  js_free (js);
}

/* The JavaScript server refuses the AUTH (onAuth says no): the connect
 * fails, nothing is dialled again. */
static void
test_js_refusal (gconstpointer data)
{
  g_autoptr(AnySocket) client = any_socket_new ();
  g_autoptr(AnyConnectOptions) options = any_connect_options_new ();
  JsPeer *js = js_spawn ("server", 0, (const char *[]) { "--expect-auth={\"k\":1}", NULL });
  g_autofree char *uri = g_strdup_printf ("ws://127.0.0.1:%u", js->port);
  AsyncResult r = { 0 };
  Seen seen = { 0 };

  g_object_set (options, "reconnect", TRUE, "reconnect-first", TRUE, "reconnect-initial", 50,
                "reconnect-max", 50, NULL);
  g_signal_connect (client, "reconnecting", G_CALLBACK (on_reconnecting), &seen);
  any_socket_connect_with_options_async (client, uri, options, NULL, on_connected, &r);
  g_assert_true (wait_for (&r.done, 10000));
  g_assert_error (r.error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_AUTH_FAILED);
  note ("refused: %s", r.error->message);
  iterate_for (500);
  g_assert_cmpuint (seen.reconnecting, ==, 0);
  g_clear_error (&r.error);
  js_free (js);
}

void
interop_add_reconnect_cases (void)
{
  add_one ("reconnect/js-server-restarted", test_js_server_restarted);
  add_one ("reconnect/js-refusal", test_js_refusal);
}
