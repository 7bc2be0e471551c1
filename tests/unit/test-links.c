/* test-links.c: a direct link next to a proxied one, has-peer, the links
 * a hub keeps, broadcast requests and RPC notifications, between
 * libanysocket endpoints over real loopback sockets (issue 12)
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "loopback.h"
#include "api/any-socket-private.h"

#define STREAM_EVERY_MS 2
/* Through a hub, several chunks that are still on their way when the
 * direct link comes up: what the small ones sent after must not overtake,
 * and closing the proxied link must not drop. */
#define BIG_BYTES (3 * 1024 * 1024)

/* One endpoint: what it saw, and a stream of numbered messages it sends
 * to whatever peer it has for @to at each tick. */
typedef struct {
  AnySocket  *socket;
  const char *name;
  char       *to;            /* the id the stream goes to */
  guint       timer;
  guint       sent;
  guint       no_peer;       /* ticks with no peer at all for @to */
  guint       send_failed;
  gboolean    big_next;      /* the next stream message carries BIG_BYTES */
  guint       got;           /* stream messages received, in order */
  guint       out_of_order;
  GHashTable *disconnects;   /* id -> last reason */
  guint       connected;
} End;

typedef struct {
  End      hub, a, b;
  guint    hub_port;
  AnyPeer *a_to_hub, *b_to_hub;
} Mesh;

static void
on_message (AnySocket *socket, AnyPacket *packet, gpointer user_data)
{
  End *end = user_data;
  JsonNode *msg = any_packet_get_msg (packet);

  if (msg_string (msg, "s") == NULL)
    {
      /* A request: echoed. */
      if (msg_string (msg, "req") != NULL)
        {
          g_autoptr(JsonNode) reply = json_printf ("{\"echo\":\"%s\",\"by\":\"%s\"}",
                                                   msg_string (msg, "req"), end->name);

          g_assert_true (any_packet_reply (packet, reply, NULL));
        }
      return;
    }
  if (msg_int (msg, "i") != (gint64) end->got)
    end->out_of_order++;
  end->got++;
}

static void
on_disconnected (AnySocket *socket, AnyPeer *peer, const char *reason, gpointer user_data)
{
  End *end = user_data;

  g_hash_table_replace (end->disconnects, g_strdup (any_peer_get_id (peer)), g_strdup (reason));
}

static void
on_end_connected (AnySocket *socket, AnyPeer *peer, gpointer user_data)
{
  ((End *) user_data)->connected++;
}

static void
end_init (End *end, const char *name)
{
  end->socket = any_socket_new ();
  end->name = name;
  end->disconnects = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_signal_connect (end->socket, "message", G_CALLBACK (on_message), end);
  g_signal_connect (end->socket, "disconnected", G_CALLBACK (on_disconnected), end);
  g_signal_connect (end->socket, "connected", G_CALLBACK (on_end_connected), end);
}

static void
end_clear (End *end)
{
  g_clear_handle_id (&end->timer, g_source_remove);
  any_socket_stop (end->socket);
  drain ();
  g_signal_handlers_disconnect_by_data (end->socket, end);
  g_clear_object (&end->socket);
  g_hash_table_unref (end->disconnects);
  g_free (end->to);
}

static const char *
id_of (End *end)
{
  return any_socket_get_id (end->socket);
}

static gboolean
stream_tick (gpointer user_data)
{
  End *end = user_data;
  AnyPeer *peer = any_socket_get_peer (end->socket, end->to);
  g_autoptr(JsonNode) msg = NULL;

  if (peer == NULL)
    {
      end->no_peer++;
      return G_SOURCE_CONTINUE;
    }
  if (end->big_next)
    {
      g_autofree char *data = g_strnfill (BIG_BYTES, 'x');

      msg = json_printf ("{\"s\":\"%s\",\"i\":%u,\"data\":\"%s\"}", end->name, end->sent, data);
      end->big_next = FALSE;
    }
  else
    msg = json_printf ("{\"s\":\"%s\",\"i\":%u}", end->name, end->sent);
  if (any_peer_send (peer, msg, NULL))
    end->sent++;
  else
    end->send_failed++;
  return G_SOURCE_CONTINUE;
}

