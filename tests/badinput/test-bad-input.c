/* test-bad-input.c: hostile and broken input against an AnySocket server
 *
 * Each case starts an AnySocket server on loopback (port 0), connects a
 * healthy AnySocket client that keeps exchanging requests and replies with
 * it the whole time, and then connects a raw libsoup WebSocket client that
 * sends hand-made frames (PROTOCOL.md 2-5, 7, 8). The server must close the
 * raw link cleanly with a clear reason in the close frame (and report the
 * same reason on its side), or ignore the input where PROTOCOL.md says so,
 * and the healthy client must lose nothing.
 *
 * SPDX-License-Identifier: MIT
 */
#include <anysocket.h>
#include <libsoup/soup.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Server limits, small so that the abuse stays cheap. */
#define MAX_MESSAGE_SIZE    (64 * 1024)
#define MAX_PARTIALS        16
#define HEARTBEAT_MS        1000
#define SHORT_AUTH_TIMEOUT  300

/* Waits for what must happen return as soon as it does. */
#define WAIT_MS             10000
/* How long to watch for what must not happen. */
#define QUIET_MS            200

#define HEALTHY_IN_FLIGHT   4
#define HEALTHY_PAD_EVERY   16
#define HEALTHY_PAD_BYTES   (20 * 1024)

/* The raw client answers the server's pings from its own seq range, so
 * that a pong never collides with a seq a case is using. */
#define RAW_PONG_SEQ_BASE   1000000

/* Chunk header code point 0 and 1 (PROTOCOL.md 2). */
#define LAST        '1'
#define MORE        '2'
#define T_AUTH      '1'
#define T_INTERNAL  '2'
#define T_LINK      '3'
#define T_SWITCH    '4'
#define T_HEARTBEAT '5'

/* Bounded waits: a 10 ms ticker keeps the blocking iteration short. */
#define WAIT_FOR(cond, ms) G_STMT_START {                                    \
    gint64 wait_deadline_ = g_get_monotonic_time () + (gint64) (ms) * 1000;  \
    while (!(cond) && g_get_monotonic_time () < wait_deadline_)              \
      g_main_context_iteration (NULL, TRUE);                                 \
  } G_STMT_END

#define assert_prefix(str, prefix) G_STMT_START {                            \
    const char *ap_s_ = (str), *ap_p_ = (prefix);                            \
    if (ap_s_ == NULL || !g_str_has_prefix (ap_s_, ap_p_))                   \
      {                                                                      \
        g_autofree char *ap_m_ =                                             \
          g_strdup_printf ("%s = '%s' does not start with '%s'", #str,       \
                           ap_s_ ? ap_s_ : "(null)", ap_p_);                 \
        g_assertion_message (NULL, __FILE__, __LINE__, G_STRFUNC, ap_m_);    \
      }                                                                      \
  } G_STMT_END

typedef struct _Fixture Fixture;

typedef struct {
  gboolean  binary;
  gboolean  valid;      /* the header decoded */
  char      flag;
  char      type;
  gint32    seq;
  char     *body;       /* NUL-terminated copy */
  gsize     body_len;
} RawFrame;

typedef struct {
  Fixture                 *fx;
  SoupSession             *session;
  SoupWebsocketConnection *conn;
  GCancellable            *cancellable;
  GError                  *connect_error;
  gboolean                 connect_done;
  gint64                   connected_at;

  GPtrArray               *frames;      /* RawFrame */
  gboolean                 closed;
  gint64                   closed_at;
  gushort                  close_code;
  char                    *close_reason;

  char                     id[33];
  gboolean                 authenticated;
  gint32                   next_seq;
  gint32                   pong_seq;
} RawClient;

typedef struct {
  Fixture *fx;
  guint    n;
} HealthyRequest;

struct _Fixture {
  AnySocket  *server;
  char       *uri;
  guint       ticker;

  /* Server side: what it told the application. */
  GPtrArray  *log;               /* "connected ID", "message ID JSON", "disconnected ID REASON" */
  GHashTable *disconnect_reasons; /* id -> reason */
  GPtrArray  *raw_messages;      /* JSON text of messages from peers other than the healthy one */
  guint       server_healthy_messages;

  /* The healthy client. */
  AnySocket  *healthy;
  AnyPeer    *healthy_peer;
  char       *healthy_id;
  gboolean    healthy_connect_done;
  GError     *healthy_connect_error;
  char       *healthy_disconnect_reason;
  gboolean    pumping;
  guint       sent;
  guint       replied;
  guint       failed;
  guint       mismatched;
  guint       in_flight;
  guint       replied_at_start;

  GList      *raws;              /* RawClient */

  /* Memory measured when the server reports this id connected. */
  const char *measure_id;
  gsize       heap_at_connected;
  gsize       rss_at_connected;
};

/* Helpers */

static gboolean
on_tick (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
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

static char *
node_to_string (JsonNode *node)
{
  return json_to_string (node, FALSE);
}

static JsonNode *
parse_json (const char *text)
{
  return json_from_string (text, NULL);
}

/* A JSON string literal of exactly @len bytes ("aaa...a"). */
static char *
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

static void
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

static GBytes *
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

static RawFrame *
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

static gboolean
raw_is_open (RawClient *raw)
{
  return raw->conn != NULL && !raw->closed &&
         soup_websocket_connection_get_state (raw->conn) == SOUP_WEBSOCKET_STATE_OPEN;
}

/* Takes @bytes. */
static gboolean
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

static gboolean
raw_send_len (RawClient  *raw,
              char        flag,
              char        type,
              gint32      seq,
              const char *body,
              gsize       body_len)
{
  return raw_send_bytes (raw, chunk_new (flag, type, seq, body, body_len), FALSE);
}

static gboolean
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

static RawClient *
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

static RawFrame *
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

static RawFrame *
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

static int
raw_frame_index (RawClient *raw,
                 RawFrame  *frame)
{
  guint index;

  return frame != NULL && g_ptr_array_find (raw->frames, frame, &index) ? (int) index : -1;
}

static RawFrame *
raw_wait (RawClient *raw,
          char       type,
          gint32     seq)
{
  WAIT_FOR (raw_find (raw, type, seq) != NULL || raw->closed, WAIT_MS);
  return raw_find (raw, type, seq);
}

/* Server side bookkeeping */

static gboolean
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

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  guint port = 0;

  fx->ticker = g_timeout_add (10, on_tick, NULL);
  fx->log = g_ptr_array_new_with_free_func (g_free);
  fx->disconnect_reasons = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  fx->raw_messages = g_ptr_array_new_with_free_func (g_free);

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
}

static void
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
  g_hash_table_unref (fx->disconnect_reasons);
  g_source_remove (fx->ticker);
}

/* Assertions on the raw link */

static gboolean
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
static void
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
static void
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

typedef struct {
  gsize heap;
  gsize rss;
} MemoryMark;

static void
memory_mark (MemoryMark *mark)
{
  drain ();
  mark->heap = heap_bytes ();
  mark->rss = rss_bytes ();
}

/* Heap in use grew by less than @bound since @mark. */
static void
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
typedef GBytes *(*FrameMaker) (guint i, gpointer data);

static guint
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

/* Cases: malformed frames, before and after AUTH */

#define IGNORED ((const char *) 1)
#define BYTES(s) s, sizeof (s) - 1
#define ID16(b) b b b b b b b b b b b b b b b b

typedef struct {
  const char *name;
  const char *bytes;
  gsize       len;
  gboolean    binary;
  const char *reason;        /* before AUTH */
  const char *reason_after;  /* after AUTH, NULL when the same, IGNORED when ignored */
} BadFrame;

