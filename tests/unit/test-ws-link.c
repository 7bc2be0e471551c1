/* test-ws-link.c: what any-ws-link.c does on a real loopback connection
 * besides the lanes (test-ws-lanes.c), against a raw peer: a client's
 * close completes against a server that never answers it, bytes read past
 * the upgrade come before the socket's, pings are answered, a frame the
 * RFC refuses closes with its code and reason both ways, the peer's close
 * is answered and reported, client frames are masked with a new key
 * each, and the server side gets the frames a client sent in the same
 * segment as its upgrade request (read by libsoup before the takeover).
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "transport/any-ws-link.h"
#include "transport/any-ws-server.h"
#include "transport/any-ws-parser.h"
#include "transport/any-ws-writer.h"

#include "tcp-pair.h"

#define WAIT_US (10 * G_USEC_PER_SEC)

typedef struct {
  GSocketConnection *ours_tcp;
  GSocketConnection *peer_tcp;
  AnyTransport      *transport;
  GPtrArray         *received;      /* frames the transport delivered */
  char              *closed_reason; /* what it reported */
  AnyWsParser        parser;        /* the peer's */
  GString           *peer_events;   /* what the peer read */
  gboolean           peer_eof;
  GByteArray        *peer_frames;   /* the peer's raw bytes, for masks */
} Fixture;

static void
on_frame (gpointer      user_data,
          const guint8 *data,
          gsize         len,
          gboolean      is_text)
{
  g_ptr_array_add (((Fixture *) user_data)->received, g_strndup ((const char *) data, len));
}

static void
on_closed (gpointer    user_data,
           const char *reason)
{
  Fixture *f = user_data;

  g_free (f->closed_reason);
  f->closed_reason = g_strdup (reason);
}

/* @server: the link is the accepting side; @pending: bytes behind the
 * upgrade. */
static void
setup_on_pair (Fixture    *f,
               gboolean    server,
               GByteArray *pending)
{
  f->transport = any_ws_link_new (G_IO_STREAM (f->ours_tcp), server, pending != NULL ? pending->data : NULL,
                                  pending != NULL ? pending->len : 0, NULL);
  any_transport_set_receiver (f->transport, on_frame, on_closed, f);
  f->received = g_ptr_array_new_with_free_func (g_free);
  any_ws_parser_init (&f->parser, !server, 1 << 20);
  f->peer_events = g_string_new (NULL);
  f->peer_frames = g_byte_array_new ();
}

static void
setup (Fixture    *f,
       gboolean    server,
       GByteArray *pending)
{
  tcp_pair (&f->ours_tcp, &f->peer_tcp);
  setup_on_pair (f, server, pending);
}

static void
teardown (Fixture *f)
{
  g_clear_object (&f->transport);
  g_clear_object (&f->ours_tcp);
  g_clear_object (&f->peer_tcp);
  g_ptr_array_unref (f->received);
  g_free (f->closed_reason);
  any_ws_parser_clear (&f->parser);
  g_string_free (f->peer_events, TRUE);
  g_byte_array_unref (f->peer_frames);
}

static GSocket *
peer_socket (Fixture *f)
{
  return g_socket_connection_get_socket (f->peer_tcp);
}

/* The peer sends a frame: masked if the link is the server. */
static void
peer_send (Fixture    *f,
           guint8      opcode,
           const void *payload,
           gsize       len)
{
  guint8 header[ANY_WS_MAX_HEADER];
  const guint8 mask[4] = { 1, 2, 3, 4 };
  gboolean masked = f->parser.expect_masked == FALSE;
  g_autofree guint8 *data = g_malloc (len + 1);
  guint header_len = any_ws_write_header (header, opcode, len, masked ? mask : NULL);

  if (masked)
    any_ws_mask_copy (data, payload, len, mask);
  else
    memcpy (data, payload, len);
  g_assert_cmpint (g_socket_send (peer_socket (f), (const char *) header, header_len, NULL, NULL), ==, header_len);
  if (len > 0)
    g_assert_cmpint (g_socket_send (peer_socket (f), (const char *) data, len, NULL, NULL), ==, (gssize) len);
}