static void
stream_start (End *end, End *to)
{
  end->to = g_strdup (id_of (to));
  end->timer = g_timeout_add (STREAM_EVERY_MS, stream_tick, end);
}

static void
stream_stop (End *end)
{
  g_clear_handle_id (&end->timer, g_source_remove);
}

/* A hub; A and B connected to it, both listening; A proxied to B. */
static void
mesh_setup (Mesh *mesh, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPeer) proxied = NULL;

  end_init (&mesh->hub, "hub");
  end_init (&mesh->a, "A");
  end_init (&mesh->b, "B");
  g_signal_connect (mesh->hub.socket, "proxy-request", G_CALLBACK (allow_every_proxy), NULL);
  mesh->hub_port = listen_local (mesh->hub.socket);
  mesh->a_to_hub = connect_local (mesh->a.socket, mesh->hub_port, &error);
  g_assert_no_error (error);
  mesh->b_to_hub = connect_local (mesh->b.socket, mesh->hub_port, &error);
  g_assert_no_error (error);
  WAIT_UNTIL (mesh->hub.connected == 2);
  proxied = proxy_local (mesh->a.socket, id_of (&mesh->b), mesh->a_to_hub, &error);
  g_assert_no_error (error);
  WAIT_UNTIL (any_socket_has_peer (mesh->b.socket, id_of (&mesh->a)));
  g_assert_true (any_socket_has_peer (mesh->b.socket, id_of (&mesh->a)));
}

static void
mesh_teardown (Mesh *mesh, gconstpointer data)
{
  g_clear_object (&mesh->a_to_hub);
  g_clear_object (&mesh->b_to_hub);
  end_clear (&mesh->a);
  end_clear (&mesh->b);
  end_clear (&mesh->hub);
}

static guint
links_of (AnySocket *hub, const char *id)
{
  g_autoptr(GList) links = any_peer_get_links (any_socket_get_peer (hub, id));

  return g_list_length (links);
}

/* Both streams ran through the change: everything arrived, in order, and
 * there was a peer at every tick. */
static void
assert_streams_whole (Mesh *mesh)
{
  stream_stop (&mesh->a);
  stream_stop (&mesh->b);
  WAIT_UNTIL (mesh->b.got == mesh->a.sent && mesh->a.got == mesh->b.sent);
  g_test_message ("A sent %u, B got %u; B sent %u, A got %u", mesh->a.sent, mesh->b.got,
                  mesh->b.sent, mesh->a.got);
  g_assert_cmpuint (mesh->a.sent, >, 20);
  g_assert_cmpuint (mesh->b.sent, >, 20);
  g_assert_cmpuint (mesh->b.got, ==, mesh->a.sent);
  g_assert_cmpuint (mesh->a.got, ==, mesh->b.sent);
  g_assert_cmpuint (mesh->a.out_of_order, ==, 0);
  g_assert_cmpuint (mesh->b.out_of_order, ==, 0);
  g_assert_cmpuint (mesh->a.no_peer, ==, 0);
  g_assert_cmpuint (mesh->b.no_peer, ==, 0);
  g_assert_cmpuint (mesh->a.send_failed, ==, 0);
  g_assert_cmpuint (mesh->b.send_failed, ==, 0);
}

/* Between two libanysocket peers the direct link takes over on both
 * sides once both kept it; messages streamed both ways before, during
 * and after all arrive, in order; the hub forgets the pair. */
