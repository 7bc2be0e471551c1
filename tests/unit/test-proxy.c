/* test-proxy.c: peer to peer through a hub (PROTOCOL.md 8), between
 * libanysocket endpoints over real loopback sockets
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "loopback.h"

/* What one endpoint saw. */
typedef struct {
  AnySocket  *socket;
  GPtrArray  *connected;     /* AnyPeer */
  GPtrArray  *messages;      /* AnyPacket */
  GHashTable *disconnects;   /* peer id -> reason of its last disconnect */
  guint       e2e;
} Side;

typedef struct {
  Side        hub, a, b;
  guint       port;
  AnyPeer    *a_to_hub;      /* the hub, as A sees it */
  AnyPeer    *b_to_hub;
  gboolean    allow;         /* the hub's proxy-request answer */
  guint       proxy_requests;
  char       *last_request_from;
  char       *last_request_target;
} Mesh;

static void
on_side_connected (AnySocket *socket, AnyPeer *peer, gpointer user_data)
{
  Side *side = user_data;

  g_ptr_array_add (side->connected, g_object_ref (peer));
}

/* Records messages; answers requests ({"req": …}) with {"echo": …}. */
static void
on_side_message (AnySocket *socket, AnyPacket *packet, gpointer user_data)
{
  Side *side = user_data;
  JsonNode *msg = any_packet_get_msg (packet);

  g_ptr_array_add (side->messages, g_object_ref (packet));
  if (JSON_NODE_HOLDS_OBJECT (msg) && json_object_has_member (json_node_get_object (msg), "req"))
    {
      g_autoptr(JsonNode) reply = json_node_new (JSON_NODE_OBJECT);
      g_autoptr(JsonObject) object = json_object_new ();

      json_object_set_member (object, "echo",
                              json_node_copy (json_object_get_member (json_node_get_object (msg), "req")));
      json_node_set_object (reply, object);
      g_assert_true (any_packet_reply (packet, reply, NULL));
    }
}

static void
on_side_disconnected (AnySocket *socket, AnyPeer *peer, const char *reason, gpointer user_data)
{
  Side *side = user_data;

  g_hash_table_replace (side->disconnects, g_strdup (any_peer_get_id (peer)), g_strdup (reason));
}

static void
on_side_e2e (AnySocket *socket, AnyPeer *peer, gpointer user_data)
{
  Side *side = user_data;

  side->e2e++;
}

static gboolean
on_proxy_request (AnySocket *socket, AnyPeer *from, const char *target_id, gpointer user_data)
{
  Mesh *mesh = user_data;

  mesh->proxy_requests++;
  g_free (mesh->last_request_from);
  mesh->last_request_from = g_strdup (any_peer_get_id (from));
  g_free (mesh->last_request_target);
  mesh->last_request_target = g_strdup (target_id);
  return mesh->allow;
}

static void
side_init (Side *side)
{
  side->socket = any_socket_new ();
  side->connected = g_ptr_array_new_with_free_func (g_object_unref);
  side->messages = g_ptr_array_new_with_free_func (g_object_unref);
  side->disconnects = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_signal_connect (side->socket, "connected", G_CALLBACK (on_side_connected), side);
  g_signal_connect (side->socket, "message", G_CALLBACK (on_side_message), side);
  g_signal_connect (side->socket, "disconnected", G_CALLBACK (on_side_disconnected), side);
  g_signal_connect (side->socket, "e2e", G_CALLBACK (on_side_e2e), side);
}

static void
side_clear (Side *side)
{
  any_socket_stop (side->socket);
  drain ();
  g_signal_handlers_disconnect_by_data (side->socket, side);
  g_clear_object (&side->socket);
  g_ptr_array_unref (side->connected);
  g_ptr_array_unref (side->messages);
  g_hash_table_unref (side->disconnects);
}

