/* any-frame-pool.h: recycled buffers for big sealed frames
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

GString *any_frame_pool_take     (gsize    size);
GBytes  *any_frame_pool_to_bytes (GString *frame,
                                  gsize    offset);
guint    any_frame_pool_get_held (void);

G_END_DECLS
