/* loopback.c: two libanysocket endpoints over real loopback sockets,
 * the helpers of the tests that need them
 *
 * SPDX-License-Identifier: MIT
 */
#include "loopback.h"

/* Iterates the main context until *done or the deadline; every wait in
 * these tests is bounded. */
gboolean
wait_for (gboolean *done, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!*done && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (500);
  return *done;
}

gboolean
wait_count (int *counter, int count, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (*counter < count && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (500);
  return *counter >= count;
}

void
iterate_for (guint ms)
{
  gboolean never = FALSE;

  wait_for (&never, ms);
}

/* Lets closing handshakes finish (libsoup keeps a closing connection
 * alive until the other side answers), so nothing is in flight when a
 * test ends: quiet for 100 ms, or 3 s at most. */
void
drain (void)
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

void
on_listened (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AsyncResult *r = user_data;

  r->port = any_socket_listen_finish (ANY_SOCKET (source), result, &r->error);
  r->done = TRUE;
}

void
on_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AsyncResult *r = user_data;

  r->peer = any_socket_connect_finish (ANY_SOCKET (source), result, &r->error);
  r->done = TRUE;
}

guint
listen_local (AnySocket *socket)
{
  AsyncResult r = { 0 };

  any_socket_listen_async (socket, "ws://127.0.0.1:0", NULL, on_listened, &r);
  g_assert_true (wait_for (&r.done, WAIT_MS));
  g_assert_no_error (r.error);
  g_assert_cmpuint (r.port, >, 0);
  return r.port;
}

AnyPeer *
connect_local (AnySocket *socket, guint port, GError **error)
{
  AsyncResult r = { 0 };
  g_autofree char *uri = g_strdup_printf ("ws://127.0.0.1:%u", port);

  any_socket_connect_async (socket, uri, NULL, on_connected, &r);
  g_assert_true (wait_for (&r.done, WAIT_MS));
  if (r.error != NULL)
    g_propagate_error (error, r.error);
  return r.peer;
}

typedef struct {
  gboolean  done;
  gpointer  object;
  GError   *error;
} Waiter;

static gpointer
waiter_finish (Waiter  *w,
               GError **error)
{
  g_assert_true (wait_for (&w->done, WAIT_MS));
  if (w->error != NULL)
    g_propagate_error (error, w->error);
  return w->object;
}

static void
on_proxied (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Waiter *w = user_data;

  w->object = any_socket_proxy_finish (ANY_SOCKET (source), result, &w->error);
  w->done = TRUE;
}

AnyPeer *
proxy_local (AnySocket  *socket,
             const char *peer_id,
             AnyPeer    *through,
             GError    **error)
{
  Waiter w = { 0 };

  any_socket_proxy_async (socket, peer_id, through, NULL, on_proxied, &w);
  return waiter_finish (&w, error);
}

static void
on_replied (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Waiter *w = user_data;

  w->object = any_peer_request_finish (ANY_PEER (source), result, &w->error);
  w->done = TRUE;
}

AnyPacket *
request_local (AnyPeer   *peer,
               JsonNode  *msg,
               guint      timeout_ms,
               GError   **error)
{
  Waiter w = { 0 };

  any_peer_request_async (peer, msg, timeout_ms, NULL, on_replied, &w);
  return waiter_finish (&w, error);
}

JsonNode *
json_checked (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  return node;
}