/* A hub, and A and B connected to it (not to each other). */
static void
mesh_setup (Mesh *mesh, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  side_init (&mesh->hub);
  side_init (&mesh->a);
  side_init (&mesh->b);
  mesh->allow = TRUE;
  g_signal_connect (mesh->hub.socket, "proxy-request", G_CALLBACK (on_proxy_request), mesh);
  mesh->port = listen_local (mesh->hub.socket);
  mesh->a_to_hub = connect_local (mesh->a.socket, mesh->port, &error);
  g_assert_no_error (error);
  mesh->b_to_hub = connect_local (mesh->b.socket, mesh->port, &error);
  g_assert_no_error (error);
  WAIT_UNTIL (mesh->hub.connected->len == 2);
  g_assert_cmpuint (mesh->hub.connected->len, ==, 2);
}

static void
mesh_teardown (Mesh *mesh, gconstpointer data)
{
  g_clear_object (&mesh->a_to_hub);
  g_clear_object (&mesh->b_to_hub);
  side_clear (&mesh->a);
  side_clear (&mesh->b);
  side_clear (&mesh->hub);
  g_free (mesh->last_request_from);
  g_free (mesh->last_request_target);
}

static guint
count_peers (AnySocket *socket)
{
  g_autoptr(GList) peers = any_socket_get_peers (socket);

  return g_list_length (peers);
}

static const char *
id_of (Side *side)
{
  return any_socket_get_id (side->socket);
}

/* A proxies to B; B's side of the pair comes through `connected`. */
static AnyPeer *
proxy_a_to_b (Mesh *mesh, AnyPeer **b_side)
{
  g_autoptr(GError) error = NULL;
  AnyPeer *peer = proxy_local (mesh->a.socket, id_of (&mesh->b), mesh->a_to_hub, &error);

  g_assert_no_error (error);
  g_assert_nonnull (peer);
  WAIT_UNTIL (mesh->b.connected->len == 2);
  g_assert_cmpuint (mesh->b.connected->len, ==, 2);
  *b_side = g_ptr_array_index (mesh->b.connected, 1);
  return peer;
}

static JsonNode *
request_reply (AnyPeer *peer, const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) msg = json_checked (text);
  g_autoptr(AnyPacket) reply = request_local (peer, msg, 0, &error);

  g_assert_no_error (error);
  return json_node_copy (any_packet_get_msg (reply));
}

static void
assert_echo (AnyPeer *peer, const char *value)
{
  g_autofree char *text = g_strdup_printf ("{\"req\": \"%s\"}", value);
  g_autoptr(JsonNode) reply = request_reply (peer, text);

  g_assert_true (JSON_NODE_HOLDS_OBJECT (reply));
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (reply), "echo"), ==, value);
}

static const char *
last_message_string (Side *side, const char *member)
{
  AnyPacket *packet;
  JsonNode *msg;

  g_assert_cmpuint (side->messages->len, >, 0);
  packet = g_ptr_array_index (side->messages, side->messages->len - 1);
  msg = any_packet_get_msg (packet);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (msg));
  return json_object_get_string_member_with_default (json_node_get_object (msg), member, NULL);
}

/* Tests */

