/* test-coalescing-stream.c: AnyCoalescingStream over a real loopback TCP
 * connection: what it keeps, when it sends it, and that nothing is lost or
 * reordered, also when the peer stops reading or goes away.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "transport/any-coalescing-stream.h"

#include "tcp-pair.h"

typedef struct {
  GSocketConnection *ours;     /* under the AnyCoalescingStream */
  GSocketConnection *peer;     /* read and written raw by the test */
  GIOStream         *stream;
  GPollableInputStream  *in;
  GPollableOutputStream *out;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  tcp_pair (&f->ours, &f->peer);
  g_socket_set_timeout (g_socket_connection_get_socket (f->peer), 5);

  f->stream = any_coalescing_stream_new (G_IO_STREAM (f->ours));
  f->in = G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (f->stream));
  f->out = G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (f->stream));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->stream);
  g_clear_object (&f->ours);
  g_clear_object (&f->peer);
}

static GSocket *
peer_socket (Fixture *f)
{
  return g_socket_connection_get_socket (f->peer);
}

static void
peer_send (Fixture    *f,
           const char *text)
{
  g_autoptr(GError) error = NULL;
  gssize n = g_socket_send (peer_socket (f), text, strlen (text), NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (n, ==, (gssize) strlen (text));
}

/* What the peer has received so far, after @settle_ms for loopback to
 * deliver what was sent (nothing, if nothing was). */
static char *
peer_drain (Fixture *f,
            guint    settle_ms)
{
  GString *got = g_string_new (NULL);
  char buf[4096];

  g_usleep (settle_ms * 1000);
  for (guint i = 0; i < 1000; i++)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_receive_with_blocking (peer_socket (f), buf, sizeof buf, FALSE, NULL, &error);

      if (n <= 0)
        break;
      g_string_append_len (got, buf, n);
    }
  return g_string_free (got, FALSE);
}

/* Reads what the peer sent, as libsoup does: waits for it, then reads. */
static gssize
read_batch (Fixture *f,
            char    *buf,
            gsize    size)
{
  GError *error = NULL;
  gssize n;

  for (guint i = 0; i < 500 && !g_pollable_input_stream_is_readable (f->in); i++)
    g_usleep (1000);
  n = g_pollable_input_stream_read_nonblocking (f->in, buf, size, NULL, &error);
  g_assert_no_error (error);
  return n;
}

