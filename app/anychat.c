/* anychat.c: the peer-to-peer terminal chat: options, start, stop
 *
 *   anychat                      listen on ws://0.0.0.0:7420, open the UI
 *   anychat ws://HOST:PORT ...   connect too (and still listen)
 *
 * What can be wrong before the UI (a bad option or URI, a port in use,
 * an unreadable identity) is one line on stderr and exit status 1 or 2;
 * what goes wrong later is a notice line in the UI.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <locale.h>

#include "chat-app.h"
#include "chat-protocol.h"
#include "ui/chat-ui.h"

#define LISTEN_WAIT_MS 10000
#define STOP_WAIT_MS   1000

typedef struct {
  char   **listen;
  char    *cert;
  char    *key;
  char   **connect;
  char    *nick;
  char    *config;
  gboolean no_listen;
  gboolean version;
} Options;

static void
options_clear (Options *options)
{
  g_strfreev (options->listen);
  g_free (options->cert);
  g_free (options->key);
  g_strfreev (options->connect);
  g_free (options->nick);
  g_free (options->config);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Options, options_clear)

static void
on_stop_waited (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

static gboolean
on_quit_signal (gpointer user_data)
{
  ChatApp *app = user_data;

  chat_mesh_stop (app->mesh, "quit");
  chat_app_quit (app);
  return G_SOURCE_REMOVE;
}

static gboolean
parse_options (Options  *options,
               int      *argc,
               char   ***argv,
               GError  **error)
{
  const GOptionEntry entries[] = {
    { "listen", 'l', 0, G_OPTION_ARG_STRING_ARRAY, &options->listen,
      N_("Listen on URI instead of ws://0.0.0.0:7420 (repeatable)"), N_("URI") },
    { "cert", 0, 0, G_OPTION_ARG_FILENAME, &options->cert,
      N_("The certificate (PEM) that wss:// listening presents"), N_("FILE") },
    { "key", 0, 0, G_OPTION_ARG_FILENAME, &options->key, N_("The private key (PEM) of --cert"), N_("FILE") },
    { "connect", 'c', 0, G_OPTION_ARG_STRING_ARRAY, &options->connect,
      N_("Connect to URI (repeatable)"), N_("URI") },
    { "nick", 'n', 0, G_OPTION_ARG_STRING, &options->nick, N_("Use NAME as nick"), N_("NAME") },
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &options->config,
      N_("Read settings from FILE instead of ~/.config/anychat/anychat.conf"), N_("FILE") },
    { "no-listen", 0, 0, G_OPTION_ARG_NONE, &options->no_listen, N_("Do not listen, only connect"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &options->version, N_("Print the version and exit"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("[ws://HOST:PORT…] — peer-to-peer terminal chat"));

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context,
    _("anychat listens and connects at once: every instance is a peer of the mesh.\n"
      "Files: ~/.config/anychat/ (settings, identity, known peers), ~/.local/share/anychat/logs/."));
  return g_option_context_parse (context, argc, argv, error);
}

/* The command line wins over the settings file. */
static gboolean
apply_options (ChatConfig *config,
               Options    *options,
               int         argc,
               char      **argv,
               GError    **error)
{
  g_autoptr(GStrvBuilder) connect = g_strv_builder_new ();
  g_autofree char *nick = NULL;

  if (!chat_config_load (config, options->config, error))
    return FALSE;
  if (options->nick != NULL)
    {
      nick = chat_nick_sanitize (options->nick);
      if (nick == NULL || !g_str_equal (nick, options->nick))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("Bad nick “%s”: one word of at most %d bytes, without “/”"),
                       options->nick, CHAT_MAX_NICK_BYTES);
          return FALSE;
        }
      g_free (config->nick);
      config->nick = g_steal_pointer (&nick);
    }
  if (options->listen != NULL)
    {
      g_strfreev (config->listen);
      config->listen = g_strdupv (options->listen);
      config->listen_default = FALSE;
    }
  if (options->cert != NULL || options->key != NULL)
    {
      g_free (config->cert);
      g_free (config->key);
      config->cert = g_strdup (options->cert);
      config->key = g_strdup (options->key);
    }
  if (options->no_listen)
    {
      config->listen_default = FALSE;
      g_strfreev (config->listen);
      config->listen = g_new0 (char *, 1);
    }
  g_strv_builder_addv (connect, (const char **) config->connect);
  if (options->connect != NULL)
    g_strv_builder_addv (connect, (const char **) options->connect);
  for (int i = 1; i < argc; i++)
    g_strv_builder_add (connect, argv[i]);
  g_strfreev (config->connect);
  config->connect = g_strv_builder_end (connect);

  for (guint i = 0; config->listen[i] != NULL; i++)
    if (!chat_mesh_check_uri (config->listen[i], error))
      return FALSE;
  for (guint i = 0; config->connect[i] != NULL; i++)
    if (!chat_mesh_check_uri (config->connect[i], error))
      return FALSE;
  return TRUE;
}

