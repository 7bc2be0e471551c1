/* test-transports.c: the same cases over every transport: ws://, wss://,
 * tcp:// and unix://; then what only the stream transports and wss://
 * have (their hostile input, wrong peers, the unix socket file)
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <glib/gstdio.h>

#include "loopback.h"
#include "healthy-client.h"
#include "transports.h"

const char *kind_names[N_KINDS] = { "ws", "wss", "tcp", "unix" };

TestCert *cert;
char *cert_skip_reason;

/* --- endpoints ----------------------------------------------------------- */

/* Settings a socket needs for @kind (the certificate, the trust). */
void
prepare (AnySocket *socket,
         Kind       kind)
{
  if (kind != KIND_WSS || cert == NULL)
    return;
  {
    g_autoptr(GTlsCertificate) tls = test_cert_load (cert);
    g_autoptr(GTlsDatabase) database = test_cert_database (cert);

    any_socket_set_tls_certificate (socket, tls);
    any_socket_set_tls_database (socket, database);
  }
}

/* A socket that answers every request {"echo": request}. */
static void
echo_message (AnySocket *socket, AnyPacket *packet, gpointer user_data)
{
  g_autoptr(JsonNode) reply = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonObject) object = json_object_new ();

  json_object_set_member (object, "echo", json_node_copy (any_packet_get_msg (packet)));
  json_node_set_object (reply, object);
  /* A plain message (no reply wanted) is refused here, quietly. */
  any_packet_reply (packet, reply, NULL);
}

AnySocket *
new_socket (Kind kind)
{
  AnySocket *socket = any_socket_new ();

  prepare (socket, kind);
  g_signal_connect (socket, "message", G_CALLBACK (echo_message), NULL);
  return socket;
}

/* Listens on a fresh address of @kind; returns the URI to connect to.
 * @dir: a temporary directory made for a unix socket (else NULL). */
char *
listen_kind (AnySocket  *socket,
             Kind        kind,
             char      **dir)
{
  AsyncResult r = { 0 };
  g_autofree char *uri = NULL;
  g_autofree char *path = NULL;

  if (kind == KIND_UNIX)
    {
      *dir = g_dir_make_tmp ("anysocket-unix-XXXXXX", NULL);
      g_assert_nonnull (*dir);
      path = g_build_filename (*dir, "peer.sock", NULL);
      uri = g_strdup_printf ("unix://%s", path);
    }
  else
    uri = g_strdup_printf ("%s://127.0.0.1:0", kind_names[kind]);
  any_socket_listen_async (socket, uri, NULL, on_listened, &r);
  g_assert_true (wait_for (&r.done, WAIT_MS));
  g_assert_no_error (r.error);
  if (kind == KIND_UNIX)
    return g_steal_pointer (&uri);
  g_assert_cmpuint (r.port, >, 0);
  return g_strdup_printf ("%s://127.0.0.1:%u", kind_names[kind], r.port);
}

AnyPeer *
connect_uri (AnySocket  *socket,
             const char *uri,
             GError    **error)
{
  AsyncResult r = { 0 };

  any_socket_connect_async (socket, uri, NULL, on_connected, &r);
  g_assert_true (wait_for (&r.done, WAIT_MS));
  if (r.error != NULL)
    g_propagate_error (error, r.error);
  return r.peer;
}

void
remove_dir (char *dir)
{
  g_autofree char *path = NULL;

  if (dir == NULL)
    return;
  path = g_build_filename (dir, "peer.sock", NULL);
  g_unlink (path);
  g_rmdir (dir);
  g_free (dir);
}

/* --- the fixture: a server and a client over one transport --------------- */

typedef struct {
  Kind       kind;
  AnySocket *server;
  AnySocket *client;
  AnyPeer   *client_side;   /* the server, as the client sees it */
  char      *uri;
  char      *dir;
  GPtrArray *disconnects;
} Fx;

