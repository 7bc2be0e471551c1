/* any-trust.h: what a peer id with a pinned native key must do
 *
 * DESIGN.md, "Trust rules": an id whose native key is pinned
 * (any_socket_pin_fingerprint()) is accepted only with that key. Its AUTH
 * must offer native E2E; its link switches to native E2E at once and
 * carries nothing else until the switch proved the pinned key; only then
 * does it count as connected (and may replace a proxied link to the same
 * id). Compat E2E is never used with it. The engine enforces this on one
 * link; this file says what is refused, in the words the disconnect
 * reasons carry (English, on the wire and in logs, never translated).
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>
#include "codec/any-codec.h"

G_BEGIN_DECLS

/* The part every refusal of a pinned id shares, so that an application
 * can tell them from other reasons. */
#define ANY_TRUST_PINNED "is pinned to a native key"
/* What the refusal of another key than the pinned one says. */
#define ANY_TRUST_CHANGED "changed (pinned"

gboolean  any_trust_caps_have_native (const char    *peer_caps);
char     *any_trust_check_auth       (const char    *peer_id,
                                      const char    *peer_caps);
char     *any_trust_plain_reason     (const char    *peer_id,
                                      AnyPacketType  type);
char     *any_trust_timeout_reason   (const char    *peer_id);
char     *any_trust_compat_reason    (const char    *peer_id);
char     *any_trust_changed_reason   (const char    *peer_id,
                                      const char    *pinned,
                                      const char    *presented);
gboolean  any_trust_is_refusal       (const char    *reason);

G_END_DECLS
