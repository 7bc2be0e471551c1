/* e2e-harness.c: two libanysocket ends over loopback, directly or through
 * the relay, and what the E2E cases send and check
 *
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE  /* memmem() */
#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "e2e.h"

void
assert_fingerprint_format (const char *fingerprint)
{
  g_assert_nonnull (fingerprint);
  g_assert_cmpuint (strlen (fingerprint), ==, FINGERPRINT_LEN);
  for (guint i = 0; i < FINGERPRINT_LEN; i++)
    {
      if (i % 6 == 5)
        g_assert_cmpint (fingerprint[i], ==, ' ');
      else
        g_assert_true (g_ascii_isdigit (fingerprint[i]));
    }
}

gboolean
bytes_contain (GBytes     *bytes,
               const char *needle)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  return memmem (data, len, needle, strlen (needle)) != NULL;
}

/* A frame: @header_len bytes of @data, then @body. */
GBytes *
frame_with_body (const guint8 *data,
                 gsize         header_len,
                 const char   *body,
                 gsize         body_len)
{
  GString *out = g_string_sized_new (header_len + body_len);

  g_string_append_len (out, (const char *) data, header_len);
  g_string_append_len (out, body, body_len);
  return g_string_free_to_bytes (out);
}

/* The two ends */

static void
on_peer_e2e (AnyPeer  *peer,
             gpointer  user_data)
{
  Side *side = user_data;

  side->peer_e2e++;
  side->mode_at_e2e = any_peer_get_e2e_mode (peer);
}

static void
on_peer_disconnected (AnyPeer    *peer,
                      const char *reason,
                      gpointer    user_data)
{
  Side *side = user_data;

  /* Emitted once. */
  g_assert_null (side->peer_reason);
  side->peer_reason = g_strdup (reason);
}

static void
on_peer_heartbeat (AnyPeer  *peer,
                   gpointer  user_data)
{
  Side *side = user_data;

  side->heartbeats++;
}

/* Other links (a bystander that must lose nothing, an attacker) are the
 * test's business: messages from them are told apart by "from". */
static gboolean
is_pair_link (Side    *side,
              AnyPeer *peer)
{
  return g_strcmp0 (any_peer_get_id (peer), any_socket_get_id (other_side (side)->socket)) == 0;
}

static void
on_socket_connected (AnySocket *socket,
                     AnyPeer   *peer,
                     gpointer   user_data)
{
  Side *side = user_data;

  if (!is_pair_link (side, peer))
    return;
  g_assert_null (side->peer);
  side->peer = g_object_ref (peer);
  g_signal_connect (peer, "e2e", G_CALLBACK (on_peer_e2e), side);
  g_signal_connect (peer, "disconnected", G_CALLBACK (on_peer_disconnected), side);
  g_signal_connect (peer, "heartbeat", G_CALLBACK (on_peer_heartbeat), side);
}

/* Records every message; answers those with a "req" member with a copy. */
static void
on_socket_message (AnySocket *socket,
                   AnyPacket *packet,
                   gpointer   user_data)
{
  Side *side = user_data;
  JsonNode *msg = any_packet_get_msg (packet);
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (side->messages, json_node_ref (msg));
  if (msg_member (msg, "req") != NULL)
    {
      g_assert_true (any_packet_reply (packet, msg, &error));
      g_assert_no_error (error);
    }
}

static void
on_socket_e2e (AnySocket *socket,
               AnyPeer   *peer,
               gpointer   user_data)
{
  Side *side = user_data;

  if (!is_pair_link (side, peer))
    return;
  g_assert_true (peer == side->peer);
  /* After the peer's own signal. */
  g_assert_cmpuint (side->peer_e2e, ==, side->socket_e2e + 1);
  side->socket_e2e++;
}

static void
on_socket_disconnected (AnySocket  *socket,
                        AnyPeer    *peer,
                        const char *reason,
                        gpointer    user_data)
{
  Side *side = user_data;

  if (!is_pair_link (side, peer))
    return;
  g_assert_true (peer == side->peer);
  g_assert_null (side->socket_reason);
  side->socket_reason = g_strdup (reason);
}

