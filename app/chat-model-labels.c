/* chat-model-labels.c: nicks are labels, not identities
 *
 * Two peers may say the same nick: both are then shown with the start
 * of their key's fingerprint ("ben#3731"), everywhere a peer is named,
 * and a nick that names several peers asks which. A peer whose nick is
 * that of another, verified identity (known-peers) is shown so too.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include "chat-model.h"

#define TAG_CHARS 4

/* The start of @peer's fingerprint (its node's, else its id), hex only. */
static char *
peer_tag (ChatPeer *peer)
{
  const char *from = peer->node_fingerprint != NULL ? peer->node_fingerprint : peer->id;
  GString *tag = g_string_new (NULL);

  for (const char *p = from; *p != '\0' && tag->len < TAG_CHARS; p++)
    if (g_ascii_isxdigit (*p))
      g_string_append_c (tag, g_ascii_tolower (*p));
  return g_string_free (tag, FALSE);
}

gboolean
chat_model_nick_is_shared (ChatModel *model,
                           ChatPeer  *peer)
{
  GHashTableIter iter;
  gpointer value;

  if (peer->nick_clash)
    return TRUE;
  g_hash_table_iter_init (&iter, model->peers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (value != peer && g_ascii_strcasecmp (((ChatPeer *) value)->nick, peer->nick) == 0)
      return TRUE;
  return g_ascii_strcasecmp (model->own_nick, peer->nick) == 0;
}

char *
chat_model_peer_label (ChatModel *model,
                       ChatPeer  *peer)
{
  g_autofree char *tag = NULL;

  if (!chat_model_nick_is_shared (model, peer))
    return g_strdup (peer->nick);
  tag = peer_tag (peer);
  return g_strdup_printf ("%s#%s", peer->nick, tag);
}

/* "ben" (one ben), "ben#3731", or an id's start. */
ChatPeer *
chat_model_find_peer (ChatModel  *model,
                      const char *name,
                      GError    **error)
{
  g_autoptr(GPtrArray) peers = chat_model_sorted_peers (model);
  g_autoptr(GString) which = g_string_new (NULL);
  ChatPeer *found = NULL;
  guint matches = 0;

  for (guint i = 0; i < peers->len; i++)
    {
      ChatPeer *peer = g_ptr_array_index (peers, i);
      g_autofree char *tag = peer_tag (peer);
      g_autofree char *label = g_strdup_printf ("%s#%s", peer->nick, tag);

      if (g_ascii_strcasecmp (label, name) == 0)
        return peer;
      if (g_ascii_strcasecmp (peer->nick, name) == 0)
        {
          found = peer;
          matches++;
          g_string_append_printf (which, which->len > 0 ? ", %s" : "%s", label);
        }
    }
  if (matches == 1)
    return found;
  if (matches > 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, _("%u peers are called “%s”: say which (%s)"),
                   matches, name, which->str);
      return NULL;
    }
  return chat_model_find_peer_plain (model, name, error);
}