static void
test_proxy_basic (Mesh *mesh, gconstpointer data)
{
  g_autoptr(AnyPeer) b = NULL;
  AnyPeer *a = NULL;
  g_autoptr(JsonNode) hello = json_checked ("{\"text\": \"hello B\"}");
  g_autoptr(JsonNode) back = json_checked ("{\"text\": \"hello A\"}");
  g_autoptr(GError) error = NULL;
  AnyPacket *got;

  b = proxy_a_to_b (mesh, &a);
  /* Both ends see an ordinary peer, marked as proxied through their hub. */
  g_assert_cmpstr (any_peer_get_id (b), ==, id_of (&mesh->b));
  g_assert_cmpstr (any_peer_get_id (a), ==, id_of (&mesh->a));
  g_assert_true (any_peer_is_proxy (b));
  g_assert_true (any_peer_is_proxy (a));
  g_assert_true (any_peer_get_via (b) == mesh->a_to_hub);
  g_assert_true (any_peer_get_via (a) == mesh->b_to_hub);
  g_assert_false (any_peer_is_proxy (mesh->a_to_hub));
  g_assert_null (any_peer_get_via (mesh->a_to_hub));
  g_assert_true (any_socket_get_peer (mesh->a.socket, id_of (&mesh->b)) == b);
  g_assert_cmpuint (count_peers (mesh->a.socket), ==, 2);
  g_assert_cmpuint (mesh->proxy_requests, ==, 1);
  g_assert_cmpstr (mesh->last_request_from, ==, id_of (&mesh->a));
  g_assert_cmpstr (mesh->last_request_target, ==, id_of (&mesh->b));

  /* Messages both ways, and request/reply both ways. */
  g_assert_true (any_peer_send (b, hello, &error));
  g_assert_no_error (error);
  WAIT_UNTIL (mesh->b.messages->len == 1);
  g_assert_cmpstr (last_message_string (&mesh->b, "text"), ==, "hello B");
  got = g_ptr_array_index (mesh->b.messages, 0);
  g_assert_true (any_packet_get_peer (got) == a);
  g_assert_true (any_peer_send (a, back, &error));
  WAIT_UNTIL (mesh->a.messages->len == 1);
  g_assert_cmpstr (last_message_string (&mesh->a, "text"), ==, "hello A");
  assert_echo (b, "from A");
  assert_echo (a, "from B");
  /* The hub relayed: it saw none of it as messages. */
  g_assert_cmpuint (mesh->hub.messages->len, ==, 0);
}

/* Several chunks (1,048,576 characters each) through the hub. */
static void
test_proxy_big_message (Mesh *mesh, gconstpointer data)
{
  g_autoptr(AnyPeer) b = NULL;
  AnyPeer *a = NULL;
  gsize size = 3 * 1024 * 1024 + 17;
  g_autofree char *big = g_malloc (size + 1);
  g_autoptr(JsonNode) msg = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < size; i++)
    big[i] = 'a' + i % 26;
  big[size] = '\0';
  json_object_set_string_member (object, "text", big);
  json_node_set_object (msg, object);

  b = proxy_a_to_b (mesh, &a);
  g_assert_true (any_peer_send (b, msg, &error));
  g_assert_no_error (error);
  WAIT_UNTIL (mesh->b.messages->len == 1);
  g_assert_cmpuint (mesh->b.messages->len, ==, 1);
  g_assert_cmpstr (last_message_string (&mesh->b, "text"), ==, big);
}

/* Native E2E through the hub, asked for at once: the switch waits for
 * the probe that tells what the other side can do. */
static void
test_proxy_e2e_native (Mesh *mesh, gconstpointer data)
{
  g_autoptr(AnyPeer) b = NULL;
  AnyPeer *a = NULL;
  g_autoptr(JsonNode) secret = json_checked ("{\"text\": \"sent while switching\"}");
  g_autofree char *b_fingerprint = NULL, *a_fingerprint = NULL;
  g_autofree char *b_own = any_socket_dup_fingerprint (mesh->b.socket);
  g_autofree char *a_own = any_socket_dup_fingerprint (mesh->a.socket);

  b = proxy_a_to_b (mesh, &a);
  any_peer_e2e (b);
  /* Sent after the request: it must wait and go out encrypted. */
  g_assert_true (any_peer_send (b, secret, NULL));
  WAIT_UNTIL (mesh->a.e2e == 1 && mesh->b.e2e == 1);
  g_assert_cmpuint (mesh->a.e2e, ==, 1);
  g_assert_cmpuint (mesh->b.e2e, ==, 1);
  g_assert_cmpint (any_peer_get_e2e_mode (b), ==, ANY_E2E_MODE_NATIVE);
  g_assert_cmpint (any_peer_get_e2e_mode (a), ==, ANY_E2E_MODE_NATIVE);
  /* Each proved the key the other shows as its own. */
  b_fingerprint = any_peer_dup_remote_fingerprint (b);
  a_fingerprint = any_peer_dup_remote_fingerprint (a);
  g_assert_cmpstr (b_fingerprint, ==, b_own);
  g_assert_cmpstr (a_fingerprint, ==, a_own);
  /* The hub link itself stays plain. */
  g_assert_cmpint (any_peer_get_e2e_mode (mesh->a_to_hub), ==, ANY_E2E_MODE_NONE);

  WAIT_UNTIL (mesh->b.messages->len == 1);
  g_assert_cmpstr (last_message_string (&mesh->b, "text"), ==, "sent while switching");
  assert_echo (b, "encrypted A to B");
  assert_echo (a, "encrypted B to A");
}