static void
test_takeover (Mesh *mesh, gconstpointer data)
{
  gboolean a_dials = GPOINTER_TO_INT (data);
  End *dialler = a_dials ? &mesh->a : &mesh->b;
  End *listener = a_dials ? &mesh->b : &mesh->a;
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPeer) direct = NULL;
  guint port = listen_local (listener->socket);

  stream_start (&mesh->a, &mesh->b);
  stream_start (&mesh->b, &mesh->a);
  iterate_for (100);
  mesh->a.big_next = mesh->b.big_next = TRUE;
  iterate_for (STREAM_EVERY_MS * 3);
  direct = connect_local (dialler->socket, port, &error);
  g_assert_no_error (error);
  g_assert_nonnull (direct);
  g_assert_false (any_peer_is_proxy (direct));
  g_assert_true (any_socket_get_peer (dialler->socket, id_of (listener)) == direct);
  iterate_for (100);

  assert_streams_whole (mesh);
  WAIT_UNTIL (any_socket_has_direct_peer (listener->socket, id_of (dialler)) &&
              links_of (mesh->hub.socket, id_of (&mesh->a)) == 0);
  g_assert_true (any_socket_has_direct_peer (mesh->a.socket, id_of (&mesh->b)));
  g_assert_true (any_socket_has_direct_peer (mesh->b.socket, id_of (&mesh->a)));
  g_assert_cmpstr (g_hash_table_lookup (mesh->a.disconnects, id_of (&mesh->b)), ==, "Replaced by a direct link");
  g_assert_cmpstr (g_hash_table_lookup (mesh->b.disconnects, id_of (&mesh->a)), ==, "Replaced by a direct link");
  /* The hub links them no more; both hub links stay. */
  g_assert_cmpuint (links_of (mesh->hub.socket, id_of (&mesh->a)), ==, 0);
  g_assert_cmpuint (links_of (mesh->hub.socket, id_of (&mesh->b)), ==, 0);
  g_assert_true (any_peer_is_connected (mesh->a_to_hub));
  g_assert_true (any_peer_is_connected (mesh->b_to_hub));
  /* A request both ways on the new link. */
  {
    g_autoptr(JsonNode) req = json_printf ("{\"req\":\"direct\"}");
    g_autoptr(AnyPacket) reply = request_local (any_socket_get_peer (mesh->b.socket, id_of (&mesh->a)),
                                                req, 0, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (msg_string (any_packet_get_msg (reply), "by"), ==, "A");
  }
}

/* Both dial each other at once: whatever wins, both sides end in the same
 * state (both direct or both proxied), with one peer each, and lose
 * nothing. */
static void
test_both_dial (Mesh *mesh, gconstpointer data)
{
  guint a_port = listen_local (mesh->a.socket);
  guint b_port = listen_local (mesh->b.socket);
  g_autofree char *a_uri = g_strdup_printf ("ws://127.0.0.1:%u", a_port);
  g_autofree char *b_uri = g_strdup_printf ("ws://127.0.0.1:%u", b_port);
  AsyncResult from_a = { 0 }, from_b = { 0 };

  stream_start (&mesh->a, &mesh->b);
  stream_start (&mesh->b, &mesh->a);
  iterate_for (50);
  any_socket_connect_async (mesh->a.socket, b_uri, NULL, on_connected, &from_a);
  any_socket_connect_async (mesh->b.socket, a_uri, NULL, on_connected, &from_b);
  WAIT_UNTIL (from_a.done && from_b.done);
  g_assert_true (from_a.done && from_b.done);
  g_test_message ("A: %s; B: %s", from_a.error ? from_a.error->message : "direct",
                  from_b.error ? from_b.error->message : "direct");
  iterate_for (100);
  assert_streams_whole (mesh);
  drain ();
  g_assert_cmpint (any_socket_has_direct_peer (mesh->a.socket, id_of (&mesh->b)), ==,
                   any_socket_has_direct_peer (mesh->b.socket, id_of (&mesh->a)));
  g_assert_true (any_socket_has_peer (mesh->a.socket, id_of (&mesh->b)));
  g_assert_true (any_socket_has_peer (mesh->b.socket, id_of (&mesh->a)));
  g_clear_object (&from_a.peer);
  g_clear_object (&from_b.peer);
  g_clear_error (&from_a.error);
  g_clear_error (&from_b.error);
}

