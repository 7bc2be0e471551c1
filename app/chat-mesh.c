/* chat-mesh.c: the chat on top of libanysocket
 *
 * Network events in, model updates out. Every direct peer gets E2E and
 * a hello as soon as it connects; room messages and presence are
 * flooded to every direct peer but the one they came from, dropped when
 * seen before or when their ttl runs out, so any connected mesh (a
 * chain, a loop) hears each message once. Trust on first use: the
 * fingerprint a stable id (uid) showed first is pinned in the library
 * for that peer's next links, so a changed key is refused there.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "chat-mesh-private.h"

#define SEEN_CAPACITY      4096
#define MAX_KNOWN_PEERS    1024
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

/* To every direct peer except @except_id: the flooding of the room. */
static void
flood (ChatMesh          *mesh,
       const ChatMessage *msg,
       const char        *except_id)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, mesh->model->peers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      ChatPeer *peer = value;

      if (chat_peer_is_direct (peer) && g_strcmp0 (peer->id, except_id) != 0)
        chat_mesh_send_to_link (mesh, peer->link, msg);
    }
}

static void
flood_presence (ChatMesh    *mesh,
                ChatPresence presence,
                const char  *about_id,
                const char  *nick,
                const char  *old,
                const char  *uid,
                const char  *except_id)
{
  g_autoptr(ChatMessage) msg = chat_message_new (CHAT_KIND_PRESENCE);

  msg->mid = chat_message_new_mid ();
  msg->from = g_strdup (about_id);
  msg->nick = g_strdup (nick);
  msg->old = g_strdup (old);
  msg->uid = g_strdup (uid);
  msg->presence = presence;
  if (presence == CHAT_PRESENCE_JOIN)
    msg->hub = g_strdup (mesh->model->own_id);
  msg->ts = chat_mesh_now_ms ();
  chat_seen_add (mesh->seen, msg->mid);
  flood (mesh, msg, except_id);
}

