/* interop-proxy.c: peer to peer through a hub, with JavaScript hubs and
 * clients
 *
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <signal.h>
#include <string.h>

#include "interop.h"

/* Proxy: peer to peer through a hub (PROTOCOL.md 8) */

#define PROXY_MARKER "PROXIED-PLAINTEXT-QzX"

static const char * const proxy_hub_js_args[] = { "--can-proxy", "--marker=" PROXY_MARKER, NULL };
static const char * const proxy_client_js_args[] = { "--marker=" PROXY_MARKER, NULL };

/* The next "connected" event of @js, which must be about @id. */
void
js_expect_connected (JsPeer     *js,
                     const char *id,
                     gboolean    proxy)
{
  g_autoptr(JsonNode) connected = js_expect (js, "connected", 5000);

  g_assert_cmpstr (msg_string (connected, "id"), ==, id);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (connected), "proxy") == proxy);
}

static JsonNode *
marker_message (const char *text)
{
  g_autofree char *json = g_strdup_printf ("{\"secret\":\"" PROXY_MARKER " %s é 漢字 😀\"}", text);

  return json_checked (json);
}

/* A C peer and its proxied C peer: messages and a request, both ways. */
static void
c_to_c_exchange (CSide *c1, AnyPeer *to_c2, CSide *c2, AnyPeer *to_c1, const char *what)
{
  g_autoptr(JsonNode) there = marker_message (what);
  g_autoptr(JsonNode) back = marker_message ("back");
  g_autoptr(JsonNode) echo = json_checked ("{\"op\":\"echo\",\"data\":\"through the hub\",\"i\":7}");
  g_autoptr(JsonNode) got = NULL, got_back = NULL;
  g_autoptr(AnyPacket) reply = NULL;
  g_autoptr(GError) error = NULL;

  send_local (to_c2, there);
  g_assert_true (WAIT_FOR (c2->messages.length > 0, 5000));
  got = g_queue_pop_head (&c2->messages);
  assert_json_equal (got, there);
  send_local (to_c1, back);
  g_assert_true (WAIT_FOR (c1->messages.length > 0, 5000));
  got_back = g_queue_pop_head (&c1->messages);
  assert_json_equal (got_back, back);
  reply = request_local (to_c2, echo, 5000, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (any_packet_get_msg (reply)), "echo"),
                   ==, "through the hub");
}

static void
assert_no_bytes_through (AnyPeer *proxied)
{
  g_autoptr(GBytes) body = g_bytes_new_static ("\0\1\2", 3);
  g_autoptr(GError) error = NULL;

  g_assert_false (any_peer_send_bytes (proxied, body, &error));
  g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_NOT_SUPPORTED);
  note ("bytes through a JavaScript hub: %s", error->message);
}

/* A JavaScript hub (canProxy allows) and two libanysocket clients: one
 * proxies to the other, they talk, switch to native E2E through the
 * JavaScript hub, and the hub relays only ciphertext after that. */
