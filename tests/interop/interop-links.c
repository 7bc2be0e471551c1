/* interop-links.c: a direct link next to a proxied one, has-peer and
 * links, broadcast requests and RPC_NOTIFY, against the JavaScript peer
 * (issue 12)
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "interop.h"

#define STREAM_MS 5
#define DUPLICATE_REASON "Duplicated AnySocket ID found!"

static const char * const can_proxy_args[] = { "--can-proxy", NULL };
static const char * const rpc_args[] = { "--rpc", NULL };

/* Our stream to an id: at each tick, to whatever peer has that id now. */
typedef struct {
  AnySocket *socket;
  char      *to;
  guint      source;
  guint      sent;
  guint      no_peer;
} CStream;

static gboolean
on_c_stream_tick (gpointer user_data)
{
  CStream *stream = user_data;
  AnyPeer *peer = any_socket_get_peer (stream->socket, stream->to);
  g_autoptr(JsonNode) msg = NULL;

  if (peer == NULL)
    {
      stream->no_peer++;
      return G_SOURCE_CONTINUE;
    }
  msg = json_printf ("{\"s\":\"c\",\"i\":%u}", stream->sent);
  if (any_peer_send (peer, msg, NULL))
    stream->sent++;
  return G_SOURCE_CONTINUE;
}

static void
c_stream_start (CStream *stream, AnySocket *socket, const char *to)
{
  stream->socket = socket;
  stream->to = g_strdup (to);
  stream->source = g_timeout_add (STREAM_MS, on_c_stream_tick, stream);
}

static void
c_stream_stop (CStream *stream)
{
  g_clear_handle_id (&stream->source, g_source_remove);
  g_clear_pointer (&stream->to, g_free);
}

/* The JavaScript side's "message" events of our stream so far: they must
 * come in order; returns how many. */
static guint
js_stream_received (JsPeer *js, guint *next)
{
  JsonNode *event;

  while ((event = js_take (js, "message")) != NULL)
    {
      JsonNode *msg = msg_member (event, "msg");

      if (g_strcmp0 (msg_string (msg, "s"), "c") == 0)
        {
          g_assert_cmpint (msg_int (msg, "i"), ==, *next);
          (*next)++;
        }
      json_node_unref (event);
    }
  return *next;
}

/* The C side got the JavaScript stream "js" whole and in order. */
static void
assert_c_got_js_stream (CSide *c, guint count)
{
  guint seen = 0;

  for (guint i = 0; i < c->streamed->len; i++)
    {
      StreamItem *item = &g_array_index (c->streamed, StreamItem, i);

      if (g_strcmp0 (item->s, "js") == 0)
        g_assert_cmpint (item->i, ==, seen++);
    }
  g_assert_cmpuint (seen, ==, count);
}

static guint
c_js_stream_count (CSide *c)
{
  guint seen = 0;

  for (guint i = 0; i < c->streamed->len; i++)
    if (g_strcmp0 (g_array_index (c->streamed, StreamItem, i).s, "js") == 0)
      seen++;
  return seen;
}

static JsonNode *
js_has_peer (JsPeer *js, const char *id)
{
  g_autofree char *command = g_strdup_printf ("{\"cmd\":\"has_peer\",\"id\":\"%s\"}", id);

  js_command_text (js, command);
  return js_expect (js, "has_peer", 5000);
}

static gboolean
member_true (JsonNode *node, const char *member)
{
  return json_object_get_boolean_member_with_default (json_node_get_object (node), member, FALSE);
}

/* J listens and joins a hub (ours or a JavaScript one); A (ours, also
 * listening) joins it and proxies to J. Both stream to each other every
 * 5 ms through the hub while one dials the other directly (A dials J
 * when @c_dials, else J dials A): the JavaScript side refuses the direct
 * link as a duplicate once authenticated; the proxied link stays on
 * both sides, nothing sent before, during or after is lost, and A's
 * connect fails with J's reason. (Before issue 12 A replaced the proxied
 * peer at once and ended with no link to J.) */
