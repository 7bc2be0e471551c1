/* any-noise.c: Noise_XX_25519_ChaChaPoly_SHA256 and _AESGCM_ (Noise spec revision 34):
 * key pairs, fingerprints and the HandshakeState
 *
 * Section numbers below are the spec's. The CipherState and the
 * SymmetricState are in any-noise-cipher.c. X25519, SHA-256 and HMAC
 * come from nettle (through any-crypto.c).
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <nettle/sha2.h>

#include "crypto/any-noise.h"

#define DHLEN   ANY_NOISE_KEY_LEN
#define TAGLEN  ANY_NOISE_TAG_LEN

/* --- key pairs ---------------------------------------------------------- */

struct _AnyNoiseKeypair {
  gint ref_count;
  guint8 priv[DHLEN];
  guint8 pub[DHLEN];
};

AnyNoiseKeypair *
any_noise_keypair_new_from_private (const guint8 priv[ANY_NOISE_KEY_LEN])
{
  AnyNoiseKeypair *keypair;

  g_return_val_if_fail (priv != NULL, NULL);

  keypair = g_new0 (AnyNoiseKeypair, 1);
  keypair->ref_count = 1;
  memcpy (keypair->priv, priv, DHLEN);
  any_crypto_x25519_base (keypair->priv, keypair->pub);
  return keypair;
}

AnyNoiseKeypair *
any_noise_keypair_new (void)
{
  guint8 priv[DHLEN];
  AnyNoiseKeypair *keypair;

  any_crypto_random (priv, sizeof priv, TRUE);
  keypair = any_noise_keypair_new_from_private (priv);
  any_crypto_wipe (priv, sizeof priv);
  return keypair;
}

AnyNoiseKeypair *
any_noise_keypair_ref (AnyNoiseKeypair *keypair)
{
  g_return_val_if_fail (keypair != NULL, NULL);
  g_atomic_int_inc (&keypair->ref_count);
  return keypair;
}

void
any_noise_keypair_unref (AnyNoiseKeypair *keypair)
{
  if (keypair == NULL)
    return;
  if (!g_atomic_int_dec_and_test (&keypair->ref_count))
    return;
  any_crypto_wipe (keypair, sizeof *keypair);
  g_free (keypair);
}

void
any_noise_keypair_get_private (const AnyNoiseKeypair *keypair,
                               guint8                 out[ANY_NOISE_KEY_LEN])
{
  g_return_if_fail (keypair != NULL);
  memcpy (out, keypair->priv, DHLEN);
}

const guint8 *
any_noise_keypair_get_public (const AnyNoiseKeypair *keypair)
{
  g_return_val_if_fail (keypair != NULL, NULL);
  return keypair->pub;
}

/* --- fingerprints (documented in the header) ---------------------------- */

#define FINGERPRINT_LABEL "AnySocket-fingerprint-v1"

char *
any_noise_fingerprint (const guint8 public_key[ANY_NOISE_KEY_LEN])
{
  return any_noise_fingerprint_labelled (FINGERPRINT_LABEL, public_key);
}

char *
any_noise_fingerprint_labelled (const char  *label,
                                const guint8 public_key[ANY_NOISE_KEY_LEN])
{
  struct sha512_ctx ctx;
  guint8 digest[SHA512_DIGEST_SIZE];
  GString *out = g_string_sized_new (ANY_NOISE_FINGERPRINT_LEN + 1);

  g_return_val_if_fail (public_key != NULL, NULL);

  sha512_init (&ctx);
  sha512_update (&ctx, strlen (label), (const guint8 *) label);
  sha512_update (&ctx, DHLEN, public_key);
  sha512_digest (&ctx, sizeof digest, digest);

  for (guint group = 0; group < 12; group++)
    {
      guint64 v = 0;

      for (guint i = 0; i < 5; i++)
        v = (v << 8) | digest[5 * group + i];
      if (group > 0)
        g_string_append_c (out, ' ');
      g_string_append_printf (out, "%05u", (guint) (v % 100000));
    }

  g_assert (out->len == ANY_NOISE_FINGERPRINT_LEN);
  return g_string_free (out, FALSE);
}

/* --- HandshakeState (5.3) ----------------------------------------------- */

typedef enum {
  TOKEN_END = 0,
  TOKEN_E,
  TOKEN_S,
  TOKEN_EE,
  TOKEN_ES,
  TOKEN_SE,
  TOKEN_SS,
} Token;