static void
record_disconnect (AnySocket *socket, AnyPeer *peer, const char *reason, gpointer user_data)
{
  g_ptr_array_add (user_data, g_strdup (reason));
}

gboolean
skip_without_cert (Kind kind)
{
  if (kind == KIND_WSS && cert == NULL)
    {
      g_test_skip (cert_skip_reason);
      return TRUE;
    }
  return FALSE;
}

static void
fx_setup (Fx *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fx->kind = GPOINTER_TO_INT (data);
  fx->disconnects = g_ptr_array_new_with_free_func (g_free);
  if (skip_without_cert (fx->kind))
    return;
  fx->server = new_socket (fx->kind);
  fx->client = new_socket (fx->kind);
  g_signal_connect (fx->server, "disconnected", G_CALLBACK (record_disconnect), fx->disconnects);
  g_signal_connect (fx->client, "disconnected", G_CALLBACK (record_disconnect), fx->disconnects);
  fx->uri = listen_kind (fx->server, fx->kind, &fx->dir);
  fx->client_side = connect_uri (fx->client, fx->uri, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fx->client_side);
  WAIT_UNTIL (any_socket_get_peer (fx->server, any_socket_get_id (fx->client)) != NULL);
  g_assert_nonnull (any_socket_get_peer (fx->server, any_socket_get_id (fx->client)));
}

static void
fx_teardown (Fx *fx, gconstpointer data)
{
  if (fx->client != NULL)
    any_socket_stop (fx->client);
  if (fx->server != NULL)
    any_socket_stop (fx->server);
  drain ();
  g_clear_object (&fx->client_side);
  g_clear_object (&fx->client);
  g_clear_object (&fx->server);
  g_clear_pointer (&fx->disconnects, g_ptr_array_unref);
  remove_dir (g_steal_pointer (&fx->dir));
  g_free (fx->uri);
}

/* --- the cases every transport runs ------------------------------------- */

typedef struct {
  guint  replied;
  guint  wrong;
  guint  failed;
} Replies;

typedef struct {
  Replies *replies;
  gint64   n;
} Sent;

static void
on_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Sent *sent = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPacket) reply = any_peer_request_finish (ANY_PEER (source), result, &error);

  if (reply == NULL)
    sent->replies->failed++;
  else if (msg_int (msg_member (any_packet_get_msg (reply), "echo"), "n") == sent->n)
    sent->replies->replied++;
  else
    sent->replies->wrong++;
  g_free (sent);
}

/* 64 requests in flight, 8 times over: each answered with its own echo. */
static void
test_requests (Fx *fx, gconstpointer data)
{
  Replies replies = { 0 };

  if (fx->client == NULL)
    return;
  for (guint round = 0; round < 8; round++)
    {
      guint before = replies.replied;

      for (guint i = 0; i < 64; i++)
        {
          g_autoptr(JsonNode) msg = json_printf ("{\"n\": %u}", round * 64 + i);
          Sent *sent = g_new0 (Sent, 1);

          sent->replies = &replies;
          sent->n = round * 64 + i;
          any_peer_request_async (fx->client_side, msg, 5000, NULL, on_reply, sent);
        }
      WAIT_UNTIL (replies.replied + replies.wrong + replies.failed == (round + 1) * 64);
      g_assert_cmpuint (replies.replied, ==, before + 64);
    }
  g_assert_cmpuint (replies.wrong, ==, 0);
  g_assert_cmpuint (replies.failed, ==, 0);
}

/* A 5 MiB message there and back. */
static void
test_big (Fx *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPacket) reply = NULL;
  g_autoptr(JsonNode) msg = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonObject) object = json_object_new ();
  g_autofree char *big = g_malloc (5 * 1024 * 1024 + 1);

  if (fx->client == NULL)
    return;
  for (gsize i = 0; i < 5 * 1024 * 1024; i++)
    big[i] = 'a' + (i * 7) % 26;
  big[5 * 1024 * 1024] = '\0';
  json_object_set_string_member (object, "big", big);
  json_node_set_object (msg, object);
  reply = request_local (fx->client_side, msg, 20000, &error);
  g_assert_no_error (error);
  g_assert_nonnull (reply);
  g_assert_cmpstr (msg_string (msg_member (any_packet_get_msg (reply), "echo"), "big"), ==, big);
}