static void
direct_next_to_proxied (gboolean c_hub, gboolean c_dials)
{
  CSide *hub = NULL, *a = c_side_new (5000, NULL, NULL);
  JsPeer *js_hub = NULL, *j = js_spawn ("server", 0, NULL);
  g_autoptr(AnyPeer) a_to_hub = NULL, to_j = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) joined = NULL, started = NULL, stopped = NULL, has = NULL, dialled = NULL;
  g_autofree char *command = NULL;
  CStream stream = { 0 };
  const char *a_id = any_socket_get_id (a->socket);
  guint hub_port, next = 0, js_sent;

  if (c_hub)
    {
      hub = c_side_new (5000, NULL, NULL);
      g_signal_connect (hub->socket, "proxy-request", G_CALLBACK (allow_every_proxy), NULL);
      c_side_listen (hub);
      hub_port = hub->port;
    }
  else
    {
      js_hub = js_spawn ("server", 0, can_proxy_args);
      hub_port = js_hub->port;
    }
  command = g_strdup_printf ("{\"cmd\":\"connect\",\"port\":%u}", hub_port);
  js_command_text (j, command);
  joined = js_expect (j, "connect_done", 5000);
  c_side_listen (a);
  a_to_hub = connect_local (a->socket, hub_port, &error);
  g_assert_no_error (error);
  g_assert_true (WAIT_FOR (any_socket_has_peer (a->socket, any_peer_get_id (a_to_hub)), 5000));

  to_j = proxy_local (a->socket, j->id, a_to_hub, &error);
  g_assert_no_error (error);
  g_assert_true (any_peer_is_proxy (to_j));
  js_expect_connected (j, msg_string (joined, "id"), FALSE);
  js_expect_connected (j, a_id, TRUE);

  /* Before */
  c_stream_start (&stream, a->socket, j->id);
  g_clear_pointer (&command, g_free);
  command = g_strdup_printf ("{\"cmd\":\"stream_start\",\"peer\":\"%s\",\"s\":\"js\",\"every\":%d}",
                             a_id, STREAM_MS);
  js_command_text (j, command);
  started = js_expect (j, "stream_started", 5000);
  iterate_for (150);

  /* During */
  if (c_dials)
    {
      g_autofree char *uri = g_strdup_printf ("ws://127.0.0.1:%u", j->port);
      AsyncResult dial = { 0 };

      any_socket_connect_async (a->socket, uri, NULL, on_connected, &dial);
      g_assert_true (WAIT_FOR (dial.done, 5000));
      g_assert_null (dial.peer);
      g_assert_error (dial.error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_DUPLICATE_ID);
      note ("A dials J, %s hub: %s", c_hub ? "C" : "JS", dial.error->message);
      g_assert_nonnull (strstr (dial.error->message, DUPLICATE_REASON));
      g_clear_error (&dial.error);
    }
  else
    {
      g_clear_pointer (&command, g_free);
      command = g_strdup_printf ("{\"cmd\":\"connect\",\"port\":%u}", a->port);
      js_command_text (j, command);
      dialled = js_expect (j, "connect_error", 5000);
      note ("J dials A, %s hub: the JavaScript connect fails with \"%s\"", c_hub ? "C" : "JS",
            msg_string (dialled, "error"));
      g_assert_cmpstr (msg_string (dialled, "error"), ==, DUPLICATE_REASON);
    }

  /* After */
  iterate_for (150);
  c_stream_stop (&stream);
  js_command_text (j, "{\"cmd\":\"stream_stop\"}");
  stopped = js_expect (j, "stream_stopped", 5000);
  js_sent = msg_required_int (stopped, "count");
  g_assert_true (WAIT_FOR (js_stream_received (j, &next) == stream.sent &&
                           c_js_stream_count (a) == js_sent, 5000));
  note ("A sent %u through the change, J got %u; J sent %u, A got %u", stream.sent, next, js_sent,
        c_js_stream_count (a));
  g_assert_cmpuint (stream.sent, >, 20);
  g_assert_cmpuint (js_sent, >, 20);
  g_assert_cmpuint (next, ==, stream.sent);
  assert_c_got_js_stream (a, js_sent);
  g_assert_cmpuint (stream.no_peer, ==, 0);

  /* Both kept the proxied link, and only it. */
  g_assert_true (any_socket_get_peer (a->socket, j->id) == to_j);
  g_assert_true (any_peer_is_connected (to_j));
  g_assert_false (any_socket_has_direct_peer (a->socket, j->id));
  g_assert_cmpuint (a->disconnected->len, ==, 0);
  g_assert_cmpuint (a->connected->len, ==, 2);
  has = js_has_peer (j, a_id);
  g_assert_true (member_true (has, "has"));
  g_assert_false (member_true (has, "direct"));
  g_assert_true (member_true (has, "proxy"));
  {
    g_autoptr(JsonNode) echo = json_checked ("{\"op\":\"echo\",\"data\":\"still proxied\",\"i\":1}");
    g_autoptr(AnyPacket) reply = request_local (to_j, echo, 5000, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (msg_string (any_packet_get_msg (reply), "echo"), ==, "still proxied");
  }

  js_free (j);
  if (js_hub != NULL)
    js_free (js_hub);
  c_side_free (a);
  c_side_free (hub);
}

