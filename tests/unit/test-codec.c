/* test-codec.c: the chunk codec and reassembly, without sockets
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "anysocket.h"
#include "codec/any-codec.h"
#include "protocol/any-reassembly.h"
#include "codec/any-base64.h"

/* g_utf8_validate() refuses NUL, which a header holds as a code point. */
static gboolean
utf8_valid_with_nuls (const char *text,
                      gsize       len)
{
  gsize start = 0;

  for (gsize i = 0; i <= len; i++)
    if (i == len || text[i] == '\0')
      {
        if (!g_utf8_validate (text + start, i - start, NULL))
          return FALSE;
        start = i + 1;
      }
  return TRUE;
}

static void
test_header_small_seq (void)
{
  guint8 header[ANY_CHUNK_HEADER_MAX];
  gsize n = any_chunk_header_encode (header, TRUE, ANY_PACKET_TYPE_LINK, 1);
  static const guint8 expected[] = { '1', '3', 0, 0, 0, 1 };

  g_assert_cmpmem (header, n, expected, sizeof expected);
}

static void
test_header_high_bytes (void)
{
  guint8 header[ANY_CHUNK_HEADER_MAX];
  gsize n;
  /* 0x00FF80 7F: 0xFF -> C3 BF, 0x80 -> C2 80 (one code point per byte). */
  static const guint8 expected[] = { '2', '1', 0x00, 0xC3, 0xBF, 0xC2, 0x80, 0x7F };

  n = any_chunk_header_encode (header, FALSE, ANY_PACKET_TYPE_AUTH, 0x00FF807F);
  g_assert_cmpmem (header, n, expected, sizeof expected);
}

static void
test_header_negative_seq (void)
{
  guint8 header[ANY_CHUNK_HEADER_MAX];
  gsize n = any_chunk_header_encode (header, TRUE, ANY_PACKET_TYPE_INTERNAL, -1);
  static const guint8 expected[] = { '1', '2', 0xC3, 0xBF, 0xC3, 0xBF, 0xC3, 0xBF, 0xC3, 0xBF };

  g_assert_cmpmem (header, n, expected, sizeof expected);
}

static void
test_header_round_trip (void)
{
  static const gint32 seqs[] = {
    0, 1, 2, 127, 128, 255, 256, 0x7F7F7F7F, 0x80808080, G_MAXINT32, G_MININT32,
    -1, -2, -128, -129, -2147483647, 1000000, -1000000,
  };

  for (guint i = 0; i < G_N_ELEMENTS (seqs); i++)
    for (AnyPacketType type = ANY_PACKET_TYPE_AUTH; type <= ANY_PACKET_TYPE_HEARTBEAT; type++)
      {
        g_autoptr(GString) frame = g_string_new (NULL);
        AnyChunk chunk;
        g_autoptr(GError) error = NULL;
        const char *body = "{\"é\":\"漢字😀\"}";

        any_chunk_encode (frame, i % 2 == 0, type, seqs[i], body, strlen (body));
        g_assert_true (utf8_valid_with_nuls (frame->str, frame->len));
        g_assert_true (any_chunk_decode ((const guint8 *) frame->str, frame->len, &chunk, &error));
        g_assert_no_error (error);
        g_assert_cmpint (chunk.seq, ==, seqs[i]);
        g_assert_cmpint (chunk.type, ==, type);
        g_assert_cmpint (chunk.last, ==, i % 2 == 0);
        g_assert_cmpmem (chunk.body, chunk.body_len, body, strlen (body));
      }
}

static void
assert_decode_fails (const void *frame,
                     gsize       len,
                     const char *message_part)
{
  AnyChunk chunk;
  g_autoptr(GError) error = NULL;

  g_assert_false (any_chunk_decode (frame, len, &chunk, &error));
  g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, message_part));
}

static void
test_decode_errors (void)
{
  assert_decode_fails ("", 0, "Truncated");
  assert_decode_fails ("13\0\0", 4, "Truncated");
  assert_decode_fails ("33\0\0\0\1{}", 8, "flag");
  assert_decode_fails ("19\0\0\0\1{}", 8, "type");
  assert_decode_fails ("10\0\0\0\1{}", 8, "type");
  /* U+0100 is not a byte. */
  assert_decode_fails ("13\xC4\x80\0\0\0{}", 9, "seq");
  /* A lead byte without its continuation. */
  assert_decode_fails ("13\xC3\0\0\0", 6, "seq");
  assert_decode_fails ("13\0\0\xC3", 5, "Truncated");
}

static void
test_slice_length (void)
{
  /* é: 2 bytes, 1 unit; 漢: 3 bytes, 1 unit; 😀: 4 bytes, 2 units. */
  const char *text = "é漢😀a";

  g_assert_cmpuint (any_chunk_slice_length ("abcdef", 6, 4), ==, 4);
  g_assert_cmpuint (any_chunk_slice_length ("abc", 3, 4), ==, 3);
  g_assert_cmpuint (any_chunk_slice_length (text, strlen (text), 1), ==, 2);
  g_assert_cmpuint (any_chunk_slice_length (text, strlen (text), 2), ==, 5);
  /* 3 units would cut the emoji's surrogate pair: stop before it. */
  g_assert_cmpuint (any_chunk_slice_length (text, strlen (text), 3), ==, 5);
  g_assert_cmpuint (any_chunk_slice_length (text, strlen (text), 4), ==, 9);
  g_assert_cmpuint (any_chunk_slice_length (text, strlen (text), 5), ==, 10);
  /* A limit under one character still makes progress. */
  g_assert_cmpuint (any_chunk_slice_length ("😀", 4, 1), ==, 4);
}

