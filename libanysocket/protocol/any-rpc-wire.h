/* any-rpc-wire.h: RPC on the wire (PROTOCOL.md 7): decoding and encoding
 *
 * Pure builders and readers of the RPC messages: nothing here sends.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* What an incoming method may be: a handler is found by the parts joined
 * with dots, so longer names only cost memory and log space. */
#define ANY_RPC_MAX_METHOD_PARTS  16
#define ANY_RPC_MAX_METHOD_BYTES  256

/* The callee's side: reading a call, building its answer */
char       *_any_rpc_method_path       (JsonObject  *request);
gboolean    _any_rpc_read_params       (JsonObject  *request,
                                        JsonNode   **params,
                                        GPtrArray  **param_bytes,
                                        char       **problem);
JsonNode   *_any_rpc_not_found_answer  (JsonObject  *request);
JsonNode   *_any_rpc_result_answer     (JsonNode    *result,
                                        gboolean     bin);
JsonNode   *_any_rpc_error_answer      (const char  *message,
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

G_END_DECLS
