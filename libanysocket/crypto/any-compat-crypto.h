/* any-compat-crypto.h: compat E2EE, as the npm anysocket 0.4.x peer does it
 *
 * PROTOCOL.md section 6; the reference is anysocket's src/libs/utils.js
 * (node crypto). Pure functions, no I/O, no GObject.
 *
 *   key pair      ECDH on secp521r1; public key = uncompressed point
 *                 (0x04 || X || Y, 133 bytes), standard base64 on the wire
 *   nonce         32 random bytes as 64 lowercase hex characters
 *   session       hex (PBKDF2-HMAC-SHA256 (password = nonceA + nonceB,
 *                 salt = initiator id + "_0", 1 iteration, 32 bytes))
 *   secret        first 128 characters of hex (ECDH x-coordinate, left-
 *                 padded to 66 bytes)
 *   chunk key     PBKDF2-HMAC-SHA256 (password = secret as ASCII,
 *                 salt = session + "_" + decimal (|seq|), 1, 32), raw bytes
 *   chunk body    lowercase hex (iv) + hex (AES-256-CBC-PKCS#7 (key, iv,
 *                 plaintext)), iv = 16 fresh random bytes
 *
 * Both sides compute the same session: the responder uses the initiator's
 * id (the peer id) as salt, the initiator its own id. The nonce string is
 * always nonceA (initiator's) followed by nonceB (responder's).
 *
 * This mode is unauthenticated (see PROTOCOL.md 6, "Weaknesses"): a relay
 * can sit in the middle and flip bits. It exists only to talk to
 * JavaScript peers; libanysocket peers use the native mode (any-noise.h).
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

#include "crypto/any-crypto.h"

G_BEGIN_DECLS

#define ANY_COMPAT_PUBLIC_KEY_LEN      133  /* 0x04 || X(66) || Y(66) */
#define ANY_COMPAT_PUBLIC_BASE64_LEN   180  /* standard base64 of 133 bytes, "==" padded */
#define ANY_COMPAT_PRIVATE_KEY_LEN     66   /* big-endian scalar */
#define ANY_COMPAT_SHARED_LEN          66   /* ECDH x-coordinate, left-padded */
#define ANY_COMPAT_SECRET_HEX_LEN      128
#define ANY_COMPAT_SESSION_HEX_LEN     64
#define ANY_COMPAT_NONCE_HEX_LEN       64
#define ANY_COMPAT_IV_LEN              16

typedef struct _AnyCompatKeypair AnyCompatKeypair;
typedef struct _AnyCompatSession AnyCompatSession;

/* A fresh random key pair (private scalar uniform in [1, n-1]). */
AnyCompatKeypair *any_compat_keypair_new              (void);

/* A key pair from a big-endian private scalar of 1..66 bytes (leading
 * zero bytes allowed), as node's ecdh.setPrivateKey() takes it. Fails
 * with %ANY_CRYPTO_ERROR_INVALID_KEY unless 1 <= scalar < n. For tests
 * and known-answer vectors. */
AnyCompatKeypair *any_compat_keypair_new_from_private (const guint8        *priv,
                                                       gsize                len,
                                                       GError             **error);
void              any_compat_keypair_free             (AnyCompatKeypair    *keypair);

/* The public key as it goes into the SWITCH packet's "key" (borrowed). */
const char       *any_compat_keypair_get_public_base64 (const AnyCompatKeypair *keypair);

/* The 133 raw bytes of the public key (borrowed). */
const guint8     *any_compat_keypair_get_public       (const AnyCompatKeypair *keypair);

/* Raw ECDH: checks that @peer_point is a valid uncompressed secp521r1
 * point (133 bytes, 0x04 prefix, coordinates < p, on the curve; infinity
 * and compressed points are refused with %ANY_CRYPTO_ERROR_INVALID_KEY)
 * and writes the 66-byte left-padded x-coordinate of priv * peer. */
gboolean          any_compat_keypair_compute_shared   (const AnyCompatKeypair *keypair,
                                                       const guint8        *peer_point,
                                                       gsize                peer_point_len,
                                                       guint8               shared[ANY_COMPAT_SHARED_LEN],
                                                       GError             **error);

/* 64 lowercase hex characters of fresh randomness (the SWITCH "nonce"). */
char             *any_compat_nonce_new                (void);

/* TRUE if @nonce is 64 hex characters (what a well-behaved peer sends). */
gboolean          any_compat_nonce_is_valid           (const char          *nonce);

/* Derives the session of a completed SWITCH exchange.
 * @peer_public_base64: the peer's "key", canonical standard base64 of a
 *   valid point (anything else is %ANY_CRYPTO_ERROR_INVALID_KEY);
 * @nonce_concat: nonceA followed by nonceB (UTF-8, used as given);
 * @initiator_id: the id of the side that sent the first SWITCH.
 * The keypair may be freed afterwards. */
gboolean          any_compat_derive                   (const AnyCompatKeypair *keypair,
                                                       const char          *peer_public_base64,
                                                       const char          *nonce_concat,
                                                       const char          *initiator_id,
                                                       AnyCompatSession   **out_session,
                                                       GError             **error);

/* A session from its two strings (128 hex characters of secret, 64 of
 * session), for known-answer tests. Returns NULL if they are malformed. */
AnyCompatSession *any_compat_session_new_from_strings (const char          *secret_hex,
                                                       const char          *session_hex);
void              any_compat_session_free             (AnyCompatSession    *session);

/* The two strings of a session (borrowed, NUL-terminated). */
const char       *any_compat_session_get_secret       (const AnyCompatSession *session);
const char       *any_compat_session_get_session      (const AnyCompatSession *session);

/* The per-chunk AES key (what node's getAESSessionKey returns, raw). */
void              any_compat_session_chunk_key        (const AnyCompatSession *session,
                                                       gint32               seq,
                                                       guint8               key[32]);

/* Appends hex (iv) + hex (ciphertext) of @plaintext (@len bytes, the UTF-8
 * of one chunk's JSON slice) to @out_hex_body: 32 + 2 * (len + 16 - len % 16)
 * characters. @seq may be negative (a reply); |seq| is what counts.
 * Thread-safe on a shared session; allocates nothing but @out's growth. */
void              any_compat_encrypt                  (const AnyCompatSession *session,
                                                       gint32               seq,
                                                       const guint8        *plaintext,
                                                       gsize                len,
                                                       GString             *out_hex_body);

/* The same with a given IV, for known-answer tests. */
void              any_compat_encrypt_with_iv          (const AnyCompatSession *session,
                                                       gint32               seq,
                                                       const guint8         iv[ANY_COMPAT_IV_LEN],
                                                       const guint8        *plaintext,
                                                       gsize                len,
                                                       GString             *out_hex_body);

/* Decrypts a chunk body. Strict: @len must be 32 + 32 * k (k >= 1) hex
 * characters (either case), and the PKCS#7 padding must be valid;
 * otherwise %ANY_CRYPTO_ERROR_INVALID_INPUT or %ANY_CRYPTO_ERROR_DECRYPT,
 * and @out_plain is left as it was. On success the plaintext (bytes, not
 * checked for UTF-8) is appended to @out_plain. Note that CBC has no
 * integrity: a wrong key or a flipped bit usually, not always, fails the
 * padding check. */
gboolean          any_compat_decrypt                  (const AnyCompatSession *session,
                                                       gint32               seq,
                                                       const char          *hex_body,
                                                       gsize                len,
                                                       GString             *out_plain,
                                                       GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnyCompatKeypair, any_compat_keypair_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnyCompatSession, any_compat_session_free)

G_END_DECLS
