/* any-internal-msg.h: the INTERNAL messages on the wire (PROTOCOL.md 7)
 *
 * Builders and readers only: who answers what is api/any-internal.c's
 * business (and RPC's, protocol/any-rpc-wire.h).
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum {
  ANY_INTERNAL_NETWORK     = 1,
  ANY_INTERNAL_PROXY       = 2,
  ANY_INTERNAL_RPC         = 3,
  ANY_INTERNAL_RPC_NOTIFY  = 4,
  ANY_INTERNAL_SYNCED_TIME = 5,
} AnyInternalType;

/* The "type" of an INTERNAL request, 0 when it has none. */
gint64      any_internal_type_of             (JsonNode        *data);
/* {"type": SYNCED_TIME, "time": <now, ms since the epoch>}; the request
 * of any_peer_get_synced_time_async(), of the proxy probe and of a hub's
 * link confirmation. */
JsonObject *any_internal_new_synced_time     (void);
/* The answer to a SYNCED_TIME @request: {"o": its "time", "t": now}. */
JsonNode   *any_internal_synced_time_answer  (JsonObject      *request);
/* {"type": @type, "action": @action, "id": @id} */
JsonNode   *any_internal_build               (AnyInternalType  type,
                                              const char      *action,
                                              const char      *id);
/* The answer to a PROXY request: {"ok": true}, or {"ok": false, "error":
 * @refusal}. */
JsonNode   *any_internal_proxy_answer        (const char      *refusal);

G_END_DECLS
