/* any-trust.c: what a peer id with a pinned native key must do
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "protocol/any-trust.h"
#include "protocol/any-caps.h"
#include "codec/any-codec.h"

/* @peer_caps: the e2e capabilities of an AUTH (or a proxied peer's
 * probe) as "a,b", "" for none. */
gboolean
any_trust_caps_have_native (const char *peer_caps)
{
  g_auto(GStrv) caps = g_strsplit (peer_caps != NULL ? peer_caps : "", ",", -1);

  return g_strv_contains ((const char * const *) caps, ANY_E2E_CAP_NATIVE);
}

/* Each reason fits a WebSocket close frame (123 bytes) with a 32-char id. */

/* A pinned id that does not offer native E2E can never prove its key:
 * either a plain peer claims the id, or a relay stripped "caps" to play
 * compat in the middle. Refused at once. Returns NULL when acceptable. */
char *
any_trust_check_auth (const char *peer_id,
                      const char *peer_caps)
{
  if (any_trust_caps_have_native (peer_caps))
    return NULL;
  return g_strdup_printf ("E2E: peer %s " ANY_TRUST_PINNED " but offered no native E2E "
                          "(downgrade?)", peer_id);
}

/* Plaintext that claims to come from a pinned id is not authenticated by
 * its key: it could have been written by anyone on the path. */
char *
any_trust_plain_reason (const char    *peer_id,
                        AnyPacketType  type)
{
  return g_strdup_printf ("E2E: peer %s " ANY_TRUST_PINNED " but sent a plain %s packet "
                          "before proving it", peer_id, any_packet_type_to_string (type));
}

char *
any_trust_timeout_reason (const char *peer_id)
{
  return g_strdup_printf ("E2E: peer %s " ANY_TRUST_PINNED " but did not prove it in time "
                          "(e2e timed out)", peer_id);
}

char *
any_trust_compat_reason (const char *peer_id)
{
  return g_strdup_printf ("Compat E2E refused: peer %s " ANY_TRUST_PINNED, peer_id);
}

char *
any_trust_changed_reason (const char *peer_id,
                          const char *pinned,
                          const char *presented)
{
  return g_strdup_printf ("E2E: the key of peer %s " ANY_TRUST_CHANGED " %s, presented %s)",
                          peer_id, pinned, presented);
}

/* Whether @reason (a disconnect reason) is one of the refusals above. */
gboolean
any_trust_is_refusal (const char *reason)
{
  return reason != NULL &&
         (strstr (reason, ANY_TRUST_PINNED) != NULL || strstr (reason, ANY_TRUST_CHANGED) != NULL);
}
