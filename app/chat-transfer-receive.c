/* chat-transfer-receive.c: the receiver's side of a file transfer
 *
 * An offer waits for the user; accepted, the file is created in the
 * download folder under its sanitised name (never over another), each
 * chunk is checked against the offer (in order, within the offered
 * size), written, hashed and acknowledged, and at the offered size the
 * SHA-256 decides: kept, or deleted and said.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <string.h>

#include "chat-transfer.h"
#include "chat-transfer-private.h"

void
chat_transfers_receive_offer (ChatTransfers *transfers,
                              const char    *peer_id,
                              JsonObject    *object,
                              const char    *id)
{
  ChatPeer *peer = chat_model_get_peer (transfers->model, peer_id);
  const char *name = json_object_get_string_member_with_default (object, "name", NULL);
  const char *sha256 = json_object_get_string_member_with_default (object, "sha256", NULL);
  gint64 size = json_object_get_int_member_with_default (object, "size", -1);
  const char *nick = peer != NULL ? peer->nick : peer_id;
  guint waiting = 0;
  Transfer *transfer;
  g_autofree char *max = NULL;

  if (chat_transfers_find_by_id (transfers, peer_id, id, FALSE) != NULL)
    return;   /* offered twice: the first stands */
  for (guint i = 0; i < transfers->list->len; i++)
    {
      Transfer *other = g_ptr_array_index (transfers->list, i);

      if (!other->outgoing && other->state == STATE_OFFERED && g_str_equal (other->peer_id, peer_id))
        waiting++;
    }
  if (name == NULL || sha256 == NULL || strlen (sha256) != SHA256_HEX || size < 0 ||
      strspn (sha256, "0123456789abcdef") != SHA256_HEX)
    {
      chat_transfers_send_cancel (transfers, peer_id, id, "bad offer");
      return;
    }
  /* an ignored peer is not told: its offer is rejected as by the user */
  if (peer != NULL && chat_model_is_ignored (transfers->model, peer->nick, peer->uid))
    {
      chat_transfers_send_to (transfers, peer_id, chat_transfer_message_new ("reject", id), NULL);
      return;
    }
  if (!transfers->link->is_protected (peer_id, transfers->link_data))
    {
      chat_transfers_send_cancel (transfers, peer_id, id, "refused: the link is not end-to-end encrypted");
      chat_model_notice (transfers->model, CHAT_LINE_WARNING,
                         _("%s offered a file over a link that is not end-to-end encrypted: refused"), nick);
      return;
    }
  if ((guint64) size > transfers->max_size)
    {
      g_autofree char *offered = chat_format_size (size);

      max = chat_format_size (transfers->max_size);
      chat_transfers_send_cancel (transfers, peer_id, id, "refused: larger than the receiver accepts");
      chat_model_notice (transfers->model, CHAT_LINE_INFO,
                         _("%s offered a file of %s, over your limit of %s (max-file-mib): refused"), nick, offered,
                         max);
      return;
    }
  if (waiting >= CHAT_FILE_MAX_OFFERS || transfers->list->len >= CHAT_FILE_MAX_TRANSFERS)
    {
      chat_transfers_send_cancel (transfers, peer_id, id, "refused: too many offers waiting");
      return;
    }
  transfer = g_new0 (Transfer, 1);
  transfer->owner = transfers;
  transfer->number = ++transfers->last_number;
  transfer->state = STATE_OFFERED;
  transfer->peer_id = g_strdup (peer_id);
  transfer->nick = g_strdup (nick);
  transfer->id = g_strdup (id);
  transfer->name = chat_file_name_sanitize (name);
  transfer->size = size;
  transfer->sha256 = g_strdup (sha256);
  g_ptr_array_add (transfers->list, transfer);
  chat_transfer_show_progress (transfer);
  if (chat_transfer_window (transfer) != chat_model_get_active (transfers->model))
    chat_model_notice (transfers->model, CHAT_LINE_INFO, _("%s offers %s: /accept %u or /reject %u"), nick,
                       transfer->name, transfer->number, transfer->number);
  transfers->model->bells++;
}

static void
finish_receiving (Transfer *transfer)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *how = NULL;

  if (!g_output_stream_close (transfer->out, NULL, &error))
    {
      chat_transfer_fail (transfer, "the receiver could not write the file", error->message);
      return;
    }
  if (!g_str_equal (g_checksum_get_string (transfer->checksum), transfer->sha256))
    {
      chat_transfer_fail (transfer, "SHA-256 mismatch", _("its SHA-256 is not the one offered"));
      return;
    }
  chat_transfers_send_to (transfer->owner, transfer->peer_id, chat_transfer_message_new ("ok", transfer->id), NULL);
  how = chat_transfer_dup_elapsed (transfer);
  chat_transfer_say (transfer, CHAT_LINE_EVENT, _("[%u] %s from %s saved as %s, SHA-256 verified (%s)"),
                     transfer->number, transfer->name, transfer->nick, g_file_peek_path (transfer->file), how);
  g_clear_object (&transfer->file);   /* kept */
  chat_transfer_remove (transfer);
}

