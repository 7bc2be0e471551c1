/* any-socket-properties.c: AnySocket's properties: their accessors, get/set_property
 * and their installation
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "any-enum-types.h"
#include "any-socket.h"
#include "api/any-peer-private.h"
#include "api/any-socket-private.h"
#include "api/any-socket-http.h"
#include "api/any-socket-tls.h"

enum {
  PROP_0,
  PROP_ID,
  PROP_REPLY_TIMEOUT,
  PROP_HEARTBEAT_INTERVAL,
  PROP_AUTH_TIMEOUT,
  PROP_MAX_MESSAGE_SIZE,
  PROP_MAX_PARTIAL_MESSAGES,
  PROP_MAX_SEND_BUFFER,
  PROP_AUTH_DATA,
  PROP_PERMESSAGE_DEFLATE,
  PROP_E2E_TIMEOUT,
  PROP_E2E_POLICY,
  PROP_MAX_CONNECTIONS,
  PROP_TCP_KEEPALIVE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define DEFINE_UINT_PROPERTY(name, field, PROP, type)                 \
  type                                                                \
  any_socket_get_##name (AnySocket *self)                             \
  {                                                                   \
    g_return_val_if_fail (ANY_IS_SOCKET (self), 0);                   \
    return self->field;                                               \
  }                                                                   \
  void                                                                \
  any_socket_set_##name (AnySocket *self, type value)                 \
  {                                                                   \
    g_return_if_fail (ANY_IS_SOCKET (self));                          \
    if (self->field == value)                                         \
      return;                                                         \
    self->field = value;                                              \
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP]);     \
  }

/**
 * any_socket_get_reply_timeout:
 * @self: an [class@AnySocket.Socket]
 *
 * Gets [property@AnySocket.Socket:reply-timeout].
 *
 * Returns: the [property@AnySocket.Socket:reply-timeout] in milliseconds
 */
/**
 * any_socket_set_reply_timeout:
 * @self: an [class@AnySocket.Socket]
 * @timeout_ms: milliseconds
 *
 * Sets [property@AnySocket.Socket:reply-timeout].
 */
DEFINE_UINT_PROPERTY (reply_timeout, reply_timeout, PROP_REPLY_TIMEOUT, guint)

/**
 * any_socket_get_auth_timeout:
 * @self: an [class@AnySocket.Socket]
 *
 * Gets [property@AnySocket.Socket:auth-timeout].
 *
 * Returns: the [property@AnySocket.Socket:auth-timeout] in milliseconds
 */
/**
 * any_socket_set_auth_timeout:
 * @self: an [class@AnySocket.Socket]
 * @timeout_ms: milliseconds
 *
 * Sets [property@AnySocket.Socket:auth-timeout], for links made after the call.
 */
DEFINE_UINT_PROPERTY (auth_timeout, auth_timeout, PROP_AUTH_TIMEOUT, guint)

/**
 * any_socket_get_max_message_size:
 * @self: an [class@AnySocket.Socket]
 *
 * Gets [property@AnySocket.Socket:max-message-size].
 *
 * Returns: the [property@AnySocket.Socket:max-message-size] in bytes
 */
/**
 * any_socket_set_max_message_size:
 * @self: an [class@AnySocket.Socket]
 * @max_bytes: bytes
 *
 * Sets [property@AnySocket.Socket:max-message-size], for links made after the call.
 */
DEFINE_UINT_PROPERTY (max_message_size, max_message_size, PROP_MAX_MESSAGE_SIZE, guint64)

/**
 * any_socket_get_max_partial_messages:
 * @self: an [class@AnySocket.Socket]
 *
 * Gets [property@AnySocket.Socket:max-partial-messages].
 *
 * Returns: the [property@AnySocket.Socket:max-partial-messages]
 */
/**
 * any_socket_set_max_partial_messages:
 * @self: an [class@AnySocket.Socket]
 * @max_partials: a count
 *
 * Sets [property@AnySocket.Socket:max-partial-messages], for links made after the call.
 */
