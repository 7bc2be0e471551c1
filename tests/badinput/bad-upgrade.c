/* bad-upgrade.c: the WebSocket upgrade answered without libsoup
 * (transport/any-ws-upgrade.c) at its edges, from raw TCP clients beside
 * the healthy client: a request in pieces, byte by byte, over the bound,
 * broken or unusual (libsoup's answer, as before), stalled or ended
 * half-way, silent, and bytes pipelined after the request's head
 *
 * Linked with the library's internal archive, to tell which path answered
 * (any_ws_upgrade_count()). The cases run under /badinput/http/, where
 * the upgrade deadline is HTTP_AUTH_TIMEOUT.
 *
 * SPDX-License-Identifier: MIT
 */
#include "bad-input.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include "raw-http.h"
#include "transport/any-ws-upgrade.h"

#define KEY "dGhlIHNhbXBsZSBub25jZQ=="
#define ACCEPT "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
#define REQUEST "GET /chat?room=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" \
                "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " KEY "\r\n\r\n"

/* Runs the server for about @ms while the client waits. */
static void
run_server_for (guint ms)
{
  gint64 until = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < until)
    {
      for (guint i = 0; i < 64 && g_main_context_iteration (NULL, FALSE); i++)
        ;
      g_usleep (500);
    }
}

/* Reads until @raw holds @len bytes (or @ms pass, or the server closed). */
static gboolean
receive_at_least (RawHttp *raw,
                  gsize    len,
                  guint    ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) ms * 1000;

  while (raw->in->len < len && !raw->closed && g_get_monotonic_time () < deadline)
    {
      char buf[4096];
      gssize n = recv (raw->fd, buf, sizeof buf, 0);

      if (n > 0)
        g_string_append_len (raw->in, buf, n);
      else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
        raw->closed = TRUE;
      else
        run_server_for (1);
    }
  return raw->in->len >= len;
}

/* The healthy client was answered during the case (which may take one
 * turn of the main loop). */
static void
expect_healthy (Fixture *fx)
{
  WAIT_FOR (fx->healthy->replied > fx->replied_at_start, WAIT_MS);
}

static void
expect_101 (RawHttp *raw)
{
  g_autoptr(RawHttpResponse) r = raw_http_read (raw, TRUE, WAIT_MS);
  g_autofree char *accept = NULL;

  g_test_message ("answer: %.*s", r->head != NULL ? (int) strcspn (r->head, "\r") : 0, r->head);
  g_assert_cmpuint (r->status, ==, 101);
  accept = raw_http_header (r, "Sec-WebSocket-Accept");
  g_assert_cmpstr (accept, ==, ACCEPT);
}

/* The library's own client takes the fast path: the healthy one did. */
static void
test_own_client (Fixture       *fx,
                 gconstpointer  data)
{
  g_assert_cmpuint (any_ws_upgrade_count (), >, 0);
  expect_healthy (fx);
}

/* A ping sent with the request to @port, in the same write: the link
 * reads it (nothing of it was consumed with the head) and answers it. */
static void
ping_with_request (guint port)
{
  g_autoptr(RawHttp) raw = raw_http_open (port);
  g_autoptr(GByteArray) out = g_byte_array_new ();
  guint before = any_ws_upgrade_count ();
  static const guint8 payload[] = "pipelined";
  const guint8 *pong;

  g_byte_array_append (out, (const guint8 *) REQUEST, strlen (REQUEST));
  bare_frame_append (out, TRUE, 0x9, payload, sizeof payload - 1);
  g_assert_true (raw_http_send (raw, (const char *) out->data, out->len));
  expect_101 (raw);
  g_assert_cmpuint (any_ws_upgrade_count (), ==, before + 1);
  g_assert_true (receive_at_least (raw, 2 + sizeof payload - 1, WAIT_MS));
  pong = (const guint8 *) raw->in->str;
  g_assert_cmphex (pong[0], ==, 0x8A);
  g_assert_cmpuint (pong[1], ==, sizeof payload - 1);
  g_assert_cmpmem (pong + 2, sizeof payload - 1, payload, sizeof payload - 1);
}

static void
test_pipelined (Fixture       *fx,
                gconstpointer  data)
{
  ping_with_request (fx->port);
  expect_healthy (fx);
}

/* A server that offers permessage-deflate: a client that asks for no
 * extension is answered here; one that asks for it gets it from libsoup. */
