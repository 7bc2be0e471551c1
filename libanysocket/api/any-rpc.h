/* any-rpc.h: RPC on the wire (PROTOCOL.md 7): decoding, encoding, dispatch
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "api/any-private.h"

G_BEGIN_DECLS

/* What an incoming method may be: a handler is found by the parts joined
 * with dots, so longer names only cost memory and log space. */
#define ANY_RPC_MAX_METHOD_PARTS  16
#define ANY_RPC_MAX_METHOD_BYTES  256

/* The callee's side */
void        _any_rpc_handle            (AnyPeer     *peer,
                                        gint32       seq,
                                        JsonObject  *request,
                                        gboolean     wants_reply);
void        _any_rpc_reply_result      (AnyPeer     *peer,
                                        gint32       seq,
                                        JsonNode    *result,
                                        gboolean     bin);
void        _any_rpc_reply_error       (AnyPeer     *peer,
                                        gint32       seq,
                                        const char  *message,
                                        const char  *method,
                                        int          code);

/* The caller's side */
gboolean    _any_rpc_method_is_valid   (const char  *method);
JsonNode   *_any_rpc_request_new       (const char  *method,
                                        JsonNode    *params,
                                        GPtrArray   *param_bytes);
gboolean    _any_rpc_parse_reply       (JsonNode    *msg,
                                        JsonNode   **result,
                                        GBytes     **result_bytes,
                                        GError     **error);
GBytes     *_any_rpc_decode_bytes      (JsonNode    *node);
GPtrArray  *_any_rpc_param_bytes_new   (guint        n_params);
JsonNode   *_any_rpc_encode_bytes      (GBytes      *bytes);

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