static void
start_e2e_on_connect (AnySocket *socket, AnyPeer *peer, gpointer user_data)
{
  if (any_peer_is_proxy (peer))
    any_peer_e2e (peer);
}

/* The side that was proxied to switches first, from its `connected`
 * handler, before it could know anything about the other side. */
static void
test_proxy_e2e_from_target (Mesh *mesh, gconstpointer data)
{
  g_autoptr(AnyPeer) b = NULL;
  AnyPeer *a = NULL;

  g_signal_connect (mesh->b.socket, "connected", G_CALLBACK (start_e2e_on_connect), NULL);
  b = proxy_a_to_b (mesh, &a);
  WAIT_UNTIL (mesh->a.e2e == 1 && mesh->b.e2e == 1);
  g_assert_cmpint (any_peer_get_e2e_mode (b), ==, ANY_E2E_MODE_NATIVE);
  g_assert_cmpint (any_peer_get_e2e_mode (a), ==, ANY_E2E_MODE_NATIVE);
  assert_echo (b, "after the target switched");
}

/* Both switch at once: one handshake wins, nobody is dropped. */
static void
test_proxy_e2e_both (Mesh *mesh, gconstpointer data)
{
  g_autoptr(AnyPeer) b = NULL;
  AnyPeer *a = NULL;

  g_signal_connect (mesh->b.socket, "connected", G_CALLBACK (start_e2e_on_connect), NULL);
  b = proxy_a_to_b (mesh, &a);
  any_peer_e2e (b);
  WAIT_UNTIL ((mesh->a.e2e >= 1 && mesh->b.e2e >= 1) ||
                       g_hash_table_size (mesh->a.disconnects) > 0);
  if (g_hash_table_size (mesh->a.disconnects) > 0)
    {
      /* Glare: both initiated. Refusing it cleanly is acceptable. */
      const char *reason = g_hash_table_lookup (mesh->a.disconnects, id_of (&mesh->b));

      g_test_message ("both switched at once: %s", reason);
      g_assert_nonnull (reason);
      g_assert_true (strstr (reason, "E2E") != NULL);
      return;
    }
  g_assert_cmpint (any_peer_get_e2e_mode (b), ==, ANY_E2E_MODE_NATIVE);
  assert_echo (b, "after both switched");
}

/* Binary messages through a libanysocket hub (issue 17): binary FORWARD
 * frames, relayed as they come. @len bytes from @from arrive whole at
 * @to_side, after what was sent before them and before what follows. */
static void
bytes_through_hub (AnyPeer *from,
                   Side    *to_side,
                   gsize    len)
{
  g_autofree guint8 *data = g_malloc (len);
  g_autoptr(GBytes) sent = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) after = json_checked ("{\"text\": \"after the bytes\"}");
  guint before = to_side->messages->len;
  AnyPacket *got;

  for (gsize i = 0; i < len; i++)
    data[i] = (guint8) (i * 13 + (i >> 10));
  sent = g_bytes_new_take (g_steal_pointer (&data), len);
  g_assert_true (any_peer_send_bytes (from, sent, &error));
  g_assert_no_error (error);
  g_assert_true (any_peer_send (from, after, NULL));
  WAIT_UNTIL (to_side->messages->len == before + 2);
  got = g_ptr_array_index (to_side->messages, before);
  g_assert_nonnull (any_packet_get_bytes (got));
  g_assert_true (g_bytes_equal (any_packet_get_bytes (got), sent));
  g_assert_cmpstr (last_message_string (to_side, "text"), ==, "after the bytes");
}

static void
test_proxy_bytes_plain (Mesh *mesh, gconstpointer data)
{
  g_autoptr(AnyPeer) b = NULL;
  AnyPeer *a = NULL;

  b = proxy_a_to_b (mesh, &a);
  bytes_through_hub (b, &mesh->b, 3 * 1024 * 1024 + 1);
  bytes_through_hub (a, &mesh->a, 1);
  bytes_through_hub (b, &mesh->b, 0);
  g_assert_cmpint (any_peer_get_e2e_mode (b), ==, ANY_E2E_MODE_NONE);
  assert_echo (b, "still there");
}

