/* test-ws-parser.c: libanysocket's own RFC 6455 framing (any-ws-parser.c,
 * any-ws-writer.c): every rule the parser enforces, each stream fed whole,
 * byte by byte and in odd pieces (the events must be the same), limits
 * hit at the header, UTF-8 refused at the first wrong byte, and frames of
 * the writer read back by the parser.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "transport/any-ws-parser.h"
#include "transport/any-ws-writer.h"

#define FIN 0x80
#define RSV1 0x40
#define OP_CONT 0x0
#define OP_TEXT 0x1
#define OP_BINARY 0x2
#define OP_CLOSE 0x8
#define OP_PING 0x9
#define OP_PONG 0xa

static const guint8 test_mask[4] = { 0x37, 0xfa, 0x21, 0x3d };

/* Appends a frame with @first (FIN, RSV, opcode), masked with test_mask
 * if @masked, its length in @len_bytes (0: the shortest; 2 or 8: forced)
 * and @payload. */
static void
frame_full (GByteArray   *out,
            guint8        first,
            gboolean      masked,
            guint         len_bytes,
            const void   *payload,
            gsize         len)
{
  guint8 header[14];
  guint at = 2;

  header[0] = first;
  if (len_bytes == 0)
    len_bytes = len < 126 ? 0 : len <= G_MAXUINT16 ? 2 : 8;
  if (len_bytes == 0)
    header[1] = (guint8) len;
  else if (len_bytes == 2)
    {
      header[1] = 126;
      header[2] = (guint8) (len >> 8);
      header[3] = (guint8) len;
      at = 4;
    }
  else
    {
      header[1] = 127;
      for (guint i = 0; i < 8; i++)
        header[2 + i] = (guint8) ((guint64) len >> (56 - 8 * i));
      at = 10;
    }
  if (masked)
    {
      header[1] |= 0x80;
      memcpy (header + at, test_mask, 4);
      at += 4;
    }
  g_byte_array_append (out, header, at);
  for (gsize i = 0; i < len; i++)
    {
      guint8 b = payload != NULL ? ((const guint8 *) payload)[i] : (guint8) ('a' + i % 26);

      if (masked)
        b ^= test_mask[i & 3];
      g_byte_array_append (out, &b, 1);
    }
}

/* A client's frame (masked), shortest length. */
static void
frame (GByteArray *out,
       guint8      first,
       const char *text)
{
  frame_full (out, first, TRUE, 0, text, strlen (text));
}

static GByteArray *
stream_new (void)
{
  return g_byte_array_new ();
}

/* Feeds a copy of @stream in pieces of @step bytes to a parser (a
 * server's if @server) and returns its events, one line each:
 * "text:PAYLOAD", "binary:LEN", "ping:PAYLOAD", "pong:PAYLOAD",
 * "close:CODE:REASON", "error:CODE"; nothing after an error. */
static char *
events_in_steps (GByteArray *stream,
                 gboolean    server,
                 guint64     max_message,
                 gsize       step)
{
  g_autoptr(GByteArray) copy = g_byte_array_new ();
  GString *events = g_string_new (NULL);
  AnyWsParser parser;

  g_byte_array_append (copy, stream->data, stream->len);
  any_ws_parser_init (&parser, server, max_message);
  for (gsize at = 0; at < copy->len;)
    {
      gsize n = MIN (step, copy->len - at);
      guint8 *piece = copy->data + at;
      gboolean failed = FALSE;

      at += n;
      while (n > 0 || parser.error_code != 0)
        {
          gsize taken = 0;
          AnyWsParseResult result = any_ws_parser_feed (&parser, piece, n, &taken);

          g_assert_cmpuint (taken, <=, n);
          piece += taken;
          n -= taken;
          switch (result)
            {
            case ANY_WS_PARSE_MORE:
              g_assert_cmpuint (n, ==, 0);
              break;
            case ANY_WS_PARSE_MESSAGE:
              if (parser.is_text)
                g_string_append_printf (events, "text:%.*s\n", (int) parser.len, parser.data);
              else
                g_string_append_printf (events, "binary:%" G_GSIZE_FORMAT "\n", parser.len);
              break;
            case ANY_WS_PARSE_PING:
              g_string_append_printf (events, "ping:%.*s\n", (int) parser.len, parser.data);
              break;
            case ANY_WS_PARSE_PONG:
              g_string_append_printf (events, "pong:%.*s\n", (int) parser.len, parser.data);
              break;
            case ANY_WS_PARSE_CLOSE:
              g_string_append_printf (events, "close:%u:%s\n", parser.close_code, parser.close_reason);
              break;
            case ANY_WS_PARSE_ERROR:
              g_string_append_printf (events, "error:%u\n", parser.error_code);
              failed = TRUE;
              break;
            }
          if (failed)
            break;
        }
      if (failed)
        break;
    }
  any_ws_parser_clear (&parser);
  return g_string_free (events, FALSE);
}

