/* chat-mesh-reconnect.c: the URIs we connect to, retried with backoff
 *
 * A peer we connected to (from the command line, the config file or
 * /connect) is connected again after a drop, after 1, 2, 4 ... 60 s,
 * until /disconnect says otherwise; those of the command line and the
 * config file also after a failed first attempt. A bad URI is not
 * retried: it would never work.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "mesh/chat-mesh.h"
#include "mesh/chat-mesh-private.h"

#define MAX_BACKOFF_S 60
/* dropped links remembered for /reconnect (nicks come from peers) */
#define MAX_DROPPED 256

typedef struct {
  ChatMesh *mesh;
  char     *uri;
  char     *peer_id;    /* while connected */
  guint     backoff_s;
  guint     timer;
  gboolean  retry;      /* FALSE: a /connect that never worked yet */
} ChatTarget;

static void
chat_target_free (ChatTarget *target)
{
  g_clear_handle_id (&target->timer, g_source_remove);
  g_free (target->uri);
  g_free (target->peer_id);
  g_free (target);
}

void
chat_mesh_targets_init (ChatMesh *mesh)
{
  mesh->targets = g_ptr_array_new_with_free_func ((GDestroyNotify) chat_target_free);
  mesh->dropped = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static ChatTarget *
find_target (ChatMesh   *mesh,
             const char *peer_id)
{
  for (guint i = 0; i < mesh->targets->len; i++)
    {
      ChatTarget *target = g_ptr_array_index (mesh->targets, i);

      if (g_strcmp0 (target->peer_id, peer_id) == 0)
        return target;
    }
  return NULL;
}

static void start (ChatTarget *target);

static gboolean
on_retry (gpointer user_data)
{
  ChatTarget *target = user_data;

  target->timer = 0;
  start (target);
  return G_SOURCE_REMOVE;
}

static void
schedule (ChatTarget *target)
{
  target->backoff_s = target->backoff_s == 0 ? 1 : MIN (target->backoff_s * 2, MAX_BACKOFF_S);
  g_clear_handle_id (&target->timer, g_source_remove);
  target->timer = g_timeout_add_seconds (target->backoff_s, on_retry, target);
}

typedef struct {
  ChatMesh *mesh;
  char     *uri;
} Attempt;

static void
on_connect_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Attempt *attempt = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPeer) peer = any_socket_connect_finish (ANY_SOCKET (source), result, &error);
  ChatMesh *mesh = attempt->mesh;
  ChatTarget *target = NULL;

  /* the target may have been forgotten while we were connecting */
  for (guint i = 0; i < mesh->targets->len; i++)
    {
      ChatTarget *t = g_ptr_array_index (mesh->targets, i);

      if (g_str_equal (t->uri, attempt->uri) && t->peer_id == NULL && t->timer == 0)
        target = t;
    }
  if (peer != NULL)
    {
      if (target != NULL)
        {
          target->peer_id = g_strdup (any_peer_get_id (peer));
          target->backoff_s = 0;
          target->retry = TRUE;
        }
    }
  else if (!mesh->stopping && !g_error_matches (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_STOPPED))
    {
      /* libanysocket refuses a direct link to an id it already has as a
       * proxied peer: we cannot know which one before AUTH, so drop the
       * proxied links (they come back on demand) and try again */
      if (target != NULL && strstr (error->message, "Duplicated AnySocket ID") != NULL &&
          chat_mesh_drop_proxied_links (mesh) > 0)
        {
          target->backoff_s = 0;
          schedule (target);
          chat_model_notice (mesh->model, CHAT_LINE_INFO,
                             _("%s is already linked to us through a hub: trying directly again"), attempt->uri);
          goto out;
        }
      /* a pinned key this link could not prove, ours at the other end
       * or the peer's here (on_untrusted() warned then): a relay on the
       * way may be stripping E2E, or someone plays the peer. Loudly, and
       * no blind retry. */
      if (strstr (error->message, "is pinned to a native key") != NULL ||
          (strstr (error->message, "E2E") != NULL && strstr (error->message, "changed") != NULL))
        {
          if (strstr (error->message, any_socket_get_id (mesh->socket)) != NULL)
            chat_model_notice (mesh->model, CHAT_LINE_WARNING,
                               _("WARNING: the link to %s was refused for lack of the known E2E key "
                                 "(a relay may be stripping E2E): %s"), attempt->uri, error->message);
          if (target != NULL)
            g_ptr_array_remove (mesh->targets, target);
          goto out;
        }
      if (target != NULL && target->retry &&
          !g_error_matches (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_URI) &&
          !g_error_matches (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_DUPLICATE_ID))
        {
          schedule (target);
          chat_model_notice (mesh->model, CHAT_LINE_ERROR, _("Cannot connect to %s: %s (retrying in %u s)"),
                             attempt->uri, error->message, target->backoff_s);
        }
      else
        {
          chat_model_notice (mesh->model, CHAT_LINE_ERROR, _("Cannot connect to %s: %s"),
                             attempt->uri, error->message);
          if (target != NULL)
            g_ptr_array_remove (mesh->targets, target);
        }
    }
