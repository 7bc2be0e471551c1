/* interop-harness.c: the JavaScript peer, the libanysocket side and links
 * between them, for the interop cases
 *
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <signal.h>
#include <string.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "interop.h"

const char *node_path = "node";
gboolean verbose;

/* Waiting */

gboolean
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main context for @ms, whatever happens. */
void
iterate_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, set_flag, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* Test data */

static const gunichar big_alphabet[] = {
  'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n',
  'o', 'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', ' ',
  'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N',
  'O', 'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z',
  '0', '1', '2', '3', '4', '5', '6', '7', '8', '9',
  0xE9, 0x6F22, 0x5B57, '"', '\\', '\n', 0x20AC,
  0x1F600, /* only when astral */
};

/* The same generator as bigString() in js-peer.js: @units UTF-16 code
 * units of pseudo-random text (ASCII, é, 漢, 字, €, JSON escapes and,
 * with @astral, 😀). */
char *
big_string (guint units,
            guint32 seed,
            gboolean astral)
{
  guint n_alpha = G_N_ELEMENTS (big_alphabet) - (astral ? 0 : 1);
  GString *out = g_string_sized_new (units * 2);
  guint32 x = seed;
  guint n = 0;

  while (n < units)
    {
      gunichar c;

      x = x * 1103515245u + 12345u;
      c = big_alphabet[(x >> 16) % n_alpha];
      if (c > 0xFFFF && units - n < 2)
        c = 'x';
      g_string_append_unichar (out, c);
      n += c > 0xFFFF ? 2 : 1;
    }
  return g_string_free (out, FALSE);
}

/* A JavaScript string's length. */
guint
utf16_length (const char *text)
{
  guint n = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    n += g_utf8_get_char (p) > 0xFFFF ? 2 : 1;
  return n;
}

char *
sha256_hex (const char *text)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
}

JsonNode *
json_parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

void
assert_json_equal (JsonNode *got,
                   JsonNode *expected)
{
  if (got == NULL || !json_node_equal (got, expected))
    {
      g_autofree char *got_text = got ? json_to_string (got, FALSE) : g_strdup ("(none)");
      g_autofree char *expected_text = json_to_string (expected, FALSE);

      g_error ("JSON differs: got %s, expected %s", got_text, expected_text);
    }
}

/* The JavaScript peer */

static void js_read_next (JsPeer *js);

static void
on_js_line (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  JsPeer *js;
  gsize len;
  JsonNode *node;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, &len, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;  /* js is gone */
  js = user_data;
  if (line == NULL)
    {
      if (error != NULL)
        note ("%s: stdout: %s", js->name, error->message);
      js->eof = TRUE;
      return;
    }

  node = json_from_string (line, NULL);
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node) &&
      json_object_has_member (json_node_get_object (node), "event"))
    {
      if (verbose)
        note ("%s> %.300s", js->name, line);
      g_queue_push_tail (&js->events, node);
    }
  else
    {
      /* anysocket itself prints to stdout with console.log(). */
      note ("%s (not an event)> %.300s", js->name, line);
      g_clear_pointer (&node, json_node_unref);
    }
  js_read_next (js);
}

static void
js_read_next (JsPeer *js)
{
  g_data_input_stream_read_line_async (js->output, G_PRIORITY_DEFAULT, js->cancellable,
                                       on_js_line, js);
}

static void
on_js_exited (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  ((JsPeer *) user_data)->exited = TRUE;
}

/* Takes the first queued event called @name, or returns NULL. */
JsonNode *
js_take (JsPeer     *js,
         const char *name)
{
  for (GList *l = js->events.head; l != NULL; l = l->next)
    {
      JsonObject *object = json_node_get_object (l->data);

      if (g_strcmp0 (json_object_get_string_member_with_default (object, "event", ""), name) == 0)
        {
          JsonNode *node = l->data;

          g_queue_delete_link (&js->events, l);
          return node;
        }
    }
  return NULL;
}

