/* any-base64.h: base64 for native E2E chunk bodies
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void     any_base64_encode_append (GString      *out,
                                   const guint8 *data,
                                   gsize         len);
gboolean any_base64_decode_strict (const guint8 *text,
                                   gsize         len,
                                   GByteArray   *out);

G_END_DECLS
