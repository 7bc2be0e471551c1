/* any-rpc-call.h: AnyRpcCall, one RPC invocation, and calling a peer's methods
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(ANYSOCKET_INSIDE) && !defined(ANYSOCKET_COMPILATION)
# error "Only <anysocket.h> can be included directly."
#endif

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include "any-version.h"
#include "any-types.h"

G_BEGIN_DECLS

#define ANY_TYPE_RPC_CALL (any_rpc_call_get_type ())
ANY_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (AnyRpcCall, any_rpc_call, ANY, RPC_CALL, GObject)

ANY_AVAILABLE_IN_ALL
AnyRpcCall *any_rpc_call_new                  (const char          *method);
ANY_AVAILABLE_IN_ALL
const char *any_rpc_call_get_method           (AnyRpcCall          *self);
ANY_AVAILABLE_IN_ALL
JsonArray  *any_rpc_call_get_params           (AnyRpcCall          *self);
ANY_AVAILABLE_IN_ALL
GBytes     *any_rpc_call_get_param_bytes      (AnyRpcCall          *self,
                                               guint                index);
ANY_AVAILABLE_IN_ALL
AnyPeer    *any_rpc_call_get_peer             (AnyRpcCall          *self);
ANY_AVAILABLE_IN_ALL
gboolean    any_rpc_call_get_wants_reply      (AnyRpcCall          *self);

/* The caller's side: building a call, reading its result. */
ANY_AVAILABLE_IN_ALL
void        any_rpc_call_add_param            (AnyRpcCall          *self,
                                               JsonNode            *param);
ANY_AVAILABLE_IN_ALL
void        any_rpc_call_add_bytes_param      (AnyRpcCall          *self,
                                               GBytes              *bytes);
ANY_AVAILABLE_IN_ALL
JsonNode   *any_rpc_call_get_result           (AnyRpcCall          *self);
ANY_AVAILABLE_IN_ALL
GBytes     *any_rpc_call_get_result_bytes     (AnyRpcCall          *self);

/* The callee's side: completing an incoming call, exactly once. */
ANY_AVAILABLE_IN_ALL
void        any_rpc_call_return_value         (AnyRpcCall          *self,
                                               JsonNode            *result);
ANY_AVAILABLE_IN_ALL
void        any_rpc_call_return_bytes         (AnyRpcCall          *self,
                                               GBytes              *bytes);
ANY_AVAILABLE_IN_ALL
void        any_rpc_call_return_error         (AnyRpcCall          *self,
                                               const GError        *error);
ANY_AVAILABLE_IN_ALL
void        any_rpc_call_return_error_literal (AnyRpcCall          *self,
                                               const char          *message);

/* Calling a method of a peer. */
ANY_AVAILABLE_IN_ALL
void        any_peer_invoke_async             (AnyPeer             *self,
                                               AnyRpcCall          *call,
                                               guint                timeout_ms,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
ANY_AVAILABLE_IN_ALL
gboolean    any_peer_invoke_finish            (AnyPeer             *self,
                                               GAsyncResult        *result,
                                               GError             **error);
ANY_AVAILABLE_IN_ALL
void        any_peer_call_async               (AnyPeer             *self,
                                               const char          *method,
                                               JsonArray           *params,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
ANY_AVAILABLE_IN_ALL
JsonNode   *any_peer_call_finish              (AnyPeer             *self,
                                               GAsyncResult        *result,
                                               GError             **error);

/* RPC_NOTIFY: no answer expected. */
ANY_AVAILABLE_IN_0_2
gboolean    any_peer_notify                   (AnyPeer             *self,
                                               const char          *method,
                                               JsonArray           *params,
                                               GError             **error);
ANY_AVAILABLE_IN_0_2
gboolean    any_peer_notify_call              (AnyPeer             *self,
                                               AnyRpcCall          *call,
                                               GError             **error);

G_END_DECLS
