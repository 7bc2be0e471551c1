/* any-noise.h: native E2EE, Noise_XX_25519_ChaChaPoly_SHA256
 *
 * The Noise Protocol Framework, revision 34 (noiseprotocol.org), with
 * the XX pattern:
 *
 *   -> e
 *   <- e, ee, s, es
 *   -> s, se
 *
 * DH is X25519 (a peer key that gives an all-zero shared secret is
 * refused), the cipher ChaCha20-Poly1305 with the nonce 0x00000000 ||
 * little-endian 64-bit counter, the hash SHA-256 and HKDF over
 * HMAC-SHA256. Pure functions and plain structs: no I/O, no GObject.
 *
 * An #AnyNoiseHandshake is a HandshakeState (with its SymmetricState and
 * CipherState); after the third message both sides call
 * any_noise_handshake_split() and get two #AnyNoiseCipher (CipherState)
 * objects, one per direction. The handshake hash (channel binding) and
 * the peer's static key stay readable after the split.
 *
 * Limits: handshake messages are at most %ANY_NOISE_MAX_MESSAGE_LEN
 * bytes, as the spec requires; transport messages are not limited here
 * (the framing above decides).
 *
 * An error from any call of a handshake is final: the handshake is dead
 * and every later call fails with %ANY_CRYPTO_ERROR_STATE. A failed
 * decryption of a transport message leaves the cipher usable (its nonce
 * does not move), but the caller should drop the connection: messages are
 * ordered, so a gap or a forgery cannot be skipped.
 *
 * Secrets (private keys, chaining key, cipher keys) are wiped on free.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

#include "crypto/any-crypto.h"
#include "crypto/any-noise-cipher.h"  /* the CipherState: AnyNoiseCipher */

G_BEGIN_DECLS

#define ANY_NOISE_PROTOCOL_NAME   "Noise_XX_25519_ChaChaPoly_SHA256"
#define ANY_NOISE_PROTOCOL_NAME_AESGCM "Noise_XX_25519_AESGCM_SHA256"
#define ANY_NOISE_MAX_MESSAGE_LEN 65535

/* --- identity (static) and ephemeral key pairs ------------------------- */

/* An X25519 key pair. Reference counted, so a handshake can keep the
 * identity while the application keeps it too. */
typedef struct _AnyNoiseKeypair AnyNoiseKeypair;

AnyNoiseKeypair *any_noise_keypair_new              (void);
/* From 32 raw private bytes (as stored on disk or given by a test vector;
 * clamping happens at use, as RFC 7748 says). */
AnyNoiseKeypair *any_noise_keypair_new_from_private (const guint8     priv[ANY_NOISE_KEY_LEN]);
AnyNoiseKeypair *any_noise_keypair_ref              (AnyNoiseKeypair *keypair);
void             any_noise_keypair_unref            (AnyNoiseKeypair *keypair);
/* The 32 raw private bytes, to store the identity (handle with care). */
void             any_noise_keypair_get_private      (const AnyNoiseKeypair *keypair,
                                                     guint8           out[ANY_NOISE_KEY_LEN]);
/* The 32-byte public key (borrowed). */
const guint8    *any_noise_keypair_get_public       (const AnyNoiseKeypair *keypair);

/* --- fingerprints ------------------------------------------------------ */

#define ANY_NOISE_FINGERPRINT_DIGITS 60
#define ANY_NOISE_FINGERPRINT_LEN    71  /* 12 groups of 5 digits, 11 spaces */

/* The fingerprint of a static public key, for people to compare out of
 * band (like a Signal safety number, but for one key):
 *
 *   d = SHA-512 ("AnySocket-fingerprint-v1" || public key)
 *
 * (the label is the 24 ASCII bytes, no NUL; the key its 32 raw bytes).
 * The first 60 bytes of d are cut into 12 chunks of 5 bytes; each chunk,
 * read as a big-endian 40-bit integer, gives its value mod 100000 as 5
 * decimal digits (zero-padded). The 12 groups are joined by single
 * spaces: "ddddd ddddd ... ddddd" (71 characters). 60 digits carry about
 * 199 bits; the bias of a 40-bit value mod 10^5 is below 10^-7.
 * Returns a newly allocated string. */
char            *any_noise_fingerprint              (const guint8     public_key[ANY_NOISE_KEY_LEN]);
/* The same digits with another label in place of "AnySocket-fingerprint-v1"
 * (the mesh's node fingerprints, over an Ed25519 key, use
 * "AnyMesh-fingerprint-v1"). */
