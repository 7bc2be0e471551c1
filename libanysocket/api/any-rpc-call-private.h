/* any-rpc-call-private.h: AnyRpcCall as the two sides of a call fill it in
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "any-rpc-call.h"

G_BEGIN_DECLS

/* AnyRpcCall, as the two sides fill it in */
AnyRpcCall *_any_rpc_call_new_incoming (AnyPeer     *peer,
                                        gint32       seq,
                                        const char  *method,
                                        JsonNode    *params,
                                        GPtrArray   *param_bytes,
                                        gboolean     wants_reply);
void        _any_rpc_call_complete_unhandled (AnyRpcCall *self);
void        _any_rpc_call_set_params   (AnyRpcCall  *self,
                                        JsonArray   *params);
JsonNode   *_any_rpc_call_start        (AnyRpcCall  *self,
                                        AnyPeer     *peer,
                                        GError     **error);
void        _any_rpc_call_set_result   (AnyRpcCall  *self,
                                        JsonNode    *result,
                                        GBytes      *result_bytes);

G_END_DECLS
