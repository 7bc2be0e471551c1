/* bad-input-harness.c: the server under attack, the healthy client and
 * the raw WebSocket client of the bad-input cases
 *
 * SPDX-License-Identifier: MIT
 */
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bad-input.h"
#include "ws-frame.h"

/* Helpers */

static gboolean
on_tick (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
}

/* Runs what is ready now, for at most a few milliseconds (the healthy
 * client always has something ready). */
static void
drain (void)
{
  gint64 end = g_get_monotonic_time () + 3000;

  for (guint i = 0; i < 200 && g_get_monotonic_time () < end; i++)
    if (!g_main_context_iteration (NULL, FALSE))
      break;
}

static gsize
rss_bytes (void)
{
  g_autofree char *text = NULL;
  unsigned long size = 0, resident = 0;

  if (!g_file_get_contents ("/proc/self/statm", &text, NULL, NULL) ||
      sscanf (text, "%lu %lu", &size, &resident) != 2)
    return 0;
  return (gsize) resident * (gsize) sysconf (_SC_PAGESIZE);
}

/* Bytes of heap in use (glibc), 0 when not known (for example under
 * valgrind, which replaces malloc). More precise than RSS, which keeps
 * freed memory. */
static gsize
heap_bytes (void)
{
  struct mallinfo2 info = mallinfo2 ();

  return info.uordblks + info.hblkhd;
}

/* Under valgrind (which replaces malloc: glibc then knows of no heap in
 * use) everything runs some 30 times slower: timings are not the point. */
gboolean
running_slow (void)
{
  return heap_bytes () == 0;
}

static char *
node_to_string (JsonNode *node)
{
  return json_to_string (node, FALSE);
}

