/* chat-commands.c: the one table of commands
 *
 * Each row gives a command's name, arguments, help and what completes
 * its first argument; /help, Tab completion and the argument checks all
 * read the same row, so they cannot disagree. The last argument of a
 * command takes the rest of the line (/msg PEER TEXT, /quit [reason]).
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "chat-commands.h"
#include "chat-commands-private.h"
#include "chat-protocol.h"

typedef enum {
  COMPLETE_NOTHING,
  COMPLETE_PEER,
  COMPLETE_COMMAND,
  COMPLETE_ROOM,
  COMPLETE_IGNORED,
  COMPLETE_OFFER,      /* an offer waiting for our answer */
  COMPLETE_TRANSFER,
} Completion;

typedef gboolean (*CommandFunc) (ChatApp  *app,
                                 char    **args,
                                 GError  **error);

typedef struct {
  const char *name;
  const char *args;        /* for the usage line */
  const char *help;
  guint       min_args;
  guint       max_args;
  gboolean    rest;        /* the last argument takes the rest of the line */
  Completion  completion;
  CommandFunc run;
} Command;

static const Command *find_command (const char *name);
static const Command commands[];

/* gettext ("") is the catalogue's header ("Project-Id-Version: ..."),
 * not an empty string: commands without arguments have "" there. */
static const char *
translate (const char *text)
{
  return *text != '\0' ? _(text) : "";
}

static void
print_usage (ChatApp       *app,
             const Command *command)
{
  info (app, _("Usage: /%s %s — %s"), command->name, translate (command->args), translate (command->help));
}

static gboolean
cmd_help (ChatApp  *app,
          char    **args,
          GError  **error)
{
  if (args[0] != NULL)
    {
      const Command *command = find_command (g_str_has_prefix (args[0], "/") ? args[0] + 1 : args[0]);

      if (command == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("No command “%s”"), args[0]);
          return FALSE;
        }
      print_usage (app, command);
      return TRUE;
    }
  info (app, _("Commands (Tab completes, PgUp/PgDn scroll, Alt+1..9 or Ctrl+N/Ctrl+P switch windows):"));
  for (const Command *command = commands; command->name != NULL; command++)
    info (app, "  /%s %s — %s", command->name, translate (command->args), translate (command->help));
  info (app, _("Peer list: ! plain, ~ compat E2E, ? native E2E unverified, ✓ verified, · not linked; = direct, >N a mesh node N hops away; z away"));
  info (app, _("Paste: several lines are sent only after y (n drops them), as text; a line holds %d bytes. "
               "[anychat] mouse=true: the wheel scrolls, a click on a window's name shows it"), CHAT_MAX_TEXT_BYTES);
  info (app, _("Files: /send offers one, the other side /accept's it into %s ([anychat] downloads=); "
               "offers over max-file-mib are refused"),
        chat_transfers_get_download_dir (chat_mesh_get_transfers (app->mesh)));
  info (app, _("A message that names you is highlighted, counted as @N beside the window's unread count, and rings "
               "the bell, as every private message does ([anychat] bell=false in the settings file: no bell)"));
  info (app, _("The room and private messages go over the mesh, end to end, any number of hops. Nicks are "
               "labels: two peers with one nick show as nick#abcd (their key's start), and /msg nick asks which. "
               "A line to a peer that is gone is (queued) and goes when it is back"));
  return TRUE;
}

static void
on_listen_done (ChatMesh     *mesh,
                const char   *uri,
                const char   *bound_uri,
                const GError *error,
                gpointer      user_data)
{
  ChatApp *app = user_data;

  if (error != NULL)
    chat_model_notice (app->model, CHAT_LINE_ERROR, _("Cannot listen on %s: %s"), uri, error->message);
  else
    chat_model_notice (app->model, CHAT_LINE_INFO, _("Listening on %s"), bound_uri);
}

static gboolean
cmd_listen (ChatApp  *app,
            char    **args,
            GError  **error)
{
  g_autoptr(GTlsCertificate) certificate = NULL;

  if (!chat_mesh_check_uri (args[0], error))
    return FALSE;
  /* /listen wss://HOST:PORT CERT KEY: the certificate of this and later
   * wss:// listening. */
  if (args[1] != NULL)
    {
      certificate = chat_config_load_certificate (args[1], args[2], error);
      if (certificate == NULL)
        return FALSE;
      any_socket_set_tls_certificate (chat_mesh_get_socket (app->mesh), certificate);
    }
  chat_mesh_listen (app->mesh, args[0], on_listen_done, app);
  return TRUE;
}

