/* chat-transfer.c: the state of each file transfer
 *
 * The sender hashes the file (SHA-256, in a thread) and offers its name,
 * size and hash. The receiver's user accepts or rejects. Accepted, the
 * sender streams chunks (base64 in JSON, CHAT_FILE_CHUNK_BYTES each)
 * and keeps at most CHAT_FILE_WINDOW of them unacknowledged: memory
 * stays bounded whatever the file's size, and a slow receiver slows the
 * sender instead of filling the link's send buffer. The receiver
 * writes each chunk, hashes it and acknowledges it; with the offered
 * size reached it compares the hash, says "ok" or deletes the file.
 *
 * What the receiver takes from a sender is bounded by the offer it
 * accepted: a byte past the offered size, a chunk out of order or for
 * an offer not accepted, an "end" before the offered size, ends the
 * transfer with a reason sent back; the file written so far is
 * deleted. The chat beside it is untouched.
 *
 * Wire (JSON objects, English, with "file" the operation and "id" the
 * sender's transfer id): offer {name, size, sha256}, accept, reject,
 * chunk {seq, data}, ack {seq}, end, ok, cancel {reason}.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <string.h>

#include "chat-text.h"
#include "chat-transfer.h"
#include "chat-transfer-private.h"

static void transfer_free (Transfer *transfer);

ChatTransfers *
chat_transfers_new (ChatModel              *model,
                    const ChatTransferLink *link,
                    gpointer                link_data,
                    const char             *download_dir,
                    guint64                 max_size)
{
  ChatTransfers *transfers = g_new0 (ChatTransfers, 1);

  transfers->model = model;
  transfers->link = link;
  transfers->link_data = link_data;
  transfers->download_dir = g_strdup (download_dir);
  transfers->max_size = max_size;
  transfers->stall_seconds = CHAT_FILE_STALL_SECONDS;
  transfers->list = g_ptr_array_new_with_free_func ((GDestroyNotify) transfer_free);
  return transfers;
}

void
chat_transfers_set_stall_timeout (ChatTransfers *transfers,
                                  guint          seconds)
{
  transfers->stall_seconds = seconds;
}

const char *
chat_transfers_get_download_dir (ChatTransfers *transfers)
{
  return transfers->download_dir;
}

gboolean
chat_transfers_is_file_message (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) &&
         json_object_has_member (json_node_get_object (node), "file");
}

gboolean
chat_transfers_is_idle (ChatTransfers *transfers)
{
  return transfers->hashing == 0;
}

static void
transfer_free (Transfer *transfer)
{
  if (transfer->pending != NULL)
    {
      transfer->pending->transfers = NULL;
      transfer->owner->hashing--;
    }
  if (transfer->hashing != NULL)
    g_cancellable_cancel (transfer->hashing);
  g_clear_object (&transfer->hashing);
  g_clear_object (&transfer->in);
  g_clear_object (&transfer->out);
  g_clear_object (&transfer->file);
  g_clear_pointer (&transfer->checksum, g_checksum_free);
  g_free (transfer->peer_id);
  g_free (transfer->nick);
  g_free (transfer->id);
  g_free (transfer->name);
  g_free (transfer->path);
  g_free (transfer->sha256);
  g_free (transfer->line_mid);
  g_free (transfer);
}

/* ---- what the user sees ---- */

ChatWindow *
chat_transfer_window (Transfer *transfer)
{
  ChatModel *model = transfer->owner->model;
  ChatPeer *peer = chat_model_get_peer (model, transfer->peer_id);
  ChatWindow *window = peer != NULL ? chat_model_open_window (model, peer) :
                       chat_model_find_window (model, transfer->peer_id);

  return window != NULL ? window : chat_model_get_room (model);
}

/* A line in the peer's window (and a notice when it is not on screen). */
void
chat_transfer_say (Transfer     *transfer,
                   ChatLineKind  kind,
                   const char   *format,
                   ...)
{
  ChatModel *model = transfer->owner->model;
  ChatWindow *window = chat_transfer_window (transfer);
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  chat_window_add_line (model, window, g_get_real_time () / 1000, kind, NULL, text);
  if (window != chat_model_get_active (model))
    chat_model_notice (model, kind == CHAT_LINE_EVENT ? CHAT_LINE_INFO : kind, "%s", text);
}

