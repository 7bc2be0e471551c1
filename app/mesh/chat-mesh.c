/* chat-mesh.c: the chat on top of libanysocket
 *
 * The links: network events in, model updates out. Every direct peer
 * gets E2E and a hello (chat-mesh-room.c) as soon as it connects. Trust
 * on first use: the fingerprint a stable id (uid) showed first is
 * pinned in the library for that peer's next links, so a changed key is
 * refused there.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "mesh/chat-mesh.h"
#include "mesh/chat-mesh-private.h"

/* The reason of a link the user dropped (/disconnect). */
#define BY_USER "disconnected by user"

#define SEEN_CAPACITY      4096
#define MAX_MESSAGE_BYTES  (1024 * 1024)   /* chat messages are small */

gint64
chat_mesh_now_ms (void)
{
  return g_get_real_time () / 1000;
}

void
chat_mesh_send_to_link (ChatMesh          *mesh,
                        AnyPeer           *link,
                        const ChatMessage *msg)
{
  g_autoptr(JsonNode) node = chat_message_encode (msg);
  g_autoptr(GError) error = NULL;

  if (!any_peer_send (link, node, &error))
    g_debug ("send to %s: %s", any_peer_get_id (link), error->message);
}

/* We know the key this uid showed before: the library refuses another. */
static void
pin_known_key (ChatMesh   *mesh,
               const char *peer_id,
               const char *uid)
{
  g_autofree char *fingerprint = chat_known_peers_fingerprint (mesh->known, uid);

  if (fingerprint != NULL)
    any_socket_pin_fingerprint (mesh->socket, peer_id, fingerprint);
}

void
chat_mesh_peer_set_nick (ChatMesh   *mesh,
                         ChatPeer   *peer,
                         const char *nick)
{
  ChatWindow *window;

  if (nick == NULL || g_strcmp0 (peer->nick, nick) == 0)
    return;
  g_free (peer->nick);
  peer->nick = g_strdup (nick);
  window = chat_model_find_window (mesh->model, peer->id);
  if (window != NULL)
    {
      g_free (window->name);
      window->name = g_strdup (nick);
    }
}

void
chat_mesh_peer_set_uid (ChatMesh   *mesh,
                        ChatPeer   *peer,
                        const char *uid)
{
  /* a node of the mesh is its node id: the uid in its hello is a claim
   * no link proved (it would name another's logs and trust) */
  if (peer->link == NULL && peer->node_id != NULL)
    uid = peer->node_id;
  if (uid == NULL || peer->uid != NULL)
    return;
  peer->uid = g_strdup (uid);
  peer->verified = chat_known_peers_is_verified (mesh->known, uid);
}

/* anychat puts its stable id and nick in AUTH, so both are known from
 * the first moment of a link; the uid's known key is pinned before the
 * E2E handshake can present another one. */
static gboolean
on_authenticate (AnySocket  *socket,
                 const char *peer_id,
                 JsonNode   *auth,
                 ChatMesh   *mesh)
{
  JsonObject *object = auth != NULL && JSON_NODE_HOLDS_OBJECT (auth) ? json_node_get_object (auth) : NULL;
  const char *uid = object != NULL ? chat_json_string_member (object, "uid") : NULL;

  /* a peer that is not anychat (a bot) sends no uid: welcome too */
  if (uid != NULL && chat_id_is_valid (uid))
    {
      g_hash_table_replace (mesh->auths, g_strdup (peer_id), json_object_ref (object));
      pin_known_key (mesh, peer_id, uid);
    }
  return TRUE;
}