DEFINE_UINT_PROPERTY (max_partial_messages, max_partial_messages, PROP_MAX_PARTIAL_MESSAGES, guint)

/**
 * any_socket_get_max_send_buffer:
 * @self: an [class@AnySocket.Socket]
 *
 * Gets [property@AnySocket.Socket:max-send-buffer].
 *
 * Returns: the [property@AnySocket.Socket:max-send-buffer] in bytes (0: no limit)
 */
/**
 * any_socket_set_max_send_buffer:
 * @self: an [class@AnySocket.Socket]
 * @max_bytes: bytes, or 0 for no limit
 *
 * Sets [property@AnySocket.Socket:max-send-buffer], for links made after the call.
 */
DEFINE_UINT_PROPERTY (max_send_buffer, max_send_buffer, PROP_MAX_SEND_BUFFER, guint64)

/**
 * any_socket_get_e2e_timeout:
 * @self: an [class@AnySocket.Socket]
 *
 * Gets [property@AnySocket.Socket:e2e-timeout].
 *
 * Returns: the [property@AnySocket.Socket:e2e-timeout] in milliseconds
 */
/**
 * any_socket_set_e2e_timeout:
 * @self: an [class@AnySocket.Socket]
 * @timeout_ms: milliseconds
 *
 * Sets [property@AnySocket.Socket:e2e-timeout], for links made after the call.
 */
DEFINE_UINT_PROPERTY (e2e_timeout, e2e_timeout, PROP_E2E_TIMEOUT, guint)

/**
 * any_socket_get_max_connections:
 * @self: an [class@AnySocket.Socket]
 *
 * Gets [property@AnySocket.Socket:max-connections].
 *
 * Returns: the most accepted connections open at once (0: no limit)
 *
 * Since: 0.2
 */
guint
any_socket_get_max_connections (AnySocket *self)
{
  g_return_val_if_fail (ANY_IS_SOCKET (self), 0);

  return self->max_connections;
}

/**
 * any_socket_set_max_connections:
 * @self: an [class@AnySocket.Socket]
 * @max_connections: a count, or 0 for no limit
 *
 * Sets [property@AnySocket.Socket:max-connections]; it applies at once
 * to the URIs listened on, and open connections over a lowered limit
 * stay open.
 *
 * Since: 0.2
 */
void
any_socket_set_max_connections (AnySocket *self,
                                guint      max_connections)
{
  g_return_if_fail (ANY_IS_SOCKET (self));

  if (self->max_connections == max_connections)
    return;
  self->max_connections = max_connections;
  any_ws_dial_set_max_connections (self->dial, max_connections);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_CONNECTIONS]);
}

/**
 * any_socket_get_tcp_keepalive:
 * @self: an [class@AnySocket.Socket]
 *
 * Gets [property@AnySocket.Socket:tcp-keepalive].
 *
 * Returns: the idle seconds before TCP keepalive probes (0: off)
 *
 * Since: 0.2
 */
/**
 * any_socket_set_tcp_keepalive:
 * @self: an [class@AnySocket.Socket]
 * @idle_s: seconds, or 0 for no TCP keepalive
 *
 * Sets [property@AnySocket.Socket:tcp-keepalive], for links made after the call.
 *
 * Since: 0.2
 */
DEFINE_UINT_PROPERTY (tcp_keepalive, tcp_keepalive, PROP_TCP_KEEPALIVE, guint)

/**
 * any_socket_get_e2e_policy:
 * @self: an [class@AnySocket.Socket]
 *
 * Gets [property@AnySocket.Socket:e2e-policy].
 *
 * Returns: the [property@AnySocket.Socket:e2e-policy]
 */
AnyE2ePolicy
any_socket_get_e2e_policy (AnySocket *self)
{
  g_return_val_if_fail (ANY_IS_SOCKET (self), ANY_E2E_POLICY_ALLOW_COMPAT);

  return self->e2e_policy;
}

