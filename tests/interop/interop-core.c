/* interop-core.c: the core protocol against the JavaScript peer: connect,
 * messages, requests, big messages, AUTH, heartbeat, disconnect reasons,
 * INTERNAL
 *
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <signal.h>
#include <string.h>

#include "interop.h"

static void
test_connect (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  Link *link = link_open_full (dir, 5000, NULL, TRUE);
  const char *address = any_peer_get_remote_address (link->peer);
  g_autoptr(JsonNode) auth = js_expect (link->js, "auth", 1000);

  note ("%s: connected, remote address %s", dir_name (dir), address);
  g_assert_nonnull (address);
  g_assert_true (g_str_has_prefix (address, "127.0.0.1:"));

  /* The JavaScript side checked our AUTH: our id, no auth member. */
  g_assert_cmpstr (msg_string (auth, "id"), ==, any_socket_get_id (link->c->socket));
  g_assert_false (json_object_get_boolean_member (json_node_get_object (auth), "has_auth"));
  /* ... and we checked its AUTH. */
  g_assert_cmpuint (link->c->auth_ids->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (link->c->auth_ids, 0), ==, link->js->id);
  g_assert_true (JSON_NODE_HOLDS_NULL (g_ptr_array_index (link->c->auths, 0)));

  if (dir == DIR_C_SERVER)
    {
      /* The JavaScript client tried wss:// first: our plain server saw a
       * TLS ClientHello, survived it, and the ws:// retry connected. */
      g_autoptr(JsonNode) done = js_expect (link->js, "connect_done", 5000);
      JsPeer *second;
      g_autoptr(JsonNode) second_connected = NULL;

      note ("JS client connect (wss attempt + ws fallback + AUTH): %" G_GINT64_FORMAT " ms",
                      msg_required_int (done, "ms"));
      g_assert_cmpstr (msg_string (done, "id"), ==, any_socket_get_id (link->c->socket));

      /* A second client through the same fallback: the server still works. */
      second = js_spawn_full ("client", link->c->port, NULL, TRUE);
      second_connected = js_expect (second, "connected", 5000);
      g_assert_cmpstr (msg_string (second_connected, "id"), ==, any_socket_get_id (link->c->socket));
      g_assert_true (WAIT_FOR (link->c->connected->len == 2, 5000));
      g_assert_cmpstr (any_peer_get_id (g_ptr_array_index (link->c->connected, 1)), ==, second->id);
      g_assert_cmpuint (count_peers (link->c), ==, 2);
      js_free (second);
      g_assert_true (WAIT_FOR (link->c->disconnected->len == 1, 5000));
    }
  else
    {
      AnyPeer *found = any_socket_get_peer (link->c->socket, link->js->id);

      g_assert_true (found == link->peer);
    }

  assert_link_works (link);
  link_close (link);
}

static void
test_messages (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  Link *link = link_open (dir, 5000, NULL);

  exchange_messages (link);
  g_assert_cmpuint (link->c->disconnected->len, ==, 0);
  link_close (link);
}

/* Every C0 control character inside a string, escaped in the JSON text. */
static void
test_control_chars (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  Link *link = link_open (dir, 5000, NULL);
  g_autoptr(GString) text = g_string_new ("C0:");
  g_autoptr(JsonNode) msg = json_node_new (JSON_NODE_VALUE);
  g_autoptr(JsonNode) got = NULL;
  g_autoptr(JsonNode) event = NULL;

  for (gunichar c = 1; c < 0x20; c++)
    g_string_append_c (text, (char) c);
  g_string_append (text, ":end");
  json_node_set_string (msg, text->str);

  /* JavaScript -> C */
  js_command_with (link->js, "send", "msg", msg);
  g_assert_true (WAIT_FOR (link->c->messages.length > 0, 5000));
  got = g_queue_pop_head (&link->c->messages);
  assert_json_equal (got, msg);

  /* C -> JavaScript: JSON.parse() refuses a raw control character in a
   * string (the packet's data then arrives as null). */
  send_local (link->peer, msg);
  event = js_expect (link->js, "message", 5000);
  assert_json_equal (msg_member (event, "msg"), msg);

  g_assert_cmpuint (link->c->disconnected->len, ==, 0);
  link_close (link);
}

