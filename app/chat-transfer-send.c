/* chat-transfer-send.c: the sender's side of a file transfer
 *
 * /send hashes the file in a thread and offers it; accepted, chunks go
 * out while fewer than CHAT_FILE_WINDOW wait for their acknowledgement,
 * so one chunk buffer and a bounded queue is all the memory a file of
 * any size takes.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "chat-transfer.h"
#include "chat-transfer-private.h"

static void
pump (Transfer *transfer)
{
  ChatTransfers *transfers = transfer->owner;
  g_autofree guchar *buffer = NULL;

  while (transfer->state == STATE_ACTIVE && transfer->next_seq - transfer->acked < CHAT_FILE_WINDOW &&
         transfer->bytes < transfer->size)
    {
      gsize want = MIN (CHAT_FILE_CHUNK_BYTES, transfer->size - transfer->bytes);
      gsize got = 0;
      g_autoptr(GError) error = NULL;
      g_autofree char *encoded = NULL;
      JsonObject *chunk;

      if (buffer == NULL)
        buffer = g_malloc (CHAT_FILE_CHUNK_BYTES);
      if (!g_input_stream_read_all (transfer->in, buffer, want, &got, NULL, &error) || got == 0)
        {
          g_autofree char *why = error != NULL ? g_strdup (error->message) : g_strdup (_("the file got shorter"));

          chat_transfer_fail (transfer, "the sender could not read the file", why);
          return;
        }
      chunk = chat_transfer_message_new ("chunk", transfer->id);
      json_object_set_int_member (chunk, "seq", (gint64) transfer->next_seq);
      encoded = g_base64_encode (buffer, got);
      json_object_set_string_member (chunk, "data", encoded);
      if (!chat_transfers_send_to (transfers, transfer->peer_id, chunk, &error))
        {
          chat_transfer_fail (transfer, NULL, error->message);
          return;
        }
      transfer->next_seq++;
      transfer->bytes += got;
    }
  if (transfer->state == STATE_ACTIVE && transfer->bytes >= transfer->size && transfer->acked == transfer->next_seq)
    {
      chat_transfers_send_to (transfers, transfer->peer_id, chat_transfer_message_new ("end", transfer->id), NULL);
      transfer->state = STATE_VERIFYING;
      transfer->active_us = g_get_monotonic_time ();
      chat_transfer_show_progress (transfer);
    }
}

void
chat_transfer_start_sending (Transfer *transfer)
{
  g_autoptr(GFile) file = g_file_new_for_path (transfer->path);
  g_autoptr(GError) error = NULL;
  GFileInputStream *in = g_file_read (file, NULL, &error);

  if (in == NULL)
    {
      chat_transfer_fail (transfer, "the sender could not open the file", error->message);
      return;
    }
  transfer->in = G_INPUT_STREAM (in);
  chat_transfer_go_active (transfer);
  pump (transfer);
}

typedef struct {
  char   *sha256;
  guint64 size;
} Hashed;

static void
hashed_free (Hashed *hashed)
{
  g_free (hashed->sha256);
  g_free (hashed);
}

static void
hash_in_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  const char *path = task_data;
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInputStream) in = g_file_read (file, cancellable, &error);
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guchar *buffer = g_malloc (CHAT_FILE_CHUNK_BYTES);
  Hashed *hashed = g_new0 (Hashed, 1);
  gssize got;

  while (in != NULL && (got = g_input_stream_read (G_INPUT_STREAM (in), buffer, CHAT_FILE_CHUNK_BYTES,
                                                   cancellable, &error)) > 0)
    {
      g_checksum_update (checksum, buffer, got);
      hashed->size += got;
    }
  if (error != NULL)
    {
      hashed_free (hashed);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  hashed->sha256 = g_strdup (g_checksum_get_string (checksum));
  g_task_return_pointer (task, hashed, (GDestroyNotify) hashed_free);
}

static void
on_hashed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Pending *pending = user_data;
  ChatTransfers *transfers = pending->transfers;
  g_autoptr(GError) error = NULL;
  Hashed *hashed = g_task_propagate_pointer (G_TASK (result), &error);
  Transfer *transfer = NULL;
  JsonObject *offer;

  for (guint i = 0; transfers != NULL && i < transfers->list->len; i++)
    if (((Transfer *) g_ptr_array_index (transfers->list, i))->number == pending->number)
      transfer = g_ptr_array_index (transfers->list, i);
  g_free (pending);
  if (transfer == NULL)   /* cancelled meanwhile */
    {
      g_clear_pointer (&hashed, hashed_free);
      return;
    }
  transfers->hashing--;
  transfer->pending = NULL;
  g_clear_object (&transfer->hashing);
  if (hashed == NULL)
    {
      chat_transfer_fail (transfer, NULL, error->message);
      return;
    }
  transfer->size = hashed->size;
  transfer->sha256 = g_steal_pointer (&hashed->sha256);
  hashed_free (hashed);
  offer = chat_transfer_message_new ("offer", transfer->id);
  json_object_set_string_member (offer, "name", transfer->name);
  json_object_set_int_member (offer, "size", (gint64) transfer->size);
  json_object_set_string_member (offer, "sha256", transfer->sha256);
  if (!chat_transfers_send_to (transfers, transfer->peer_id, offer, &error))
    {
      chat_transfer_fail (transfer, NULL, error->message);
      return;
    }
  transfer->state = STATE_OFFERED;
  chat_transfer_show_progress (transfer);
}