/* XX (7.5): no pre-messages; initiator writes messages 0 and 2. */
#define XX_MESSAGES 3
static const Token xx_pattern[XX_MESSAGES][5] = {
  { TOKEN_E, TOKEN_END },
  { TOKEN_E, TOKEN_EE, TOKEN_S, TOKEN_ES, TOKEN_END },
  { TOKEN_S, TOKEN_SE, TOKEN_END },
};

struct _AnyNoiseHandshake {
  gboolean initiator;
  guint message;           /* index of the next message, 0..XX_MESSAGES */
  gboolean failed;
  gboolean split_done;
  AnyNoiseSymmetricState *ss;
  AnyNoiseKeypair *s;
  AnyNoiseKeypair *e;
  guint8 rs[DHLEN];
  guint8 re[DHLEN];
  gboolean has_rs;
  gboolean has_re;
};

AnyNoiseHandshake *
any_noise_handshake_new_full (AnyNoiseCipherSuite  suite,
                              gboolean             initiator,
                              AnyNoiseKeypair     *static_keypair,
                              const guint8        *prologue,
                              gsize                prologue_len)
{
  AnyNoiseHandshake *hs;

  g_return_val_if_fail (static_keypair != NULL, NULL);
  g_return_val_if_fail (prologue != NULL || prologue_len == 0, NULL);

  hs = g_new0 (AnyNoiseHandshake, 1);
  hs->initiator = initiator;
  hs->s = any_noise_keypair_ref (static_keypair);
  hs->ss = _any_noise_symmetric_new (suite, suite == ANY_NOISE_CIPHER_AESGCM ? ANY_NOISE_PROTOCOL_NAME_AESGCM
                                                                            : ANY_NOISE_PROTOCOL_NAME);
  _any_noise_symmetric_mix_hash (hs->ss, prologue, prologue_len);
  return hs;
}

AnyNoiseHandshake *
any_noise_handshake_new_initiator (AnyNoiseKeypair *static_keypair,
                                   const guint8    *prologue,
                                   gsize            prologue_len)
{
  return any_noise_handshake_new_full (ANY_NOISE_CIPHER_CHACHAPOLY, TRUE, static_keypair, prologue, prologue_len);
}

AnyNoiseHandshake *
any_noise_handshake_new_responder (AnyNoiseKeypair *static_keypair,
                                   const guint8    *prologue,
                                   gsize            prologue_len)
{
  return any_noise_handshake_new_full (ANY_NOISE_CIPHER_CHACHAPOLY, FALSE, static_keypair, prologue, prologue_len);
}

void
any_noise_handshake_free (AnyNoiseHandshake *hs)
{
  if (hs == NULL)
    return;
  g_clear_pointer (&hs->ss, _any_noise_symmetric_free);
  g_clear_pointer (&hs->s, any_noise_keypair_unref);
  g_clear_pointer (&hs->e, any_noise_keypair_unref);
  any_crypto_wipe (hs, sizeof *hs);
  g_free (hs);
}

void
any_noise_handshake_set_ephemeral (AnyNoiseHandshake *hs,
                                   AnyNoiseKeypair   *ephemeral)
{
  g_return_if_fail (hs != NULL && ephemeral != NULL);
  g_return_if_fail (hs->e == NULL);

  hs->e = any_noise_keypair_ref (ephemeral);
}

AnyNoiseAction
any_noise_handshake_get_action (const AnyNoiseHandshake *hs)
{
  g_return_val_if_fail (hs != NULL, ANY_NOISE_ACTION_FAILED);

  if (hs->failed)
    return ANY_NOISE_ACTION_FAILED;
  if (hs->split_done)
    return ANY_NOISE_ACTION_COMPLETE;
  if (hs->message >= XX_MESSAGES)
    return ANY_NOISE_ACTION_SPLIT;
  return ((hs->message % 2 == 0) == hs->initiator) ? ANY_NOISE_ACTION_WRITE_MESSAGE
                                                    : ANY_NOISE_ACTION_READ_MESSAGE;
}

gboolean
any_noise_handshake_is_initiator (const AnyNoiseHandshake *hs)
{
  g_return_val_if_fail (hs != NULL, FALSE);
  return hs->initiator;
}

gboolean
any_noise_handshake_is_finished (const AnyNoiseHandshake *hs)
{
  g_return_val_if_fail (hs != NULL, FALSE);
  return !hs->failed && hs->message >= XX_MESSAGES;
}

const guint8 *
any_noise_handshake_get_handshake_hash (const AnyNoiseHandshake *hs)
{
  g_return_val_if_fail (hs != NULL, NULL);
  return _any_noise_symmetric_get_hash (hs->ss);
}

