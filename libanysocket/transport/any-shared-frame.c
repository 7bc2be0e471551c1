/* any-shared-frame.c: one frame sent alike to many transports
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "transport/any-shared-frame.h"

#include <string.h>

#include "transport/any-ws-parser.h"
#include "transport/any-ws-writer.h"

struct _AnySharedFrame
{
  GBytes *payload;
  GBytes *ws_server_frame;   /* NULL until asked for */
};

static void
shared_frame_clear (gpointer data)
{
  AnySharedFrame *self = data;

  g_bytes_unref (self->payload);
  g_clear_pointer (&self->ws_server_frame, g_bytes_unref);
}

AnySharedFrame *
any_shared_frame_new (GBytes *payload)
{
  AnySharedFrame *self = g_atomic_rc_box_new0 (AnySharedFrame);

  self->payload = g_bytes_ref (payload);
  return self;
}

AnySharedFrame *
any_shared_frame_ref (AnySharedFrame *self)
{
  return g_atomic_rc_box_acquire (self);
}

void
any_shared_frame_unref (AnySharedFrame *self)
{
  g_atomic_rc_box_release_full (self, shared_frame_clear);
}

GBytes *
any_shared_frame_get_payload (AnySharedFrame *self)
{
  return self->payload;
}

GBytes *
any_shared_frame_get_ws_server_frame (AnySharedFrame *self)
{
  if (self->ws_server_frame == NULL)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (self->payload, &len);
      guint8 header[ANY_WS_MAX_HEADER];
      guint header_len = any_ws_write_header (header, ANY_WS_OPCODE_TEXT, len, NULL);
      guint8 *frame = g_malloc (header_len + len);

      memcpy (frame, header, header_len);
      if (len > 0)
        memcpy (frame + header_len, data, len);
      self->ws_server_frame = g_bytes_new_take (frame, header_len + len);
    }
  return self->ws_server_frame;
}