/* Waits up to @ms for an event called @name; fails the test without it. */
JsonNode *
js_expect (JsPeer     *js,
           const char *name,
           guint       ms)
{
  JsonNode *node = NULL;

  WAIT_FOR ((node = js_take (js, name)) != NULL || js->eof, ms);
  if (node == NULL)
    node = js_take (js, name);
  if (node == NULL)
    {
      for (GList *l = js->events.head; l != NULL; l = l->next)
        {
          g_autofree char *text = json_to_string (l->data, FALSE);
          note ("%s: unclaimed event %.300s", js->name, text);
        }
      g_error ("%s: no '%s' event within %u ms%s", js->name, name, ms,
               js->eof ? " (its stdout closed)" : "");
    }
  return node;
}

const char *
ev_str (JsonNode   *event,
        const char *member)
{
  return json_object_get_string_member_with_default (json_node_get_object (event), member, NULL);
}

gint64
ev_int (JsonNode   *event,
        const char *member)
{
  JsonNode *node = json_object_get_member (json_node_get_object (event), member);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  return json_node_get_int (node);
}

double
ev_double (JsonNode   *event,
           const char *member)
{
  JsonNode *node = json_object_get_member (json_node_get_object (event), member);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  return json_node_get_double (node);
}

JsonNode *
ev_member (JsonNode   *event,
           const char *member)
{
  return json_object_get_member (json_node_get_object (event), member);
}

/* json_to_string(), but valid JSON: json-glib's json_strescape() escapes
 * only (*p > 0 && *p < 0x1f), so U+001F inside a string comes out raw,
 * which JSON.parse() refuses. (A byte below 0x80 is always a whole
 * character in UTF-8, and outside strings the generator writes none.) */
static char *
json_text (JsonNode *node)
{
  g_autofree char *text = json_to_string (node, FALSE);
  GString *out = g_string_sized_new (strlen (text));

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == 0x1f)
        g_string_append (out, "\\u001f");
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

void
js_command (JsPeer   *js,
            JsonNode *command)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = json_text (command);
  g_autofree char *line = g_strconcat (text, "\n", NULL);

  g_output_stream_write_all (js->input, line, strlen (line), NULL, NULL, &error);
  g_assert_no_error (error);
}

void
js_command_text (JsPeer     *js,
                 const char *json_text)
{
  g_autoptr(JsonNode) command = json_parse (json_text);

  js_command (js, command);
}

/* {"cmd": @cmd, @member: @value} */
void
js_command_with (JsPeer     *js,
                 const char *cmd,
                 const char *member,
                 JsonNode   *value)
{
  g_autoptr(JsonNode) command = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "cmd", cmd);
  if (member != NULL)
    json_object_set_member (object, member, json_node_copy (value));
  json_node_take_object (command, object);
  js_command (js, command);
}

static void
child_setup (gpointer user_data)
{
#ifdef __linux__
  /* A test that aborts (or a SIGSTOPped child) must not leave node behind. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
#endif
}

/* Starts js-peer.js in @mode ("server" or "client"; a client connects to
 * @port) with extra options @args (NULL-terminated, nullable), and waits
 * until it is ready (and, as a server, listening).
 *
 * A JavaScript client's connect("ws", ...) always tries wss:// first and
 * falls back to ws:// when that fails. With @wss_first (every case but
 * the ones that test --ws-only) the client does exactly that, so every
 * JS-client case goes through our server's handling of a TLS ClientHello. */
JsPeer *
js_spawn_full (const char         *mode,
               guint               port,
               const char * const *args,
               gboolean            wss_first)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ready = NULL;
  JsPeer *js = g_new0 (JsPeer, 1);

  js->name = g_str_equal (mode, "server") ? "js-server" : "js-client";
  g_ptr_array_add (argv, g_strdup (node_path));
  g_ptr_array_add (argv, g_test_build_filename (G_TEST_DIST, "js-peer.js", NULL));
  g_ptr_array_add (argv, g_strdup (mode));
  if (g_str_equal (mode, "client"))
    g_ptr_array_add (argv, g_strdup_printf ("%u", port));
  if (g_str_equal (mode, "client") && !wss_first)
    g_ptr_array_add (argv, g_strdup ("--ws-only"));
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  /* No DEBUG from the environment: anysocket would log to stderr. */
  g_subprocess_launcher_unsetenv (launcher, "DEBUG");
  js->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  js->cancellable = g_cancellable_new ();
  js->input = g_subprocess_get_stdin_pipe (js->process);
  js->output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (js->process));
  g_queue_init (&js->events);
  js_read_next (js);
  g_subprocess_wait_async (js->process, js->cancellable, on_js_exited, js);

  ready = js_expect (js, "ready", 15000);
  g_assert_cmpstr (ev_str (ready, "version"), ==, "0.4.29");
  js->id = g_strdup (ev_str (ready, "id"));
  g_assert_cmpuint (strlen (js->id), ==, 32);

  if (g_str_equal (mode, "server"))
    {
      g_autoptr(JsonNode) listening = js_expect (js, "listening", 10000);

      js->port = (guint) ev_int (listening, "port");
      g_assert_cmpuint (js->port, >, 0);
    }
  return js;
}