static void
test_proxy_js_hub (gconstpointer data)
{
  JsPeer *hub = js_spawn ("server", 0, proxy_hub_js_args);
  CSide *c1 = c_side_new (5000, NULL, NULL), *c2 = c_side_new (5000, NULL, NULL);
  g_autoptr(AnyPeer) h1 = NULL, h2 = NULL, to_c2 = NULL;
  g_autoptr(JsonNode) control = NULL, report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *fingerprint = NULL, *own = NULL;
  AnyPeer *to_c1;

  h1 = connect_local (c1->socket, hub->port, &error);
  g_assert_no_error (error);
  h2 = connect_local (c2->socket, hub->port, &error);
  g_assert_no_error (error);
  js_expect_connected (hub, any_socket_get_id (c1->socket), FALSE);
  js_expect_connected (hub, any_socket_get_id (c2->socket), FALSE);

  to_c2 = proxy_local (c1->socket, any_socket_get_id (c2->socket), h1, &error);
  g_assert_no_error (error);
  g_assert_true (any_peer_is_proxy (to_c2));
  g_assert_true (any_peer_get_via (to_c2) == h1);
  g_assert_true (WAIT_FOR (c2->connected->len == 2, 5000));
  to_c1 = g_ptr_array_index (c2->connected, 1);
  g_assert_cmpstr (any_peer_get_id (to_c1), ==, any_socket_get_id (c1->socket));
  g_assert_true (any_peer_get_via (to_c1) == h2);

  /* A JavaScript hub relays no binary frame: bytes to a peer reached
   * through it fail at once (issue 17), plain and, below, under E2E. */
  assert_no_bytes_through (to_c2);

  /* Control: in the clear, the hub sees the marker go by. */
  js_capture_start (hub);
  c_to_c_exchange (c1, to_c2, c2, to_c1, "plain");
  control = js_capture_report (hub);
  g_assert_cmpint (capture_count (control, "in", "marker"), >=, 2);
  g_assert_cmpint (capture_count (control, "out", "marker"), >=, 2);

  any_peer_e2e (to_c2);
  g_assert_true (WAIT_FOR (c1->e2e_signals == 1 && c2->e2e_signals == 1, 6000));
  g_assert_cmpint (any_peer_get_e2e_mode (to_c2), ==, ANY_E2E_MODE_NATIVE);
  g_assert_cmpint (any_peer_get_e2e_mode (to_c1), ==, ANY_E2E_MODE_NATIVE);
  fingerprint = any_peer_dup_remote_fingerprint (to_c2);
  own = any_socket_dup_fingerprint (c2->socket);
  g_assert_cmpstr (fingerprint, ==, own);

  assert_no_bytes_through (to_c2);
  assert_no_bytes_through (to_c1);
  js_capture_start (hub);
  c_to_c_exchange (c1, to_c2, c2, to_c1, "native");
  report = js_capture_report (hub);
  note ("JS hub relaying native E2E: in %" G_GINT64_FORMAT " frames, out %" G_GINT64_FORMAT
        ", marker %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT,
        capture_count (report, "in", "frames"), capture_count (report, "out", "frames"),
        capture_count (report, "in", "marker"), capture_count (report, "out", "marker"));
  g_assert_cmpint (capture_count (report, "in", "frames"), >=, 4);
  g_assert_cmpint (capture_count (report, "out", "frames"), >=, 4);
  g_assert_cmpint (capture_count (report, "in", "marker"), ==, 0);
  g_assert_cmpint (capture_count (report, "out", "marker"), ==, 0);

  /* C2 leaves the hub: the JavaScript hub tells C1 (NETWORK). */
  any_peer_disconnect (h2, "C2 leaves");
  g_assert_true (WAIT_FOR (c1->disconnected->len > 0, 5000));
  g_assert_cmpstr (g_ptr_array_index (c1->disconnected, 0), ==, "Proxy Connection Closed");
  g_assert_false (any_peer_is_connected (to_c2));
  g_assert_true (any_peer_is_connected (h1));

  c_side_free (c1);
  c_side_free (c2);
  js_free (hub);
}

/* A JavaScript hub refuses by default, and drops the link that asked. */
static void
test_proxy_js_hub_refuses (gconstpointer data)
{
  JsPeer *hub = js_spawn ("server", 0, NULL);
  CSide *c1 = c_side_new (5000, NULL, NULL), *c2 = c_side_new (5000, NULL, NULL);
  g_autoptr(AnyPeer) h1 = NULL, h2 = NULL, to_c2 = NULL;
  g_autoptr(GError) error = NULL;

  h1 = connect_local (c1->socket, hub->port, &error);
  g_assert_no_error (error);
  h2 = connect_local (c2->socket, hub->port, &error);
  g_assert_no_error (error);
  to_c2 = proxy_local (c1->socket, any_socket_get_id (c2->socket), h1, &error);
  g_assert_null (to_c2);
  /* It closes without a reason ("Invalid proxy request!" stays on its
   * side): the request fails as the link goes. */
  g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_DISCONNECTED);
  note ("JS hub without canProxy: %s", error->message);
  g_assert_false (any_peer_is_connected (h1));
  g_assert_cmpuint (c2->connected->len, ==, 1);
  c_side_free (c1);
  c_side_free (c2);
  js_free (hub);
}