static void
write_ok (Fixture    *f,
          const char *text)
{
  g_autoptr(GError) error = NULL;
  gssize n = g_pollable_output_stream_write_nonblocking (f->out, text, strlen (text), NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (n, ==, (gssize) strlen (text));
}

static void
assert_would_block_read (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  char buf[16];
  gssize n = g_pollable_input_stream_read_nonblocking (f->in, buf, sizeof buf, NULL, &error);

  g_assert_cmpint (n, ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
}

static void
test_passthrough_before_start (Fixture       *f,
                               gconstpointer  data)
{
  char buf[16];
  g_autofree char *got = NULL;

  peer_send (f, "GET");
  g_assert_cmpint (read_batch (f, buf, sizeof buf), ==, 3);
  write_ok (f, "a");
  write_ok (f, "b");
  got = peer_drain (f, 20);
  g_assert_cmpstr (got, ==, "ab");
}

static void
test_batch_keeps_later_writes (Fixture       *f,
                               gconstpointer  data)
{
  char buf[16];
  g_autofree char *first = NULL;
  g_autofree char *rest = NULL;

  any_coalescing_stream_start (ANY_COALESCING_STREAM (f->stream));
  peer_send (f, "req");
  g_assert_cmpint (read_batch (f, buf, 1), ==, 1);   /* a batch starts */
  write_ok (f, "1");                                  /* the first: at once */
  write_ok (f, "2");
  write_ok (f, "3");
  first = peer_drain (f, 20);
  g_assert_cmpstr (first, ==, "1");
  /* What the batch brought is still read from memory: still kept. */
  g_assert_cmpint (read_batch (f, buf, sizeof buf), ==, 2);
  g_free (first);
  first = peer_drain (f, 20);
  g_assert_cmpstr (first, ==, "");
  assert_would_block_read (f);                        /* the batch is over */
  rest = peer_drain (f, 20);
  g_assert_cmpstr (rest, ==, "23");
  /* Outside a batch a write goes straight out. */
  write_ok (f, "4");
  g_free (rest);
  rest = peer_drain (f, 20);
  g_assert_cmpstr (rest, ==, "4");
}

static void
test_waiting_sends_kept (Fixture       *f,
                         gconstpointer  data)
{
  char buf[16];
  g_autoptr(GSource) source = NULL;
  g_autofree char *got = NULL;

  any_coalescing_stream_start (ANY_COALESCING_STREAM (f->stream));
  peer_send (f, "x");
  g_assert_cmpint (read_batch (f, buf, sizeof buf), ==, 1);
  write_ok (f, "a");
  write_ok (f, "b");
  source = g_pollable_input_stream_create_source (f->in, NULL);
  got = peer_drain (f, 20);
  g_assert_cmpstr (got, ==, "ab");
}

static void
test_close_sends_kept (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  char buf[16];
  g_autofree char *got = NULL;

  any_coalescing_stream_start (ANY_COALESCING_STREAM (f->stream));
  peer_send (f, "x");
  g_assert_cmpint (read_batch (f, buf, sizeof buf), ==, 1);
  write_ok (f, "first");
  write_ok (f, "-kept");
  g_assert_true (g_io_stream_close (f->stream, NULL, &error));
  g_assert_no_error (error);
  got = peer_drain (f, 20);
  g_assert_cmpstr (got, ==, "first-kept");
  g_assert_true (g_io_stream_is_closed (G_IO_STREAM (f->ours)));
}

static void
on_closed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  gboolean *done = user_data;

  g_assert_true (g_io_stream_close_finish (G_IO_STREAM (source), result, NULL));
  *done = TRUE;
}

/* libsoup closes asynchronously; GIO's default would close in a thread. */
static void
test_close_async_in_place (Fixture       *f,
                           gconstpointer  data)
{
  gboolean done = FALSE;

  any_coalescing_stream_start (ANY_COALESCING_STREAM (f->stream));
  g_io_stream_close_async (f->stream, G_PRIORITY_DEFAULT, NULL, on_closed, &done);
  g_assert_true (g_io_stream_is_closed (G_IO_STREAM (f->ours)));
  for (guint i = 0; i < 100 && !done; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (done);
}

/* A peer that stops reading: the kept writes wait, then a write would
 * block; when the peer reads again, everything arrives, in order. */
static void
test_full_socket_keeps_order (Fixture       *f,
                              gconstpointer  data)
{
  static guint8 chunk[3000];
  char buf[16];
  guint64 written = 0;
  guint64 received = 0;
  gboolean blocked = FALSE;
  gint64 deadline;

  any_coalescing_stream_start (ANY_COALESCING_STREAM (f->stream));
  peer_send (f, "x");
  g_assert_cmpint (read_batch (f, buf, sizeof buf), ==, 1);

  /* Each byte is its offset in the stream, mod 251. */
  for (guint i = 0; i < 20000 && !blocked; i++)
    {
      g_autoptr(GError) error = NULL;
      gssize n;

      for (gsize j = 0; j < sizeof chunk; j++)
        chunk[j] = (guint8) ((written + j) % 251);
      n = g_pollable_output_stream_write_nonblocking (f->out, chunk, sizeof chunk, NULL, &error);
      if (n < 0)
        {
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
          blocked = TRUE;
        }
      else
        {
          written += n;
        }
    }
  g_assert_true (blocked);
  g_assert_false (g_pollable_output_stream_is_writable (f->out));
  assert_would_block_read (f);   /* the batch is over: nothing more to read */

  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (received < written && g_get_monotonic_time () < deadline)
    {
      guint8 in[65536];
      g_autoptr(GError) error = NULL;
      gssize n;

      g_main_context_iteration (NULL, FALSE);   /* the drain watch */
      n = g_socket_receive_with_blocking (peer_socket (f), (char *) in, sizeof in, FALSE, NULL, &error);
      if (n <= 0)
        {
          g_usleep (1000);
          continue;
        }
      for (gssize j = 0; j < n; j++)
        if (in[j] != (guint8) ((received + j) % 251))
          g_error ("byte %" G_GUINT64_FORMAT " is %u, not %u", received + j, in[j],
                   (guint) ((received + j) % 251));
      received += n;
    }
  g_assert_cmpuint (received, ==, written);
  g_test_message ("%" G_GUINT64_FORMAT " bytes written before the socket was full, all received in order",
                  written);
  g_assert_true (g_pollable_output_stream_is_writable (f->out));
}

/* A peer that resets the connection: a kept write that cannot be sent is
 * reported by the next write, not lost silently. */
static void
test_error_is_reported (Fixture       *f,
                        gconstpointer  data)
{
  struct linger reset = { 1, 0 };
  char buf[16];

  any_coalescing_stream_start (ANY_COALESCING_STREAM (f->stream));
  peer_send (f, "x");
  g_assert_cmpint (read_batch (f, buf, sizeof buf), ==, 1);
  write_ok (f, "first");
  write_ok (f, "kept");
  g_assert_cmpint (setsockopt (g_socket_get_fd (peer_socket (f)), SOL_SOCKET, SO_LINGER,
                               &reset, sizeof reset), ==, 0);
  g_io_stream_close (G_IO_STREAM (f->peer), NULL, NULL);
  g_usleep (20 * 1000);

  /* The reader comes back: the kept write is sent, and fails. */
  {
    g_autoptr(GError) read_error = NULL;
    char in[16];

    g_pollable_input_stream_read_nonblocking (f->in, in, sizeof in, NULL, &read_error);
  }
  {
    g_autoptr(GError) error = NULL;

    g_assert_cmpint (g_pollable_output_stream_write_nonblocking (f->out, "more", 4, NULL, &error), ==, -1);
    g_assert_nonnull (error);
    g_assert_false (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK));
    g_test_message ("the next write reports: %s", error->message);
  }
}

/* @n unmasked text frames of 100 bytes each, sent by the peer. */
static void
peer_send_frames (Fixture *f,
                  guint    n)
{
  g_autoptr(GByteArray) frames = g_byte_array_new ();
  guint8 frame[102] = { 0x81, 100 };

  memset (frame + 2, 'f', 100);
  for (guint i = 0; i < n; i++)
    g_byte_array_append (frames, frame, sizeof frame);
  for (gsize at = 0; at < frames->len;)
    {
      g_autoptr(GError) error = NULL;
      gssize sent = g_socket_send (peer_socket (f), (const char *) frames->data + at, frames->len - at,
                                   NULL, &error);

      g_assert_no_error (error);
      at += sent;
    }
}

/* Reads 1 KiB at a time, as libsoup does, until told "would block". */
static gsize
read_turn (Fixture *f)
{
  gsize total = 0;
  char buf[1024];

  for (guint i = 0; i < 10000; i++)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_pollable_input_stream_read_nonblocking (f->in, buf, sizeof buf, NULL, &error);

      if (n < 0)
        {
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
          break;
        }
      g_assert_cmpint (n, >, 0);
      total += n;
    }
  return total;
}

