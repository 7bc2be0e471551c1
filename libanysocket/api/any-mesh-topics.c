/* any-mesh-topics.c: AnyMesh's topics: subscribing and publishing
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "any-error.h"
#include "api/any-mesh-private.h"

/**
 * any_mesh_subscribe:
 * @self: an [class@AnySocket.Mesh]
 * @topic: a topic (1 to 255 bytes of UTF-8)
 *
 * Delivers the messages published on @topic through
 * [signal@AnySocket.Mesh::message]. Subscriptions are counted: each
 * call needs its [method@AnySocket.Mesh.unsubscribe]. Every node relays
 * every topic, subscribed or not.
 *
 * Since: 0.2
 */
void
any_mesh_subscribe (AnyMesh    *self,
                    const char *topic)
{
  guint count;

  g_return_if_fail (ANY_IS_MESH (self));
  g_return_if_fail (topic != NULL && topic[0] != '\0');
  count = GPOINTER_TO_UINT (g_hash_table_lookup (self->subscriptions, topic));
  g_hash_table_replace (self->subscriptions, g_strdup (topic), GUINT_TO_POINTER (count + 1));
}

/**
 * any_mesh_unsubscribe:
 * @self: an [class@AnySocket.Mesh]
 * @topic: a topic given to [method@AnySocket.Mesh.subscribe]
 *
 * Undoes one [method@AnySocket.Mesh.subscribe].
 *
 * Since: 0.2
 */
void
any_mesh_unsubscribe (AnyMesh    *self,
                      const char *topic)
{
  guint count;

  g_return_if_fail (ANY_IS_MESH (self));
  g_return_if_fail (topic != NULL);
  count = GPOINTER_TO_UINT (g_hash_table_lookup (self->subscriptions, topic));
  if (count <= 1)
    g_hash_table_remove (self->subscriptions, topic);
  else
    g_hash_table_replace (self->subscriptions, g_strdup (topic), GUINT_TO_POINTER (count - 1));
}

/**
 * any_mesh_publish:
 * @self: an [class@AnySocket.Mesh]
 * @topic: a topic (1 to 255 bytes of UTF-8)
 * @msg: the message, any JSON value
 * @error: return location for a #GError
 *
 * Signs @msg with this node's key and sends it to the whole connected
 * mesh: every node subscribed to @topic gets it once, through
 * [signal@AnySocket.Mesh::message], with this node as its author. The
 * author does not get its own message. Messages of one author can arrive
 * out of order.
 *
 * Returns: %TRUE if it was sent; %FALSE with %ANY_SOCKET_ERROR_MESSAGE_TOO_BIG
 *   when the signed packet is over [property@AnySocket.Mesh:max-message-size],
 *   or %ANY_SOCKET_ERROR_INVALID_ARGUMENT for a bad topic
 * Since: 0.2
 */
gboolean
any_mesh_publish (AnyMesh     *self,
                  const char  *topic,
                  JsonNode    *msg,
                  GError     **error)
{
  g_autofree char *text = NULL;
  gsize len;

  g_return_val_if_fail (ANY_IS_MESH (self), FALSE);
  g_return_val_if_fail (topic != NULL, FALSE);
  g_return_val_if_fail (msg != NULL, FALSE);
  if (topic[0] == '\0' || strlen (topic) > ANY_MESH_MAX_TOPIC_LEN || !g_utf8_validate (topic, -1, NULL))
    {
      g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT,
                   _("A topic is 1 to %d bytes of UTF-8"), ANY_MESH_MAX_TOPIC_LEN);
      return FALSE;
    }
  text = json_to_string (msg, FALSE);
  len = strlen (text);
  if (!any_mesh_core_publish (self->core, topic, (const guint8 *) text, len, _any_mesh_now_ms ()))
    {
      g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_MESSAGE_TOO_BIG,
                   _("The message is over the mesh's max-message-size"));
      return FALSE;
    }
  return TRUE;
}

