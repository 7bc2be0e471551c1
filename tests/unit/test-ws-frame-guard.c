/* test-ws-frame-guard.c: the RFC 6455 frame header tracker that bounds
 * whole messages: fragments add up, control frames between them do not,
 * headers and payloads split anywhere, the limit hit at the header.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "transport/any-ws-frame-guard.h"
#include "ws-frame.h"

#define FIN 0x80
#define TEXT 0x1
#define CONTINUATION 0x0
#define CLOSE 0x8
#define PING 0x9
#define PONG 0xA

static void
append_frame (GByteArray *out,
              guint8      first,
              gsize       len,
              gboolean    masked)
{
  ws_frame_append (out, first, masked, NULL, len);
}

/* Feeds @stream in pieces of @step bytes; the offset of the byte that
 * broke the limit, or -1. */
static gssize
feed_in_steps (AnyWsFrameGuard *guard,
               GByteArray      *stream,
               gsize            step)
{
  for (gsize at = 0; at < stream->len; at += step)
    {
      gsize n = MIN (step, stream->len - at);

      if (any_ws_frame_guard_feed (guard, stream->data + at, n) != ANY_WS_FRAME_GUARD_OK)
        return at;
    }
  return -1;
}

static void
test_whole_messages_pass (void)
{
  const gsize steps[] = { 1, 2, 3, 7, 13, 1000, 1 << 20 };

  for (guint masked = 0; masked < 2; masked++)
    for (guint s = 0; s < G_N_ELEMENTS (steps); s++)
      {
        g_autoptr(GByteArray) stream = g_byte_array_new ();
        AnyWsFrameGuard guard;

        /* Each message exactly at the limit, in every length encoding. */
        append_frame (stream, FIN | TEXT, 100, masked);
        append_frame (stream, TEXT, 60, masked);
        append_frame (stream, PING, 5, masked);
        append_frame (stream, FIN | CONTINUATION, 40, masked);
        append_frame (stream, FIN | TEXT, 0, masked);
        any_ws_frame_guard_init (&guard, 100);
        g_assert_cmpint (feed_in_steps (&guard, stream, steps[s]), ==, -1);

        g_byte_array_set_size (stream, 0);
        append_frame (stream, FIN | TEXT, 70000, masked);
        append_frame (stream, TEXT, 30000, masked);
        append_frame (stream, CONTINUATION, 30000, masked);
        append_frame (stream, FIN | CONTINUATION, 10000, masked);
        any_ws_frame_guard_init (&guard, 70000);
        g_assert_cmpint (feed_in_steps (&guard, stream, steps[s]), ==, -1);
        g_assert_cmpuint (guard.message_bytes, ==, 0);
      }
}

/* The fragments of one message add up; the frame that would take it over
 * is refused at its header, before its payload. */
static void
test_endless_message_refused (void)
{
  const gsize steps[] = { 1, 5, 64, 4096 };

  for (guint s = 0; s < G_N_ELEMENTS (steps); s++)
    {
      g_autoptr(GByteArray) stream = g_byte_array_new ();
      AnyWsFrameGuard guard;
      gsize over_at;   /* the header that breaks the limit: its last byte (of 6) refuses it */

      append_frame (stream, TEXT, 1000, TRUE);
      for (guint i = 0; i < 9; i++)
        append_frame (stream, CONTINUATION, 1000, TRUE);
      over_at = stream->len;
      append_frame (stream, CONTINUATION, 1, TRUE);
      append_frame (stream, CONTINUATION, 1000, TRUE);
      any_ws_frame_guard_init (&guard, 10000);
      g_assert_cmpint (feed_in_steps (&guard, stream, steps[s]), ==,
                       (gssize) ((over_at + 5) / steps[s] * steps[s]));
    }
}

/* A single frame over the limit, declared with a 64-bit length far
 * beyond anything: refused at once, no overflow. */
static void
test_huge_frame_refused (void)
{
  const guint8 head[] = { FIN | TEXT, 0x80 | 127, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
  AnyWsFrameGuard guard;

  any_ws_frame_guard_init (&guard, 1 << 20);
  g_assert_cmpint (any_ws_frame_guard_feed (&guard, head, sizeof head), ==, ANY_WS_FRAME_GUARD_OK);
  g_assert_cmpint (any_ws_frame_guard_feed (&guard, (const guint8 *) "mask", 4), ==,
                   ANY_WS_FRAME_GUARD_TOO_BIG);

  /* Fragments that add up past G_MAXUINT64 do not wrap around. */
  any_ws_frame_guard_init (&guard, G_MAXUINT64 - 10);
  guard.message_bytes = G_MAXUINT64 - 20;
  {
    const guint8 more[] = { CONTINUATION, 127, 0, 0, 0, 0, 0, 0, 0, 100 };

    g_assert_cmpint (any_ws_frame_guard_feed (&guard, more, sizeof more), ==, ANY_WS_FRAME_GUARD_TOO_BIG);
  }
}

/* Pings and a close are answered by the reader with a frame each: they
 * are counted, pongs are not; none of them is part of a message. */
static void
test_answers_counted (void)
{
  g_autoptr(GByteArray) stream = g_byte_array_new ();
  AnyWsFrameGuard guard;
  guint64 bytes = 0;

  append_frame (stream, TEXT, 50, TRUE);
  append_frame (stream, FIN | PING, 10, TRUE);
  append_frame (stream, FIN | PONG, 10, TRUE);
  append_frame (stream, FIN | PING, 0, TRUE);
  append_frame (stream, FIN | CONTINUATION, 50, TRUE);
  append_frame (stream, FIN | CLOSE, 2, TRUE);
  any_ws_frame_guard_init (&guard, 100);
  g_assert_cmpint (feed_in_steps (&guard, stream, 3), ==, -1);
  g_assert_cmpuint (any_ws_frame_guard_take_answers (&guard, &bytes), ==, 3);
  g_assert_cmpuint (bytes, ==, 12);
  g_assert_cmpuint (any_ws_frame_guard_take_answers (&guard, &bytes), ==, 0);
  g_assert_cmpuint (bytes, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ws-frame-guard/whole-messages-pass", test_whole_messages_pass);
  g_test_add_func ("/ws-frame-guard/endless-message-refused", test_endless_message_refused);
  g_test_add_func ("/ws-frame-guard/huge-frame-refused", test_huge_frame_refused);
  g_test_add_func ("/ws-frame-guard/answers-counted", test_answers_counted);

  return g_test_run ();
}