static void
on_connected (AnySocket *socket,
              AnyPeer   *link,
              ChatMesh  *mesh)
{
  ChatPeer *peer = chat_model_ensure_peer (mesh->model, any_peer_get_id (link));
  JsonObject *auth;

  g_set_object (&peer->link, link);
  peer->lag = any_peer_get_lag (link);
  auth = g_hash_table_lookup (mesh->auths, peer->id);
  if (auth != NULL)
    {
      const char *claimed = chat_json_string_member (auth, "nick");
      g_autofree char *nick = chat_nick_sanitize (claimed != NULL ? claimed : "");

      chat_mesh_peer_set_uid (mesh, peer, chat_json_string_member (auth, "uid"));
      chat_mesh_peer_set_nick (mesh, peer, nick);
    }
  if (any_peer_is_proxy (link))
    {
      /* the side that asked for the proxy starts E2E on it */
      chat_model_changed (mesh->model);
      return;
    }
  g_free (peer->hub);
  peer->hub = NULL;
  chat_model_clear_notice (mesh->model, CHAT_LINE_ERROR);
  any_peer_e2e (link);   /* messages wait for the switch and go encrypted */
  chat_mesh_send_hello (mesh, peer);
  chat_model_event (mesh->model, _("Connected to %s (%s)"), peer->nick,
                    any_peer_get_remote_address (link) != NULL ? any_peer_get_remote_address (link) : "?");
}

/* The warning for a link refused over a key. The refusal names the
 * peer whose key did not match: when that is us, the other side knows
 * another key for *us* (our identity was reset, or someone claimed our
 * id to it), and its reason came through a close frame, cut at 123
 * bytes: it is not repeated. */
static char *
key_warning (ChatMesh   *mesh,
             const char *name,
             const char *reason)
{
  if (strstr (reason, mesh->model->own_id) != NULL)
    return g_strdup_printf (_("WARNING: %s refused the link: it knows another key for you "
                              "(was your identity reset?)"), name);
  return g_strdup_printf (_("WARNING: %s presented a DIFFERENT KEY and was refused: %s"), name, reason);
}

static void
on_disconnected (AnySocket  *socket,
                 AnyPeer    *link,
                 const char *reason,
                 ChatMesh   *mesh)
{
  ChatPeer *peer = chat_model_get_peer (mesh->model, any_peer_get_id (link));
  g_autofree char *id = g_strdup (any_peer_get_id (link));
  gboolean direct = !any_peer_is_proxy (link);
  gboolean key_changed = reason != NULL && strstr (reason, "E2E") != NULL && strstr (reason, "changed") != NULL;
  gboolean by_user = g_strcmp0 (reason, BY_USER) == 0;

  if (key_changed && strstr (reason, mesh->model->own_id) == NULL)
    chat_mesh_trust_note_refused (mesh, g_hash_table_lookup (mesh->auths, id), reason);
  g_hash_table_remove (mesh->auths, id);
  if (mesh->stopping)
    return;
  if (key_changed)
    {
      g_autofree char *warning = key_warning (mesh, peer != NULL ? peer->nick : id, reason);

      chat_model_notice (mesh->model, CHAT_LINE_WARNING, "%s", warning);
      /* retrying would meet the same key: leave it to the user */
      chat_mesh_target_forget (mesh, id);
    }
  /* a link we dialled is dialled again by the library (chat-mesh-reconnect.c) */
  if (peer == NULL || peer->link != link)
    return;
  g_clear_object (&peer->link);
  peer->lag = -1;
  chat_mesh_outbox_drop (mesh, id);
  if (!direct)
    {
      /* its hub gone too: nothing left to reach it by */
      if (!chat_model_is_direct (mesh->model, peer->hub))
        {
          chat_model_event (mesh->model, _("%s left"), peer->nick);
          chat_mesh_remove_peer (mesh, id);
        }
      /* the lower id asks, as when we first heard of it; not when our
       * user dropped it */
      else if (!key_changed && !by_user && g_strcmp0 (mesh->model->own_id, id) < 0)
        chat_mesh_relink_later (mesh, peer);
      chat_model_changed (mesh->model);
      return;
    }
  chat_model_event (mesh->model, _("%s left (%s)"), peer->nick, reason);
  /* a link a user dropped, on either side, stays dropped: no retry
   * undoes it, until someone asks again */
  if (by_user && chat_mesh_target_drop (mesh, id, peer->nick))
    chat_model_notice (mesh->model, CHAT_LINE_INFO, _("%s dropped the link: /reconnect %s to ask again"),
                       peer->nick, peer->nick);
  chat_mesh_remove_peer (mesh, id);
}

/* A link claimed the id of a peer whose key we know and did not prove
 * that key: the library refused it before it counted as connected. A
 * relay that stripped the E2E capabilities to read everything, or an
 * impostor: the user must see it, in the room and in the peer's window. */
