/* any-packet.h: AnyPacket, one received message
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

#define ANY_TYPE_PACKET (any_packet_get_type ())
ANY_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (AnyPacket, any_packet, ANY, PACKET, GObject)

ANY_AVAILABLE_IN_ALL
int       any_packet_get_seq  (AnyPacket  *self);
ANY_AVAILABLE_IN_ALL
AnyPeer  *any_packet_get_peer (AnyPacket  *self);
ANY_AVAILABLE_IN_ALL
JsonNode *any_packet_get_msg  (AnyPacket  *self);
ANY_AVAILABLE_IN_0_2
GBytes   *any_packet_get_bytes (AnyPacket *self);
ANY_AVAILABLE_IN_0_2
gboolean  any_packet_reply_bytes (AnyPacket *self,
                                  GBytes    *bytes,
                                  GError   **error);
ANY_AVAILABLE_IN_ALL
gboolean  any_packet_is_reply (AnyPacket  *self);
ANY_AVAILABLE_IN_ALL
gboolean  any_packet_reply    (AnyPacket  *self,
                               JsonNode   *msg,
                               GError    **error);

G_END_DECLS