static void
test_proxy_bytes_native (Mesh *mesh, gconstpointer data)
{
  g_autoptr(AnyPeer) b = NULL;
  AnyPeer *a = NULL;

  b = proxy_a_to_b (mesh, &a);
  any_peer_e2e (b);
  WAIT_UNTIL (mesh->a.e2e == 1 && mesh->b.e2e == 1);
  g_assert_cmpint (any_peer_get_e2e_mode (b), ==, ANY_E2E_MODE_NATIVE);
  /* sealed frame by frame, relayed as binary FORWARD frames */
  bytes_through_hub (b, &mesh->b, 3 * 1024 * 1024 + 1);
  bytes_through_hub (a, &mesh->a, 64 * 1024);
  assert_echo (b, "encrypted after the bytes");
  assert_echo (a, "and back");
}

static void
test_proxy_refused_by_default (Mesh *mesh, gconstpointer data)
{
  g_autoptr(AnySocket) hub = any_socket_new ();
  g_autoptr(AnySocket) a = any_socket_new ();
  g_autoptr(AnySocket) b = any_socket_new ();
  g_autoptr(AnyPeer) a_to_hub = NULL, b_to_hub = NULL, proxied = NULL;
  g_autoptr(GError) error = NULL;
  guint port = listen_local (hub);

  /* A hub with no proxy-request handler, as the JavaScript default. */
  a_to_hub = connect_local (a, port, &error);
  g_assert_no_error (error);
  b_to_hub = connect_local (b, port, &error);
  g_assert_no_error (error);
  proxied = proxy_local (a, any_socket_get_id (b), a_to_hub, &error);
  g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROXY_REFUSED);
  g_assert_null (proxied);
  g_test_message ("%s", error->message);
  g_assert_true (strstr (error->message, "refused by the hub") != NULL);
  /* A refusal costs nothing else. */
  g_assert_true (any_peer_is_connected (a_to_hub));
  g_assert_null (any_socket_get_peer (a, any_socket_get_id (b)));
  g_assert_cmpuint (count_peers (b), ==, 1);
  any_socket_stop (a);
  any_socket_stop (b);
  any_socket_stop (hub);
  drain ();
}

static void
test_proxy_refused_by_handler (Mesh *mesh, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPeer) proxied = NULL;

  mesh->allow = FALSE;
  proxied = proxy_local (mesh->a.socket, id_of (&mesh->b), mesh->a_to_hub, &error);
  g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROXY_REFUSED);
  g_assert_cmpuint (mesh->proxy_requests, ==, 1);
  g_assert_cmpuint (mesh->b.connected->len, ==, 1);
  assert_echo (mesh->a_to_hub, "still here");
}

/* Requests the hub answers itself: nothing to ask the application. */
static void
test_proxy_impossible (Mesh *mesh, gconstpointer data)
{
  g_autoptr(AnySocket) c = any_socket_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPeer) peer = NULL;
  g_autoptr(AnyPeer) b = NULL;
  AnyPeer *a = NULL;

  /* A peer the hub does not know. */
  peer = proxy_local (mesh->a.socket, any_socket_get_id (c), mesh->a_to_hub, &error);
  g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROXY_REFUSED);
  g_assert_true (strstr (error->message, "not connected here") != NULL);
  g_clear_error (&error);

  /* Refused before asking: ourselves, the hub, bad ids, through a
   * proxied peer, a peer we already have. */
  peer = proxy_local (mesh->a.socket, id_of (&mesh->a), mesh->a_to_hub, &error);
  g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  peer = proxy_local (mesh->a.socket, id_of (&mesh->hub), mesh->a_to_hub, &error);
  g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  peer = proxy_local (mesh->a.socket, "not-an-id", mesh->a_to_hub, &error);
  g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  peer = proxy_local (mesh->a.socket, "ABCDEF0123456789ABCDEF0123456789", mesh->a_to_hub, &error);
  g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  b = proxy_a_to_b (mesh, &a);
  peer = proxy_local (mesh->a.socket, id_of (&mesh->b), mesh->a_to_hub, &error);
  g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_DUPLICATE_ID);
  g_clear_error (&error);
  peer = proxy_local (mesh->a.socket, id_of (&mesh->hub), b, &error);
  g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (peer);
  g_assert_cmpuint (mesh->proxy_requests, ==, 1);
  assert_echo (b, "unharmed");
}

