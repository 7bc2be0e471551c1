/* any-e2e.c: end-to-end encryption of one link
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "any-error.h"
#include "protocol/any-e2e.h"
#include "transport/any-frame-pool.h"
#include "codec/any-base64.h"
#include "codec/any-json.h"
#include "protocol/any-trust.h"
#include "crypto/any-crypto.h"
#include "crypto/any-compat-crypto.h"
#include "crypto/any-noise.h"

struct _AnyE2e {
  char              *local_id;
  char              *peer_id;
  char              *local_caps;
  char              *peer_caps;
  AnyNoiseKeypair   *identity;
  AnyE2ePolicy       policy;
  gboolean           pinned;
  AnyE2eVerifyFunc   verify;
  gpointer           verify_data;

  AnyE2eMode         mode;        /* of the switch under way or done */
  gboolean           active;
  gboolean           switching;
  gboolean           initiator;

  /* compat */
  AnyCompatKeypair  *compat_keypair;
  char              *compat_nonce;
  AnyCompatSession  *compat;

  /* native */
  AnyNoiseHandshake *handshake;
  AnyNoiseCipherSuite suite;      /* of the native handshake under way or done */
  int                next_step;   /* the handshake message we expect */
  AnyNoiseCipher    *send;
  AnyNoiseCipher    *recv;
  guint8             remote_static[ANY_NOISE_KEY_LEN];
  gboolean           has_remote_static;
  GByteArray        *scratch;     /* per-chunk buffers, reused */
  GByteArray        *opened;
  guint64            rekey_interval;
};

/* Both directions move to a new key every 2^20 chunks (Noise's REKEY,
 * section 11.3, at a fixed interval): a key never protects more than a
 * million chunks, and the 64-bit counter nonce, which must never wrap,
 * never gets near it. Both sides count the same chunks, so they rekey at
 * the same one without telling each other. */
#define REKEY_INTERVAL (G_GUINT64_CONSTANT (1) << 20)

static gboolean
rekey_if_due (AnyE2e          *self,
              AnyNoiseCipher  *cipher,
              GError         **error)
{
  guint64 n = any_noise_cipher_get_nonce (cipher);

  if (n == 0 || n % self->rekey_interval != 0)
    return TRUE;
  return any_noise_cipher_rekey (cipher, error);
}

void
any_e2e_set_rekey_interval_for_testing (AnyE2e  *self,
                                        guint64  interval)
{
  self->rekey_interval = interval;
}

AnyE2e *
any_e2e_new (const AnyE2eConfig *config)
{
  AnyE2e *self = g_new0 (AnyE2e, 1);

  self->local_id = g_strdup (config->local_id);
  self->peer_id = g_strdup (config->peer_id);
  self->local_caps = g_strdup (config->local_caps ? config->local_caps : "");
  self->peer_caps = g_strdup (config->peer_caps ? config->peer_caps : "");
  self->identity = config->identity ? any_noise_keypair_ref (config->identity) : NULL;
  self->policy = config->policy;
  self->pinned = config->pinned;
  self->verify = config->verify;
  self->verify_data = config->verify_data;
  self->mode = ANY_E2E_MODE_NONE;
  self->rekey_interval = REKEY_INTERVAL;
  self->scratch = g_byte_array_new ();
  self->opened = g_byte_array_new ();
  return self;
}

static void
clear_handshake (AnyE2e *self)
{
  g_clear_pointer (&self->handshake, any_noise_handshake_free);
  g_clear_pointer (&self->compat_keypair, any_compat_keypair_free);
  g_clear_pointer (&self->compat_nonce, g_free);
  self->next_step = 0;
}

void
any_e2e_free (AnyE2e *self)
{
  if (self == NULL)
    return;
  clear_handshake (self);
  g_clear_pointer (&self->compat, any_compat_session_free);
  g_clear_pointer (&self->send, any_noise_cipher_free);
  g_clear_pointer (&self->recv, any_noise_cipher_free);
  g_clear_pointer (&self->identity, any_noise_keypair_unref);
  any_crypto_wipe (self->scratch->data, self->scratch->len);
  g_byte_array_unref (self->scratch);
  g_byte_array_unref (self->opened);
  g_free (self->local_id);
  g_free (self->peer_id);
  g_free (self->local_caps);
  g_free (self->peer_caps);
  g_free (self);
}

AnyE2eMode
any_e2e_get_mode (AnyE2e *self)
{
  return self->active ? self->mode : ANY_E2E_MODE_NONE;
}