static void
on_untrusted (AnySocket  *socket,
              const char *peer_id,
              const char *reason,
              ChatMesh   *mesh)
{
  ChatPeer *peer = chat_model_get_peer (mesh->model, peer_id);
  JsonObject *auth = g_hash_table_lookup (mesh->auths, peer_id);
  g_autofree char *nick = chat_nick_sanitize (auth != NULL && chat_json_string_member (auth, "nick") != NULL ?
                                              chat_json_string_member (auth, "nick") : "");
  const char *name = peer != NULL ? peer->nick : nick != NULL ? nick : peer_id;
  ChatWindow *window = chat_model_find_window (mesh->model, peer_id);
  g_autofree char *text = NULL;

  if (strstr (reason, "changed") != NULL && strstr (reason, mesh->model->own_id) == NULL)
    chat_mesh_trust_note_refused (mesh, auth, reason);
  /* its AUTH is not the known peer's: a link of that id still up keeps its own */
  if (peer == NULL || peer->link == NULL)
    g_hash_table_remove (mesh->auths, peer_id);
  if (mesh->stopping)
    return;
  if (strstr (reason, "changed") != NULL)
    text = key_warning (mesh, name, reason);
  else
    text = g_strdup_printf (_("WARNING: %s came back WITHOUT its known key (E2E stripped by a relay, "
                              "or an impostor) and was refused: %s"), name, reason);
  chat_model_notice (mesh->model, CHAT_LINE_WARNING, "%s", text);
  if (window != NULL && window != chat_model_get_active (mesh->model))
    chat_window_add_printf (mesh->model, window, CHAT_LINE_WARNING, "%s", text);
  /* retrying would meet the same relay or impostor: leave it to the user */
  chat_mesh_target_forget (mesh, peer_id);
}

static void
on_heartbeat (AnySocket *socket,
              AnyPeer   *link,
              ChatMesh  *mesh)
{
  ChatPeer *peer = chat_model_get_peer (mesh->model, any_peer_get_id (link));

  if (peer == NULL || peer->link != link)
    return;
  peer->lag = any_peer_get_lag (link);
  chat_model_changed (mesh->model);
}

static void
on_e2e (AnySocket *socket,
        AnyPeer   *link,
        ChatMesh  *mesh)
{
  ChatPeer *peer = chat_model_get_peer (mesh->model, any_peer_get_id (link));
  g_autofree char *seen = NULL;
  g_autofree char *known = NULL;
  g_autoptr(GError) error = NULL;
  gboolean first_time = FALSE;

  if (peer == NULL)
    return;
  if (any_peer_is_proxy (link))
    peer->proxy_attempts = 0;   /* this one works */
  if (any_peer_get_e2e_mode (link) == ANY_E2E_MODE_NATIVE && peer->uid != NULL)
    {
      seen = any_peer_dup_remote_fingerprint (link);
      known = chat_known_peers_fingerprint (mesh->known, peer->uid);
      if (known == NULL)
        {
          if (!chat_known_peers_remember (mesh->known, peer->uid, peer->nick, seen, FALSE, &error))
            chat_model_notice (mesh->model, CHAT_LINE_ERROR, "%s", error->message);
          first_time = TRUE;
        }
      else if (!g_str_equal (known, seen))
        {
          /* a proxied link (no AUTH, so no pin): refuse it ourselves */
          chat_model_notice (mesh->model, CHAT_LINE_WARNING,
                             _("WARNING: %s presented a DIFFERENT KEY (known %s, presented %s): link closed"),
                             peer->nick, known, seen);
          any_peer_disconnect (link, "E2E: the key changed");
          return;
        }
    }
  /* one line per new peer, not one per fact */
  if (first_time)
    chat_model_event (mesh->model, _("Link with %s: %s; first time we see it: key remembered (/verify %s to compare)"),
                      peer->nick, chat_badge_name (chat_peer_get_badge (peer)), peer->nick);
  else
    chat_model_event (mesh->model, _("Link with %s: %s"), peer->nick, chat_badge_name (chat_peer_get_badge (peer)));
}

/* We are a hub for anyone linked to us: the library only asks when both
 * peers are our direct peers, so there is nothing more to check. */
