/* any-base64.c: base64 for native E2E chunk bodies
 *
 * Table-driven, one pass each way. GLib's step functions cost more than
 * the ChaCha20-Poly1305 they wrap, and its decoder skips characters it
 * does not know, so a strict check needed a second pass; this decoder
 * refuses anything but canonical standard base64 as it goes.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "codec/any-base64.h"

static const char alphabet[64] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* 0..63 for alphabet characters, 64 for anything else. */
static guint8 values[256];

/* Decoding: each character's six bits already in place for its position
 * in a group of four, and bit 31 set for a character outside the
 * alphabet, so a group is four loads and ORs. */
static guint32 placed[4][256];

/* Encoding: the two characters of every 12-bit value. */
static char pairs[4096][2];

static void
init_tables (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      memset (values, 64, sizeof values);
      for (guint i = 0; i < 64; i++)
        values[(guint8) alphabet[i]] = (guint8) i;
      for (guint c = 0; c < 256; c++)
        for (guint k = 0; k < 4; k++)
          placed[k][c] = values[c] == 64 ? 0x80000000u :
                         (guint32) values[c] << (18 - 6 * k);
      for (guint v = 0; v < 4096; v++)
        {
          pairs[v][0] = alphabet[v >> 6];
          pairs[v][1] = alphabet[v & 63];
        }
      g_once_init_leave (&done, 1);
    }
}

void
any_base64_encode_append (GString      *out,
                          const guint8 *data,
                          gsize         len)
{
  gsize start = out->len;
  gsize full = len / 3 * 3;
  char *p;
  gsize i;

  init_tables ();
  g_string_set_size (out, start + (len + 2) / 3 * 4);
  p = out->str + start;
  for (i = 0; i < full; i += 3)
    {
      guint32 v = ((guint32) data[i] << 16) | ((guint32) data[i + 1] << 8) | data[i + 2];

      memcpy (p, pairs[v >> 12], 2);
      memcpy (p + 2, pairs[v & 4095], 2);
      p += 4;
    }
  if (len - full == 1)
    {
      guint32 v = (guint32) data[i] << 16;

      p[0] = alphabet[v >> 18];
      p[1] = alphabet[(v >> 12) & 63];
      p[2] = '=';
      p[3] = '=';
    }
  else if (len - full == 2)
    {
      guint32 v = ((guint32) data[i] << 16) | ((guint32) data[i + 1] << 8);

      p[0] = alphabet[v >> 18];
      p[1] = alphabet[(v >> 12) & 63];
      p[2] = alphabet[(v >> 6) & 63];
      p[3] = '=';
    }
}

/* Appends the decoded bytes to @out. FALSE (and @out unchanged) unless
 * @text is canonical: a multiple of 4 characters, the alphabet only,
 * '=' only as the last one or two, unused bits zero. */
gboolean
any_base64_decode_strict (const guint8 *text,
                          gsize         len,
                          GByteArray   *out)
{
  gsize start = out->len;
  gsize groups, pad = 0;
  guint8 *p;
  guint bad = 0;
  guint32 invalid = 0;

  init_tables ();
  if (len % 4 != 0)
    return FALSE;
  if (len == 0)
    return TRUE;
  if (text[len - 1] == '=')
    pad = text[len - 2] == '=' ? 2 : 1;
  groups = len / 4;

  g_byte_array_set_size (out, start + groups * 3);
  p = out->data + start;
  for (gsize g = 0; g + 1 < groups; g++)
    {
      const guint8 *t = text + g * 4;
      guint32 v = placed[0][t[0]] | placed[1][t[1]] | placed[2][t[2]] | placed[3][t[3]];

      invalid |= v;
      p[0] = (guint8) (v >> 16);
      p[1] = (guint8) (v >> 8);
      p[2] = (guint8) v;
      p += 3;
    }

  {
    const guint8 *t = text + (groups - 1) * 4;
    guint a = values[t[0]], b = values[t[1]];
    guint c = pad >= 2 ? 0 : values[t[2]];
    guint d = pad >= 1 ? 0 : values[t[3]];
    guint32 v = (a << 18) | (b << 12) | (c << 6) | d;

    bad |= (a | b | c | d) & 64;
    /* The bits a padded group does not carry must be zero. */
    if ((pad == 1 && (c & 3) != 0) || (pad == 2 && (b & 15) != 0))
      bad = 1;
    p[0] = (guint8) (v >> 16);
    p[1] = (guint8) (v >> 8);
    p[2] = (guint8) v;
  }

  if (bad != 0 || (invalid & 0x80000000u) != 0)
    {
      g_byte_array_set_size (out, start);
      return FALSE;
    }
  g_byte_array_set_size (out, start + groups * 3 - pad);
  return TRUE;
}