gboolean
any_e2e_is_active (AnyE2e *self)
{
  return self->active;
}

gboolean
any_e2e_is_switching (AnyE2e *self)
{
  return self->switching;
}

/* Between the first and the last native handshake message the initiator
 * sends nothing but SWITCH packets: anything else was injected. */
gboolean
any_e2e_is_native_responder (AnyE2e *self)
{
  return self->switching && !self->initiator && self->mode == ANY_E2E_MODE_NATIVE;
}

gboolean
any_e2e_peer_can_native (AnyE2e *self)
{
  return self->identity != NULL && any_trust_caps_have_native (self->peer_caps);
}

/* The remote static key (32 bytes) of a finished native handshake. */
const guint8 *
any_e2e_get_remote_static (AnyE2e *self)
{
  return self->has_remote_static ? self->remote_static : NULL;
}

/* The cipher of native E2E: AESGCM when both lists have it. Both sides
 * see both lists (the peer's AUTH or probe), so both choose the same
 * without a word; a relay that strips the cap from one side's view makes
 * the two choose differently, and the prologue (which binds both lists)
 * fails the handshake either way. */
static AnyNoiseCipherSuite
choose_suite (AnyE2e *self)
{
  g_auto(GStrv) local = g_strsplit (self->local_caps, ",", -1);
  g_auto(GStrv) peer = g_strsplit (self->peer_caps, ",", -1);

  if (g_strv_contains ((const char * const *) local, ANY_E2E_CAP_NATIVE_AESGCM) &&
      g_strv_contains ((const char * const *) peer, ANY_E2E_CAP_NATIVE_AESGCM))
    return ANY_NOISE_CIPHER_AESGCM;
  return ANY_NOISE_CIPHER_CHACHAPOLY;
}

const char *
any_e2e_get_cipher_name (AnyE2e *self)
{
  if (!self->active || self->mode != ANY_E2E_MODE_NATIVE)
    return NULL;
  return self->suite == ANY_NOISE_CIPHER_AESGCM ? "AESGCM" : "ChaChaPoly";
}

/* JSON helpers */

static JsonNode *
switch_message (int         type,
                const char *first_key,
                ...)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  const char *key;
  va_list args;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_int_value (builder, type);
  va_start (args, first_key);
  for (key = first_key; key != NULL; key = va_arg (args, const char *))
    {
      json_builder_set_member_name (builder, key);
      if (g_str_equal (key, "step"))
        json_builder_add_int_value (builder, va_arg (args, int));
      else
        json_builder_add_string_value (builder, va_arg (args, const char *));
    }
  va_end (args);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}


static gint64
member_int (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return -1;
  return json_node_get_int (node);
}

/* Compat (PROTOCOL.md 6) */

/* Whatever the policy: compat would never show us the pinned key. */
static gboolean
compat_refused_for_pin (AnyE2e  *self,
                        GError **error)
{
  g_autofree char *reason = NULL;

  if (!self->pinned)
    return FALSE;
  reason = any_trust_compat_reason (self->peer_id);
  g_set_error_literal (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_AUTH_FAILED, reason);
  return TRUE;
}

static JsonNode *
compat_start (AnyE2e  *self,
              GError **error)
{
  self->compat_keypair = any_compat_keypair_new ();
  self->compat_nonce = any_compat_nonce_new ();
  self->mode = ANY_E2E_MODE_COMPAT;
  self->initiator = TRUE;
  self->switching = TRUE;
  return switch_message (ANY_E2E_SWITCH_COMPAT,
                         "key", any_compat_keypair_get_public_base64 (self->compat_keypair),
                         "nonce", self->compat_nonce, NULL);
}