/* First run: a new key pair, saved 0600. Later runs: the same one. */
static gboolean
load_identity (ChatConfig *config,
               AnySocket  *socket,
               GError    **error)
{
  g_autofree char *path = chat_config_path (config, "identity");

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return any_socket_load_identity (socket, path, error);
  any_socket_generate_identity (socket);
  return any_socket_save_identity (socket, path, error);
}

typedef struct {
  guint   pending;
  GError *error;
} ListenWait;

static void
on_listened (ChatMesh     *mesh,
             const char   *uri,
             const char   *bound_uri,
             const GError *error,
             gpointer      user_data)
{
  ListenWait *wait = user_data;

  wait->pending--;
  if (error != NULL && wait->error == NULL)
    wait->error = g_error_copy (error);
}

static gboolean
listen_one (ChatMesh   *mesh,
            const char *uri,
            GError    **error)
{
  ListenWait wait = { 1, NULL };
  gint64 deadline = g_get_monotonic_time () + LISTEN_WAIT_MS * 1000;

  chat_mesh_listen (mesh, uri, on_listened, &wait);
  while (wait.pending > 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  if (wait.error != NULL)
    {
      g_propagate_error (error, wait.error);
      return FALSE;
    }
  return TRUE;
}

/* The default port in use (another anychat of this user, most likely):
 * the next free one of the few after it, said in the room. */
#define DEFAULT_PORT_TRIES 20

static gboolean
listen_next_to_default (ChatMesh  *mesh,
                        ChatModel *model)
{
  for (int port = CHAT_DEFAULT_PORT + 1; port < CHAT_DEFAULT_PORT + DEFAULT_PORT_TRIES; port++)
    {
      g_autofree char *uri = g_strdup_printf ("ws://0.0.0.0:%d", port);

      if (listen_one (mesh, uri, NULL))
        {
          chat_model_notice (model, CHAT_LINE_INFO,
                             _("Port %d is in use (another anychat?): listening on port %d instead"),
                             CHAT_DEFAULT_PORT, port);
          return TRUE;
        }
    }
  return FALSE;
}

/* Listening is done before the UI so that a port in use is reported on
 * stderr, where the user still looks. */
static gboolean
listen_all (ChatMesh   *mesh,
            ChatModel  *model,
            ChatConfig *config,
            GError    **error)
{
  for (guint i = 0; config->listen[i] != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;
      gboolean in_use;

      if (listen_one (mesh, config->listen[i], &local_error))
        continue;
      in_use = g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
      if (in_use && config->listen_default && listen_next_to_default (mesh, model))
        continue;
      if (in_use)
        g_set_error (error, local_error->domain, local_error->code,
                     _("Cannot listen on %s: %s (try --listen ws://0.0.0.0:0 for any free port)"),
                     config->listen[i], local_error->message);
      else
        g_set_error (error, local_error->domain, local_error->code, _("Cannot listen on %s: %s"),
                     config->listen[i], local_error->message);
      return FALSE;
    }
  return TRUE;
}

static void
on_line_added (ChatModel  *model,
               ChatWindow *window,
               ChatLine   *line,
               gpointer    user_data)
{
  if (chat_log_append (user_data, window, line) == CHAT_RATE_DROP_FIRST)
    chat_model_notice (model, CHAT_LINE_WARNING,
                       _("%s writes more than the log keeps (%d KiB, then %d bytes a second): "
                         "their lines are shown but not logged for now"),
                       line->nick, CHAT_LOG_AUTHOR_BURST / 1024, CHAT_LOG_AUTHOR_PER_SECOND);
}

#define SCROLLBACK_FROM_LOG 200

/* The first run of a new identity starts on an empty screen: say where
 * this instance can be reached and how to reach others (command output,
 * so not logged). */
static void
welcome (ChatModel *model)
{
  ChatWindow *room = chat_model_get_room (model);

  chat_window_add_printf (model, room, CHAT_LINE_INFO,
                          _("Welcome to anychat, %s. This is the room: everyone linked to you, "
                            "directly or through others, reads what you type here."), model->own_nick);
  for (guint i = 0; i < model->listening->len; i++)
    chat_window_add_printf (model, room, CHAT_LINE_INFO,
                            _("Others reach you at %s (0.0.0.0: any address of this machine): "
                              "anychat --connect ws://HOST:PORT"),
                            (const char *) g_ptr_array_index (model->listening, i));
  if (model->listening->len == 0)
    chat_window_add_printf (model, room, CHAT_LINE_INFO, _("You do not listen: others cannot reach you."));
  chat_window_add_printf (model, room, CHAT_LINE_INFO,
                          _("Reach a peer with /connect ws://HOST:PORT. /help lists the commands, "
                            "/quit leaves."));
}

static void
on_window_opened (ChatModel  *model,
                  ChatWindow *window,
                  gpointer    user_data)
{
  chat_log_reload (user_data, window, SCROLLBACK_FROM_LOG);
}

int
main (int    argc,
      char **argv)
{
  g_auto(Options) options = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(ChatConfig) config = NULL;
  g_autoptr(ChatKnownPeers) known = NULL;
  g_autoptr(AnySocket) socket = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(ChatModel) model = NULL;
  g_autoptr(ChatMesh) mesh = NULL;
  g_autoptr(ChatLog) log = NULL;
  g_autoptr(ChatInput) input = NULL;
  g_autoptr(ChatUi) ui = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *uid = NULL;
  g_autofree char *known_path = NULL;
  g_autofree char *logs_dir = NULL;
  ChatApp app = { 0 };
  gboolean first_run = FALSE;
  gboolean stop_waited = FALSE;
  guint stop_timer;

  setlocale (LC_ALL, "");
  /* ANYCHAT_LOCALEDIR: the catalogues of a build tree, for its tests */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("ANYCHAT_LOCALEDIR") != NULL ? g_getenv ("ANYCHAT_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (!parse_options (&options, &argc, &argv, &error))
    {
      g_printerr ("anychat: %s\n", error->message);
      return 2;
    }
  if (options.version)
    {
      g_print ("anychat %s\n", PACKAGE_VERSION);
      return 0;
    }
  config = chat_config_new ();
  if (!apply_options (config, &options, argc, argv, &error))
    {
      g_printerr ("anychat: %s\n", error->message);
      return 2;
    }

  socket = any_socket_new ();
  certificate = chat_config_load_certificate (config->cert, config->key, &error);
  if (error != NULL)
    {
      g_printerr ("anychat: %s\n", error->message);
      return 2;
    }
  any_socket_set_tls_certificate (socket, certificate);
  if (!chat_config_ensure_dirs (config, &error) ||
      (uid = chat_config_ensure_uid (config, &first_run, &error)) == NULL ||
      !load_identity (config, socket, &error))
    {
      g_printerr ("anychat: %s\n", error->message);
      return 1;
    }
  known_path = chat_config_path (config, "known-peers");
  known = chat_known_peers_load (known_path);
  model = chat_model_new (any_socket_get_id (socket), config->nick);
  if (config->log)
    {
      logs_dir = g_build_filename (config->data_dir, "logs", NULL);
      log = chat_log_new (logs_dir);
      model->line_added = on_line_added;
      model->line_added_data = log;
      model->window_opened = on_window_opened;
      model->window_opened_data = log;
      /* the room is open from the start */
      chat_log_reload (log, chat_model_get_room (model), SCROLLBACK_FROM_LOG);
    }
  for (guint i = 0; config->ignore[i] != NULL; i++)
    g_ptr_array_add (model->ignored, g_strdup (config->ignore[i]));
  /* the rooms we were in: their windows (and logs) again; the hellos
   * tell the others */
  for (guint i = 0; config->rooms[i] != NULL; i++)
    {
      g_autofree char *room = chat_room_normalize (config->rooms[i]);

      if (room != NULL)
        chat_model_open_room (model, room);
    }
  mesh = chat_mesh_new (model, config, known, socket, uid);
  if (!listen_all (mesh, model, config, &error))
    {
      g_printerr ("anychat: %s\n", error->message);
      return 1;
    }

  if (first_run)
    welcome (model);

  loop = g_main_loop_new (NULL, FALSE);
  input = chat_input_new ();
  /* the input line holds what a peer accepts, no more (said when full) */
  input->limit = CHAT_MAX_TEXT_BYTES;
  app = (ChatApp) { config, known, model, mesh, log, input, NULL, loop };
  ui = chat_ui_new (&app, &error);
  if (ui == NULL)
    {
      g_printerr ("anychat: %s\n", error->message);
      return 1;
    }
  app.ui = ui;
  for (guint i = 0; config->connect[i] != NULL; i++)
    chat_mesh_connect (mesh, config->connect[i], TRUE);

  g_unix_signal_add (SIGINT, on_quit_signal, &app);
  g_unix_signal_add (SIGTERM, on_quit_signal, &app);
  g_main_loop_run (loop);

  g_clear_pointer (&ui, chat_ui_free);   /* the terminal back first */
  chat_mesh_stop (mesh, "quit");
  /* let the operations the stop cancelled call back while the mesh lives */
  stop_timer = g_timeout_add_once (STOP_WAIT_MS, on_stop_waited, &stop_waited);
  while (!chat_mesh_is_idle (mesh) && !stop_waited)
    g_main_context_iteration (NULL, TRUE);
  if (!stop_waited)
    g_source_remove (stop_timer);
  return 0;
}