/**
 * any_socket_set_e2e_policy:
 * @self: an [class@AnySocket.Socket]
 * @policy: an [enum@AnySocket.E2ePolicy]
 *
 * Sets [property@AnySocket.Socket:e2e-policy], for links made after the call.
 */
void
any_socket_set_e2e_policy (AnySocket    *self,
                           AnyE2ePolicy  policy)
{
  g_return_if_fail (ANY_IS_SOCKET (self));

  if (self->e2e_policy == policy)
    return;
  self->e2e_policy = policy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_E2E_POLICY]);
}

/**
 * any_socket_get_heartbeat_interval:
 * @self: an [class@AnySocket.Socket]
 *
 * Gets [property@AnySocket.Socket:heartbeat-interval].
 *
 * Returns: the [property@AnySocket.Socket:heartbeat-interval] in milliseconds
 */
guint
any_socket_get_heartbeat_interval (AnySocket *self)
{
  g_return_val_if_fail (ANY_IS_SOCKET (self), 0);

  return self->heartbeat_interval;
}

/**
 * any_socket_set_heartbeat_interval:
 * @self: an [class@AnySocket.Socket]
 * @interval_ms: milliseconds, 0 to send no heartbeats
 *
 * Sets [property@AnySocket.Socket:heartbeat-interval]; connected peers follow at once.
 */
void
any_socket_set_heartbeat_interval (AnySocket *self,
                                   guint      interval_ms)
{
  GHashTableIter iter;
  gpointer peer;

  g_return_if_fail (ANY_IS_SOCKET (self));

  if (self->heartbeat_interval == interval_ms)
    return;
  self->heartbeat_interval = interval_ms;

  g_hash_table_iter_init (&iter, self->peers);
  while (g_hash_table_iter_next (&iter, NULL, &peer))
    _any_peer_set_heartbeat_interval (peer, interval_ms);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEARTBEAT_INTERVAL]);
}

/**
 * any_socket_get_auth_data:
 * @self: an [class@AnySocket.Socket]
 *
 * Gets [property@AnySocket.Socket:auth-data].
 *
 * Returns: (transfer none) (nullable): the [property@AnySocket.Socket:auth-data]
 */
JsonNode *
any_socket_get_auth_data (AnySocket *self)
{
  g_return_val_if_fail (ANY_IS_SOCKET (self), NULL);

  return self->auth_data;
}

/**
 * any_socket_set_auth_data:
 * @self: an [class@AnySocket.Socket]
 * @auth_data: (nullable): what to send as the AUTH packet's `auth`
 *
 * Sets [property@AnySocket.Socket:auth-data], for links made after the call.
 */
void
any_socket_set_auth_data (AnySocket *self,
                          JsonNode  *auth_data)
{
  g_return_if_fail (ANY_IS_SOCKET (self));

  if (self->auth_data == auth_data)
    return;
  g_clear_pointer (&self->auth_data, json_node_unref);
  if (auth_data != NULL)
    self->auth_data = json_node_copy (auth_data);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTH_DATA]);
}

/**
 * any_socket_get_permessage_deflate:
 * @self: an [class@AnySocket.Socket]
 *
 * Gets [property@AnySocket.Socket:permessage-deflate].
 *
 * Returns: whether WebSocket compression is offered and accepted
 */
gboolean
any_socket_get_permessage_deflate (AnySocket *self)
{
  g_return_val_if_fail (ANY_IS_SOCKET (self), FALSE);

  return self->permessage_deflate;
}

/**
 * any_socket_set_permessage_deflate:
 * @self: an [class@AnySocket.Socket]
 * @enabled: whether to offer and accept permessage-deflate
 *
 * Sets [property@AnySocket.Socket:permessage-deflate]. Takes effect for servers and client
 * sessions created after the call (before the first listen or connect, or
 * after [method@AnySocket.Socket.stop]).
 */