void
chat_transfer_receive_chunk (Transfer   *transfer,
                             JsonObject *object)
{
  const char *data = json_object_get_string_member_with_default (object, "data", NULL);
  gint64 seq = json_object_get_int_member_with_default (object, "seq", -1);
  g_autofree guchar *bytes = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;
  JsonObject *ack;

  if (transfer->state != STATE_ACTIVE)
    {
      chat_transfer_fail (transfer, "data before the offer was accepted", _("it sent data before you accepted"));
      return;
    }
  if (data == NULL || seq != (gint64) transfer->next_seq || strlen (data) > (CHAT_FILE_CHUNK_BYTES / 3 + 1) * 4)
    {
      chat_transfer_fail (transfer, "bad chunk", _("it sent a bad chunk"));
      return;
    }
  bytes = g_base64_decode (data, &len);
  if (len > transfer->size - transfer->bytes)
    {
      chat_transfer_fail (transfer, "more bytes than offered", _("it sent more bytes than it offered"));
      return;
    }
  if (!g_output_stream_write_all (transfer->out, bytes, len, NULL, NULL, &error))
    {
      chat_transfer_fail (transfer, "the receiver could not write the file", error->message);
      return;
    }
  g_checksum_update (transfer->checksum, bytes, len);
  transfer->bytes += len;
  transfer->active_us = g_get_monotonic_time ();
  ack = chat_transfer_message_new ("ack", transfer->id);
  json_object_set_int_member (ack, "seq", seq);
  chat_transfers_send_to (transfer->owner, transfer->peer_id, ack, NULL);
  transfer->next_seq++;
  if (transfer->bytes == transfer->size)
    finish_receiving (transfer);
}

void
chat_transfer_receive_end (Transfer *transfer)
{
  g_autofree char *got = chat_format_size (transfer->bytes);
  g_autofree char *offered = chat_format_size (transfer->size);
  g_autofree char *why = g_strdup_printf (_("it stopped after %s of the %s it offered"), got, offered);

  /* with the offered size reached the file is done already */
  chat_transfer_fail (transfer, "fewer bytes than offered", why);
}

gboolean
chat_transfer_is_offer_to_us (Transfer *transfer)
{
  return !transfer->outgoing && transfer->state == STATE_OFFERED;
}

gboolean
chat_transfers_accept (ChatTransfers *transfers,
                       guint          number,
                       GError       **error)
{
  Transfer *transfer = chat_transfers_find_by_number (transfers, number, chat_transfer_is_offer_to_us, error);
  GFileOutputStream *out;
  GFile *file = NULL;
  g_autoptr(GError) local = NULL;

  if (transfer == NULL)
    return FALSE;
  if (transfer->outgoing || transfer->state != STATE_OFFERED)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Transfer %u is not an offer to you"),
                   transfer->number);
      return FALSE;
    }
  out = chat_file_create_unique (transfers->download_dir, transfer->name, &file, error);
  if (out == NULL)
    return FALSE;
  transfer->out = G_OUTPUT_STREAM (out);
  transfer->file = file;
  transfer->path = g_file_get_path (file);
  transfer->checksum = g_checksum_new (G_CHECKSUM_SHA256);
  chat_model_clear_notice (transfers->model, CHAT_LINE_INFO);   /* the offer's */
  if (!chat_transfers_send_to (transfers, transfer->peer_id, chat_transfer_message_new ("accept", transfer->id),
                               &local))
    {
      chat_transfer_fail (transfer, NULL, local->message);   /* said in its window */
      return TRUE;
    }
  chat_transfer_go_active (transfer);
  if (transfer->size == 0)
    finish_receiving (transfer);
  return TRUE;
}

gboolean
chat_transfers_reject (ChatTransfers *transfers,
                       guint          number,
                       GError       **error)
{
  Transfer *transfer = chat_transfers_find_by_number (transfers, number, chat_transfer_is_offer_to_us, error);

  if (transfer == NULL)
    return FALSE;
  if (!chat_transfer_is_offer_to_us (transfer))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Transfer %u is not an offer to you"),
                   transfer->number);
      return FALSE;
    }
  chat_transfers_send_to (transfers, transfer->peer_id, chat_transfer_message_new ("reject", transfer->id), NULL);
  chat_model_clear_notice (transfers->model, CHAT_LINE_INFO);   /* the offer's */
  chat_transfer_say (transfer, CHAT_LINE_INFO, _("[%u] %s from %s: rejected"), transfer->number, transfer->name,
                     transfer->nick);
  chat_transfer_remove (transfer);
  return TRUE;
}

