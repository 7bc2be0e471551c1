/* any-shared-frame.h: one frame sent alike to many transports
 *
 * A broadcast is serialised once: its text (chunk header and JSON) is one
 * GBytes that every peer's transport queues by reference. A transport that
 * can send a whole wire frame as it is (AnyWsLink on the accepting side: a
 * server's frames are not masked, so the same bytes go to every peer) asks
 * for it here; it is built by the first one that asks, then shared too.
 *
 * Only the thread of the socket's main context touches a shared frame
 * (the reference count is atomic, the cached wire form is not locked).
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _AnySharedFrame AnySharedFrame;

/* Takes a reference to @payload: one WebSocket text message. */
AnySharedFrame *any_shared_frame_new      (GBytes         *payload);
AnySharedFrame *any_shared_frame_ref      (AnySharedFrame *self);
void            any_shared_frame_unref    (AnySharedFrame *self);
/* The message (transfer none). */
GBytes         *any_shared_frame_get_payload (AnySharedFrame *self);
/* The unmasked final text frame, RFC 6455 header and payload in one
 * buffer (transfer none), built on the first call. */
GBytes         *any_shared_frame_get_ws_server_frame (AnySharedFrame *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnySharedFrame, any_shared_frame_unref)

G_END_DECLS
