/* any-reassembly.c: joining the chunks of packets, per seq, within limits
 *
 * The receiver keeps one partial buffer per seq (PROTOCOL.md 2). A hostile
 * peer could open partials forever or declare a huge message over many
 * chunks, so both the number of partials and the bytes held in all of them
 * are bounded; crossing a bound is an error that closes the link.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "any-error.h"
#include "protocol/any-reassembly.h"

typedef struct {
  AnyPacketType  type;
  GString       *text;
} Partial;

/* The table is made for the first split packet, and looked at only while
 * one is open: a whole packet (every heartbeat) touches nothing but this
 * struct, one cache line of a peer's state among thousands on a hub. */
struct _AnyReassembly {
  GHashTable *partials;          /* seq -> Partial; NULL: none yet */
  guint       open;              /* partials in it */
  gsize       buffered;          /* bytes in all partials */
  gsize       max_message_size;
  guint       max_partials;
};

static void
partial_free (gpointer data)
{
  Partial *partial = data;

  if (partial->text != NULL)
    g_string_free (partial->text, TRUE);
  g_free (partial);
}

AnyReassembly *
any_reassembly_new (gsize max_message_size,
                    guint max_partials)
{
  AnyReassembly *self = g_new0 (AnyReassembly, 1);

  self->max_message_size = max_message_size;
  self->max_partials = max_partials;
  return self;
}

void
any_reassembly_free (AnyReassembly *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->partials, g_hash_table_unref);
  g_free (self);
}

void
any_reassembly_clear (AnyReassembly *self)
{
  if (self->partials != NULL)
    g_hash_table_remove_all (self->partials);
  self->open = 0;
  self->buffered = 0;
}

guint
any_reassembly_get_partials (AnyReassembly *self)
{
  return self->open;
}

gsize
any_reassembly_get_buffered (AnyReassembly *self)
{
  return self->buffered;
}

/* Adds one chunk's (decrypted) body. When @chunk is the last of its packet,
 * *@whole is set: to the joined text if earlier chunks were held (the
 * caller owns it), or to %NULL when the packet was a single chunk and the
 * caller can use @body as it is (no copy on the common path). */
gboolean
any_reassembly_add (AnyReassembly   *self,
                    const AnyChunk  *chunk,
                    const guint8    *body,
                    gsize            body_len,
                    GString        **whole,
                    GError         **error)
{
  gpointer key = GINT_TO_POINTER (chunk->seq);
  Partial *partial = self->open > 0 ? g_hash_table_lookup (self->partials, key) : NULL;
  gsize held = partial ? partial->text->len : 0;

  *whole = NULL;

  if (held + body_len > self->max_message_size)
    {
      g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_MESSAGE_TOO_BIG,
                   "Message too big: seq %d exceeds %" G_GSIZE_FORMAT " bytes",
                   chunk->seq, self->max_message_size);
      return FALSE;
    }

  if (partial == NULL)
    {
      if (chunk->last)
        return TRUE;

      if (self->open >= self->max_partials)
        {
          g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROTOCOL,
                       "Too many unfinished messages (limit %u)", self->max_partials);
          return FALSE;
        }
      partial = g_new0 (Partial, 1);
      partial->type = chunk->type;
      partial->text = g_string_sized_new (body_len * 2);
      if (self->partials == NULL)
        self->partials = g_hash_table_new_full (NULL, NULL, NULL, partial_free);
      g_hash_table_insert (self->partials, key, partial);
      self->open++;
    }
  else if (partial->type != chunk->type)
    {
      g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROTOCOL,
                   "Chunk of seq %d changes packet type from %s to %s", chunk->seq,
                   any_packet_type_to_string (partial->type),
                   any_packet_type_to_string (chunk->type));
      return FALSE;
    }

  if (self->buffered + body_len > self->max_message_size)
    {
      g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_MESSAGE_TOO_BIG,
                   "Unfinished messages exceed %" G_GSIZE_FORMAT " bytes",
                   self->max_message_size);
      return FALSE;
    }

  g_string_append_len (partial->text, (const char *) body, body_len);
  self->buffered += body_len;

  if (chunk->last)
    {
      self->buffered -= partial->text->len;
      *whole = g_steal_pointer (&partial->text);
      g_hash_table_remove (self->partials, key);
      self->open--;
    }
  return TRUE;
}
