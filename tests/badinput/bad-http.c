/* bad-http.c: hostile plain HTTP on the WebSocket port: a flood of
 * requests, bodies over the bound (declared, chunked, undeclared), and
 * requests that stall, beside the healthy client that must lose nothing
 *
 * The server of these cases has an auth timeout of HTTP_AUTH_TIMEOUT: the
 * deadline of an upgrade bounds reading a plain request too.
 *
 * SPDX-License-Identifier: MIT
 */
#include "bad-input.h"

#include <string.h>

#include "raw-http.h"

/* The bound any-http-exchange.h documents. */
#define MAX_BODY (1024 * 1024)

static gboolean
on_http_request (AnySocket      *socket,
                 AnyHttpRequest *request,
                 gpointer        user_data)
{
  guint *seen = user_data;
  g_autofree char *text = g_strdup_printf ("%zu", g_bytes_get_size (any_http_request_get_body (request)));
  g_autoptr(GBytes) body = g_bytes_new (text, strlen (text));

  (*seen)++;
  any_http_request_respond (request, 200, "text/plain", body);
  return TRUE;
}

/* Many clients, one request each, as fast as the server answers. */
static void
test_http_flood (Fixture       *fx,
                 gconstpointer  data)
{
  const guint count = running_slow () ? 100 : 1000;
  guint seen = 0, answered = 0;
  gint64 start = g_get_monotonic_time ();
  gulong id = g_signal_connect (fx->server, "http-request", G_CALLBACK (on_http_request), &seen);
  MemoryMark mark;

  memory_mark (&mark);
  for (guint i = 0; i < count && g_get_monotonic_time () - start < 20 * G_USEC_PER_SEC; i++)
    {
      g_autoptr(RawHttpResponse) r = raw_http_exchange (fx->port, "GET /x HTTP/1.1\r\nHost: a\r\n\r\n", WAIT_MS);

      answered += r->status == 200;
    }
  g_test_message ("%u requests answered in %" G_GINT64_FORMAT " ms; the healthy client's slowest reply %"
                  G_GINT64_FORMAT " ms", answered, (g_get_monotonic_time () - start) / 1000,
                  healthy_client_slowest_reply_us (fx->healthy) / 1000);
  g_assert_cmpuint (answered, ==, count);
  g_assert_cmpuint (seen, ==, count);
  assert_memory_growth (&mark, 2 * 1024 * 1024, "after the flood");
  g_assert_cmpint (healthy_client_slowest_reply_us (fx->healthy), <, 2 * G_USEC_PER_SEC);
  g_signal_handler_disconnect (fx->server, id);
}

static RawHttp *
post_head (Fixture    *fx,
           const char *headers)
{
  RawHttp *raw = raw_http_open (fx->port);
  g_autofree char *head = g_strdup_printf ("POST /upload HTTP/1.1\r\nHost: a\r\n%s\r\n", headers);

  g_assert_true (raw_http_send (raw, head, strlen (head)));
  return raw;
}

/* Sends @total bytes of body (as chunks when @chunked) while the server
 * reads them or until it closed. */
static void
send_body (RawHttp  *raw,
           gsize     total,
           gboolean  chunked)
{
  g_autofree char *block = g_malloc (65536);
  gsize sent = 0;

  memset (block, 'x', 65536);
  while (sent < total && !raw->closed)
    {
      gsize n = MIN (total - sent, 65536);
      g_autofree char *size = g_strdup_printf ("%zx\r\n", n);

      if (chunked && !raw_http_send (raw, size, strlen (size)))
        break;
      if (!raw_http_send (raw, block, n) || (chunked && !raw_http_send (raw, "\r\n", 2)))
        break;
      sent += n;
    }
  if (chunked && !raw->closed)
    raw_http_send (raw, "0\r\n\r\n", 5);
}

/* Declared and sent whole, one byte over: 413, never given to the
 * application; at the bound: given. */