static void
send_hello (ChatMesh *mesh,
            ChatPeer *to)
{
  g_autoptr(ChatMessage) msg = chat_message_new (CHAT_KIND_HELLO);
  GHashTableIter iter;
  gpointer value;

  msg->nick = g_strdup (mesh->model->own_nick);
  msg->uid = g_strdup (mesh->uid);
  g_hash_table_iter_init (&iter, mesh->model->peers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      ChatPeer *peer = value;

      if (peer == to || !peer->said_hello)
        continue;
      chat_message_add_peer (msg, peer->id, peer->nick,
                             chat_peer_is_direct (peer) ? mesh->model->own_id : peer->hub,
                             peer->uid);
    }
  chat_mesh_send_to_link (mesh, to->link, msg);
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

static void
set_nick (ChatMesh   *mesh,
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

static void
set_uid (ChatMesh   *mesh,
         ChatPeer   *peer,
         const char *uid)
{
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
  const char *uid = object != NULL ? json_object_get_string_member_with_default (object, "uid", NULL) : NULL;

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
      g_autofree char *nick = chat_nick_sanitize (json_object_get_string_member_with_default (auth, "nick", ""));

      set_uid (mesh, peer, json_object_get_string_member (auth, "uid"));
      set_nick (mesh, peer, nick);
    }
  if (any_peer_is_proxy (link))
    {
      /* the side that asked for the proxy starts E2E on it */
      chat_model_changed (mesh->model);
      return;
    }
  g_free (peer->hub);
  peer->hub = NULL;
  any_peer_e2e (link);   /* messages wait for the switch and go encrypted */
  send_hello (mesh, peer);
  chat_model_event (mesh->model, _("Connected to %s (%s)"), peer->nick,
                    any_peer_get_remote_address (link) != NULL ? any_peer_get_remote_address (link) : "?");
}

static void
forget_routes_through (ChatMesh   *mesh,
                       const char *hub_id)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, mesh->model->peers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      ChatPeer *peer = value;

      if (peer->link == NULL && g_strcmp0 (peer->hub, hub_id) == 0)
        {
          chat_model_event (mesh->model, _("%s left"), peer->nick);
          g_hash_table_iter_remove (&iter);
        }
    }
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

  g_hash_table_remove (mesh->auths, id);
  if (mesh->stopping)
    return;
  if (reason != NULL && strstr (reason, "E2E") != NULL && strstr (reason, "changed") != NULL)
    {
      chat_model_notice (mesh->model, CHAT_LINE_WARNING,
                         _("WARNING: %s presented a DIFFERENT KEY and was refused: %s"),
                         peer != NULL ? peer->nick : id, reason);
      /* retrying would meet the same key: leave it to the user */
      chat_mesh_target_forget (mesh, id);
    }
  if (peer == NULL || peer->link != link)
    {
      chat_mesh_target_lost (mesh, id);
      return;
    }
  g_clear_object (&peer->link);
  peer->lag = -1;
  chat_mesh_outbox_drop (mesh, id);
  if (!direct)
    {
      /* its hub gone too: nothing left to reach it by */
      if (!chat_model_is_direct (mesh->model, peer->hub))
        {
          chat_model_event (mesh->model, _("%s left"), peer->nick);
          chat_model_remove_peer (mesh->model, id);
        }
      chat_model_changed (mesh->model);
      return;
    }
  if (peer->said_hello)
    flood_presence (mesh, CHAT_PRESENCE_LEAVE, id, peer->nick, NULL, NULL, id);
  chat_model_event (mesh->model, _("%s left (%s)"), peer->nick, reason);
  chat_model_remove_peer (mesh->model, id);
  forget_routes_through (mesh, id);
  chat_mesh_target_lost (mesh, id);
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

  if (peer == NULL)
    return;
  if (any_peer_get_e2e_mode (link) == ANY_E2E_MODE_NATIVE && peer->uid != NULL)
    {
      seen = any_peer_dup_remote_fingerprint (link);
      known = chat_known_peers_fingerprint (mesh->known, peer->uid);
      if (known == NULL)
        {
          if (!chat_known_peers_remember (mesh->known, peer->uid, peer->nick, seen, FALSE, &error))
            chat_model_notice (mesh->model, CHAT_LINE_ERROR, "%s", error->message);
          chat_model_event (mesh->model, _("First time we see %s: key remembered (trust on first use; /verify %s to compare)"),
                            peer->nick, peer->nick);
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

static void
learn_peer (ChatMesh   *mesh,
            const char *id,
            const char *nick,
            const char *hub,
            const char *uid)
{
  ChatPeer *peer;
  gboolean is_new;

  if (g_strcmp0 (id, mesh->model->own_id) == 0)
    return;
  peer = chat_model_get_peer (mesh->model, id);
  if (peer != NULL && chat_peer_is_direct (peer))
    return;
  is_new = peer == NULL;
  /* announcements are cheap to forge: the list stays bounded */
  if (is_new && g_hash_table_size (mesh->model->peers) >= MAX_KNOWN_PEERS)
    return;
  peer = chat_model_ensure_peer (mesh->model, id);
  set_nick (mesh, peer, nick);
  set_uid (mesh, peer, uid);
  /* keep a hub that is still our direct peer */
  if (hub != NULL && !chat_model_is_direct (mesh->model, peer->hub))
    {
      g_free (peer->hub);
      peer->hub = g_strdup (hub);
    }
  peer->said_hello = TRUE;
  /* a link through the hub gives lag and E2E for this peer too; the
   * lower id asks, so that two peers do not ask for each other at once */
  if (peer->link == NULL && g_strcmp0 (mesh->model->own_id, peer->id) < 0)
    chat_mesh_link_via_hub (mesh, peer);
  if (is_new)
    {
      ChatPeer *via = chat_model_get_peer (mesh->model, peer->hub);

      chat_model_event (mesh->model, _("%s joined (via %s)"), peer->nick, via != NULL ? via->nick : "?");
    }
}

static void
receive_hello (ChatMesh    *mesh,
               ChatPeer    *sender,
               ChatMessage *msg)
{
  gboolean first = !sender->said_hello;
  g_autofree char *old = g_strdup (sender->nick);

  set_uid (mesh, sender, msg->uid);
  set_nick (mesh, sender, msg->nick);
  sender->said_hello = TRUE;
  for (guint i = 0; msg->peers != NULL && i < msg->peers->len; i++)
    {
      ChatPeerInfo *info = g_ptr_array_index (msg->peers, i);

      learn_peer (mesh, info->id, info->nick, info->hub != NULL ? info->hub : sender->id, info->uid);
    }
  if (first)
    {
      chat_model_event (mesh->model, _("%s joined (direct)"), sender->nick);
      flood_presence (mesh, CHAT_PRESENCE_JOIN, sender->id, sender->nick, NULL, sender->uid, sender->id);
    }
  else if (!g_str_equal (old, sender->nick))
    chat_model_event (mesh->model, _("%s is now known as %s"), old, sender->nick);
  chat_model_changed (mesh->model);
}

static void
receive_presence (ChatMesh    *mesh,
                  ChatMessage *msg)
{
  ChatPeer *peer = chat_model_get_peer (mesh->model, msg->from);

  if (g_strcmp0 (msg->from, mesh->model->own_id) == 0)
    return;
  switch (msg->presence)
    {
    case CHAT_PRESENCE_JOIN:
      learn_peer (mesh, msg->from, msg->nick, msg->hub, msg->uid);
      break;
    case CHAT_PRESENCE_LEAVE:
      if (peer != NULL && peer->link == NULL)
        {
          chat_model_event (mesh->model, _("%s left"), peer->nick);
          chat_model_remove_peer (mesh->model, msg->from);
        }
      /* it left one peer, not the mesh: in a loop the others learn
       * from us that it is still here */
      else if (peer != NULL && chat_peer_is_direct (peer))
        flood_presence (mesh, CHAT_PRESENCE_JOIN, peer->id, peer->nick, NULL, peer->uid, NULL);
      break;
    case CHAT_PRESENCE_NICK:
      if (peer != NULL)
        {
          g_autofree char *old = g_strdup (peer->nick);

          set_nick (mesh, peer, msg->nick);
          chat_model_event (mesh->model, _("%s is now known as %s"), old, peer->nick);
        }
      break;
    }
  chat_model_changed (mesh->model);
}

/* A timestamp from elsewhere, unless it is far off from ours. */
static gint64
sane_time (gint64 ts)
{
  gint64 now = chat_mesh_now_ms ();

  return ts > now - 86400000 && ts < now + 86400000 ? ts : now;
}

static void
receive_room (ChatMesh    *mesh,
              ChatMessage *msg)
{
  ChatPeer *peer = chat_model_get_peer (mesh->model, msg->from);

  if (g_strcmp0 (msg->from, mesh->model->own_id) == 0)
    return;
  if (peer != NULL && !peer->said_hello)
    set_nick (mesh, peer, msg->nick);   /* a bot that sent no hello */
  chat_window_add_line (mesh->model, chat_model_get_room (mesh->model), sane_time (msg->ts),
                        CHAT_LINE_MESSAGE, msg->nick, msg->text);
}

static void
on_message (AnySocket *socket,
            AnyPacket *packet,
            ChatMesh  *mesh)
{
  AnyPeer *link = any_packet_get_peer (packet);
  ChatPeer *sender = chat_model_get_peer (mesh->model, any_peer_get_id (link));
  g_autoptr(ChatMessage) msg = NULL;
  g_autoptr(GError) error = NULL;

  if (sender == NULL || !chat_message_is_chat (any_packet_get_msg (packet)))
    return;   /* not for the chat: someone else's protocol */
  msg = chat_message_decode (any_packet_get_msg (packet), &error);
  if (msg == NULL)
    {
      chat_model_notice (mesh->model, CHAT_LINE_ERROR, _("Ignored a bad chat message from %s: %s"),
                         sender->nick, error->message);
      return;
    }
  switch (msg->kind)
    {
    case CHAT_KIND_HELLO:
      if (!any_peer_is_proxy (link))
        receive_hello (mesh, sender, msg);
      break;
    case CHAT_KIND_ROOM:
    case CHAT_KIND_PRESENCE:
      if (any_peer_is_proxy (link) || !chat_seen_add (mesh->seen, msg->mid))
        break;
      if (msg->kind == CHAT_KIND_ROOM)
        receive_room (mesh, msg);
      else
        receive_presence (mesh, msg);
      if (chat_message_hop (msg))
        flood (mesh, msg, sender->id);
      break;
    case CHAT_KIND_PRIVATE:
      chat_mesh_receive_private (mesh, packet, msg);
      break;
    case CHAT_KIND_RECEIPT:
      break;   /* receipts come as replies, not here */
    }
}

/* What every new link learns in AUTH: we are anychat, who we are. */
static void
update_auth_data (ChatMesh *mesh)
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

  update_auth_data (mesh);
  any_socket_set_heartbeat_interval (socket, config->heartbeat_ms);
  any_socket_set_max_message_size (socket, MAX_MESSAGE_BYTES);

  g_signal_connect (socket, "authenticate", G_CALLBACK (on_authenticate), mesh);
  g_signal_connect (socket, "connected", G_CALLBACK (on_connected), mesh);
  g_signal_connect (socket, "disconnected", G_CALLBACK (on_disconnected), mesh);
  g_signal_connect (socket, "heartbeat", G_CALLBACK (on_heartbeat), mesh);
  g_signal_connect (socket, "e2e", G_CALLBACK (on_e2e), mesh);
  g_signal_connect (socket, "message", G_CALLBACK (on_message), mesh);
  g_signal_connect (socket, "proxy-request", G_CALLBACK (on_proxy_request), mesh);
  return mesh;
}

void
chat_mesh_free (ChatMesh *mesh)
{
  if (mesh == NULL)
    return;
  g_signal_handlers_disconnect_by_data (mesh->socket, mesh);
  g_object_unref (mesh->socket);
  g_free (mesh->uid);
  chat_seen_free (mesh->seen);
  g_hash_table_unref (mesh->auths);
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

  if (parsed == NULL || g_uri_get_host (parsed) == NULL || *g_uri_get_host (parsed) == '\0' ||
      (g_strcmp0 (g_uri_get_scheme (parsed), "ws") != 0 && g_strcmp0 (g_uri_get_scheme (parsed), "wss") != 0))
    {
      g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_URI,
                   _("Bad URI “%s”: expected ws://HOST:PORT"), uri);
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
  if (port != 0)
    {
      g_autoptr(GUri) parsed = g_uri_parse (data->uri, G_URI_FLAGS_NONE, NULL);
      g_autofree char *host = g_strdup (parsed != NULL ? g_uri_get_host (parsed) : "?");

      bound = g_strdup_printf ("ws://%s:%u", host, port);
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
  /* the user's wish: no reconnecting */
  chat_mesh_target_forget (mesh, peer->id);
  if (peer->link != NULL)
    any_peer_disconnect (peer->link, "disconnected by user");
}

void
chat_mesh_say (ChatMesh   *mesh,
               const char *text)
{
  g_autoptr(ChatMessage) msg = chat_message_new (CHAT_KIND_ROOM);

  msg->mid = chat_message_new_mid ();
  msg->from = g_strdup (mesh->model->own_id);
  msg->nick = g_strdup (mesh->model->own_nick);
  msg->text = g_strdup (text);
  msg->ts = chat_mesh_now_ms ();
  chat_seen_add (mesh->seen, msg->mid);
  flood (mesh, msg, NULL);
  chat_window_add_line (mesh->model, chat_model_get_room (mesh->model), msg->ts,
                        CHAT_LINE_OWN, mesh->model->own_nick, text);
}

void
chat_mesh_set_nick (ChatMesh   *mesh,
                    const char *nick)
{
  g_autofree char *old = g_steal_pointer (&mesh->model->own_nick);

  mesh->model->own_nick = g_strdup (nick);
  update_auth_data (mesh);
  flood_presence (mesh, CHAT_PRESENCE_NICK, mesh->model->own_id, nick, old, NULL, NULL);
  chat_model_event (mesh->model, _("You are now known as %s"), nick);
}

gboolean
chat_mesh_verify (ChatMesh  *mesh,
                  ChatPeer  *peer,
                  GError   **error)
{
  g_autofree char *fingerprint = NULL;

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
  return mesh->in_flight == 0;
}