void
any_socket_set_permessage_deflate (AnySocket *self,
                                   gboolean   enabled)
{
  g_return_if_fail (ANY_IS_SOCKET (self));

  enabled = !!enabled;
  if (self->permessage_deflate == enabled)
    return;
  self->permessage_deflate = enabled;
  any_ws_dial_reset_session (self->dial);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PERMESSAGE_DEFLATE]);
}

static void
any_socket_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  AnySocket *self = ANY_SOCKET (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_REPLY_TIMEOUT:
      g_value_set_uint (value, self->reply_timeout);
      break;
    case PROP_HEARTBEAT_INTERVAL:
      g_value_set_uint (value, self->heartbeat_interval);
      break;
    case PROP_AUTH_TIMEOUT:
      g_value_set_uint (value, self->auth_timeout);
      break;
    case PROP_MAX_MESSAGE_SIZE:
      g_value_set_uint64 (value, self->max_message_size);
      break;
    case PROP_MAX_PARTIAL_MESSAGES:
      g_value_set_uint (value, self->max_partial_messages);
      break;
    case PROP_MAX_SEND_BUFFER:
      g_value_set_uint64 (value, self->max_send_buffer);
      break;
    case PROP_AUTH_DATA:
      g_value_set_boxed (value, self->auth_data);
      break;
    case PROP_PERMESSAGE_DEFLATE:
      g_value_set_boolean (value, self->permessage_deflate);
      break;
    case PROP_E2E_TIMEOUT:
      g_value_set_uint (value, self->e2e_timeout);
      break;
    case PROP_E2E_POLICY:
      g_value_set_enum (value, self->e2e_policy);
      break;
    case PROP_MAX_CONNECTIONS:
      g_value_set_uint (value, self->max_connections);
      break;
    case PROP_TCP_KEEPALIVE:
      g_value_set_uint (value, self->tcp_keepalive);
      break;
    default:
      if (!_any_socket_http_get_property (self, prop_id, value) &&
          !_any_socket_tls_get_property (self, prop_id, value))
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
any_socket_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  AnySocket *self = ANY_SOCKET (object);

  switch (prop_id)
    {
    case PROP_REPLY_TIMEOUT:
      any_socket_set_reply_timeout (self, g_value_get_uint (value));
      break;
    case PROP_HEARTBEAT_INTERVAL:
      any_socket_set_heartbeat_interval (self, g_value_get_uint (value));
      break;
    case PROP_AUTH_TIMEOUT:
      any_socket_set_auth_timeout (self, g_value_get_uint (value));
      break;
    case PROP_MAX_MESSAGE_SIZE:
      any_socket_set_max_message_size (self, g_value_get_uint64 (value));
      break;
    case PROP_MAX_PARTIAL_MESSAGES:
      any_socket_set_max_partial_messages (self, g_value_get_uint (value));
      break;
    case PROP_MAX_SEND_BUFFER:
      any_socket_set_max_send_buffer (self, g_value_get_uint64 (value));
      break;
    case PROP_AUTH_DATA:
      any_socket_set_auth_data (self, g_value_get_boxed (value));
      break;
    case PROP_PERMESSAGE_DEFLATE:
      any_socket_set_permessage_deflate (self, g_value_get_boolean (value));
      break;
    case PROP_E2E_TIMEOUT:
      any_socket_set_e2e_timeout (self, g_value_get_uint (value));
      break;
    case PROP_E2E_POLICY:
      any_socket_set_e2e_policy (self, g_value_get_enum (value));
      break;
    case PROP_MAX_CONNECTIONS:
      any_socket_set_max_connections (self, g_value_get_uint (value));
      break;
    case PROP_TCP_KEEPALIVE:
      any_socket_set_tcp_keepalive (self, g_value_get_uint (value));
      break;
    default:
      if (!_any_socket_http_set_property (self, prop_id, value) &&
          !_any_socket_tls_set_property (self, prop_id, value))
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* Called by any_socket_class_init(). */
void
_any_socket_properties_class_init (GObjectClass *object_class)
{
  object_class->get_property = any_socket_get_property;
  object_class->set_property = any_socket_set_property;

  /**
   * AnySocket:id:
   *
   * The id this socket presents to every peer: 32 lowercase hex
   * characters, a random UUIDv4 without dashes (PROTOCOL.md 4).
   */
  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AnySocket:reply-timeout:
   *
   * Milliseconds to wait for a reply to [method@AnySocket.Peer.request_async] when it
   * is given no timeout of its own. Default 30000, as the JavaScript peer.
   */
  properties[PROP_REPLY_TIMEOUT] =
    g_param_spec_uint ("reply-timeout", NULL, NULL, 1, G_MAXUINT, SOCKET_DEFAULT_REPLY_TIMEOUT,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AnySocket:heartbeat-interval:
   *
   * Milliseconds between heartbeat checks. At each check a ping is sent
   * if anything arrived since the last one; two checks in a row with
   * nothing received close the link (`Missed Heartbeats`). A peer's ping
   * that comes within the last half of an interval takes ours along
   * (sent with the pong; the interval starts again from there). 0
   * disables the heartbeat. Default 5000.
   */
  properties[PROP_HEARTBEAT_INTERVAL] =
    g_param_spec_uint ("heartbeat-interval", NULL, NULL, 0, G_MAXUINT, SOCKET_DEFAULT_HEARTBEAT_INTERVAL,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AnySocket:auth-timeout:
   *
   * Milliseconds a new link may take to finish the AUTH exchange, on
   * both sides (`auth timed out`). Default 5000. It also bounds, for
   * the URIs listened on after it is set, how long an accepted
   * connection may take to send its WebSocket upgrade request.
   */
  properties[PROP_AUTH_TIMEOUT] =
    g_param_spec_uint ("auth-timeout", NULL, NULL, 0, G_MAXUINT, SOCKET_DEFAULT_AUTH_TIMEOUT,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AnySocket:max-message-size:
   *
   * The largest message, in bytes of JSON text, that is sent or
   * accepted. A peer that sends a bigger one (even spread over many
   * chunks) is disconnected; sending one fails with
   * `ANY_SOCKET_ERROR_MESSAGE_TOO_BIG`. It also bounds the bytes held in
   * all unfinished messages of a link. Default 64 MiB.
   */
  properties[PROP_MAX_MESSAGE_SIZE] =
    g_param_spec_uint64 ("max-message-size", NULL, NULL, 64, G_MAXUINT64, SOCKET_DEFAULT_MAX_MESSAGE_SIZE,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AnySocket:max-partial-messages:
   *
   * How many messages a peer may have half-sent (chunks received, last
   * chunk not yet) at once before it is disconnected. Default 16.
   */
  properties[PROP_MAX_PARTIAL_MESSAGES] =
    g_param_spec_uint ("max-partial-messages", NULL, NULL, 1, G_MAXUINT, SOCKET_DEFAULT_MAX_PARTIAL_MESSAGES,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AnySocket:max-send-buffer:
   *
   * How many bytes sent to one peer may wait in this process, not yet
   * taken by the kernel, before the peer is disconnected with a reason
   * starting "Send buffer full". A peer that stops reading (but keeps
   * its connection open, and may keep sending to look alive) would
   * otherwise make the queue grow without end. 0: no limit. Default
   * 256 MiB, and never less than three times [property@AnySocket.Socket:max-message-size]
   * (one message must fit, hex-encoded by compat E2E). Measured on Linux
   * from the TCP socket's counters; elsewhere, or with permessage-deflate,
   * there is no limit. Each waiting frame counts with what it costs in
   * memory besides its bytes (about 160), so that a flood of tiny frames
   * is bounded in memory too. The same bound applies to what a hub holds
   * for a proxied peer that has not confirmed its link yet.
   *
   * On connections this socket accepted, answers to a peer's own requests
   * do not wait here without end: once about a thousand frames wait for
   * the peer, its connection is not read until they drain, and a peer
   * that never reads misses its heartbeats.
   */
  properties[PROP_MAX_SEND_BUFFER] =
    g_param_spec_uint64 ("max-send-buffer", NULL, NULL, 0, G_MAXUINT64, SOCKET_DEFAULT_MAX_SEND_BUFFER,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AnySocket:auth-data:
   *
   * Any JSON value, sent as the `auth` member of our AUTH packet for the
   * other side's [signal@AnySocket.Socket::authenticate] (the JavaScript `authPacket()`).
   */
  properties[PROP_AUTH_DATA] =
    g_param_spec_boxed ("auth-data", NULL, NULL, JSON_TYPE_NODE,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AnySocket:permessage-deflate:
   *
   * Whether WebSocket compression is offered (client) and accepted
   * (server). Off by default: it costs ~90 KiB of memory per idle
   * connection and 10-20% of throughput.
   */
  properties[PROP_PERMESSAGE_DEFLATE] =
    g_param_spec_boolean ("permessage-deflate", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AnySocket:e2e-timeout:
   *
   * Milliseconds an E2E switch may take (`e2e timed out`). Default 5000,
   * as the JavaScript peer.
   */
  properties[PROP_E2E_TIMEOUT] =
    g_param_spec_uint ("e2e-timeout", NULL, NULL, 0, G_MAXUINT, SOCKET_DEFAULT_E2E_TIMEOUT,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AnySocket:e2e-policy:
   *
   * Which E2E modes this socket starts and answers: by default native
   * with peers that advertise it and compat with the others (JavaScript
   * peers); `ANY_E2E_POLICY_REQUIRE_NATIVE` refuses compat.
   */
  properties[PROP_E2E_POLICY] =
    g_param_spec_enum ("e2e-policy", NULL, NULL, ANY_TYPE_E2E_POLICY, ANY_E2E_POLICY_ALLOW_COMPAT,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AnySocket:max-connections:
   *
   * How many accepted connections may be open at once, counted from
   * accept to close whatever they are (before the WebSocket upgrade,
   * before AUTH, peers, closing), over every URI listened on; outgoing
   * connections do not count. A connection over the limit is accepted
   * and closed at once, without an answer (an HTTP 503 would mean
   * keeping it until its request is read), and the connections already
   * open are untouched. 0: no limit. Default 10000.
   *
   * Independently of this limit, when the process runs out of file
   * descriptors, accepting pauses for 250 ms at a time (a warning is
   * logged once a minute at most) and resumes by itself.
   *
   * Since: 0.2
   */
  properties[PROP_MAX_CONNECTIONS] =
    g_param_spec_uint ("max-connections", NULL, NULL, 0, G_MAXUINT, SOCKET_DEFAULT_MAX_CONNECTIONS,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * AnySocket:tcp-keepalive:
   *
   * TCP keepalive on the connections of links this socket accepts and
   * makes (`SO_KEEPALIVE`): after this many seconds without a segment
   * either way the kernel probes, then every third of it, and drops the
   * connection after 3 unanswered probes, so a vanished peer (or a
   * forgotten NAT mapping) is found within about twice this time even
   * with [property@AnySocket.Socket:heartbeat-interval] at 0 on both
   * sides. While heartbeats flow a link is never idle that long, so it
   * costs nothing then. 0: off. Default 30, the idle time upstream's
   * newer releases use when their `tcpKeepAlive` option is on. For links
   * made after the change; where the system lacks the options, only
   * `SO_KEEPALIVE` is set.
   *
   * Since: 0.2
   */
  properties[PROP_TCP_KEEPALIVE] =
    g_param_spec_uint ("tcp-keepalive", NULL, NULL, 0, G_MAXUINT, SOCKET_DEFAULT_TCP_KEEPALIVE,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
  _any_socket_http_class_init (object_class, N_PROPS);
  /* ws-protocols is N_PROPS. */
  _any_socket_tls_class_init (object_class, N_PROPS + 1);
}