JsPeer *
js_spawn (const char         *mode,
          guint               port,
          const char * const *args)
{
  return js_spawn_full (mode, port, args, TRUE);
}

void
js_signal (JsPeer *js,
           int     signum)
{
  g_subprocess_send_signal (js->process, signum);
  if (signum == SIGSTOP)
    js->stopped = TRUE;
  else if (signum == SIGCONT)
    js->stopped = FALSE;
}

void
js_free (JsPeer *js)
{
  if (js == NULL)
    return;

  if (!js->exited)
    {
      if (js->stopped)
        js_signal (js, SIGCONT);
      /* Errors ignored: the process may be gone already. */
      g_output_stream_write_all (js->input, "{\"cmd\":\"exit\"}\n", 15, NULL, NULL, NULL);
      g_output_stream_close (js->input, NULL, NULL);
      if (!WAIT_FOR (js->exited, 3000))
        {
          note ("%s: did not exit, killing it", js->name);
          g_subprocess_force_exit (js->process);
          WAIT_FOR (js->exited, 3000);
        }
    }

  g_cancellable_cancel (js->cancellable);
  g_queue_clear_full (&js->events, (GDestroyNotify) json_node_unref);
  g_clear_object (&js->output);
  g_clear_object (&js->cancellable);
  g_clear_object (&js->process);
  g_free (js->id);
  g_free (js);
}

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
      g_autoptr(JsonNode) auth = json_parse (auth_json);
      g_object_set (c->socket, "auth-data", auth, NULL);
    }
  if (require_auth_json != NULL)
    c->require_auth = json_parse (require_auth_json);

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
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

void
c_side_listen (CSide *c)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  any_socket_listen_async (c->socket, "ws://127.0.0.1:0", NULL, store_result, &result);
  g_assert_true (WAIT_FOR (result != NULL, 5000));
  c->port = any_socket_listen_finish (c->socket, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (c->port, >, 0);
}

AnyPeer *
c_side_connect (CSide   *c,
                guint    port,
                GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *uri = g_strdup_printf ("ws://127.0.0.1:%u", port);

  any_socket_connect_async (c->socket, uri, NULL, store_result, &result);
  g_assert_true (WAIT_FOR (result != NULL, 10000));
  return any_socket_connect_finish (c->socket, result, error);
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
      link->peer = c_side_connect (link->c, link->js->port, &error);
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
  g_assert_cmpstr (ev_str (connected, "id"), ==, any_socket_get_id (link->c->socket));
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

void
request_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Sends @msg as a request and waits up to @ms for the reply. */
AnyPacket *
c_request (AnyPeer  *peer,
           JsonNode *msg,
           guint     ms,
           GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  any_peer_request_async (peer, msg, ms, NULL, request_done, &result);
  g_assert_true (WAIT_FOR (result != NULL, ms + 2000));
  return any_peer_request_finish (peer, result, error);
}

void
c_send (AnyPeer  *peer,
        JsonNode *msg)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (any_peer_send (peer, msg, &error));
  g_assert_no_error (error);
}

