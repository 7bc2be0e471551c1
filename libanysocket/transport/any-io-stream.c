/* any-io-stream.c: finding what is under a stack of GIOStreams
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "transport/any-io-stream.h"

GIOStream *
any_io_stream_dup_base (GIOStream *stream)
{
  GIOStream *base = NULL;

  if (G_IS_TLS_CONNECTION (stream))
    g_object_get (stream, "base-io-stream", &base, NULL);
  else if (g_object_class_find_property (G_OBJECT_GET_CLASS (stream), "base-iostream") != NULL)
    g_object_get (stream, "base-iostream", &base, NULL);
  return base;
}

GSocket *
any_io_stream_find_socket (GIOStream *stream)
{
  for (guint depth = 0; stream != NULL && depth < 5; depth++)
    {
      g_autoptr(GIOStream) base = NULL;

      if (G_IS_SOCKET_CONNECTION (stream))
        return g_socket_connection_get_socket (G_SOCKET_CONNECTION (stream));
      base = any_io_stream_dup_base (stream);
      stream = base;   /* still held by the stream above */
    }
  return NULL;
}