static gboolean
compat_receive (AnyE2e      *self,
                JsonObject  *message,
                JsonNode   **reply,
                GError     **error)
{
  const char *key = any_json_get_string_member (message, "key");
  const char *nonce = any_json_get_string_member (message, "nonce");
  g_autofree char *nonce_concat = NULL;
  const char *initiator_id;

  if (compat_refused_for_pin (self, error))
    return FALSE;
  if (self->policy == ANY_E2E_POLICY_REQUIRE_NATIVE)
    {
      g_set_error_literal (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_NOT_SUPPORTED,
                           "Compat E2E refused: this socket requires native E2E");
      return FALSE;
    }
  /* Both sides advertised native: an honest peer would never ask for
   * compat, so this is a relay stripping capabilities (a downgrade). */
  if (any_e2e_peer_can_native (self))
    {
      g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROTOCOL,
                   "Compat E2E refused: peer %s advertised native E2E (downgrade attempt?)",
                   self->peer_id);
      return FALSE;
    }
  if (key == NULL || nonce == NULL || !any_compat_nonce_is_valid (nonce))
    {
      g_set_error_literal (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROTOCOL,
                           "Invalid SWITCH packet: bad key or nonce");
      return FALSE;
    }

  if (self->switching && self->initiator && self->mode == ANY_E2E_MODE_COMPAT)
    {
      /* The answer to our SWITCH. */
      nonce_concat = g_strconcat (self->compat_nonce, nonce, NULL);
      initiator_id = self->local_id;
    }
  else
    {
      /* We answer: a fresh key pair and nonce, sent back in the clear. */
      clear_handshake (self);
      self->compat_keypair = any_compat_keypair_new ();
      self->compat_nonce = any_compat_nonce_new ();
      self->mode = ANY_E2E_MODE_COMPAT;
      self->initiator = FALSE;
      nonce_concat = g_strconcat (nonce, self->compat_nonce, NULL);
      initiator_id = self->peer_id;
      *reply = switch_message (ANY_E2E_SWITCH_COMPAT,
                               "key", any_compat_keypair_get_public_base64 (self->compat_keypair),
                               "nonce", self->compat_nonce, NULL);
    }

  if (!any_compat_derive (self->compat_keypair, key, nonce_concat, initiator_id, &self->compat, error))
    {
      g_clear_pointer (reply, json_node_unref);
      return FALSE;
    }
  clear_handshake (self);
  self->active = TRUE;
  self->switching = FALSE;
  return TRUE;
}

/* Native: Noise_XX_25519_AESGCM_SHA256 or _ChaChaPoly_ in three SWITCH packets */

/* Binds both AUTH ids and both capability lists as each side saw them:
 * a relay that strips or changes either breaks the handshake. */
static GBytes *
native_prologue (AnyE2e *self)
{
  gboolean local_first = self->initiator;
  g_autofree char *text = g_strdup_printf ("AnySocket E2E v1\n%s\n%s\n%s\n%s",
                                           local_first ? self->local_id : self->peer_id,
                                           local_first ? self->peer_id : self->local_id,
                                           local_first ? self->local_caps : self->peer_caps,
                                           local_first ? self->peer_caps : self->local_caps);
  gsize len = strlen (text);

  return g_bytes_new_take (g_steal_pointer (&text), len);
}

static JsonNode *
native_message (int          step,
                GByteArray  *message)
{
  g_autofree char *encoded = g_base64_encode (message->data, message->len);

  return switch_message (ANY_E2E_SWITCH_NATIVE, "step", step, "noise", encoded, NULL);
}

/* The second and third messages carry the sender's id, so the static key
 * is bound to the id the peer presented in AUTH. */
static GByteArray *
id_payload (const char *id)
{
  GByteArray *payload = g_byte_array_new ();
  g_autofree char *text = g_strdup_printf ("{\"id\":\"%s\"}", id);

  g_byte_array_append (payload, (const guint8 *) text, strlen (text));
  return payload;
}

static gboolean
check_id_payload (AnyE2e     *self,
                  GByteArray *payload,
                  GError    **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  const char *id = NULL;

  if (json_parser_load_from_data (parser, (const char *) payload->data, payload->len, NULL) &&
      (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_OBJECT (root))
    id = any_json_get_string_member (json_node_get_object (root), "id");

  if (g_strcmp0 (id, self->peer_id) != 0)
    {
      g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROTOCOL,
                   "E2E handshake: the key belongs to id '%s', not to peer %s",
                   id ? id : "(none)", self->peer_id);
      return FALSE;
    }
  return TRUE;
}

/* The key is authenticated once its message decrypted: check it before
 * answering, so an unverified responder never gets our id and key. */
static gboolean
verify_remote_static (AnyE2e  *self,
                      GError **error)
{
  const guint8 *remote = any_noise_handshake_get_remote_static (self->handshake);
  g_autofree char *reason = NULL;

  if (self->verify == NULL || self->verify (self->verify_data, remote, &reason))
    return TRUE;
  g_set_error_literal (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_AUTH_FAILED,
                       reason != NULL ? reason : "the peer's key was refused");
  return FALSE;
}