static GString *
make_text (gsize units)
{
  GString *text = g_string_new ("\"");
  const char *pieces[] = { "a", "é", "漢", "😀" };
  gsize n = 1;

  for (guint i = 0; n < units - 1; i++)
    {
      const char *piece = pieces[i % G_N_ELEMENTS (pieces)];
      n += g_str_equal (piece, "😀") ? 2 : 1;
      g_string_append (text, piece);
    }
  g_string_append_c (text, '"');
  return text;
}

static void
test_split_and_join (void)
{
  g_autoptr(GString) text = make_text (ANY_CHUNK_MAX_UNITS * 2 + 1000);
  g_autoptr(GPtrArray) frames = any_chunk_split (ANY_PACKET_TYPE_LINK, 42, text->str, text->len,
                                                 ANY_CHUNK_MAX_UNITS);
  g_autoptr(AnyReassembly) reassembly = any_reassembly_new (64 * 1024 * 1024, 4);
  g_autoptr(GString) whole = NULL;

  g_assert_cmpuint (frames->len, ==, 3);
  for (guint i = 0; i < frames->len; i++)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (frames->pdata[i], &len);
      AnyChunk chunk;
      g_autoptr(GError) error = NULL;
      glong units = 0;
      g_autofree gunichar2 *utf16 = NULL;

      g_assert_true (utf8_valid_with_nuls ((const char *) data, len));
      g_assert_true (any_chunk_decode (data, len, &chunk, &error));
      g_assert_cmpint (chunk.seq, ==, 42);
      g_assert_cmpint (chunk.last, ==, i == frames->len - 1);
      utf16 = g_utf8_to_utf16 ((const char *) chunk.body, chunk.body_len, NULL, &units, &error);
      g_assert_no_error (error);
      g_assert_cmpint (units, <=, ANY_CHUNK_MAX_UNITS);
      if (!chunk.last)
        g_assert_cmpint (units, >=, ANY_CHUNK_MAX_UNITS - 1);

      g_assert_true (any_reassembly_add (reassembly, &chunk, chunk.body, chunk.body_len, &whole, &error));
      g_assert_no_error (error);
      g_assert_true ((whole != NULL) == chunk.last);
    }
  g_assert_cmpmem (whole->str, whole->len, text->str, text->len);
  g_assert_cmpuint (any_reassembly_get_partials (reassembly), ==, 0);
  g_assert_cmpuint (any_reassembly_get_buffered (reassembly), ==, 0);
}

static void
test_single_chunk_is_not_copied (void)
{
  g_autoptr(AnyReassembly) reassembly = any_reassembly_new (1024, 4);
  AnyChunk chunk = { TRUE, ANY_PACKET_TYPE_LINK, 7, (const guint8 *) "{}", 2 };
  GString *whole = (GString *) 0x1;
  g_autoptr(GError) error = NULL;

  g_assert_true (any_reassembly_add (reassembly, &chunk, chunk.body, chunk.body_len, &whole, &error));
  g_assert_null (whole);
}

static void
test_reassembly_limits (void)
{
  g_autoptr(AnyReassembly) reassembly = any_reassembly_new (100, 3);
  AnyChunk chunk = { FALSE, ANY_PACKET_TYPE_LINK, 1, (const guint8 *) "0123456789", 10 };
  GString *whole = NULL;
  g_autoptr(GError) error = NULL;

  /* Three partials are allowed, the fourth is refused. */
  for (gint32 seq = 1; seq <= 3; seq++)
    {
      chunk.seq = seq;
      g_assert_true (any_reassembly_add (reassembly, &chunk, chunk.body, chunk.body_len, &whole, &error));
    }
  chunk.seq = 4;
  g_assert_false (any_reassembly_add (reassembly, &chunk, chunk.body, chunk.body_len, &whole, &error));
  g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROTOCOL);
  g_clear_error (&error);

  /* Bytes in all partials are bounded by the message size. */
  chunk.seq = 1;
  for (int i = 0; i < 7; i++)
    g_assert_true (any_reassembly_add (reassembly, &chunk, chunk.body, chunk.body_len, &whole, &error));
  g_assert_cmpuint (any_reassembly_get_buffered (reassembly), ==, 100);
  g_assert_false (any_reassembly_add (reassembly, &chunk, chunk.body, chunk.body_len, &whole, &error));
  g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_MESSAGE_TOO_BIG);
  g_clear_error (&error);

  /* A packet's chunks keep their type. */
  any_reassembly_clear (reassembly);
  g_assert_true (any_reassembly_add (reassembly, &chunk, chunk.body, chunk.body_len, &whole, &error));
  chunk.type = ANY_PACKET_TYPE_INTERNAL;
  g_assert_false (any_reassembly_add (reassembly, &chunk, chunk.body, chunk.body_len, &whole, &error));
  g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROTOCOL);
}

