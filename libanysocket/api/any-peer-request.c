/* any-peer-request.c: what the WebSocket upgrade request of an accepted
 * peer said (path, query, headers, cookies)
 *
 * The transport copied it into plain GLib types when the upgrade was
 * done (transport/any-upgrade-request.c); these accessors read it.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "api/any-peer-private.h"

/**
 * any_peer_get_request_path:
 * @self: an [class@AnySocket.Peer]
 *
 * Gets the path of the HTTP request that opened the link, for a peer
 * that connected to us (`/` for the JavaScript client). A peer we
 * connected to ([method@AnySocket.Socket.connect_async]) or reach through a hub
 * ([method@AnySocket.Peer.is_proxy]) has no such request.
 *
 * Like the other `request` accessors, this can be read from
 * [signal@AnySocket.Socket::authenticate-peer] on, to decide whether to
 * accept the peer, and as long as the peer lives.
 *
 * Returns: (nullable): the path, or NULL without a request
 *
 * Since: 0.2
 */
const char *
any_peer_get_request_path (AnyPeer *self)
{
  AnyUpgradeRequest *request;

  g_return_val_if_fail (ANY_IS_PEER (self), NULL);

  request = _any_peer_get_upgrade_request (self);
  return request != NULL ? any_upgrade_request_get_path (request) : NULL;
}

/**
 * any_peer_get_request_query:
 * @self: an [class@AnySocket.Peer]
 *
 * Gets the query of the HTTP request that opened the link (what follows
 * `?` in its target, still percent-encoded), as
 * [method@AnySocket.Peer.get_request_path] does its path.
 *
 * Returns: (nullable): the query, or NULL without a request or a query
 *
 * Since: 0.2
 */
const char *
any_peer_get_request_query (AnyPeer *self)
{
  AnyUpgradeRequest *request;

  g_return_val_if_fail (ANY_IS_PEER (self), NULL);

  request = _any_peer_get_upgrade_request (self);
  return request != NULL ? any_upgrade_request_get_query (request) : NULL;
}

/**
 * any_peer_get_request_header:
 * @self: an [class@AnySocket.Peer]
 * @name: a header name, in any case
 *
 * Gets a header of the HTTP request that opened the link (see
 * [method@AnySocket.Peer.get_request_path] for which peers have one). A
 * header sent several times comes joined with `, ` (`; ` for `Cookie`).
 * Bytes that are not UTF-8 are replaced by U+FFFD.
 *
 * Returns: (nullable): the header's value, or NULL
 *
 * Since: 0.2
 */
const char *
any_peer_get_request_header (AnyPeer    *self,
                             const char *name)
{
  AnyUpgradeRequest *request;

  g_return_val_if_fail (ANY_IS_PEER (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  request = _any_peer_get_upgrade_request (self);
  return request != NULL ? any_upgrade_request_get_header (request, name) : NULL;
}

/**
 * any_peer_dup_request_header_names:
 * @self: an [class@AnySocket.Peer]
 *
 * Lists the headers of the HTTP request that opened the link, in the
 * order they first came, each once, spelled as sent.
 *
 * Returns: (transfer full) (nullable): the names, or NULL without a request
 *
 * Since: 0.2
 */
char **
any_peer_dup_request_header_names (AnyPeer *self)
{
  AnyUpgradeRequest *request;

  g_return_val_if_fail (ANY_IS_PEER (self), NULL);

  request = _any_peer_get_upgrade_request (self);
  return request != NULL ? any_upgrade_request_dup_header_names (request) : NULL;
}

/**
 * any_peer_get_request_cookie:
 * @self: an [class@AnySocket.Peer]
 * @name: the cookie's name (case matters)
 *
 * Gets a cookie of the HTTP request that opened the link: the first pair
 * called @name in its `Cookie` header (the JavaScript client's `cookies`
 * option, a browser's cookies). Blanks around it and one pair of double
 * quotes around the value are removed; nothing is percent-decoded (the
 * JavaScript server applies `decodeURI()`). Pairs without `=` are
 * ignored.
 *
 * Returns: (nullable): the value, or NULL when there is no such cookie
 *
 * Since: 0.2
 */
const char *
any_peer_get_request_cookie (AnyPeer    *self,
                             const char *name)
{
  AnyUpgradeRequest *request;

  g_return_val_if_fail (ANY_IS_PEER (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  request = _any_peer_get_upgrade_request (self);
  return request != NULL ? any_upgrade_request_get_cookie (request, name) : NULL;
}