static gboolean
native_finish (AnyE2e  *self,
               GError **error)
{
  const guint8 *remote = any_noise_handshake_get_remote_static (self->handshake);

  memcpy (self->remote_static, remote, ANY_NOISE_KEY_LEN);
  self->has_remote_static = TRUE;
  if (!any_noise_handshake_split (self->handshake, &self->send, &self->recv, error))
    return FALSE;
  clear_handshake (self);
  self->active = TRUE;
  self->switching = FALSE;
  return TRUE;
}

static JsonNode *
native_start (AnyE2e  *self,
              GError **error)
{
  g_autoptr(GBytes) prologue = NULL;
  g_autoptr(GByteArray) message = g_byte_array_new ();

  self->mode = ANY_E2E_MODE_NATIVE;
  self->initiator = TRUE;
  prologue = native_prologue (self);
  self->suite = choose_suite (self);
  self->handshake = any_noise_handshake_new_full (self->suite, TRUE, self->identity,
                                                  g_bytes_get_data (prologue, NULL),
                                                  g_bytes_get_size (prologue));
  if (!any_noise_handshake_write_message (self->handshake, NULL, 0, message, error))
    return NULL;
  self->next_step = 2;
  self->switching = TRUE;
  return native_message (1, message);
}

static gboolean
native_receive (AnyE2e      *self,
                JsonObject  *object,
                JsonNode   **reply,
                gboolean    *done,
                GError     **error)
{
  gint64 step = member_int (object, "step");
  const char *encoded = any_json_get_string_member (object, "noise");
  g_autofree guint8 *message = NULL;
  gsize message_len = 0;
  g_autoptr(GByteArray) payload = g_byte_array_new ();
  g_autoptr(GByteArray) out = g_byte_array_new ();

  if (self->identity == NULL || encoded == NULL || step < 1 || step > 3)
    {
      g_set_error_literal (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROTOCOL,
                           "Invalid SWITCH packet: bad native handshake message");
      return FALSE;
    }
  message = g_base64_decode (encoded, &message_len);

  if (step == 1)
    {
      g_autoptr(GBytes) prologue = NULL;
      g_autoptr(GByteArray) mine = NULL;

      /* Both sides started at once: the lower id answers, the other
       * waits for that answer. */
      if (self->switching && self->initiator && self->mode == ANY_E2E_MODE_NATIVE)
        {
          if (g_strcmp0 (self->local_id, self->peer_id) > 0)
            return TRUE;
          clear_handshake (self);
        }
      else if (self->switching)
        {
          clear_handshake (self);
        }

      self->mode = ANY_E2E_MODE_NATIVE;
      self->initiator = FALSE;
      prologue = native_prologue (self);
      self->suite = choose_suite (self);
      self->handshake = any_noise_handshake_new_full (self->suite, FALSE, self->identity,
                                                      g_bytes_get_data (prologue, NULL),
                                                      g_bytes_get_size (prologue));
      mine = id_payload (self->local_id);
      if (!any_noise_handshake_read_message (self->handshake, message, message_len, NULL, error) ||
          !any_noise_handshake_write_message (self->handshake, mine->data, mine->len, out, error))
        return FALSE;
      self->switching = TRUE;
      self->next_step = 3;
      *reply = native_message (2, out);
      return TRUE;
    }

  if (!self->switching || self->mode != ANY_E2E_MODE_NATIVE || step != self->next_step)
    {
      g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROTOCOL,
                   "Invalid SWITCH packet: native handshake message %d out of order", (int) step);
      return FALSE;
    }

  if (!any_noise_handshake_read_message (self->handshake, message, message_len, payload, error) ||
      !check_id_payload (self, payload, error) ||
      !verify_remote_static (self, error))
    return FALSE;

  if (step == 2)
    {
      g_autoptr(GByteArray) mine = id_payload (self->local_id);

      if (!any_noise_handshake_write_message (self->handshake, mine->data, mine->len, out, error))
        return FALSE;
      *reply = native_message (3, out);
    }
  if (!native_finish (self, error))
    {
      g_clear_pointer (reply, json_node_unref);
      return FALSE;
    }
  *done = TRUE;
  return TRUE;
}

/* Switching */

/* Starts a switch: native when the peer advertised it, compat otherwise
 * (unless the policy forbids it). Returns the first SWITCH to send. */