static void
test_forward_round_trip (void)
{
  const char *to_id = "00ff80017f4e4a5cb3c2d1e0f9a8b7c6";
  const char *from_id = "ffffffffffff4fff8fffffffffffffff";
  guint8 to[16], from[16];
  char back[33];
  g_autoptr(GString) frame = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  AnyForward forward;
  const char *inner = "13\x00\x00\x00\x01{\"a\":1}";

  g_assert_true (any_id_to_bytes (to_id, to));
  g_assert_true (any_id_to_bytes (from_id, from));
  g_assert_false (any_id_to_bytes ("not-an-id", to));
  g_assert_false (any_id_to_bytes ("00ff80017f4e4a5cb3c2d1e0f9a8b7c6ff", to));

  any_forward_encode (frame, to, from, (const guint8 *) inner, 13);
  g_assert_true (any_frame_is_forward ((const guint8 *) frame->str, frame->len));
  g_assert_true (utf8_valid_with_nuls (frame->str, frame->len));
  g_assert_true (any_forward_decode ((const guint8 *) frame->str, frame->len, &forward, &error));
  any_id_from_bytes (forward.to, back);
  g_assert_cmpstr (back, ==, to_id);
  any_id_from_bytes (forward.from, back);
  g_assert_cmpstr (back, ==, from_id);
  g_assert_cmpmem (forward.inner, forward.inner_len, inner, 13);

  g_assert_false (any_forward_decode ((const guint8 *) "6\x01\x02", 3, &forward, &error));
  g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROTOCOL);
}

static void
test_base64_round_trip (void)
{
  guint8 data[200];

  for (guint i = 0; i < sizeof data; i++)
    data[i] = (guint8) (i * 37 + 11);
  for (gsize len = 0; len <= sizeof data; len++)
    {
      g_autoptr(GString) ours = g_string_new ("prefix");
      g_autofree char *glib = g_base64_encode (data, len);
      g_autoptr(GByteArray) back = g_byte_array_new ();

      any_base64_encode_append (ours, data, len);
      g_assert_cmpstr (ours->str + 6, ==, glib);
      g_assert_true (any_base64_decode_strict ((const guint8 *) glib, strlen (glib), back));
      g_assert_cmpmem (back->data, back->len, data, len);
    }
}

static void
test_base64_strict (void)
{
  static const char *bad[] = {
    "A", "AB", "ABC", "ABCDE", "AB=C", "A===", "====", "AB\nC", "AB C", "AB-_",
    "QQ=A", "QR==", "QUJ=", "Zm9vYg=", "Zm9vY===",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GByteArray) out = g_byte_array_new ();

      g_byte_array_append (out, (const guint8 *) "x", 1);
      g_assert_false (any_base64_decode_strict ((const guint8 *) bad[i], strlen (bad[i]), out));
      /* A refused input leaves the output as it was. */
      g_assert_cmpuint (out->len, ==, 1);
    }
  {
    g_autoptr(GByteArray) out = g_byte_array_new ();

    g_assert_true (any_base64_decode_strict ((const guint8 *) "QQ==", 4, out));
    g_assert_cmpmem (out->data, out->len, "A", 1);
    g_assert_true (any_base64_decode_strict ((const guint8 *) "", 0, out));
    /* A NUL is not base64 either. */
    g_assert_false (any_base64_decode_strict ((const guint8 *) "Zm9v\0Zm9v", 8, out));
  }
  /* A bad character anywhere in a group that is not the last one. */
  for (guint pos = 0; pos < 8; pos++)
    for (const char *c = "!=\n-_\x80\xff"; *c != '\0'; c++)
      {
        g_autoptr(GByteArray) out = g_byte_array_new ();
        char text[] = "QUJDQUJDQUJD";

        text[pos] = *c;
        g_assert_false (any_base64_decode_strict ((const guint8 *) text, 12, out));
        g_assert_cmpuint (out->len, ==, 0);
      }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/codec/header/small-seq", test_header_small_seq);
  g_test_add_func ("/codec/header/high-bytes", test_header_high_bytes);
  g_test_add_func ("/codec/header/negative-seq", test_header_negative_seq);
  g_test_add_func ("/codec/header/round-trip", test_header_round_trip);
  g_test_add_func ("/codec/decode/errors", test_decode_errors);
  g_test_add_func ("/codec/split/slice-length", test_slice_length);
  g_test_add_func ("/codec/split/split-and-join", test_split_and_join);
  g_test_add_func ("/codec/reassembly/single-chunk", test_single_chunk_is_not_copied);
  g_test_add_func ("/codec/reassembly/limits", test_reassembly_limits);
  g_test_add_func ("/codec/forward/round-trip", test_forward_round_trip);
  g_test_add_func ("/codec/base64/round-trip", test_base64_round_trip);
  g_test_add_func ("/codec/base64/strict", test_base64_strict);

  return g_test_run ();
}