/* has-peer, has-direct-peer and the hub's links. */
static void
test_has_peer_and_links (Mesh *mesh, gconstpointer data)
{
  g_autoptr(GList) links = NULL;
  AnyPeer *hub_a = any_socket_get_peer (mesh->hub.socket, id_of (&mesh->a));

  g_assert_true (any_socket_has_peer (mesh->a.socket, id_of (&mesh->b)));
  g_assert_false (any_socket_has_direct_peer (mesh->a.socket, id_of (&mesh->b)));
  g_assert_true (any_socket_has_direct_peer (mesh->a.socket, id_of (&mesh->hub)));
  g_assert_false (any_socket_has_peer (mesh->a.socket, "0123456789abcdef0123456789abcdef"));
  g_assert_false (any_socket_has_peer (mesh->hub.socket, id_of (&mesh->hub)));

  links = any_peer_get_links (hub_a);
  g_assert_cmpuint (g_list_length (links), ==, 1);
  g_assert_cmpstr (any_peer_get_id (links->data), ==, id_of (&mesh->b));
  g_clear_pointer (&links, g_list_free);
  /* Not a hub: no links; a proxied peer has none. */
  g_assert_null (any_peer_get_links (mesh->a_to_hub));
  g_assert_null (any_peer_get_links (any_socket_get_peer (mesh->a.socket, id_of (&mesh->b))));

  /* B leaves: the hub unlinks it, A loses its proxied peer. */
  any_peer_disconnect (mesh->b_to_hub, "bye");
  WAIT_UNTIL (!any_socket_has_peer (mesh->a.socket, id_of (&mesh->b)));
  g_assert_false (any_socket_has_peer (mesh->a.socket, id_of (&mesh->b)));
  g_assert_null (any_peer_get_links (hub_a));
}

static void
store (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GListModel *
broadcast_request (AnySocket *socket, const char *text, guint timeout_ms, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) msg = json_checked (text);

  any_socket_broadcast_request_async (socket, msg, timeout_ms, NULL, store, &result);
  WAIT_UNTIL (result != NULL);
  g_assert_nonnull (result);
  return any_socket_broadcast_request_finish (socket, result, error);
}

/* Borrowed: the list holds it. */
static AnyPeerReply *
reply_from (GListModel *replies, const char *id)
{
  for (guint i = 0; i < g_list_model_get_n_items (replies); i++)
    {
      g_autoptr(AnyPeerReply) reply = g_list_model_get_item (replies, i);

      if (g_str_equal (any_peer_reply_get_peer_id (reply), id))
        return reply;
    }
  return NULL;
}

/* With no peer it completes at once, empty (the JavaScript one hangs). */
static void
test_broadcast_request_no_peer (void)
{
  g_autoptr(AnySocket) alone = any_socket_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) replies = NULL;
  gint64 start = g_get_monotonic_time ();

  replies = broadcast_request (alone, "{\"req\":\"anyone\"}", 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (replies);
  g_assert_cmpuint (g_list_model_get_n_items (replies), ==, 0);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 1000 * 1000);
}

/* Hears requests, answers none. */
static void
on_silent_message (AnySocket *socket, AnyPacket *packet, gpointer user_data)
{
}

/* Every peer, direct and proxied, answers or fails on its own: a silent
 * one times out without holding the others; then one that left fails. */
