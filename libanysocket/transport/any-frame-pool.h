/* any-frame-pool.h: recycled buffers for big sealed frames
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Frames from this size on are recycled; smaller ones are left to malloc. */
#define ANY_FRAME_POOL_FROM (256 * 1024)
/* Buffers kept between big messages, at most. */
#define ANY_FRAME_POOL_MAX  6

GString *any_frame_pool_take     (gsize    size);
GBytes  *any_frame_pool_to_bytes (GString *frame,
                                  gsize    offset);
guint    any_frame_pool_get_held (void);

G_END_DECLS