/* Heartbeats every 50 ms keep an idle link up and measure its lag. */
static void
test_heartbeats (Fx *fx, gconstpointer data)
{
  int beats = 0;

  if (fx->client == NULL)
    return;
  g_signal_connect_swapped (fx->client_side, "heartbeat", G_CALLBACK (g_atomic_int_inc), &beats);
  any_socket_set_heartbeat_interval (fx->client, 50);
  any_socket_set_heartbeat_interval (fx->server, 50);
  g_assert_true (wait_count (&beats, 4, WAIT_MS));
  g_assert_cmpint (any_peer_get_lag (fx->client_side), >=, 0);
  iterate_for (400);
  g_assert_true (any_peer_is_connected (fx->client_side));
  g_assert_cmpuint (fx->disconnects->len, ==, 0);
}

static void
count_e2e (AnySocket *socket, AnyPeer *peer, gpointer user_data)
{
  (*(int *) user_data)++;
}

/* Native E2E (Noise), then requests through it. */
static void
test_e2e_native (Fx *fx, gconstpointer data)
{
  int switched = 0;
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPacket) reply = NULL;
  g_autoptr(JsonNode) msg = json_checked ("{\"n\": 7, \"secret\": \"over e2e\"}");
  AnyPeer *server_side;

  if (fx->client == NULL)
    return;
  g_signal_connect (fx->client, "e2e", G_CALLBACK (count_e2e), &switched);
  g_signal_connect (fx->server, "e2e", G_CALLBACK (count_e2e), &switched);
  any_peer_e2e (fx->client_side);
  WAIT_UNTIL (switched == 2);
  g_assert_cmpint (switched, ==, 2);
  server_side = any_socket_get_peer (fx->server, any_socket_get_id (fx->client));
  g_assert_cmpint (any_peer_get_e2e_mode (fx->client_side), ==, ANY_E2E_MODE_NATIVE);
  g_assert_cmpint (any_peer_get_e2e_mode (server_side), ==, ANY_E2E_MODE_NATIVE);
  reply = request_local (fx->client_side, msg, 5000, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (msg_string (msg_member (any_packet_get_msg (reply), "echo"), "secret"), ==, "over e2e");
}

/* Compat E2E (the JavaScript package's scheme): the client has no
 * identity, so offers no native E2E, as a JavaScript peer. */
static void
test_e2e_compat (Fx *fx, gconstpointer data)
{
  g_autoptr(AnySocket) compat = NULL;
  g_autoptr(AnyPeer) to_server = NULL;
  g_autoptr(AnyPacket) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) msg = json_checked ("{\"n\": 9, \"secret\": \"over compat\"}");
  int switched = 0;

  if (fx->client == NULL)
    return;
  compat = new_socket (fx->kind);
  _any_socket_drop_identity_for_testing (compat);
  to_server = connect_uri (compat, fx->uri, &error);
  g_assert_no_error (error);
  g_signal_connect (compat, "e2e", G_CALLBACK (count_e2e), &switched);
  g_signal_connect (fx->server, "e2e", G_CALLBACK (count_e2e), &switched);
  any_peer_e2e (to_server);
  WAIT_UNTIL (switched == 2);
  g_assert_cmpint (switched, ==, 2);
  g_assert_cmpint (any_peer_get_e2e_mode (to_server), ==, ANY_E2E_MODE_COMPAT);
  g_assert_cmpint (any_peer_get_e2e_mode (any_socket_get_peer (fx->server, any_socket_get_id (compat))), ==,
                   ANY_E2E_MODE_COMPAT);
  reply = request_local (to_server, msg, 5000, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (msg_string (msg_member (any_packet_get_msg (reply), "echo"), "secret"), ==, "over compat");
  any_socket_stop (compat);
}

