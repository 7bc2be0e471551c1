/* chat-mesh-outbox.c: private messages to a node that is offline
 *
 * A line typed in the window of a peer whose node is not reachable now
 * is kept in outbox.json in the data folder, marked (queued), and sent
 * end to end when its node is reachable again: after either side
 * restarted, since a node id stays with the identity. Delivered, it
 * leaves the file; a message is never dropped without a line saying so.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>

#include "mesh/chat-mesh.h"
#include "mesh/chat-mesh-private.h"

#define MAX_QUEUED 1000   /* messages kept, all nodes together */

typedef struct {
  char    *node_id;
  char    *nick;
  char    *mid;
  char    *text;
  gboolean action;
  gint64   ts;
  gboolean sending;
} Queued;

static void
queued_free (gpointer data)
{
  Queued *q = data;

  g_free (q->node_id);
  g_free (q->nick);
  g_free (q->mid);
  g_free (q->text);
  g_free (q);
}

static char *
outbox_path (ChatMesh *mesh)
{
  return g_build_filename (mesh->config->data_dir, "outbox.json", NULL);
}

static void
save (ChatMesh *mesh)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  g_autofree char *path = outbox_path (mesh);
  g_autoptr(GError) error = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; i < mesh->outbox_queue->len; i++)
    {
      Queued *q = g_ptr_array_index (mesh->outbox_queue, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "node");
      json_builder_add_string_value (builder, q->node_id);
      json_builder_set_member_name (builder, "nick");
      json_builder_add_string_value (builder, q->nick);
      json_builder_set_member_name (builder, "mid");
      json_builder_add_string_value (builder, q->mid);
      json_builder_set_member_name (builder, "text");
      json_builder_add_string_value (builder, q->text);
      json_builder_set_member_name (builder, "me");
      json_builder_add_boolean_value (builder, q->action);
      json_builder_set_member_name (builder, "ts");
      json_builder_add_int_value (builder, q->ts);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, TRUE);
  if (g_mkdir_with_parents (mesh->config->data_dir, 0700) != 0 ||
      !g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    chat_model_notice (mesh->model, CHAT_LINE_ERROR, _("The queued private messages are not saved: %s"),
                       error != NULL ? error->message : g_strerror (errno));
}

static void
load (ChatMesh *mesh)
{
  g_autofree char *path = outbox_path (mesh);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonArray *array;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return;
  if (!json_parser_load_from_file (parser, path, NULL) || (root = json_parser_get_root (parser)) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (root))
    {
      chat_model_notice (mesh->model, CHAT_LINE_ERROR, _("%s is not a list of queued messages: kept, not read"),
                         path);
      return;
    }
  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array) && mesh->outbox_queue->len < MAX_QUEUED; i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);
      const char *node = object != NULL ? chat_json_string_member (object, "node") : NULL;
      const char *mid = object != NULL ? chat_json_string_member (object, "mid") : NULL;
      const char *text = object != NULL ? chat_json_string_member (object, "text") : NULL;
      const char *nick = object != NULL ? chat_json_string_member (object, "nick") : NULL;
      Queued *q;

      if (node == NULL || mid == NULL || text == NULL)
        continue;
      q = g_new0 (Queued, 1);
      q->node_id = g_strdup (node);
      q->nick = g_strdup (nick != NULL ? nick : node);
      q->mid = g_strdup (mid);
      q->text = g_strdup (text);
      q->action = json_object_get_boolean_member_with_default (object, "me", FALSE);
      q->ts = json_object_get_int_member_with_default (object, "ts", chat_mesh_now_ms ());
      g_ptr_array_add (mesh->outbox_queue, q);
    }
  if (mesh->outbox_queue->len > 0)
    chat_model_notice (mesh->model, CHAT_LINE_INFO,
                       g_dngettext (GETTEXT_PACKAGE, "%u private message waits for its peer to come back",
                                    "%u private messages wait for their peers to come back",
                                    mesh->outbox_queue->len),
                       mesh->outbox_queue->len);
}

/* @window's peer is gone: the line is kept for its node. FALSE when the
 * window has no node to wait for (a bot, an older anychat). */
gboolean
chat_mesh_queue_private (ChatMesh   *mesh,
                         ChatWindow *window,
                         const char *text,
                         gboolean    action)
{
  Queued *q;
  ChatLine *line;

  if (window->node_id == NULL)
    return FALSE;
  if (mesh->outbox_queue->len >= MAX_QUEUED)
    {
      chat_model_notice (mesh->model, CHAT_LINE_ERROR,
                         _("Not queued: %u private messages already wait for their peers"), MAX_QUEUED);
      return TRUE;
    }
  q = g_new0 (Queued, 1);
  q->node_id = g_strdup (window->node_id);
  q->nick = g_strdup (window->name);
  q->mid = chat_message_new_mid ();
  q->text = g_strdup (text);
  q->action = action;
  q->ts = chat_mesh_now_ms ();
  g_ptr_array_add (mesh->outbox_queue, q);
  line = chat_window_add_said (mesh->model, window, q->ts, CHAT_LINE_OWN, NULL, mesh->model->own_nick, text,
                               action);
  line->mid = g_strdup (q->mid);
  line->delivery = CHAT_DELIVERY_QUEUED;
  save (mesh);
  return TRUE;
}

static Queued *
find_queued (ChatMesh   *mesh,
             const char *mid,
             guint      *index)
{
  for (guint i = 0; i < mesh->outbox_queue->len; i++)
    {
      Queued *q = g_ptr_array_index (mesh->outbox_queue, i);

      if (g_str_equal (q->mid, mid))
        {
          *index = i;
          return q;
        }
    }
  return NULL;
}

/* Called back by the request of chat-mesh-nodes.c. */
void
chat_mesh_outbox_done (ChatMesh   *mesh,
                       const char *mid,
                       gboolean    delivered)
{
  guint index;
  Queued *q = find_queued (mesh, mid, &index);

  if (q == NULL)
    return;
  q->sending = FALSE;
  if (!delivered)
    return;   /* tried again at the next sync while its node is here */
  chat_model_event (mesh->model, _("Queued private message delivered to %s: %s"), q->nick, q->text);
  g_ptr_array_remove_index (mesh->outbox_queue, index);
  save (mesh);
}

/* Every sync: the queued messages whose node is reachable go. */
void
chat_mesh_outbox_flush (ChatMesh *mesh)
{
  for (guint i = 0; i < mesh->outbox_queue->len; i++)
    {
      Queued *q = g_ptr_array_index (mesh->outbox_queue, i);
      ChatPeer *peer;
      g_autoptr(ChatMessage) msg = NULL;

      if (q->sending || (peer = chat_mesh_node_peer (mesh, q->node_id, NULL, FALSE)) == NULL || !peer->said_hello)
        continue;
      msg = chat_message_new (CHAT_KIND_PRIVATE);
      msg->mid = g_strdup (q->mid);
      msg->nick = g_strdup (mesh->model->own_nick);
      msg->text = g_strdup (q->text);
      msg->action = q->action;
      msg->ts = q->ts;
      q->sending = chat_mesh_send_to_node (mesh, peer, msg);
    }
}

void
chat_mesh_outbox_init (ChatMesh *mesh)
{
  mesh->outbox_queue = g_ptr_array_new_with_free_func (queued_free);
  load (mesh);
}

void
chat_mesh_outbox_free (ChatMesh *mesh)
{
  g_clear_pointer (&mesh->outbox_queue, g_ptr_array_unref);
}
