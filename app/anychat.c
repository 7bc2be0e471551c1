/* anychat.c: until the chat exists (issue 5), a peer that listens and/or
 * connects, prints what happens and answers every request with an echo.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <locale.h>
#include <anysocket.h>

#define ANYCHAT_DEFAULT_PORT 7420

static char *
node_to_string (JsonNode *node)
{
  return json_to_string (node, FALSE);
}

static void
on_connected (AnySocket *socket, AnyPeer *peer, gpointer user_data)
{
  g_print (_("connected: %s (%s)\n"), any_peer_get_id (peer),
           any_peer_get_remote_address (peer) ? any_peer_get_remote_address (peer) : "?");
}

static void
on_message (AnySocket *socket, AnyPacket *packet, gpointer user_data)
{
  g_autofree char *text = node_to_string (any_packet_get_msg (packet));
  g_autoptr(GError) error = NULL;

  g_print (_("message from %s: %s\n"), any_peer_get_id (any_packet_get_peer (packet)), text);
  if (!any_packet_reply (packet, any_packet_get_msg (packet), &error))
    g_printerr ("%s\n", error->message);
}

static void
on_heartbeat (AnySocket *socket, AnyPeer *peer, gpointer user_data)
{
  g_print (_("lag of %s: %d ms\n"), any_peer_get_id (peer), any_peer_get_lag (peer));
}

static void
on_disconnected (AnySocket *socket, AnyPeer *peer, const char *reason, gpointer user_data)
{
  g_print (_("disconnected: %s (%s)\n"), any_peer_get_id (peer), reason);
}

static void
on_listening (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = user_data;
  guint port = any_socket_listen_finish (ANY_SOCKET (source), result, &error);

  if (port == 0)
    g_printerr (_("Cannot listen on %s: %s\n"), uri, error->message);
  else
    g_print (_("listening on %s (port %u) as %s\n"), uri, port, any_socket_get_id (ANY_SOCKET (source)));
}

static void
on_connect_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = user_data;
  g_autoptr(AnyPeer) peer = any_socket_connect_finish (ANY_SOCKET (source), result, &error);

  if (peer == NULL)
    g_printerr (_("Cannot connect to %s: %s\n"), uri, error->message);
}

static gboolean
on_quit_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

int
main (int argc, char **argv)
{
  g_auto(GStrv) listen = NULL;
  g_auto(GStrv) connect = NULL;
  gboolean no_listen = FALSE, version = FALSE;
  GOptionEntry entries[] = {
    { "listen", 'l', 0, G_OPTION_ARG_STRING_ARRAY, &listen, N_("Listen on URI (repeatable)"), "URI" },
    { "connect", 'c', 0, G_OPTION_ARG_STRING_ARRAY, &connect, N_("Connect to URI (repeatable)"), "URI" },
    { "no-listen", 0, 0, G_OPTION_ARG_NONE, &no_listen, N_("Do not listen"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Print the version"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AnySocket) socket = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *default_listen = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new (_("[ws://HOST:PORT...] - AnySocket peer"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (version)
    {
      g_print ("anychat %s\n", PACKAGE_VERSION);
      return 0;
    }

  loop = g_main_loop_new (NULL, FALSE);
  socket = any_socket_new ();
  g_signal_connect (socket, "connected", G_CALLBACK (on_connected), NULL);
  g_signal_connect (socket, "message", G_CALLBACK (on_message), NULL);
  g_signal_connect (socket, "heartbeat", G_CALLBACK (on_heartbeat), NULL);
  g_signal_connect (socket, "disconnected", G_CALLBACK (on_disconnected), NULL);

  default_listen = g_strdup_printf ("ws://0.0.0.0:%d", ANYCHAT_DEFAULT_PORT);
  if (!no_listen)
    {
      if (listen == NULL)
        any_socket_listen_async (socket, default_listen, NULL, on_listening, g_strdup (default_listen));
      for (guint i = 0; listen != NULL && listen[i] != NULL; i++)
        any_socket_listen_async (socket, listen[i], NULL, on_listening, g_strdup (listen[i]));
    }
  for (guint i = 0; connect != NULL && connect[i] != NULL; i++)
    any_socket_connect_async (socket, connect[i], NULL, on_connect_done, g_strdup (connect[i]));
  for (int i = 1; i < argc; i++)
    any_socket_connect_async (socket, argv[i], NULL, on_connect_done, g_strdup (argv[i]));

  g_unix_signal_add (SIGINT, on_quit_signal, loop);
  g_unix_signal_add (SIGTERM, on_quit_signal, loop);
  g_main_loop_run (loop);
  any_socket_stop (socket);
  return 0;
}
