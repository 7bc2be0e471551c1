/* any-stream-hello.c: the hello that opens a tcp:// or unix:// link
 *
 * Both sides write their 8-byte hello at once and read exactly 8 bytes:
 * nothing of the frames behind is read here, so the link starts on a
 * clean stream. A peer that is not ours (an HTTP server, a WebSocket or
 * TLS client, a port scanner's bytes) fails at its first 8 bytes; one
 * that says nothing fails at the deadline.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "any-error.h"
#include "transport/any-dial-guard.h"
#include "transport/any-stream-hello.h"
#include "transport/any-ws-link.h"

typedef struct {
  GSocketConnection *connection;
  gboolean           server;
  char              *remote_address;
  AnyDialGuard       guard;          /* the caller's and the deadline */
  gboolean           written;
  gboolean           read;
  GError            *error;
  guint8             hello[ANY_STREAM_HELLO_LEN];
  guint8             peer[ANY_STREAM_HELLO_LEN];
  gsize              peer_len;
} Hello;

static void
hello_free (gpointer data)
{
  Hello *h = data;

  any_dial_guard_clear (&h->guard);
  g_clear_object (&h->connection);
  g_clear_error (&h->error);
  g_free (h->remote_address);
  g_free (h);
}

/* What was wrong with the peer's hello, or NULL. */
static GError *
check_peer (Hello *h)
{
  if (h->peer_len < ANY_STREAM_HELLO_LEN)
    return g_error_new (ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_DISCONNECTED,
                        _("%s closed the connection before its hello"), h->remote_address);
  if (memcmp (h->peer, ANY_STREAM_MAGIC, ANY_STREAM_MAGIC_LEN) != 0)
    return g_error_new (ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROTOCOL,
                        _("%s does not speak the AnySocket stream protocol"), h->remote_address);
  if (h->peer[ANY_STREAM_MAGIC_LEN] != ANY_STREAM_VERSION)
    return g_error_new (ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROTOCOL,
                        _("%s speaks version %u of the AnySocket stream protocol, not %u"),
                        h->remote_address, h->peer[ANY_STREAM_MAGIC_LEN], ANY_STREAM_VERSION);
  return NULL;
}

/* Both halves done (or one failed): the link, or the first error. */
static void
complete (GTask *task)
{
  Hello *h = g_task_get_task_data (task);
  GError *error = g_steal_pointer (&h->error);

  if (error == NULL)
    error = check_peer (h);
  if (error != NULL)
    {
      error = any_dial_guard_explain (&h->guard, error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_TIMEOUT,
                                      _("No AnySocket stream hello from %s within %u ms"),
                                      h->remote_address, h->guard.timeout_ms);
      g_debug ("Stream link %s: %s", h->remote_address, error->message);
      g_io_stream_close (G_IO_STREAM (h->connection), NULL, NULL);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task,
                         any_ws_link_new_unmasked (G_IO_STREAM (h->connection), h->server, h->remote_address),
                         g_object_unref);
}

/* One half done: the first error cancels the other, the last one
 * completes. */
static void
half_done (GTask  *task,
           GError *error)
{
  Hello *h = g_task_get_task_data (task);

  if (error != NULL)
    {
      if (h->error == NULL)
        h->error = error;
      else
        g_error_free (error);
      g_cancellable_cancel (h->guard.cancellable);
    }
  if (h->written && h->read)
    complete (task);
  g_object_unref (task);
}

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  Hello *h = g_task_get_task_data (task);
  GError *error = NULL;

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error);
  h->written = TRUE;
  half_done (task, error);
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  Hello *h = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_input_stream_read_all_finish (G_INPUT_STREAM (source), result, &h->peer_len, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* A reset before the hello: most often a server of another kind
       * that refused ours. */
      GError *said = g_error_new (ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_DISCONNECTED,
                                  _("%s closed the connection before its hello (not an AnySocket stream peer?): %s"),
                                  h->remote_address, error->message);

      g_error_free (error);
      error = said;
    }
  h->read = TRUE;
  /* A wrong hello stops the write of ours too. */
  if (error == NULL)
    error = check_peer (h);
  half_done (task, error);
}

void
any_stream_hello_async (GSocketConnection   *connection,
                        gboolean             server,
                        const char          *remote_address,
                        guint                timeout_ms,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  GIOStream *stream = G_IO_STREAM (connection);
  Hello *h = g_new0 (Hello, 1);

  g_task_set_source_tag (task, any_stream_hello_async);
  g_task_set_task_data (task, h, hello_free);
  h->connection = g_object_ref (connection);
  h->server = server;
  h->remote_address = g_strdup (remote_address != NULL ? remote_address : "?");
  memcpy (h->hello, ANY_STREAM_MAGIC, ANY_STREAM_MAGIC_LEN);
  h->hello[ANY_STREAM_MAGIC_LEN] = ANY_STREAM_VERSION;
  any_dial_guard_init (&h->guard, cancellable, NULL, timeout_ms, "[anysocket] stream hello deadline");

  /* Two halves, each holding the task. */
  g_output_stream_write_all_async (g_io_stream_get_output_stream (stream), h->hello, sizeof h->hello,
                                   G_PRIORITY_DEFAULT, h->guard.cancellable, on_written, g_object_ref (task));
  g_input_stream_read_all_async (g_io_stream_get_input_stream (stream), h->peer, sizeof h->peer,
                                 G_PRIORITY_DEFAULT, h->guard.cancellable, on_read, task);
}

AnyTransport *
any_stream_hello_finish (GAsyncResult  *result,
                         GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