/* Both ways: a message from each side reaches the other. */
void
assert_link_works (Link *link)
{
  g_autoptr(JsonNode) to_js = json_parse ("\"still here, é 漢字 😀\"");
  g_autoptr(JsonNode) to_c = json_parse ("{\"back\":\"ü 字 😀\"}");
  g_autoptr(JsonNode) event = NULL;
  g_autoptr(JsonNode) got = NULL;

  c_send (link->peer, to_js);
  event = js_expect (link->js, "message", 5000);
  assert_json_equal (ev_member (event, "msg"), to_js);

  js_command_with (link->js, "send", "msg", to_c);
  g_assert_true (WAIT_FOR (link->c->messages.length > 0, 5000));
  got = g_queue_pop_head (&link->c->messages);
  assert_json_equal (got, to_c);
}

const char *
dir_name (Direction dir)
{
  return dir == DIR_JS_SERVER ? "JS server <- C client" : "C server <- JS client";
}

static const char * const unicode_messages[] = {
  "\"héllo wörld\"",
  "\"漢字 and 日本語のテキスト\"",
  "\"emoji 😀 👍🏽 🇫🇷 and a lone BMP one: ☃\"",
  "{\"text\":\"é漢字😀\",\"n\":42,\"f\":-3.5,\"list\":[1,\"ü\",null,true,false],"
  "\"nested\":{\"k€y\":\"välue\",\"empty\":{},\"arr\":[]}}",
  "\"escapes: quote \\\" backslash \\\\ newline \\n tab \\t control \\u0001 \\u0007 \\u007f\"",
  "[\"\\u00ff\\u0100\\u07ff\\u0800\\ufffd\", \"😀😀😀\"]",
  "\"ÿþ\\u0080\\u00c3\"",
  "12345",
  "true",
};

/* Every message of unicode_messages, each way, in order. */
void
exchange_messages (Link *link)
{
  guint n = G_N_ELEMENTS (unicode_messages);

  /* C -> JavaScript, in order */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonNode) msg = json_parse (unicode_messages[i]);

      c_send (link->peer, msg);
    }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonNode) msg = json_parse (unicode_messages[i]);
      g_autoptr(JsonNode) event = js_expect (link->js, "message", 5000);

      assert_json_equal (ev_member (event, "msg"), msg);
      g_assert_cmpstr (ev_str (event, "id"), ==, any_socket_get_id (link->c->socket));
      g_assert_cmpint (ev_int (event, "seq"), >, 0);
    }

  /* JavaScript -> C, in order */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonNode) msg = json_parse (unicode_messages[i]);

      js_command_with (link->js, "send", "msg", msg);
    }
  g_assert_true (WAIT_FOR (link->c->messages.length >= n, 5000));
  g_assert_cmpuint (link->c->messages.length, ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonNode) msg = json_parse (unicode_messages[i]);
      g_autoptr(JsonNode) got = g_queue_pop_head (&link->c->messages);

      assert_json_equal (got, msg);
    }
}


static void
request_slot_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  RequestSlot *slot = user_data;

  slot->requests->results[slot->index] = g_object_ref (result);
  slot->requests->done++;
}

/* Sends @count echo requests at once: {"op":"echo","data":"req ... #i","i":i}
 * for i from @first. */
void
c_requests_start (Requests *requests,
                  AnyPeer  *peer,
                  guint     first,
                  guint     count)
{
  g_assert_cmpuint (count, <=, N_REQUESTS);
  memset (requests, 0, sizeof *requests);
  requests->first = first;
  requests->count = count;
  for (guint k = 0; k < count; k++)
    {
      g_autoptr(JsonNode) msg = json_node_new (JSON_NODE_OBJECT);
      JsonObject *object = json_object_new ();
      guint i = first + k;
      g_autofree char *text = g_strdup_printf ("req é 漢字 😀 #%u", i);

      json_object_set_string_member (object, "op", "echo");
      json_object_set_string_member (object, "data", text);
      json_object_set_int_member (object, "i", i);
      json_node_take_object (msg, object);
      requests->slots[k].requests = requests;
      requests->slots[k].index = k;
      any_peer_request_async (peer, msg, 10000, NULL, request_slot_done, &requests->slots[k]);
    }
}