const guint8 *
any_noise_handshake_get_remote_static (const AnyNoiseHandshake *hs)
{
  g_return_val_if_fail (hs != NULL, NULL);
  return hs->has_rs ? hs->rs : NULL;
}

static gboolean
expect_action (AnyNoiseHandshake  *hs,
               AnyNoiseAction      action,
               const char         *what,
               GError            **error)
{
  if (any_noise_handshake_get_action (hs) == action)
    return TRUE;
  g_set_error (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_STATE,
               "Noise handshake: %s is not expected now%s", what,
               hs->failed ? " (the handshake has failed)" : "");
  return FALSE;
}

/* The bytes that the tokens of message @index add around its payload. */
static gsize
message_overhead (const AnyNoiseHandshake *hs,
                  guint                    index)
{
  gboolean has_key = _any_noise_symmetric_has_key (hs->ss);
  gsize len = 0;

  for (const Token *t = xx_pattern[index]; *t != TOKEN_END; t++)
    {
      switch (*t)
        {
        case TOKEN_E:
          len += DHLEN;
          break;
        case TOKEN_S:
          len += DHLEN + (has_key ? TAGLEN : 0);
          break;
        case TOKEN_END:
          break;
        case TOKEN_EE:
        case TOKEN_ES:
        case TOKEN_SE:
        case TOKEN_SS:
          has_key = TRUE;
          break;
        }
    }
  return len + (has_key ? TAGLEN : 0);
}

/* The DH of a token; which keys depends on the role (5.3). */
static gboolean
mix_dh (AnyNoiseHandshake  *hs,
        Token               token,
        GError            **error)
{
  const AnyNoiseKeypair *local;
  const guint8 *remote;
  guint8 shared[DHLEN];
  gboolean ok;

  switch (token)
    {
    case TOKEN_EE:
      local = hs->e;
      remote = hs->has_re ? hs->re : NULL;
      break;
    case TOKEN_ES:
      local = hs->initiator ? hs->e : hs->s;
      remote = hs->initiator ? (hs->has_rs ? hs->rs : NULL) : (hs->has_re ? hs->re : NULL);
      break;
    case TOKEN_SE:
      local = hs->initiator ? hs->s : hs->e;
      remote = hs->initiator ? (hs->has_re ? hs->re : NULL) : (hs->has_rs ? hs->rs : NULL);
      break;
    case TOKEN_SS:
      local = hs->s;
      remote = hs->has_rs ? hs->rs : NULL;
      break;
    case TOKEN_END:
    case TOKEN_E:
    case TOKEN_S:
    default:
      g_assert_not_reached ();
    }
  g_assert (local != NULL && remote != NULL);  /* guaranteed by the XX pattern */

  if (!any_crypto_x25519 (local->priv, remote, shared, error))
    return FALSE;
  ok = _any_noise_symmetric_mix_key (hs->ss, shared, sizeof shared, error);
  any_crypto_wipe (shared, sizeof shared);
  return ok;
}