static void
test_http_body_bound (Fixture       *fx,
                      gconstpointer  data)
{
  guint seen = 0;
  gulong id = g_signal_connect (fx->server, "http-request", G_CALLBACK (on_http_request), &seen);
  g_autofree char *over = g_strdup_printf ("Content-Length: %u\r\n", MAX_BODY + 1);
  g_autofree char *at = g_strdup_printf ("Content-Length: %u\r\n", MAX_BODY);
  g_autoptr(RawHttp) raw_over = post_head (fx, over);
  g_autoptr(RawHttp) raw_at = NULL;
  g_autoptr(RawHttpResponse) r_over = NULL;
  g_autoptr(RawHttpResponse) r_at = NULL;
  g_autofree char *connection = NULL;

  send_body (raw_over, MAX_BODY + 1, FALSE);
  r_over = raw_http_read (raw_over, FALSE, WAIT_MS);
  g_assert_cmpuint (r_over->status, ==, 413);
  connection = raw_http_header (r_over, "Connection");
  g_assert_cmpstr (connection, ==, "close");
  g_assert_cmpuint (seen, ==, 0);

  raw_at = post_head (fx, at);
  send_body (raw_at, MAX_BODY, FALSE);
  r_at = raw_http_read (raw_at, FALSE, WAIT_MS);
  g_assert_cmpuint (r_at->status, ==, 200);
  g_assert_cmpstr (raw_http_body_text (r_at), ==, "1048576");
  g_assert_cmpuint (seen, ==, 1);
  g_signal_handler_disconnect (fx->server, id);
}

/* "Expect: 100-continue" with a length over the bound: 413 at once, no
 * body read. */
static void
test_http_body_expect (Fixture       *fx,
                       gconstpointer  data)
{
  g_autoptr(RawHttp) raw = post_head (fx, "Content-Length: 1073741824\r\nExpect: 100-continue\r\n");
  g_autoptr(RawHttpResponse) r = raw_http_read (raw, FALSE, WAIT_MS);

  g_assert_cmpuint (r->status, ==, 413);
  /* It may come within one turn of the main loop: the healthy client
   * still gets its next reply. */
  WAIT_FOR (fx->healthy->replied > fx->replied_at_start, WAIT_MS);
}

/* A body far over the bound, declared or chunked, sent as fast as the
 * server takes it: none of it is kept, and the deadline ends it. */
static void
test_http_body_huge (Fixture       *fx,
                     gconstpointer  data)
{
  gboolean chunked = GPOINTER_TO_INT (data);
  guint seen = 0;
  gulong id = g_signal_connect (fx->server, "http-request", G_CALLBACK (on_http_request), &seen);
  g_autoptr(RawHttp) raw = post_head (fx, chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: 1073741824\r\n");
  gint64 start = g_get_monotonic_time ();
  MemoryMark mark;

  memory_mark (&mark);
  /* 64 MiB at most: the deadline closes it long before on loopback, or
   * the 413 comes when a smaller body is over. */
  send_body (raw, (gsize) 64 * 1024 * 1024, chunked);
  g_test_message ("sent for %" G_GINT64_FORMAT " ms, closed: %d",
                  (g_get_monotonic_time () - start) / 1000, raw->closed);
  assert_memory_growth (&mark, 4 * MAX_BODY, "while receiving the body");
  g_assert_true (raw_http_wait_closed (raw, WAIT_MS));
  g_test_message ("got: %.*s", (int) strcspn (raw->in->str, "\r"), raw->in->str);
  g_assert_cmpint (g_get_monotonic_time () - start, <, (gint64) WAIT_MS * 1000 * 2);
  g_assert_cmpuint (seen, ==, 0);
  g_signal_handler_disconnect (fx->server, id);
}

/* Headers or a body that stop coming: closed at the deadline. */
static void
test_http_stall (Fixture       *fx,
                 gconstpointer  data)
{
  const char *partial = data;
  g_autoptr(RawHttp) raw = raw_http_open (fx->port);
  gint64 start = g_get_monotonic_time (), elapsed_ms;

  g_assert_true (raw_http_send (raw, partial, strlen (partial)));
  g_assert_true (raw_http_wait_closed (raw, WAIT_MS));
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  g_test_message ("closed after %" G_GINT64_FORMAT " ms", elapsed_ms);
  g_assert_cmpint (elapsed_ms, >=, HTTP_AUTH_TIMEOUT / 2);
  g_assert_cmpint (elapsed_ms, <, WAIT_MS);
}

void
badinput_add_http_cases (void)
{
  ADD ("http/flood", NULL, test_http_flood);
  ADD ("http/body-bound", NULL, test_http_body_bound);
  ADD ("http/body-expect", NULL, test_http_body_expect);
  ADD ("http/body-huge-declared", GINT_TO_POINTER (FALSE), test_http_body_huge);
  ADD ("http/body-huge-chunked", GINT_TO_POINTER (TRUE), test_http_body_huge);
  ADD ("http/stall-headers", "GET / HTTP/1.1\r\nHost: a\r\n", test_http_stall);
  ADD ("http/stall-body", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n0123456789", test_http_stall);
  ADD ("http/stall-request-line", "GET /", test_http_stall);
}