static gboolean
on_verify_peer (AnySocket  *socket,
                AnyPeer    *peer,
                const char *fingerprint,
                gpointer    user_data)
{
  Side *side = user_data;

  if (!is_pair_link (side, peer))
    return TRUE;
  /* A pinned id's link proves its key before it is connected. */
  g_assert_true (peer == side->peer || side->peer == NULL);
  assert_fingerprint_format (fingerprint);
  g_ptr_array_add (side->verified, g_strdup (fingerprint));
  if (side->refuse_all)
    return FALSE;
  if (side->accept_only != NULL)
    return g_str_equal (fingerprint, side->accept_only);
  return TRUE;
}

static void
side_init (Pair       *pair,
           Side       *side,
           const char *name)
{
  side->pair = pair;
  side->name = name;
  side->socket = any_socket_new ();
  /* No heartbeats unless a test asks: the relay's attacks count frames. */
  any_socket_set_heartbeat_interval (side->socket, 0);
  side->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  side->verified = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (side->socket, "connected", G_CALLBACK (on_socket_connected), side);
  g_signal_connect (side->socket, "message", G_CALLBACK (on_socket_message), side);
  g_signal_connect (side->socket, "e2e", G_CALLBACK (on_socket_e2e), side);
  g_signal_connect (side->socket, "disconnected", G_CALLBACK (on_socket_disconnected), side);
  g_signal_connect (side->socket, "verify-peer", G_CALLBACK (on_verify_peer), side);
}

/* Forgets the link (not the socket), for a reconnection. */
void
side_reset (Side *side)
{
  if (side->peer != NULL)
    {
      g_signal_handlers_disconnect_by_data (side->peer, side);
      g_clear_object (&side->peer);
    }
  g_ptr_array_set_size (side->messages, 0);
  g_ptr_array_set_size (side->verified, 0);
  side->peer_e2e = side->socket_e2e = side->heartbeats = 0;
  side->mode_at_e2e = ANY_E2E_MODE_NONE;
  g_clear_pointer (&side->peer_reason, g_free);
  g_clear_pointer (&side->socket_reason, g_free);
}

static void
side_clear (Side *side)
{
  side_reset (side);
  g_signal_handlers_disconnect_by_data (side->socket, side);
  g_clear_object (&side->socket);
  g_ptr_array_unref (side->messages);
  g_ptr_array_unref (side->verified);
  g_free (side->accept_only);
}

Side *
other_side (Side *side)
{
  return side == &side->pair->server ? &side->pair->client : &side->pair->server;
}

Pair *
pair_new (void)
{
  Pair *pair = g_new0 (Pair, 1);

  side_init (pair, &pair->server, "server");
  side_init (pair, &pair->client, "client");
  pair->port = listen_local (pair->server.socket);
  return pair;
}

/* Connects the client to the server, directly or through a new relay. */
void
pair_connect (Pair     *pair,
              gboolean  via_relay)
{
  AsyncResult r = { 0 };
  g_autofree char *uri = NULL;
  guint port = pair->port;

  /* A test may have made (and configured) the relay already. */
  if (via_relay)
    {
      if (pair->relay == NULL)
        pair->relay = relay_new (pair->port);
      port = pair->relay->port;
    }
  uri = g_strdup_printf ("ws://127.0.0.1:%u", port);
  any_socket_connect_async (pair->client.socket, uri, NULL, on_connected, &r);
  WAIT_UNTIL (r.done);
  g_assert_no_error (r.error);
  g_assert_true (r.peer == pair->client.peer);
  g_object_unref (r.peer);
  WAIT_UNTIL (pair->server.peer != NULL);
  g_assert_cmpstr (any_peer_get_id (pair->client.peer), ==, any_socket_get_id (pair->server.socket));
  g_assert_cmpstr (any_peer_get_id (pair->server.peer), ==, any_socket_get_id (pair->client.socket));
  /* A pinned id's link is connected once it proved the key. */
  if (any_socket_get_pinned_fingerprint (pair->client.socket, any_socket_get_id (pair->server.socket)) ||
      any_socket_get_pinned_fingerprint (pair->server.socket, any_socket_get_id (pair->client.socket)))
    return;
  g_assert_cmpint (any_peer_get_e2e_mode (pair->client.peer), ==, ANY_E2E_MODE_NONE);
  g_assert_cmpint (any_peer_get_e2e_mode (pair->server.peer), ==, ANY_E2E_MODE_NONE);
  g_assert_null (any_peer_dup_remote_fingerprint (pair->client.peer));
}