static void
test_requests (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  Link *link = link_open (dir, 5000, NULL);

  exchange_requests (link);
  g_assert_cmpuint (link->c->disconnected->len, ==, 0);
  link_close (link);
}

static void
test_big (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  Link *link = link_open (dir, 5000, NULL);

  exchange_big (link, NULL, NULL);
  assert_link_works (link);
  g_assert_cmpuint (link->c->disconnected->len, ==, 0);
  link_close (link);
}

#define C_AUTH   "{\"token\":\"c-tøken 漢\",\"n\":1}"
#define JS_AUTH  "{\"token\":\"js-tøken 😀\",\"list\":[1,2]}"

static void
test_auth_accepted (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  const char * const js_args[] = { "--auth=" JS_AUTH, "--expect-auth=" C_AUTH, NULL };
  g_autoptr(JsonNode) c_auth = json_checked (C_AUTH);
  g_autoptr(JsonNode) js_auth = json_checked (JS_AUTH);
  g_autoptr(JsonNode) auth_event = NULL;
  g_autoptr(JsonNode) connected = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPeer) peer = NULL;
  CSide *c = c_side_new (5000, C_AUTH, JS_AUTH);
  JsPeer *js;

  if (dir == DIR_JS_SERVER)
    {
      js = js_spawn ("server", 0, js_args);
      peer = connect_local (c->socket, js->port, &error);
      g_assert_no_error (error);
    }
  else
    {
      c_side_listen (c);
      js = js_spawn ("client", c->port, js_args);
      g_assert_true (WAIT_FOR (c->connected->len == 1, 10000));
      peer = g_object_ref (g_ptr_array_index (c->connected, 0));
    }
  connected = js_expect (js, "connected", 5000);

  /* The JavaScript onAuth() got our auth-data and accepted it. */
  auth_event = js_expect (js, "auth", 1000);
  g_assert_cmpstr (msg_string (auth_event, "id"), ==, any_socket_get_id (c->socket));
  assert_json_equal (msg_member (auth_event, "auth"), c_auth);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (auth_event), "accepted"));

  /* Our "authenticate" got its authPacket() and accepted it. */
  g_assert_cmpuint (c->auths->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (c->auth_ids, 0), ==, js->id);
  assert_json_equal (g_ptr_array_index (c->auths, 0), js_auth);
  g_assert_cmpstr (any_peer_get_id (peer), ==, js->id);
  g_assert_true (any_peer_is_connected (peer));
  g_assert_cmpuint (c->connected->len, ==, 1);

  js_free (js);
  g_clear_object (&peer);
  c_side_free (c);
}

/* The JavaScript side's onAuth() refuses our auth-data. */
static void
test_auth_refused_by_js (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  const char * const js_args[] = { "--expect-auth={\"token\":\"right\"}", NULL };
  g_autoptr(JsonNode) auth_event = NULL;
  g_autoptr(JsonNode) wrong = json_checked ("{\"token\":\"wrong\"}");
  CSide *c = c_side_new (5000, "{\"token\":\"wrong\"}", NULL);
  JsPeer *js;

  if (dir == DIR_JS_SERVER)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AnyPeer) peer = NULL;

      js = js_spawn ("server", 0, js_args);
      peer = connect_local (c->socket, js->port, &error);
      g_assert_null (peer);
      note ("connect refused by the JS server: %s", error ? error->message : "(no error)");
      g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_AUTH_FAILED);
    }
  else
    {
      g_autoptr(JsonNode) connect_error = NULL;

      c_side_listen (c);
      js = js_spawn ("client", c->port, js_args);
      /* The JavaScript client refuses our AUTH answer and disconnects. */
      connect_error = js_expect (js, "connect_error", 10000);
      g_assert_cmpstr (msg_string (connect_error, "error"), ==, "Invalid Auth Packet!");
      /* We had accepted its AUTH (and so were connected) until it left. */
      if (c->connected->len > 0)
        {
          g_assert_true (WAIT_FOR (c->disconnected->len > 0, 5000));
          note ("C server saw the refusing client leave: %s",
                          (char *) g_ptr_array_index (c->disconnected, 0));
          g_assert_true (g_str_has_prefix (g_ptr_array_index (c->disconnected, 0),
                                           "Remote Connection Closed"));
        }
    }

  auth_event = js_expect (js, "auth", 5000);
  assert_json_equal (msg_member (auth_event, "auth"), wrong);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (auth_event), "accepted"));
  iterate_for (100);
  g_assert_null (js_take (js, "connected"));
  g_assert_cmpuint (count_peers (c), ==, 0);
  if (dir == DIR_JS_SERVER)
    g_assert_cmpuint (c->connected->len, ==, 0);

  js_free (js);
  c_side_free (c);
}