static void
test_deflate (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(AnySocket) server = any_socket_new ();
  g_autoptr(RawHttp) raw = NULL;
  g_autoptr(RawHttpResponse) r = NULL;
  g_autofree char *extensions = NULL;
  g_autofree char *request = NULL;
  guint port, before;

  any_socket_set_permessage_deflate (server, TRUE);
  port = listen_local (server);
  ping_with_request (port);

  before = any_ws_upgrade_count ();
  request = g_strdup_printf ("%.*sSec-WebSocket-Extensions: permessage-deflate\r\n\r\n",
                             (int) strlen (REQUEST) - 2, REQUEST);
  raw = raw_http_open (port);
  g_assert_true (raw_http_send (raw, request, strlen (request)));
  r = raw_http_read (raw, TRUE, WAIT_MS);
  g_assert_cmpuint (r->status, ==, 101);
  extensions = raw_http_header (r, "Sec-WebSocket-Extensions");
  g_assert_cmpstr (extensions, ==, "permessage-deflate");
  g_assert_cmpuint (any_ws_upgrade_count (), ==, before);
  any_socket_stop (server);
  expect_healthy (fx);
}

/* The request in @pieces writes, @gap_ms apart, the last of them holding
 * all the rest of the request from byte @tail_from on (0: even pieces);
 * @fast: the fast path answers (else libsoup, after MAX_PEEKS pieces). */
static void
send_in_pieces (Fixture *fx,
                guint    pieces,
                gsize    tail_from,
                guint    gap_ms,
                gboolean fast)
{
  g_autoptr(RawHttp) raw = raw_http_open (fx->port);
  gsize len = strlen (REQUEST), sent = 0;
  guint before = any_ws_upgrade_count ();

  for (guint i = 1; i <= pieces; i++)
    {
      gsize end = tail_from == 0 ? len * i / pieces : i < pieces ? i : len;

      g_assert_true (raw_http_send (raw, REQUEST + sent, end - sent));
      sent = end;
      run_server_for (gap_ms);
    }
  expect_101 (raw);
  g_assert_cmpuint (any_ws_upgrade_count (), ==, before + (fast ? 1 : 0));
  expect_healthy (fx);
}

static void
test_split (Fixture       *fx,
            gconstpointer  data)
{
  send_in_pieces (fx, 3, 0, 30, TRUE);
}

/* Past the bound of peeks (MAX_PEEKS, 16, in any-ws-server.c): libsoup
 * reads the rest and answers. 24 single bytes, then the rest at once:
 * the whole request byte by byte took longer than the 1 s upgrade
 * deadline under ASan (170 pieces of 2 ms, each slowed by the healthy
 * client's traffic), and the server rightly closed it. */
static void
test_byte_by_byte (Fixture       *fx,
                   gconstpointer  data)
{
  send_in_pieces (fx, 25, 24, 2, FALSE);
}

