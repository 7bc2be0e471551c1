/* any-e2e.h: end-to-end encryption of one link (PROTOCOL.md 6 and beyond)
 *
 * Two modes: compat (the JavaScript peer's scheme: secp521r1 ECDH, per-
 * chunk PBKDF2 keys, AES-CBC, header in the clear) and native
 * (Noise_XX_25519_AESGCM_SHA256 when both sides list "noise-xx-aesgcm",
 * else Noise_XX_25519_ChaChaPoly_SHA256: authenticated static keys, one
 * cipher per direction, the chunk header as associated data, counter
 * nonces that reject replay, reordering and reflection).
 *
 * This layer only turns SWITCH packets into SWITCH answers and chunk
 * bodies into ciphertext and back; the engine decides when to hold
 * packets and sends what it is given.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>
#include "any-types.h"
#include "protocol/any-caps.h"

G_BEGIN_DECLS

/* The SWITCH packet's "type" for each handshake. */
#define ANY_E2E_SWITCH_COMPAT 2
#define ANY_E2E_SWITCH_NATIVE 3

typedef struct _AnyE2e AnyE2e;
typedef struct _AnyNoiseKeypair AnyNoiseKeypair;

/* Called as soon as the peer's static key is authenticated, before we
 * answer: return FALSE and set @reason to refuse it. */
typedef gboolean (*AnyE2eVerifyFunc) (gpointer      user_data,
                                      const guint8 *remote_static,
                                      char        **reason);

typedef struct {
  const char      *local_id;
  const char      *peer_id;
  AnyNoiseKeypair *identity;       /* our static key */
  const char      *local_caps;     /* e2e capabilities as we sent them, "noise-xx-aesgcm,noise-xx" */
  const char      *peer_caps;      /* as the peer sent them, "" when none */
  AnyE2ePolicy     policy;
  gboolean         pinned;         /* the peer id's key is pinned: never compat */
  AnyE2eVerifyFunc verify;
  gpointer         verify_data;
} AnyE2eConfig;

AnyE2e     *any_e2e_new                (const AnyE2eConfig *config);
void        any_e2e_free               (AnyE2e             *self);

AnyE2eMode  any_e2e_get_mode           (AnyE2e             *self);
gboolean    any_e2e_is_active          (AnyE2e             *self);
gboolean    any_e2e_is_switching       (AnyE2e             *self);
gboolean    any_e2e_is_native_responder (AnyE2e            *self);
gboolean    any_e2e_peer_can_native    (AnyE2e             *self);
const guint8 *any_e2e_get_remote_static (AnyE2e            *self);
const char *any_e2e_get_cipher_name    (AnyE2e             *self);

JsonNode   *any_e2e_start              (AnyE2e             *self,
                                        GError            **error);
gboolean    any_e2e_receive_switch     (AnyE2e             *self,
                                        JsonNode           *message,
                                        JsonNode          **reply,
                                        gboolean           *done,
                                        GError            **error);

void        any_e2e_seal               (AnyE2e             *self,
                                        GString            *frame,
                                        gsize               header_len,
                                        gint32              seq,
                                        const char         *plain,
                                        gsize               plain_len);
GString    *any_e2e_frame_new_aligned  (const char         *plain,
                                        gsize               plain_len,
                                        gsize               header_len,
                                        gsize              *pad);
void        any_e2e_seal_full          (AnyE2e             *self,
                                        GString            *frame,
                                        gsize               header_len,
                                        gint32              seq,
                                        const char         *plain,
                                        gsize               plain_len,
                                        gboolean            raw);
gboolean    any_e2e_open_full          (AnyE2e             *self,
                                        const guint8       *header,
                                        gsize               header_len,
                                        gint32              seq,
                                        const guint8       *body,
                                        gsize               body_len,
                                        gboolean            raw,
                                        GString            *plain,
                                        GError            **error);
gboolean    any_e2e_open_raw_append    (AnyE2e             *self,
                                        const guint8       *header,
                                        gsize               header_len,
                                        gint32              seq,
                                        const guint8       *body,
                                        gsize               body_len,
                                        GByteArray         *out,
                                        GError            **error);
gboolean    any_e2e_open               (AnyE2e             *self,
                                        const guint8       *header,
                                        gsize               header_len,
                                        gint32              seq,
                                        const guint8       *body,
                                        gsize               body_len,
                                        GString            *plain,
                                        GError            **error);

/* Tests only: rekey every @interval chunks instead of every 2^20. */
void        any_e2e_set_rekey_interval_for_testing (AnyE2e     *self,
                                                    guint64     interval);

G_END_DECLS
