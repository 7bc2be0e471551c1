/* chat-mesh-history.c: the last room messages, for a newcomer
 *
 * Every node keeps, per room topic, the last HISTORY_KEEP room messages
 * it received as their authors signed them (any_mesh_dup_message_signed).
 * A node that joins a room (at start, or /join) asks a direct neighbour
 * once, end to end: {"chat": "history", "room": "#name"} (no "room": the
 * default room). The answer, {"chat": "history", "signed": [base64, ...]},
 * is checked again message by message (any_mesh_verify_signed): a
 * message whose signature fails, or that is of another topic, is
 * dropped; the others show between two lines that say it is history,
 * under their signers. A message already seen (its mid) is not shown
 * twice.
 *
 * Bounds: a node keeps at most HISTORY_KEEP messages and
 * HISTORY_KEEP_BYTES per room topic, for at most CHAT_MAX_ROOMS + 1
 * topics, and answers with what it keeps; it asks once per room (one
 * neighbour, HISTORY_TIMEOUT), reads at most HISTORY_KEEP entries of an
 * answer and none longer than a kept message can be.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "mesh/chat-mesh.h"
#include "mesh/chat-mesh-private.h"

#define HISTORY_KEEP       20
#define HISTORY_KEEP_BYTES (64 * 1024)
#define HISTORY_TIMEOUT    5000
/* base64 of a signed message with the longest text, with room to spare */
#define HISTORY_MAX_B64    (4 * (CHAT_MAX_TEXT_BYTES + 2048) / 3)

typedef struct {
  GQueue queue;
  gsize  bytes;
} Kept;

void
chat_mesh_history_keep (ChatMesh   *mesh,
                        const char *topic,
                        GBytes     *signed_msg)
{
  Kept *kept;

  if (signed_msg == NULL || g_bytes_get_size (signed_msg) > HISTORY_KEEP_BYTES)
    return;
  kept = g_hash_table_lookup (mesh->history, topic);
  if (kept == NULL)
    {
      if (g_hash_table_size (mesh->history) >= CHAT_MAX_ROOMS + 1)
        return;
      kept = g_new0 (Kept, 1);
      g_hash_table_insert (mesh->history, g_strdup (topic), kept);
    }
  g_queue_push_tail (&kept->queue, g_bytes_ref (signed_msg));
  kept->bytes += g_bytes_get_size (signed_msg);
  while (g_queue_get_length (&kept->queue) > HISTORY_KEEP || kept->bytes > HISTORY_KEEP_BYTES)
    {
      GBytes *old = g_queue_pop_head (&kept->queue);

      kept->bytes -= g_bytes_get_size (old);
      g_bytes_unref (old);
    }
}