/* Whole, but its head is over ANY_WS_UPGRADE_MAX_HEAD: libsoup's. */
static void
test_over_bound (Fixture       *fx,
                 gconstpointer  data)
{
  g_autoptr(RawHttp) raw = raw_http_open (fx->port);
  g_autofree char *pad = g_strnfill (ANY_WS_UPGRADE_MAX_HEAD, 'x');
  g_autofree char *request = g_strdup_printf ("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: %s\r\n"
                                              "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                              "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " KEY "\r\n\r\n", pad);
  guint before = any_ws_upgrade_count ();

  g_assert_true (raw_http_send (raw, request, strlen (request)));
  expect_101 (raw);
  g_assert_cmpuint (any_ws_upgrade_count (), ==, before);
  expect_healthy (fx);
}

typedef struct {
  const char *name;
  const char *request;
  guint       status;
} Refused;

#define UPGRADE_TAIL "Upgrade: websocket\r\nConnection: Upgrade\r\n"
static const Refused refused[] = {
  { "two-keys", "GET / HTTP/1.1\r\nHost: a\r\n" UPGRADE_TAIL "Sec-WebSocket-Version: 13\r\n"
    "Sec-WebSocket-Key: " KEY "\r\nSec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\n\r\n", 400 },
  { "bad-key", "GET / HTTP/1.1\r\nHost: a\r\n" UPGRADE_TAIL "Sec-WebSocket-Version: 13\r\n"
    "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n", 400 },
  { "no-version", "GET / HTTP/1.1\r\nHost: a\r\n" UPGRADE_TAIL "Sec-WebSocket-Key: " KEY "\r\n\r\n", 400 },
  { "version-8", "GET / HTTP/1.1\r\nHost: a\r\n" UPGRADE_TAIL "Sec-WebSocket-Version: 8\r\n"
    "Sec-WebSocket-Key: " KEY "\r\n\r\n", 400 },
  { "post", "POST / HTTP/1.1\r\nHost: a\r\n" UPGRADE_TAIL "Sec-WebSocket-Version: 13\r\n"
    "Sec-WebSocket-Key: " KEY "\r\nContent-Length: 0\r\n\r\n", 400 },
  { "no-host", "GET / HTTP/1.1\r\n" UPGRADE_TAIL "Sec-WebSocket-Version: 13\r\n"
    "Sec-WebSocket-Key: " KEY "\r\n\r\n", 400 },
  { "bad-subprotocol", "GET / HTTP/1.1\r\nHost: a\r\n" UPGRADE_TAIL "Sec-WebSocket-Version: 13\r\n"
    "Sec-WebSocket-Key: " KEY "\r\nSec-WebSocket-Protocol: a b\r\n\r\n", 400 },
  /* Plain HTTP: the application's (no handler here: 404). */
  { "plain-get", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 404 },
};

/* What libsoup's path answered before: the same status, and the fast
 * path did not answer. */
static void
test_refused (Fixture       *fx,
              gconstpointer  data)
{
  const Refused *c = data;
  guint before = any_ws_upgrade_count ();
  g_autoptr(RawHttpResponse) r = raw_http_exchange (fx->port, c->request, WAIT_MS);

  g_test_message ("answer: %.*s", r->head != NULL ? (int) strcspn (r->head, "\r") : 0, r->head);
  g_assert_cmpuint (r->status, ==, c->status);
  g_assert_cmpuint (any_ws_upgrade_count (), ==, before);
  expect_healthy (fx);
}

/* Half a request, then silence or (@end) the end of the client's
 * stream: how long until the server closed it, in ms. */
static gint64
half_request (Fixture  *fx,
              gboolean  end)
{
  g_autoptr(RawHttp) raw = raw_http_open (fx->port);
  gint64 start = g_get_monotonic_time (), elapsed_ms;
  guint before = any_ws_upgrade_count ();

  g_assert_true (raw_http_send (raw, REQUEST, strlen (REQUEST) / 2));
  if (end)
    {
      run_server_for (20);
      g_assert_cmpint (shutdown (raw->fd, SHUT_WR), ==, 0);
    }
  g_assert_true (raw_http_wait_closed (raw, WAIT_MS));
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  g_test_message ("closed after %" G_GINT64_FORMAT " ms", elapsed_ms);
  g_assert_cmpuint (any_ws_upgrade_count (), ==, before);
  expect_healthy (fx);
  return elapsed_ms;
}

/* Silence: closed at the upgrade deadline. */
static void
test_stall (Fixture       *fx,
            gconstpointer  data)
{
  gint64 elapsed_ms = half_request (fx, FALSE);

  g_assert_cmpint (elapsed_ms, >=, HTTP_AUTH_TIMEOUT / 2);
  g_assert_cmpint (elapsed_ms, <, WAIT_MS);
}

/* The end: closed at once (libsoup reads it), not at the deadline. */
static void
test_half_then_end (Fixture       *fx,
                    gconstpointer  data)
{
  g_assert_cmpint (half_request (fx, TRUE), <, HTTP_AUTH_TIMEOUT / 2);
}

/* Not a byte: closed at the first byte's deadline (FIRST_BYTE_TIMEOUT_MS
 * in any-ws-server.c, 5 s), which the upgrade's does not shorten. */
static void
test_silent (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(RawHttp) raw = raw_http_open (fx->port);
  gint64 start = g_get_monotonic_time (), elapsed_ms;

  g_assert_true (raw_http_wait_closed (raw, 5000 + WAIT_MS));
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  g_test_message ("closed after %" G_GINT64_FORMAT " ms", elapsed_ms);
  g_assert_cmpint (elapsed_ms, >=, 4500);
  expect_healthy (fx);
}

void
badinput_add_upgrade_cases (void)
{
  ADD ("http/upgrade/own-client", NULL, test_own_client);
  ADD ("http/upgrade/pipelined", NULL, test_pipelined);
  ADD ("http/upgrade/deflate", NULL, test_deflate);
  ADD ("http/upgrade/split", NULL, test_split);
  ADD ("http/upgrade/byte-by-byte", NULL, test_byte_by_byte);
  ADD ("http/upgrade/over-bound", NULL, test_over_bound);
  ADD ("http/upgrade/stall", NULL, test_stall);
  ADD ("http/upgrade/half-then-end", NULL, test_half_then_end);
  ADD ("http/upgrade/silent", NULL, test_silent);
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autofree char *path = g_strdup_printf ("/badinput/http/upgrade/refused/%s", refused[i].name);

      g_test_add (path, Fixture, &refused[i], fixture_setup, test_refused, fixture_teardown);
    }
}