JsonNode *
any_e2e_start (AnyE2e  *self,
               GError **error)
{
  if (self->active || self->switching)
    {
      g_set_error_literal (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT,
                           self->active ? "The link is already end-to-end encrypted"
                                        : "An E2E switch is already under way");
      return NULL;
    }
  if (any_e2e_peer_can_native (self))
    return native_start (self, error);
  if (compat_refused_for_pin (self, error))
    return NULL;
  if (self->policy == ANY_E2E_POLICY_REQUIRE_NATIVE)
    {
      g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_NOT_SUPPORTED,
                   "Peer %s cannot do native E2E, which this socket requires", self->peer_id);
      return NULL;
    }
  return compat_start (self, error);
}

/* Handles a received SWITCH packet. *@reply is set to a SWITCH to send in
 * the clear (before encryption starts); *@done when the link is now
 * encrypted. FALSE: the link must close with @error's message. */
gboolean
any_e2e_receive_switch (AnyE2e      *self,
                        JsonNode    *message,
                        JsonNode   **reply,
                        gboolean    *done,
                        GError     **error)
{
  JsonObject *object;

  *reply = NULL;
  *done = FALSE;

  if (!JSON_NODE_HOLDS_OBJECT (message))
    {
      g_set_error_literal (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROTOCOL,
                           "Invalid SWITCH packet: not an object");
      return FALSE;
    }
  if (self->active)
    {
      g_set_error_literal (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROTOCOL,
                           "Invalid SWITCH packet: the link is already encrypted");
      return FALSE;
    }
  object = json_node_get_object (message);

  switch (member_int (object, "type"))
    {
    case ANY_E2E_SWITCH_COMPAT:
      if (!compat_receive (self, object, reply, error))
        return FALSE;
      *done = TRUE;
      return TRUE;
    case ANY_E2E_SWITCH_NATIVE:
      return native_receive (self, object, reply, done, error);
    default:
      g_set_error_literal (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROTOCOL,
                           "Invalid SWITCH packet: unknown type");
      return FALSE;
    }
}

/* Chunks */

/* Appends the encrypted @plain to @frame, whose first @header_len bytes
 * are the chunk header (associated data in native mode). */
void
any_e2e_seal (AnyE2e     *self,
              GString    *frame,
              gsize       header_len,
              gint32      seq,
              const char *plain,
              gsize       plain_len)
{
  any_e2e_seal_full (self, frame, header_len, seq, plain, plain_len, FALSE);
}

/* Below this many bytes a frame is sealed where it falls. */
#define ALIGN_FROM 4096

/* A frame to seal @plain into, raw, after a header of @header_len bytes
 * (appended by the caller): it starts with *@pad bytes that are not sent
 * (any_frame_pool_to_bytes (frame, pad) gives the rest), so that the
 * ciphertext lies at the same address as @plain modulo 8. nettle's CTR
 * XOR (memxor3) then runs word by word: AES-256-GCM over 10 MiB from a
 * 10 MiB buffer took 9.81 ms with the ciphertext 6 bytes (a binary
 * frame's header) off the plaintext's alignment, 5.05 ms aligned (one
 * core of this machine, 2026-12-07). Big chunks are now GnuTLS's
 * (crypto/any-noise-cipher.c), which measured no clear difference either
 * way; ChaChaPoly is still nettle's. A small chunk gains next to nothing
 * and would cost a second GBytes per frame (any_frame_pool_to_bytes()):
 * it is not padded. Big frames' buffers are recycled
 * (transport/any-frame-pool.c). */
GString *
any_e2e_frame_new_aligned (const char *plain,
                           gsize       plain_len,
                           gsize       header_len,
                           gsize      *pad)
{
  /* g_malloc() memory is aligned to at least 8 bytes. */
  GString *frame = any_frame_pool_take (8 + header_len + plain_len + ANY_NOISE_TAG_LEN + 64);

  *pad = plain_len >= ALIGN_FROM ? (((guintptr) plain - header_len) & 7) : 0;
  g_string_set_size (frame, *pad);
  return frame;
}

/* @raw: native ciphertext as it is, for a binary frame (any-engine-bytes.c);
 * else base64, for a text frame. Compat is hex either way. @frame ends
 * with the chunk's header, @header_len bytes (the associated data);
 * what comes before it is not the peer's (any_e2e_frame_new_aligned()). */
