/* any-proxy-transport.h: a transport through a hub (PROTOCOL.md 8)
 *
 * A proxied peer's frames travel inside FORWARD frames on the link to the
 * hub. Sending wraps each frame in a FORWARD header; the socket hands
 * received inner frames to any_transport_deliver_frame(). The transport
 * knows the link to the hub only through AnyProxyTransportCallbacks, so
 * it needs nothing of AnyPeer.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "transport/any-transport.h"

G_BEGIN_DECLS

#define ANY_TYPE_PROXY_TRANSPORT (any_proxy_transport_get_type ())
G_DECLARE_FINAL_TYPE (AnyProxyTransport, any_proxy_transport, ANY, PROXY_TRANSPORT, AnyTransport)

/* What the transport needs from the link to the hub (@via below). */
typedef struct {
  /* Sends a whole FORWARD frame on the link to the hub. */
  gboolean (*send_frame) (GObject     *via,
                          GBytes      *frame,
                          GError     **error);
  /* This side closed the proxied link: the hub should stop relaying to
   * us and tell @remote_id. */
  void     (*unproxy)    (GObject     *via,
                          const char  *remote_id);
  /* Sends a whole binary FORWARD frame (docs/protocol.md, "Binary
   * messages through a hub") on the link to the hub. */
  gboolean (*send_binary_frame) (GObject *via,
                                 GBytes  *frame,
                                 GError **error);
} AnyProxyTransportCallbacks;

/* @local_id and @remote_id must be valid ids (any_id_is_valid()). The
 * transport keeps a reference to @via and passes it to @callbacks, which
 * must outlive it. */
AnyTransport *any_proxy_transport_new     (const AnyProxyTransportCallbacks *callbacks,
                                           GObject           *via,
                                           const char        *local_id,
                                           const char        *remote_id);

/* The hub relays binary FORWARD frames: binary frames go through it. */
void          any_proxy_transport_set_binary (AnyProxyTransport *self,
                                              gboolean           binary);

G_END_DECLS
