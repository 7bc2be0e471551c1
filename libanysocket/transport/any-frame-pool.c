/* any-frame-pool.c: recycled buffers for big sealed frames
 *
 * A big binary message is sealed into frames of up to 1 MiB, one per turn
 * of the main loop (protocol/any-engine-bytes.c). Each frame in fresh
 * memory cost 256 page faults and the zeroing of its pages, and its
 * unmapping once written: about 10% of the sender's CPU for a 10 MiB
 * message sent sealed (perf on e2e-bench, exc_page_fault,
 * do_anonymous_page, clear_page_erms, unmap_page_range; 2026-12-07). A
 * WebSocket client then masks each frame into a copy of its own
 * (any-ws-out-queue.c): the same again. Here a frame's buffer goes back
 * to a small stack when the transport is done with it, and the next big
 * frame is sealed or masked into it.
 *
 * The stack is the process's (a buffer is freed by whatever thread drops
 * the last reference of its GBytes): at most POOL_MAX buffers of about
 * 1 MiB of touched memory each are kept between big messages. Smaller
 * frames are left to malloc, which recycles them well.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "transport/any-frame-pool.h"

#define POOL_FROM ANY_FRAME_POOL_FROM

/* Buffers kept, at most: the frames a link has in flight at once (the one
 * being written, the one sealed meanwhile, a client's masked copies) for
 * two links. */
#define POOL_MAX ANY_FRAME_POOL_MAX

G_LOCK_DEFINE_STATIC (pool);
static GString *pool[POOL_MAX];
static guint pool_len;

/* An empty frame that can hold @size bytes without growing. */
GString *
any_frame_pool_take (gsize size)
{
  GString *frame = NULL;

  if (size >= POOL_FROM)
    {
      G_LOCK (pool);
      for (guint i = pool_len; i-- > 0 && frame == NULL;)
        if (pool[i]->allocated_len > size)
          {
            frame = pool[i];
            pool[i] = pool[--pool_len];
          }
      G_UNLOCK (pool);
    }
  if (frame == NULL)
    return g_string_sized_new (size);
  g_string_truncate (frame, 0);
  return frame;
}

static void
give_back (gpointer data)
{
  GString *frame = data;

  G_LOCK (pool);
  if (pool_len < POOL_MAX)
    {
      pool[pool_len++] = frame;
      frame = NULL;
    }
  G_UNLOCK (pool);
  if (frame != NULL)
    g_string_free (frame, TRUE);
}

/* The bytes of @frame from @offset on, without a copy; a big frame's
 * buffer goes back to the stack when they are freed. */
GBytes *
any_frame_pool_to_bytes (GString *frame,
                         gsize    offset)
{
  g_autoptr(GBytes) whole = NULL;

  g_assert (offset <= frame->len);
  if (frame->allocated_len > POOL_FROM)
    return g_bytes_new_with_free_func (frame->str + offset, frame->len - offset, give_back, frame);
  whole = g_string_free_to_bytes (frame);
  if (offset == 0)
    return g_steal_pointer (&whole);
  return g_bytes_new_from_bytes (whole, offset, g_bytes_get_size (whole) - offset);
}

/* How many buffers the stack holds now (for the tests). */
guint
any_frame_pool_get_held (void)
{
  guint held;

  G_LOCK (pool);
  held = pool_len;
  G_UNLOCK (pool);
  return held;
}