/* Closes the link (if still up), waits until both ends know, and makes a
 * new direct one. */
void
pair_reconnect (Pair *pair)
{
  if (any_peer_is_connected (pair->client.peer))
    any_peer_disconnect (pair->client.peer, "reconnecting");
  WAIT_UNTIL (pair->client.socket_reason != NULL && pair->server.socket_reason != NULL);
  side_reset (&pair->client);
  side_reset (&pair->server);
  pair_connect (pair, FALSE);
}

void
pair_free (Pair *pair)
{
  any_socket_stop (pair->client.socket);
  any_socket_stop (pair->server.socket);
  drain ();
  if (pair->relay != NULL)
    relay_free (pair->relay);
  side_clear (&pair->client);
  side_clear (&pair->server);
  drain ();
  g_free (pair);
}

/* Messages and requests */

void
send_json_node (Side     *from,
                JsonNode *msg)
{
  send_local (from->peer, msg);
}

void
send_numbered (Side *from,
               guint n)
{
  g_autoptr(JsonNode) msg = json_printf ("{\"from\":\"%s\",\"n\":%u}", from->name, n);

  send_json_node (from, msg);
}

/* @messages: JsonNode */
guint
count_from_messages (GPtrArray  *messages,
                     const char *from)
{
  guint count = 0;

  for (guint i = 0; i < messages->len; i++)
    if (g_strcmp0 (msg_string (g_ptr_array_index (messages, i), "from"), from) == 0)
      count++;
  return count;
}

guint
count_from (Side       *receiver,
            const char *from)
{
  return count_from_messages (receiver->messages, from);
}

/* The numbered messages from @from arrived once each, in order. */
void
check_numbered (Side       *receiver,
                const char *from,
                guint       count)
{
  gint64 expected = 0;

  for (guint i = 0; i < receiver->messages->len; i++)
    {
      JsonNode *msg = g_ptr_array_index (receiver->messages, i);

      if (g_strcmp0 (msg_string (msg, "from"), from) != 0)
        continue;
      g_assert_cmpint (msg_int (msg, "n"), ==, expected);
      expected++;
    }
  g_assert_cmpint (expected, ==, count);
}

static void
on_request_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Request *request = user_data;

  request->reply = any_peer_request_finish (ANY_PEER (source), result, &request->error);
  request->done = TRUE;
}

static void
request_clear (Request *request)
{
  g_clear_object (&request->reply);
  g_clear_error (&request->error);
}

/* @count requests in flight at once from @from, each answered with a
 * copy of itself. */
void
requests_in_flight (Side *from,
                    guint count)
{
  g_autofree Request *requests = g_new0 (Request, count);
  gboolean all_done;

  for (guint i = 0; i < count; i++)
    {
      g_autoptr(JsonNode) msg = json_printf ("{\"req\":%u,\"side\":\"%s\",\"m\":\"" MARKER "\","
                                             "\"pad\":\"%0*u\"}",
                                             i, from->name, (int) (i * 37 % 500) + 1, i);

      any_peer_request_async (from->peer, msg, WAIT_MS, NULL, on_request_done, &requests[i]);
    }
  do
    {
      all_done = TRUE;
      for (guint i = 0; i < count; i++)
        all_done = all_done && requests[i].done;
      if (!all_done && !g_main_context_iteration (NULL, FALSE))
        g_usleep (200);
    }
  while (!all_done);
  for (guint i = 0; i < count; i++)
    {
      JsonNode *reply;

      g_assert_no_error (requests[i].error);
      g_assert_true (any_packet_is_reply (requests[i].reply));
      reply = any_packet_get_msg (requests[i].reply);
      g_assert_cmpint (msg_int (reply, "req"), ==, i);
      g_assert_cmpstr (msg_string (reply, "side"), ==, from->name);
      request_clear (&requests[i]);
    }
}