static void
test_c_hub_c_dials (gconstpointer data)
{
  direct_next_to_proxied (TRUE, TRUE);
}

static void
test_c_hub_js_dials (gconstpointer data)
{
  direct_next_to_proxied (TRUE, FALSE);
}

static void
test_js_hub_c_dials (gconstpointer data)
{
  direct_next_to_proxied (FALSE, TRUE);
}

static void
test_js_hub_js_dials (gconstpointer data)
{
  direct_next_to_proxied (FALSE, FALSE);
}

static guint
c_links_count (AnySocket *socket, const char *id, const char *expect_id)
{
  g_autoptr(GList) links = any_peer_get_links (any_socket_get_peer (socket, id));

  if (expect_id != NULL && links != NULL)
    g_assert_cmpstr (any_peer_get_id (links->data), ==, expect_id);
  return g_list_length (links);
}

static JsonArray *
js_links (JsPeer *js, const char *peer_id, JsonNode **holder)
{
  js_command_for (js, "links", peer_id);
  *holder = js_expect (js, "links", 5000);
  return json_object_get_array_member (json_node_get_object (*holder), "ids");
}

/* Our hub with two JavaScript clients, one proxied to the other: the
 * hub's links (any_peer_get_links) and theirs (hasPeer, hasDirectPeer,
 * getLinks); they go when one leaves. */
static void
test_links_c_hub (gconstpointer data)
{
  CSide *hub = c_side_new (5000, NULL, NULL);
  JsPeer *j1, *j2;
  const char *hub_id = any_socket_get_id (hub->socket);
  g_autoptr(JsonNode) has = NULL, direct = NULL, links = NULL, gone = NULL;

  g_signal_connect (hub->socket, "proxy-request", G_CALLBACK (allow_every_proxy), NULL);
  c_side_listen (hub);
  j1 = js_spawn_full ("client", hub->port, NULL, FALSE);
  j2 = js_spawn_full ("client", hub->port, NULL, FALSE);
  js_expect_connected (j1, hub_id, FALSE);
  js_expect_connected (j2, hub_id, FALSE);
  g_assert_true (WAIT_FOR (hub->connected->len == 2, 5000));
  g_assert_cmpuint (c_links_count (hub->socket, j1->id, NULL), ==, 0);

  js_proxy (j1, j2->id, hub_id);
  js_expect_connected (j2, j1->id, TRUE);
  g_assert_cmpuint (c_links_count (hub->socket, j1->id, j2->id), ==, 1);
  g_assert_cmpuint (c_links_count (hub->socket, j2->id, j1->id), ==, 1);
  g_assert_true (any_socket_has_direct_peer (hub->socket, j1->id));

  has = js_has_peer (j1, j2->id);
  g_assert_true (member_true (has, "has"));
  g_assert_false (member_true (has, "direct"));
  direct = js_has_peer (j1, hub_id);
  g_assert_true (member_true (direct, "direct"));
  /* A JavaScript client keeps no links of its own. */
  g_assert_cmpuint (json_array_get_length (js_links (j1, hub_id, &links)), ==, 0);

  js_command_for (j2, "disconnect", hub_id);
  gone = js_expect (j1, "disconnected", 5000);
  g_assert_cmpstr (msg_string (gone, "id"), ==, j2->id);
  g_assert_cmpuint (c_links_count (hub->socket, j1->id, NULL), ==, 0);

  js_free (j1);
  js_free (j2);
  c_side_free (hub);
}