/* Waits for every reply and checks it; the replies' seqs go into @seqs,
 * where each must be new. */
void
c_requests_finish (Requests   *requests,
                   AnyPeer    *peer,
                   GHashTable *seqs)
{
  if (!WAIT_FOR (requests->done == requests->count, 15000))
    g_error ("only %u of %u requests answered", requests->done, requests->count);

  for (guint k = 0; k < requests->count; k++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AnyPacket) reply = any_peer_request_finish (peer, requests->results[k], &error);
      guint i = requests->first + k;
      g_autofree char *text = g_strdup_printf ("req é 漢字 😀 #%u", i);
      JsonObject *object;

      g_assert_no_error (error);
      g_assert_true (any_packet_is_reply (reply));
      g_assert_cmpint (any_packet_get_seq (reply), <, 0);
      g_assert_true (any_packet_get_peer (reply) == peer);
      g_assert_false (g_hash_table_contains (seqs, GINT_TO_POINTER (any_packet_get_seq (reply))));
      g_hash_table_add (seqs, GINT_TO_POINTER (any_packet_get_seq (reply)));
      g_assert_true (JSON_NODE_HOLDS_OBJECT (any_packet_get_msg (reply)));
      object = json_node_get_object (any_packet_get_msg (reply));
      g_assert_cmpstr (json_object_get_string_member (object, "echo"), ==, text);
      g_assert_cmpint (json_object_get_int_member (object, "i"), ==, i);
      g_clear_object (&requests->results[k]);
    }
}

/* N_REQUESTS echo requests in flight at once, each way. */
void
exchange_requests (Link *link)
{
  Direction dir = link->dir;
  guint echoes_before = link->c->echoes;
  Requests requests;
  g_autoptr(GHashTable) seqs = g_hash_table_new (NULL, NULL);
  g_autoptr(JsonNode) done = NULL;
  gint64 start;

  /* C -> JavaScript: 64 in flight at once */
  start = g_get_monotonic_time ();
  c_requests_start (&requests, link->peer, 0, N_REQUESTS);
  g_assert_cmpuint (requests.done, ==, 0);
  c_requests_finish (&requests, link->peer, seqs);
  note ("%s: %d C->JS requests answered in %" G_GINT64_FORMAT " ms", dir_name (dir),
                  N_REQUESTS, (g_get_monotonic_time () - start) / 1000);
  g_assert_cmpuint (g_hash_table_size (seqs), ==, N_REQUESTS);

  /* JavaScript -> C: 64 send(msg, true) at once, we answer each */
  js_command_text (link->js, "{\"cmd\":\"requests\",\"count\":64,\"prefix\":\"js é 漢字 😀 #\"}");
  done = js_expect (link->js, "requests_done", 15000);
  note ("%s: %d JS->C requests answered in %" G_GINT64_FORMAT " ms", dir_name (dir),
                  N_REQUESTS, ev_int (done, "ms"));
  g_assert_cmpint (ev_int (done, "count"), ==, N_REQUESTS);
  g_assert_cmpint (ev_int (done, "ok"), ==, N_REQUESTS);
  g_assert_cmpuint (link->c->echoes - echoes_before, ==, N_REQUESTS);
}

/* 5 MiB each way, content checked; returns the times in ms (request +
 * reply) through @c_to_js_ms and @js_to_c_ms (nullable). */