static const BadFrame bad_frames[] = {
  { "empty",                 BYTES (""),                                  FALSE, "Truncated chunk header (0 bytes)", NULL },
  { "flag-only",             BYTES ("1"),                                 FALSE, "Truncated chunk header (1 bytes)", NULL },
  { "truncated-header",      BYTES ("13" "\0\0"),                         FALSE, "Truncated chunk header (4 bytes)", NULL },
  { "truncated-seq",         BYTES ("13" "\0\0\0"),                       FALSE, "Truncated chunk header (5 bytes)", NULL },
  { "seq-code-point-u0100",  BYTES ("13" "\0\0\0" "\xC4\x80" "{}"),       FALSE, "Invalid or truncated seq in chunk header", NULL },
  { "seq-code-point-3-byte", BYTES ("13" "\0\0\0" "\xE2\x82\xAC" "{}"),   FALSE, "Invalid or truncated seq in chunk header", NULL },
  { "type-0",                BYTES ("10" "\0\0\0\x02" "{}"),              FALSE, "Unknown packet type 0x30", NULL },
  { "type-6-in-chunk",       BYTES ("16" "\0\0\0\x02" "{}"),              FALSE, "Unknown packet type 0x36", NULL },
  { "type-7",                BYTES ("17" "\0\0\0\x02" "{}"),              FALSE, "Unknown packet type 0x37", NULL },
  { "type-9",                BYTES ("19" "\0\0\0\x02" "{}"),              FALSE, "Unknown packet type 0x39", NULL },
  { "type-letter",           BYTES ("1a" "\0\0\0\x02" "{}"),              FALSE, "Unknown packet type 0x61", NULL },
  { "type-non-ascii",        BYTES ("1" "\xC3\xA9" "\0\0\0\x02" "{}"),    FALSE, "Unknown packet type 0xc3", NULL },
  { "flag-0",                BYTES ("03" "\0\0\0\x02" "{}"),              FALSE, "Invalid chunk flag 0x30", NULL },
  { "flag-3",                BYTES ("33" "\0\0\0\x02" "{}"),              FALSE, "Invalid chunk flag 0x33", NULL },
  { "flag-9",                BYTES ("93" "\0\0\0\x02" "{}"),              FALSE, "Invalid chunk flag 0x39", NULL },
  { "flag-nul",              BYTES ("\0" "3" "\0\0\0\x02" "{}"),          FALSE, "Invalid chunk flag 0x00", NULL },
  { "flag-letter",           BYTES ("x3" "\0\0\0\x02" "{}"),              FALSE, "Invalid chunk flag 0x78", NULL },
  { "binary-frame",          BYTES ("13" "\0\0\0\x02" "{}"),              TRUE,  "Invalid Packet! Binary frames are not part of the protocol", NULL },
  { "binary-empty",          BYTES (""),                                  TRUE,  "Invalid Packet! Binary frames are not part of the protocol", NULL },
  { "invalid-json",          BYTES ("13" "\0\0\0\x02" "{not json"),       FALSE, "Invalid JSON in LINK packet 2", NULL },
  { "truncated-json",        BYTES ("13" "\0\0\0\x02" "{\"a\":"),         FALSE, "Invalid JSON in LINK packet 2", NULL },
  { "nul-in-json",           BYTES ("13" "\0\0\0\x02" "[1," "\0" "2]"),   FALSE, "Invalid JSON in LINK packet 2", NULL },
  { "empty-body",            BYTES ("13" "\0\0\0\x02"),                   FALSE, "Invalid JSON", NULL },
  { "blank-body",            BYTES ("13" "\0\0\0\x02" "  \n "),           FALSE, "Invalid JSON", NULL },
  { "invalid-json-internal", BYTES ("12" "\0\0\0\x02" "{\"type\":"),      FALSE, "Invalid JSON in INTERNAL packet 2", NULL },
  { "invalid-json-auth",     BYTES ("11" "\0\0\0\x01" "{\"id\""),         FALSE, "Invalid JSON in AUTH packet 1", NULL },
  { "forward-flag-only",     BYTES ("6"),                                 FALSE, "Invalid or truncated FORWARD header", NULL },
  { "forward-truncated",     BYTES ("6" ID16 ("\x01") "\x02\x02"),        FALSE, "Invalid or truncated FORWARD header", NULL },
  { "forward-valid",         BYTES ("6" ID16 ("\x01") ID16 ("\x02") "13" "\0\0\0\x02" "{}"),
                                                                          FALSE, "Invalid Packet! FORWARD before authentication",
                                                                          "Invalid FORWARD: source 02020202020202020202020202020202 is not the sender" },
};

typedef struct {
  const BadFrame *frame;
  gboolean        after_auth;
} BadFrameCase;

static void
test_bad_frame (Fixture       *fx,
                gconstpointer  data)
{
  const BadFrameCase *c = data;
  RawClient *raw = raw_connect (fx);
  const char *expected = c->frame->reason;

  if (c->after_auth)
    {
      if (!raw_auth (fx, raw))
        return;
      if (c->frame->reason_after != NULL)
        expected = c->frame->reason_after;
    }

  g_assert_true (raw_send_bytes (raw, g_bytes_new_static (c->frame->bytes, c->frame->len), c->frame->binary));
  if (expected == IGNORED)
    {
      raw_expect_alive (fx, raw);
      g_assert_cmpuint (fx->raw_messages->len, ==, 1);
      return;
    }
  raw_expect_close (fx, raw, expected);
  g_assert_cmpuint (fx->raw_messages->len, ==, 0);
}

/* Writes one masked WebSocket frame straight to the connection's stream,
 * bypassing libsoup's checks (it refuses to send invalid UTF-8 as text). */
static gboolean
raw_write_unchecked (RawClient    *raw,
                     guint8        opcode,
                     const guint8 *payload,
                     gsize         len)
{
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  guint8 head[2] = { 0x80 | opcode, 0x80 | (guint8) len };
  guint8 mask[4] = { 0, 0, 0, 0 };   /* a zero mask leaves the payload as it is */
  GOutputStream *out;

  g_assert (len < 126);
  if (!raw_is_open (raw))
    return FALSE;
  g_byte_array_append (frame, head, 2);
  g_byte_array_append (frame, mask, 4);
  g_byte_array_append (frame, payload, len);
  out = g_io_stream_get_output_stream (soup_websocket_connection_get_io_stream (raw->conn));
  if (!g_output_stream_write_all (out, frame->data, frame->len, NULL, NULL, &error) ||
      !g_output_stream_flush (out, NULL, &error))
    {
      g_test_message ("raw write failed: %s", error->message);
      return FALSE;
    }
  return TRUE;
}

/* A link the WebSocket layer refused (not our close code path): there must
 * still be a close frame with a reason, and the server must not blame the
 * remote side for a close it made itself. */
static void
raw_expect_websocket_close (Fixture   *fx,
                            RawClient *raw)
{
  WAIT_FOR (raw->closed, WAIT_MS);
  g_assert_true (raw->closed);
  g_test_message ("raw link closed: code %u, reason '%s'", raw->close_code,
                  raw->close_reason ? raw->close_reason : "(none)");
  g_assert_cmpuint (raw->close_code, !=, 0);
  g_assert_true (raw->close_reason != NULL && raw->close_reason[0] != '\0');
  if (raw->authenticated)
    {
      const char *server_reason;

      WAIT_FOR (g_hash_table_contains (fx->disconnect_reasons, raw->id), WAIT_MS);
      server_reason = g_hash_table_lookup (fx->disconnect_reasons, raw->id);
      g_test_message ("server side reason: '%s'", server_reason ? server_reason : "(none)");
      g_assert_nonnull (server_reason);
      g_assert_false (server_reason != NULL && g_str_has_prefix (server_reason, "Remote Connection Closed"));
    }
  g_assert_cmpuint (fx->raw_messages->len, ==, 0);
}

/* All the broken frames at once, each on its own link, while the healthy
 * client keeps going. */
static void
test_many_bad_clients (Fixture       *fx,
                       gconstpointer  data)
{
  RawClient *raws[G_N_ELEMENTS (bad_frames)];

  /* No timeout: the reasons must be the frames', not the clock's. */
  any_socket_set_auth_timeout (fx->server, 0);
  for (guint i = 0; i < G_N_ELEMENTS (bad_frames); i++)
    raws[i] = raw_connect (fx);
  for (guint i = 0; i < G_N_ELEMENTS (bad_frames); i++)
    g_assert_true (raw_send_bytes (raws[i], g_bytes_new_static (bad_frames[i].bytes, bad_frames[i].len),
                                   bad_frames[i].binary));
  for (guint i = 0; i < G_N_ELEMENTS (bad_frames); i++)
    raw_expect_close (fx, raws[i], bad_frames[i].reason);
  g_assert_cmpuint (fx->raw_messages->len, ==, 0);
}

/* A text frame that is not UTF-8. */
static void
test_invalid_utf8 (Fixture       *fx,
                   gconstpointer  data)
{
  gboolean after_auth = GPOINTER_TO_INT (data);
  RawClient *raw = raw_connect (fx);
  static const char frame[] = "13" "\0\0\0\x02" "[\"\xC3\x28\"]";

  if (after_auth && !raw_auth (fx, raw))
    return;
  g_assert_true (raw_write_unchecked (raw, 0x1, (const guint8 *) frame, sizeof frame - 1));
  raw_expect_websocket_close (fx, raw);
}

/* Cases: AUTH */

typedef struct {
  const char *name;
  const char *body;      /* NULL: an id of 300 characters */
  const char *reason;
} BadAuth;

static const BadAuth bad_auths[] = {
  { "no-id",          "{\"auth\":1}",     "Invalid Auth Packet!" },
  { "empty-object",   "{}",               "Invalid Auth Packet!" },
  { "id-number",      "{\"id\":5}",       "Invalid Auth Packet!" },
  { "id-null",        "{\"id\":null}",    "Invalid Auth Packet!" },
  { "id-true",        "{\"id\":true}",    "Invalid Auth Packet!" },
  { "id-array",       "{\"id\":[\"x\"]}", "Invalid Auth Packet!" },
  { "id-object",      "{\"id\":{}}",      "Invalid Auth Packet!" },
  { "id-empty",       "{\"id\":\"\"}",    "Invalid Auth Packet!" },
  { "id-too-long",    NULL,               "Invalid Auth Packet!" },
  { "string",         "\"abc\"",          "Invalid Auth Packet!" },
  { "array",          "[1,2]",            "Invalid Auth Packet!" },
  { "number",         "42",               "Invalid Auth Packet!" },
  { "null",           "null",             "Invalid Auth Packet!" },
};