static gboolean
cmd_connect (ChatApp  *app,
             char    **args,
             GError  **error)
{
  if (!chat_mesh_check_uri (args[0], error))
    return FALSE;
  if (chat_mesh_is_own_address (app->mesh, args[0]))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("%s is this instance's own address: give another peer's"), args[0]);
      return FALSE;
    }
  info (app, _("Connecting to %s…"), args[0]);
  chat_mesh_connect (app->mesh, args[0], FALSE);
  return TRUE;
}

static ChatPeer *
direct_peer (ChatApp    *app,
             const char *name,
             GError    **error)
{
  ChatPeer *peer = chat_model_find_peer (app->model, name, error);

  if (peer != NULL && peer->link == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, _("%s is not linked to us"), peer->nick);
      return NULL;
    }
  return peer;
}

static gboolean
cmd_disconnect (ChatApp  *app,
                char    **args,
                GError  **error)
{
  ChatPeer *peer = direct_peer (app, args[0], error);

  if (peer == NULL)
    return FALSE;
  chat_mesh_disconnect (app->mesh, peer);
  return TRUE;
}

static gboolean
cmd_reconnect (ChatApp  *app,
               char    **args,
               GError  **error)
{
  return chat_mesh_reconnect (app->mesh, args[0], error);
}

static gboolean
cmd_nick (ChatApp  *app,
          char    **args,
          GError  **error)
{
  g_autofree char *nick = chat_nick_sanitize (args[0]);
  g_autoptr(GError) local_error = NULL;

  if (nick == NULL || !g_str_equal (nick, args[0]))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("A nick is one word of at most %d bytes, without “/”"), CHAT_MAX_NICK_BYTES);
      return FALSE;
    }
  chat_mesh_set_nick (app->mesh, nick);
  if (!chat_config_save_nick (app->config, nick, &local_error))
    chat_model_notice (app->model, CHAT_LINE_ERROR, _("Your nick is %s until you quit: %s"),
                       nick, local_error->message);
  return TRUE;
}

static gboolean
cmd_msg (ChatApp  *app,
         char    **args,
         GError  **error)
{
  ChatPeer *peer = chat_model_find_peer (app->model, args[0], error);

  if (peer == NULL)
    return FALSE;
  /* the message goes to the peer's window: say so where we typed it */
  if (chat_model_get_active (app->model)->peer_id == NULL ||
      !g_str_equal (chat_model_get_active (app->model)->peer_id, peer->id))
    {
      g_autofree char *label = chat_model_peer_label (app->model, peer);

      info (app, "→ %s: %s", label, args[1]);
    }
  chat_mesh_send_private (app->mesh, peer, args[1], FALSE);
  chat_commands_say_if_away (app, peer);
  return TRUE;
}

static gboolean
cmd_query (ChatApp  *app,
           char    **args,
           GError  **error)
{
  ChatPeer *peer = chat_model_find_peer (app->model, args[0], error);
  ChatWindow *window;

  if (peer == NULL)
    return FALSE;
  window = chat_model_open_window (app->model, peer);
  for (guint i = 0; i < app->model->windows->len; i++)
    if (g_ptr_array_index (app->model->windows, i) == window)
      chat_model_set_active (app->model, i);
  return TRUE;
}

static gboolean
cmd_close (ChatApp  *app,
           char    **args,
           GError  **error)
{
  if (app->model->active == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("The room cannot be closed"));
      return FALSE;
    }
  if (chat_model_get_active (app->model)->room != NULL)
    return cmd_part (app, args, error);
  chat_model_close_window (app->model, app->model->active);
  return TRUE;
}

static gboolean
cmd_win (ChatApp  *app,
         char    **args,
         GError  **error)
{
  guint64 n;

  if (!g_ascii_string_to_unsigned (args[0], 10, 1, app->model->windows->len, &n, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("No window %s (there are %u)"), args[0], app->model->windows->len);
      return FALSE;
    }
  chat_model_set_active (app->model, n - 1);
  return TRUE;
}

