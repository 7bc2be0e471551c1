/* any-fanout.h: one packet to many peers, serialised once
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "any-peer.h"
#include "codec/any-codec.h"

G_BEGIN_DECLS

/* Sends @msg as a packet of @type (not a reply) to each of the @n_peers
 * @peers (each referenced by the caller for the call): the JSON is
 * written once, and the same bytes are queued to every peer whose link
 * can take them; an end-to-end encrypted peer, or one holding packets
 * back, gets its own as with any_peer_send(). A peer that cannot take it
 * is skipped (logged). */
void _any_fanout_send (AnyPeer       **peers,
                       guint           n_peers,
                       AnyPacketType   type,
                       JsonNode       *msg);

G_END_DECLS