/* The events of @stream, checked to be the same whole, byte by byte and
 * in pieces of 3 and 7 bytes. */
static char *
events (GByteArray *stream,
        gboolean    server,
        guint64     max_message)
{
  char *whole = events_in_steps (stream, server, max_message, stream->len > 0 ? stream->len : 1);
  const gsize steps[] = { 1, 3, 7 };

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_autofree char *in_steps = events_in_steps (stream, server, max_message, steps[i]);

      g_assert_cmpstr (in_steps, ==, whole);
    }
  return whole;
}

static void
assert_events (GByteArray *stream,
               const char *expected)
{
  g_autofree char *got = events (stream, TRUE, 1 << 20);

  g_assert_cmpstr (got, ==, expected);
}

static void
test_messages (void)
{
  g_autoptr(GByteArray) s = stream_new ();

  frame (s, FIN | OP_TEXT, "hello");
  frame (s, FIN | OP_TEXT, "");
  frame_full (s, FIN | OP_BINARY, TRUE, 0, "\0\1\2", 3);
  frame (s, FIN | OP_PING, "p1");
  frame (s, FIN | OP_PONG, "p2");
  frame (s, FIN | OP_CLOSE, "\x03\xe8" "bye");
  assert_events (s, "text:hello\ntext:\nbinary:3\nping:p1\npong:p2\nclose:1000:bye\n");
}

static void
test_lengths (void)
{
  g_autoptr(GByteArray) s = stream_new ();
  g_autofree char *expected = NULL;
  g_autofree char *got = NULL;
  const gsize lengths[] = { 125, 126, 127, 65535, 65536, 70000 };
  GString *want = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (lengths); i++)
    {
      g_autofree char *payload = g_strnfill (lengths[i], 'x');

      frame (s, FIN | OP_TEXT, payload);
      g_string_append_printf (want, "text:%s\n", payload);
    }
  expected = g_string_free (want, FALSE);
  got = events (s, TRUE, 1 << 20);
  g_assert_cmpstr (got, ==, expected);
}

static void
assert_refused (GByteArray *s,
                gboolean    server,
                guint       code)
{
  g_autofree char *got = events (s, server, 1 << 20);
  g_autofree char *expected = g_strdup_printf ("error:%u\n", code);

  g_assert_cmpstr (got, ==, expected);
}

static void
test_length_not_minimal (void)
{
  g_autoptr(GByteArray) a = stream_new ();
  g_autoptr(GByteArray) b = stream_new ();
  g_autoptr(GByteArray) c = stream_new ();

  frame_full (a, FIN | OP_TEXT, TRUE, 2, "short", 5);       /* 126 for 5 bytes */
  assert_refused (a, TRUE, 1002);
  frame_full (b, FIN | OP_TEXT, TRUE, 8, "short", 5);       /* 127 for 5 bytes */
  assert_refused (b, TRUE, 1002);
  /* 127 with the top bit set */
  g_byte_array_append (c, (const guint8 *) "\x81\xff\x80\0\0\0\0\0\0\0" "\0\0\0\0", 14);
  assert_refused (c, TRUE, 1002);
}