static void
test_bad_auth (Fixture       *fx,
               gconstpointer  data)
{
  const BadAuth *c = data;
  RawClient *raw = raw_connect (fx);
  g_autofree char *long_body = NULL;
  const char *body = c->body;

  if (body == NULL)
    {
      g_autofree char *id = g_strnfill (300, 'a');

      body = long_body = g_strdup_printf ("{\"id\":\"%s\"}", id);
    }
  g_assert_true (raw_send (raw, LAST, T_AUTH, 1, body));
  raw_expect_close (fx, raw, c->reason);
  g_assert_null (raw_find_type (raw, T_AUTH, NULL));
  g_assert_cmpuint (g_hash_table_size (fx->disconnect_reasons), ==, 0);
}

/* Someone presents the healthy client's id (or the server's own): refused,
 * and the healthy client is not disturbed. */
static void
test_auth_duplicate_id (Fixture       *fx,
                        gconstpointer  data)
{
  gboolean server_id = GPOINTER_TO_INT (data);
  RawClient *raw = raw_connect (fx);
  g_autofree char *body = g_strdup_printf ("{\"id\":\"%s\"}",
                                           server_id ? any_socket_get_id (fx->server) : fx->healthy_id);

  g_assert_true (raw_send (raw, LAST, T_AUTH, 1, body));
  raw_expect_close (fx, raw, "Duplicated AnySocket ID found!");
  g_assert_null (raw_find_type (raw, T_AUTH, NULL));
  g_assert_cmpuint (g_hash_table_size (fx->disconnect_reasons), ==, 0);
  g_assert_true (any_peer_is_connected (fx->healthy_peer));
}

static void
test_auth_twice (Fixture       *fx,
                 gconstpointer  data)
{
  RawClient *raw = raw_connect (fx);
  g_autofree char *body = NULL;

  if (!raw_auth (fx, raw))
    return;
  body = g_strdup_printf ("{\"id\":\"%s\"}", raw->id);
  g_assert_true (raw_send (raw, LAST, T_AUTH, raw->next_seq++, body));
  raw_expect_close (fx, raw, "Invalid Packet! Unexpected AUTH packet after authentication");
}

/* A client that connects and never authenticates. */
static void
test_auth_timeout_silent (Fixture       *fx,
                          gconstpointer  data)
{
  RawClient *raw;
  gint64 elapsed_ms;

  any_socket_set_auth_timeout (fx->server, SHORT_AUTH_TIMEOUT);
  raw = raw_connect (fx);
  raw_expect_close (fx, raw, "auth timed out");
  elapsed_ms = (raw->closed_at - raw->connected_at) / 1000;
  g_test_message ("closed %" G_GINT64_FORMAT " ms after connecting", elapsed_ms);
  /* The timer starts when the server accepts, a little before the client
   * sees the handshake complete. */
  g_assert_cmpint (elapsed_ms, >=, SHORT_AUTH_TIMEOUT / 2);
  g_assert_cmpint (elapsed_ms, <, WAIT_MS);
}

/* Cases: LINK and INTERNAL before AUTH (PROTOCOL.md 4: held back) */

static void
test_held_then_timeout (Fixture       *fx,
                        gconstpointer  data)
{
  RawClient *raw;

  any_socket_set_auth_timeout (fx->server, SHORT_AUTH_TIMEOUT);
  raw = raw_connect (fx);
  g_assert_true (raw_send (raw, LAST, T_LINK, 2, "{\"held\":1}"));
  g_assert_true (raw_send (raw, LAST, T_INTERNAL, 3, "{\"type\":3,\"method\":[\"a\"],\"params\":[],\"bin\":[]}"));
  raw_expect_close (fx, raw, "auth timed out");
  g_assert_cmpuint (fx->raw_messages->len, ==, 0);
  g_assert_cmpuint (raw->frames->len, ==, 0);
}

static void
test_held_then_auth (Fixture       *fx,
                     gconstpointer  data)
{
  RawClient *raw = raw_connect (fx);
  g_autofree char *connected = NULL, *message1 = NULL, *message2 = NULL;
  g_autoptr(JsonNode) rpc_reply = NULL;
  RawFrame *auth, *reply2, *reply3, *reply4;
  guint i_connected = 0, i_message1 = 0, i_message2 = 0;

  g_assert_true (raw_send (raw, LAST, T_LINK, 2, "{\"n\":1}"));
  g_assert_true (raw_send (raw, LAST, T_INTERNAL, 3, "{\"type\":3,\"method\":[\"a\",\"b\"],\"params\":[],\"bin\":[]}"));
  g_assert_true (raw_send (raw, LAST, T_LINK, 4, "{\"n\":2}"));
  spin (QUIET_MS);
  /* Nothing is delivered or answered before AUTH. */
  g_assert_cmpuint (fx->raw_messages->len, ==, 0);
  g_assert_cmpuint (raw->frames->len, ==, 0);
  g_assert_false (raw->closed);
  raw->next_seq = 5;
  if (!raw_auth (fx, raw))
    return;

  reply2 = raw_wait (raw, T_LINK, -2);
  reply3 = raw_wait (raw, T_INTERNAL, -3);
  reply4 = raw_wait (raw, T_LINK, -4);
  auth = raw_find_type (raw, T_AUTH, NULL);
  g_assert_nonnull (reply2);
  g_assert_nonnull (reply3);
  g_assert_nonnull (reply4);
  if (reply2 == NULL || reply3 == NULL || reply4 == NULL)
    return;
  g_assert_cmpstr (reply2->body, ==, "{\"echo\":{\"n\":1}}");
  g_assert_cmpstr (reply4->body, ==, "{\"echo\":{\"n\":2}}");
  rpc_reply = parse_json (reply3->body);
  g_assert_true (rpc_reply != NULL && JSON_NODE_HOLDS_OBJECT (rpc_reply));
  if (rpc_reply != NULL && JSON_NODE_HOLDS_OBJECT (rpc_reply))
    g_assert_cmpint (json_object_get_int_member_with_default (json_node_get_object (rpc_reply), "code", 0), ==, 404);
  /* AUTH answer first, then the held packets in the order they were sent. */
  g_assert_cmpint (raw_frame_index (raw, auth), <, raw_frame_index (raw, reply2));
  g_assert_cmpint (raw_frame_index (raw, reply2), <, raw_frame_index (raw, reply3));
  g_assert_cmpint (raw_frame_index (raw, reply3), <, raw_frame_index (raw, reply4));

  /* The application saw the peer connect, then its messages in order. */
  connected = g_strdup_printf ("connected %s", raw->id);
  message1 = g_strdup_printf ("message %s {\"n\":1}", raw->id);
  message2 = g_strdup_printf ("message %s {\"n\":2}", raw->id);
  g_assert_true (server_log_index (fx, connected, &i_connected));
  g_assert_true (server_log_index (fx, message1, &i_message1));
  g_assert_true (server_log_index (fx, message2, &i_message2));
  g_assert_cmpuint (i_connected, <, i_message1);
  g_assert_cmpuint (i_message1, <, i_message2);
  g_assert_cmpuint (fx->raw_messages->len, ==, 2);

  raw_expect_alive (fx, raw);
}

static void
test_held_then_bad_auth (Fixture       *fx,
                         gconstpointer  data)
{
  RawClient *raw = raw_connect (fx);

  g_assert_true (raw_send (raw, LAST, T_LINK, 2, "{\"n\":1}"));
  g_assert_true (raw_send (raw, LAST, T_AUTH, 1, "{\"auth\":\"no id\"}"));
  raw_expect_close (fx, raw, "Invalid Auth Packet!");
  g_assert_cmpuint (fx->raw_messages->len, ==, 0);
  g_assert_null (raw_find (raw, T_LINK, -2));
}

/* Held packets are bounded by max-message-size in total: well under the
 * limit they are held and delivered, over it the link closes (whether the
 * server counts a little overhead per packet or not). */
static void
test_held_limit (Fixture       *fx,
                 gconstpointer  data)
{
  gboolean over = GPOINTER_TO_INT (data);
  const gsize piece = MAX_MESSAGE_SIZE / 8;
  const gint32 pieces = over ? 9 : 7;
  g_autofree char *body = json_string_of_size (piece);
  RawClient *raw = raw_connect (fx);

  for (gint32 seq = 2; seq < 2 + pieces; seq++)
    raw_send (raw, LAST, T_LINK, seq, body);

  if (over)
    {
      raw_expect_close (fx, raw, "Too much data before authentication");
      g_assert_cmpuint (fx->raw_messages->len, ==, 0);
      return;
    }

  spin (QUIET_MS);
  g_assert_false (raw->closed);
  raw->next_seq = 2 + pieces;
  if (!raw_auth (fx, raw))
    return;
  g_assert_nonnull (raw_wait (raw, T_LINK, -(1 + pieces)));
  g_assert_cmpuint (fx->raw_messages->len, ==, (guint) pieces);
  raw_expect_alive (fx, raw);
}

