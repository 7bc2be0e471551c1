/* loopback.c: two libanysocket endpoints over real loopback sockets,
 * the helpers of the tests that need them
 *
 * SPDX-License-Identifier: MIT
 */
/* Its waits for a callback that should be quick are bounded longer
 * than a test's own: they run beside node processes (tests/interop) and
 * under valgrind. */
#define WAIT_MS 10000
#include "loopback.h"

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
               guint    wait_ms,
               GError **error)
{
  g_assert_true (wait_for (&w->done, wait_ms));
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
  return waiter_finish (&w, WAIT_MS, error);
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
  /* Past the request's own time-out (whose error is the answer then). */
  return waiter_finish (&w, timeout_ms + WAIT_MS, error);
}

gboolean
allow_every_proxy (AnySocket  *socket,
                   AnyPeer    *from,
                   const char *target_id,
                   gpointer    user_data)
{
  return TRUE;
}

gboolean
rpc_add_numbers (AnySocket  *socket,
                 AnyRpcCall *call,
                 gpointer    user_data)
{
  JsonArray *params = any_rpc_call_get_params (call);
  g_autoptr(JsonNode) sum = json_node_init_int (json_node_alloc (),
                                                json_array_get_int_element (params, 0) +
                                                json_array_get_int_element (params, 1));

  if (user_data != NULL)
    *(gboolean *) user_data = any_peer_is_proxy (any_rpc_call_get_peer (call));
  any_rpc_call_return_value (call, sum);
  return TRUE;
}

void
call_answered (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  JsonNode **answer = user_data;
  g_autoptr(GError) error = NULL;

  *answer = any_peer_call_finish (ANY_PEER (source), result, &error);
  g_assert_no_error (error);
}

void
send_local (AnyPeer  *peer,
            JsonNode *msg)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (any_peer_send (peer, msg, &error));
  g_assert_no_error (error);
}

void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}
