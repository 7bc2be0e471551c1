/* ws-frame.h: hand-made RFC 6455 frames for tests
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

/* Appends a frame: @first is its first byte (FIN, opcode), then the
 * shortest length encoding for @len, a mask of 0 when @masked (a
 * client's: the payload reads as is), and @payload (zeros when NULL). */
void ws_frame_append (GByteArray   *out,
                      guint8        first,
                      gboolean      masked,
                      const guint8 *payload,
                      gsize         len);