/* Our "authenticate" refuses the JavaScript side's authPacket(). */
static void
test_auth_refused_by_c (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  const char * const js_args[] = { "--auth={\"token\":\"wrong\"}", NULL };
  g_autoptr(JsonNode) wrong = json_checked ("{\"token\":\"wrong\"}");
  CSide *c = c_side_new (5000, NULL, "{\"token\":\"right\"}");
  JsPeer *js;

  if (dir == DIR_JS_SERVER)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AnyPeer) peer = NULL;
      g_autoptr(JsonNode) disconnected = NULL;

      js = js_spawn ("server", 0, js_args);
      peer = connect_local (c->socket, js->port, &error);
      g_assert_null (peer);
      note ("C client refused the JS server: %s", error ? error->message : "(no error)");
      g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_AUTH_FAILED);
      /* The JavaScript server had accepted us, so it sees a disconnect. */
      disconnected = js_expect (js, "disconnected", 5000);
      g_assert_cmpstr (msg_string (disconnected, "id"), ==, any_socket_get_id (c->socket));
      g_assert_cmpstr (msg_string (disconnected, "reason"), ==, "Remote Connection Closed");
    }
  else
    {
      g_autoptr(JsonNode) connect_error = NULL;

      c_side_listen (c);
      js = js_spawn ("client", c->port, js_args);
      connect_error = js_expect (js, "connect_error", 10000);
      g_assert_cmpstr (msg_string (connect_error, "error"), ==, "Remote Connection Closed");
      g_assert_null (js_take (js, "auth"));  /* we never sent our AUTH */
    }

  g_assert_cmpuint (c->auths->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (c->auth_ids, 0), ==, js->id);
  assert_json_equal (g_ptr_array_index (c->auths, 0), wrong);
  g_assert_cmpuint (c->connected->len, ==, 0);
  g_assert_cmpuint (c->disconnected->len, ==, 0);
  g_assert_cmpuint (count_peers (c), ==, 0);

  js_free (js);
  c_side_free (c);
}

/* Both sides ping every 200 ms: an idle link stays up for many intervals
 * and the lag is measured. */