gboolean
any_noise_handshake_write_message (AnyNoiseHandshake  *hs,
                                   const guint8       *payload,
                                   gsize               payload_len,
                                   GByteArray         *out,
                                   GError            **error)
{
  guint old;

  g_return_val_if_fail (hs != NULL, FALSE);
  g_return_val_if_fail (payload != NULL || payload_len == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (!expect_action (hs, ANY_NOISE_ACTION_WRITE_MESSAGE, "writing a message", error))
    return FALSE;

  /* Refused before any state changes: the caller may retry shorter. */
  if (payload_len > ANY_NOISE_MAX_MESSAGE_LEN - message_overhead (hs, hs->message))
    {
      g_set_error (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_INVALID_INPUT,
                   "Noise handshake payload of %" G_GSIZE_FORMAT " bytes is too long",
                   payload_len);
      return FALSE;
    }

  old = out->len;
  for (const Token *t = xx_pattern[hs->message]; *t != TOKEN_END; t++)
    {
      switch (*t)
        {
        case TOKEN_E:
          if (hs->e == NULL)
            hs->e = any_noise_keypair_new ();
          g_byte_array_append (out, hs->e->pub, DHLEN);
          _any_noise_symmetric_mix_hash (hs->ss, hs->e->pub, DHLEN);
          break;
        case TOKEN_S:
          if (!_any_noise_symmetric_encrypt_and_hash (hs->ss, hs->s->pub, DHLEN, out, error))
            goto fail;
          break;
        case TOKEN_EE:
        case TOKEN_ES:
        case TOKEN_SE:
        case TOKEN_SS:
          if (!mix_dh (hs, *t, error))
            goto fail;
          break;
        case TOKEN_END:
        default:
          g_assert_not_reached ();
        }
    }
  if (!_any_noise_symmetric_encrypt_and_hash (hs->ss, payload, payload_len, out, error))
    goto fail;

  hs->message++;
  return TRUE;

fail:
  g_byte_array_set_size (out, old);
  hs->failed = TRUE;
  _any_noise_symmetric_clear (hs->ss);
  return FALSE;
}

gboolean
any_noise_handshake_read_message (AnyNoiseHandshake  *hs,
                                  const guint8       *message,
                                  gsize               len,
                                  GByteArray         *payload_out,
                                  GError            **error)
{
  g_autoptr(GByteArray) scratch = NULL;
  GByteArray *payload;
  const guint8 *p = message;
  gsize left = len;
  guint old;

  g_return_val_if_fail (hs != NULL, FALSE);
  g_return_val_if_fail (message != NULL || len == 0, FALSE);

  if (!expect_action (hs, ANY_NOISE_ACTION_READ_MESSAGE, "reading a message", error))
    return FALSE;

  if (payload_out == NULL)
    payload_out = scratch = g_byte_array_new ();
  payload = payload_out;
  old = payload->len;

  if (len > ANY_NOISE_MAX_MESSAGE_LEN || len < message_overhead (hs, hs->message))
    {
      g_set_error (error, ANY_CRYPTO_ERROR, ANY_CRYPTO_ERROR_INVALID_INPUT,
                   "Noise handshake message %u has a bad length (%" G_GSIZE_FORMAT " bytes)",
                   hs->message + 1, len);
      goto fail;
    }

  for (const Token *t = xx_pattern[hs->message]; *t != TOKEN_END; t++)
    {
      switch (*t)
        {
        case TOKEN_E:
          memcpy (hs->re, p, DHLEN);
          hs->has_re = TRUE;
          _any_noise_symmetric_mix_hash (hs->ss, hs->re, DHLEN);
          p += DHLEN;
          left -= DHLEN;
          break;
        case TOKEN_S:
          {
            gsize n = DHLEN + (_any_noise_symmetric_has_key (hs->ss) ? TAGLEN : 0);
            g_autoptr(GByteArray) rs = g_byte_array_sized_new (DHLEN);

            if (!_any_noise_symmetric_decrypt_and_hash (hs->ss, p, n, rs, error))
              goto fail;
            g_assert (rs->len == DHLEN);
            memcpy (hs->rs, rs->data, DHLEN);
            hs->has_rs = TRUE;
            p += n;
            left -= n;
          }
          break;
        case TOKEN_EE:
        case TOKEN_ES:
        case TOKEN_SE:
        case TOKEN_SS:
          if (!mix_dh (hs, *t, error))
            goto fail;
          break;
        case TOKEN_END:
        default:
          g_assert_not_reached ();
        }
    }
  if (!_any_noise_symmetric_decrypt_and_hash (hs->ss, p, left, payload, error))
    goto fail;

  hs->message++;
  return TRUE;

fail:
  g_byte_array_set_size (payload, old);
  hs->failed = TRUE;
  hs->has_rs = FALSE;
  _any_noise_symmetric_clear (hs->ss);
  return FALSE;
}

gboolean
any_noise_handshake_split (AnyNoiseHandshake  *hs,
                           AnyNoiseCipher    **out_send,
                           AnyNoiseCipher    **out_recv,
                           GError            **error)
{
  g_autoptr(AnyNoiseCipher) c1 = NULL;
  g_autoptr(AnyNoiseCipher) c2 = NULL;
  gboolean ok;

  g_return_val_if_fail (hs != NULL, FALSE);
  g_return_val_if_fail (out_send != NULL && *out_send == NULL, FALSE);
  g_return_val_if_fail (out_recv != NULL && *out_recv == NULL, FALSE);

  if (!expect_action (hs, ANY_NOISE_ACTION_SPLIT, "split", error))
    return FALSE;

  ok = _any_noise_symmetric_split (hs->ss, &c1, &c2, error);
  g_clear_pointer (&hs->e, any_noise_keypair_unref);

  if (!ok)
    {
      hs->failed = TRUE;
      return FALSE;
    }

  hs->split_done = TRUE;
  if (hs->initiator)
    {
      *out_send = g_steal_pointer (&c1);
      *out_recv = g_steal_pointer (&c2);
    }
  else
    {
      *out_send = g_steal_pointer (&c2);
      *out_recv = g_steal_pointer (&c1);
    }
  return TRUE;
}