/* A JavaScript hub with two of ours, one proxied to the other: the JS
 * getLinks() and our has-peer agree. */
static void
test_links_js_hub (gconstpointer data)
{
  JsPeer *hub = js_spawn ("server", 0, can_proxy_args);
  CSide *a = c_side_new (5000, NULL, NULL), *b = c_side_new (5000, NULL, NULL);
  g_autoptr(AnyPeer) a_to_hub = NULL, b_to_hub = NULL, to_b = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) links = NULL, after = NULL;
  const char *a_id = any_socket_get_id (a->socket), *b_id = any_socket_get_id (b->socket);
  JsonArray *ids;

  a_to_hub = connect_local (a->socket, hub->port, &error);
  g_assert_no_error (error);
  b_to_hub = connect_local (b->socket, hub->port, &error);
  g_assert_no_error (error);
  js_expect_connected (hub, a_id, FALSE);
  js_expect_connected (hub, b_id, FALSE);
  to_b = proxy_local (a->socket, b_id, a_to_hub, &error);
  g_assert_no_error (error);
  g_assert_true (WAIT_FOR (any_socket_has_peer (b->socket, a_id), 5000));

  ids = js_links (hub, a_id, &links);
  g_assert_cmpuint (json_array_get_length (ids), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (ids, 0), ==, b_id);
  g_assert_true (any_socket_has_peer (a->socket, b_id));
  g_assert_false (any_socket_has_direct_peer (a->socket, b_id));
  g_assert_true (any_socket_has_direct_peer (a->socket, hub->id));
  g_assert_false (any_socket_has_direct_peer (b->socket, a_id));
  /* We are no hub here: no links. */
  g_assert_null (any_peer_get_links (a_to_hub));

  any_peer_disconnect (b_to_hub, "B leaves");
  g_assert_true (WAIT_FOR (!any_socket_has_peer (a->socket, b_id), 5000));
  g_assert_cmpuint (json_array_get_length (js_links (hub, a_id, &after)), ==, 0);

  c_side_free (a);
  c_side_free (b);
  js_free (hub);
}

static void
on_broadcast_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AsyncResult *done = user_data;
  GListModel **replies = (GListModel **) &done->peer;

  *replies = any_socket_broadcast_request_finish (ANY_SOCKET (source), result, &done->error);
  done->done = TRUE;
}

static GListModel *
c_broadcast (AnySocket *socket, const char *text)
{
  g_autoptr(JsonNode) msg = json_checked (text);
  AsyncResult done = { 0 };

  any_socket_broadcast_request_async (socket, msg, 3000, NULL, on_broadcast_done, &done);
  g_assert_true (WAIT_FOR (done.done, 5000));
  g_assert_no_error (done.error);
  return (GListModel *) done.peer;
}

/* Ours to JavaScript peers (one we dialled, one that dialled us): every
 * reply, each with its peer; then with no peer at all it completes at
 * once. The JavaScript broadcast(msg, true), to two of ours, settles; to
 * nobody it never does. */