void
exchange_big (Link   *link,
              gint64 *c_to_js_ms,
              gint64 *js_to_c_ms)
{
  Direction dir = link->dir;
  g_autofree char *to_js = big_string (BIG_UNITS, 0xC0FFEE, TRUE);
  g_autofree char *to_js_sha = sha256_hex (to_js);
  g_autofree char *to_c = NULL;
  g_autofree char *to_c_sha = NULL;
  g_autoptr(JsonNode) msg = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();
  g_autoptr(AnyPacket) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) hashed = NULL;
  g_autoptr(JsonNode) big_done = NULL;
  g_autoptr(JsonNode) expected_reply = NULL;
  JsonObject *answer;
  gint64 start, elapsed;

  g_assert_cmpuint (utf16_length (to_js), ==, BIG_UNITS);

  /* C -> JavaScript: 5 MiB (with astral characters, never cut in two by
   * the chunking), answered with its length and SHA-256 */
  json_object_set_string_member (object, "op", "hash");
  json_object_set_string_member (object, "data", to_js);
  json_node_take_object (msg, object);
  start = g_get_monotonic_time ();
  reply = c_request (link->peer, msg, 30000, &error);
  elapsed = g_get_monotonic_time () - start;
  g_assert_no_error (error);
  note ("%s: 5 MiB C->JS (%zu UTF-8 bytes) request + reply in %" G_GINT64_FORMAT " ms",
                  dir_name (dir), strlen (to_js), elapsed / 1000);
  answer = json_node_get_object (any_packet_get_msg (reply));
  g_assert_cmpint (json_object_get_int_member (answer, "len"), ==, BIG_UNITS);
  g_assert_cmpstr (json_object_get_string_member (answer, "sha256"), ==, to_js_sha);
  hashed = js_expect (link->js, "hashed", 5000);
  g_assert_cmpstr (ev_str (hashed, "sha256"), ==, to_js_sha);

  /* JavaScript -> C: 5 MiB of BMP text (the JavaScript peer cuts chunks by
   * UTF-16 units and could split a surrogate pair), compared exactly */
  to_c = big_string (BIG_UNITS, 0xBEEF, FALSE);
  to_c_sha = sha256_hex (to_c);
  js_command_text (link->js, "{\"cmd\":\"send_big\",\"units\":5242880,\"seed\":48879,\"astral\":false}");
  big_done = js_expect (link->js, "big_done", 30000);
  note ("%s: 5 MiB JS->C (%zu UTF-8 bytes) request + reply in %" G_GINT64_FORMAT " ms",
                  dir_name (dir), strlen (to_c), ev_int (big_done, "ms"));
  g_assert_cmpint (ev_int (big_done, "len"), ==, BIG_UNITS);
  g_assert_cmpstr (ev_str (big_done, "sha256"), ==, to_c_sha);
  g_assert_nonnull (link->c->hashed);
  g_assert_cmpuint (strlen (link->c->hashed), ==, strlen (to_c));
  g_assert_true (strcmp (link->c->hashed, to_c) == 0);
  expected_reply = json_node_new (JSON_NODE_OBJECT);
  object = json_object_new ();
  json_object_set_int_member (object, "len", BIG_UNITS);
  json_object_set_string_member (object, "sha256", to_c_sha);
  json_node_take_object (expected_reply, object);
  assert_json_equal (ev_member (big_done, "reply"), expected_reply);
  if (c_to_js_ms != NULL)
    *c_to_js_ms = elapsed / 1000;
  if (js_to_c_ms != NULL)
    *js_to_c_ms = ev_int (big_done, "ms");
}

JsonNode *
js_capture_report (JsPeer *js)
{
  js_command_text (js, "{\"cmd\":\"capture_report\"}");
  return js_expect (js, "capture", 5000);
}

void
js_capture_start (JsPeer *js)
{
  g_autoptr(JsonNode) started = NULL;

  js_command_text (js, "{\"cmd\":\"capture_start\"}");
  started = js_expect (js, "capture_started", 5000);
}

gint64
capture_count (JsonNode   *report,
               const char *side,
               const char *member)
{
  JsonObject *object = json_object_get_object_member (json_node_get_object (report), side);

  return json_object_get_int_member (object, member);
}

gint64
capture_type_count (JsonNode   *report,
                    const char *side,
                    const char *type)
{
  JsonObject *object = json_object_get_object_member (json_node_get_object (report), side);
  JsonObject *types = json_object_get_object_member (object, "types");

  return json_object_get_int_member_with_default (types, type, 0);
}
