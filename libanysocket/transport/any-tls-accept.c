/* any-tls-accept.c: the server side of a TLS handshake (wss://), TLS 1.2
 * and later only
 *
 * GIO cannot ask GnuTLS for a minimum protocol version, and Debian's
 * system priorities still allow TLS 1.0 and 1.1 (openssl s_client -tls1_1
 * completes a handshake): a handshake that ended on one of them is closed
 * right after it, before any data.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "transport/any-tls-accept.h"

static void
on_handshake (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GTlsConnection *tls = G_TLS_CONNECTION (source);
  GError *error = NULL;
  GTlsProtocolVersion version;

  if (!g_tls_connection_handshake_finish (tls, result, &error))
    {
      g_io_stream_close (G_IO_STREAM (tls), NULL, NULL);
      g_task_return_error (task, error);
      return;
    }
  version = g_tls_connection_get_protocol_version (tls);
  if (version != G_TLS_PROTOCOL_VERSION_TLS_1_2 && version != G_TLS_PROTOCOL_VERSION_TLS_1_3)
    {
      g_io_stream_close (G_IO_STREAM (tls), NULL, NULL);
      g_task_return_new_error (task, G_TLS_ERROR, G_TLS_ERROR_INAPPROPRIATE_FALLBACK,
                               "TLS older than 1.2 (GTlsProtocolVersion %d)", version);
      return;
    }
  g_task_return_pointer (task, g_object_ref (tls), g_object_unref);
}

void
any_tls_accept_async (GSocketConnection   *connection,
                      GTlsCertificate     *certificate,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  GTask *task = g_task_new (NULL, NULL, callback, user_data);
  GError *error = NULL;
  GIOStream *tls = g_tls_server_connection_new (G_IO_STREAM (connection), certificate, &error);

  g_task_set_source_tag (task, any_tls_accept_async);
  if (tls == NULL)
    {
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT, NULL, on_handshake, task);
  g_object_unref (tls);
}

GIOStream *
any_tls_accept_finish (GAsyncResult  *result,
                       GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