/* Reads what waits for the peer, records its events. */
static void
peer_read (Fixture *f)
{
  guint8 buffer[4096];
  gssize n;

  while (!f->peer_eof &&
         (n = g_socket_receive_with_blocking (peer_socket (f), (char *) buffer, sizeof buffer, FALSE, NULL, NULL)) != -1)
    {
      guint8 *at = buffer;

      if (n == 0)
        {
          f->peer_eof = TRUE;
          g_string_append (f->peer_events, "eof\n");
          break;
        }
      g_byte_array_append (f->peer_frames, buffer, n);
      while (n > 0 && f->parser.error_code == 0)
        {
          gsize taken = 0;

          switch (any_ws_parser_feed (&f->parser, at, n, &taken))
            {
            case ANY_WS_PARSE_MESSAGE:
              g_string_append_printf (f->peer_events, "text:%.*s\n", (int) f->parser.len, f->parser.data);
              break;
            case ANY_WS_PARSE_PONG:
              g_string_append_printf (f->peer_events, "pong:%.*s\n", (int) f->parser.len, f->parser.data);
              break;
            case ANY_WS_PARSE_CLOSE:
              g_string_append_printf (f->peer_events, "close:%u:%s\n", f->parser.close_code, f->parser.close_reason);
              break;
            case ANY_WS_PARSE_ERROR:
              g_string_append_printf (f->peer_events, "error:%u\n", f->parser.error_code);
              break;
            default:
              break;
            }
          at += taken;
          n -= taken;
        }
    }
}

/* Runs the loop and reads as the peer until @done or WAIT_US. */
static gboolean
wait_for (Fixture  *f,
          gboolean (*done) (Fixture *f))
{
  gint64 deadline = g_get_monotonic_time () + WAIT_US;

  while (!done (f) && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      peer_read (f);
      g_usleep (500);
    }
  return done (f);
}

static gboolean
peer_at_eof (Fixture *f)
{
  return f->peer_eof;
}

static gboolean
got_two (Fixture *f)
{
  return f->received->len >= 2;
}

static gboolean
reported_closed (Fixture *f)
{
  return f->closed_reason != NULL && f->peer_eof;
}

static gboolean
peer_got_close (Fixture *f)
{
  return strstr (f->peer_events->str, "close:") != NULL;
}

static gboolean
peer_got_two_texts (Fixture *f)
{
  return strstr (f->peer_events->str, "text:same text\ntext:same text\n") != NULL;
}

static gboolean
peer_got_pong (Fixture *f)
{
  return strstr (f->peer_events->str, "pong:") != NULL;
}

/* The server never answers our close: the client still closes its
 * socket, after ANY_WS_LINK_CLOSE_TIMEOUT_MS, not libsoup's ~5 s; the
 * link outlives the engine's reference while it waits. */
static void
test_close_unanswered (void)
{
  Fixture f = { 0 };
  gint64 start;
  gint64 elapsed_ms;

  setup (&f, FALSE, NULL);
  any_transport_close (f.transport, "bye");
  g_clear_object (&f.transport);   /* the engine lets go at once */
  start = g_get_monotonic_time ();
  g_assert_true (wait_for (&f, peer_at_eof));
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  g_test_message ("closed after %" G_GINT64_FORMAT " ms", elapsed_ms);
  g_assert_cmpstr (f.peer_events->str, ==, "close:1000:bye\neof\n");
  g_assert_cmpint (elapsed_ms, >=, ANY_WS_LINK_CLOSE_TIMEOUT_MS / 2);
  g_assert_cmpint (elapsed_ms, <, 2 * ANY_WS_LINK_CLOSE_TIMEOUT_MS + 500);
  teardown (&f);
}

/* The server answers: the handshake ends without waiting. */
static void
test_close_answered (void)
{
  Fixture f = { 0 };
  gint64 start = g_get_monotonic_time ();

  setup (&f, TRUE, NULL);
  any_transport_close (f.transport, "bye");
  g_clear_object (&f.transport);
  g_assert_true (wait_for (&f, peer_got_close));
  peer_send (&f, ANY_WS_OPCODE_CLOSE, "\x03\xe8", 2);
  g_assert_true (wait_for (&f, peer_at_eof));
  g_assert_cmpint ((g_get_monotonic_time () - start) / 1000, <, ANY_WS_LINK_CLOSE_TIMEOUT_MS / 2);
  teardown (&f);
}

