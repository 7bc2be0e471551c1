/* any-ws-flow.h: the flow control of one WebSocket connection, applied by
 * the coalescing stream under it
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _AnyWsFlow AnyWsFlow;

/* The peer broke a limit: close with @code and @reason (a close frame's
 * reason, at most 123 bytes). Called once, from inside a read. */
typedef void (*AnyWsFlowFailFunc) (gpointer    user_data,
                                   gushort     code,
                                   const char *reason);

/* What one waiting frame costs in libsoup's queue besides its bytes:
 * its Frame, GBytes, list link and allocator headers. */
#define ANY_WS_FLOW_FRAME_COST 160

/* For the coalescing stream. */
AnyWsFlow *any_ws_flow_new          (void);
void       any_ws_flow_free         (AnyWsFlow        *self);
void       any_ws_flow_start        (AnyWsFlow        *self);
gboolean   any_ws_flow_is_failed    (AnyWsFlow        *self);
gboolean   any_ws_flow_may_read     (AnyWsFlow        *self);
gboolean   any_ws_flow_received     (AnyWsFlow        *self,
                                     const guint8     *data,
                                     gsize             len);
void       any_ws_flow_wrote        (AnyWsFlow        *self,
                                     gsize             count,
                                     gssize            written);
void       any_ws_flow_turn_over    (AnyWsFlow        *self);
GSource   *any_ws_flow_wait_source  (AnyWsFlow        *self);

/* For the transport above. */
void       any_ws_flow_set_fail_func   (AnyWsFlow         *self,
                                        AnyWsFlowFailFunc  func,
                                        gpointer           user_data);
void       any_ws_flow_set_max_message (AnyWsFlow         *self,
                                        guint64            max_bytes);
/* Whether reading pauses while too many frames wait (see the file). */
void       any_ws_flow_set_backpressure (AnyWsFlow        *self,
                                         gboolean          backpressure);
void       any_ws_flow_queued          (AnyWsFlow         *self);
guint64    any_ws_flow_waiting_frames  (AnyWsFlow         *self);

G_END_DECLS
