/* raw-client.c: a libsoup WebSocket client that speaks AnySocket by hand
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

/* Its waits run beside abuse, and under valgrind. */
#define WAIT_MS 10000
#include "raw-client.h"
#include "wait.h"

gboolean
raw_is_open (RawClient *raw)
{
  return raw->conn != NULL && !raw->closed &&
         soup_websocket_connection_get_state (raw->conn) == SOUP_WEBSOCKET_STATE_OPEN;
}

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
raw_client_connect (const char *uri)
{
  RawClient *raw = raw_client_try_connect (uri, NULL);

  g_assert_no_error (raw->connect_error);
  return raw;
}

RawClient *
raw_client_try_connect (const char         *uri,
                        const char * const *headers)
{
  RawClient *raw = g_new0 (RawClient, 1);
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, uri);
  g_autofree char *uuid = g_uuid_string_random ();
  guint n = 0;

  for (guint i = 0; headers != NULL && headers[i] != NULL && headers[i + 1] != NULL; i += 2)
    soup_message_headers_append (soup_message_get_request_headers (msg), headers[i], headers[i + 1]);
  raw->frames = g_ptr_array_new_with_free_func (raw_frame_free);
  raw->next_seq = 2;   /* 1 is the AUTH */
  raw->pong_seq = RAW_PONG_SEQ_BASE;
  for (const char *p = uuid; *p != '\0' && n < 32; p++)
    if (*p != '-')
      raw->id[n++] = *p;
  raw->id[n] = '\0';

  raw->cancellable = g_cancellable_new ();
  raw->session = soup_session_new ();
  soup_session_remove_feature_by_type (raw->session, SOUP_TYPE_WEBSOCKET_EXTENSION_MANAGER);
  soup_session_websocket_connect_async (raw->session, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        raw->cancellable, on_raw_connected, raw);
  WAIT_FOR (raw->connect_done, WAIT_MS);
  g_assert_true (raw->connect_done);
  return raw;
}

void
raw_client_free (RawClient *raw)
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
          run_ready ();
          unflushed = 0;
        }
    }
  run_ready ();
  return i;
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
