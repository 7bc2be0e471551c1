/* test-ws-lanes.c: the send lanes of any-ws-transport.c (libsoup's
 * framing) and of any-ws-link.c (ours) over a real loopback TCP
 * connection, read by a libsoup WebSocket that stays idle
 * while we queue: an URGENT frame (a pong) sent after 16 MiB of ORDERED
 * frames reaches the peer ahead of most of them, never ahead of a
 * BARRIER, and closing hands everything queued before the close frame.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "transport/any-ws-link.h"
#include "transport/any-ws-transport.h"

#include "tcp-pair.h"

#define BIG_FRAME (1024 * 1024)
#define N_BIG     16
#define WAIT_US   (20 * G_USEC_PER_SEC)

typedef struct {
  GSocketConnection       *ours_tcp;
  GSocketConnection       *peer_tcp;
  SoupWebsocketConnection *ours;
  SoupWebsocketConnection *peer;
  AnyTransport            *transport;
  GPtrArray               *received;   /* char *: each frame's label */
  gboolean                 peer_closed;
  char                    *closed_reason;   /* what the transport reported */
} Fixture;

static void
on_transport_closed (gpointer    user_data,
                     const char *reason)
{
  Fixture *f = user_data;

  g_free (f->closed_reason);
  f->closed_reason = g_strdup (reason);
}

static void
on_peer_message (SoupWebsocketConnection *connection,
                 SoupWebsocketDataType    type,
                 GBytes                  *message,
                 gpointer                 user_data)
{
  Fixture *f = user_data;
  gsize len;
  const char *data = g_bytes_get_data (message, &len);
  const char *space = memchr (data, ' ', len);

  g_ptr_array_add (f->received, g_strndup (data, space != NULL ? (gsize) (space - data) : len));
}

static void
on_peer_closed (SoupWebsocketConnection *connection,
                gpointer                 user_data)
{
  ((Fixture *) user_data)->peer_closed = TRUE;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GUri) uri = g_uri_parse ("ws://127.0.0.1/", G_URI_FLAGS_NONE, NULL);

  tcp_pair (&f->ours_tcp, &f->peer_tcp);
  f->peer = soup_websocket_connection_new (G_IO_STREAM (f->peer_tcp), uri, SOUP_WEBSOCKET_CONNECTION_CLIENT,
                                           NULL, NULL, NULL);
  soup_websocket_connection_set_max_incoming_payload_size (f->peer, 4 * BIG_FRAME);
  if (data != NULL)   /* our framing */
    f->transport = any_ws_link_new (G_IO_STREAM (f->ours_tcp), TRUE, NULL, 0, NULL);
  else
    {
      f->ours = soup_websocket_connection_new (G_IO_STREAM (f->ours_tcp), uri, SOUP_WEBSOCKET_CONNECTION_SERVER,
                                               NULL, NULL, NULL);
      f->transport = any_ws_transport_new (f->ours, NULL);
    }
  any_transport_set_receiver (f->transport, NULL, on_transport_closed, f);
  f->received = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (f->peer, "message", G_CALLBACK (on_peer_message), f);
  g_signal_connect (f->peer, "closed", G_CALLBACK (on_peer_closed), f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_signal_handlers_disconnect_by_data (f->peer, f);
  if (!any_transport_is_closed (f->transport))
    any_transport_close (f->transport, "done");
  g_clear_object (&f->transport);
  g_clear_object (&f->ours);
  g_clear_object (&f->peer);
  g_clear_object (&f->ours_tcp);
  g_clear_object (&f->peer_tcp);
  g_ptr_array_unref (f->received);
  g_free (f->closed_reason);
}

/* A frame labelled @label, padded with @padding bytes. */
static void
send_frame (Fixture          *f,
            const char       *label,
            gsize             padding,
            AnyTransportLane  lane)
{
  GString *text = g_string_new (label);
  g_autoptr(GBytes) frame = NULL;

  if (padding > 0)
    {
      g_string_append_c (text, ' ');
      g_string_set_size (text, text->len + padding);
      memset (text->str + strlen (label) + 1, 'x', padding);
    }
  frame = g_string_free_to_bytes (text);
  any_transport_send_lane (f->transport, frame, lane);
}

static void
queue_big (Fixture *f)
{
  for (guint i = 0; i < N_BIG; i++)
    {
      g_autofree char *label = g_strdup_printf ("big%u", i);

      send_frame (f, label, BIG_FRAME, ANY_TRANSPORT_LANE_ORDERED);
    }
}

static gboolean
wait_received (Fixture *f,
               guint    count)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_US;

  while (f->received->len < count && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  return f->received->len >= count;
}