static void
test_masking (void)
{
  g_autoptr(GByteArray) unmasked = stream_new ();
  g_autoptr(GByteArray) masked = stream_new ();

  frame_full (unmasked, FIN | OP_TEXT, FALSE, 0, "x", 1);
  assert_refused (unmasked, TRUE, 1002);     /* a client must mask */
  frame (masked, FIN | OP_TEXT, "x");
  assert_refused (masked, FALSE, 1002);      /* a server must not */
  {
    g_autofree char *got = events (unmasked, FALSE, 100);

    g_assert_cmpstr (got, ==, "text:x\n");
  }
}

static void
test_reserved (void)
{
  g_autoptr(GByteArray) rsv = stream_new ();

  frame (rsv, FIN | RSV1 | OP_TEXT, "x");
  assert_refused (rsv, TRUE, 1002);
  for (guint8 op = 3; op <= 0xf; op++)
    {
      g_autoptr(GByteArray) s = stream_new ();

      if (op == OP_CLOSE || op == OP_PING || op == OP_PONG)
        continue;
      frame (s, FIN | op, "x");
      assert_refused (s, TRUE, 1002);
    }
  for (guint8 bit = 0x10; bit <= 0x40; bit <<= 1)
    {
      g_autoptr(GByteArray) s = stream_new ();

      frame (s, FIN | bit | OP_PING, "");
      assert_refused (s, TRUE, 1002);
    }
}

static void
test_fragments (void)
{
  g_autoptr(GByteArray) s = stream_new ();
  g_autoptr(GByteArray) lone = stream_new ();
  g_autoptr(GByteArray) nested = stream_new ();

  /* Control frames between the fragments come out first. */
  frame (s, OP_TEXT, "one ");
  frame (s, FIN | OP_PING, "between");
  frame (s, OP_CONT, "");
  frame (s, OP_CONT, "two ");
  frame (s, FIN | OP_CONT, "three");
  frame (s, FIN | OP_TEXT, "next");
  assert_events (s, "ping:between\ntext:one two three\ntext:next\n");

  frame (lone, FIN | OP_CONT, "x");
  assert_refused (lone, TRUE, 1002);
  frame (nested, OP_TEXT, "a");
  frame (nested, FIN | OP_BINARY, "b");
  assert_refused (nested, TRUE, 1002);
}

static void
test_control_frames (void)
{
  g_autoptr(GByteArray) long_ping = stream_new ();
  g_autoptr(GByteArray) fragmented = stream_new ();
  g_autoptr(GByteArray) max_ping = stream_new ();
  g_autofree char *p125 = g_strnfill (125, 'p');
  g_autofree char *p126 = g_strnfill (126, 'p');
  g_autofree char *expected = g_strdup_printf ("ping:%s\n", p125);

  frame (max_ping, FIN | OP_PING, p125);
  assert_events (max_ping, expected);
  frame (long_ping, FIN | OP_PING, p126);
  assert_refused (long_ping, TRUE, 1002);
  frame (fragmented, OP_PING, "x");
  assert_refused (fragmented, TRUE, 1002);
}

static void
test_close_codes (void)
{
  const guint valid[] = { 1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999 };
  const guint invalid[] = { 0, 999, 1004, 1005, 1006, 1012, 1013, 1014, 1015, 1016, 1100, 2000, 2999, 5000, 65535 };

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autoptr(GByteArray) s = stream_new ();
      guint8 payload[2] = { valid[i] >> 8, valid[i] & 0xff };
      g_autofree char *expected = g_strdup_printf ("close:%u:\n", valid[i]);

      frame_full (s, FIN | OP_CLOSE, TRUE, 0, payload, 2);
      assert_events (s, expected);
    }
  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GByteArray) s = stream_new ();
      guint8 payload[2] = { invalid[i] >> 8, invalid[i] & 0xff };

      frame_full (s, FIN | OP_CLOSE, TRUE, 0, payload, 2);
      assert_refused (s, TRUE, 1002);
    }
  {
    g_autoptr(GByteArray) empty = stream_new ();
    g_autoptr(GByteArray) one = stream_new ();
    g_autoptr(GByteArray) bad_reason = stream_new ();

    frame (empty, FIN | OP_CLOSE, "");
    assert_events (empty, "close:1005:\n");
    frame_full (one, FIN | OP_CLOSE, TRUE, 0, "\x03", 1);
    assert_refused (one, TRUE, 1002);
    frame_full (bad_reason, FIN | OP_CLOSE, TRUE, 0, "\x03\xe8\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80", 16);
    assert_refused (bad_reason, TRUE, 1007);
  }
}