static gboolean
allow_all (AnySocket *socket, AnyPeer *from, const char *target_id, gpointer user_data)
{
  return TRUE;
}

/* The hub reaches X itself only through another hub: linking A with X
 * would make a path of two hubs, which neither this library nor the
 * JavaScript peer does. */
static void
test_proxy_to_proxied (Mesh *mesh, gconstpointer data)
{
  Side hub2, x;
  g_autoptr(AnyPeer) hub_to_hub2 = NULL, x_to_hub2 = NULL, hub_to_x = NULL, a_to_x = NULL;
  g_autoptr(AnyPeer) b = NULL;
  g_autoptr(GError) error = NULL;
  AnyPeer *a = NULL;
  guint port2;

  side_init (&hub2);
  side_init (&x);
  g_signal_connect (hub2.socket, "proxy-request", G_CALLBACK (allow_all), NULL);
  port2 = listen_local (hub2.socket);
  hub_to_hub2 = connect_local (mesh->hub.socket, port2, &error);
  g_assert_no_error (error);
  x_to_hub2 = connect_local (x.socket, port2, &error);
  g_assert_no_error (error);
  hub_to_x = proxy_local (mesh->hub.socket, id_of (&x), hub_to_hub2, &error);
  g_assert_no_error (error);
  g_assert_true (any_peer_is_proxy (hub_to_x));

  a_to_x = proxy_local (mesh->a.socket, id_of (&x), mesh->a_to_hub, &error);
  g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROXY_REFUSED);
  g_test_message ("%s", error->message);
  g_assert_true (strstr (error->message, "is itself proxied") != NULL);
  g_clear_error (&error);
  /* Nor through a proxied peer, asked on our side already. */
  b = proxy_a_to_b (mesh, &a);
  a_to_x = proxy_local (mesh->a.socket, id_of (&x), b, &error);
  g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT);
  g_assert_null (a_to_x);
  assert_echo (hub_to_x, "X through hub2");

  g_clear_object (&hub_to_x);
  side_clear (&x);
  side_clear (&hub2);
}

static void
assert_reason (Side *side, const char *id, const char *prefix)
{
  const char *reason;

  WAIT_UNTIL (g_hash_table_contains (side->disconnects, id));
  reason = g_hash_table_lookup (side->disconnects, id);
  g_assert_nonnull (reason);
  g_test_message ("%s", reason);
  g_assert_true (g_str_has_prefix (reason, prefix));
}

/* B leaves the hub: A's peer for B goes, the hub told it so. */
static void
test_proxy_target_leaves (Mesh *mesh, gconstpointer data)
{
  g_autoptr(AnyPeer) b = NULL;
  AnyPeer *a = NULL;

  b = proxy_a_to_b (mesh, &a);
  any_peer_disconnect (mesh->b_to_hub, "B goes home");
  assert_reason (&mesh->a, id_of (&mesh->b), "Proxy Connection Closed");
  g_assert_false (any_peer_is_connected (b));
  g_assert_null (any_socket_get_peer (mesh->a.socket, id_of (&mesh->b)));
  /* B's own peer for A went with B's hub link. */
  assert_reason (&mesh->b, id_of (&mesh->a), "Proxy Connection Closed: hub");
  g_assert_true (any_peer_is_connected (mesh->a_to_hub));
}