/* The peer closes: answered with its code, reported with its reason. */
static void
test_peer_closes (void)
{
  Fixture f = { 0 };

  setup (&f, TRUE, NULL);
  peer_send (&f, ANY_WS_OPCODE_CLOSE, "\x0f\xa0" "gone fishing", 14);   /* 4000 */
  g_assert_true (wait_for (&f, reported_closed));
  g_assert_cmpstr (f.closed_reason, ==, "gone fishing");
  g_assert_cmpstr (f.peer_events->str, ==, "close:4000:\neof\n");
  teardown (&f);
}

/* Bytes read past the upgrade are the first frames, before the socket's
 * (written before the link exists, so both are there at once). */
static void
test_pending_first (void)
{
  Fixture f = { 0 };
  g_autoptr(GByteArray) pending = g_byte_array_new ();
  const guint8 mask[4] = { 9, 8, 7, 6 };
  guint8 header[ANY_WS_MAX_HEADER];
  guint8 payload[5];

  g_byte_array_append (pending, header, any_ws_write_header (header, ANY_WS_OPCODE_TEXT, 5, mask));
  any_ws_mask_copy (payload, (const guint8 *) "first", 5, mask);
  g_byte_array_append (pending, payload, 5);

  tcp_pair (&f.ours_tcp, &f.peer_tcp);
  f.parser.expect_masked = FALSE;   /* so that peer_send() masks */
  peer_send (&f, ANY_WS_OPCODE_TEXT, "second", 6);
  setup_on_pair (&f, TRUE, pending);
  g_assert_true (wait_for (&f, got_two));
  g_assert_cmpstr (g_ptr_array_index (f.received, 0), ==, "first");
  g_assert_cmpstr (g_ptr_array_index (f.received, 1), ==, "second");
  teardown (&f);
}

/* A ping is answered at once, with its payload. */
static void
test_ping (void)
{
  Fixture f = { 0 };

  setup (&f, TRUE, NULL);
  peer_send (&f, ANY_WS_OPCODE_PING, "are you there", 13);
  g_assert_true (wait_for (&f, peer_got_pong));
  g_assert_cmpstr (f.peer_events->str, ==, "pong:are you there\n");
  teardown (&f);
}

/* An unmasked frame from a client: closed with 1002 and the parser's
 * reason, which the engine is told too; what the peer sends after is
 * dropped, its end of stream ends the link. */
static void
test_protocol_error (void)
{
  Fixture f = { 0 };
  guint8 frame[] = { 0x81, 0x02, 'h', 'i' };

  setup (&f, TRUE, NULL);
  g_socket_send (peer_socket (&f), (const char *) frame, sizeof frame, NULL, NULL);
  g_assert_true (wait_for (&f, peer_got_close));
  g_assert_cmpstr (f.closed_reason, ==, "Invalid Packet! Unmasked WebSocket frame from a client");
  g_socket_shutdown (peer_socket (&f), FALSE, TRUE, NULL);
  g_assert_true (wait_for (&f, peer_at_eof));
  g_assert_cmpstr (f.peer_events->str, ==, "close:1002:Invalid Packet! Unmasked WebSocket frame from a client\neof\n");
  g_assert_cmpuint (f.received->len, ==, 0);
  teardown (&f);
}

/* Client frames: masked, a new mask each; read back whole. */
static void
test_client_masks (void)
{
  Fixture f = { 0 };
  g_autoptr(GBytes) one = g_bytes_new_static ("same text", 9);
  guint8 first_mask[4];

  setup (&f, FALSE, NULL);
  f.parser.expect_masked = TRUE;
  any_transport_send (f.transport, one);
  any_transport_send (f.transport, one);
  g_assert_true (wait_for (&f, peer_got_two_texts));
  /* Both headers are 2 bytes + a 4-byte mask, then 9 bytes. */
  g_assert_cmpuint (f.peer_frames->len, ==, 2 * (2 + 4 + 9));
  memcpy (first_mask, f.peer_frames->data + 2, 4);
  g_assert_true (memcmp (first_mask, f.peer_frames->data + 15 + 2, 4) != 0);
  teardown (&f);
}

static void
on_server_accept (AnyTransport      *transport,
                  AnyUpgradeRequest *request,
                  gpointer           user_data)
{
  Fixture *f = user_data;

  g_assert_true (ANY_IS_WS_LINK (transport));
  f->transport = g_object_ref (transport);
  any_transport_set_receiver (transport, on_frame, on_closed, f);
}