char *
chat_transfer_describe (Transfer *transfer)
{
  g_autofree char *done = chat_format_size (transfer->bytes);
  g_autofree char *total = chat_format_size (transfer->size);
  double seconds = transfer->started_us != 0 ? (g_get_monotonic_time () - transfer->started_us) / 1e6 : 0;
  double rate = seconds > 0.05 ? transfer->bytes / seconds : 0;
  g_autofree char *rate_text = chat_format_size ((guint64) rate);
  guint percent = transfer->size > 0 ? (guint) (transfer->bytes * 100 / transfer->size) : 100;
  char bar[21];
  guint left = rate > 0 ? (guint) ((transfer->size - transfer->bytes) / rate) : 0;

  for (guint i = 0; i < 20; i++)
    bar[i] = i < percent / 5 ? '#' : '.';
  bar[20] = '\0';
  switch (transfer->state)
    {
    case STATE_HASHING:
      return g_strdup_printf (_("[%u] %s to %s: computing its SHA-256…"), transfer->number, transfer->name,
                              transfer->nick);
    case STATE_OFFERED:
      return g_strdup_printf (transfer->outgoing ? _("[%u] %s (%s) offered to %s: waiting for them to accept") :
                                                   _("[%u] %s (%s) offered by %s: /accept %u or /reject %u"),
                              transfer->number, transfer->name, total, transfer->nick, transfer->number,
                              transfer->number);
    case STATE_ACTIVE:
      return g_strdup_printf (transfer->outgoing ? _("[%u] %s to %s: %3u%% [%s] %s of %s, %s/s, %u:%02u left") :
                                                   _("[%u] %s from %s: %3u%% [%s] %s of %s, %s/s, %u:%02u left"),
                              transfer->number, transfer->name, transfer->nick, percent, bar, done, total,
                              rate_text, left / 60, left % 60);
    case STATE_VERIFYING:
      return g_strdup_printf (_("[%u] %s to %s: all sent, %s is checking its SHA-256"), transfer->number,
                              transfer->name, transfer->nick, transfer->nick);
    }
  g_return_val_if_reached (NULL);
}

/* The one line per transfer that shows its state and progress, changed
 * in place (an info line: not written to the log). */
void
chat_transfer_show_progress (Transfer *transfer)
{
  ChatModel *model = transfer->owner->model;
  ChatWindow *window = chat_transfer_window (transfer);
  ChatLine *line = transfer->line_mid != NULL ? chat_window_find_line (window, transfer->line_mid) : NULL;
  g_autofree char *text = chat_transfer_describe (transfer);

  if (line == NULL)
    {
      line = chat_window_add_line (model, window, g_get_real_time () / 1000, CHAT_LINE_INFO, NULL, text);
      g_free (transfer->line_mid);
      transfer->line_mid = g_strdup_printf ("file:%s:%u", transfer->id, transfer->number);
      line->mid = g_strdup (transfer->line_mid);
      return;
    }
  g_free (line->text);
  line->text = g_steal_pointer (&text);
  chat_model_changed (model);
}

GPtrArray *
chat_transfers_dup_numbers (ChatTransfers *transfers,
                            gboolean       offers_only)
{
  GPtrArray *numbers = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < transfers->list->len; i++)
    {
      Transfer *transfer = g_ptr_array_index (transfers->list, i);

      if (!offers_only || chat_transfer_is_offer_to_us (transfer))
        g_ptr_array_add (numbers, g_strdup_printf ("%u", transfer->number));
    }
  return numbers;
}

GPtrArray *
chat_transfers_describe (ChatTransfers *transfers)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < transfers->list->len; i++)
    g_ptr_array_add (lines, chat_transfer_describe (g_ptr_array_index (transfers->list, i)));
  return lines;
}

/* ---- the wire ---- */

JsonObject *
chat_transfer_message_new (const char *op,
                           const char *id)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "file", op);
  json_object_set_string_member (object, "id", id);
  return object;
}

/* Takes @object. */
gboolean
chat_transfers_send_to (ChatTransfers *transfers,
                        const char    *peer_id,
                        JsonObject    *object,
                        GError       **error)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, object);
  return transfers->link->send (peer_id, node, transfers->link_data, error);
}

void
chat_transfers_send_cancel (ChatTransfers *transfers,
                            const char    *peer_id,
                            const char    *id,
                            const char    *reason)
{
  JsonObject *object = chat_transfer_message_new ("cancel", id);

  json_object_set_string_member (object, "reason", reason);
  chat_transfers_send_to (transfers, peer_id, object, NULL);
}

/* ---- ending ---- */

static void stop_tick_if_quiet (ChatTransfers *transfers);

void
chat_transfer_remove (Transfer *transfer)
{
  ChatTransfers *transfers = transfer->owner;
  ChatWindow *window = chat_transfer_window (transfer);
  ChatLine *line = transfer->line_mid != NULL ? chat_window_find_line (window, transfer->line_mid) : NULL;

  /* the progress line gives way to the outcome's line */
  if (line != NULL)
    {
      guint index = 0;

      if (g_ptr_array_find (window->lines, line, &index) && window->found > index)
        window->found--;
      g_ptr_array_remove_index (window->lines, index);
    }
  if (transfer->out != NULL)
    g_output_stream_close (transfer->out, NULL, NULL);
  if (transfer->in != NULL)
    g_input_stream_close (transfer->in, NULL, NULL);
  g_ptr_array_remove (transfers->list, transfer);
  stop_tick_if_quiet (transfers);
  chat_model_changed (transfers->model);
}