/* A closes its proxied peer: the hub unlinks and tells B. */
static void
test_proxy_unproxy (Mesh *mesh, gconstpointer data)
{
  g_autoptr(AnyPeer) b = NULL;
  g_autoptr(AnyPeer) again = NULL;
  g_autoptr(GError) error = NULL;
  AnyPeer *a = NULL;

  b = proxy_a_to_b (mesh, &a);
  any_peer_disconnect (b, "done talking");
  assert_reason (&mesh->a, id_of (&mesh->b), "done talking");
  assert_reason (&mesh->b, id_of (&mesh->a), "Proxy Connection Closed");
  g_assert_true (any_peer_is_connected (mesh->a_to_hub));
  g_assert_true (any_peer_is_connected (mesh->b_to_hub));

  /* And the two can be linked again. */
  again = proxy_local (mesh->a.socket, id_of (&mesh->b), mesh->a_to_hub, &error);
  g_assert_no_error (error);
  WAIT_UNTIL (mesh->b.connected->len == 3);
  assert_echo (again, "second time");
  g_assert_cmpuint (mesh->proxy_requests, ==, 2);
}

/* The hub goes away: every peer reached through it goes too. */
static void
test_proxy_hub_stops (Mesh *mesh, gconstpointer data)
{
  g_autoptr(AnyPeer) b = NULL;
  AnyPeer *a = NULL;

  b = proxy_a_to_b (mesh, &a);
  any_socket_stop (mesh->hub.socket);
  assert_reason (&mesh->a, id_of (&mesh->b), "Proxy Connection Closed");
  assert_reason (&mesh->b, id_of (&mesh->a), "Proxy Connection Closed");
  assert_reason (&mesh->a, id_of (&mesh->hub), "Socket stopped");
  g_assert_cmpuint (count_peers (mesh->a.socket), ==, 0);
}

static void
on_heartbeat (AnyPeer *peer, gpointer user_data)
{
  guint *count = user_data;

  (*count)++;
}

/* Heartbeats run end to end: lag through the hub, and liveness. */
static void
test_proxy_lag (Mesh *mesh, gconstpointer data)
{
  g_autoptr(AnyPeer) b = NULL;
  AnyPeer *a = NULL;
  guint beats = 0;

  any_socket_set_heartbeat_interval (mesh->a.socket, 50);
  b = proxy_a_to_b (mesh, &a);
  g_assert_cmpint (any_peer_get_lag (b), ==, -1);
  g_signal_connect (b, "heartbeat", G_CALLBACK (on_heartbeat), &beats);
  WAIT_UNTIL (beats >= 3);
  g_assert_cmpuint (beats, >=, 3);
  g_assert_cmpint (any_peer_get_lag (b), >=, 0);
  g_assert_cmpint (any_peer_get_lag (b), <, 1000);
  g_signal_handlers_disconnect_by_data (b, &beats);
}

static void
on_synced_time (GObject *source, GAsyncResult *result, gpointer user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;
  gint64 rtt = -1;
  double offset = 1e9;

  g_assert_true (any_peer_get_synced_time_finish (ANY_PEER (source), result, &rtt, &offset, &error));
  g_assert_no_error (error);
  g_assert_cmpint (rtt, >=, 0);
  g_assert_cmpfloat (ABS (offset), <, 1000);
  *done = TRUE;
}

static void
test_proxy_synced_time (Mesh *mesh, gconstpointer data)
{
  g_autoptr(AnyPeer) b = NULL;
  AnyPeer *a = NULL;
  gboolean done = FALSE;

  b = proxy_a_to_b (mesh, &a);
  any_peer_get_synced_time_async (b, NULL, on_synced_time, &done);
  g_assert_true (wait_for (&done, WAIT_MS));
}

/* RPC through the hub, after an E2E switch. */
static void
test_proxy_rpc (Mesh *mesh, gconstpointer data)
{
  g_autoptr(AnyPeer) b = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(JsonNode) params = json_checked ("[40, 2]");
  AnyPeer *a = NULL;
  gboolean from_proxy = FALSE;

  g_signal_connect (mesh->b.socket, "rpc::math.add", G_CALLBACK (rpc_add_numbers), &from_proxy);
  b = proxy_a_to_b (mesh, &a);
  any_peer_e2e (b);
  any_peer_call_async (b, "math.add", json_node_get_array (params), NULL, call_answered, &answer);
  WAIT_UNTIL (answer != NULL);
  g_assert_nonnull (answer);
  g_assert_cmpint (json_node_get_int (answer), ==, 42);
  g_assert_true (from_proxy);
  g_assert_cmpint (any_peer_get_e2e_mode (b), ==, ANY_E2E_MODE_NATIVE);
}