JsonNode *
parse_json (const char *text)
{
  return json_from_string (text, NULL);
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

/* Frames, built as bytes (PROTOCOL.md 2) */

void
append_byte_code_point (GByteArray *out,
                        guint8      byte)
{
  if (byte < 0x80)
    {
      g_byte_array_append (out, &byte, 1);
    }
  else
    {
      guint8 two[2] = { 0xC0 | (byte >> 6), 0x80 | (byte & 0x3F) };

      g_byte_array_append (out, two, 2);
    }
}

GBytes *
chunk_new (char        flag,
           char        type,
           gint32      seq,
           const char *body,
           gsize       body_len)
{
  GByteArray *out = g_byte_array_sized_new (body_len + 10);
  guint32 useq = (guint32) seq;
  guint8 head[2] = { (guint8) flag, (guint8) type };

  g_byte_array_append (out, head, 2);
  for (int shift = 24; shift >= 0; shift -= 8)
    append_byte_code_point (out, (useq >> shift) & 0xFF);
  if (body_len > 0)
    g_byte_array_append (out, (const guint8 *) body, body_len);
  return g_byte_array_free_to_bytes (out);
}

RawFrame *
raw_frame_decode (SoupWebsocketDataType  type,
                  GBytes                *message)
{
  RawFrame *frame = g_new0 (RawFrame, 1);
  gsize len, pos = 2;
  const guint8 *data = g_bytes_get_data (message, &len);
  guint32 seq = 0;

  frame->binary = type != SOUP_WEBSOCKET_DATA_TEXT;
  frame->valid = len >= 6;
  if (len >= 2)
    {
      frame->flag = (char) data[0];
      frame->type = (char) data[1];
    }
  for (guint i = 0; i < 4 && frame->valid; i++)
    {
      if (pos < len && data[pos] < 0x80)
        {
          seq = (seq << 8) | data[pos];
          pos += 1;
        }
      else if (pos + 1 < len && (data[pos] == 0xC2 || data[pos] == 0xC3))
        {
          seq = (seq << 8) | (((data[pos] & 0x03) << 6) | (data[pos + 1] & 0x3F));
          pos += 2;
        }
      else
        {
          frame->valid = FALSE;
        }
    }
  frame->seq = (gint32) seq;
  if (!frame->valid)
    pos = MIN (len, 2);
  frame->body_len = len - pos;
  frame->body = g_malloc (frame->body_len + 1);
  memcpy (frame->body, data + pos, frame->body_len);
  frame->body[frame->body_len] = '\0';
  return frame;
}

static void
raw_frame_free (gpointer data)
{
  RawFrame *frame = data;

  g_free (frame->body);
  g_free (frame);
}

/* The raw client */

gboolean
raw_is_open (RawClient *raw)
{
  return raw->conn != NULL && !raw->closed &&
         soup_websocket_connection_get_state (raw->conn) == SOUP_WEBSOCKET_STATE_OPEN;
}

/* Takes @bytes. */
gboolean
raw_send_bytes (RawClient *raw,
                GBytes    *bytes,
                gboolean   binary)
{
  gboolean open = raw_is_open (raw);

  if (open)
    soup_websocket_connection_send_message (raw->conn,
                                            binary ? SOUP_WEBSOCKET_DATA_BINARY : SOUP_WEBSOCKET_DATA_TEXT,
                                            bytes);
  g_bytes_unref (bytes);
  return open;
}

gboolean
raw_send_len (RawClient  *raw,
              char        flag,
              char        type,
              gint32      seq,
              const char *body,
              gsize       body_len)
{
  return raw_send_bytes (raw, chunk_new (flag, type, seq, body, body_len), FALSE);
}

gboolean
raw_send (RawClient  *raw,
          char        flag,
          char        type,
          gint32      seq,
          const char *body)
{
  return raw_send_len (raw, flag, type, seq, body, strlen (body));
}

static void
on_raw_message (SoupWebsocketConnection *conn,
                gint                     type,
                GBytes                  *message,
                gpointer                 user_data)
{
  RawClient *raw = user_data;
  RawFrame *frame = raw_frame_decode (type, message);

  g_ptr_array_add (raw->frames, frame);

  /* Answer the server's heartbeat like any client would. */
  if (frame->valid && frame->type == T_HEARTBEAT && frame->seq > 0 && g_str_equal (frame->body, "1"))
    raw_send (raw, LAST, T_HEARTBEAT, raw->pong_seq++, "2");
}

static void
on_raw_closed (SoupWebsocketConnection *conn,
               gpointer                 user_data)
{
  RawClient *raw = user_data;

  raw->closed = TRUE;
  raw->closed_at = g_get_monotonic_time ();
  raw->close_code = soup_websocket_connection_get_close_code (conn);
  raw->close_reason = g_strdup (soup_websocket_connection_get_close_data (conn));
}

static void
on_raw_connected (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  RawClient *raw = user_data;

  raw->conn = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &raw->connect_error);
  raw->connect_done = TRUE;
  if (raw->conn != NULL)
    {
      raw->connected_at = g_get_monotonic_time ();
      soup_websocket_connection_set_keepalive_interval (raw->conn, 0);
      g_signal_connect (raw->conn, "message", G_CALLBACK (on_raw_message), raw);
      g_signal_connect (raw->conn, "closed", G_CALLBACK (on_raw_closed), raw);
    }
}

RawClient *
raw_connect (Fixture *fx)
{
  RawClient *raw = g_new0 (RawClient, 1);
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, fx->uri);
  g_autofree char *uuid = g_uuid_string_random ();
  guint n = 0;

  raw->fx = fx;
  raw->frames = g_ptr_array_new_with_free_func (raw_frame_free);
  raw->next_seq = 2;   /* 1 is the AUTH */
  raw->pong_seq = RAW_PONG_SEQ_BASE;
  for (const char *p = uuid; *p != '\0' && n < 32; p++)
    if (*p != '-')
      raw->id[n++] = *p;
  raw->id[n] = '\0';
  fx->raws = g_list_prepend (fx->raws, raw);

  raw->cancellable = g_cancellable_new ();
  raw->session = soup_session_new ();
  soup_session_remove_feature_by_type (raw->session, SOUP_TYPE_WEBSOCKET_EXTENSION_MANAGER);
  soup_session_websocket_connect_async (raw->session, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        raw->cancellable, on_raw_connected, raw);
  WAIT_FOR (raw->connect_done, WAIT_MS);
  g_assert_true (raw->connect_done);
  g_assert_no_error (raw->connect_error);
  return raw;
}

