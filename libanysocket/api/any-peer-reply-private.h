/* any-peer-reply-private.h: how a broadcast request makes its results
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "any-peer-reply.h"
#include "any-packet.h"
#include "any-peer.h"

G_BEGIN_DECLS

/* Exactly one of @packet and @error; @error is taken. */
AnyPeerReply *_any_peer_reply_new (AnyPeer   *peer,
                                   AnyPacket *packet,
                                   GError    *error);

G_END_DECLS
