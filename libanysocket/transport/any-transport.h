/* any-transport.h: what the protocol engine needs from a transport
 *
 * A transport moves whole frames (one WebSocket text message each, or a
 * binary one where the transport has that kind) and
 * reports received frames and the end of the link upward through plain
 * callbacks, not signals: this is the per-message path.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>
#include "transport/any-shared-frame.h"
#include "transport/any-upgrade-request.h"

G_BEGIN_DECLS

#define ANY_TYPE_TRANSPORT (any_transport_get_type ())
G_DECLARE_DERIVABLE_TYPE (AnyTransport, any_transport, ANY, TRANSPORT, GObject)

typedef void (*AnyTransportFrameFunc)  (gpointer      user_data,
                                        const guint8 *data,
                                        gsize         len,
                                        gboolean      is_text);
typedef void (*AnyTransportClosedFunc) (gpointer      user_data,
                                        const char   *reason);

/* How a frame may be ordered against the frames sent before it that the
 * transport still holds (a transport that holds none treats all alike):
 *
 * ORDERED  after them (every packet but those below);
 * URGENT   before them, so that a pong does not wait behind megabytes
 *          of a big message: only a frame whose place in the stream does
 *          not matter (its own packet, not sealed with a running nonce);
 *          never before a BARRIER still held;
 * BARRIER  after them, and no URGENT frame overtakes it (AUTH, SWITCH:
 *          what follows them is read in another state). */
typedef enum {
  ANY_TRANSPORT_LANE_ORDERED,
  ANY_TRANSPORT_LANE_URGENT,
  ANY_TRANSPORT_LANE_BARRIER,
} AnyTransportLane;

struct _AnyTransportClass
{
  GObjectClass parent_class;

  void         (*send)               (AnyTransport *self,
                                      GBytes       *frame);
  /* Optional: send() for every lane when not implemented. */
  void         (*send_lane)          (AnyTransport     *self,
                                      GBytes           *frame,
                                      AnyTransportLane  lane);
  /* Optional: the same frame queued to many transports (a broadcast),
   * by reference, with no copy of its own where the transport can send
   * it as it is; send_lane() of its payload when not implemented. */
  void         (*send_shared)        (AnyTransport     *self,
                                      AnySharedFrame   *frame,
                                      AnyTransportLane  lane);
  void         (*close)              (AnyTransport *self,
                                      const char   *reason);
  void         (*set_max_frame_size) (AnyTransport *self,
                                      gsize         max_bytes);
  /* Bytes sent and not yet taken by the kernel that make the transport
   * give up (it then reports closed, later, with a reason). 0: none. */
  void         (*set_max_send_buffer) (AnyTransport *self,
                                       gsize         max_bytes);
  const char * (*get_remote_address) (AnyTransport *self);
  /* Optional: a binary frame (WebSocket opcode 2) instead of a text
   * one, on @lane as send_lane(); a transport without it has no binary
   * kind (any_transport_can_send_binary() says FALSE). */
  void         (*send_binary)        (AnyTransport     *self,
                                      GBytes           *frame,
                                      AnyTransportLane  lane);
  /* Optional: whether send_binary() works on this instance (a link
   * through a hub: whether the hub relays binary FORWARD frames);
   * send_binary != NULL when not implemented. */
  gboolean     (*can_send_binary)    (AnyTransport     *self);
  /* Optional: TCP keepalive after @idle_s idle seconds, 0: off. */
  void         (*set_tcp_keepalive)  (AnyTransport *self,
                                      guint         idle_s);
};

void        any_transport_set_receiver      (AnyTransport           *self,
                                             AnyTransportFrameFunc   frame_func,
                                             AnyTransportClosedFunc  closed_func,
                                             gpointer                user_data);
void        any_transport_send              (AnyTransport           *self,
                                             GBytes                 *frame);
void        any_transport_send_lane         (AnyTransport           *self,
                                             GBytes                 *frame,
                                             AnyTransportLane        lane);
gboolean    any_transport_can_send_binary   (AnyTransport           *self);
void        any_transport_send_binary       (AnyTransport           *self,
                                             GBytes                 *frame,
                                             AnyTransportLane        lane);
void        any_transport_send_shared       (AnyTransport           *self,
                                             AnySharedFrame         *frame,
                                             AnyTransportLane        lane);
void        any_transport_close             (AnyTransport           *self,
                                             const char             *reason);
void        any_transport_set_max_frame_size (AnyTransport          *self,
                                             gsize                   max_bytes);
void        any_transport_set_max_send_buffer (AnyTransport         *self,
                                              gsize                  max_bytes);
const char *any_transport_get_remote_address (AnyTransport          *self);
void        any_transport_set_tcp_keepalive (AnyTransport           *self,
                                             guint                   idle_s);
gboolean    any_transport_is_closed         (AnyTransport           *self);
/* What the upgrade request of an accepted WebSocket said (held by the
 * transport); NULL for a link we made or one through a hub. */
void        any_transport_set_upgrade_request (AnyTransport         *self,
                                              AnyUpgradeRequest    *request);
AnyUpgradeRequest *any_transport_get_upgrade_request (AnyTransport  *self);

/* For implementations. */
/* "ip:port" or "[ipv6]:port" of an inet address, else NULL (newly
 * allocated). */
char       *any_transport_format_address    (GSocketAddress         *address);
void        any_transport_deliver_frame     (AnyTransport           *self,
                                             const guint8           *data,
                                             gsize                   len,
                                             gboolean                is_text);
void        any_transport_deliver_closed    (AnyTransport           *self,
                                             const char             *reason);

G_END_DECLS