static void
raw_free (RawClient *raw)
{
  if (!raw->connect_done)
    {
      g_cancellable_cancel (raw->cancellable);
      WAIT_FOR (raw->connect_done, WAIT_MS);
    }
  if (raw->conn != NULL)
    {
      if (!raw->closed && soup_websocket_connection_get_state (raw->conn) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (raw->conn, SOUP_WEBSOCKET_CLOSE_NORMAL, "test over");
      WAIT_FOR (raw->closed, WAIT_MS);
      g_signal_handlers_disconnect_by_data (raw->conn, raw);
      g_clear_object (&raw->conn);
    }
  g_clear_error (&raw->connect_error);
  g_clear_object (&raw->cancellable);
  g_clear_object (&raw->session);
  g_ptr_array_unref (raw->frames);
  g_free (raw->close_reason);
  g_free (raw);
}

RawFrame *
raw_find (RawClient *raw,
          char       type,
          gint32     seq)
{
  for (guint i = 0; i < raw->frames->len; i++)
    {
      RawFrame *frame = g_ptr_array_index (raw->frames, i);

      if (frame->valid && frame->type == type && frame->seq == seq)
        return frame;
    }
  return NULL;
}

RawFrame *
raw_find_type (RawClient  *raw,
               char        type,
               const char *body)
{
  for (guint i = 0; i < raw->frames->len; i++)
    {
      RawFrame *frame = g_ptr_array_index (raw->frames, i);

      if (frame->valid && frame->type == type && (body == NULL || g_str_equal (frame->body, body)))
        return frame;
    }
  return NULL;
}

int
raw_frame_index (RawClient *raw,
                 RawFrame  *frame)
{
  guint index;

  return frame != NULL && g_ptr_array_find (raw->frames, frame, &index) ? (int) index : -1;
}

RawFrame *
raw_wait (RawClient *raw,
          char       type,
          gint32     seq)
{
  WAIT_FOR (raw_find (raw, type, seq) != NULL || raw->closed, WAIT_MS);
  return raw_find (raw, type, seq);
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
      fx->heap_at_connected = heap_bytes ();
      fx->rss_at_connected = rss_bytes ();
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

/* Every message gets {"echo": message} back. */
static void
on_server_message (AnySocket *socket,
                   AnyPacket *packet,
                   gpointer   user_data)
{
  Fixture *fx = user_data;
  AnyPeer *peer = any_packet_get_peer (packet);
  JsonNode *msg = any_packet_get_msg (packet);
  g_autoptr(JsonNode) reply = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (any_peer_get_id (peer), fx->healthy_id) == 0)
    {
      fx->server_healthy_messages++;
    }
  else if (fx->count_raw_only)
    {
      fx->raw_message_count++;
    }
  else
    {
      g_autofree char *text = node_to_string (msg);

      if (strlen (text) > 1024)
        text[1024] = '\0';
      g_ptr_array_add (fx->log, g_strdup_printf ("message %s %s", any_peer_get_id (peer), text));
      g_ptr_array_add (fx->raw_messages, g_steal_pointer (&text));
    }

  /* Large messages get their size back: an echo would not fit the limit. */
  if (json_node_get_node_type (msg) == JSON_NODE_VALUE &&
      json_node_get_value_type (msg) == G_TYPE_STRING &&
      strlen (json_node_get_string (msg)) > 1024)
    json_object_set_int_member (object, "length", strlen (json_node_get_string (msg)));
  else
    json_object_set_member (object, "echo", json_node_copy (msg));
  json_node_take_object (reply, object);
  if (!any_packet_reply (packet, reply, &error))
    g_test_message ("server could not reply: %s", error->message);
}

/* The healthy client */

static void healthy_pump (Fixture *fx);

static void
on_healthy_reply (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  HealthyRequest *request = user_data;
  Fixture *fx = request->fx;
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPacket) reply = any_peer_request_finish (ANY_PEER (source), result, &error);

  fx->in_flight--;
  g_ptr_array_remove_fast (fx->in_flight_requests, request);
  fx->slowest_reply_us = MAX (fx->slowest_reply_us, g_get_monotonic_time () - request->sent_at);
  if (reply == NULL)
    {
      g_test_message ("healthy request %u failed: %s", request->n, error->message);
      fx->failed++;
    }
  else
    {
      JsonNode *msg = any_packet_get_msg (reply);
      JsonObject *object = JSON_NODE_HOLDS_OBJECT (msg) ? json_node_get_object (msg) : NULL;
      JsonNode *echo = object ? json_object_get_member (object, "echo") : NULL;

      if (echo != NULL && JSON_NODE_HOLDS_OBJECT (echo) &&
          json_object_get_int_member_with_default (json_node_get_object (echo), "n", -1) == request->n)
        {
          fx->replied++;
        }
      else
        {
          g_autofree char *text = node_to_string (msg);

          g_test_message ("healthy request %u got a wrong reply: %s", request->n, text);
          fx->mismatched++;
        }
    }
  g_free (request);
  healthy_pump (fx);
}