void
any_e2e_seal_full (AnyE2e     *self,
                   GString    *frame,
                   gsize       header_len,
                   gint32      seq,
                   const char *plain,
                   gsize       plain_len,
                   gboolean    raw)
{
  g_autoptr(GError) error = NULL;

  if (self->mode == ANY_E2E_MODE_COMPAT)
    {
      any_compat_encrypt (self->compat, seq, (const guint8 *) plain, plain_len, frame);
      return;
    }

  if (!rekey_if_due (self, self->send, &error))
    g_error ("Native E2E rekey failed: %s", error->message);
  if (raw)
    {
      /* Sealed straight into the frame, after its header (the AD): a big
       * binary message is copied once less. */
      gsize at = frame->len;

      g_string_set_size (frame, at + plain_len + ANY_NOISE_TAG_LEN);
      if (!any_noise_cipher_encrypt_to (self->send, (const guint8 *) frame->str + at - header_len, header_len,
                                        (const guint8 *) plain, plain_len, (guint8 *) frame->str + at, &error))
        g_error ("Native E2E encryption failed: %s", error->message);
      return;
    }
  g_byte_array_set_size (self->scratch, 0);
  if (!any_noise_cipher_encrypt_with_ad (self->send, (const guint8 *) frame->str + frame->len - header_len, header_len,
                                         (const guint8 *) plain, plain_len, self->scratch, &error))
    g_error ("Native E2E encryption failed: %s", error->message);
  any_base64_encode_append (frame, self->scratch->data, self->scratch->len);
}

/* Decrypts one chunk body into @plain (appended). A failure means the
 * chunk was forged, modified, replayed, reordered or reflected. */
gboolean
any_e2e_open (AnyE2e        *self,
              const guint8  *header,
              gsize          header_len,
              gint32         seq,
              const guint8  *body,
              gsize          body_len,
              GString       *plain,
              GError       **error)
{
  return any_e2e_open_full (self, header, header_len, seq, body, body_len, FALSE, plain, error);
}

/* Decrypts one native chunk body of a binary frame, raw, appended to
 * @out: a big binary message is opened straight into the buffer that is
 * delivered, not into a scratch buffer and then copied twice (20 MiB of
 * memmove and 10 MiB of wiping per 10 MiB message: 19% of the receiver's
 * CPU in perf, 2026-12-07). On a failure @out is as it was. */
gboolean
any_e2e_open_raw_append (AnyE2e        *self,
                         const guint8  *header,
                         gsize          header_len,
                         gint32         seq,
                         const guint8  *body,
                         gsize          body_len,
                         GByteArray    *out,
                         GError       **error)
{
  g_return_val_if_fail (self->mode == ANY_E2E_MODE_NATIVE, FALSE);

  if (rekey_if_due (self, self->recv, NULL) &&
      any_noise_cipher_decrypt_with_ad (self->recv, header, header_len, body, body_len, out, NULL))
    return TRUE;
  g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROTOCOL,
               "E2E: chunk of packet %d failed authentication (forged, modified, replayed, "
               "reordered or reflected)", seq);
  return FALSE;
}

/* @raw: as any_e2e_seal_full() */
gboolean
any_e2e_open_full (AnyE2e        *self,
                   const guint8  *header,
                   gsize          header_len,
                   gint32         seq,
                   const guint8  *body,
                   gsize          body_len,
                   gboolean       raw,
                   GString       *plain,
                   GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  gsize pad;

  if (self->mode == ANY_E2E_MODE_COMPAT)
    {
      if (!any_compat_decrypt (self->compat, seq, (const char *) body, body_len, plain, &local_error))
        {
          g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROTOCOL,
                       "E2E: cannot decrypt chunk of packet %d: %s", seq, local_error->message);
          return FALSE;
        }
      return TRUE;
    }

  if (!raw)
    {
      g_byte_array_set_size (self->scratch, 0);
      if (!any_base64_decode_strict (body, body_len, self->scratch))
        {
          g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROTOCOL,
                       "E2E: chunk of packet %d is not base64", seq);
          return FALSE;
        }
      body = self->scratch->data;
      body_len = self->scratch->len;
    }

  /* Opened at the ciphertext's address modulo 8, as sealed
   * (any_e2e_frame_new_aligned(): half the time of nettle's CTR XOR). */
  pad = (guintptr) body & 7;
  g_byte_array_set_size (self->opened, pad);
  if (!any_e2e_open_raw_append (self, header, header_len, seq, body, body_len, self->opened, error))
    return FALSE;
  g_string_append_len (plain, (const char *) self->opened->data + pad, self->opened->len - pad);
  any_crypto_wipe (self->opened->data, self->opened->len);
  return TRUE;
}
