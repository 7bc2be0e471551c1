/* any-peer-reply.h: AnyPeerReply, one peer's outcome of a broadcast request
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(ANYSOCKET_INSIDE) && !defined(ANYSOCKET_COMPILATION)
# error "Only <anysocket.h> can be included directly."
#endif

#include <glib-object.h>
#include "any-version.h"
#include "any-types.h"

G_BEGIN_DECLS

#define ANY_TYPE_PEER_REPLY (any_peer_reply_get_type ())
ANY_AVAILABLE_IN_0_2
G_DECLARE_FINAL_TYPE (AnyPeerReply, any_peer_reply, ANY, PEER_REPLY, GObject)

ANY_AVAILABLE_IN_0_2
AnyPeer      *any_peer_reply_get_peer    (AnyPeerReply *self);
ANY_AVAILABLE_IN_0_2
const char   *any_peer_reply_get_peer_id (AnyPeerReply *self);
ANY_AVAILABLE_IN_0_2
AnyPacket    *any_peer_reply_get_packet  (AnyPeerReply *self);
ANY_AVAILABLE_IN_0_2
const GError *any_peer_reply_get_error   (AnyPeerReply *self);

G_END_DECLS