/* Ends @transfer: @reason (English) goes to the peer unless NULL, and
 * what was received so far is deleted. */
void
chat_transfer_fail (Transfer   *transfer,
                    const char *reason,
                    const char *local_reason)
{
  if (reason != NULL)
    chat_transfers_send_cancel (transfer->owner, transfer->peer_id, transfer->id, reason);
  if (!transfer->outgoing && transfer->file != NULL)
    {
      if (transfer->out != NULL)
        g_output_stream_close (transfer->out, NULL, NULL);
      g_file_delete (transfer->file, NULL, NULL);
      chat_transfer_say (transfer, CHAT_LINE_ERROR, _("[%u] %s from %s failed: %s (the partial file is deleted)"),
                         transfer->number, transfer->name, transfer->nick, local_reason);
    }
  else
    chat_transfer_say (transfer, CHAT_LINE_ERROR, transfer->outgoing ? _("[%u] %s to %s failed: %s") :
                       _("[%u] %s from %s failed: %s"),
                       transfer->number, transfer->name, transfer->nick, local_reason);
  chat_transfer_remove (transfer);
}

char *
chat_transfer_dup_elapsed (Transfer *transfer)
{
  double seconds = MAX ((g_get_monotonic_time () - transfer->started_us) / 1e6, 0.001);
  g_autofree char *size = chat_format_size (transfer->size);
  g_autofree char *rate = chat_format_size ((guint64) (transfer->size / seconds));

  return g_strdup_printf (_("%s in %.1f s, %s/s"), size, seconds, rate);
}

/* ---- the clock: progress lines and stalls ---- */

static gboolean
on_tick (gpointer user_data)
{
  ChatTransfers *transfers = user_data;
  gint64 now = g_get_monotonic_time ();

  for (guint i = transfers->list->len; i > 0; i--)
    {
      Transfer *transfer = g_ptr_array_index (transfers->list, i - 1);

      if (transfer->state != STATE_ACTIVE && transfer->state != STATE_VERIFYING)
        continue;
      if (now - transfer->active_us > (gint64) transfers->stall_seconds * G_USEC_PER_SEC)
        chat_transfer_fail (transfer, "no progress for too long", _("no progress for too long"));
      else if (transfer->state == STATE_ACTIVE)
        chat_transfer_show_progress (transfer);
    }
  return G_SOURCE_CONTINUE;
}

static void
start_tick (ChatTransfers *transfers)
{
  if (transfers->tick == 0)
    transfers->tick = g_timeout_add (TICK_MS, on_tick, transfers);
}

static void
stop_tick_if_quiet (ChatTransfers *transfers)
{
  for (guint i = 0; i < transfers->list->len; i++)
    {
      Transfer *transfer = g_ptr_array_index (transfers->list, i);

      if (transfer->state == STATE_ACTIVE || transfer->state == STATE_VERIFYING)
        return;
    }
  if (transfers->tick != 0)
    g_source_remove (transfers->tick);
  transfers->tick = 0;
}

void
chat_transfer_go_active (Transfer *transfer)
{
  transfer->state = STATE_ACTIVE;
  transfer->started_us = transfer->active_us = g_get_monotonic_time ();
  start_tick (transfer->owner);
  chat_transfer_show_progress (transfer);
}

/* ---- finding ---- */

Transfer *
chat_transfers_find_by_id (ChatTransfers *transfers,
                           const char    *peer_id,
                           const char    *id,
                           gboolean       outgoing)
{
  for (guint i = 0; i < transfers->list->len; i++)
    {
      Transfer *transfer = g_ptr_array_index (transfers->list, i);

      if (transfer->outgoing == outgoing && g_str_equal (transfer->peer_id, peer_id) &&
          g_str_equal (transfer->id, id))
        return transfer;
    }
  return NULL;
}

/* @number, or with 0 the newest transfer that @wanted accepts. */
Transfer *
chat_transfers_find_by_number (ChatTransfers *transfers,
                               guint          number,
                               gboolean     (*wanted) (Transfer *transfer),
                               GError       **error)
{
  for (guint i = transfers->list->len; i > 0; i--)
    {
      Transfer *transfer = g_ptr_array_index (transfers->list, i - 1);

      if (number != 0 ? transfer->number == number : wanted (transfer))
        return transfer;
    }
  if (number != 0)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("No transfer %u (/transfers lists them)"), number);
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("No transfer to act on (/transfers lists them)"));
  return NULL;
}

static gboolean
is_any (Transfer *transfer)
{
  return TRUE;
}