/* Many tiny held packets: their bytes are within the limit, and the
 * memory that holds them must be too, within a small factor. The server
 * may either refuse them (`Too much data before authentication`) or hold
 * them all cheaply and deliver them after AUTH. */
static GBytes *
make_tiny_link (guint    i,
                gpointer data)
{
  return chunk_new (LAST, T_LINK, (gint32) i + 2, "0", 1);
}

static void
test_held_tiny_flood (Fixture       *fx,
                      gconstpointer  data)
{
  const guint count = 16384;      /* 16 KiB of JSON: a quarter of the byte limit */
  const gssize bound = 4 * MAX_MESSAGE_SIZE;
  RawClient *raw;
  MemoryMark mark;
  gssize heap_growth, rss_growth;
  guint sent;

  /* No timeout: every packet must have been read when AUTH arrives. */
  any_socket_set_auth_timeout (fx->server, 0);
  raw = raw_connect (fx);
  fx->measure_id = raw->id;
  memory_mark (&mark);
  sent = raw_flood (raw, count, make_tiny_link, NULL);
  g_test_message ("sent %u of %u one-byte LINK packets before AUTH", sent, count);
  raw->next_seq = count + 2;
  spin (QUIET_MS);
  if (raw->closed)
    {
      /* Refused: fine, if it says why and holds little. */
      raw_expect_close (fx, raw, "Too much data before authentication");
      assert_memory_growth (&mark, bound, "after the refused flood");
      return;
    }
  if (!raw_auth (fx, raw))
    return;

  heap_growth = (gssize) fx->heap_at_connected - (gssize) mark.heap;
  rss_growth = (gssize) fx->rss_at_connected - (gssize) mark.rss;
  g_test_message ("%u one-byte LINK packets held before AUTH: heap %+zd KiB (%zd bytes a packet), RSS %+zd KiB (bound %zd KiB)",
                  count, heap_growth / 1024, heap_growth / (gssize) count, rss_growth / 1024, bound / 1024);
  if (mark.heap != 0)
    g_assert_cmpint (heap_growth, <, bound);
  else
    g_test_message ("heap in use unknown (valgrind?): not checked");

  /* All of them are delivered, in order, once connected. */
  g_assert_nonnull (raw_wait (raw, T_LINK, -(gint32) (count + 1)));
  g_assert_cmpuint (fx->raw_messages->len, ==, count);
  for (guint i = 0; i < fx->raw_messages->len; i++)
    if (!g_str_equal (g_ptr_array_index (fx->raw_messages, i), "0"))
      {
        g_assert_cmpstr (g_ptr_array_index (fx->raw_messages, i), ==, "0");
        break;
      }
}

/* Cases: replies */

/* A reply to a request that was never made is dropped; the link stays up. */
static void
test_reply_unknown_seq (Fixture       *fx,
                        gconstpointer  data)
{
  RawClient *raw = raw_connect (fx);

  if (!raw_auth (fx, raw))
    return;
  g_assert_true (raw_send (raw, LAST, T_LINK, -12345, "{\"late\":1}"));
  g_assert_true (raw_send (raw, LAST, T_LINK, -1, "{\"late\":2}"));
  g_assert_true (raw_send (raw, LAST, T_INTERNAL, -777, "{\"ok\":true}"));
  g_assert_true (raw_send (raw, LAST, T_LINK, G_MININT32, "{\"late\":3}"));
  g_assert_true (raw_send (raw, LAST, T_LINK, -G_MAXINT32, "{\"late\":4}"));
  raw_expect_alive (fx, raw);
  raw_expect_alive (fx, raw);
  g_assert_cmpuint (fx->raw_messages->len, ==, 2);
  g_assert_false (g_hash_table_contains (fx->disconnect_reasons, raw->id));
}

/* Cases: max-message-size */

/* A message of exactly max-message-size over several chunks is accepted;
 * a message that goes one byte over is refused when that byte arrives,
 * not after buffering more. */
static void
test_oversize_chunks (Fixture       *fx,
                      gconstpointer  data)
{
  const gsize piece = MAX_MESSAGE_SIZE / 8;
  g_autofree char *whole = json_string_of_size (MAX_MESSAGE_SIZE);
  RawClient *raw = raw_connect (fx);
  RawFrame *reply;

  if (!raw_auth (fx, raw))
    return;

  /* Exactly the limit, in 8 chunks: delivered. */
  for (guint i = 0; i < 8; i++)
    g_assert_true (raw_send_len (raw, i < 7 ? MORE : LAST, T_LINK, 5, whole + i * piece, piece));
  reply = raw_wait (raw, T_LINK, -5);
  g_assert_nonnull (reply);
  g_assert_cmpuint (fx->raw_messages->len, ==, 1);

  /* Exactly the limit held in one unfinished message: still fine... */
  for (guint i = 0; i < 8; i++)
    g_assert_true (raw_send_len (raw, MORE, T_LINK, 6, whole + i * piece, piece));
  raw->next_seq = 7;
  raw_expect_alive (fx, raw);
  /* ...one byte more is not. */
  g_assert_true (raw_send_len (raw, MORE, T_LINK, 6, "a", 1));
  raw_expect_close (fx, raw, "Message too big: seq 6 exceeds 65536 bytes");
}

/* A single chunk over the limit (but within the WebSocket frame limit). */
static void
test_oversize_single_chunk (Fixture       *fx,
                            gconstpointer  data)
{
  gboolean after_auth = GPOINTER_TO_INT (data);
  g_autofree char *body = json_string_of_size (MAX_MESSAGE_SIZE + 1);
  RawClient *raw = raw_connect (fx);

  if (after_auth && !raw_auth (fx, raw))
    return;
  g_assert_true (raw_send (raw, LAST, T_LINK, 7, body));
  raw_expect_close (fx, raw, "Message too big: seq 7 exceeds 65536 bytes");
  g_assert_cmpuint (fx->raw_messages->len, ==, 0);
}

/* One WebSocket frame far bigger than any chunk can be: refused by the
 * WebSocket layer before it is buffered; the close must still say why. */
static void
test_oversize_frame (Fixture       *fx,
                     gconstpointer  data)
{
  gboolean after_auth = GPOINTER_TO_INT (data);
  g_autofree char *body = json_string_of_size (4 * MAX_MESSAGE_SIZE);
  RawClient *raw = raw_connect (fx);

  if (after_auth && !raw_auth (fx, raw))
    return;
  g_assert_true (raw_send (raw, LAST, T_LINK, 7, body));
  raw_expect_websocket_close (fx, raw);
}

typedef struct {
  const char *piece;
  gsize       len;
} Piece;

static GBytes *
make_oversize_piece (guint    i,
                     gpointer data)
{
  Piece *piece = data;

  return chunk_new (MORE, T_LINK, 9, piece->piece, piece->len);
}

/* A message declared over many chunks, far beyond the limit: the server
 * closes the link, and memory does not follow the flood. */
static void
test_oversize_flood (Fixture       *fx,
                     gconstpointer  data)
{
  const guint chunks = 512;
  g_autofree char *text = g_strnfill (32 * 1024, 'x');
  Piece piece = { text, 32 * 1024 };
  RawClient *raw = raw_connect (fx);
  MemoryMark mark;
  guint sent;

  if (!raw_auth (fx, raw))
    return;
  memory_mark (&mark);
  sent = raw_flood (raw, chunks, make_oversize_piece, &piece);
  raw_expect_close (fx, raw, "Message too big: seq 9 exceeds 65536 bytes");
  g_test_message ("sent %u of %u chunks of 32 KiB before the close", sent, chunks);
  g_assert_cmpuint (sent, <, chunks);
  assert_memory_growth (&mark, 4 * 1024 * 1024, "after a 16 MiB message flood");
}

/* The bytes of all unfinished messages together are bounded too. */
static void
test_unfinished_total (Fixture       *fx,
                       gconstpointer  data)
{
  const gsize piece = MAX_MESSAGE_SIZE / 8;
  g_autofree char *text = g_strnfill (piece, '[');
  RawClient *raw = raw_connect (fx);

  if (!raw_auth (fx, raw))
    return;
  for (gint32 seq = 100; seq < 108; seq++)
    g_assert_true (raw_send_len (raw, MORE, T_LINK, seq, text, piece));
  raw_expect_alive (fx, raw);
  g_assert_true (raw_send_len (raw, MORE, T_LINK, 108, "[", 1));
  raw_expect_close (fx, raw, "Unfinished messages exceed 65536 bytes");
}

/* Cases: max-partial-messages */

static void
test_partials_limit (Fixture       *fx,
                     gconstpointer  data)
{
  RawClient *raw = raw_connect (fx);
  RawFrame *reply;

  if (!raw_auth (fx, raw))
    return;
  for (gint32 seq = 100; seq < 100 + MAX_PARTIALS; seq++)
    g_assert_true (raw_send (raw, MORE, T_LINK, seq, "[\"part\","));
  raw_expect_alive (fx, raw);

  /* Finishing one frees its slot... */
  g_assert_true (raw_send (raw, LAST, T_LINK, 100, "\"end\"]"));
  reply = raw_wait (raw, T_LINK, -100);
  g_assert_nonnull (reply);
  if (reply != NULL)
    g_assert_cmpstr (reply->body, ==, "{\"echo\":[\"part\",\"end\"]}");
  g_assert_true (raw_send (raw, MORE, T_LINK, 200, "["));
  raw_expect_alive (fx, raw);

  /* ...but one more than the limit closes the link. */
  g_assert_true (raw_send (raw, MORE, T_LINK, 201, "["));
  raw_expect_close (fx, raw, "Too many unfinished messages (limit 16)");
}