static void
healthy_pump (Fixture *fx)
{
  while (fx->pumping && fx->in_flight < HEALTHY_IN_FLIGHT && any_peer_is_connected (fx->healthy_peer))
    {
      g_autoptr(JsonNode) msg = json_node_new (JSON_NODE_OBJECT);
      JsonObject *object = json_object_new ();
      HealthyRequest *request = g_new0 (HealthyRequest, 1);

      request->fx = fx;
      request->n = fx->sent++;
      request->sent_at = g_get_monotonic_time ();
      g_ptr_array_add (fx->in_flight_requests, request);
      json_object_set_int_member (object, "n", request->n);
      if (request->n % HEALTHY_PAD_EVERY == 0)
        {
          g_autofree char *pad = g_strnfill (HEALTHY_PAD_BYTES, 'h');

          json_object_set_string_member (object, "pad", pad);
        }
      json_node_take_object (msg, object);
      fx->in_flight++;
      any_peer_request_async (fx->healthy_peer, msg, WAIT_MS * 2, NULL, on_healthy_reply, request);
    }
}

/* The longest the healthy client waited for a reply since the case
 * started, counting the requests still waiting. */
gint64
healthy_slowest_reply_us (Fixture *fx)
{
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; i < fx->in_flight_requests->len; i++)
    {
      HealthyRequest *request = g_ptr_array_index (fx->in_flight_requests, i);

      fx->slowest_reply_us = MAX (fx->slowest_reply_us, now - request->sent_at);
    }
  return fx->slowest_reply_us;
}

static void
on_healthy_disconnected (AnySocket  *socket,
                         AnyPeer    *peer,
                         const char *reason,
                         gpointer    user_data)
{
  Fixture *fx = user_data;

  if (fx->healthy_disconnect_reason == NULL)
    fx->healthy_disconnect_reason = g_strdup (reason);
}

static void
on_healthy_connected (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  Fixture *fx = user_data;

  fx->healthy_peer = any_socket_connect_finish (ANY_SOCKET (source), result, &fx->healthy_connect_error);
  fx->healthy_connect_done = TRUE;
}

static void
on_listening (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  guint *port = user_data;
  g_autoptr(GError) error = NULL;

  *port = any_socket_listen_finish (ANY_SOCKET (source), result, &error);
  g_assert_no_error (error);
}

/* Fixture */