static gboolean
on_proxy_request (AnySocket  *socket,
                  AnyPeer    *from,
                  const char *target_id,
                  ChatMesh   *mesh)
{
  ChatPeer *target = chat_model_get_peer (mesh->model, target_id);

  return target != NULL && chat_peer_is_direct (target);
}

/* What every new link learns in AUTH: we are anychat, who we are. */
void
chat_mesh_update_auth_data (ChatMesh *mesh)
{
  g_autoptr(JsonNode) auth = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonObject) object = json_object_new ();

  json_object_set_string_member (object, "app", "anychat");
  json_object_set_string_member (object, "uid", mesh->uid);
  json_object_set_string_member (object, "nick", mesh->model->own_nick);
  json_node_set_object (auth, object);
  any_socket_set_auth_data (mesh->socket, auth);
}

ChatMesh *
chat_mesh_new (ChatModel      *model,
               ChatConfig     *config,
               ChatKnownPeers *known,
               AnySocket      *socket,
               const char     *uid)
{
  ChatMesh *mesh = g_new0 (ChatMesh, 1);
  mesh->model = model;
  mesh->config = config;
  mesh->known = known;
  mesh->socket = g_object_ref (socket);
  mesh->uid = g_strdup (uid);
  mesh->seen = chat_seen_new (SEEN_CAPACITY);
  mesh->auths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) json_object_unref);
  mesh->outbox = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  chat_mesh_targets_init (mesh);
  chat_mesh_room_limits_init (mesh);
  chat_mesh_trust_init (mesh);

  chat_mesh_update_auth_data (mesh);
  chat_mesh_nodes_init (mesh);   /* before the socket listens or connects */
  chat_mesh_outbox_init (mesh);
  any_socket_set_heartbeat_interval (socket, config->heartbeat_ms);
  any_socket_set_max_message_size (socket, MAX_MESSAGE_BYTES);

  g_signal_connect (socket, "authenticate", G_CALLBACK (on_authenticate), mesh);
  chat_mesh_transfers_init (mesh);
  g_signal_connect (socket, "connected", G_CALLBACK (on_connected), mesh);
  g_signal_connect (socket, "disconnected", G_CALLBACK (on_disconnected), mesh);
  g_signal_connect (socket, "heartbeat", G_CALLBACK (on_heartbeat), mesh);
  g_signal_connect (socket, "untrusted", G_CALLBACK (on_untrusted), mesh);
  g_signal_connect (socket, "e2e", G_CALLBACK (on_e2e), mesh);
  g_signal_connect (socket, "message", G_CALLBACK (chat_mesh_on_message), mesh);
  g_signal_connect (socket, "proxy-request", G_CALLBACK (on_proxy_request), mesh);
  return mesh;
}

void
chat_mesh_free (ChatMesh *mesh)
{
  if (mesh == NULL)
    return;
  g_signal_handlers_disconnect_by_data (mesh->socket, mesh);
  chat_mesh_nodes_free (mesh);
  chat_mesh_outbox_free (mesh);
  chat_transfers_free (mesh->transfers);
  g_object_unref (mesh->socket);
  g_free (mesh->uid);
  chat_seen_free (mesh->seen);
  chat_rate_free (mesh->author_rate);
  g_hash_table_unref (mesh->auths);
  g_hash_table_unref (mesh->changed_keys);
  g_hash_table_unref (mesh->dropped);
  g_hash_table_unref (mesh->outbox);
  g_ptr_array_unref (mesh->targets);
  g_free (mesh);
}

AnySocket *
chat_mesh_get_socket (ChatMesh *mesh)
{
  return mesh->socket;
}

gboolean
chat_mesh_check_uri (const char *uri,
                     GError    **error)
{
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  const char *scheme = parsed != NULL ? g_uri_get_scheme (parsed) : NULL;
  gboolean unix_path = g_strcmp0 (scheme, "unix") == 0 && g_path_is_absolute (g_uri_get_path (parsed));
  gboolean inet = g_strcmp0 (scheme, "ws") == 0 || g_strcmp0 (scheme, "wss") == 0 || g_strcmp0 (scheme, "tcp") == 0;

  if (!unix_path &&
      (!inet || g_uri_get_host (parsed) == NULL || *g_uri_get_host (parsed) == '\0'))
    {
      g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_URI,
                   _("Bad URI “%s”: expected ws://HOST:PORT (or wss://, tcp://, unix:///PATH)"), uri);
      return FALSE;
    }
  return TRUE;
}

