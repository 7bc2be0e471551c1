/* any-ws-writer.c: RFC 6455 frame headers and client masks
 *
 * Frames we send are always final (a message is one frame; nothing is
 * fragmented), with the length in its shortest form. A client masks
 * every frame with a new key that the page or proxy in the middle cannot
 * predict (RFC 6455 5.3, 10.3): ChaCha20's key stream, keyed once per
 * connection from getrandom(), gives 16 of them per 64-byte block, far
 * cheaper than a system call per frame.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "transport/any-ws-writer.h"

#include <string.h>
#include <sys/random.h>

#include <nettle/chacha.h>

guint
any_ws_write_header (guint8       *out,
                     guint8        opcode,
                     guint64       len,
                     const guint8 *mask)
{
  guint at = 2;

  out[0] = 0x80 | (opcode & 0x0f);
  if (len < 126)
    out[1] = (guint8) len;
  else if (len <= G_MAXUINT16)
    {
      out[1] = 126;
      out[2] = (guint8) (len >> 8);
      out[3] = (guint8) len;
      at = 4;
    }
  else
    {
      out[1] = 127;
      for (guint i = 0; i < 8; i++)
        out[2 + i] = (guint8) (len >> (56 - 8 * i));
      at = 10;
    }
  if (mask != NULL)
    {
      out[1] |= 0x80;
      memcpy (out + at, mask, 4);
      at += 4;
    }
  return at;
}

void
any_ws_mask_copy (guint8       *dst,
                  const guint8 *src,
                  gsize         len,
                  const guint8 *mask)
{
  guint8 m[8];
  guint64 word_mask;
  gsize i = 0;

  for (guint k = 0; k < 8; k++)
    m[k] = mask[k & 3];
  memcpy (&word_mask, m, 8);
  for (; i + 8 <= len; i += 8)
    {
      guint64 word;

      memcpy (&word, src + i, 8);
      word ^= word_mask;
      memcpy (dst + i, &word, 8);
    }
  for (; i < len; i++)
    dst[i] = src[i] ^ mask[i & 3];
}

struct _AnyWsMasks
{
  struct chacha_ctx chacha;
  guint8            block[CHACHA_BLOCK_SIZE];
  guint             used;
};

AnyWsMasks *
any_ws_masks_new (void)
{
  AnyWsMasks *self = g_new0 (AnyWsMasks, 1);
  guint8 seed[CHACHA_KEY_SIZE + CHACHA_NONCE_SIZE];
  gsize got = 0;

  while (got < sizeof seed)
    {
      gssize n = getrandom (seed + got, sizeof seed - got, 0);

      if (n <= 0)
        {
          /* Not expected on Linux 3.17+; still a key, if a worse one. */
          for (; got < sizeof seed; got++)
            seed[got] = (guint8) g_random_int ();
          break;
        }
      got += n;
    }
  chacha_set_key (&self->chacha, seed);
  chacha_set_nonce (&self->chacha, seed + CHACHA_KEY_SIZE);
  self->used = sizeof self->block;
  return self;
}

void
any_ws_masks_free (AnyWsMasks *self)
{
  g_free (self);
}

void
any_ws_masks_next (AnyWsMasks *self,
                   guint8     *mask)
{
  if (self->used + 4 > sizeof self->block)
    {
      memset (self->block, 0, sizeof self->block);
      chacha_crypt (&self->chacha, sizeof self->block, self->block, self->block);
      self->used = 0;
    }
  memcpy (mask, self->block + self->used, 4);
  self->used += 4;
}