/* The answer to {"chat": "history"}. */
JsonNode *
chat_mesh_history_answer (ChatMesh   *mesh,
                          JsonObject *ask)
{
  const char *room = chat_json_string_member (ask, "room");
  g_autofree char *normal = room != NULL ? chat_room_normalize (room) : NULL;
  g_autofree char *topic = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  Kept *kept;

  if (room != NULL && normal == NULL)
    return NULL;
  topic = chat_mesh_room_topic (normal);
  kept = g_hash_table_lookup (mesh->history, topic);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "chat");
  json_builder_add_string_value (builder, "history");
  json_builder_set_member_name (builder, "signed");
  json_builder_begin_array (builder);
  for (GList *l = kept != NULL ? kept->queue.head : NULL; l != NULL; l = l->next)
    {
      gsize len;
      const guint8 *data;
      g_autofree char *b64 = NULL;

      data = g_bytes_get_data (l->data, &len);
      b64 = g_base64_encode (data, len);
      json_builder_add_string_value (builder, b64);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

typedef struct {
  ChatMesh *mesh;
  char     *room;   /* nullable */
  char     *from;
} Asked;

static void
show_history (ChatMesh   *mesh,
              const char *room,
              const char *from,
              JsonArray  *list)
{
  ChatWindow *window = chat_model_find_room (mesh->model, room);
  g_autofree char *topic = chat_mesh_room_topic (room);
  guint shown = 0, refused = 0;

  if (window == NULL)
    return;
  for (guint i = 0; i < json_array_get_length (list) && i < HISTORY_KEEP; i++)
    {
      JsonNode *item = json_array_get_element (list, i);
      const char *b64 = JSON_NODE_HOLDS_VALUE (item) && json_node_get_value_type (item) == G_TYPE_STRING ?
                        json_node_get_string (item) : NULL;
      gsize len = 0;
      g_autofree guint8 *raw = b64 != NULL && strlen (b64) <= HISTORY_MAX_B64 ? g_base64_decode (b64, &len) : NULL;
      g_autoptr(GBytes) bytes = raw != NULL ? g_bytes_new (raw, len) : NULL;
      g_autofree char *signed_topic = NULL;
      g_autofree char *author = NULL;
      g_autofree char *fingerprint = NULL;
      g_autoptr(JsonNode) node = bytes != NULL ? any_mesh_verify_signed (bytes, &signed_topic, &author,
                                                                        &fingerprint, NULL) : NULL;
      g_autoptr(ChatMessage) msg = node != NULL ? chat_message_decode (node, NULL) : NULL;
      ChatPeer *peer;
      g_autofree char *label = NULL;
      g_autofree char *nick = NULL;

      if (msg == NULL || msg->kind != CHAT_KIND_ROOM || msg->mid == NULL || g_strcmp0 (signed_topic, topic) != 0 ||
          g_strcmp0 (msg->room, room) != 0)
        {
          refused++;
          continue;
        }
      if (g_str_equal (author, any_mesh_get_node_id (mesh->any)) || !chat_seen_add (mesh->seen, msg->mid))
        continue;
      if (shown++ == 0)
        chat_window_add_printf (mesh->model, window, CHAT_LINE_EVENT,
                                _("History from %s (each message signed by its author):"), from);
      peer = chat_mesh_node_peer (mesh, author, fingerprint, FALSE);
      nick = chat_nick_sanitize (msg->nick != NULL ? msg->nick : "");
      if (peer != NULL && !peer->said_hello && !msg->relayed && *nick != '\0')
        chat_mesh_peer_set_nick (mesh, peer, nick);   /* its signed words name it until its hello */
      if (peer != NULL)
        label = chat_model_peer_label (mesh->model, peer);
      else
        label = g_strdup_printf ("%s#%.4s", *nick != '\0' ? nick : "?", fingerprint);
      if (msg->relayed)
        {
          g_autofree char *via = g_steal_pointer (&label);

          label = g_strdup_printf (_("%s (via %s)"), *nick != '\0' ? nick : "?", via);
        }
      chat_window_add_said (mesh->model, window, chat_mesh_sane_time (msg->ts), CHAT_LINE_MESSAGE,
                            peer != NULL ? peer->id : author, label, msg->text, msg->action);
    }
  if (shown > 0)
    chat_window_add_printf (mesh->model, window, CHAT_LINE_EVENT, _("End of history"));
  if (refused > 0)
    chat_model_notice (mesh->model, CHAT_LINE_WARNING,
                       g_dngettext (GETTEXT_PACKAGE, "%u message of the history from %s was refused: altered, or not of this room",
                                    "%u messages of the history from %s were refused: altered, or not of this room",
                                    refused),
                       refused, from);
}

static void
on_history (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Asked *asked = user_data;
  g_autoptr(JsonNode) reply = any_mesh_request_finish (ANY_MESH (source), result, NULL);
  JsonObject *object = reply != NULL && JSON_NODE_HOLDS_OBJECT (reply) ? json_node_get_object (reply) : NULL;
  JsonNode *list = object != NULL ? json_object_get_member (object, "signed") : NULL;

  asked->mesh->in_flight--;
  if (!asked->mesh->stopping && list != NULL && JSON_NODE_HOLDS_ARRAY (list))
    show_history (asked->mesh, asked->room, asked->from, json_node_get_array (list));
  g_free (asked->room);
  g_free (asked->from);
  g_free (asked);
}

/* Each sync: the rooms we are in that no neighbour told us about yet. */
void
chat_mesh_history_ask (ChatMesh *mesh)
{
  ChatPeer *neighbour = NULL;
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, mesh->model->peers);
  while (neighbour == NULL && g_hash_table_iter_next (&iter, NULL, &value))
    {
      ChatPeer *peer = value;

      if (chat_peer_is_direct (peer) && peer->node_id != NULL && peer->said_hello && peer->hops == 1)
        neighbour = peer;
    }
  if (neighbour == NULL)
    return;
  for (guint i = 0; i < mesh->model->windows->len; i++)
    {
      ChatWindow *window = g_ptr_array_index (mesh->model->windows, i);
      g_autofree char *topic = NULL;
      g_autoptr(JsonObject) ask = NULL;
      g_autoptr(JsonNode) node = NULL;
      Asked *asked;

      if (i != 0 && window->room == NULL)
        continue;
      topic = chat_mesh_room_topic (window->room);
      if (g_hash_table_contains (mesh->history_asked, topic))
        continue;
      g_hash_table_add (mesh->history_asked, g_steal_pointer (&topic));
      ask = json_object_new ();
      json_object_set_string_member (ask, "chat", "history");
      if (window->room != NULL)
        json_object_set_string_member (ask, "room", window->room);
      node = json_node_init_object (json_node_alloc (), ask);
      asked = g_new0 (Asked, 1);
      asked->mesh = mesh;
      asked->room = g_strdup (window->room);
      asked->from = chat_model_peer_label (mesh->model, neighbour);
      mesh->in_flight++;
      any_mesh_request_async (mesh->any, neighbour->node_id, node, HISTORY_TIMEOUT, NULL, on_history, asked);
    }
}

static void
kept_free (gpointer data)
{
  Kept *kept = data;

  g_queue_clear_full (&kept->queue, (GDestroyNotify) g_bytes_unref);
  g_free (kept);
}

void
chat_mesh_history_init (ChatMesh *mesh)
{
  mesh->history = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, kept_free);
  mesh->history_asked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

void
chat_mesh_history_free (ChatMesh *mesh)
{
  g_clear_pointer (&mesh->history, g_hash_table_unref);
  g_clear_pointer (&mesh->history_asked, g_hash_table_unref);
}