static void
test_heartbeat (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  const char * const js_args[] = { "--heartbeat=200", NULL };
  Link *link = link_open (dir, HEARTBEAT_MS, js_args);
  guint before = link->c->heartbeats;
  g_autoptr(JsonNode) stats = NULL;

  iterate_for (8 * HEARTBEAT_MS);
  note ("%s: %u heartbeats in %u ms, lag %d ms", dir_name (dir),
                  link->c->heartbeats - before, 8 * HEARTBEAT_MS, any_peer_get_lag (link->peer));
  g_assert_cmpuint (link->c->heartbeats - before, >=, 4);
  g_assert_cmpint (any_peer_get_lag (link->peer), >=, 0);
  g_assert_cmpint (any_peer_get_lag (link->peer), <, 1000);

  /* The JavaScript side got our pings. (It sends few of its own: every
   * packet it receives restarts its timer, and ours come as often.) */
  js_command_text (link->js, "{\"cmd\":\"stats\"}");
  stats = js_expect (link->js, "stats", 2000);
  note ("%s: JS side received %" G_GINT64_FORMAT " pings, %" G_GINT64_FORMAT " pongs",
        dir_name (dir), msg_required_int (stats, "pings_received"), msg_required_int (stats, "pongs_received"));
  g_assert_cmpint (msg_required_int (stats, "pings_received"), >=, 4);
  g_assert_true (any_peer_is_connected (link->peer));
  g_assert_cmpuint (link->c->disconnected->len, ==, 0);
  g_assert_null (js_take (link->js, "disconnected"));

  assert_link_works (link);
  link_close (link);
}

/* We send no heartbeats; the JavaScript side pings every 200 ms and keeps
 * the link (2 missed pongs would drop it) only because we answer its pings. */
static void
test_heartbeat_pong (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  const char * const js_args[] = { "--heartbeat=200", NULL };
  Link *link = link_open (dir, 0, js_args);
  g_autoptr(JsonNode) stats = NULL;

  /* A JavaScript client starts its heartbeat timer only with the first
   * packet after AUTH. */
  assert_link_works (link);
  iterate_for (8 * HEARTBEAT_MS);
  js_command_text (link->js, "{\"cmd\":\"stats\"}");
  stats = js_expect (link->js, "stats", 2000);
  note ("%s: with our heartbeat off, the JS side received %" G_GINT64_FORMAT " pongs, %"
        G_GINT64_FORMAT " pings", dir_name (dir), msg_required_int (stats, "pongs_received"),
        msg_required_int (stats, "pings_received"));
  g_assert_cmpint (msg_required_int (stats, "pongs_received"), >=, 4);
  g_assert_cmpint (msg_required_int (stats, "pings_received"), ==, 0);
  g_assert_cmpuint (link->c->heartbeats, ==, 0);
  g_assert_cmpint (any_peer_get_lag (link->peer), ==, -1);
  g_assert_true (any_peer_is_connected (link->peer));
  g_assert_cmpuint (link->c->disconnected->len, ==, 0);
  g_assert_null (js_take (link->js, "disconnected"));

  assert_link_works (link);
  link_close (link);
}

/* A JavaScript peer that stops answering (SIGSTOP) is dropped after two
 * missed heartbeats. */
static void
test_missed_heartbeats (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  Link *link = link_open (dir, HEARTBEAT_MS, NULL);
  g_autoptr(JsonNode) disconnected = NULL;
  gint64 stopped_at, elapsed_ms;

  /* Heartbeats flow first. */
  g_assert_true (WAIT_FOR (link->c->heartbeats >= 2, 5 * HEARTBEAT_MS));

  js_signal (link->js, SIGSTOP);
  stopped_at = g_get_monotonic_time ();
  g_assert_true (WAIT_FOR (link->c->disconnected->len > 0, 10 * HEARTBEAT_MS));
  elapsed_ms = (g_get_monotonic_time () - stopped_at) / 1000;
  note ("%s: JS peer stopped, dropped after %" G_GINT64_FORMAT " ms (interval %d ms)",
                  dir_name (dir), elapsed_ms, HEARTBEAT_MS);
  g_assert_cmpstr (g_ptr_array_index (link->c->disconnected, 0), ==, "Missed Heartbeats");
  /* At most: a tick that still saw the last pong, then two misses. */
  g_assert_cmpint (elapsed_ms, >=, HEARTBEAT_MS);
  g_assert_cmpint (elapsed_ms, <=, 3 * HEARTBEAT_MS + 300);
  g_assert_false (any_peer_is_connected (link->peer));
  g_assert_cmpuint (count_peers (link->c), ==, 0);

  /* Once it runs again the JavaScript peer learns it was dropped. */
  js_signal (link->js, SIGCONT);
  disconnected = js_expect (link->js, "disconnected", 5000);
  note ("%s: resumed JS peer reports: %s", dir_name (dir), msg_string (disconnected, "reason"));
  g_assert_cmpstr (msg_string (disconnected, "id"), ==, any_socket_get_id (link->c->socket));
  g_assert_cmpstr (msg_string (disconnected, "reason"), ==, "Remote Connection Closed");

  link_close (link);
}