static void
test_broadcast_request (Mesh *mesh, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) replies = NULL;
  g_autoptr(AnySocket) silent = any_socket_new ();
  g_autoptr(AnyPeer) silent_to_a = NULL;
  guint a_port = listen_local (mesh->a.socket);
  AnyPeerReply *reply;
  gint64 start;

  g_signal_connect (silent, "message", G_CALLBACK (on_silent_message), NULL);
  silent_to_a = connect_local (silent, a_port, &error);
  g_assert_no_error (error);
  WAIT_UNTIL (any_socket_has_peer (mesh->a.socket, any_socket_get_id (silent)));

  start = g_get_monotonic_time ();
  replies = broadcast_request (mesh->a.socket, "{\"req\":\"all\"}", 300, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (replies), ==, 3);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 250 * 1000);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3000 * 1000);

  reply = reply_from (replies, id_of (&mesh->hub));
  g_assert_nonnull (reply);
  g_assert_null (any_peer_reply_get_error (reply));
  g_assert_cmpstr (msg_string (any_packet_get_msg (any_peer_reply_get_packet (reply)), "by"), ==, "hub");
  reply = reply_from (replies, id_of (&mesh->b));
  g_assert_nonnull (reply);
  g_assert_true (any_peer_is_proxy (any_peer_reply_get_peer (reply)));
  g_assert_cmpstr (msg_string (any_packet_get_msg (any_peer_reply_get_packet (reply)), "by"), ==, "B");
  reply = reply_from (replies, any_socket_get_id (silent));
  g_assert_nonnull (reply);
  g_assert_null (any_peer_reply_get_packet (reply));
  g_assert_error (any_peer_reply_get_error (reply), ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_TIMEOUT);
  g_clear_object (&replies);

  /* The silent one leaves while its request waits. */
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(JsonNode) msg = json_checked ("{\"req\":\"again\"}");

    any_socket_broadcast_request_async (mesh->a.socket, msg, 5000, NULL, store, &result);
    iterate_for (50);
    any_socket_stop (silent);
    WAIT_UNTIL (result != NULL);
    g_assert_nonnull (result);
    replies = any_socket_broadcast_request_finish (mesh->a.socket, result, &error);
    g_assert_no_error (error);
    reply = reply_from (replies, any_socket_get_id (silent));
    g_assert_error (any_peer_reply_get_error (reply), ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_DISCONNECTED);
    g_assert_null (any_peer_reply_get_error (reply_from (replies, id_of (&mesh->b))));
  }
}

/* Cancelled: the whole call fails with G_IO_ERROR_CANCELLED. */
static void
test_broadcast_request_cancel (Mesh *mesh, gconstpointer data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) msg = json_checked ("{\"ignored\":true}");
  g_autoptr(GListModel) replies = NULL;

  any_socket_broadcast_request_async (mesh->a.socket, msg, 5000, cancellable, store, &result);
  iterate_for (20);
  g_cancellable_cancel (cancellable);
  WAIT_UNTIL (result != NULL);
  g_assert_nonnull (result);
  replies = any_socket_broadcast_request_finish (mesh->a.socket, result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (replies);
}

/* A peer that claims B's id without being behind the hub keeps the direct
 * link A dials and does not fence: A replaces its proxied peer at once
 * (ids are claims; pinning is what proves them), and the real B hears
 * through the hub that A left. Nobody waits for a fence that never
 * comes. */
static void
test_claimed_id (Mesh *mesh, gconstpointer data)
{
  g_autoptr(AnySocket) claimer = any_socket_new ();
  g_autoptr(AnyPeer) direct = NULL;
  g_autoptr(GError) error = NULL;
  guint port;

  _any_socket_set_id_for_testing (claimer, id_of (&mesh->b));
  port = listen_local (claimer);
  direct = connect_local (mesh->a.socket, port, &error);
  g_assert_no_error (error);
  g_assert_true (any_socket_get_peer (mesh->a.socket, id_of (&mesh->b)) == direct);
  g_assert_cmpstr (g_hash_table_lookup (mesh->a.disconnects, id_of (&mesh->b)), ==, "Replaced by a direct link");
  WAIT_UNTIL (!any_socket_has_peer (mesh->b.socket, id_of (&mesh->a)));
  g_assert_false (any_socket_has_peer (mesh->b.socket, id_of (&mesh->a)));
  g_assert_cmpstr (g_hash_table_lookup (mesh->b.disconnects, id_of (&mesh->a)), ==, "Proxy Connection Closed");
  g_assert_cmpuint (links_of (mesh->hub.socket, id_of (&mesh->a)), ==, 0);
  any_socket_stop (claimer);
  drain ();
}

typedef struct {
  guint    calls;
  gboolean wants_reply;
  char    *last;
} Notified;

