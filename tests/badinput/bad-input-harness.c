/* bad-input-harness.c: the server under attack, with the healthy client
 * and the raw clients of the bad-input cases
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "bad-input.h"
#include "ws-frame.h"

static gboolean
on_tick (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* A JSON string literal of exactly @len bytes ("aaa...a"). */
char *
json_string_of_size (gsize len)
{
  char *text = g_malloc (len + 1);

  g_assert (len >= 2);
  memset (text, 'a', len);
  text[0] = '"';
  text[len - 1] = '"';
  text[len] = '\0';
  return text;
}

/* The raw clients */

RawClient *
raw_connect (Fixture *fx)
{
  RawClient *raw = raw_client_connect (fx->uri);

  fx->raws = g_list_prepend (fx->raws, raw);
  return raw;
}

/* Server side bookkeeping */

gboolean
server_log_index (Fixture    *fx,
                  const char *line,
                  guint      *index)
{
  for (guint i = 0; i < fx->log->len; i++)
    if (g_str_equal (g_ptr_array_index (fx->log, i), line))
      {
        if (index != NULL)
          *index = i;
        return TRUE;
      }
  return FALSE;
}

static gboolean
server_saw_connected (Fixture    *fx,
                      const char *id)
{
  g_autofree char *line = g_strdup_printf ("connected %s", id);

  return server_log_index (fx, line, NULL);
}

static void
on_server_connected (AnySocket *socket,
                     AnyPeer   *peer,
                     gpointer   user_data)
{
  Fixture *fx = user_data;

  if (g_strcmp0 (fx->measure_id, any_peer_get_id (peer)) == 0)
    {
      fx->heap_at_connected = memory_heap_bytes ();
      fx->rss_at_connected = memory_rss_bytes ();
    }
  g_ptr_array_add (fx->log, g_strdup_printf ("connected %s", any_peer_get_id (peer)));
}

static void
on_server_disconnected (AnySocket  *socket,
                        AnyPeer    *peer,
                        const char *reason,
                        gpointer    user_data)
{
  Fixture *fx = user_data;
  const char *id = any_peer_get_id (peer);

  g_ptr_array_add (fx->log, g_strdup_printf ("disconnected %s %s", id, reason));
  g_hash_table_replace (fx->disconnect_reasons, g_strdup (id), g_strdup (reason));
}

/* {"echo": @msg}, or {"length": N} for a string over 1 KiB: an echo
 * would not fit the limit. */
JsonNode *
echo_reply_new (JsonNode *msg)
{
  JsonNode *reply = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();

  if (json_node_get_node_type (msg) == JSON_NODE_VALUE &&
      json_node_get_value_type (msg) == G_TYPE_STRING &&
      strlen (json_node_get_string (msg)) > 1024)
    json_object_set_int_member (object, "length", strlen (json_node_get_string (msg)));
  else
    json_object_set_member (object, "echo", json_node_copy (msg));
  json_node_take_object (reply, object);
  return reply;
}

/* Every message gets {"echo": message} back. */
static void
on_server_message (AnySocket *socket,
                   AnyPacket *packet,
                   gpointer   user_data)
{
  Fixture *fx = user_data;
  AnyPeer *peer = any_packet_get_peer (packet);
  JsonNode *msg = any_packet_get_msg (packet);
  g_autoptr(JsonNode) reply = echo_reply_new (msg);
  g_autoptr(GError) error = NULL;

  if (fx->healthy != NULL && g_strcmp0 (any_peer_get_id (peer), fx->healthy->id) == 0)
    {
      fx->server_healthy_messages++;
    }
  else if (fx->count_raw_only)
    {
      fx->raw_message_count++;
    }
  else
    {
      g_autofree char *text = json_to_string (msg, FALSE);

      if (strlen (text) > 1024)
        text[1024] = '\0';
      g_ptr_array_add (fx->log, g_strdup_printf ("message %s %s", any_peer_get_id (peer), text));
      g_ptr_array_add (fx->raw_messages, g_steal_pointer (&text));
    }

  if (!any_packet_reply (packet, reply, &error))
    g_test_message ("server could not reply: %s", error->message);
}
/* Fixture */

