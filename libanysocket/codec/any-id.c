/* any-id.c: ids are UUIDv4 without dashes, as the JavaScript peer makes them
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <gnutls/crypto.h>

#include "codec/any-id.h"

/* Ids are not secrets, but a peer must not be able to guess the next one
 * (FORWARD trusts them), so they come from the system CSPRNG. */
char *
any_id_new (void)
{
  static const char hex[] = "0123456789abcdef";
  guint8 bytes[16];
  char *id = g_malloc (ANY_ID_LENGTH + 1);

  if (gnutls_rnd (GNUTLS_RND_NONCE, bytes, sizeof bytes) != 0)
    g_error ("gnutls_rnd failed: no entropy for an id");

  bytes[6] = (bytes[6] & 0x0f) | 0x40;  /* version 4 */
  bytes[8] = (bytes[8] & 0x3f) | 0x80;  /* RFC 4122 variant */

  for (guint i = 0; i < 16; i++)
    {
      id[2 * i] = hex[bytes[i] >> 4];
      id[2 * i + 1] = hex[bytes[i] & 0x0f];
    }
  id[ANY_ID_LENGTH] = '\0';
  return id;
}

gboolean
any_id_is_valid (const char *id)
{
  gsize i;

  if (id == NULL)
    return FALSE;
  for (i = 0; id[i] != '\0'; i++)
    if (!g_ascii_isxdigit (id[i]) || g_ascii_isupper (id[i]))
      return FALSE;
  return i == ANY_ID_LENGTH;
}