typedef struct {
  ChatMesh      *mesh;
  char          *uri;
  ChatListenDone done;
  gpointer       user_data;
} ListenData;

static void
on_listened (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  ListenData *data = user_data;
  g_autoptr(GError) error = NULL;
  guint port = any_socket_listen_finish (ANY_SOCKET (source), result, &error);
  g_autofree char *bound = NULL;

  data->mesh->in_flight--;
  if (error == NULL)
    {
      g_autoptr(GUri) parsed = g_uri_parse (data->uri, G_URI_FLAGS_NONE, NULL);
      const char *scheme = parsed != NULL ? g_uri_get_scheme (parsed) : "ws";

      /* unix:// has no port: the URI as given. */
      bound = port == 0 ? g_strdup (data->uri)
                        : g_strdup_printf ("%s://%s:%u", scheme, g_uri_get_host (parsed), port);
      g_ptr_array_add (data->mesh->model->listening, g_strdup (bound));
      chat_model_changed (data->mesh->model);
    }
  data->done (data->mesh, data->uri, bound, error, data->user_data);
  g_free (data->uri);
  g_free (data);
}

void
chat_mesh_listen (ChatMesh      *mesh,
                  const char    *uri,
                  ChatListenDone done,
                  gpointer       user_data)
{
  ListenData *data = g_new0 (ListenData, 1);

  data->mesh = mesh;
  data->uri = g_strdup (uri);
  data->done = done;
  data->user_data = user_data;
  mesh->in_flight++;
  any_socket_listen_async (mesh->socket, uri, NULL, on_listened, data);
}

void
chat_mesh_disconnect (ChatMesh *mesh,
                      ChatPeer *peer)
{
  /* the user's wish: no reconnecting (but /reconnect) */
  chat_mesh_target_drop (mesh, peer->id, peer->nick);
  if (peer->link != NULL)
    any_peer_disconnect (peer->link, BY_USER);
}

gboolean
chat_mesh_verify (ChatMesh  *mesh,
                  ChatPeer  *peer,
                  GError   **error)
{
  g_autofree char *fingerprint = NULL;

  /* a node of the mesh: its signing key, proven end to end */
  if (peer->link == NULL && peer->node_id != NULL && peer->node_proven)
    {
      if (!chat_known_peers_remember (mesh->known, peer->node_id, peer->nick, peer->node_fingerprint, TRUE, error))
        return FALSE;
      peer->verified = TRUE;
      chat_mesh_check_nick (mesh, peer);
      chat_model_changed (mesh->model);
      return TRUE;
    }
  if (peer->link == NULL || any_peer_get_e2e_mode (peer->link) != ANY_E2E_MODE_NATIVE)
    {
      g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT,
                   _("%s has no native E2E link: nothing to verify"), peer->nick);
      return FALSE;
    }
  fingerprint = any_peer_dup_remote_fingerprint (peer->link);
  if (peer->uid != NULL &&
      !chat_known_peers_remember (mesh->known, peer->uid, peer->nick, fingerprint, TRUE, error))
    return FALSE;
  peer->verified = TRUE;
  chat_model_changed (mesh->model);
  return TRUE;
}

void
chat_mesh_stop (ChatMesh   *mesh,
                const char *reason)
{
  GHashTableIter iter;
  gpointer value;

  /* signed: the whole mesh hears why, not only our direct peers */
  chat_mesh_flood_presence (mesh, CHAT_PRESENCE_LEAVE, mesh->model->own_id, mesh->model->own_nick, NULL, NULL,
                            reason, NULL);
  mesh->stopping = TRUE;
  g_hash_table_iter_init (&iter, mesh->model->peers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      ChatPeer *peer = value;

      if (peer->link != NULL)
        any_peer_disconnect (peer->link, reason);
    }
  any_socket_stop (mesh->socket);
}

/* TRUE when every operation started has called back: the mesh can go. */
gboolean
chat_mesh_is_idle (ChatMesh *mesh)
{
  return mesh->in_flight == 0 && chat_transfers_is_idle (mesh->transfers);
}