static GBytes *
make_partial (guint    i,
              gpointer data)
{
  Piece *piece = data;

  return chunk_new (MORE, T_LINK, 1000 + (gint32) i, piece->piece, piece->len);
}

/* Thousands of messages that are never finished. */
static void
test_partials_flood (Fixture       *fx,
                     gconstpointer  data)
{
  const guint count = 4000;
  g_autofree char *text = g_strnfill (2048, '[');
  Piece piece = { text, 2048 };
  RawClient *raw = raw_connect (fx);
  MemoryMark mark;
  guint sent;

  if (!raw_auth (fx, raw))
    return;
  memory_mark (&mark);
  sent = raw_flood (raw, count, make_partial, &piece);
  raw_expect_close (fx, raw, "Too many unfinished messages (limit 16)");
  g_test_message ("sent %u of %u unfinished messages before the close", sent, count);
  g_assert_cmpuint (sent, <, count);
  assert_memory_growth (&mark, 4 * 1024 * 1024, "after 8 MiB of unfinished messages");
}

static void
test_partial_type_change (Fixture       *fx,
                          gconstpointer  data)
{
  RawClient *raw = raw_connect (fx);

  if (!raw_auth (fx, raw))
    return;
  g_assert_true (raw_send (raw, MORE, T_LINK, 7, "["));
  g_assert_true (raw_send (raw, LAST, T_INTERNAL, 7, "]"));
  raw_expect_close (fx, raw, "Chunk of seq 7 changes packet type from LINK to INTERNAL");
}

/* Cases: INTERNAL (PROTOCOL.md 7) */

typedef struct {
  const char *name;
  const char *body;
} BadInternal;

static const BadInternal bad_internals[] = {
  { "type-99",        "{\"type\":99}" },
  { "type-0",         "{\"type\":0}" },
  { "type-string",    "{\"type\":\"3\"}" },
  { "no-type",        "{\"method\":[\"a\"]}" },
  { "not-an-object",  "[3]" },
};

static void
test_internal_unknown (Fixture       *fx,
                       gconstpointer  data)
{
  const BadInternal *c = data;
  RawClient *raw = raw_connect (fx);

  if (!raw_auth (fx, raw))
    return;
  g_assert_true (raw_send (raw, LAST, T_INTERNAL, 2, c->body));
  raw_expect_close (fx, raw, "Invalid internal message");
}

static JsonObject *
frame_object (RawFrame  *frame,
              JsonNode **holder)
{
  *holder = frame ? parse_json (frame->body) : NULL;
  return *holder != NULL && JSON_NODE_HOLDS_OBJECT (*holder) ? json_node_get_object (*holder) : NULL;
}

static void
test_internal_rpc (Fixture       *fx,
                   gconstpointer  data)
{
  RawClient *raw = raw_connect (fx);
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;
  RawFrame *reply;

  if (!raw_auth (fx, raw))
    return;
  g_assert_true (raw_send (raw, LAST, T_INTERNAL, 2,
                           "{\"type\":3,\"method\":[\"a\",\"b\"],\"params\":[],\"bin\":[]}"));
  reply = raw_wait (raw, T_INTERNAL, -2);
  g_assert_nonnull (reply);
  g_assert_null (raw_find (raw, T_LINK, -2));
  object = frame_object (reply, &node);
  g_assert_nonnull (object);
  if (object == NULL)
    return;
  g_assert_cmpint (json_object_get_int_member_with_default (object, "code", 0), ==, 404);
  g_assert_true (json_object_has_member (object, "error"));
  g_assert_cmpstr (json_object_get_string_member_with_default (object, "details", NULL), ==, "method: 'a,b'");
  g_assert_cmpuint (fx->raw_messages->len, ==, 0);
  raw->next_seq = 3;
  raw_expect_alive (fx, raw);
}

/* The other INTERNAL requests get the answers the JavaScript peer expects
 * (or none), and the link stays up. */
static void
test_internal_other (Fixture       *fx,
                     gconstpointer  data)
{
  RawClient *raw = raw_connect (fx);
  g_autoptr(JsonNode) time_node = NULL, proxy_node = NULL;
  JsonObject *object;
  RawFrame *reply;

  if (!raw_auth (fx, raw))
    return;
  g_assert_true (raw_send (raw, LAST, T_INTERNAL, 2, "{\"type\":5,\"time\":1234567}"));
  g_assert_true (raw_send (raw, LAST, T_INTERNAL, 3, "{\"type\":2,\"action\":\"proxy\",\"id\":\"00000000000000000000000000000000\"}"));
  g_assert_true (raw_send (raw, LAST, T_INTERNAL, 4, "{\"type\":4,\"method\":[\"a\"],\"params\":[],\"bin\":[]}"));
  g_assert_true (raw_send (raw, LAST, T_INTERNAL, 5, "{\"type\":1,\"action\":\"connected\",\"id\":\"00000000000000000000000000000000\"}"));

  reply = raw_wait (raw, T_INTERNAL, -2);
  object = frame_object (reply, &time_node);
  g_assert_nonnull (object);
  if (object != NULL)
    {
      g_assert_cmpint (json_object_get_int_member_with_default (object, "o", 0), ==, 1234567);
      g_assert_cmpint (json_object_get_int_member_with_default (object, "t", 0), >, 1234567);
    }
  reply = raw_wait (raw, T_INTERNAL, -3);
  object = frame_object (reply, &proxy_node);
  g_assert_nonnull (object);
  if (object != NULL)
    g_assert_false (json_object_get_boolean_member_with_default (object, "ok", TRUE));

  raw->next_seq = 6;
  raw_expect_alive (fx, raw);
  g_assert_null (raw_find (raw, T_INTERNAL, -4));
  g_assert_null (raw_find (raw, T_INTERNAL, -5));
  g_assert_cmpuint (fx->raw_messages->len, ==, 1);
}

/* Cases: RPC requests (PROTOCOL.md 7). The server serves "rpc.echo",
 * which answers {"params": its params, "bytes": the size of each binary
 * param, null for the others}. A bad call gets the JavaScript peer's
 * error reply (404 for the method, 500 for the rest); the link stays up. */

#define RPC_ECHO_DETAILS "method: 'rpc,echo'"

typedef struct {
  const char *name;
  const char *body;     /* the INTERNAL packet */
  int         code;     /* of the error reply; 0 for a result */
  const char *error;    /* its start, or the result's JSON */
  const char *details;
} BadRpc;

