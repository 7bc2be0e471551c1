/* any-ws-writer.h: RFC 6455 frame headers and client masks
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The longest header: 2 + 8 length bytes + 4 mask bytes. */
#define ANY_WS_MAX_HEADER 14

/* Writes the header of a final frame of @opcode with @len payload bytes
 * into @out, masked with @mask (4 bytes) unless NULL; returns its size. */
guint any_ws_write_header (guint8       *out,
                           guint8        opcode,
                           guint64       len,
                           const guint8 *mask);
/* Copies @len bytes of @src to @dst masked with @mask (may be in place). */
void  any_ws_mask_copy    (guint8       *dst,
                           const guint8 *src,
                           gsize         len,
                           const guint8 *mask);

/* Client masks: a ChaCha20 key stream, keyed from getrandom(), 16 masks
 * per block. */
typedef struct _AnyWsMasks AnyWsMasks;

AnyWsMasks *any_ws_masks_new  (void);
void        any_ws_masks_free (AnyWsMasks *self);
void        any_ws_masks_next (AnyWsMasks *self,
                               guint8     *mask);

G_END_DECLS