gboolean
chat_transfers_cancel (ChatTransfers *transfers,
                       guint          number,
                       GError       **error)
{
  Transfer *transfer;

  if (number == 0 && transfers->list->len > 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("%u transfers: say which (/transfers lists them)"), transfers->list->len);
      return FALSE;
    }
  transfer = chat_transfers_find_by_number (transfers, number, is_any, error);
  if (transfer == NULL)
    return FALSE;
  chat_transfer_fail (transfer, transfer->state == STATE_HASHING ? NULL : "cancelled by the user",
                      _("cancelled by you"));
  return TRUE;
}

/* Every message but an offer is about a transfer we know: which side
 * it comes from says which of ours. */
void
chat_transfers_receive (ChatTransfers *transfers,
                        const char    *peer_id,
                        JsonNode      *msg)
{
  JsonObject *object = json_node_get_object (msg);
  const char *op = json_object_get_string_member_with_default (object, "file", NULL);
  const char *id = json_object_get_string_member_with_default (object, "id", NULL);
  Transfer *transfer;
  gboolean to_sender;

  if (op == NULL || id == NULL || *id == '\0' || strlen (id) > MAX_ID_BYTES)
    return;
  if (g_str_equal (op, "offer"))
    {
      chat_transfers_receive_offer (transfers, peer_id, object, id);
      return;
    }
  /* what a receiver says to the sender */
  to_sender = g_str_equal (op, "accept") || g_str_equal (op, "reject") || g_str_equal (op, "ack") ||
              g_str_equal (op, "ok");
  transfer = chat_transfers_find_by_id (transfers, peer_id, id, to_sender);
  if (transfer == NULL && g_str_equal (op, "cancel"))
    transfer = chat_transfers_find_by_id (transfers, peer_id, id, !to_sender);
  if (transfer == NULL)
    {
      /* a chunk or an answer for a transfer that is over, or never
       * was: refused with a reason, but not what only answers or ends
       * one (an "end" follows the last chunk, after the receiver is
       * done; a reply to a cancel would loop) */
      if (!g_str_equal (op, "cancel") && !g_str_equal (op, "ack") && !g_str_equal (op, "ok") &&
          !g_str_equal (op, "end"))
        chat_transfers_send_cancel (transfers, peer_id, id, "unknown transfer");
      return;
    }
  if (g_str_equal (op, "cancel"))
    {
      g_autofree char *reason = chat_text_sanitize (json_object_get_string_member_with_default (object, "reason",
                                                                                              "?"), MAX_REASON);
      g_autofree char *why = g_strdup_printf (_("%s cancelled it (%s)"), transfer->nick, reason);

      chat_transfer_fail (transfer, NULL, why);
    }
  else if (g_str_equal (op, "accept") && transfer->state == STATE_OFFERED)
    {
      transfer->state = STATE_ACTIVE;
      chat_transfer_start_sending (transfer);
    }
  else if (g_str_equal (op, "reject") && transfer->state == STATE_OFFERED)
    {
      chat_transfer_say (transfer, CHAT_LINE_INFO, _("[%u] %s: %s rejected it"), transfer->number, transfer->name,
                         transfer->nick);
      chat_transfer_remove (transfer);
    }
  else if (g_str_equal (op, "ack"))
    chat_transfer_receive_ack (transfer, json_object_get_int_member_with_default (object, "seq", -1));
  else if (g_str_equal (op, "ok"))
    chat_transfer_receive_ok (transfer);
  else if (g_str_equal (op, "chunk"))
    chat_transfer_receive_chunk (transfer, object);
  else if (g_str_equal (op, "end") && transfer->state == STATE_ACTIVE)
    chat_transfer_receive_end (transfer);
  else
    chat_transfer_fail (transfer, "unexpected message", _("it broke the protocol"));
}

void
chat_transfers_peer_gone (ChatTransfers *transfers,
                          const char    *peer_id)
{
  for (guint i = transfers->list->len; i > 0; i--)
    {
      Transfer *transfer = g_ptr_array_index (transfers->list, i - 1);

      if (i - 1 < transfers->list->len && g_str_equal (transfer->peer_id, peer_id))
        chat_transfer_fail (transfer, NULL, _("the link is gone"));
    }
}

void
chat_transfers_free (ChatTransfers *transfers)
{
  if (transfers == NULL)
    return;
  /* a partial file is not left behind */
  for (guint i = 0; i < transfers->list->len; i++)
    {
      Transfer *transfer = g_ptr_array_index (transfers->list, i);

      if (!transfer->outgoing && transfer->file != NULL)
        {
          if (transfer->out != NULL)
            g_output_stream_close (transfer->out, NULL, NULL);
          g_file_delete (transfer->file, NULL, NULL);
        }
    }
  if (transfers->tick != 0)
    g_source_remove (transfers->tick);
  g_ptr_array_unref (transfers->list);
  g_free (transfers->download_dir);
  g_free (transfers);
}
