/* chat-mesh-reconnect.c: the URIs we connect to, retried with backoff
 *
 * A peer we connected to (from the command line, the config file or
 * /connect) is connected again after a drop, after 1, 2, 4 ... 60 s,
 * until /disconnect says otherwise; those of the command line and the
 * config file also after a failed first attempt. The library does the
 * dialling (AnyConnectOptions:reconnect); we say what it does, stop it
 * (through each target's cancellable) when a user dropped the link, and
 * start again when it gave up on a direct link to a peer we reach through
 * a hub. A bad URI or a refused link is not retried: it would never work.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "mesh/chat-mesh.h"
#include "mesh/chat-mesh-private.h"

#define INITIAL_BACKOFF_MS 1000
#define MAX_BACKOFF_MS     60000
/* dropped links remembered for /reconnect (nicks come from peers) */
#define MAX_DROPPED 256

typedef struct {
  ChatMesh     *mesh;
  char         *uri;
  char         *peer_id;      /* of the last link */
  gboolean      retry;        /* FALSE: a /connect that never worked yet */
  GCancellable *cancellable;  /* stops the library's dialling */
} ChatTarget;

static void
chat_target_free (ChatTarget *target)
{
  g_cancellable_cancel (target->cancellable);
  g_object_unref (target->cancellable);
  g_free (target->uri);
  g_free (target->peer_id);
  g_free (target);
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

static ChatTarget *
find_target_by_uri (ChatMesh   *mesh,
                    const char *uri)
{
  for (guint i = 0; i < mesh->targets->len; i++)
    {
      ChatTarget *target = g_ptr_array_index (mesh->targets, i);

      if (g_str_equal (target->uri, uri))
        return target;
    }
  return NULL;
}

static void start (ChatTarget *target);

/* The library's dialling ended (the first connect, or later on
 * reconnect-failed): say why, and try again only where it can work. */
static void
target_failed (ChatMesh     *mesh,
               const char   *uri,
               const GError *error)
{
  ChatTarget *target = find_target_by_uri (mesh, uri);

  if (mesh->stopping || g_error_matches (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_STOPPED) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* libanysocket refuses a direct link to an id it already has as a
   * proxied peer: we cannot know which one before AUTH, so drop the
   * proxied links (they come back on demand) and try again */
  if (target != NULL && strstr (error->message, "Duplicated AnySocket ID") != NULL &&
      chat_mesh_drop_proxied_links (mesh) > 0)
    {
      chat_model_notice (mesh->model, CHAT_LINE_INFO,
                         _("%s is already linked to us through a hub: trying directly again"), uri);
      start (target);
      return;
    }
  /* a pinned key this link could not prove, ours at the other end
   * or the peer's here (on_untrusted() warned then): a relay on the
   * way may be stripping E2E, or someone plays the peer. Loudly. */
  if (strstr (error->message, "is pinned to a native key") != NULL ||
      (strstr (error->message, "E2E") != NULL && strstr (error->message, "changed") != NULL))
    {
      if (strstr (error->message, any_socket_get_id (mesh->socket)) != NULL)
        chat_model_notice (mesh->model, CHAT_LINE_WARNING,
                           _("WARNING: the link to %s was refused for lack of the known E2E key "
                             "(a relay may be stripping E2E): %s"), uri, error->message);
    }
  else
    chat_model_notice (mesh->model, CHAT_LINE_ERROR, _("Cannot connect to %s: %s"), uri, error->message);
  if (target != NULL)
    g_ptr_array_remove (mesh->targets, target);
}

typedef struct {
  ChatMesh     *mesh;
  char         *uri;
  GCancellable *cancellable;
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
  ChatTarget *target = find_target_by_uri (mesh, attempt->uri);

  /* the target may have been forgotten, or started again, meanwhile */
  if (target != NULL && target->cancellable != attempt->cancellable)
    target = NULL;
  if (peer != NULL)
    {
      if (target != NULL)
        {
          g_free (target->peer_id);
          target->peer_id = g_strdup (any_peer_get_id (peer));
          target->retry = TRUE;
        }
    }
  else if (target != NULL || !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    target_failed (mesh, attempt->uri, error);
  mesh->in_flight--;
  g_object_unref (attempt->cancellable);
  g_free (attempt->uri);
  g_free (attempt);
}

/* Before each wait of the library: after a drop, or a failed dial. */
static void
on_reconnecting (AnySocket  *socket,
                 const char *uri,
                 const char *peer_id,
                 guint       attempt,
                 guint       delay_ms,
                 const char *reason,
                 ChatMesh   *mesh)
{
  ChatTarget *target = find_target_by_uri (mesh, uri);
  guint delay_s = (delay_ms + 999) / 1000;

  if (target == NULL || mesh->stopping || g_cancellable_is_cancelled (target->cancellable))
    return;
  if (peer_id != NULL)
    {
      g_free (target->peer_id);
      target->peer_id = g_strdup (peer_id);
    }
  if (attempt == 1 && peer_id != NULL)
    chat_model_notice (mesh->model, CHAT_LINE_INFO, _("Reconnecting to %s in %u s"), uri, delay_s);
  else
    chat_model_notice (mesh->model, CHAT_LINE_ERROR, _("Cannot connect to %s: %s (retrying in %u s)"),
                       uri, reason, delay_s);
}

static void
on_reconnect_failed (AnySocket    *socket,
                     const char   *uri,
                     const char   *peer_id,
                     const GError *error,
                     ChatMesh     *mesh)
{
  target_failed (mesh, uri, error);
}

void
chat_mesh_targets_init (ChatMesh *mesh)
{
  mesh->targets = g_ptr_array_new_with_free_func ((GDestroyNotify) chat_target_free);
  mesh->dropped = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_signal_connect (mesh->socket, "reconnecting", G_CALLBACK (on_reconnecting), mesh);
  g_signal_connect (mesh->socket, "reconnect-failed", G_CALLBACK (on_reconnect_failed), mesh);
}

static void
start (ChatTarget *target)
{
  ChatMesh *mesh = target->mesh;
  g_autoptr(AnyConnectOptions) options = any_connect_options_new ();
  Attempt *attempt = g_new0 (Attempt, 1);

  if (target->cancellable != NULL)
    {
      g_cancellable_cancel (target->cancellable);
      g_object_unref (target->cancellable);
    }
  target->cancellable = g_cancellable_new ();
  g_object_set (options, "reconnect", TRUE, "reconnect-first", target->retry,
                "reconnect-initial", INITIAL_BACKOFF_MS, "reconnect-factor", 2.0,
                "reconnect-max", MAX_BACKOFF_MS, NULL);
  attempt->mesh = mesh;
  attempt->uri = g_strdup (target->uri);
  attempt->cancellable = g_object_ref (target->cancellable);
  mesh->in_flight++;
  any_socket_connect_with_options_async (mesh->socket, target->uri, options, target->cancellable,
                                         on_connect_done, attempt);
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
