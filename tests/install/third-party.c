/* third-party.c: a program built against the installed libanysocket
 *
 * test-install.sh compiles it with nothing but
 * `pkg-config --cflags --libs libanysocket-1` pointed at a DESTDIR
 * install, so it may only use what a third party gets: <anysocket.h> and
 * the exported symbols. It listens on 127.0.0.1 port 0, connects a
 * second socket to it (one socket cannot link to itself: same id), asks
 * one request and checks the reply. Exit 0 on success.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <anysocket.h>

#define DEADLINE_S 20

/* The installed headers must carry the version and the generated enum
 * types, not only the functions. */
#if !defined(ANY_MAJOR_VERSION) || !defined(ANY_TYPE_E2E_MODE)
# error "the installed headers are incomplete"
#endif

typedef struct {
  GMainLoop *loop;
  AnySocket *client;
  char *reply;
  char *error;
} Run;

static void
finish (Run        *run,
        const char *what,
        GError     *error)
{
  if (error != NULL && run->error == NULL)
    run->error = g_strdup_printf ("%s: %s", what, error->message);
  g_main_loop_quit (run->loop);
}

static void
on_message (AnySocket *server,
            AnyPacket *packet,
            gpointer   user_data)
{
  g_autoptr(JsonNode) reply = json_from_string ("{\"answer\": 42}", NULL);

  any_packet_reply (packet, reply, NULL);
}

static void
on_reply (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPacket) reply = any_peer_request_finish (ANY_PEER (source), result, &error);

  if (reply != NULL)
    run->reply = json_to_string (any_packet_get_msg (reply), FALSE);
  finish (run, "request", error);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPeer) peer = any_socket_connect_finish (ANY_SOCKET (source), result, &error);
  g_autoptr(JsonNode) question = json_from_string ("{\"question\": \"?\"}", NULL);

  if (peer == NULL)
    {
      finish (run, "connect", error);
      return;
    }
  any_peer_request_async (peer, question, 5000, NULL, on_reply, run);
}

static void
on_listening (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;
  guint port = any_socket_listen_finish (ANY_SOCKET (source), result, &error);
  g_autofree char *uri = NULL;

  if (port == 0)
    {
      finish (run, "listen", error);
      return;
    }
  uri = g_strdup_printf ("ws://127.0.0.1:%u", port);
  any_socket_connect_async (run->client, uri, NULL, on_connected, run);
}

static gboolean
on_deadline (gpointer user_data)
{
  Run *run = user_data;

  run->error = g_strdup ("no reply within the deadline");
  g_main_loop_quit (run->loop);
  return G_SOURCE_REMOVE;
}

int
main (void)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(AnySocket) server = any_socket_new ();
  g_autoptr(AnySocket) client = any_socket_new ();
  Run run = { loop, client, NULL, NULL };
  int status;

  g_signal_connect (server, "message", G_CALLBACK (on_message), NULL);
  any_socket_listen_async (server, "ws://127.0.0.1:0", NULL, on_listening, &run);
  g_timeout_add_seconds (DEADLINE_S, on_deadline, &run);
  g_main_loop_run (loop);

  if (run.error != NULL)
    {
      fprintf (stderr, "third-party: %s\n", run.error);
      status = EXIT_FAILURE;
    }
  else if (g_strcmp0 (run.reply, "{\"answer\":42}") != 0)
    {
      fprintf (stderr, "third-party: unexpected reply %s\n", run.reply);
      status = EXIT_FAILURE;
    }
  else
    {
      g_autofree char *mode = g_enum_to_string (ANY_TYPE_E2E_MODE, ANY_E2E_MODE_NATIVE);

      printf ("third-party: libanysocket %d.%d.%d, reply %s, error domain %s, %s\n",
              ANY_MAJOR_VERSION, ANY_MINOR_VERSION, ANY_MICRO_VERSION, run.reply,
              g_quark_to_string (ANY_SOCKET_ERROR), mode);
      status = EXIT_SUCCESS;
    }

  g_free (run.reply);
  g_free (run.error);
  return status;
}