static void
test_utf8 (void)
{
  /* κόσμε, split inside its code points across fragments */
  const char *kosme = "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5";
  const char *bad[] = {
    "\xc0\xaf",               /* overlong */
    "\xe0\x80\xaf",           /* overlong */
    "\xed\xa0\x80",           /* surrogate */
    "\xf4\x90\x80\x80",       /* over U+10FFFF */
    "\xf8\x88\x80\x80\x80",   /* 5 bytes */
    "\xff",
    "\x80",                   /* lone continuation */
    "abc\xce",                /* cut at the end */
  };

  for (gsize cut = 0; cut <= strlen (kosme); cut++)
    {
      g_autoptr(GByteArray) s = stream_new ();
      g_autofree char *expected = g_strdup_printf ("text:%s\n", kosme);

      frame_full (s, OP_TEXT, TRUE, 0, kosme, cut);
      frame_full (s, FIN | OP_CONT, TRUE, 0, kosme + cut, strlen (kosme) - cut);
      assert_events (s, expected);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GByteArray) s = stream_new ();

      frame (s, FIN | OP_TEXT, bad[i]);
      assert_refused (s, TRUE, 1007);
    }
  /* Binary is not text. */
  {
    g_autoptr(GByteArray) s = stream_new ();

    frame_full (s, FIN | OP_BINARY, TRUE, 0, "\xff", 1);
    assert_events (s, "binary:1\n");
  }
}

/* Invalid UTF-8 in the first fragment fails it: the rest of the message
 * is never waited for. */
static void
test_utf8_fails_fast (void)
{
  g_autoptr(GByteArray) s = stream_new ();
  AnyWsParser parser;
  gsize taken = 0;
  gsize header = 6;

  frame_full (s, OP_TEXT, TRUE, 0, "ok \xed\xa0\x80 and more", 16);
  any_ws_parser_init (&parser, TRUE, 1 << 20);
  /* The header and the first 4 bytes (the surrogate's lead): nothing yet */
  g_assert_cmpint (any_ws_parser_feed (&parser, s->data, header + 4, &taken), ==, ANY_WS_PARSE_MORE);
  g_assert_cmpint (any_ws_parser_feed (&parser, s->data + header + 4, 1, &taken), ==, ANY_WS_PARSE_ERROR);
  g_assert_cmpuint (parser.error_code, ==, 1007);
  any_ws_parser_clear (&parser);
}

/* The limit applies to the whole message, at the header of the frame
 * that would pass it, before its payload arrives. */
static void
test_limit (void)
{
  g_autoptr(GByteArray) s = stream_new ();
  g_autoptr(GByteArray) fragments = stream_new ();
  g_autoptr(GByteArray) ok = stream_new ();
  AnyWsParser parser;
  gsize taken = 0;
  g_autofree char *got = NULL;

  frame_full (s, FIN | OP_TEXT, TRUE, 0, NULL, 101);
  any_ws_parser_init (&parser, TRUE, 100);
  g_assert_cmpint (any_ws_parser_feed (&parser, s->data, 2 + 4, &taken), ==, ANY_WS_PARSE_ERROR);
  g_assert_cmpuint (taken, ==, 6);
  g_assert_cmpuint (parser.error_code, ==, 1009);
  g_assert_null (parser.message);
  any_ws_parser_clear (&parser);

  frame_full (fragments, OP_TEXT, TRUE, 0, NULL, 60);
  frame (fragments, FIN | OP_PING, "");
  frame_full (fragments, FIN | OP_CONT, TRUE, 0, NULL, 41);
  got = events (fragments, TRUE, 100);
  g_assert_cmpstr (got, ==, "ping:\nerror:1009\n");

  frame_full (ok, OP_TEXT, TRUE, 0, "0123456789", 10);
  frame_full (ok, FIN | OP_CONT, TRUE, 0, "0123456789", 10);
  frame_full (ok, FIN | OP_TEXT, TRUE, 0, "01234567890123456789", 20);
  g_clear_pointer (&got, g_free);
  got = events (ok, TRUE, 20);
  g_assert_cmpstr (got, ==, "text:01234567890123456789\ntext:01234567890123456789\n");
}