void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  HealthyClient *healthy;

  fx->ticker = g_timeout_add (10, on_tick, NULL);
  fx->log = g_ptr_array_new_with_free_func (g_free);
  fx->disconnect_reasons = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  fx->raw_messages = g_ptr_array_new_with_free_func (g_free);

  fx->server = any_socket_new ();
  any_socket_set_max_message_size (fx->server, MAX_MESSAGE_SIZE);
  any_socket_set_max_partial_messages (fx->server, MAX_PARTIALS);
  any_socket_set_heartbeat_interval (fx->server, HEARTBEAT_MS);
  if (g_str_has_prefix (g_test_get_path (), "/badinput/http/"))
    any_socket_set_auth_timeout (fx->server, HTTP_AUTH_TIMEOUT);
  g_signal_connect (fx->server, "connected", G_CALLBACK (on_server_connected), fx);
  g_signal_connect (fx->server, "disconnected", G_CALLBACK (on_server_disconnected), fx);
  g_signal_connect (fx->server, "message", G_CALLBACK (on_server_message), fx);
  fx->port = listen_local (fx->server);
  fx->uri = g_strdup_printf ("ws://127.0.0.1:%u/", fx->port);

  healthy = fx->healthy = healthy_client_new (HEARTBEAT_MS);
  healthy_client_connect (healthy, fx->uri);
  WAIT_FOR (server_saw_connected (fx, healthy->id), WAIT_MS);
  g_assert_true (server_saw_connected (fx, healthy->id));

  healthy_client_pump (healthy, TRUE);
  WAIT_FOR (healthy->replied >= 8, WAIT_MS);
  g_assert_cmpuint (healthy->replied, >=, 8);
  fx->replied_at_start = healthy->replied;
  healthy->slowest_reply_us = 0;
}

void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  HealthyClient *healthy = fx->healthy;
  g_autoptr(GList) peers = NULL;
  guint replied_after_abuse;

  /* The healthy client kept talking during the case... */
  g_assert_cmpuint (healthy->replied, >, fx->replied_at_start);

  g_list_free_full (g_steal_pointer (&fx->raws), (GDestroyNotify) raw_client_free);

  /* ...and still does after it. */
  replied_after_abuse = healthy->replied;
  WAIT_FOR (healthy->replied >= replied_after_abuse + 8 || healthy->failed > 0, WAIT_MS);
  g_assert_cmpuint (healthy->replied, >=, replied_after_abuse + 8);

  /* It lost nothing. */
  healthy_client_pump (healthy, FALSE);
  WAIT_FOR (healthy->in_flight == 0, WAIT_MS * 2);
  g_assert_cmpuint (healthy->in_flight, ==, 0);
  g_assert_cmpuint (healthy->failed, ==, 0);
  g_assert_cmpuint (healthy->mismatched, ==, 0);
  g_assert_cmpuint (healthy->replied, ==, healthy->sent);
  g_assert_cmpuint (fx->server_healthy_messages, ==, healthy->sent);
  g_assert_null (healthy->disconnect_reason);
  g_assert_false (g_hash_table_contains (fx->disconnect_reasons, healthy->id));
  g_assert_true (any_peer_is_connected (healthy->peer));

  /* The server is left with the healthy peer only. */
  peers = any_socket_get_peers (fx->server);
  g_assert_cmpuint (g_list_length (peers), ==, 1);
  g_assert_nonnull (any_socket_get_peer (fx->server, healthy->id));

  g_test_message ("healthy client: %u requests, %u replies (%u during the case)",
                  healthy->sent, healthy->replied, replied_after_abuse - fx->replied_at_start);

  any_socket_stop (healthy->socket);
  WAIT_FOR (g_hash_table_contains (fx->disconnect_reasons, healthy->id), WAIT_MS);
  any_socket_stop (fx->server);
  iterate_for (20);
  g_clear_pointer (&fx->healthy, healthy_client_free);
  g_clear_object (&fx->server);
  iterate_for (20);

  g_free (fx->uri);
  g_ptr_array_unref (fx->log);
  g_ptr_array_unref (fx->raw_messages);
  g_hash_table_unref (fx->disconnect_reasons);
  g_source_remove (fx->ticker);
}

/* Assertions on the raw link */

gboolean
raw_auth (Fixture   *fx,
          RawClient *raw)
{
  return raw_auth_with_caps (fx, raw, NULL);
}

/* @caps_json: the AUTH's "caps" member, NULL for none. */
gboolean
raw_auth_with_caps (Fixture    *fx,
                    RawClient  *raw,
                    const char *caps_json)
{
  g_autofree char *body = caps_json != NULL ? g_strdup_printf ("{\"id\":\"%s\",\"caps\":%s}", raw->id, caps_json)
                                            : g_strdup_printf ("{\"id\":\"%s\"}", raw->id);
  g_autoptr(JsonNode) node = NULL;
  RawFrame *frame;

  g_assert_true (raw_send (raw, LAST, T_AUTH, 1, body));
  WAIT_FOR (raw_find_type (raw, T_AUTH, NULL) != NULL || raw->closed, WAIT_MS);
  frame = raw_find_type (raw, T_AUTH, NULL);
  g_assert_nonnull (frame);
  if (frame == NULL)
    return FALSE;
  g_assert_cmpint (frame->seq, ==, 1);
  node = json_or_null (frame->body);
  g_assert_true (node != NULL && JSON_NODE_HOLDS_OBJECT (node));
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  g_assert_cmpstr (json_object_get_string_member_with_default (json_node_get_object (node), "id", NULL),
                   ==, any_socket_get_id (fx->server));
  WAIT_FOR (server_saw_connected (fx, raw->id), WAIT_MS);
  g_assert_true (server_saw_connected (fx, raw->id));
  raw->authenticated = TRUE;
  return TRUE;
}