static void
test_rpc (Fx *fx, gconstpointer data)
{
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(JsonNode) params = json_checked ("[40, 2]");

  if (fx->client == NULL)
    return;
  g_signal_connect (fx->server, "rpc::math.add", G_CALLBACK (rpc_add_numbers), NULL);
  any_peer_call_async (fx->client_side, "math.add", json_node_get_array (params), NULL, call_answered, &answer);
  WAIT_UNTIL (answer != NULL);
  g_assert_nonnull (answer);
  g_assert_cmpint (json_node_get_int (answer), ==, 42);
}

/* The server is a hub that mixes transports: a third peer reaches it over
 * another one (tcp:// for a ws:// case, ws:// else), and the client
 * reaches that peer through the hub: requests, then native E2E and RPC
 * end to end. */
static void
test_proxy_mixed (Fx *fx, gconstpointer data)
{
  Kind other_kind = fx->kind == KIND_WS ? KIND_TCP : KIND_WS;
  g_autoptr(AnySocket) other = new_socket (other_kind);
  g_autofree char *other_uri = NULL;
  g_autofree char *other_dir = NULL;
  g_autoptr(AnyPeer) to_hub = NULL;
  g_autoptr(AnyPeer) proxied = NULL;
  g_autoptr(AnyPacket) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) msg = json_checked ("{\"n\": 3}");
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(JsonNode) params = json_checked ("[40, 2]");

  if (fx->client == NULL)
    return;
  g_signal_connect (fx->server, "proxy-request", G_CALLBACK (allow_every_proxy), NULL);
  g_signal_connect (other, "rpc::math.add", G_CALLBACK (rpc_add_numbers), NULL);
  other_uri = listen_kind (fx->server, other_kind, &other_dir);
  to_hub = connect_uri (other, other_uri, &error);
  g_assert_no_error (error);

  proxied = proxy_local (fx->client, any_socket_get_id (other), fx->client_side, &error);
  g_assert_no_error (error);
  g_assert_nonnull (proxied);
  g_assert_true (any_peer_is_proxy (proxied));
  reply = request_local (proxied, msg, 5000, &error);
  g_assert_no_error (error);
  g_assert_cmpint (msg_int (msg_member (any_packet_get_msg (reply), "echo"), "n"), ==, 3);

  any_peer_e2e (proxied);
  any_peer_call_async (proxied, "math.add", json_node_get_array (params), NULL, call_answered, &answer);
  WAIT_UNTIL (answer != NULL);
  g_assert_nonnull (answer);
  g_assert_cmpint (json_node_get_int (answer), ==, 42);
  g_assert_cmpint (any_peer_get_e2e_mode (proxied), ==, ANY_E2E_MODE_NATIVE);
  any_socket_stop (other);
  drain ();
}


int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  cert = test_cert_new (&cert_skip_reason);

  for (Kind kind = 0; kind < N_KINDS; kind++)
    {
      static const struct {
        const char *name;
        void (*func) (Fx *, gconstpointer);
      } cases[] = {
        { "requests-64-in-flight", test_requests },
        { "5-mib", test_big },
        { "heartbeats", test_heartbeats },
        { "e2e-native", test_e2e_native },
        { "e2e-compat", test_e2e_compat },
        { "rpc", test_rpc },
        { "proxy-mixed-hub", test_proxy_mixed },
      };

      for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
        {
          g_autofree char *path = g_strdup_printf ("/transports/%s/%s", kind_names[kind], cases[i].name);

          g_test_add (path, Fx, GINT_TO_POINTER (kind), fx_setup, cases[i].func, fx_teardown);
        }
    }
  add_hostile_tests ();
  status = g_test_run ();
  test_cert_free (cert);
  g_free (cert_skip_reason);
  return status;
}