/* A message in one frame, all in the buffer, is given in place. */
static void
test_in_place (void)
{
  g_autoptr(GByteArray) s = stream_new ();
  AnyWsParser parser;
  gsize taken = 0;

  frame (s, FIN | OP_TEXT, "in place");
  any_ws_parser_init (&parser, TRUE, 100);
  g_assert_cmpint (any_ws_parser_feed (&parser, s->data, s->len, &taken), ==, ANY_WS_PARSE_MESSAGE);
  g_assert_true (parser.data == s->data + 6);
  g_assert_null (parser.message);
  g_assert_cmpmem (parser.data, parser.len, "in place", 8);
  any_ws_parser_clear (&parser);
}

/* The writer's frames read back; each client frame has a new mask. */
static void
test_writer (void)
{
  const gsize lengths[] = { 0, 1, 125, 126, 65535, 65536, 100000 };
  g_autoptr(GByteArray) s = stream_new ();
  AnyWsMasks *masks = any_ws_masks_new ();
  GString *want = g_string_new (NULL);
  g_autofree char *expected = NULL;
  g_autofree char *got = NULL;
  guint8 first[4] = { 0 };
  gboolean all_same = TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (lengths); i++)
    {
      g_autofree char *payload = g_strnfill (lengths[i], 'a' + i);
      guint8 header[ANY_WS_MAX_HEADER];
      guint8 mask[4];
      guint header_len;
      gsize at;

      any_ws_masks_next (masks, mask);
      if (i == 0)
        memcpy (first, mask, 4);
      else if (memcmp (first, mask, 4) != 0)
        all_same = FALSE;
      header_len = any_ws_write_header (header, OP_TEXT, lengths[i], mask);
      g_assert_cmpuint (header_len, ==, (lengths[i] < 126 ? 2 : lengths[i] <= 65535 ? 4 : 10) + 4);
      g_byte_array_append (s, header, header_len);
      at = s->len;
      g_byte_array_set_size (s, at + lengths[i]);
      any_ws_mask_copy (s->data + at, (const guint8 *) payload, lengths[i], mask);
      g_string_append_printf (want, "text:%s\n", payload);
    }
  g_assert_false (all_same);
  expected = g_string_free (want, FALSE);
  got = events_in_steps (s, TRUE, 1 << 20, 4096);
  g_assert_cmpstr (got, ==, expected);
  any_ws_masks_free (masks);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ws-parser/messages", test_messages);
  g_test_add_func ("/ws-parser/lengths", test_lengths);
  g_test_add_func ("/ws-parser/length-not-minimal", test_length_not_minimal);
  g_test_add_func ("/ws-parser/masking", test_masking);
  g_test_add_func ("/ws-parser/reserved", test_reserved);
  g_test_add_func ("/ws-parser/fragments", test_fragments);
  g_test_add_func ("/ws-parser/control-frames", test_control_frames);
  g_test_add_func ("/ws-parser/close-codes", test_close_codes);
  g_test_add_func ("/ws-parser/utf8", test_utf8);
  g_test_add_func ("/ws-parser/utf8-fails-fast", test_utf8_fails_fast);
  g_test_add_func ("/ws-parser/limit", test_limit);
  g_test_add_func ("/ws-parser/in-place", test_in_place);
  g_test_add_func ("/ws-parser/writer", test_writer);

  return g_test_run ();
}