void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  guint port = 0;

  fx->ticker = g_timeout_add (10, on_tick, NULL);
  fx->log = g_ptr_array_new_with_free_func (g_free);
  fx->disconnect_reasons = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  fx->raw_messages = g_ptr_array_new_with_free_func (g_free);
  fx->in_flight_requests = g_ptr_array_new ();

  fx->server = any_socket_new ();
  any_socket_set_max_message_size (fx->server, MAX_MESSAGE_SIZE);
  any_socket_set_max_partial_messages (fx->server, MAX_PARTIALS);
  any_socket_set_heartbeat_interval (fx->server, HEARTBEAT_MS);
  g_signal_connect (fx->server, "connected", G_CALLBACK (on_server_connected), fx);
  g_signal_connect (fx->server, "disconnected", G_CALLBACK (on_server_disconnected), fx);
  g_signal_connect (fx->server, "message", G_CALLBACK (on_server_message), fx);
  any_socket_listen_async (fx->server, "ws://127.0.0.1:0", NULL, on_listening, &port);
  WAIT_FOR (port != 0, WAIT_MS);
  g_assert_cmpuint (port, !=, 0);
  fx->uri = g_strdup_printf ("ws://127.0.0.1:%u/", port);

  fx->healthy = any_socket_new ();
  fx->healthy_id = g_strdup (any_socket_get_id (fx->healthy));
  any_socket_set_heartbeat_interval (fx->healthy, HEARTBEAT_MS);
  g_signal_connect (fx->healthy, "disconnected", G_CALLBACK (on_healthy_disconnected), fx);
  any_socket_connect_async (fx->healthy, fx->uri, NULL, on_healthy_connected, fx);
  WAIT_FOR (fx->healthy_connect_done, WAIT_MS);
  g_assert_no_error (fx->healthy_connect_error);
  g_assert_nonnull (fx->healthy_peer);
  WAIT_FOR (server_saw_connected (fx, fx->healthy_id), WAIT_MS);
  g_assert_true (server_saw_connected (fx, fx->healthy_id));

  fx->pumping = TRUE;
  healthy_pump (fx);
  WAIT_FOR (fx->replied >= 8, WAIT_MS);
  g_assert_cmpuint (fx->replied, >=, 8);
  fx->replied_at_start = fx->replied;
  fx->slowest_reply_us = 0;
}

void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(GList) peers = NULL;
  guint replied_after_abuse;

  /* The healthy client kept talking during the case... */
  g_assert_cmpuint (fx->replied, >, fx->replied_at_start);

  g_list_free_full (g_steal_pointer (&fx->raws), (GDestroyNotify) raw_free);

  /* ...and still does after it. */
  replied_after_abuse = fx->replied;
  WAIT_FOR (fx->replied >= replied_after_abuse + 8 || fx->failed > 0, WAIT_MS);
  g_assert_cmpuint (fx->replied, >=, replied_after_abuse + 8);

  /* It lost nothing. */
  fx->pumping = FALSE;
  WAIT_FOR (fx->in_flight == 0, WAIT_MS * 2);
  g_assert_cmpuint (fx->in_flight, ==, 0);
  g_assert_cmpuint (fx->failed, ==, 0);
  g_assert_cmpuint (fx->mismatched, ==, 0);
  g_assert_cmpuint (fx->replied, ==, fx->sent);
  g_assert_cmpuint (fx->server_healthy_messages, ==, fx->sent);
  g_assert_null (fx->healthy_disconnect_reason);
  g_assert_false (g_hash_table_contains (fx->disconnect_reasons, fx->healthy_id));
  g_assert_true (any_peer_is_connected (fx->healthy_peer));

  /* The server is left with the healthy peer only. */
  peers = any_socket_get_peers (fx->server);
  g_assert_cmpuint (g_list_length (peers), ==, 1);
  g_assert_nonnull (any_socket_get_peer (fx->server, fx->healthy_id));

  g_test_message ("healthy client: %u requests, %u replies (%u during the case)",
                  fx->sent, fx->replied, replied_after_abuse - fx->replied_at_start);

  any_socket_stop (fx->healthy);
  WAIT_FOR (g_hash_table_contains (fx->disconnect_reasons, fx->healthy_id), WAIT_MS);
  any_socket_stop (fx->server);
  spin (20);
  g_clear_object (&fx->healthy_peer);
  g_clear_object (&fx->healthy);
  g_clear_object (&fx->server);
  spin (20);

  g_clear_error (&fx->healthy_connect_error);
  g_free (fx->healthy_disconnect_reason);
  g_free (fx->healthy_id);
  g_free (fx->uri);
  g_ptr_array_unref (fx->log);
  g_ptr_array_unref (fx->raw_messages);
  g_ptr_array_unref (fx->in_flight_requests);
  g_hash_table_unref (fx->disconnect_reasons);
  g_source_remove (fx->ticker);
}