/* JavaScript peer @from sends @to (a proxied peer) a marker message. */
static void
js_send_to (JsPeer     *from,
            const char *to_id,
            JsonNode   *msg)
{
  g_autoptr(JsonNode) command = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "cmd", "send");
  json_object_set_string_member (object, "peer", to_id);
  json_object_set_member (object, "msg", json_node_copy (msg));
  json_node_take_object (command, object);
  js_command (from, command);
}

/* {"cmd": @cmd, "peer": @peer_id} */
void
js_command_for (JsPeer     *js,
                const char *cmd,
                const char *peer_id)
{
  g_autofree char *command = g_strdup_printf ("{\"cmd\":\"%s\",\"peer\":\"%s\"}", cmd, peer_id);

  js_command_text (js, command);
}

static void
js_expect_message_from (JsPeer     *js,
                        const char *from_id,
                        JsonNode   *msg)
{
  g_autoptr(JsonNode) event = js_expect (js, "message", 5000);

  g_assert_cmpstr (msg_string (event, "id"), ==, from_id);
  assert_json_equal (msg_member (event, "msg"), msg);
}

static void
js_requests_to (JsPeer     *js,
                const char *to_id,
                guint       count)
{
  g_autofree char *command = g_strdup_printf ("{\"cmd\":\"requests\",\"peer\":\"%s\",\"count\":%u,"
                                              "\"prefix\":\"via hub \"}", to_id, count);
  g_autoptr(JsonNode) done = NULL;

  js_command_text (js, command);
  done = js_expect (js, "requests_done", 10000);
  g_assert_cmpint (msg_required_int (done, "ok"), ==, count);
}

static void
js_to_js_exchange (JsPeer *j1, JsPeer *j2, const char *what)
{
  g_autoptr(JsonNode) there = marker_message (what);
  g_autoptr(JsonNode) back = marker_message ("back");

  js_send_to (j1, j2->id, there);
  js_expect_message_from (j2, j1->id, there);
  js_send_to (j2, j1->id, back);
  js_expect_message_from (j1, j2->id, back);
  js_requests_to (j1, j2->id, 8);
}

void
js_proxy (JsPeer     *js,
          const char *peer_id,
          const char *through_id)
{
  g_autofree char *command = g_strdup_printf ("{\"cmd\":\"proxy\",\"id\":\"%s\",\"through\":\"%s\"}",
                                              peer_id, through_id);
  g_autoptr(JsonNode) proxied = NULL;

  js_command_text (js, command);
  proxied = js_expect (js, "proxied", 5000);
  g_assert_cmpstr (msg_string (proxied, "id"), ==, peer_id);
}

/* Waits for a JavaScript side's "e2e" event about @id (compat: state 2). */
static void
js_expect_e2e (JsPeer     *js,
               const char *id)
{
  g_autoptr(JsonNode) e2e = js_expect (js, "e2e", 6000);

  g_assert_cmpstr (msg_string (e2e, "id"), ==, id);
  g_assert_cmpint (msg_required_int (e2e, "state"), ==, E2E_JS_ENCRYPTION_E2EE);
}

/* A libanysocket hub and two JavaScript clients: one proxies to the
 * other (the JavaScript proxy()), they talk and switch to compat E2E
 * through our hub, which then relays only ciphertext. */
