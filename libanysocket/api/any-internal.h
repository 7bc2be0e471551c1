/* any-internal.h: INTERNAL packets (PROTOCOL.md 7)
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "api/any-private.h"

G_BEGIN_DECLS

typedef enum {
  ANY_INTERNAL_NETWORK     = 1,
  ANY_INTERNAL_PROXY       = 2,
  ANY_INTERNAL_RPC         = 3,
  ANY_INTERNAL_RPC_NOTIFY  = 4,
  ANY_INTERNAL_SYNCED_TIME = 5,
} AnyInternalType;

gint64    _any_internal_type_of (JsonNode        *data);
void      _any_internal_handle (AnyPeer          *peer,
                                gint32            seq,
                                JsonNode         *data);
/* {"type": SYNCED_TIME, "time": <now, ms since the epoch>}; the request
 * of any_peer_get_synced_time_async(), of the proxy probe and of a hub's
 * link confirmation. */
JsonObject *any_internal_new_synced_time (void);
/* {"type": @type, "action": @action, "id": @id} */
JsonNode *any_internal_build   (AnyInternalType   type,
                                const char       *action,
                                const char       *id);
void      _any_internal_reply  (AnyPeer          *peer,
                                gint32            seq,
                                JsonNode         *msg);

G_END_DECLS