static void
test_disconnect_reasons (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  Link *link;

  /* We close: our reason locally, "Remote Connection Closed" there. */
  {
    g_autoptr(JsonNode) disconnected = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) msg = json_checked ("\"too late\"");

    link = link_open (dir, 5000, NULL);
    any_peer_disconnect (link->peer, "bye from C, é 漢字");
    g_assert_cmpuint (link->c->disconnected->len, ==, 1);
    g_assert_cmpstr (g_ptr_array_index (link->c->disconnected, 0), ==, "bye from C, é 漢字");
    g_assert_false (any_peer_is_connected (link->peer));
    g_assert_false (any_peer_send (link->peer, msg, &error));
    g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_DISCONNECTED);
    disconnected = js_expect (link->js, "disconnected", 5000);
    g_assert_cmpstr (msg_string (disconnected, "id"), ==, any_socket_get_id (link->c->socket));
    g_assert_cmpstr (msg_string (disconnected, "reason"), ==, "Remote Connection Closed");
    link_close (link);
  }

  /* It closes: its reason there, "Remote Connection Closed" here; a
   * pending request fails with DISCONNECTED. */
  {
    g_autoptr(JsonNode) disconnected = NULL;
    g_autoptr(JsonNode) msg = json_checked ("{\"op\":\"no reply for this one\"}");
    g_autoptr(JsonNode) reason = json_checked ("\"bye from JS\"");
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(AnyPacket) reply = NULL;
    g_autoptr(JsonNode) message_event = NULL;

    link = link_open (dir, 5000, NULL);
    any_peer_request_async (link->peer, msg, 10000, NULL, store_result, &result);
    message_event = js_expect (link->js, "message", 5000);
    js_command_with (link->js, "disconnect", "reason", reason);
    disconnected = js_expect (link->js, "disconnected", 5000);
    g_assert_cmpstr (msg_string (disconnected, "reason"), ==, "bye from JS");
    g_assert_true (WAIT_FOR (link->c->disconnected->len > 0, 5000));
    note ("%s: JS closed, C reason: %s", dir_name (dir),
                    (char *) g_ptr_array_index (link->c->disconnected, 0));
    g_assert_cmpstr (g_ptr_array_index (link->c->disconnected, 0), ==, "Remote Connection Closed");
    g_assert_true (WAIT_FOR (result != NULL, 2000));
    reply = any_peer_request_finish (link->peer, result, &error);
    g_assert_null (reply);
    g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_DISCONNECTED);
    link_close (link);
  }

  /* It dies (SIGKILL): the TCP connection just ends. */
  {
    link = link_open (dir, 5000, NULL);
    js_signal (link->js, SIGKILL);
    g_assert_true (WAIT_FOR (link->c->disconnected->len > 0, 5000));
    note ("%s: JS killed, C reason: %s", dir_name (dir),
                    (char *) g_ptr_array_index (link->c->disconnected, 0));
    g_assert_true (g_str_has_prefix (g_ptr_array_index (link->c->disconnected, 0),
                                     "Remote Connection Closed"));
    g_assert_false (any_peer_is_connected (link->peer));
    link_close (link);
  }
}

typedef struct {
  gboolean done;
  gint64   rtt;
  double   offset;
  GError  *error;
} SyncedTime;

static void
on_c_synced_time (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SyncedTime *synced = user_data;

  any_peer_get_synced_time_finish (ANY_PEER (source), result, &synced->rtt, &synced->offset, &synced->error);
  synced->done = TRUE;
}