static void
test_proxy_c_hub (gconstpointer data)
{
  CSide *hub = c_side_new (5000, NULL, NULL);
  JsPeer *j1, *j2;
  const char *hub_id = any_socket_get_id (hub->socket);
  g_autoptr(JsonNode) control = NULL, report = NULL, gone = NULL;

  g_signal_connect (hub->socket, "proxy-request", G_CALLBACK (allow_every_proxy), NULL);
  c_side_listen (hub);
  j1 = js_spawn_full ("client", hub->port, proxy_client_js_args, FALSE);
  j2 = js_spawn_full ("client", hub->port, proxy_client_js_args, FALSE);
  js_expect_connected (j1, hub_id, FALSE);
  js_expect_connected (j2, hub_id, FALSE);
  g_assert_true (WAIT_FOR (hub->connected->len == 2, 5000));

  js_proxy (j1, j2->id, hub_id);
  js_expect_connected (j1, j2->id, TRUE);
  js_expect_connected (j2, j1->id, TRUE);

  js_capture_start (j2);
  js_to_js_exchange (j1, j2, "plain");
  control = js_capture_report (j2);
  g_assert_cmpint (capture_count (control, "in", "marker"), >=, 1);

  js_command_for (j1, "e2e", j2->id);
  js_expect_e2e (j1, j2->id);
  js_expect_e2e (j2, j1->id);

  js_capture_start (j2);
  js_to_js_exchange (j1, j2, "compat");
  report = js_capture_report (j2);
  note ("our hub relaying JS compat E2E: %" G_GINT64_FORMAT " frames in, %" G_GINT64_FORMAT
        " out, marker %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT,
        capture_count (report, "in", "frames"), capture_count (report, "out", "frames"),
        capture_count (report, "in", "marker"), capture_count (report, "out", "marker"));
  g_assert_cmpint (capture_count (report, "in", "frames"), >=, 9);
  g_assert_cmpint (capture_count (report, "in", "marker"), ==, 0);
  g_assert_cmpint (capture_count (report, "out", "marker"), ==, 0);
  /* The hub relayed; none of it was a message to the hub. */
  g_assert_cmpuint (hub->messages.length, ==, 0);
  g_assert_cmpuint (hub->echoes, ==, 0);

  /* J2 leaves: our hub tells J1. */
  js_command_for (j2, "disconnect", hub_id);
  gone = js_expect (j1, "disconnected", 5000);
  g_assert_cmpstr (msg_string (gone, "id"), ==, j2->id);
  g_assert_cmpstr (msg_string (gone, "reason"), ==, "Proxy Connection Closed");

  js_free (j1);
  js_free (j2);
  c_side_free (hub);
}

/* One of each: a libanysocket client proxies to a JavaScript client
 * through a hub (ours when @c_hub, else a JavaScript one); compat E2E
 * between them, started by @c_initiates's side. */
