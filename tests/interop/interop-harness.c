/* interop-harness.c: the libanysocket side of the interop cases, and
 * links between it and the JavaScript peer (interop-js-peer.c)
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "interop.h"

/* The libanysocket side */

static void
stream_item_clear (gpointer data)
{
  g_free (((StreamItem *) data)->s);
  g_free (((StreamItem *) data)->data_sha);
}

static gboolean
on_c_authenticate (AnySocket  *socket,
                   const char *peer_id,
                   JsonNode   *auth,
                   CSide      *c)
{
  JsonNode *copy = auth ? json_node_copy (auth) : json_node_new (JSON_NODE_NULL);

  g_ptr_array_add (c->auth_ids, g_strdup (peer_id));
  g_ptr_array_add (c->auths, copy);
  if (c->require_auth != NULL)
    return auth != NULL && json_node_equal (auth, c->require_auth);
  return TRUE;
}

static void
on_c_peer_e2e (AnyPeer *peer,
               CSide   *c)
{
  g_string_append_c (c->e2e_order, 'p');
}

static void
on_c_peer_e2e_mode (AnyPeer    *peer,
                    GParamSpec *pspec,
                    CSide      *c)
{
  g_string_append_c (c->e2e_order, 'n');
  c->e2e_mode_notified = any_peer_get_e2e_mode (peer);
}

static void
on_c_socket_e2e (AnySocket *socket,
                 AnyPeer   *peer,
                 CSide     *c)
{
  g_string_append_c (c->e2e_order, 's');
  c->e2e_signals++;
  c->e2e_peer = peer;
}

static void
on_c_connected (AnySocket *socket,
                AnyPeer   *peer,
                CSide     *c)
{
  g_ptr_array_add (c->connected, g_object_ref (peer));
  g_signal_connect (peer, "e2e", G_CALLBACK (on_c_peer_e2e), c);
  g_signal_connect (peer, "notify::e2e-mode", G_CALLBACK (on_c_peer_e2e_mode), c);
}

static void
on_c_disconnected (AnySocket  *socket,
                   AnyPeer    *peer,
                   const char *reason,
                   CSide      *c)
{
  if (verbose)
    note ("C side: %s disconnected: %s", any_peer_get_id (peer), reason);
  g_ptr_array_add (c->disconnected, g_strdup (reason));
}

static void
on_c_heartbeat (AnySocket *socket,
                AnyPeer   *peer,
                CSide     *c)
{
  c->heartbeats++;
}

static void
reply_object (AnyPacket  *packet,
              JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(GError) error = NULL;

  json_node_take_object (node, object);
  g_assert_true (any_packet_reply (packet, node, &error));
  g_assert_no_error (error);
}

static void
on_c_message (AnySocket *socket,
              AnyPacket *packet,
              CSide     *c)
{
  JsonNode *msg = any_packet_get_msg (packet);
  const char *op = NULL;

  g_assert_false (any_packet_is_reply (packet));
  g_assert_cmpint (any_packet_get_seq (packet), >, 0);

  if (JSON_NODE_HOLDS_OBJECT (msg))
    op = json_object_get_string_member_with_default (json_node_get_object (msg), "op", NULL);

  if (JSON_NODE_HOLDS_OBJECT (msg) &&
      json_object_has_member (json_node_get_object (msg), "s") &&
      json_object_has_member (json_node_get_object (msg), "i"))
    {
      JsonObject *object = json_node_get_object (msg);
      StreamItem item = {
        .s = g_strdup (json_object_get_string_member (object, "s")),
        .i = json_object_get_int_member (object, "i"),
        .mode = any_peer_get_e2e_mode (any_packet_get_peer (packet)),
      };
      const char *item_data = json_object_get_string_member_with_default (object, "data", NULL);

      if (item_data != NULL)
        {
          item.data_sha = sha256_hex (item_data);
          item.data_len = utf16_length (item_data);
        }

      g_array_append_val (c->streamed, item);
      return;
    }

  if (g_strcmp0 (op, "echo") == 0)
    {
      JsonObject *request = json_node_get_object (msg);
      JsonObject *answer = json_object_new ();

      json_object_set_member (answer, "echo", json_node_copy (json_object_get_member (request, "data")));
      json_object_set_member (answer, "i", json_node_copy (json_object_get_member (request, "i")));
      reply_object (packet, answer);
      c->echoes++;
    }
  else if (g_strcmp0 (op, "hash") == 0)
    {
      const char *data = json_object_get_string_member (json_node_get_object (msg), "data");
      JsonObject *answer = json_object_new ();
      g_autofree char *digest = sha256_hex (data);

      json_object_set_int_member (answer, "len", utf16_length (data));
      json_object_set_string_member (answer, "sha256", digest);
      g_free (c->hashed);
      c->hashed = g_strdup (data);
      reply_object (packet, answer);
    }
  else if (g_strcmp0 (op, "hold") == 0)
    {
      /* Kept as it came, checked by the test later: hashing 20 MiB in
       * the handler would block the main loop. */
      JsonObject *answer = json_object_new ();

      g_clear_pointer (&c->held, json_node_unref);
      c->held = json_node_ref (msg);
      json_object_set_boolean_member (answer, "held", TRUE);
      reply_object (packet, answer);
    }
  else
    g_queue_push_tail (&c->messages, json_node_copy (msg));
}

