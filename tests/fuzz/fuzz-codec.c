/* fuzz-codec.c: chunk headers, FORWARD headers, reassembly, base64
 *
 * The input is cut into frames at each 0xFF byte (never part of UTF-8).
 * Every frame is decoded as a chunk and as a FORWARD frame; the chunks
 * that decode go through one reassembly with small limits, which must
 * keep to them. Each frame is also decoded as base64, and what decodes
 * must encode back to the same text.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "codec/any-base64.h"
#include "codec/any-codec.h"
#include "protocol/any-reassembly.h"
#include "fuzz.h"

#define MAX_MESSAGE 4096
#define MAX_PARTIALS 8

static void
check_base64 (const guint8 *text,
              gsize         len)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  g_autoptr(GString) back = g_string_new (NULL);

  if (!any_base64_decode_strict (text, len, bytes))
    return;
  any_base64_encode_append (back, bytes->data, bytes->len);
  g_assert_cmpmem (back->str, back->len, text, len);
}

static void
check_frame (AnyReassembly *reassembly,
             const guint8  *frame,
             gsize          len)
{
  AnyChunk chunk;
  AnyForward forward;
  GString *whole = NULL;
  g_autoptr(GError) error = NULL;

  if (any_forward_decode (frame, len, &forward, NULL))
    {
      g_assert_true (forward.inner >= frame && forward.inner + forward.inner_len == frame + len);
      g_assert_true (any_frame_is_forward (frame, len));
    }
  if (!any_chunk_decode (frame, len, &chunk, &error))
    {
      g_assert_nonnull (error);
      return;
    }
  g_assert_true (chunk.body >= frame && chunk.body + chunk.body_len == frame + len);
  if (!any_reassembly_add (reassembly, &chunk, chunk.body, chunk.body_len, &whole, &error))
    {
      g_assert_nonnull (error);
      any_reassembly_clear (reassembly);
      return;
    }
  if (whole != NULL)
    {
      g_assert_cmpuint (whole->len, <=, MAX_MESSAGE);
      g_string_free (whole, TRUE);
    }
  g_assert_cmpuint (any_reassembly_get_partials (reassembly), <=, MAX_PARTIALS);
  g_assert_cmpuint (any_reassembly_get_buffered (reassembly), <=, MAX_MESSAGE);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(AnyReassembly) reassembly = any_reassembly_new (MAX_MESSAGE, MAX_PARTIALS);
  const guint8 *start = data, *end = data + size;

  while (start <= end)
    {
      const guint8 *cut = memchr (start, 0xFF, end - start);
      gsize len = (cut != NULL ? cut : end) - start;

      check_frame (reassembly, start, len);
      check_base64 (start, len);
      if (cut == NULL)
        break;
      start = cut + 1;
    }
  return 0;
}
