/* any-rpc-call.c: AnyRpcCall, one RPC invocation
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "any-error.h"
#include "any-peer.h"
#include "any-rpc-call.h"
#include "api/any-peer-private.h"
#include "api/any-rpc-call-private.h"
#include "protocol/any-rpc-wire.h"

/**
 * AnyRpcCall:
 *
 * One call of a remote method (PROTOCOL.md 7, the JavaScript peer's
 * `peer.rpc.a.b(...)` and `setRPC()`): its method path, its params, and
 * how it ended.
 *
 * **Incoming** calls are given to [signal@AnySocket.Socket::rpc]. The handler reads the
 * params ([method@AnySocket.RpcCall.get_params], [method@AnySocket.RpcCall.get_param_bytes] for
 * binary ones) and completes the call exactly once, now or later, with
 * [method@AnySocket.RpcCall.return_value], [method@AnySocket.RpcCall.return_bytes],
 * [method@AnySocket.RpcCall.return_error] or [method@AnySocket.RpcCall.return_error_literal]. A
 * call that is finalized without being completed answers the caller with
 * the error `RPC handler returned no result` (code 500), so that a
 * forgotten call costs the caller no timeout. Completing a call whose peer
 * is gone does nothing.
 *
 * **Outgoing** calls are made with [ctor@AnySocket.RpcCall.new] when a param or the
 * result is binary ([method@AnySocket.RpcCall.add_bytes_param],
 * [method@AnySocket.RpcCall.get_result_bytes]), and sent with [method@AnySocket.Peer.invoke_async];
 * [method@AnySocket.Peer.call_async] does both for plain JSON params.
 *
 * A method is its path of names joined with dots: `"hello.user"` is the
 * JavaScript `peer.rpc.hello.user()`, sent as `["hello","user"]`.
 */
struct _AnyRpcCall
{
  GObject     parent_instance;

  char       *method;        /* "a.b" */
  JsonNode   *params;        /* an array */
  GPtrArray  *param_bytes;   /* GBytes or NULL per param; NULL if none is binary */
  AnyPeer    *peer;

  /* An incoming call */
  gboolean    incoming;
  gint32      seq;
  gboolean    wants_reply;
  gboolean    completed;

  /* An outgoing call */
  gboolean    started;
  JsonNode   *result;
  GBytes     *result_bytes;
};