static const BadRpc bad_rpcs[] = {
  /* The method: 404, printed as JavaScript prints it. */
  { "method-string",        "{\"type\":3,\"method\":\"rpc.echo\",\"params\":[],\"bin\":[]}",
    404, "Method not found!", "method: 'rpc.echo'" },
  { "method-missing",       "{\"type\":3,\"params\":[],\"bin\":[]}",
    404, "Method not found!", "method: 'undefined'" },
  { "method-null",          "{\"type\":3,\"method\":null,\"params\":[]}",
    404, "Method not found!", "method: 'null'" },
  { "method-number",        "{\"type\":3,\"method\":12.5,\"params\":[]}",
    404, "Method not found!", "method: '12.5'" },
  { "method-object",        "{\"type\":3,\"method\":{\"rpc\":\"echo\"},\"params\":[]}",
    404, "Method not found!", "method: '[object Object]'" },
  { "method-empty-array",   "{\"type\":3,\"method\":[],\"params\":[]}",
    404, "Method not found!", "method: ''" },
  { "method-non-string-parts", "{\"type\":3,\"method\":[\"rpc\",1,null,true,{\"a\":1},[2,[3]]],\"params\":[]}",
    404, "Method not found!", "method: 'rpc,1,,true,[object Object],2,3'" },
  { "method-empty-part",    "{\"type\":3,\"method\":[\"rpc\",\"\"],\"params\":[]}",
    404, "Method not found!", "method: 'rpc,'" },
  /* Served as "rpc.echo", but a dotted part is not two parts. */
  { "method-dotted-part",   "{\"type\":3,\"method\":[\"rpc.echo\"],\"params\":[]}",
    404, "Method not found!", "method: 'rpc.echo'" },
  { "method-17-parts",      "{\"type\":3,\"method\":[\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\","
                            "\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\"],\"params\":[]}",
    404, "Method not found!", "method: 'a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a'" },
  { "method-unknown",       "{\"type\":3,\"method\":[\"rpc\",\"nothing\"],\"params\":[1]}",
    404, "Method not found!", "method: 'rpc,nothing'" },
  /* The params */
  { "params-string",        "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":\"x\",\"bin\":[]}",
    500, "Invalid RPC params", RPC_ECHO_DETAILS },
  { "params-object",        "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":{\"0\":1},\"bin\":[]}",
    500, "Invalid RPC params", RPC_ECHO_DETAILS },
  { "params-null",          "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":null,\"bin\":[]}",
    0, "{\"params\":[],\"bytes\":[]}", NULL },
  { "params-missing",       "{\"type\":3,\"method\":[\"rpc\",\"echo\"]}",
    0, "{\"params\":[],\"bytes\":[]}", NULL },
  /* The bin indexes */
  { "bin-string",           "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":[\"AA==\"],\"bin\":\"0\"}",
    500, "Invalid RPC bin", RPC_ECHO_DETAILS },
  { "bin-out-of-range",     "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":[\"AA==\"],\"bin\":[1]}",
    500, "Invalid RPC bin", RPC_ECHO_DETAILS },
  { "bin-out-of-range-string", "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":[\"AA==\"],\"bin\":[\"1\"]}",
    500, "Invalid RPC bin", RPC_ECHO_DETAILS },
  { "bin-huge-index",       "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":[\"AA==\"],\"bin\":[99999999999999999999]}",
    500, "Invalid RPC bin", RPC_ECHO_DETAILS },
  { "bin-negative",         "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":[\"AA==\"],\"bin\":[-1]}",
    500, "Invalid RPC bin", RPC_ECHO_DETAILS },
  { "bin-negative-string",  "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":[\"AA==\"],\"bin\":[\"-0\"]}",
    500, "Invalid RPC bin", RPC_ECHO_DETAILS },
  { "bin-garbage-string",   "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":[\"AA==\"],\"bin\":[\"zero\"]}",
    500, "Invalid RPC bin", RPC_ECHO_DETAILS },
  { "bin-leading-zero",     "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":[\"AA==\"],\"bin\":[\"00\"]}",
    500, "Invalid RPC bin", RPC_ECHO_DETAILS },
  { "bin-spaced-string",    "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":[\"AA==\"],\"bin\":[\" 0\"]}",
    500, "Invalid RPC bin", RPC_ECHO_DETAILS },
  { "bin-fraction",         "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":[\"AA==\"],\"bin\":[0.5]}",
    500, "Invalid RPC bin", RPC_ECHO_DETAILS },
  { "bin-null-entry",       "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":[\"AA==\"],\"bin\":[null]}",
    500, "Invalid RPC bin", RPC_ECHO_DETAILS },
  { "bin-duplicate",        "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":[\"AA==\"],\"bin\":[0,\"0\"]}",
    500, "Invalid RPC bin: param 0 listed twice", RPC_ECHO_DETAILS },
  { "bin-no-params",        "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"bin\":[0]}",
    500, "Invalid RPC bin", RPC_ECHO_DETAILS },
  /* The binary params */
  { "base64-invalid",       "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":[\"not base64!\"],\"bin\":[0]}",
    500, "Invalid RPC bin: param 0 is not base64", RPC_ECHO_DETAILS },
  { "base64-unpadded",      "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":[\"AAE\"],\"bin\":[0]}",
    500, "Invalid RPC bin: param 0 is not base64", RPC_ECHO_DETAILS },
  { "base64-not-a-string",  "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":[[1,2]],\"bin\":[0]}",
    500, "Invalid RPC bin: param 0 is not base64", RPC_ECHO_DETAILS },
  { "base64-null",          "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":[null],\"bin\":[0]}",
    500, "Invalid RPC bin: param 0 is not base64", RPC_ECHO_DETAILS },
  /* What is fine: string indexes as the JavaScript caller sends them,
   * integers, no "bin" at all, an empty string. */
  { "bin-string-index",     "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":[\"x\",\"AAEC\",\"\"],\"bin\":[\"1\",2]}",
    0, "{\"params\":[\"x\",\"AAEC\",\"\"],\"bytes\":[null,3,0]}", NULL },
  { "bin-missing",          "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":[\"AAEC\"]}",
    0, "{\"params\":[\"AAEC\"],\"bytes\":[null]}", NULL },
};

static gboolean
on_rpc_echo (AnySocket  *socket,
             AnyRpcCall *call,
             gpointer    user_data)
{
  JsonArray *params = any_rpc_call_get_params (call);
  g_autoptr(JsonNode) answer = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();
  JsonArray *sizes = json_array_new ();

  for (guint i = 0; i < json_array_get_length (params); i++)
    {
      g_autoptr(GBytes) bytes = any_rpc_call_get_param_bytes (call, i);

      if (bytes != NULL)
        json_array_add_int_element (sizes, g_bytes_get_size (bytes));
      else
        json_array_add_null_element (sizes);
    }
  json_object_set_array_member (object, "params", json_array_ref (params));
  json_object_set_array_member (object, "bytes", sizes);
  json_node_take_object (answer, object);
  any_rpc_call_return_value (call, answer);
  return TRUE;
}

/* The answer to request @seq: an error reply with @code, an @error that
 * starts so and @details (all but the first 40 bytes when @details_prefix),
 * or (@code 0) {"result": @error, "bin": false}. */
static void
raw_expect_rpc_reply (RawClient  *raw,
                      gint32      seq,
                      int         code,
                      const char *error,
                      const char *details,
                      gboolean    details_prefix)
{
  RawFrame *reply = raw_wait (raw, T_INTERNAL, -seq);
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;

  g_assert_nonnull (reply);
  object = frame_object (reply, &node);
  g_assert_nonnull (object);
  if (object == NULL)
    return;
  if (code == 0)
    {
      g_autoptr(JsonNode) expected = parse_json (error);

      g_assert_false (json_object_has_member (object, "error"));
      g_assert_false (json_object_get_boolean_member_with_default (object, "bin", TRUE));
      g_assert_true (json_node_equal (json_object_get_member (object, "result"), expected));
      return;
    }
  g_assert_cmpint (json_object_get_int_member_with_default (object, "code", 0), ==, code);
  assert_prefix (json_object_get_string_member_with_default (object, "error", NULL), error);
  if (details_prefix)
    assert_prefix (json_object_get_string_member_with_default (object, "details", NULL), details);
  else
    g_assert_cmpstr (json_object_get_string_member_with_default (object, "details", NULL), ==, details);
}

static void
test_rpc_bad (Fixture       *fx,
              gconstpointer  data)
{
  const BadRpc *c = data;
  RawClient *raw = raw_connect (fx);

  g_signal_connect (fx->server, "rpc::rpc.echo", G_CALLBACK (on_rpc_echo), NULL);
  if (!raw_auth (fx, raw))
    return;
  g_assert_true (raw_send (raw, LAST, T_INTERNAL, 2, c->body));
  raw_expect_rpc_reply (raw, 2, c->code, c->error, c->details, FALSE);
  g_assert_cmpuint (fx->raw_messages->len, ==, 0);
  raw->next_seq = 3;
  raw_expect_alive (fx, raw);
}

/* A method path of 60,000 bytes, in one part and in 16 parts: 404, and
 * the details quote only its start. */
static void
test_rpc_huge_method (Fixture       *fx,
                      gconstpointer  data)
{
  gboolean split = GPOINTER_TO_INT (data);
  RawClient *raw = raw_connect (fx);
  g_autoptr(GString) body = g_string_new ("{\"type\":3,\"method\":[");
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;
  RawFrame *reply;

  g_signal_connect (fx->server, "rpc::rpc.echo", G_CALLBACK (on_rpc_echo), NULL);
  if (!raw_auth (fx, raw))
    return;
  for (guint part = 0; part < (split ? 16 : 1); part++)
    {
      g_autofree char *name = g_strnfill (split ? 3750 : 60000, 'x');

      g_string_append_printf (body, "%s\"%s\"", part > 0 ? "," : "", name);
    }
  g_string_append (body, "],\"params\":[],\"bin\":[]}");
  g_assert_true (raw_send (raw, LAST, T_INTERNAL, 2, body->str));
  raw_expect_rpc_reply (raw, 2, 404, "Method not found!", "method: 'xxxxxxxx", TRUE);
  reply = raw_find (raw, T_INTERNAL, -2);
  object = frame_object (reply, &node);
  if (object != NULL)
    g_assert_cmpuint (strlen (json_object_get_string_member (object, "details")), <, 600);
  raw->next_seq = 3;
  raw_expect_alive (fx, raw);
}

/* No answer where none can be given: an RPC_NOTIFY (good or bad) and a
 * request with seq 0; a long "bin" fails at its first repeated entry. */
static void
test_rpc_unanswered (Fixture       *fx,
                     gconstpointer  data)
{
  RawClient *raw = raw_connect (fx);
  g_autoptr(GString) long_bin = g_string_new ("{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":[\"AA==\"],\"bin\":[0");

  g_signal_connect (fx->server, "rpc::rpc.echo", G_CALLBACK (on_rpc_echo), NULL);
  if (!raw_auth (fx, raw))
    return;
  for (guint i = 0; i < 10000; i++)
    g_string_append (long_bin, ",0");
  g_string_append (long_bin, "]}");

  g_assert_true (raw_send (raw, LAST, T_INTERNAL, 2, "{\"type\":4,\"method\":[\"rpc\",\"echo\"],\"params\":[1]}"));
  g_assert_true (raw_send (raw, LAST, T_INTERNAL, 3, "{\"type\":4,\"method\":7,\"params\":\"x\"}"));
  g_assert_true (raw_send (raw, LAST, T_INTERNAL, 4, "{\"type\":4,\"method\":[\"rpc\",\"echo\"],\"params\":\"x\"}"));
  g_assert_true (raw_send (raw, LAST, T_INTERNAL, 0, "{\"type\":3,\"method\":[\"rpc\",\"echo\"],\"params\":[]}"));
  g_assert_true (raw_send (raw, LAST, T_INTERNAL, 5, long_bin->str));
  raw_expect_rpc_reply (raw, 5, 500, "Invalid RPC bin: param 0 listed twice", RPC_ECHO_DETAILS, FALSE);
  raw->next_seq = 6;
  raw_expect_alive (fx, raw);
  g_assert_null (raw_find (raw, T_INTERNAL, -2));
  g_assert_null (raw_find (raw, T_INTERNAL, -3));
  g_assert_null (raw_find (raw, T_INTERNAL, -4));
  g_assert_null (raw_find (raw, T_INTERNAL, 0));
}

/* Cases: proxying (PROTOCOL.md 8). The server has no proxy-request
 * handler: as a hub it refuses, but only once a request is possible. */

typedef struct {
  const char *name;
  const char *id;       /* "$SELF", "$SERVER", or JSON for the "id" member; NULL: none */
  const char *action;
  const char *refusal;  /* the start of the reply's "error" */
} BadProxy;

static const BadProxy bad_proxies[] = {
  { "self",           "$SELF",                                  "proxy", "Cannot proxy loopback!" },
  { "the-hub",        "$SERVER",                                "proxy", "Cannot proxy loopback!" },
  { "unknown-peer",   "\"0123456789abcdef0123456789abcdef\"",   "proxy", "Cannot proxy: peer 0123456789abcdef0123456789abcdef is not connected here" },
  { "no-id",          NULL,                                     "proxy", "Cannot proxy: ids must be" },
  { "number-id",      "12345",                                  "proxy", "Cannot proxy: ids must be" },
  { "uppercase-id",   "\"0123456789ABCDEF0123456789ABCDEF\"",   "proxy", "Cannot proxy: ids must be" },
  { "long-id",        "\"0123456789abcdef0123456789abcdef00\"", "proxy", "Cannot proxy: ids must be" },
  { "unknown-action", "\"0123456789abcdef0123456789abcdef\"",   "grab",  "Unknown PROXY action" },
};

static char *
bad_proxy_body (const BadProxy *c,
                Fixture        *fx,
                RawClient      *raw)
{
  g_autofree char *id = NULL;

  if (c->id == NULL)
    return g_strdup_printf ("{\"type\":2,\"action\":\"%s\"}", c->action);
  if (g_str_equal (c->id, "$SELF"))
    id = g_strdup_printf ("\"%s\"", raw->id);
  else if (g_str_equal (c->id, "$SERVER"))
    id = g_strdup_printf ("\"%s\"", any_socket_get_id (fx->server));
  else
    id = g_strdup (c->id);
  return g_strdup_printf ("{\"type\":2,\"action\":\"%s\",\"id\":%s}", c->action, id);
}

/* Refused with a reason; the link stays. */
static void
assert_proxy_refused (Fixture    *fx,
                      RawClient  *raw,
                      gint32      seq,
                      const char *refusal)
{
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object = frame_object (raw_wait (raw, T_INTERNAL, -seq), &node);

  g_assert_nonnull (object);
  if (object == NULL)
    return;
  g_assert_false (json_object_get_boolean_member_with_default (object, "ok", TRUE));
  g_test_message ("refused: %s", json_object_get_string_member_with_default (object, "error", "(none)"));
  assert_prefix (json_object_get_string_member_with_default (object, "error", ""), refusal);
  raw->next_seq = seq + 1;
  raw_expect_alive (fx, raw);
}

static void
test_bad_proxy (Fixture       *fx,
                gconstpointer  data)
{
  const BadProxy *c = data;
  RawClient *raw = raw_connect (fx);
  g_autofree char *body = NULL;

  if (!raw_auth (fx, raw))
    return;
  body = bad_proxy_body (c, fx, raw);
  g_assert_true (raw_send (raw, LAST, T_INTERNAL, 2, body));
  assert_proxy_refused (fx, raw, 2, c->refusal);
}

/* A possible request, refused by default (as the JavaScript hub does,
 * which closes the link too; we answer `ok: false`). */
static void
test_proxy_refused_by_default (Fixture       *fx,
                               gconstpointer  data)
{
  RawClient *a = raw_connect (fx);
  RawClient *b = raw_connect (fx);
  g_autofree char *body = NULL;

  if (!raw_auth (fx, a) || !raw_auth (fx, b))
    return;
  body = g_strdup_printf ("{\"type\":2,\"action\":\"proxy\",\"id\":\"%s\"}", b->id);
  g_assert_true (raw_send (a, LAST, T_INTERNAL, 2, body));
  assert_proxy_refused (fx, a, 2, "Proxy refused by the hub");
  /* B heard nothing. */
  g_assert_null (raw_find_type (b, T_INTERNAL, NULL));
}

static void
id_to_bytes (const char *id,
             guint8      out[16])
{
  g_assert_cmpuint (strlen (id), ==, 32);
  for (guint i = 0; i < 16; i++)
    out[i] = (guint8) (g_ascii_xdigit_value (id[2 * i]) << 4 | g_ascii_xdigit_value (id[2 * i + 1]));
}

/* A FORWARD frame: @from, @to as ids, then a whole LINK chunk. */
static GBytes *
forward_frame (const char *to,
               const char *from)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  guint8 to_bytes[16], from_bytes[16];
  static const char inner[] = "13" "\0\0\0\x01" "{\"hi\":1}";

  id_to_bytes (to, to_bytes);
  id_to_bytes (from, from_bytes);
  g_byte_array_append (out, (const guint8 *) "6", 1);
  for (guint i = 0; i < 16; i++)
    append_byte_code_point (out, to_bytes[i]);
  for (guint i = 0; i < 16; i++)
    append_byte_code_point (out, from_bytes[i]);
  g_byte_array_append (out, (const guint8 *) inner, sizeof inner - 1);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* A FORWARD to a peer the sender was never linked with: this hub relays
 * only between linked peers (the JavaScript hub relays to anyone). */
static void
test_forward_unlinked (Fixture       *fx,
                       gconstpointer  data)
{
  RawClient *a = raw_connect (fx);
  RawClient *b = raw_connect (fx);
  g_autofree char *reason = NULL;

  if (!raw_auth (fx, a) || !raw_auth (fx, b))
    return;
  g_assert_true (raw_send_bytes (a, forward_frame (b->id, a->id), FALSE));
  reason = g_strdup_printf ("Invalid FORWARD: peer %s is not linked to %s", a->id, b->id);
  raw_expect_close (fx, a, reason);
  g_assert_cmpuint (b->frames->len, ==, 1);
}

/* A FORWARD to us from a peer we do not reach through the sender: late
 * frames of a closed proxied link look like this, so it is dropped. */
static void
test_forward_to_hub_unknown (Fixture       *fx,
                             gconstpointer  data)
{
  RawClient *a = raw_connect (fx);

  if (!raw_auth (fx, a))
    return;
  g_assert_true (raw_send_bytes (a, forward_frame (any_socket_get_id (fx->server), a->id), FALSE));
  a->next_seq = 2;
  raw_expect_alive (fx, a);
  g_assert_cmpuint (fx->raw_messages->len, ==, 1);
}

/* A hub announcing peers without end: at most 1024 proxied peers each. */
static void
test_network_flood (Fixture       *fx,
                    gconstpointer  data)
{
  RawClient *raw = raw_connect (fx);
  g_autoptr(GList) peers = NULL;
  guint proxied = 0;
  gint32 seq = 2;

  if (!raw_auth (fx, raw))
    return;
  for (guint i = 0; i < 1100; i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"type\":1,\"action\":\"connected\","
                                               "\"id\":\"%032x\"}", i + 1);

      g_assert_true (raw_send (raw, LAST, T_INTERNAL, seq++, body));
    }
  raw->next_seq = seq;
  raw_expect_alive (fx, raw);
  peers = any_socket_get_peers (fx->server);
  for (GList *l = peers; l != NULL; l = l->next)
    if (any_peer_is_proxy (l->data))
      proxied++;
  g_test_message ("%u proxied peers after 1100 announcements", proxied);
  g_assert_cmpuint (proxied, ==, 1024);
}

static const char * const bad_networks[] = {
  "{\"type\":1,\"action\":\"connected\",\"id\":\"not-an-id\"}",
  "{\"type\":1,\"action\":\"connected\"}",
  "{\"type\":1,\"action\":\"connected\",\"id\":42}",
  "{\"type\":1,\"action\":\"disconnected\",\"id\":\"0123456789abcdef0123456789abcdef\"}",
  "{\"type\":1,\"action\":\"explode\",\"id\":\"0123456789abcdef0123456789abcdef\"}",
  "{\"type\":1}",
};

/* NETWORK news we cannot use are ignored (the JavaScript peer would drop
 * the link for some); only a valid `connected` makes a proxied peer. */
static void
test_network_garbage (Fixture       *fx,
                      gconstpointer  data)
{
  RawClient *raw = raw_connect (fx);
  gint32 seq = 2;

  if (!raw_auth (fx, raw))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (bad_networks); i++)
    g_assert_true (raw_send (raw, LAST, T_INTERNAL, seq++, bad_networks[i]));
  raw->next_seq = seq;
  raw_expect_alive (fx, raw);
  g_assert_null (any_socket_get_peer (fx->server, "0123456789abcdef0123456789abcdef"));
  {
    g_autoptr(GList) peers = any_socket_get_peers (fx->server);

    g_assert_cmpuint (g_list_length (peers), ==, 2);
  }
}

/* Cases: HEARTBEAT (PROTOCOL.md 5) */

static void
test_heartbeat_ping (Fixture       *fx,
                     gconstpointer  data)
{
  RawClient *raw = raw_connect (fx);
  RawFrame *pong;

  if (!raw_auth (fx, raw))
    return;
  g_assert_true (raw_send (raw, LAST, T_HEARTBEAT, 2, "1"));
  WAIT_FOR (raw_find_type (raw, T_HEARTBEAT, "2") != NULL || raw->closed, WAIT_MS);
  pong = raw_find_type (raw, T_HEARTBEAT, "2");
  g_assert_nonnull (pong);
  if (pong != NULL)
    {
      g_assert_cmpint (pong->flag, ==, LAST);
      g_assert_cmpint (pong->seq, >, 0);
    }

  /* An unsolicited pong is harmless. */
  g_assert_true (raw_send (raw, LAST, T_HEARTBEAT, 3, "2"));
  raw->next_seq = 4;
  raw_expect_alive (fx, raw);
}

static void
test_heartbeat_invalid (Fixture       *fx,
                        gconstpointer  data)
{
  RawClient *raw = raw_connect (fx);

  if (!raw_auth (fx, raw))
    return;
  g_assert_true (raw_send (raw, LAST, T_HEARTBEAT, 2, (const char *) data));
  raw_expect_close (fx, raw, "Invalid HEARTBEAT packet");
}

/* Registration */

#define ADD(path, data, func) \
  g_test_add ("/badinput/" path, Fixture, data, fixture_setup, func, fixture_teardown)

static void
log_handler (const char     *domain,
             GLogLevelFlags  level,
             const char     *message,
             gpointer        user_data)
{
  if ((level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO)) && g_getenv ("BADINPUT_DEBUG") == NULL)
    return;
  g_log_default_handler (domain, level, message, user_data);
}

static GLogWriterOutput
log_writer (GLogLevelFlags   level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  /* Warnings and criticals fail the running case instead of aborting
   * the whole program, so that every case reports. */
  if ((level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO)) && g_getenv ("BADINPUT_DEBUG") == NULL)
    return G_LOG_WRITER_HANDLED;
  if (level & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL))
    {
      for (gsize i = 0; i < n_fields; i++)
        if (g_str_equal (fields[i].key, "MESSAGE"))
          g_test_message ("unexpected %s: %s", level & G_LOG_LEVEL_WARNING ? "warning" : "critical",
                          (const char *) fields[i].value);
      g_test_fail ();
    }
  return g_log_writer_default (level, fields, n_fields, user_data);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func (g_free);
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  g_log_set_always_fatal (G_LOG_FATAL_MASK);
  g_log_set_writer_func (log_writer, NULL, NULL);
  g_log_set_default_handler (log_handler, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (bad_frames); i++)
    for (int after = 0; after <= 1; after++)
      {
        BadFrameCase *c = g_new0 (BadFrameCase, 1);
        g_autofree char *path = g_strdup_printf ("/badinput/frame/%s/%s", bad_frames[i].name,
                                                 after ? "after-auth" : "before-auth");

        c->frame = &bad_frames[i];
        c->after_auth = after;
        g_ptr_array_add (cases, c);
        g_test_add (path, Fixture, c, fixture_setup, test_bad_frame, fixture_teardown);
      }
  ADD ("frame/all-at-once", NULL, test_many_bad_clients);
  ADD ("frame/invalid-utf8/before-auth", GINT_TO_POINTER (FALSE), test_invalid_utf8);
  ADD ("frame/invalid-utf8/after-auth", GINT_TO_POINTER (TRUE), test_invalid_utf8);

  for (guint i = 0; i < G_N_ELEMENTS (bad_auths); i++)
    {
      g_autofree char *path = g_strdup_printf ("/badinput/auth/invalid/%s", bad_auths[i].name);

      g_test_add (path, Fixture, &bad_auths[i], fixture_setup, test_bad_auth, fixture_teardown);
    }
  ADD ("auth/duplicate-id/healthy-client", GINT_TO_POINTER (FALSE), test_auth_duplicate_id);
  ADD ("auth/duplicate-id/server", GINT_TO_POINTER (TRUE), test_auth_duplicate_id);
  ADD ("auth/twice", NULL, test_auth_twice);
  ADD ("auth/timeout-silent", NULL, test_auth_timeout_silent);

  ADD ("held/link-then-timeout", NULL, test_held_then_timeout);
  ADD ("held/link-then-auth", NULL, test_held_then_auth);
  ADD ("held/link-then-bad-auth", NULL, test_held_then_bad_auth);
  ADD ("held/under-limit", GINT_TO_POINTER (FALSE), test_held_limit);
  ADD ("held/over-limit", GINT_TO_POINTER (TRUE), test_held_limit);
  ADD ("held/tiny-flood", NULL, test_held_tiny_flood);

  ADD ("reply/unknown-seq", NULL, test_reply_unknown_seq);

  ADD ("oversize/chunks", NULL, test_oversize_chunks);
  ADD ("oversize/single-chunk/before-auth", GINT_TO_POINTER (FALSE), test_oversize_single_chunk);
  ADD ("oversize/single-chunk/after-auth", GINT_TO_POINTER (TRUE), test_oversize_single_chunk);
  ADD ("oversize/frame/before-auth", GINT_TO_POINTER (FALSE), test_oversize_frame);
  ADD ("oversize/frame/after-auth", GINT_TO_POINTER (TRUE), test_oversize_frame);
  ADD ("oversize/flood", NULL, test_oversize_flood);
  ADD ("oversize/unfinished-total", NULL, test_unfinished_total);

  ADD ("partials/limit", NULL, test_partials_limit);
  ADD ("partials/flood", NULL, test_partials_flood);
  ADD ("partials/type-change", NULL, test_partial_type_change);

  for (guint i = 0; i < G_N_ELEMENTS (bad_internals); i++)
    {
      g_autofree char *path = g_strdup_printf ("/badinput/internal/unknown/%s", bad_internals[i].name);

      g_test_add (path, Fixture, &bad_internals[i], fixture_setup, test_internal_unknown, fixture_teardown);
    }
  ADD ("internal/rpc-404", NULL, test_internal_rpc);
  ADD ("internal/other-requests", NULL, test_internal_other);

  for (guint i = 0; i < G_N_ELEMENTS (bad_proxies); i++)
    {
      g_autofree char *path = g_strdup_printf ("/badinput/proxy/refused/%s", bad_proxies[i].name);

      g_test_add (path, Fixture, &bad_proxies[i], fixture_setup, test_bad_proxy, fixture_teardown);
    }
  ADD ("proxy/refused/by-default", NULL, test_proxy_refused_by_default);
  ADD ("proxy/forward-unlinked", NULL, test_forward_unlinked);
  ADD ("proxy/forward-to-hub-unknown", NULL, test_forward_to_hub_unknown);
  ADD ("proxy/network-garbage", NULL, test_network_garbage);
  ADD ("proxy/network-flood", NULL, test_network_flood);


  for (guint i = 0; i < G_N_ELEMENTS (bad_rpcs); i++)
    {
      g_autofree char *path = g_strdup_printf ("/badinput/rpc/%s", bad_rpcs[i].name);

      g_test_add (path, Fixture, &bad_rpcs[i], fixture_setup, test_rpc_bad, fixture_teardown);
    }
  ADD ("rpc/huge-method/one-part", GINT_TO_POINTER (FALSE), test_rpc_huge_method);
  ADD ("rpc/huge-method/16-parts", GINT_TO_POINTER (TRUE), test_rpc_huge_method);
  ADD ("rpc/unanswered", NULL, test_rpc_unanswered);
  ADD ("heartbeat/ping", NULL, test_heartbeat_ping);
  ADD ("heartbeat/invalid-3", "3", test_heartbeat_invalid);
  ADD ("heartbeat/invalid-string", "\"1\"", test_heartbeat_invalid);
  ADD ("heartbeat/invalid-object", "{}", test_heartbeat_invalid);

  status = g_test_run ();
  return status;
}