static gboolean
on_ready (GObject  *stream,
          gpointer  user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Waits (at most @ms) for what the input's source says. */
static gboolean
wait_readable (Fixture *f,
               guint    ms)
{
  g_autoptr(GSource) source = g_pollable_input_stream_create_source (f->in, NULL);
  gint64 deadline = g_get_monotonic_time () + ms * 1000;
  gboolean ready = FALSE;

  g_source_set_callback (source, G_SOURCE_FUNC (on_ready), &ready, NULL);
  g_source_attach (source, NULL);
  while (!ready && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_source_destroy (source);
  return ready;
}

/* A peer that sends more than we handle does not keep the reader to
 * itself: a turn ends after a budget, and the next one comes at once. */
static void
test_turn_is_bounded (Fixture       *f,
                      gconstpointer  data)
{
  gsize first, second;

  any_coalescing_stream_start (ANY_COALESCING_STREAM (f->stream));
  peer_send_frames (f, 2000);   /* 204,000 bytes */
  g_usleep (20 * 1000);
  first = read_turn (f);
  g_test_message ("first turn: %" G_GSIZE_FORMAT " bytes", first);
  g_assert_cmpuint (first, >=, 64 * 1024);
  g_assert_cmpuint (first, <, 128 * 1024);
  g_assert_true (wait_readable (f, 2000));
  second = read_turn (f);
  g_assert_cmpuint (second, >, 0);
  g_assert_cmpuint (second, <, 128 * 1024);
}

/* While too many frames wait unsent above us, nothing is read; once they
 * are written, the waiting reader is woken. */
static void
test_paused_until_written (Fixture       *f,
                           gconstpointer  data)
{
  AnyWsFlow *flow = any_coalescing_stream_get_flow (ANY_COALESCING_STREAM (f->stream));

  any_coalescing_stream_start (ANY_COALESCING_STREAM (f->stream));
  any_ws_flow_set_backpressure (flow, TRUE);
  for (guint i = 0; i < 1100; i++)
    any_ws_flow_queued (flow);
  peer_send_frames (f, 1);
  g_usleep (20 * 1000);
  g_assert_cmpuint (read_turn (f), ==, 0);
  g_assert_false (g_pollable_input_stream_is_readable (f->in));
  g_assert_false (wait_readable (f, 100) && read_turn (f) > 0);

  /* Written, one frame per write, down to half the bound. */
  for (guint i = 0; i < 600; i++)
    write_ok (f, "w");
  g_assert_cmpuint (any_ws_flow_waiting_frames (flow), ==, 500);
  g_assert_true (wait_readable (f, 2000));
  g_assert_cmpuint (read_turn (f), ==, 102);
}

/* Frames that came with the HTTP answer are followed too: a message that
 * starts there and goes over the limit on the socket is refused. */
static void
test_unread_frames_followed (Fixture       *f,
                             gconstpointer  data)
{
  AnyWsFlow *flow = any_coalescing_stream_get_flow (ANY_COALESCING_STREAM (f->stream));
  guint8 head[] = { 0x81, 100, 0x01, 100 };   /* a whole message; a fragment */
  g_autoptr(GByteArray) unread = g_byte_array_new ();
  g_autoptr(GByteArray) rest = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  static const guint8 zeros[100];
  char buf[1024];

  g_byte_array_append (unread, head, 2);
  g_byte_array_append (unread, zeros, 100);
  g_byte_array_append (unread, head + 2, 2);
  g_byte_array_append (unread, zeros, 50);      /* half the fragment */
  g_byte_array_append (rest, zeros, 50);        /* its other half */
  g_byte_array_append (rest, (const guint8 *) "\x80\x64", 2);   /* FIN, continuation of 100 */
  g_byte_array_append (rest, zeros, 100);
  any_coalescing_stream_unread (ANY_COALESCING_STREAM (f->stream), unread->data, unread->len);
  any_coalescing_stream_start (ANY_COALESCING_STREAM (f->stream));
  any_ws_flow_set_max_message (flow, 150);
  g_assert_cmpint (read_turn (f), ==, 154);

  g_assert_cmpint (g_socket_send (peer_socket (f), (const char *) rest->data, rest->len, NULL, NULL), ==, 152);
  g_usleep (20 * 1000);
  g_assert_cmpint (g_pollable_input_stream_read_nonblocking (f->in, buf, sizeof buf, NULL, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
  g_assert_true (any_ws_flow_is_failed (flow));
}

static void
test_find (Fixture       *f,
           gconstpointer  data)
{
  g_assert_true (any_coalescing_stream_find (f->stream) == ANY_COALESCING_STREAM (f->stream));
  g_assert_null (any_coalescing_stream_find (G_IO_STREAM (f->ours)));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/coalescing/passthrough-before-start", test_passthrough_before_start);
  ADD ("/coalescing/batch-keeps-later-writes", test_batch_keeps_later_writes);
  ADD ("/coalescing/waiting-sends-kept", test_waiting_sends_kept);
  ADD ("/coalescing/close-sends-kept", test_close_sends_kept);
  ADD ("/coalescing/close-async-in-place", test_close_async_in_place);
  ADD ("/coalescing/full-socket-keeps-order", test_full_socket_keeps_order);
  ADD ("/coalescing/error-is-reported", test_error_is_reported);
  ADD ("/coalescing/find", test_find);
  ADD ("/coalescing/flow/turn-is-bounded", test_turn_is_bounded);
  ADD ("/coalescing/flow/paused-until-written", test_paused_until_written);
  ADD ("/coalescing/flow/unread-frames-followed", test_unread_frames_followed);
#undef ADD

  return g_test_run ();
}
