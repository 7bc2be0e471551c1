/* any-reassembly.h: joining the chunks of packets, per seq, within limits
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>
#include "codec/any-codec.h"

G_BEGIN_DECLS

typedef struct _AnyReassembly AnyReassembly;

AnyReassembly *any_reassembly_new        (gsize           max_message_size,
                                          guint           max_partials);
void           any_reassembly_free       (AnyReassembly  *self);
void           any_reassembly_clear      (AnyReassembly  *self);
guint          any_reassembly_get_partials (AnyReassembly *self);
gsize          any_reassembly_get_buffered (AnyReassembly *self);

gboolean       any_reassembly_add        (AnyReassembly  *self,
                                          const AnyChunk *chunk,
                                          const guint8   *body,
                                          gsize           body_len,
                                          GString       **whole,
                                          GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnyReassembly, any_reassembly_free)

G_END_DECLS