/* The server closed the raw link with a close frame (1000) whose reason
 * starts with @reason, and told its application the same. */
void
raw_expect_close (Fixture    *fx,
                  RawClient  *raw,
                  const char *reason)
{
  g_autofree char *disconnect_line = NULL;

  WAIT_FOR (raw->closed, WAIT_MS);
  g_assert_true (raw->closed);
  if (!raw->closed)
    return;
  g_test_message ("server closed the raw link: code %u, reason '%s'",
                  raw->close_code, raw->close_reason ? raw->close_reason : "(none)");
  g_assert_cmpuint (raw->close_code, ==, SOUP_WEBSOCKET_CLOSE_NORMAL);
  assert_prefix (raw->close_reason, reason);

  if (raw->authenticated)
    {
      const char *server_reason;

      WAIT_FOR (g_hash_table_contains (fx->disconnect_reasons, raw->id), WAIT_MS);
      server_reason = g_hash_table_lookup (fx->disconnect_reasons, raw->id);
      assert_prefix (server_reason, reason);
      g_assert_null (any_socket_get_peer (fx->server, raw->id));
    }
  else
    {
      /* The application never saw a link that did not authenticate. */
      iterate_for (20);
      g_assert_false (server_saw_connected (fx, raw->id));
      g_assert_false (g_hash_table_contains (fx->disconnect_reasons, raw->id));
    }
}

/* The raw link is up: a request still gets its reply. */
void
raw_expect_alive (Fixture   *fx,
                  RawClient *raw)
{
  gint32 seq = raw->next_seq++;
  g_autofree char *body = g_strdup_printf ("{\"alive\":%d}", seq);
  g_autofree char *expected = g_strdup_printf ("{\"echo\":{\"alive\":%d}}", seq);
  RawFrame *frame;

  g_assert_true (raw_send (raw, LAST, T_LINK, seq, body));
  frame = raw_wait (raw, T_LINK, -seq);
  g_assert_nonnull (frame);
  g_assert_false (raw->closed);
  if (frame != NULL)
    g_assert_cmpstr (frame->body, ==, expected);
  if (raw->authenticated)
    {
      AnyPeer *peer = any_socket_get_peer (fx->server, raw->id);

      g_assert_nonnull (peer);
      g_assert_true (peer != NULL && any_peer_is_connected (peer));
    }
}

/* The bare client */

gboolean
bare_write (GSocket      *socket,
            const guint8 *data,
            gsize         len)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_MS * 1000;

  while (len > 0 && g_get_monotonic_time () < deadline)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_send (socket, (const char *) data, len, NULL, &error);

      if (n < 0 && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return FALSE;
      if (n > 0)
        {
          data += n;
          len -= n;
        }
      else
        g_main_context_iteration (NULL, FALSE);
    }
  return len == 0;
}

void
bare_frame_append (GByteArray   *out,
                   gboolean      fin,
                   guint8        opcode,
                   const guint8 *payload,
                   gsize         len)
{
  ws_frame_append (out, (fin ? 0x80 : 0) | opcode, TRUE, payload, len);
}

/* One text frame holding one chunk. */
gboolean
bare_send_chunk (GSocket    *socket,
                 char        type,
                 gint32      seq,
                 const char *body)
{
  g_autoptr(GBytes) chunk = chunk_new (LAST, type, seq, body, strlen (body));
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  gsize len;
  const guint8 *data = g_bytes_get_data (chunk, &len);

  bare_frame_append (frame, TRUE, 0x1, data, len);
  return bare_write (socket, frame->data, frame->len);
}

GSocketConnection *
bare_connect (Fixture *fx)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) response = g_string_new (NULL);
  g_autofree char *upgrade = NULL;
  GSocketConnection *connection;
  GSocket *socket;
  guint port = fx->port;

  g_socket_client_set_enable_proxy (client, FALSE);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);
  socket = g_socket_connection_get_socket (connection);
  g_socket_set_blocking (socket, FALSE);
  upgrade = g_strdup_printf ("GET / HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nUpgrade: websocket\r\n"
                             "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                             "Sec-WebSocket-Version: 13\r\n\r\n", port);
  g_assert_true (bare_write (socket, (const guint8 *) upgrade, strlen (upgrade)));
  /* One byte at a time: nothing after the answer's head is taken. */
  WAIT_FOR (({ char c; gssize n = g_socket_receive (socket, &c, 1, NULL, NULL);
               if (n > 0) g_string_append_c (response, c);
               strstr (response->str, "\r\n\r\n") != NULL; }), WAIT_MS);
  g_assert_true (g_str_has_prefix (response->str, "HTTP/1.1 101"));
  return connection;
}