static char *
describe_route (ChatApp  *app,
                ChatPeer *peer)
{
  ChatPeer *hub = chat_model_get_peer (app->model, peer->hub);

  if (chat_peer_is_direct (peer))
    return g_strdup (_("direct"));
  if (peer->link == NULL && peer->node_id != NULL)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "mesh, %u hop via %s", "mesh, %u hops via %s",
                                         peer->hops),
                            peer->hops, hub != NULL ? hub->nick : "?");
  if (peer->link != NULL)
    {
      hub = chat_mesh_get_link_hub (app->mesh, peer);
      return g_strdup_printf (_("proxied via %s"), hub != NULL ? hub->nick : "?");
    }
  return g_strdup_printf (_("via %s"), hub != NULL ? hub->nick : _("unknown hub"));
}

static gboolean
cmd_peers (ChatApp  *app,
           char    **args,
           GError  **error)
{
  g_autoptr(GPtrArray) peers = chat_model_sorted_peers (app->model);

  info (app, g_dngettext (GETTEXT_PACKAGE, "%u peer:", "%u peers:", peers->len), peers->len);
  for (guint i = 0; i < peers->len; i++)
    {
      ChatPeer *peer = g_ptr_array_index (peers, i);
      g_autofree char *route = describe_route (app, peer);

      info (app, "  %s %s %.8s %s, %s%s", chat_badge_symbol (chat_peer_get_badge (peer)), peer->nick,
            peer->id, route, chat_badge_name (chat_peer_get_badge (peer)), peer->away != NULL ? _(", away") : "");
    }
  return TRUE;
}

static gboolean
cmd_whois (ChatApp  *app,
           char    **args,
           GError  **error)
{
  ChatPeer *peer = chat_model_find_peer (app->model, args[0], error);
  g_autofree char *route = NULL;
  g_autofree char *fingerprint = NULL;
  const char *address;

  if (peer == NULL)
    return FALSE;
  route = describe_route (app, peer);
  fingerprint = chat_mesh_dup_link_fingerprint (app->mesh, peer);
  address = chat_mesh_get_link_address (app->mesh, peer);
  info (app, _("%s: id %s"), peer->nick, peer->id);
  info (app, _("  identity: %s"), peer->uid != NULL ? peer->uid : _("(none announced)"));
  info (app, _("  address: %s"), address != NULL ? address : "-");
  if (peer->lag >= 0)
    info (app, _("  lag: %d ms"), peer->lag);
  else
    info (app, _("  lag: unknown"));
  info (app, _("  E2E: %s"), chat_badge_name (chat_peer_get_badge (peer)));
  info (app, _("  fingerprint: %s"), fingerprint != NULL ? fingerprint : "-");
  info (app, _("  route: %s"), route);
  if (peer->away != NULL)
    info (app, _("  away: %s"), *peer->away != '\0' ? peer->away : _("(no message)"));
  if (peer->rooms != NULL && peer->rooms[0] != NULL)
    {
      g_autofree char *rooms = g_strjoinv (" ", peer->rooms);

      info (app, _("  rooms: %s"), rooms);
    }
  return TRUE;
}

static gboolean
cmd_e2e (ChatApp  *app,
         char    **args,
         GError  **error)
{
  ChatPeer *peer = direct_peer (app, args[0], error);

  if (peer == NULL)
    return FALSE;
  if (chat_mesh_start_e2e (app->mesh, peer))
    info (app, _("Switching the link with %s to E2E…"), peer->nick);
  else
    info (app, _("%s: %s"), peer->nick, chat_badge_name (chat_peer_get_badge (peer)));
  return TRUE;
}

static gboolean
cmd_verify (ChatApp  *app,
            char    **args,
            GError  **error)
{
  ChatPeer *peer = chat_model_find_peer (app->model, args[0], error);
  g_autofree char *own = NULL;
  g_autofree char *theirs = NULL;

  if (peer == NULL)
    return FALSE;
  if (peer->link == NULL && peer->node_id == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, _("%s is not linked to us"), peer->nick);
      return FALSE;
    }
  theirs = chat_mesh_dup_link_fingerprint (app->mesh, peer);
  if (args[1] != NULL && !g_str_equal (args[1], "yes"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Usage: /verify PEER, then /verify PEER yes"));
      return FALSE;
    }
  /* Marked only once the user said the fingerprints match, and only
   * those that were shown: a key that changed since is shown again. */
  if (args[1] != NULL && theirs != NULL && g_strcmp0 (peer->shown_fingerprint, theirs) == 0)
    {
      if (!chat_mesh_verify (app->mesh, peer, error))
        return FALSE;
      info (app, _("%s is now marked verified"), peer->nick);
      return TRUE;
    }
  if (theirs == NULL)
    return chat_mesh_verify (app->mesh, peer, error);   /* says why there is nothing to verify */
  /* a node of the mesh: the fingerprints of the two signing keys */
  own = peer->link == NULL ? chat_mesh_dup_own_node_fingerprint (app->mesh)
                           : chat_mesh_dup_own_fingerprint (app->mesh);
  g_free (peer->shown_fingerprint);
  peer->shown_fingerprint = g_strdup (theirs);
  info (app, _("Compare these out of band (read them aloud):"));
  info (app, _("  yours:  %s"), own);
  info (app, _("  %s: %s"), peer->nick, theirs);
  info (app, _("If they match, type /verify %s yes"), peer->nick);
  return TRUE;
}