out:
  mesh->in_flight--;
  g_free (attempt->uri);
  g_free (attempt);
}

static void
start (ChatTarget *target)
{
  Attempt *attempt = g_new0 (Attempt, 1);

  attempt->mesh = target->mesh;
  target->mesh->in_flight++;
  attempt->uri = g_strdup (target->uri);
  any_socket_connect_async (target->mesh->socket, target->uri, NULL, on_connect_done, attempt);
}

/* @retry: try again after a failed first attempt too (the peers of the
 * command line and the config file may start after us); a /connect
 * that fails is only reported, and retried after drops once it worked. */
void
chat_mesh_connect (ChatMesh   *mesh,
                   const char *uri,
                   gboolean    retry)
{
  ChatTarget *target;

  /* the library would refuse it as "Duplicated AnySocket ID found!" (our
   * own id answers): say what it is */
  if (chat_mesh_is_own_address (mesh, uri))
    {
      chat_model_notice (mesh->model, CHAT_LINE_ERROR,
                         _("%s is this instance's own address: give another peer's"), uri);
      return;
    }
  target = g_new0 (ChatTarget, 1);

  target->mesh = mesh;
  target->uri = g_strdup (uri);
  target->retry = retry;
  g_ptr_array_add (mesh->targets, target);
  start (target);
}

/* A peer dropped: when it was one we connected to, try again. */
gboolean
chat_mesh_target_lost (ChatMesh   *mesh,
                       const char *peer_id)
{
  ChatTarget *target = find_target (mesh, peer_id);

  if (target == NULL || mesh->stopping)
    return FALSE;
  g_clear_pointer (&target->peer_id, g_free);
  schedule (target);
  chat_model_notice (mesh->model, CHAT_LINE_INFO, _("Reconnecting to %s in %u s"), target->uri, target->backoff_s);
  return TRUE;
}

/* A link a user dropped (ours with /disconnect, or the other side's):
 * no retrying, but /reconnect may dial @nick's address again. */
gboolean
chat_mesh_target_drop (ChatMesh   *mesh,
                       const char *peer_id,
                       const char *nick)
{
  ChatTarget *target = find_target (mesh, peer_id);

  if (target == NULL)
    return FALSE;
  if (nick != NULL && g_hash_table_size (mesh->dropped) < MAX_DROPPED)
    g_hash_table_replace (mesh->dropped, g_strdup (nick), g_strdup (target->uri));
  g_ptr_array_remove (mesh->targets, target);
  return TRUE;
}

gboolean
chat_mesh_reconnect (ChatMesh    *mesh,
                     const char  *nick,
                     GError     **error)
{
  g_autofree char *uri = NULL;
  gpointer key;

  if (!g_hash_table_steal_extended (mesh->dropped, nick, &key, (gpointer *) &uri))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("No dropped link to %s that we dialled: /connect its address"), nick);
      return FALSE;
    }
  g_free (key);
  chat_model_notice (mesh->model, CHAT_LINE_INFO, _("Connecting to %s…"), uri);
  chat_mesh_connect (mesh, uri, TRUE);
  return TRUE;
}

void
chat_mesh_target_forget (ChatMesh   *mesh,
                         const char *peer_id)
{
  ChatTarget *target = find_target (mesh, peer_id);

  if (target != NULL)
    g_ptr_array_remove (mesh->targets, target);
}