/* One request and its reply: everything sent before it has arrived. */
void
roundtrip (Side *from)
{
  requests_in_flight (from, 1);
}

/* Switches the link (initiated by @initiator) and waits for both ends. */
void
establish_native (Pair *pair,
                  Side *initiator)
{
  g_autofree char *client_fp = NULL;
  g_autofree char *server_fp = NULL;
  g_autofree char *client_remote = NULL;
  g_autofree char *server_remote = NULL;

  any_peer_e2e (initiator->peer);
  WAIT_UNTIL ((pair->client.socket_e2e == 1 && pair->server.socket_e2e == 1) ||
              pair->client.peer_reason != NULL || pair->server.peer_reason != NULL);
  g_assert_null (pair->client.peer_reason);
  g_assert_null (pair->server.peer_reason);
  g_assert_cmpuint (pair->client.peer_e2e, ==, 1);
  g_assert_cmpuint (pair->server.peer_e2e, ==, 1);
  g_assert_cmpint (pair->client.mode_at_e2e, ==, ANY_E2E_MODE_NATIVE);
  g_assert_cmpint (pair->server.mode_at_e2e, ==, ANY_E2E_MODE_NATIVE);
  g_assert_cmpint (any_peer_get_e2e_mode (pair->client.peer), ==, ANY_E2E_MODE_NATIVE);
  g_assert_cmpint (any_peer_get_e2e_mode (pair->server.peer), ==, ANY_E2E_MODE_NATIVE);

  /* Each end sees the key the other end holds. */
  client_fp = any_socket_dup_fingerprint (pair->client.socket);
  server_fp = any_socket_dup_fingerprint (pair->server.socket);
  client_remote = any_peer_dup_remote_fingerprint (pair->server.peer);
  server_remote = any_peer_dup_remote_fingerprint (pair->client.peer);
  assert_fingerprint_format (client_fp);
  assert_fingerprint_format (server_fp);
  g_assert_cmpstr (client_fp, !=, server_fp);
  g_assert_cmpstr (client_remote, ==, client_fp);
  g_assert_cmpstr (server_remote, ==, server_fp);
}

/* A JSON message of at least @bytes bytes whose "big" member mixes
 * 3-byte characters (one chunk holds 3 bytes per UTF-16 unit: the
 * largest encrypted frames), ASCII and 4-byte characters (surrogate
 * pairs, which chunk boundaries must not cut). */
char *
big_text (gsize bytes)
{
  GString *text = g_string_sized_new (bytes + 8);
  guint i = 0;

  while (text->len < bytes / 3)
    g_string_append (text, "\xe2\x82\xac");   /* U+20AC */
  while (text->len < bytes)
    {
      if (i % 997 == 996)
        g_string_append (text, "\xf0\x9f\x98\x80");   /* U+1F600 */
      else
        g_string_append_c (text, 'a' + i % 26);
      i++;
    }
  return g_string_free (text, FALSE);
}

void
send_big (Side       *from,
          const char *text)
{
  g_autoptr(JsonNode) msg = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonObject) object = json_object_new ();

  json_object_set_string_member (object, "big", text);
  json_object_set_string_member (object, "from", from->name);
  json_node_set_object (msg, object);
  send_json_node (from, msg);
}

JsonNode *
last_message (Side *side)
{
  g_assert_cmpuint (side->messages->len, >, 0);
  return g_ptr_array_index (side->messages, side->messages->len - 1);
}