static void
proxy_mixed_case (gboolean c_hub,
                  gboolean c_initiates)
{
  CSide *c = c_side_new (5000, NULL, NULL);
  CSide *c_hub_side = NULL;
  JsPeer *js_hub = NULL, *j;
  const char *hub_id;
  guint port;
  g_autoptr(AnyPeer) h = NULL, to_j = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) plain = marker_message ("plain"), secret = marker_message ("compat");
  g_autoptr(JsonNode) to_c = marker_message ("to C"), got = NULL, got2 = NULL, report = NULL;
  g_autoptr(JsonNode) echo = json_checked ("{\"op\":\"echo\",\"data\":\"mixed\",\"i\":1}");
  g_autoptr(AnyPacket) reply = NULL;
  JsPeer *capturer;

  if (c_hub)
    {
      c_hub_side = c_side_new (5000, NULL, NULL);
      g_signal_connect (c_hub_side->socket, "proxy-request", G_CALLBACK (allow_every_proxy), NULL);
      c_side_listen (c_hub_side);
      port = c_hub_side->port;
      hub_id = any_socket_get_id (c_hub_side->socket);
    }
  else
    {
      js_hub = js_spawn ("server", 0, proxy_hub_js_args);
      port = js_hub->port;
      hub_id = js_hub->id;
    }
  j = js_spawn_full ("client", port, proxy_client_js_args, FALSE);
  js_expect_connected (j, hub_id, FALSE);
  h = connect_local (c->socket, port, &error);
  g_assert_no_error (error);

  to_j = proxy_local (c->socket, j->id, h, &error);
  g_assert_no_error (error);
  g_assert_true (any_peer_is_proxy (to_j));
  js_expect_connected (j, any_socket_get_id (c->socket), TRUE);

  send_local (to_j, plain);
  js_expect_message_from (j, any_socket_get_id (c->socket), plain);
  js_send_to (j, any_socket_get_id (c->socket), to_c);
  g_assert_true (WAIT_FOR (c->messages.length > 0, 5000));
  got = g_queue_pop_head (&c->messages);
  assert_json_equal (got, to_c);
  reply = request_local (to_j, echo, 5000, &error);
  g_assert_no_error (error);
  js_requests_to (j, any_socket_get_id (c->socket), 8);

  if (c_initiates)
    any_peer_e2e (to_j);
  else
    js_command_for (j, "e2e", any_socket_get_id (c->socket));
  g_assert_true (WAIT_FOR (c->e2e_signals == 1 || c->disconnected->len > 0, 6000));
  g_assert_cmpuint (c->disconnected->len, ==, 0);
  g_assert_cmpint (any_peer_get_e2e_mode (to_j), ==, ANY_E2E_MODE_COMPAT);
  js_expect_e2e (j, any_socket_get_id (c->socket));

  /* What the hub relays: seen by the JavaScript hub itself, or by the
   * JavaScript client on its link from our hub. */
  capturer = js_hub != NULL ? js_hub : j;
  js_capture_start (capturer);
  send_local (to_j, secret);
  js_expect_message_from (j, any_socket_get_id (c->socket), secret);
  js_send_to (j, any_socket_get_id (c->socket), to_c);
  g_assert_true (WAIT_FOR (c->messages.length > 0, 5000));
  got2 = g_queue_pop_head (&c->messages);
  assert_json_equal (got2, to_c);
  js_requests_to (j, any_socket_get_id (c->socket), 8);
  report = js_capture_report (capturer);
  note ("mixed, %s hub, %s initiates: marker %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT " in %"
        G_GINT64_FORMAT "/%" G_GINT64_FORMAT " frames", c_hub ? "C" : "JS", c_initiates ? "C" : "JS",
        capture_count (report, "in", "marker"), capture_count (report, "out", "marker"),
        capture_count (report, "in", "frames"), capture_count (report, "out", "frames"));
  g_assert_cmpint (capture_count (report, "in", "frames"), >=, 9);
  g_assert_cmpint (capture_count (report, "in", "marker"), ==, 0);
  g_assert_cmpint (capture_count (report, "out", "marker"), ==, 0);

  js_free (j);
  if (js_hub != NULL)
    js_free (js_hub);
  c_side_free (c);
  c_side_free (c_hub_side);
}

static void
test_proxy_mixed_c_hub_c_initiates (gconstpointer data)
{
  proxy_mixed_case (TRUE, TRUE);
}

static void
test_proxy_mixed_c_hub_js_initiates (gconstpointer data)
{
  proxy_mixed_case (TRUE, FALSE);
}

static void
test_proxy_mixed_js_hub_c_initiates (gconstpointer data)
{
  proxy_mixed_case (FALSE, TRUE);
}

static void
test_proxy_mixed_js_hub_js_initiates (gconstpointer data)
{
  proxy_mixed_case (FALSE, FALSE);
}

void
interop_add_proxy_cases (void)
{
  add_one ("proxy/js-hub", test_proxy_js_hub);
  add_one ("proxy/js-hub-refuses", test_proxy_js_hub_refuses);
  add_one ("proxy/c-hub", test_proxy_c_hub);
  add_one ("proxy/mixed-c-hub/c-initiates", test_proxy_mixed_c_hub_c_initiates);
  add_one ("proxy/mixed-c-hub/js-initiates", test_proxy_mixed_c_hub_js_initiates);
  add_one ("proxy/mixed-js-hub/c-initiates", test_proxy_mixed_js_hub_c_initiates);
  add_one ("proxy/mixed-js-hub/js-initiates", test_proxy_mixed_js_hub_js_initiates);
}