gboolean
chat_transfers_offer (ChatTransfers *transfers,
                      ChatPeer      *peer,
                      const char    *path,
                      GError       **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GTask) task = NULL;
  Transfer *transfer;
  Pending *pending;
  g_autofree char *base = NULL;

  if (!transfers->link->is_protected (peer->id, transfers->link_data))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   _("files go only over end-to-end encrypted links, and %s's is not (/e2e %s first)"), peer->nick,
                   peer->nick);
      return FALSE;
    }
  if (transfers->list->len >= CHAT_FILE_MAX_TRANSFERS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY, _("%u transfers at once already"), CHAT_FILE_MAX_TRANSFERS);
      return FALSE;
    }
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_TYPE, G_FILE_QUERY_INFO_NONE, NULL, error);
  if (info == NULL)
    return FALSE;
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE, _("%s is not a regular file"), path);
      return FALSE;
    }
  transfer = g_new0 (Transfer, 1);
  transfer->owner = transfers;
  transfer->number = ++transfers->last_number;
  transfer->outgoing = TRUE;
  transfer->state = STATE_HASHING;
  transfer->peer_id = g_strdup (peer->id);
  transfer->nick = g_strdup (peer->nick);
  transfer->id = g_strdup_printf ("%08x%08x%08x%08x", g_random_int (), g_random_int (), g_random_int (),
                                  g_random_int ());
  base = g_file_get_basename (file);
  transfer->name = chat_file_name_sanitize (base);
  transfer->path = g_strdup (path);
  transfer->hashing = g_cancellable_new ();
  g_ptr_array_add (transfers->list, transfer);
  chat_transfer_show_progress (transfer);

  pending = g_new0 (Pending, 1);
  pending->transfers = transfers;
  pending->number = transfer->number;
  transfers->hashing++;
  transfer->pending = pending;
  task = g_task_new (NULL, transfer->hashing, on_hashed, pending);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, hash_in_thread);
  return TRUE;
}

void
chat_transfer_receive_ack (Transfer *transfer,
                           gint64    seq)
{
  if (transfer->state != STATE_ACTIVE || seq != (gint64) transfer->acked || transfer->acked >= transfer->next_seq)
    {
      chat_transfer_fail (transfer, "acknowledged a chunk not sent", _("the receiver broke the protocol"));
      return;
    }
  transfer->acked++;
  transfer->active_us = g_get_monotonic_time ();
  pump (transfer);
}

void
chat_transfer_receive_ok (Transfer *transfer)
{
  g_autofree char *how = NULL;

  if (transfer->state != STATE_VERIFYING)
    {
      chat_transfer_fail (transfer, "\"ok\" before the end", _("the receiver broke the protocol"));
      return;
    }
  how = chat_transfer_dup_elapsed (transfer);
  chat_transfer_say (transfer, CHAT_LINE_EVENT, _("[%u] %s sent to %s, SHA-256 verified by them (%s)"),
                     transfer->number, transfer->name, transfer->nick, how);
  chat_transfer_remove (transfer);
}