G_DEFINE_FINAL_TYPE (AnyRpcCall, any_rpc_call, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_METHOD,
  PROP_PEER,
  PROP_WANTS_REPLY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Answers an incoming call through its peer (the wire code only builds
 * the answer). */
static void
reply_error (AnyRpcCall *self,
             const char *message,
             const char *method,
             int         code)
{
  g_autoptr(JsonNode) answer = _any_rpc_error_answer (message, method, code);

  _any_peer_reply_internal (self->peer, self->seq, answer);
}

/* An RPC_NOTIFY that failed: nobody to tell but the log. */
static void
log_notify_failure (AnyRpcCall *self,
                    const char *message)
{
  if (self->incoming && !self->wants_reply)
    g_debug ("RPC notification '%s' from %s failed: %s", self->method,
             self->peer != NULL ? any_peer_get_id (self->peer) : "?", message);
}

/* @result NULL is null; @bin: it is base64 of binary. */
static void
reply_result (AnyRpcCall *self,
              JsonNode   *result,
              gboolean    bin)
{
  g_autoptr(JsonNode) answer = _any_rpc_result_answer (result, bin);

  _any_peer_reply_internal (self->peer, self->seq, answer);
}

static void
any_rpc_call_finalize (GObject *object)
{
  AnyRpcCall *self = ANY_RPC_CALL (object);

  if (self->incoming && self->wants_reply && !self->completed)
    reply_error (self, "RPC handler returned no result", self->method, 500);

  g_clear_object (&self->peer);
  g_clear_pointer (&self->params, json_node_unref);
  g_clear_pointer (&self->param_bytes, g_ptr_array_unref);
  g_clear_pointer (&self->result, json_node_unref);
  g_clear_pointer (&self->result_bytes, g_bytes_unref);
  g_free (self->method);

  G_OBJECT_CLASS (any_rpc_call_parent_class)->finalize (object);
}

static void
any_rpc_call_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  AnyRpcCall *self = ANY_RPC_CALL (object);

  switch (prop_id)
    {
    case PROP_METHOD:
      g_value_set_string (value, self->method);
      break;
    case PROP_PEER:
      g_value_set_object (value, self->peer);
      break;
    case PROP_WANTS_REPLY:
      g_value_set_boolean (value, self->wants_reply);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
any_rpc_call_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  AnyRpcCall *self = ANY_RPC_CALL (object);

  switch (prop_id)
    {
    case PROP_METHOD:
      g_free (self->method);
      self->method = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
any_rpc_call_class_init (AnyRpcCallClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = any_rpc_call_finalize;
  object_class->get_property = any_rpc_call_get_property;
  object_class->set_property = any_rpc_call_set_property;

  /**
   * AnyRpcCall:method:
   *
   * The method path, its names joined with dots (`"hello.user"`).
   */
  properties[PROP_METHOD] =
    g_param_spec_string ("method", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * AnyRpcCall:peer:
   *
   * The peer that made an incoming call, or the one an outgoing call was
   * sent to (NULL until [method@AnySocket.Peer.invoke_async]).
   */
  properties[PROP_PEER] =
    g_param_spec_object ("peer", NULL, NULL, ANY_TYPE_PEER,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AnyRpcCall:wants-reply:
   *
   * Whether the caller waits for an answer: FALSE for an RPC_NOTIFY
   * (whose completion sends nothing) and for outgoing calls.
   */
  properties[PROP_WANTS_REPLY] =
    g_param_spec_boolean ("wants-reply", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
any_rpc_call_init (AnyRpcCall *self)
{
  self->params = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (self->params, json_array_new ());
}

/* Private API */

/* A call from @peer, checked by any-internal.c: @params an array node,
 * @param_bytes (nullable) the decoded binary params. */
AnyRpcCall *
_any_rpc_call_new_incoming (AnyPeer    *peer,
                            gint32      seq,
                            const char *method,
                            JsonNode   *params,
                            GPtrArray  *param_bytes,
                            gboolean    wants_reply)
{
  AnyRpcCall *self = g_object_new (ANY_TYPE_RPC_CALL, "method", method, NULL);

  self->incoming = TRUE;
  self->peer = g_object_ref (peer);
  self->seq = seq;
  self->wants_reply = wants_reply;
  json_node_unref (self->params);
  self->params = json_node_ref (params);
  self->param_bytes = param_bytes ? g_ptr_array_ref (param_bytes) : NULL;
  return self;
}

/* No handler took the call: 404, unless a handler completed it all the
 * same. */
void
_any_rpc_call_complete_unhandled (AnyRpcCall *self)
{
  if (self->completed)
    return;
  self->completed = TRUE;
  if (self->wants_reply)
    reply_error (self, "Method not found!", self->method, 404);
  else
    log_notify_failure (self, "Method not found!");
}

/* any_peer_call_async(): the params as given, not copied. */
void
_any_rpc_call_set_params (AnyRpcCall *self,
                          JsonArray  *params)
{
  json_node_set_array (self->params, params);
}

/* The call is being sent to @peer: returns the request, or NULL with
 * @error if the call cannot be sent. */
JsonNode *
_any_rpc_call_start (AnyRpcCall  *self,
                     AnyPeer     *peer,
                     GError     **error)
{
  if (self->incoming || self->started)
    {
      g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT,
                   _("The RPC call of '%s' was %s"), self->method,
                   self->incoming ? _("received, it cannot be sent") : _("sent already"));
      return NULL;
    }
  if (!_any_rpc_method_is_valid (self->method))
    {
      g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT,
                   _("Invalid RPC method '%s': expected names joined with dots"), self->method);
      return NULL;
    }
  self->started = TRUE;
  if (g_set_object (&self->peer, peer))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PEER]);
  return _any_rpc_request_new (self->method, self->params, self->param_bytes);
}

/* Takes @result and @result_bytes (nullable). */
void
_any_rpc_call_set_result (AnyRpcCall *self,
                          JsonNode   *result,
                          GBytes     *result_bytes)
{
  g_clear_pointer (&self->result, json_node_unref);
  g_clear_pointer (&self->result_bytes, g_bytes_unref);
  self->result = result;
  self->result_bytes = result_bytes;
}

/* Public API */

/**
 * any_rpc_call_new:
 * @method: the method path, names joined with dots (`"hello.user"`)
 *
 * Makes a call to send with [method@AnySocket.Peer.invoke_async]. Add its params with
 * [method@AnySocket.RpcCall.add_param] and [method@AnySocket.RpcCall.add_bytes_param].
 *
 * Returns: (transfer full): a new call
 */
AnyRpcCall *
any_rpc_call_new (const char *method)
{
  g_return_val_if_fail (method != NULL, NULL);

  return g_object_new (ANY_TYPE_RPC_CALL, "method", method, NULL);
}

/**
 * any_rpc_call_get_method:
 * @self: an [class@AnySocket.RpcCall]
 *
 * Gets the method the call is for ([property@AnySocket.RpcCall:method]).
 *
 * Returns: the method path, names joined with dots (`"hello.user"` for
 *   the JavaScript `peer.rpc.hello.user()`)
 */
const char *
any_rpc_call_get_method (AnyRpcCall *self)
{
  g_return_val_if_fail (ANY_IS_RPC_CALL (self), NULL);

  return self->method;
}

/**
 * any_rpc_call_get_params:
 * @self: an [class@AnySocket.RpcCall]
 *
 * The params, in order. A binary param is there as the base64 string it
 * travels as; [method@AnySocket.RpcCall.get_param_bytes] gives its bytes.
 *
 * Returns: (transfer none): the params
 */
JsonArray *
any_rpc_call_get_params (AnyRpcCall *self)
{
  g_return_val_if_fail (ANY_IS_RPC_CALL (self), NULL);

  return json_node_get_array (self->params);
}

/**
 * any_rpc_call_get_param_bytes:
 * @self: an [class@AnySocket.RpcCall]
 * @index: the position of the param
 *
 * The bytes of a binary param: one the caller sent as a JavaScript
 * `Buffer` or added with [method@AnySocket.RpcCall.add_bytes_param].
 *
 * Returns: (transfer full) (nullable): the bytes, or NULL when the param
 *   at @index is not binary or does not exist
 */
GBytes *
any_rpc_call_get_param_bytes (AnyRpcCall *self,
                              guint       index)
{
  GBytes *bytes;

  g_return_val_if_fail (ANY_IS_RPC_CALL (self), NULL);

  if (self->param_bytes == NULL || index >= self->param_bytes->len)
    return NULL;
  bytes = g_ptr_array_index (self->param_bytes, index);
  return bytes != NULL ? g_bytes_ref (bytes) : NULL;
}

/**
 * any_rpc_call_get_peer:
 * @self: an [class@AnySocket.RpcCall]
 *
 * Gets the peer at the other end of the call ([property@AnySocket.RpcCall:peer]).
 *
 * Returns: (transfer none) (nullable): the peer that made an incoming
 *   call, or the one an outgoing call was sent to
 */
AnyPeer *
any_rpc_call_get_peer (AnyRpcCall *self)
{
  g_return_val_if_fail (ANY_IS_RPC_CALL (self), NULL);

  return self->peer;
}

/**
 * any_rpc_call_get_wants_reply:
 * @self: an [class@AnySocket.RpcCall]
 *
 * Gets whether the caller waits for an answer ([property@AnySocket.RpcCall:wants-reply]).
 *
 * Returns: TRUE if the caller waits for the answer; FALSE for an
 *   RPC_NOTIFY, whose completion sends nothing
 */
gboolean
any_rpc_call_get_wants_reply (AnyRpcCall *self)
{
  g_return_val_if_fail (ANY_IS_RPC_CALL (self), FALSE);

  return self->wants_reply;
}

static gboolean
can_add_params (AnyRpcCall *self,
                const char *func)
{
  if (self->incoming || self->started)
    {
      g_critical ("%s: the call of '%s' was %s", func, self->method,
                  self->incoming ? "received" : "sent already");
      return FALSE;
    }
  return TRUE;
}

/**
 * any_rpc_call_add_param:
 * @self: an [class@AnySocket.RpcCall] made with [ctor@AnySocket.RpcCall.new]
 * @param: (nullable): the next param, any JSON value (NULL is null); it
 *   is copied
 *
 * Adds a param to a call that was not sent yet.
 */
void
any_rpc_call_add_param (AnyRpcCall *self,
                        JsonNode   *param)
{
  g_return_if_fail (ANY_IS_RPC_CALL (self));

  if (!can_add_params (self, G_STRFUNC))
    return;
  json_array_add_element (json_node_get_array (self->params),
                          param != NULL ? json_node_copy (param) : json_node_new (JSON_NODE_NULL));
  if (self->param_bytes != NULL)
    g_ptr_array_add (self->param_bytes, NULL);
}

/**
 * any_rpc_call_add_bytes_param:
 * @self: an [class@AnySocket.RpcCall] made with [ctor@AnySocket.RpcCall.new]
 * @bytes: the next param, binary
 *
 * Adds a binary param to a call that was not sent yet: it travels as
 * base64 and is listed in the request's `bin`, so a JavaScript callee
 * gets a `Buffer` and a libanysocket one [method@AnySocket.RpcCall.get_param_bytes].
 */
void
any_rpc_call_add_bytes_param (AnyRpcCall *self,
                              GBytes     *bytes)
{
  JsonArray *params;

  g_return_if_fail (ANY_IS_RPC_CALL (self));
  g_return_if_fail (bytes != NULL);

  if (!can_add_params (self, G_STRFUNC))
    return;
  params = json_node_get_array (self->params);
  if (self->param_bytes == NULL)
    self->param_bytes = _any_rpc_param_bytes_new (json_array_get_length (params));
  json_array_add_element (params, _any_rpc_encode_bytes (bytes));
  g_ptr_array_add (self->param_bytes, g_bytes_ref (bytes));
}

/**
 * any_rpc_call_get_result:
 * @self: an [class@AnySocket.RpcCall]
 *
 * The result of an outgoing call that [method@AnySocket.Peer.invoke_finish] reported
 * successful. A binary result is there as the base64 string it travelled
 * as; [method@AnySocket.RpcCall.get_result_bytes] gives its bytes.
 *
 * Returns: (transfer none) (nullable): the result (a null node when the
 *   method returned nothing), or NULL before the answer
 */
JsonNode *
any_rpc_call_get_result (AnyRpcCall *self)
{
  g_return_val_if_fail (ANY_IS_RPC_CALL (self), NULL);

  return self->result;
}

/**
 * any_rpc_call_get_result_bytes:
 * @self: an [class@AnySocket.RpcCall]
 *
 * Gets the result of an outgoing call as bytes, when it was binary.
 *
 * Returns: (transfer full) (nullable): the bytes of a binary result (a
 *   JavaScript `Buffer`, or [method@AnySocket.RpcCall.return_bytes]), NULL when the
 *   answer said the result is not binary
 */
GBytes *
any_rpc_call_get_result_bytes (AnyRpcCall *self)
{
  g_return_val_if_fail (ANY_IS_RPC_CALL (self), NULL);

  return self->result_bytes != NULL ? g_bytes_ref (self->result_bytes) : NULL;
}

/* Marks an incoming call completed: TRUE if an answer is to be sent. */
static gboolean
complete (AnyRpcCall *self,
          const char *func)
{
  if (!self->incoming)
    {
      g_critical ("%s: the call of '%s' is not an incoming call", func, self->method);
      return FALSE;
    }
  if (self->completed)
    {
      g_critical ("%s: the call of '%s' was already completed", func, self->method);
      return FALSE;
    }
  self->completed = TRUE;
  return self->wants_reply;
}

/**
 * any_rpc_call_return_value:
 * @self: an incoming [class@AnySocket.RpcCall]
 * @result: (nullable): the result, any JSON value (NULL is null)
 *
 * Completes the call: the caller gets @result.
 */
void
any_rpc_call_return_value (AnyRpcCall *self,
                           JsonNode   *result)
{
  g_return_if_fail (ANY_IS_RPC_CALL (self));

  if (complete (self, G_STRFUNC))
    reply_result (self, result, FALSE);
}

/**
 * any_rpc_call_return_bytes:
 * @self: an incoming [class@AnySocket.RpcCall]
 * @bytes: the result, binary
 *
 * Completes the call with a binary result: a JavaScript caller gets a
 * `Buffer`, a libanysocket one [method@AnySocket.RpcCall.get_result_bytes].
 */
void
any_rpc_call_return_bytes (AnyRpcCall *self,
                           GBytes     *bytes)
{
  g_return_if_fail (ANY_IS_RPC_CALL (self));
  g_return_if_fail (bytes != NULL);

  if (complete (self, G_STRFUNC))
    {
      g_autoptr(JsonNode) result = _any_rpc_encode_bytes (bytes);

      reply_result (self, result, TRUE);
    }
}

/**
 * any_rpc_call_return_error_literal:
 * @self: an incoming [class@AnySocket.RpcCall]
 * @message: what went wrong
 *
 * Completes the call with an error: the caller gets @message with the
 * code 500 (`ANY_RPC_ERROR_FAILED`), as from a JavaScript method that
 * threw.
 */
void
any_rpc_call_return_error_literal (AnyRpcCall *self,
                                   const char *message)
{
  g_return_if_fail (ANY_IS_RPC_CALL (self));
  g_return_if_fail (message != NULL);

  if (complete (self, G_STRFUNC))
    reply_error (self, message, self->method, 500);
  else
    log_notify_failure (self, message);
}

/**
 * any_rpc_call_return_error:
 * @self: an incoming [class@AnySocket.RpcCall]
 * @error: what went wrong
 *
 * Completes the call with an error: the caller gets the message of
 * @error with the code 500 (`ANY_RPC_ERROR_FAILED`). The domain and code of
 * @error are not sent: the protocol has no place for them.
 */
void
any_rpc_call_return_error (AnyRpcCall   *self,
                           const GError *error)
{
  g_return_if_fail (ANY_IS_RPC_CALL (self));
  g_return_if_fail (error != NULL);

  if (complete (self, G_STRFUNC))
    reply_error (self, error->message, self->method, 500);
  else
    log_notify_failure (self, error->message);
}