/* INTERNAL requests from the JavaScript peer: SYNCED_TIME is answered,
 * an RPC gets a 404 error reply rather than a hang. */
static void
test_internal (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  Link *link = link_open (dir, 5000, NULL);
  g_autoptr(JsonNode) synced = NULL;
  g_autoptr(JsonNode) rpc = NULL;
  g_autoptr(JsonNode) rpc2 = NULL;
  JsonObject *error;
  double rtt, offset;

  js_command_text (link->js, "{\"cmd\":\"synced_time\"}");
  synced = js_expect (link->js, "synced_time", 7000);
  rtt = msg_required_double (synced, "rtt");
  offset = msg_required_double (synced, "offset");
  note ("%s: getSyncedTime(): rtt %g ms, offset %g ms", dir_name (dir), rtt, offset);
  g_assert_cmpfloat (rtt, >=, 0);
  g_assert_cmpfloat (rtt, <, 2000);
  /* Same clock on both sides: the offset is within the round trip. */
  g_assert_cmpfloat (fabs (offset), <=, rtt / 2 + 2);

  js_command_text (link->js, "{\"cmd\":\"rpc\",\"path\":[\"some\",\"method\"],\"params\":[1,\"é\"]}");
  rpc = js_expect (link->js, "rpc_error", 7000);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (msg_member (rpc, "error")));
  error = json_node_get_object (msg_member (rpc, "error"));
  g_assert_cmpint (json_object_get_int_member (error, "code"), ==, 404);
  g_assert_cmpstr (json_object_get_string_member (error, "error"), ==, "Method not found!");
  g_assert_cmpstr (json_object_get_string_member (error, "details"), ==, "method: 'some,method'");
  g_assert_null (js_take (link->js, "rpc_timeout"));

  /* A one-level method too. */
  js_command_text (link->js, "{\"cmd\":\"rpc\",\"path\":[\"ping\"],\"params\":[]}");
  rpc2 = js_expect (link->js, "rpc_error", 7000);
  error = json_node_get_object (msg_member (rpc2, "error"));
  g_assert_cmpint (json_object_get_int_member (error, "code"), ==, 404);
  g_assert_cmpstr (json_object_get_string_member (error, "details"), ==, "method: 'ping'");

  /* And the other way: our SYNCED_TIME request, answered by the
   * JavaScript peer. */
  {
    SyncedTime ours = { 0 };

    any_peer_get_synced_time_async (link->peer, NULL, on_c_synced_time, &ours);
    g_assert_true (WAIT_FOR (ours.done, 7000));
    g_assert_no_error (ours.error);
    note ("%s: any_peer_get_synced_time(): rtt %" G_GINT64_FORMAT " ms, offset %g ms",
          dir_name (dir), ours.rtt, ours.offset);
    g_assert_cmpint (ours.rtt, >=, 0);
    g_assert_cmpint (ours.rtt, <, 2000);
    g_assert_cmpfloat (fabs (ours.offset), <=, ours.rtt / 2.0 + 2);
  }

  /* INTERNAL traffic reached no application handler and kept the link. */
  g_assert_cmpuint (link->c->messages.length, ==, 0);
  g_assert_cmpuint (link->c->disconnected->len, ==, 0);
  assert_link_works (link);
  link_close (link);
}

void
interop_add_core_cases (void)
{
  add_both ("connect", test_connect);
  add_both ("messages", test_messages);
  add_both ("control-chars", test_control_chars);
  add_both ("requests", test_requests);
  add_both ("big-message", test_big);
  add_both ("auth-accepted", test_auth_accepted);
  add_both ("auth-refused-by-js", test_auth_refused_by_js);
  add_both ("auth-refused-by-c", test_auth_refused_by_c);
  add_both ("heartbeat", test_heartbeat);
  add_both ("heartbeat-pong-only", test_heartbeat_pong);
  add_both ("missed-heartbeats", test_missed_heartbeats);
  add_both ("disconnect-reasons", test_disconnect_reasons);
  add_both ("internal", test_internal);
}