CSide *
c_side_new (guint       heartbeat_ms,
            const char *auth_json,
            const char *require_auth_json)
{
  CSide *c = g_new0 (CSide, 1);

  c->socket = any_socket_new ();
  g_assert_cmpuint (strlen (any_socket_get_id (c->socket)), ==, 32);
  any_socket_set_heartbeat_interval (c->socket, heartbeat_ms);
  if (auth_json != NULL)
    {
      g_autoptr(JsonNode) auth = json_checked (auth_json);
      g_object_set (c->socket, "auth-data", auth, NULL);
    }
  if (require_auth_json != NULL)
    c->require_auth = json_checked (require_auth_json);

  c->connected = g_ptr_array_new_with_free_func (g_object_unref);
  c->disconnected = g_ptr_array_new_with_free_func (g_free);
  c->auth_ids = g_ptr_array_new_with_free_func (g_free);
  c->auths = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_queue_init (&c->messages);
  c->e2e_order = g_string_new (NULL);
  c->streamed = g_array_new (FALSE, TRUE, sizeof (StreamItem));
  g_array_set_clear_func (c->streamed, stream_item_clear);

  g_signal_connect (c->socket, "authenticate", G_CALLBACK (on_c_authenticate), c);
  g_signal_connect (c->socket, "e2e", G_CALLBACK (on_c_socket_e2e), c);
  g_signal_connect (c->socket, "connected", G_CALLBACK (on_c_connected), c);
  g_signal_connect (c->socket, "disconnected", G_CALLBACK (on_c_disconnected), c);
  g_signal_connect (c->socket, "heartbeat", G_CALLBACK (on_c_heartbeat), c);
  g_signal_connect (c->socket, "message", G_CALLBACK (on_c_message), c);
  return c;
}

void
c_side_listen (CSide *c)
{
  c->port = listen_local (c->socket);
}

void
c_side_free (CSide *c)
{
  if (c == NULL)
    return;

  g_clear_handle_id (&c->stream_source, g_source_remove);
  g_clear_object (&c->stream_peer);
  any_socket_stop (c->socket);
  g_signal_handlers_disconnect_by_data (c->socket, c);
  for (guint i = 0; i < c->connected->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (c->connected, i), c);
  g_clear_object (&c->socket);
  g_ptr_array_unref (c->connected);
  g_ptr_array_unref (c->disconnected);
  g_ptr_array_unref (c->auth_ids);
  g_ptr_array_unref (c->auths);
  g_queue_clear_full (&c->messages, (GDestroyNotify) json_node_unref);
  g_clear_pointer (&c->require_auth, json_node_unref);
  g_free (c->hashed);
  g_clear_pointer (&c->held, json_node_unref);
  g_string_free (c->e2e_order, TRUE);
  g_array_unref (c->streamed);
  g_free (c->stream_name);
  g_free (c);
}

guint
count_peers (CSide *c)
{
  g_autoptr(GList) peers = any_socket_get_peers (c->socket);

  return g_list_length (peers);
}

/* A link between the two sides */

/* Connects the C side @c (taken) and a JavaScript side (options
 * @js_args) in direction @dir, and checks both see each other. */
Link *
link_open_with (Direction           dir,
                CSide              *c,
                const char * const *js_args,
                gboolean            wss_first)
{
  Link *link = g_new0 (Link, 1);
  g_autoptr(JsonNode) connected = NULL;
  g_autoptr(GError) error = NULL;

  link->dir = dir;
  link->c = c;

  if (dir == DIR_JS_SERVER)
    {
      link->js = js_spawn ("server", 0, js_args);
      link->peer = connect_local (link->c->socket, link->js->port, &error);
      g_assert_no_error (error);
      g_assert_true (ANY_IS_PEER (link->peer));
    }
  else
    {
      c_side_listen (link->c);
      link->js = js_spawn_full ("client", link->c->port, js_args, wss_first);
      if (!WAIT_FOR (link->c->connected->len > 0, 5000))
        g_error ("The JavaScript client did not connect within 5 s%s", wss_first ?
                 ": it tries wss:// first, and a plain server must make that attempt"
                 " fail (close on the TLS ClientHello) for it to fall back to ws://" : "");
      link->peer = g_object_ref (g_ptr_array_index (link->c->connected, 0));
    }

  connected = js_expect (link->js, "connected", 10000);
  g_assert_cmpstr (msg_string (connected, "id"), ==, any_socket_get_id (link->c->socket));
  g_assert_cmpstr (any_peer_get_id (link->peer), ==, link->js->id);
  g_assert_true (any_peer_is_connected (link->peer));
  g_assert_cmpuint (link->c->connected->len, ==, 1);
  return link;
}

/* Connects a C side (heartbeat @heartbeat_ms) and a JavaScript side
 * (options @js_args) in direction @dir, and checks both see each other. */
Link *
link_open_full (Direction           dir,
                guint               heartbeat_ms,
                const char * const *js_args,
                gboolean            wss_first)
{
  return link_open_with (dir, c_side_new (heartbeat_ms, NULL, NULL), js_args, wss_first);
}

Link *
link_open (Direction           dir,
           guint               heartbeat_ms,
           const char * const *js_args)
{
  return link_open_full (dir, heartbeat_ms, js_args, TRUE);
}

void
link_close (Link *link)
{
  js_free (link->js);
  g_clear_object (&link->peer);
  c_side_free (link->c);
  g_free (link);
}
