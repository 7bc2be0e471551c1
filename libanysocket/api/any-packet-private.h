/* any-packet-private.h: how a peer makes the packets it delivers
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "any-packet.h"
#include "codec/any-codec.h"

G_BEGIN_DECLS

/* Takes @msg. */
AnyPacket *_any_packet_new          (AnyPeer        *peer,
                                     AnyPacketType   type,
                                     gint32          seq,
                                     JsonNode       *msg);
AnyPacket *_any_packet_new_bytes    (AnyPeer        *peer,
                                     gint32          seq,
                                     GBytes         *bytes);

G_END_DECLS