/* A known peer came back with another key and was refused: /trust shows
 * both fingerprints, /trust PEER yes remembers the new key instead (the
 * next link with it is accepted, unverified). */
static gboolean
cmd_trust (ChatApp  *app,
           char    **args,
           GError  **error)
{
  g_autofree char *known = NULL;
  g_autofree char *presented = NULL;

  if (args[1] != NULL && !g_str_equal (args[1], "yes"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Usage: /trust PEER, then /trust PEER yes"));
      return FALSE;
    }
  if (!chat_mesh_changed_key (app->mesh, args[0], &known, &presented, error))
    return FALSE;
  if (args[1] == NULL)
    {
      info (app, _("%s came back with another key. Ask them, out of band, which is theirs:"), args[0]);
      info (app, _("  known:     %s"), known != NULL ? known : "?");
      info (app, _("  presented: %s"), presented);
      info (app, _("If they confirm the new one, type /trust %s yes"), args[0]);
      return TRUE;
    }
  if (!chat_mesh_trust_changed_key (app->mesh, args[0], error))
    return FALSE;
  info (app, _("The new key of %s is remembered: its next link is accepted (unverified)"), args[0]);
  return TRUE;
}

static gboolean
cmd_quit (ChatApp  *app,
          char    **args,
          GError  **error)
{
  chat_mesh_stop (app->mesh, args[0] != NULL ? args[0] : "quit");
  chat_app_quit (app);
  return TRUE;
}

static const Command commands[] = {
  { "help", N_("[COMMAND]"), N_("list the commands, or explain one"), 0, 1, FALSE, COMPLETE_COMMAND, cmd_help },
  { "connect", N_("URI"), N_("connect to a peer (ws://HOST:PORT)"), 1, 1, FALSE, COMPLETE_NOTHING, cmd_connect },
  { "listen", N_("URI [CERT KEY]"), N_("listen on one more address (ws://HOST:PORT; wss:// with a certificate and its key)"), 1, 3, FALSE, COMPLETE_NOTHING, cmd_listen },
  { "disconnect", N_("PEER"), N_("drop the link with a peer (no reconnecting)"), 1, 1, FALSE, COMPLETE_PEER, cmd_disconnect },
  { "reconnect", N_("PEER"), N_("dial again a peer whose link a user dropped"), 1, 1, FALSE, COMPLETE_NOTHING, cmd_reconnect },
  { "nick", N_("NAME"), N_("change your nick"), 1, 1, FALSE, COMPLETE_NOTHING, cmd_nick },
  { "msg", N_("PEER TEXT"), N_("send a private message"), 2, 2, TRUE, COMPLETE_PEER, cmd_msg },
  { "query", N_("PEER"), N_("open a private window with a peer"), 1, 1, FALSE, COMPLETE_PEER, cmd_query },
  { "close", "", N_("close this private window"), 0, 0, FALSE, COMPLETE_NOTHING, cmd_close },
  { "win", N_("N"), N_("go to window N"), 1, 1, FALSE, COMPLETE_NOTHING, cmd_win },
  { "peers", "", N_("list the peers"), 0, 0, FALSE, COMPLETE_NOTHING, cmd_peers },
  { "whois", N_("PEER"), N_("id, address, lag, E2E mode, fingerprint, route of a peer"), 1, 1, FALSE, COMPLETE_PEER, cmd_whois },
  { "e2e", N_("PEER"), N_("switch the link with a peer to E2E, or show its mode"), 1, 1, FALSE, COMPLETE_PEER, cmd_e2e },
  { "verify", N_("PEER [yes]"), N_("show both fingerprints to compare; with yes, mark the peer verified"), 1, 2, FALSE, COMPLETE_PEER, cmd_verify },
  { "trust", N_("PEER [yes]"), N_("show a known peer's refused new key; with yes, accept it"), 1, 2, FALSE, COMPLETE_NOTHING, cmd_trust },
  { "join", N_("#ROOM"), N_("join a room (a window of its own; others see you in it)"), 1, 1, FALSE, COMPLETE_ROOM, cmd_join },
  { "part", N_("[#ROOM]"), N_("leave this room, or ROOM (the default room stays)"), 0, 1, FALSE, COMPLETE_ROOM, cmd_part },
  { "rooms", "", N_("the rooms known in the mesh, their members and topics"), 0, 0, FALSE, COMPLETE_NOTHING, cmd_rooms },
  { "topic", N_("[TEXT]"), N_("show this room's topic, or set it (“-” clears it)"), 0, 1, TRUE, COMPLETE_NOTHING, cmd_topic },
  { "me", N_("ACTION"), N_("say what you do (“* nick ACTION”)"), 1, 1, TRUE, COMPLETE_NOTHING, cmd_me },
  { "away", N_("[TEXT]"), N_("mark yourself away (shown in peer lists and /whois); alone, come back"), 0, 1, TRUE, COMPLETE_NOTHING, cmd_away },
  { "back", "", N_("you are back (no longer away)"), 0, 0, FALSE, COMPLETE_NOTHING, cmd_back },
  { "ignore", N_("[PEER]"), N_("hide a peer's room and private messages (saved); alone, list who is ignored"), 0, 1, FALSE, COMPLETE_PEER, cmd_ignore },
  { "unignore", N_("PEER"), N_("show a peer's messages again"), 1, 1, FALSE, COMPLETE_IGNORED, cmd_unignore },
  { "clear", "", N_("empty this window (its log stays)"), 0, 0, FALSE, COMPLETE_NOTHING, cmd_clear },
  { "search", N_("[TEXT]"), N_("find TEXT in this window, going up; again, or n/N, for the next"), 0, 1, TRUE, COMPLETE_NOTHING, cmd_search },
  { "send", N_("PEER PATH"), N_("offer a file to PEER (end-to-end encrypted links only; SHA-256 checked)"), 2, 2, TRUE, COMPLETE_PEER, cmd_send },
  { "accept", N_("[N]"), N_("take the file offered (the newest, or transfer N) into the download folder"), 0, 1, FALSE, COMPLETE_OFFER, cmd_accept },
  { "reject", N_("[N]"), N_("refuse the file offered (the newest, or transfer N)"), 0, 1, FALSE, COMPLETE_OFFER, cmd_reject },
  { "cancel", N_("[N]"), N_("stop a file transfer, either way (the only one, or transfer N)"), 0, 1, FALSE, COMPLETE_TRANSFER, cmd_cancel },
  { "transfers", "", N_("the file transfers, their progress, and the download folder"), 0, 0, FALSE, COMPLETE_NOTHING, cmd_transfers },
  { "quit", N_("[REASON]"), N_("leave anychat"), 0, 1, TRUE, COMPLETE_NOTHING, cmd_quit },
  { NULL }
};

static const Command *
find_command (const char *name)
{
  for (const Command *command = commands; command->name != NULL; command++)
    if (g_str_equal (command->name, name))
      return command;
  return NULL;
}

/* Words separated by spaces; with @rest, "a  b c d" and max 2 give
 * ["a", "b c d"]. More words than @max_args give more arguments, which
 * the caller refuses. */
static GPtrArray *
split_args (const char *text,
            guint       max_args,
            gboolean    rest)
{
  GPtrArray *args = g_ptr_array_new_with_free_func (g_free);
  const char *p = text;

  while (*p == ' ')
    p++;
  while (*p != '\0')
    {
      const char *end = rest && args->len + 1 == max_args ? p + strlen (p) : strchr (p, ' ');

      if (end == NULL)
        end = p + strlen (p);
      g_ptr_array_add (args, g_strstrip (g_strndup (p, end - p)));
      p = end;
      while (*p == ' ')
        p++;
    }
  return args;
}

static void
run_command (ChatApp    *app,
             const char *line)
{
  g_autofree char *name = NULL;
  const char *rest = strchr (line, ' ');
  const Command *command;
  g_autoptr(GPtrArray) args = NULL;
  g_autoptr(GError) error = NULL;

  name = rest != NULL ? g_strndup (line + 1, rest - line - 1) : g_strdup (line + 1);
  command = find_command (name);
  if (command == NULL)
    {
      chat_model_notice (app->model, CHAT_LINE_ERROR, _("Unknown command /%s (try /help)"), name);
      return;
    }
  args = split_args (rest != NULL ? rest : "", command->max_args, command->rest);
  if (args->len < command->min_args || args->len > command->max_args)
    {
      chat_model_notice (app->model, CHAT_LINE_ERROR, _("Usage: /%s %s"), command->name, _(command->args));
      return;
    }
  g_ptr_array_add (args, NULL);
  if (!command->run (app, (char **) args->pdata, &error))
    chat_model_notice (app->model, CHAT_LINE_ERROR, "/%s: %s", command->name, error->message);
}

/* Enter in the input line: a command, or words for the active window.
 * "//text" says "/text". */
void
chat_commands_submit (ChatApp    *app,
                      const char *line)
{
  ChatWindow *window = chat_model_get_active (app->model);
  ChatPeer *peer;

  if (*line == '\0')
    return;
  if (line[0] == '/' && line[1] != '/')
    {
      run_command (app, line);
      return;
    }
  if (line[0] == '/')
    line++;
  if (window->peer_id == NULL)
    {
      chat_mesh_say (app->mesh, window->room, line, FALSE);
      return;
    }
  peer = chat_model_get_peer (app->model, window->peer_id);
  if (peer == NULL && chat_mesh_queue_private (app->mesh, window, line, FALSE))
    return;   /* kept until its node comes back */
  if (peer == NULL)
    chat_model_notice (app->model, CHAT_LINE_ERROR, _("%s is gone"), window->name);
  else
    {
      chat_mesh_send_private (app->mesh, peer, line, FALSE);
      chat_commands_say_if_away (app, peer);
    }
}

static void
add_if_prefix (GPtrArray  *candidates,
               const char *candidate,
               const char *prefix,
               const char *suffix)
{
  if (g_str_has_prefix (candidate, prefix))
    g_ptr_array_add (candidates, g_strconcat (candidate, suffix, NULL));
}

static void
complete_peers (ChatApp    *app,
                GPtrArray  *candidates,
                const char *word,
                const char *suffix)
{
  g_autoptr(GPtrArray) peers = chat_model_sorted_peers (app->model);

  for (guint i = 0; i < peers->len; i++)
    add_if_prefix (candidates, ((ChatPeer *) g_ptr_array_index (peers, i))->nick, word, suffix);
}

/* Tab: command names first, then what the command's row says, and
 * nicks in plain text ("nick: " at the start of a line). */
GPtrArray *
chat_commands_complete (const char *line,
                        gsize       word_start,
                        const char *word,
                        gpointer    user_data)
{
  ChatApp *app = user_data;
  GPtrArray *candidates = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *first = NULL;
  const Command *command;
  const char *arg;

  if (line[0] != '/')
    {
      complete_peers (app, candidates, word, word_start == 0 ? ":" : "");
      return candidates;
    }
  if (word_start == 0)
    {
      for (command = commands; command->name != NULL; command++)
        add_if_prefix (candidates, command->name, word + 1, "");
      for (guint i = 0; i < candidates->len; i++)
        {
          char *with_slash = g_strconcat ("/", g_ptr_array_index (candidates, i), NULL);

          g_free (g_ptr_array_index (candidates, i));
          g_ptr_array_index (candidates, i) = with_slash;
        }
      return candidates;
    }
  first = g_strndup (line + 1, strcspn (line + 1, " "));
  command = find_command (first);
  /* only the first argument completes */
  arg = line + 1 + strlen (first);
  while (*arg == ' ')
    arg++;
  if (command == NULL || (gsize) (arg - line) != word_start)
    return candidates;
  if (command->completion == COMPLETE_PEER)
    complete_peers (app, candidates, word, "");
  else if (command->completion == COMPLETE_COMMAND)
    for (const Command *c = commands; c->name != NULL; c++)
      add_if_prefix (candidates, c->name, word, "");
  else if (command->completion == COMPLETE_ROOM)
    chat_commands_complete_rooms (app, candidates, word);
  else if (command->completion == COMPLETE_IGNORED)
    chat_commands_complete_ignored (app, candidates, word);
  else if (command->completion == COMPLETE_OFFER || command->completion == COMPLETE_TRANSFER)
    chat_commands_complete_transfers (app, candidates, word, command->completion == COMPLETE_OFFER);
  return candidates;
}