static guint
index_of (Fixture    *f,
          const char *label)
{
  for (guint i = 0; i < f->received->len; i++)
    if (strcmp (g_ptr_array_index (f->received, i), label) == 0)
      return i;
  g_assert_not_reached ();
}

/* The ORDERED frames keep their order; the URGENT one passes those still
 * waiting here: at most the frame being written and AHEAD_MAX (512 KiB)
 * are before it. Without the lanes it came 17th. */
static void
test_urgent_overtakes (Fixture       *f,
                       gconstpointer  data)
{
  guint urgent;

  queue_big (f);
  send_frame (f, "pong", 0, ANY_TRANSPORT_LANE_URGENT);
  send_frame (f, "after", 0, ANY_TRANSPORT_LANE_ORDERED);
  g_assert_true (wait_received (f, N_BIG + 2));

  urgent = index_of (f, "pong");
  g_test_message ("the urgent frame came %u-th of %u", urgent + 1, f->received->len);
  g_assert_cmpuint (urgent, <=, 2);
  for (guint i = 0, expected = 0; i < f->received->len; i++)
    {
      g_autofree char *label = g_strdup_printf ("big%u", expected);

      if (i == urgent)
        continue;
      if (expected == N_BIG)
        {
          g_assert_cmpstr (g_ptr_array_index (f->received, i), ==, "after");
          continue;
        }
      g_assert_cmpstr (g_ptr_array_index (f->received, i), ==, label);
      expected++;
    }
}

/* An URGENT frame never passes a BARRIER (a SWITCH) still waiting. */
static void
test_urgent_waits_for_barrier (Fixture       *f,
                               gconstpointer  data)
{
  queue_big (f);
  send_frame (f, "switch", 0, ANY_TRANSPORT_LANE_BARRIER);
  send_frame (f, "pong", 0, ANY_TRANSPORT_LANE_URGENT);
  g_assert_true (wait_received (f, N_BIG + 2));
  g_assert_cmpuint (index_of (f, "switch"), ==, N_BIG);
  g_assert_cmpuint (index_of (f, "pong"), ==, N_BIG + 1);
}

/* Closing hands what waits before the close frame: nothing is lost. */
static void
test_close_flushes (Fixture       *f,
                    gconstpointer  data)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_US;

  queue_big (f);
  send_frame (f, "last", 0, ANY_TRANSPORT_LANE_ORDERED);
  any_transport_close (f->transport, "bye");
  while (!f->peer_closed && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (f->peer_closed);
  g_assert_cmpuint (f->received->len, ==, N_BIG + 1);
  g_assert_cmpstr (g_ptr_array_index (f->received, N_BIG), ==, "last");
  g_assert_cmpstr (soup_websocket_connection_get_close_data (f->peer), ==, "bye");
}

/* What waits here counts against max-send-buffer, as what waits in
 * libsoup does: a peer that does not read is given up on. */
static void
test_waiting_bounded (Fixture       *f,
                      gconstpointer  data)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_US;

  any_transport_set_max_send_buffer (f->transport, 4 * BIG_FRAME);
  queue_big (f);
  while (f->closed_reason == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_nonnull (f->closed_reason);
  g_assert_true (g_str_has_prefix (f->closed_reason, "Send buffer full"));
  g_assert_cmpuint (f->received->len, <, N_BIG);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/ws-lanes/urgent-overtakes", Fixture, NULL, fixture_setup, test_urgent_overtakes, fixture_teardown);
  g_test_add ("/ws-lanes/urgent-waits-for-barrier", Fixture, NULL, fixture_setup, test_urgent_waits_for_barrier,
              fixture_teardown);
  g_test_add ("/ws-lanes/close-flushes", Fixture, NULL, fixture_setup, test_close_flushes, fixture_teardown);
  g_test_add ("/ws-lanes/waiting-bounded", Fixture, NULL, fixture_setup, test_waiting_bounded, fixture_teardown);

  g_test_add ("/ws-lanes/link/urgent-overtakes", Fixture, "link", fixture_setup, test_urgent_overtakes, fixture_teardown);
  g_test_add ("/ws-lanes/link/urgent-waits-for-barrier", Fixture, "link", fixture_setup, test_urgent_waits_for_barrier,
              fixture_teardown);
  g_test_add ("/ws-lanes/link/close-flushes", Fixture, "link", fixture_setup, test_close_flushes, fixture_teardown);
  g_test_add ("/ws-lanes/link/waiting-bounded", Fixture, "link", fixture_setup, test_waiting_bounded, fixture_teardown);


  return g_test_run ();
}