char            *any_noise_fingerprint_labelled     (const char      *label,
                                                     const guint8     public_key[ANY_NOISE_KEY_LEN]);

/* --- HandshakeState ---------------------------------------------------- */

typedef struct _AnyNoiseHandshake AnyNoiseHandshake;

typedef enum {
  ANY_NOISE_ACTION_WRITE_MESSAGE,  /* call any_noise_handshake_write_message() */
  ANY_NOISE_ACTION_READ_MESSAGE,   /* wait for a message, then read_message() */
  ANY_NOISE_ACTION_SPLIT,          /* finished: call any_noise_handshake_split() */
  ANY_NOISE_ACTION_COMPLETE,       /* split done */
  ANY_NOISE_ACTION_FAILED,         /* an earlier call failed; drop it */
} AnyNoiseAction;

/* Initialize(): @static_keypair is the local identity (a reference is
 * taken); @prologue (may be empty) must be the same on both sides or
 * the handshake fails, so bind whatever was negotiated in the clear. */
AnyNoiseHandshake *any_noise_handshake_new_initiator (AnyNoiseKeypair *static_keypair,
                                                      const guint8    *prologue,
                                                      gsize            prologue_len);
AnyNoiseHandshake *any_noise_handshake_new_responder (AnyNoiseKeypair *static_keypair,
                                                      const guint8    *prologue,
                                                      gsize            prologue_len);
/* The same for Noise_XX_25519_AESGCM_SHA256 (@suite AESGCM) or the
 * ChaChaPoly protocol above. */
AnyNoiseHandshake *any_noise_handshake_new_full      (AnyNoiseCipherSuite suite,
                                                      gboolean         initiator,
                                                      AnyNoiseKeypair *static_keypair,
                                                      const guint8    *prologue,
                                                      gsize            prologue_len);
void               any_noise_handshake_free          (AnyNoiseHandshake *handshake);

/* For known-answer tests only: use @ephemeral instead of a fresh random
 * key pair. Must be called before this side writes its "e". */
void               any_noise_handshake_set_ephemeral (AnyNoiseHandshake *handshake,
                                                      AnyNoiseKeypair   *ephemeral);

AnyNoiseAction     any_noise_handshake_get_action    (const AnyNoiseHandshake *handshake);
gboolean           any_noise_handshake_is_initiator  (const AnyNoiseHandshake *handshake);
/* TRUE once all three messages went through (action SPLIT or COMPLETE). */
gboolean           any_noise_handshake_is_finished   (const AnyNoiseHandshake *handshake);

/* WriteMessage(): appends the next handshake message, carrying @payload
 * (encrypted from the second message on; sent in the clear in the first),
 * to @out. */
gboolean           any_noise_handshake_write_message (AnyNoiseHandshake *handshake,
                                                      const guint8      *payload,
                                                      gsize              payload_len,
                                                      GByteArray        *out,
                                                      GError           **error);
/* ReadMessage(): processes the peer's next handshake message and appends
 * its payload to @payload_out (which may be NULL to discard it). Bad
 * length, a weak peer key or a failed tag: %ANY_CRYPTO_ERROR_INVALID_INPUT,
 * _INVALID_KEY or _DECRYPT, and the handshake is dead. */
gboolean           any_noise_handshake_read_message  (AnyNoiseHandshake *handshake,
                                                      const guint8      *message,
                                                      gsize              len,
                                                      GByteArray        *payload_out,
                                                      GError           **error);

/* Split(): once finished, the two transport CipherStates, already
 * oriented: @out_send encrypts what this side sends, @out_recv decrypts
 * what it receives. Can be called once. Wipes the chaining key. */
gboolean           any_noise_handshake_split         (AnyNoiseHandshake *handshake,
                                                      AnyNoiseCipher   **out_send,
                                                      AnyNoiseCipher   **out_recv,
                                                      GError           **error);

/* The handshake hash h (32 bytes, borrowed). Final (and the same on both
 * sides) once the handshake is finished; use it for channel binding. */
const guint8      *any_noise_handshake_get_handshake_hash (const AnyNoiseHandshake *handshake);

/* The peer's static public key (32 bytes, borrowed), or NULL until its
 * "s" has been read (second message for the initiator, third for the
 * responder). Authenticated only once the handshake is finished; compare
 * it (or its fingerprint) with what you expect before trusting it. */
const guint8      *any_noise_handshake_get_remote_static  (const AnyNoiseHandshake *handshake);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnyNoiseKeypair, any_noise_keypair_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnyNoiseHandshake, any_noise_handshake_free)

G_END_DECLS
