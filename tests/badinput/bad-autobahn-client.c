/* bad-autobahn-client.c: the Autobahn TestSuite's cases (its
 * fuzzingserver) against our client: a raw server on loopback answers
 * the client's upgrade and AUTH by hand, then plays the case
 * (autobahn-cases.h) to the client, whose application answers requests as
 * the bad-input server does; the same client keeps a healthy link to the
 * fixture's server, which must still work afterwards
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "bad-input.h"
#include "autobahn-cases.h"

#define AB_BIG_LIMIT (16 * 1024 * 1024)

typedef struct {
  GSocketListener   *listener;
  guint              port;
  GSocketConnection *accepted;
  AnySocket         *client;
  char              *server_id;
  char              *reason;     /* the client's disconnected reason for the raw link */
} RawServer;

static void
on_accepted (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  RawServer *rs = user_data;

  rs->accepted = g_socket_listener_accept_finish (G_SOCKET_LISTENER (source), result, NULL, NULL);
}

/* The client's application answers as the bad-input server does. */
static void
on_client_message (AnySocket *socket,
                   AnyPacket *packet,
                   gpointer   user_data)
{
  g_autoptr(JsonNode) reply = echo_reply_new (any_packet_get_msg (packet));

  any_packet_reply (packet, reply, NULL);
}

static void
on_client_disconnected (AnySocket  *socket,
                        AnyPeer    *peer,
                        const char *reason,
                        gpointer    user_data)
{
  RawServer *rs = user_data;

  if (g_strcmp0 (any_peer_get_id (peer), rs->server_id) == 0 && rs->reason == NULL)
    rs->reason = g_strdup (reason);
}

static guint
raw_server_listen (RawServer *rs)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  rs->listener = g_socket_listener_new ();
  g_socket_listener_add_address (rs->listener, address, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &effective, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
}

/* Reads the upgrade request byte by byte (nothing after it is taken) and
 * answers 101. */
static gboolean
raw_server_upgrade (GSocketConnection *connection)
{
  GSocket *socket = g_socket_connection_get_socket (connection);
  g_autoptr(GString) request = g_string_new (NULL);
  g_autofree char *accept = NULL, *answer = NULL;
  const char *key;
  char value[64] = "";

  g_socket_set_blocking (socket, FALSE);
  WAIT_FOR (({ char ch; gssize n = g_socket_receive (socket, &ch, 1, NULL, NULL);
               if (n > 0) g_string_append_c (request, ch);
               strstr (request->str, "\r\n\r\n") != NULL || n == 0; }), WAIT_MS);
  key = strstr (request->str, "Sec-WebSocket-Key: ");
  g_assert_nonnull (key);
  if (key == NULL)
    return FALSE;
  sscanf (key + strlen ("Sec-WebSocket-Key: "), "%63[^\r]", value);
  accept = ws_accept_key (value);
  answer = g_strdup_printf ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            "Sec-WebSocket-Accept: %s\r\n\r\n", accept);
  return g_socket_send (socket, answer, strlen (answer), NULL, NULL) == (gssize) strlen (answer);
}

/* Answers the client's AUTH (seq 1) with ours. */
static gboolean
raw_server_auth (RawServer *rs,
                 WsPeer    *peer)
{
  g_autofree char *body = g_strdup_printf ("{\"id\":\"%s\"}", rs->server_id);
  g_autoptr(GBytes) auth = chunk_new (LAST, T_AUTH, 1, body, strlen (body));
  const guint8 *data;
  gsize len;

  WAIT_FOR (peer->messages->len > 0 || peer->eof, WAIT_MS);
  g_assert_cmpuint (peer->messages->len, >, 0);
  if (peer->messages->len == 0)
    return FALSE;
  data = g_bytes_get_data (auth, &len);
  return ws_peer_send (peer, WS_FIN | WS_OP_TEXT, data, len, 0);
}

static void
test_autobahn_client (Fixture       *fx,
                      gconstpointer  data)
{
  const AbCase *c = data;
  RawServer rs = { 0 };
  AsyncResult r = { 0 };
  g_autofree char *uri = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPacket) reply = NULL;
  g_autoptr(JsonNode) msg = json_from_string ("{\"after\":1}", NULL);
  g_autoptr(AnyPeer) healthy_link = NULL;
  WsPeer *peer = NULL;

  rs.port = raw_server_listen (&rs);
  rs.server_id = g_strdup_printf ("%08x%08x%08x%08x", g_random_int (), g_random_int (), g_random_int (), g_random_int ());
  rs.client = any_socket_new ();
  any_socket_set_max_message_size (rs.client, c->big ? AB_BIG_LIMIT : MAX_MESSAGE_SIZE * 2);
  g_signal_connect (rs.client, "message", G_CALLBACK (on_client_message), &rs);
  g_signal_connect (rs.client, "disconnected", G_CALLBACK (on_client_disconnected), &rs);
  healthy_link = connect_local (rs.client, fx->port, &error);
  g_assert_no_error (error);

  uri = g_strdup_printf ("ws://127.0.0.1:%u/", rs.port);
  any_socket_connect_async (rs.client, uri, NULL, on_connected, &r);
  g_socket_listener_accept_async (rs.listener, NULL, on_accepted, &rs);
  WAIT_FOR (rs.accepted != NULL, WAIT_MS);
  g_assert_nonnull (rs.accepted);
  if (rs.accepted != NULL && raw_server_upgrade (rs.accepted))
    {
      peer = ws_peer_new (g_steal_pointer (&rs.accepted), FALSE, NULL);
      peer->answer_heartbeats = TRUE;
      if (raw_server_auth (&rs, peer))
        {
          WAIT_FOR (r.done, WAIT_MS);
          g_assert_no_error (r.error);
          g_assert_nonnull (r.peer);
        }
    }
  if (r.peer != NULL)
    {
      autobahn_run (c, peer, AB_SIDE_CLIENT);
      /* The raw server's side of the close: TCP goes. */
      ws_peer_free (g_steal_pointer (&peer));
      WAIT_FOR (rs.reason != NULL, WAIT_MS);
      g_test_message ("client side reason: %s", rs.reason ? rs.reason : "(none)");
      g_assert_nonnull (rs.reason);
      g_assert_false (any_peer_is_connected (r.peer));
    }

  /* The client's other link lost nothing. */
  reply = request_local (healthy_link, msg, WAIT_MS, &error);
  g_assert_no_error (error);
  g_assert_nonnull (reply);

  g_clear_pointer (&peer, ws_peer_free);
  g_clear_object (&rs.accepted);
  g_clear_error (&r.error);
  g_clear_object (&r.peer);
  any_socket_stop (rs.client);
  iterate_for (20);
  g_object_unref (rs.client);
  g_socket_listener_close (rs.listener);
  g_object_unref (rs.listener);
  g_free (rs.server_id);
  g_free (rs.reason);
}

void
badinput_add_autobahn_client_cases (void)
{
  autobahn_add_tests ("client", sizeof (Fixture), (GTestFixtureFunc) (void (*) (void)) fixture_setup,
                      (GTestFixtureFunc) (void (*) (void)) test_autobahn_client,
                      (GTestFixtureFunc) (void (*) (void)) fixture_teardown);
}
