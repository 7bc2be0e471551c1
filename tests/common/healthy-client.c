/* healthy-client.c: a well-behaved client that counts what comes back
 *
 * SPDX-License-Identifier: MIT
 */
#include "healthy-client.h"
#include "loopback.h"

/* Enough in flight to notice a stall at once, every 16th padded to 20 KiB
 * so that its frames interleave with the abuse's. */
#define HEALTHY_IN_FLIGHT    4
#define HEALTHY_PAD_EVERY    16
#define HEALTHY_PAD_BYTES    (20 * 1024)
/* Long: a reply this late is a failure the counts show, not a hang. */
#define HEALTHY_REQUEST_MS   20000
#define HEALTHY_CONNECT_MS   10000

typedef struct {
  HealthyClient *healthy;
  guint          n;
  gint64         sent_at;
} HealthyRequest;

static void pump (HealthyClient *healthy);

static void
on_reply (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  HealthyRequest *request = user_data;
  HealthyClient *healthy = request->healthy;
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPacket) reply = any_peer_request_finish (ANY_PEER (source), result, &error);

  healthy->in_flight--;
  g_ptr_array_remove_fast (healthy->in_flight_requests, request);
  healthy->slowest_reply_us = MAX (healthy->slowest_reply_us, g_get_monotonic_time () - request->sent_at);
  if (reply == NULL)
    {
      g_test_message ("healthy request %u failed: %s", request->n, error->message);
      healthy->failed++;
    }
  else
    {
      JsonNode *msg = any_packet_get_msg (reply);
      JsonObject *object = JSON_NODE_HOLDS_OBJECT (msg) ? json_node_get_object (msg) : NULL;
      JsonNode *echo = object ? json_object_get_member (object, "echo") : NULL;

      if (echo != NULL && JSON_NODE_HOLDS_OBJECT (echo) &&
          json_object_get_int_member_with_default (json_node_get_object (echo), "n", -1) == request->n)
        {
          healthy->replied++;
        }
      else
        {
          g_autofree char *text = json_to_string (msg, FALSE);

          g_test_message ("healthy request %u got a wrong reply: %s", request->n, text);
          healthy->mismatched++;
        }
    }
  g_free (request);
  pump (healthy);
}

static void
pump (HealthyClient *healthy)
{
  while (healthy->pumping && healthy->in_flight < HEALTHY_IN_FLIGHT && any_peer_is_connected (healthy->peer))
    {
      g_autoptr(JsonNode) msg = json_node_new (JSON_NODE_OBJECT);
      JsonObject *object = json_object_new ();
      HealthyRequest *request = g_new0 (HealthyRequest, 1);

      request->healthy = healthy;
      request->n = healthy->sent++;
      request->sent_at = g_get_monotonic_time ();
      g_ptr_array_add (healthy->in_flight_requests, request);
      json_object_set_int_member (object, "n", request->n);
      if (request->n % HEALTHY_PAD_EVERY == 0)
        {
          g_autofree char *pad = g_strnfill (HEALTHY_PAD_BYTES, 'h');

          json_object_set_string_member (object, "pad", pad);
        }
      json_node_take_object (msg, object);
      healthy->in_flight++;
      any_peer_request_async (healthy->peer, msg, HEALTHY_REQUEST_MS, NULL, on_reply, request);
    }
}

void
healthy_client_pump (HealthyClient *healthy,
                     gboolean       pumping)
{
  healthy->pumping = pumping;
  pump (healthy);
}

gint64
healthy_client_slowest_reply_us (HealthyClient *healthy)
{
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; i < healthy->in_flight_requests->len; i++)
    {
      HealthyRequest *request = g_ptr_array_index (healthy->in_flight_requests, i);

      healthy->slowest_reply_us = MAX (healthy->slowest_reply_us, now - request->sent_at);
    }
  return healthy->slowest_reply_us;
}

static void
on_disconnected (AnySocket  *socket,
                 AnyPeer    *peer,
                 const char *reason,
                 gpointer    user_data)
{
  HealthyClient *healthy = user_data;

  if (healthy->disconnect_reason == NULL)
    healthy->disconnect_reason = g_strdup (reason);
}

HealthyClient *
healthy_client_new (guint heartbeat_ms)
{
  HealthyClient *healthy = g_new0 (HealthyClient, 1);

  healthy->socket = any_socket_new ();
  healthy->id = g_strdup (any_socket_get_id (healthy->socket));
  healthy->in_flight_requests = g_ptr_array_new ();
  any_socket_set_heartbeat_interval (healthy->socket, heartbeat_ms);
  g_signal_connect (healthy->socket, "disconnected", G_CALLBACK (on_disconnected), healthy);
  return healthy;
}

void
healthy_client_connect (HealthyClient *healthy,
                        const char    *uri)
{
  AsyncResult r = { 0 };

  any_socket_connect_async (healthy->socket, uri, NULL, on_connected, &r);
  WAIT_FOR (r.done, HEALTHY_CONNECT_MS);
  g_assert_no_error (r.error);
  g_clear_error (&r.error);
  g_assert_nonnull (r.peer);
  healthy->peer = r.peer;
}

/* Stops the socket (the caller waits for the server to see it go, if it
 * cares) and frees what is left once the main loop ran a little. */
void
healthy_client_free (HealthyClient *healthy)
{
  g_clear_object (&healthy->peer);
  g_signal_handlers_disconnect_by_data (healthy->socket, healthy);
  g_clear_object (&healthy->socket);
  g_ptr_array_unref (healthy->in_flight_requests);
  g_free (healthy->disconnect_reason);
  g_free (healthy->id);
  g_free (healthy);
}