static void
test_broadcast (gconstpointer data)
{
  CSide *c = c_side_new (5000, NULL, NULL);
  JsPeer *j1 = js_spawn ("server", 0, NULL), *j2;
  g_autoptr(AnyPeer) to_j1 = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) replies = NULL, none = NULL;
  g_autoptr(JsonNode) js_done = NULL, js_hangs = NULL;
  JsPeer *js_caster;
  CSide *c2;
  g_autoptr(AnyPeer) c_to_caster = NULL, c2_to_caster = NULL;
  gint64 start;

  c_side_listen (c);
  to_j1 = connect_local (c->socket, j1->port, &error);
  g_assert_no_error (error);
  j2 = js_spawn_full ("client", c->port, NULL, FALSE);
  js_expect_connected (j2, any_socket_get_id (c->socket), FALSE);
  g_assert_true (WAIT_FOR (count_peers (c) == 2, 5000));

  replies = c_broadcast (c->socket, "{\"op\":\"echo\",\"data\":\"to all\",\"i\":5}");
  g_assert_cmpuint (g_list_model_get_n_items (replies), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(AnyPeerReply) reply = g_list_model_get_item (replies, i);
      JsonNode *msg = any_packet_get_msg (any_peer_reply_get_packet (reply));

      g_assert_null (any_peer_reply_get_error (reply));
      g_assert_true (g_str_equal (any_peer_reply_get_peer_id (reply), j1->id) ||
                     g_str_equal (any_peer_reply_get_peer_id (reply), j2->id));
      g_assert_cmpstr (msg_string (msg, "echo"), ==, "to all");
      g_assert_cmpint (msg_int (msg, "i"), ==, 5);
    }

  js_free (j1);
  js_free (j2);
  g_assert_true (WAIT_FOR (count_peers (c) == 0, 5000));
  start = g_get_monotonic_time ();
  none = c_broadcast (c->socket, "{\"op\":\"echo\",\"data\":\"nobody\",\"i\":0}");
  g_assert_cmpuint (g_list_model_get_n_items (none), ==, 0);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 500 * 1000);

  /* The JavaScript side's broadcast with replies, to two of ours. */
  js_caster = js_spawn ("server", 0, NULL);
  c2 = c_side_new (5000, NULL, NULL);
  c_to_caster = connect_local (c->socket, js_caster->port, &error);
  g_assert_no_error (error);
  c2_to_caster = connect_local (c2->socket, js_caster->port, &error);
  g_assert_no_error (error);
  js_expect_connected (js_caster, any_socket_get_id (c->socket), FALSE);
  js_expect_connected (js_caster, any_socket_get_id (c2->socket), FALSE);
  js_command_text (js_caster, "{\"cmd\":\"broadcast\",\"msg\":{\"op\":\"echo\",\"data\":\"from js\",\"i\":2},"
                              "\"await\":true}");
  js_done = js_expect (js_caster, "broadcast_done", 5000);
  {
    JsonArray *got = json_object_get_array_member (json_node_get_object (js_done), "replies");

    /* It resolves with the first Promise.all() to settle: one reply, or
     * both. */
    note ("JS broadcast(msg, true) to two of ours: %u replies", json_array_get_length (got));
    g_assert_cmpuint (json_array_get_length (got), >=, 1);
    g_assert_cmpstr (msg_string (json_array_get_element (got, 0), "echo"), ==, "from js");
  }
  g_assert_true (WAIT_FOR (c->echoes == 1 && c2->echoes == 1, 5000));
  any_peer_disconnect (c_to_caster, "bye");
  any_peer_disconnect (c2_to_caster, "bye");
  g_assert_true (WAIT_FOR (count_peers (c2) == 0, 5000));
  json_node_unref (js_expect (js_caster, "disconnected", 5000));
  json_node_unref (js_expect (js_caster, "disconnected", 5000));
  js_command_text (js_caster, "{\"cmd\":\"broadcast\",\"msg\":{\"op\":\"echo\"},\"await\":true}");
  js_hangs = js_expect (js_caster, "broadcast_timeout", 5000);

  js_free (js_caster);
  c_side_free (c);
  c_side_free (c2);
}

typedef struct {
  guint    calls;
  gboolean wants_reply;
  char    *param;
} Notified;

static gboolean
on_rpc_note (AnySocket *socket, AnyRpcCall *call, gpointer user_data)
{
  Notified *notified = user_data;

  notified->calls++;
  notified->wants_reply = any_rpc_call_get_wants_reply (call);
  g_free (notified->param);
  notified->param = g_strdup (json_array_get_string_element (any_rpc_call_get_params (call), 0));
  any_rpc_call_return_error_literal (call, "no one hears this");
  return TRUE;
}