static gboolean
got_one_and_pong (Fixture *f)
{
  return f->received->len >= 1 && peer_got_pong (f);
}

/* The upgrade request, a ping and a text frame in one send(2): libsoup
 * reads them all with the request; the taken-over link must answer the
 * ping and deliver the text. */
static void
test_server_takes_pending (void)
{
  Fixture f = { 0 };
  AnyWsServer *server = any_ws_server_new (FALSE, on_server_accept, &f);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GByteArray) out = g_byte_array_new ();
  const char *request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  const guint8 mask[4] = { 0x11, 0x22, 0x33, 0x44 };
  guint8 header[ANY_WS_MAX_HEADER];
  guint8 payload[16];
  guint16 port;
  gint64 deadline;
  const char *head_end;

  port = any_ws_server_listen (server, G_INET_SOCKET_ADDRESS (address), &error);
  g_assert_no_error (error);
  f.peer_tcp = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);
  f.received = g_ptr_array_new_with_free_func (g_free);
  any_ws_parser_init (&f.parser, FALSE, 1 << 20);
  f.peer_events = g_string_new (NULL);
  f.peer_frames = g_byte_array_new ();

  g_byte_array_append (out, (const guint8 *) request, strlen (request));
  g_byte_array_append (out, header, any_ws_write_header (header, ANY_WS_OPCODE_PING, 5, mask));
  any_ws_mask_copy (payload, (const guint8 *) "early", 5, mask);
  g_byte_array_append (out, payload, 5);
  g_byte_array_append (out, header, any_ws_write_header (header, ANY_WS_OPCODE_TEXT, 4, mask));
  any_ws_mask_copy (payload, (const guint8 *) "text", 4, mask);
  g_byte_array_append (out, payload, 4);
  g_assert_cmpint (g_socket_send (peer_socket (&f), (const char *) out->data, out->len, NULL, NULL), ==, out->len);

  /* The 101's head, then frames. */
  deadline = g_get_monotonic_time () + WAIT_US;
  while ((head_end = f.peer_frames->len == 0 ? NULL : g_strstr_len ((const char *) f.peer_frames->data,
                                                                     f.peer_frames->len, "\r\n\r\n")) == NULL &&
         g_get_monotonic_time () < deadline)
    {
      guint8 buffer[1024];
      gssize n;

      g_main_context_iteration (NULL, FALSE);
      n = g_socket_receive_with_blocking (peer_socket (&f), (char *) buffer, sizeof buffer, FALSE, NULL, NULL);
      if (n > 0)
        g_byte_array_append (f.peer_frames, buffer, n);
    }
  g_assert_nonnull (head_end);
  g_assert_true (g_str_has_prefix ((const char *) f.peer_frames->data, "HTTP/1.1 101"));
  {
    gsize head_len = (gsize) (head_end - (const char *) f.peer_frames->data) + 4;
    gsize rest = f.peer_frames->len - head_len;
    gsize taken = 0;

    /* Frames that came with the head */
    if (rest > 0 && any_ws_parser_feed (&f.parser, f.peer_frames->data + head_len, rest, &taken) == ANY_WS_PARSE_PONG)
      g_string_append_printf (f.peer_events, "pong:%.*s\n", (int) f.parser.len, f.parser.data);
  }
  g_assert_true (wait_for (&f, got_one_and_pong));
  g_assert_cmpstr (f.peer_events->str, ==, "pong:early\n");
  g_assert_cmpstr (g_ptr_array_index (f.received, 0), ==, "text");

  any_ws_server_disconnect (server);
  g_object_unref (server);
  teardown (&f);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ws-link/close-unanswered", test_close_unanswered);
  g_test_add_func ("/ws-link/close-answered", test_close_answered);
  g_test_add_func ("/ws-link/peer-closes", test_peer_closes);
  g_test_add_func ("/ws-link/pending-first", test_pending_first);
  g_test_add_func ("/ws-link/ping", test_ping);
  g_test_add_func ("/ws-link/protocol-error", test_protocol_error);
  g_test_add_func ("/ws-link/client-masks", test_client_masks);
  g_test_add_func ("/ws-link/server-takes-pending", test_server_takes_pending);

  return g_test_run ();
}