/* Assertions on the raw link */

gboolean
raw_auth (Fixture   *fx,
          RawClient *raw)
{
  g_autofree char *body = g_strdup_printf ("{\"id\":\"%s\"}", raw->id);
  g_autoptr(JsonNode) node = NULL;
  RawFrame *frame;

  g_assert_true (raw_send (raw, LAST, T_AUTH, 1, body));
  WAIT_FOR (raw_find_type (raw, T_AUTH, NULL) != NULL || raw->closed, WAIT_MS);
  frame = raw_find_type (raw, T_AUTH, NULL);
  g_assert_nonnull (frame);
  if (frame == NULL)
    return FALSE;
  g_assert_cmpint (frame->seq, ==, 1);
  node = parse_json (frame->body);
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
      spin (20);
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

void
memory_mark (MemoryMark *mark)
{
  drain ();
  mark->heap = heap_bytes ();
  mark->rss = rss_bytes ();
}

/* Heap in use grew by less than @bound since @mark. */
void
assert_memory_growth (const MemoryMark *mark,
                      gsize             bound,
                      const char       *what)
{
  MemoryMark now;
  gssize heap_growth, rss_growth;

  memory_mark (&now);
  heap_growth = (gssize) now.heap - (gssize) mark->heap;
  rss_growth = (gssize) now.rss - (gssize) mark->rss;
  g_test_message ("%s: heap %+zd KiB, RSS %+zd KiB (bound %zu KiB)",
                  what, heap_growth / 1024, rss_growth / 1024, bound / 1024);
  /* RSS keeps freed memory and is distorted under valgrind: only the heap
   * in use is a fair measure. */
  if (mark->heap != 0)
    g_assert_cmpint (heap_growth, <, (gssize) bound);
  else
    g_test_message ("heap in use unknown (valgrind?): not checked");
}

/* Sends frames made by @make until @n went out or the link closed; keeps
 * the main loop running so that both ends make progress. Returns how many
 * were sent. */
guint
raw_flood (RawClient  *raw,
           guint       n,
           FrameMaker  make,
           gpointer    data)
{
  gsize unflushed = 0;
  guint i;

  for (i = 0; i < n && raw_is_open (raw); i++)
    {
      GBytes *frame = make (i, data);

      unflushed += g_bytes_get_size (frame) + 16;
      raw_send_bytes (raw, frame, FALSE);
      if (unflushed >= 64 * 1024 || i % 512 == 511)
        {
          drain ();
          unflushed = 0;
        }
    }
  drain ();
  return i;
}

JsonObject *
frame_object (RawFrame  *frame,
              JsonNode **holder)
{
  *holder = frame ? parse_json (frame->body) : NULL;
  return *holder != NULL && JSON_NODE_HOLDS_OBJECT (*holder) ? json_node_get_object (*holder) : NULL;
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
  guint port;

  g_socket_client_set_enable_proxy (client, FALSE);
  g_assert_cmpint (sscanf (fx->uri, "ws://127.0.0.1:%u", &port), ==, 1);
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