/* RPC_NOTIFY both ways. Ours reaches the JavaScript peer, which only logs
 * it (js-peer.js turns the log into an event); the JavaScript one runs
 * our rpc handler, whose failure sends nothing back. */
static void
test_notify (gconstpointer data)
{
  Link *link = link_open (GPOINTER_TO_INT (data), 5000, rpc_args);
  g_autoptr(JsonArray) params = json_array_new ();
  g_autoptr(AnyRpcCall) call = any_rpc_call_new ("bytes.info");
  g_autoptr(GBytes) bytes = g_bytes_new_static ("\x00\x01\xfe\xff", 4);
  g_autoptr(JsonNode) got = NULL, got_bin = NULL, sent = NULL, report = NULL;
  g_autoptr(GError) error = NULL;
  Notified notified = { 0 };
  JsonNode *msg;

  json_array_add_int_element (params, 2);
  json_array_add_string_element (params, "é 漢字 😀");
  g_assert_true (any_peer_notify (link->peer, "math.add", params, &error));
  g_assert_no_error (error);
  got = js_expect (link->js, "rpc_notify", 5000);
  msg = msg_member (got, "msg");
  g_assert_cmpint (msg_int (msg, "type"), ==, 4);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (json_node_get_object (msg), "method"), 1),
                   ==, "add");
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (json_node_get_object (msg), "params"), 1),
                   ==, "é 漢字 😀");

  any_rpc_call_add_bytes_param (call, bytes);
  g_assert_true (any_peer_notify_call (link->peer, call, &error));
  got_bin = js_expect (link->js, "rpc_notify", 5000);
  msg = msg_member (got_bin, "msg");
  g_assert_cmpint (json_array_get_int_element (json_object_get_array_member (json_node_get_object (msg), "bin"), 0), ==, 0);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (json_node_get_object (msg), "params"), 0),
                   ==, "AAH+/w==");

  /* The other way: our handler runs, and nothing INTERNAL comes back. */
  g_signal_connect (link->c->socket, "rpc::chat.note", G_CALLBACK (on_rpc_note), &notified);
  js_capture_start (link->js);
  js_command_text (link->js, "{\"cmd\":\"notify\",\"path\":[\"chat\",\"note\"],\"params\":[\"salut é\"]}");
  sent = js_expect (link->js, "notify_sent", 5000);
  js_command_text (link->js, "{\"cmd\":\"notify\",\"path\":[\"no\",\"such\"],\"params\":[]}");
  json_node_unref (js_expect (link->js, "notify_sent", 5000));
  g_assert_true (WAIT_FOR (notified.calls == 1, 5000));
  iterate_for (200);
  report = js_capture_report (link->js);
  g_assert_cmpuint (notified.calls, ==, 1);
  g_assert_false (notified.wants_reply);
  g_assert_cmpstr (notified.param, ==, "salut é");
  g_assert_cmpint (capture_type_count (report, "out", "2"), ==, 2);
  g_assert_cmpint (capture_type_count (report, "in", "2"), ==, 0);
  assert_link_works (link);

  g_signal_handlers_disconnect_by_data (link->c->socket, &notified);
  g_free (notified.param);
  link_close (link);
}

void
interop_add_links_cases (void)
{
  add_one ("links/direct-next-to-proxied/c-hub/c-dials", test_c_hub_c_dials);
  add_one ("links/direct-next-to-proxied/c-hub/js-dials", test_c_hub_js_dials);
  add_one ("links/direct-next-to-proxied/js-hub/c-dials", test_js_hub_c_dials);
  add_one ("links/direct-next-to-proxied/js-hub/js-dials", test_js_hub_js_dials);
  add_one ("links/has-peer/c-hub", test_links_c_hub);
  add_one ("links/has-peer/js-hub", test_links_js_hub);
  add_one ("links/broadcast-request", test_broadcast);
  add_both ("links/notify", test_notify);
}
