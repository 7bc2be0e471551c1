/* loopback.c: what tests over real loopback sockets share
 *
 * SPDX-License-Identifier: MIT
 */
#include "loopback.h"

gboolean
loopback_wait_for (gboolean *done,
                   guint     timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!*done && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (500);
  return *done;
}

void
loopback_iterate_for (guint ms)
{
  gboolean never = FALSE;

  loopback_wait_for (&never, ms);
}

void
loopback_drain (void)
{
  gint64 deadline = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  gint64 quiet_since = g_get_monotonic_time ();

  while (g_get_monotonic_time () < deadline &&
         g_get_monotonic_time () - quiet_since < 100 * 1000)
    {
      if (g_main_context_iteration (NULL, FALSE))
        quiet_since = g_get_monotonic_time ();
      else
        g_usleep (1000);
    }
}

typedef struct {
  gboolean  done;
  guint     port;
  gpointer  object;
  GError   *error;
} Waiter;

static void
on_listened (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Waiter *w = user_data;

  w->port = any_socket_listen_finish (ANY_SOCKET (source), result, &w->error);
  w->done = TRUE;
}

guint
loopback_listen (AnySocket *socket)
{
  Waiter w = { 0 };

  any_socket_listen_async (socket, "ws://127.0.0.1:0", NULL, on_listened, &w);
  g_assert_true (loopback_wait_for (&w.done, WAIT_MS));
  g_assert_no_error (w.error);
  g_assert_cmpuint (w.port, >, 0);
  return w.port;
}

static gpointer
finish_wait (Waiter  *w,
             GError **error)
{
  g_assert_true (loopback_wait_for (&w->done, WAIT_MS));
  if (w->error != NULL)
    g_propagate_error (error, w->error);
  return w->object;
}

static void
on_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Waiter *w = user_data;

  w->object = any_socket_connect_finish (ANY_SOCKET (source), result, &w->error);
  w->done = TRUE;
}

AnyPeer *
loopback_connect (AnySocket *socket,
                  guint      port,
                  GError   **error)
{
  Waiter w = { 0 };
  g_autofree char *uri = g_strdup_printf ("ws://127.0.0.1:%u", port);

  any_socket_connect_async (socket, uri, NULL, on_connected, &w);
  return finish_wait (&w, error);
}

static void
on_proxied (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Waiter *w = user_data;

  w->object = any_socket_proxy_finish (ANY_SOCKET (source), result, &w->error);
  w->done = TRUE;
}

AnyPeer *
loopback_proxy (AnySocket  *socket,
                const char *peer_id,
                AnyPeer    *through,
                GError    **error)
{
  Waiter w = { 0 };

  any_socket_proxy_async (socket, peer_id, through, NULL, on_proxied, &w);
  return finish_wait (&w, error);
}

static void
on_replied (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Waiter *w = user_data;

  w->object = any_peer_request_finish (ANY_PEER (source), result, &w->error);
  w->done = TRUE;
}

AnyPacket *
loopback_request (AnyPeer   *peer,
                  JsonNode  *msg,
                  guint      timeout_ms,
                  GError   **error)
{
  Waiter w = { 0 };

  any_peer_request_async (peer, msg, timeout_ms, NULL, on_replied, &w);
  return finish_wait (&w, error);
}

JsonNode *
loopback_json (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  return node;
}