static gboolean
on_rpc (AnySocket *socket, AnyRpcCall *call, gpointer user_data)
{
  Notified *notified = user_data;
  JsonArray *params = any_rpc_call_get_params (call);

  notified->calls++;
  notified->wants_reply = any_rpc_call_get_wants_reply (call);
  g_free (notified->last);
  notified->last = g_strdup (json_array_get_string_element (params, 0));
  /* A failure of a notification goes nowhere but the log. */
  any_rpc_call_return_error_literal (call, "it failed, and nobody hears");
  return TRUE;
}

/* RPC_NOTIFY both ways, direct and through the hub: the handler runs,
 * nothing comes back, the link stays; an unknown method is ignored. */
static void
test_notify (Mesh *mesh, gconstpointer data)
{
  Notified at_b = { 0 }, at_a = { 0 };
  g_autoptr(JsonArray) params = json_array_new ();
  g_autoptr(GError) error = NULL;
  AnyPeer *b_from_a = any_socket_get_peer (mesh->a.socket, id_of (&mesh->b));
  AnyPeer *a_from_b = any_socket_get_peer (mesh->b.socket, id_of (&mesh->a));
  g_autoptr(AnyRpcCall) call = any_rpc_call_new ("bytes.take");
  static const guint8 raw[] = { 0, 1, 2, 255 };
  g_autoptr(GBytes) bytes = g_bytes_new_static (raw, sizeof raw);

  g_signal_connect (mesh->b.socket, "rpc::chat.note", G_CALLBACK (on_rpc), &at_b);
  g_signal_connect (mesh->a.socket, "rpc::chat.note", G_CALLBACK (on_rpc), &at_a);
  json_array_add_string_element (params, "through the hub");
  g_assert_true (any_peer_notify (b_from_a, "chat.note", params, &error));
  g_assert_no_error (error);
  g_assert_true (any_peer_notify (a_from_b, "chat.note", params, &error));
  g_assert_true (any_peer_notify (a_from_b, "no.such.method", NULL, &error));
  WAIT_UNTIL (at_b.calls == 1 && at_a.calls == 1);
  g_assert_cmpuint (at_b.calls, ==, 1);
  g_assert_false (at_b.wants_reply);
  g_assert_cmpstr (at_b.last, ==, "through the hub");
  g_assert_cmpuint (at_a.calls, ==, 1);

  /* Directly, from the hub, with binary params; an invalid method. */
  any_rpc_call_add_bytes_param (call, bytes);
  g_assert_true (any_peer_notify_call (mesh->a_to_hub, call, &error));
  g_assert_false (any_peer_notify_call (mesh->a_to_hub, call, &error));
  g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (any_peer_notify (mesh->a_to_hub, "bad..name", NULL, &error));
  g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  iterate_for (100);
  g_assert_cmpuint (at_b.calls, ==, 1);
  g_assert_cmpuint (at_a.calls, ==, 1);
  g_assert_true (any_peer_is_connected (b_from_a));
  g_assert_true (any_peer_is_connected (mesh->a_to_hub));
  g_free (at_a.last);
  g_free (at_b.last);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define MESH_TEST(path, func, data) \
  g_test_add ("/links/" path, Mesh, GINT_TO_POINTER (data), mesh_setup, func, mesh_teardown)

  MESH_TEST ("takeover/a-dials-b", test_takeover, TRUE);
  MESH_TEST ("takeover/b-dials-a", test_takeover, FALSE);
  MESH_TEST ("takeover/both-dial", test_both_dial, 0);
  MESH_TEST ("takeover/claimed-id", test_claimed_id, 0);
  MESH_TEST ("has-peer-and-links", test_has_peer_and_links, 0);
  g_test_add_func ("/links/broadcast-request/no-peer", test_broadcast_request_no_peer);
  MESH_TEST ("broadcast-request/replies", test_broadcast_request, 0);
  MESH_TEST ("broadcast-request/cancel", test_broadcast_request_cancel, 0);
  MESH_TEST ("notify", test_notify, 0);

  return g_test_run ();
}