/* A peer reached through the hub connects directly: the direct link
 * replaces the proxied one, on both sides. */
static void
test_proxy_replaced_by_direct (Mesh *mesh, gconstpointer data)
{
  g_autoptr(AnyPeer) b = NULL, direct = NULL;
  g_autoptr(GError) error = NULL;
  AnyPeer *a = NULL, *now;
  guint b_port;

  b = proxy_a_to_b (mesh, &a);
  b_port = listen_local (mesh->b.socket);
  direct = connect_local (mesh->a.socket, b_port, &error);
  g_assert_no_error (error);
  g_assert_nonnull (direct);
  g_assert_false (any_peer_is_proxy (direct));

  g_assert_false (any_peer_is_connected (b));
  g_assert_cmpstr (g_hash_table_lookup (mesh->a.disconnects, id_of (&mesh->b)), ==, "Replaced by a direct link");
  g_assert_true (any_socket_get_peer (mesh->a.socket, id_of (&mesh->b)) == direct);
  WAIT_UNTIL (!any_peer_is_connected (a));
  g_assert_false (any_peer_is_connected (a));
  now = any_socket_get_peer (mesh->b.socket, id_of (&mesh->a));
  g_assert_nonnull (now);
  g_assert_false (any_peer_is_proxy (now));
  assert_echo (direct, "directly now");
  /* The hub link stays, and hears no more of the pair. */
  g_assert_true (any_peer_is_connected (mesh->a_to_hub));
}

/* A proxied peer is a peer like another: broadcast reaches it too. */
static void
test_proxy_broadcast (Mesh *mesh, gconstpointer data)
{
  g_autoptr(AnyPeer) b = NULL;
  AnyPeer *a = NULL;
  g_autoptr(JsonNode) all = json_checked ("{\"text\": \"to everyone\"}");

  b = proxy_a_to_b (mesh, &a);
  any_socket_broadcast (mesh->a.socket, all);
  WAIT_UNTIL (mesh->b.messages->len == 1 && mesh->hub.messages->len == 1);
  g_assert_cmpstr (last_message_string (&mesh->b, "text"), ==, "to everyone");
  g_assert_cmpstr (last_message_string (&mesh->hub, "text"), ==, "to everyone");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define MESH_TEST(path, func) \
  g_test_add ("/proxy/" path, Mesh, NULL, mesh_setup, func, mesh_teardown)

  MESH_TEST ("basic", test_proxy_basic);
  MESH_TEST ("big-message", test_proxy_big_message);
  MESH_TEST ("e2e-native", test_proxy_e2e_native);
  MESH_TEST ("e2e-from-target", test_proxy_e2e_from_target);
  MESH_TEST ("e2e-both", test_proxy_e2e_both);
  MESH_TEST ("refused-by-default", test_proxy_refused_by_default);
  MESH_TEST ("refused-by-handler", test_proxy_refused_by_handler);
  MESH_TEST ("impossible", test_proxy_impossible);
  MESH_TEST ("to-proxied", test_proxy_to_proxied);
  MESH_TEST ("target-leaves", test_proxy_target_leaves);
  MESH_TEST ("unproxy", test_proxy_unproxy);
  MESH_TEST ("hub-stops", test_proxy_hub_stops);
  MESH_TEST ("lag", test_proxy_lag);
  MESH_TEST ("synced-time", test_proxy_synced_time);
  MESH_TEST ("rpc", test_proxy_rpc);
  MESH_TEST ("replaced-by-direct", test_proxy_replaced_by_direct);
  MESH_TEST ("broadcast", test_proxy_broadcast);
  MESH_TEST ("bytes/plain", test_proxy_bytes_plain);
  MESH_TEST ("bytes/native", test_proxy_bytes_native);

  return g_test_run ();
}
