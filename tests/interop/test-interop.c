/* test-interop.c: libanysocket against the npm package anysocket@0.4.29
 *
 * Every case runs twice: a JavaScript server with a libanysocket client
 * (/interop/js-server/...) and a libanysocket server with a JavaScript
 * client (/interop/c-server/...). The JavaScript side is js-peer.js, run
 * with node through GSubprocess: it takes JSON commands on stdin and
 * prints one JSON event per line on stdout. Everything is on 127.0.0.1
 * with ports picked by the kernel; every wait is bounded.
 *
 * The /e2e/ cases switch links to compat E2EE (the only mode a JavaScript
 * peer speaks), started by either side; js-peer.js records the WebSocket
 * frames it sends and receives, to check that only ciphertext crosses the
 * wire once the switch is done.
 *
 * Environment: NODE (the node binary, default "node") and G_TEST_SRCDIR
 * (the folder of js-peer.js and node_modules/anysocket).
 *
 * SPDX-License-Identifier: MIT
 */
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <anysocket.h>

/* 5 MiB of JavaScript string: 5 x 1,048,576 UTF-16 code units. */
#define BIG_UNITS       (5 * 1048576)
#define HEARTBEAT_MS    200
#define N_REQUESTS      64

typedef enum {
  DIR_JS_SERVER,  /* JavaScript server, libanysocket client */
  DIR_C_SERVER,   /* libanysocket server, JavaScript client */
} Direction;

static const char *node_path = "node";
static gboolean verbose;

/* Each case runs in a subprocess (see run_case()), whose g_test_message()
 * output is dropped: notes go to stderr, which the subprocess inherits. */
#define note(...) G_STMT_START {                                        \
  g_autofree char *note_text_ = g_strdup_printf (__VA_ARGS__);          \
  g_printerr ("# %s\n", note_text_);                                    \
} G_STMT_END

/* Waiting */

static gboolean
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the default main context until @cond holds or @ms have passed;
 * evaluates to the last value of @cond (evaluated once per iteration). */
#define WAIT_FOR(cond, ms) ({                                           \
  gboolean wait_timed_out_ = FALSE, wait_ok_;                           \
  guint wait_id_ = g_timeout_add ((ms), set_flag, &wait_timed_out_);    \
  while (!(wait_ok_ = !!(cond)) && !wait_timed_out_)                    \
    g_main_context_iteration (NULL, TRUE);                              \
  if (!wait_timed_out_)                                                 \
    g_source_remove (wait_id_);                                         \
  wait_ok_; })

/* Runs the main context for @ms, whatever happens. */
static void
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
static char *
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
static guint
utf16_length (const char *text)
{
  guint n = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    n += g_utf8_get_char (p) > 0xFFFF ? 2 : 1;
  return n;
}

static char *
sha256_hex (const char *text)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
}

static JsonNode *
json_parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

static void
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

typedef struct {
  const char       *name;
  GSubprocess      *process;
  GOutputStream    *input;
  GDataInputStream *output;
  GCancellable     *cancellable;
  GQueue            events;      /* JsonNode, objects with an "event" */
  gboolean          eof;
  gboolean          exited;
  gboolean          stopped;
  char             *id;
  guint             port;
} JsPeer;

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
static JsonNode *
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
static JsonNode *
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

static const char *
ev_str (JsonNode   *event,
        const char *member)
{
  return json_object_get_string_member_with_default (json_node_get_object (event), member, NULL);
}

static gint64
ev_int (JsonNode   *event,
        const char *member)
{
  JsonNode *node = json_object_get_member (json_node_get_object (event), member);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  return json_node_get_int (node);
}

static double
ev_double (JsonNode   *event,
           const char *member)
{
  JsonNode *node = json_object_get_member (json_node_get_object (event), member);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  return json_node_get_double (node);
}

static JsonNode *
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

static void
js_command (JsPeer   *js,
            JsonNode *command)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = json_text (command);
  g_autofree char *line = g_strconcat (text, "\n", NULL);

  g_output_stream_write_all (js->input, line, strlen (line), NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
js_command_text (JsPeer     *js,
                 const char *json_text)
{
  g_autoptr(JsonNode) command = json_parse (json_text);

  js_command (js, command);
}

/* {"cmd": @cmd, @member: @value} */
static void
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
static JsPeer *
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

static JsPeer *
js_spawn (const char         *mode,
          guint               port,
          const char * const *args)
{
  return js_spawn_full (mode, port, args, TRUE);
}

static void
js_signal (JsPeer *js,
           int     signum)
{
  g_subprocess_send_signal (js->process, signum);
  if (signum == SIGSTOP)
    js->stopped = TRUE;
  else if (signum == SIGCONT)
    js->stopped = FALSE;
}

static void
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

typedef struct {
  AnySocket *socket;
  guint      port;
  GPtrArray *connected;         /* AnyPeer */
  GPtrArray *disconnected;      /* reasons */
  GQueue     messages;          /* JsonNode of plain messages */
  guint      echoes;            /* "op":"echo" requests answered */
  guint      heartbeats;
  GPtrArray *auth_ids;          /* ids seen by "authenticate" */
  GPtrArray *auths;             /* their auth, a null node when none */
  JsonNode  *require_auth;      /* refuse a peer whose auth differs */
  char      *hashed;            /* the data of the last "op":"hash" request */

  /* E2E: AnyPeer::e2e, AnySocket::e2e, notify::e2e-mode, in the order
   * they came ('p', 's', 'n') */
  GString   *e2e_order;
  guint      e2e_signals;       /* AnySocket::e2e */
  AnyPeer   *e2e_peer;          /* ... its last peer */
  AnyE2eMode e2e_mode_notified; /* the mode when notify::e2e-mode came */

  /* Stream messages {"s": name, "i": n}, logged apart from messages */
  GArray    *streamed;          /* StreamItem */
  guint      stream_source;     /* our own stream, when sending one */
  guint      stream_count;
  char      *stream_name;
  AnyPeer   *stream_peer;
} CSide;

typedef struct {
  char       *s;
  gint64      i;
  AnyE2eMode  mode;       /* the link's E2E mode when it was delivered */
  char       *data_sha;   /* of its "data" string, if any */
  guint       data_len;   /* ... in UTF-16 units */
} StreamItem;

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

static CSide *
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

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
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

static AnyPeer *
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

static void
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

static guint
count_peers (CSide *c)
{
  g_autoptr(GList) peers = any_socket_get_peers (c->socket);

  return g_list_length (peers);
}

/* A link between the two sides */

typedef struct {
  Direction  dir;
  CSide     *c;
  JsPeer    *js;
  AnyPeer   *peer;   /* the C side's view of the JavaScript peer */
} Link;

/* Connects the C side @c (taken) and a JavaScript side (options
 * @js_args) in direction @dir, and checks both see each other. */
static Link *
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
static Link *
link_open_full (Direction           dir,
                guint               heartbeat_ms,
                const char * const *js_args,
                gboolean            wss_first)
{
  return link_open_with (dir, c_side_new (heartbeat_ms, NULL, NULL), js_args, wss_first);
}

static Link *
link_open (Direction           dir,
           guint               heartbeat_ms,
           const char * const *js_args)
{
  return link_open_full (dir, heartbeat_ms, js_args, TRUE);
}

static void
link_close (Link *link)
{
  js_free (link->js);
  g_clear_object (&link->peer);
  c_side_free (link->c);
  g_free (link);
}

static void
request_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Sends @msg as a request and waits up to @ms for the reply. */
static AnyPacket *
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

static void
c_send (AnyPeer  *peer,
        JsonNode *msg)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (any_peer_send (peer, msg, &error));
  g_assert_no_error (error);
}

/* Both ways: a message from each side reaches the other. */
static void
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

/* Cases */

static const char *
dir_name (Direction dir)
{
  return dir == DIR_JS_SERVER ? "JS server <- C client" : "C server <- JS client";
}

static void
test_connect (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  Link *link = link_open_full (dir, 5000, NULL, TRUE);
  const char *address = any_peer_get_remote_address (link->peer);
  g_autoptr(JsonNode) auth = js_expect (link->js, "auth", 1000);

  note ("%s: connected, remote address %s", dir_name (dir), address);
  g_assert_nonnull (address);
  g_assert_true (g_str_has_prefix (address, "127.0.0.1:"));

  /* The JavaScript side checked our AUTH: our id, no auth member. */
  g_assert_cmpstr (ev_str (auth, "id"), ==, any_socket_get_id (link->c->socket));
  g_assert_false (json_object_get_boolean_member (json_node_get_object (auth), "has_auth"));
  /* ... and we checked its AUTH. */
  g_assert_cmpuint (link->c->auth_ids->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (link->c->auth_ids, 0), ==, link->js->id);
  g_assert_true (JSON_NODE_HOLDS_NULL (g_ptr_array_index (link->c->auths, 0)));

  if (dir == DIR_C_SERVER)
    {
      /* The JavaScript client tried wss:// first: our plain server saw a
       * TLS ClientHello, survived it, and the ws:// retry connected. */
      g_autoptr(JsonNode) done = js_expect (link->js, "connect_done", 5000);
      JsPeer *second;
      g_autoptr(JsonNode) second_connected = NULL;

      note ("JS client connect (wss attempt + ws fallback + AUTH): %" G_GINT64_FORMAT " ms",
                      ev_int (done, "ms"));
      g_assert_cmpstr (ev_str (done, "id"), ==, any_socket_get_id (link->c->socket));

      /* A second client through the same fallback: the server still works. */
      second = js_spawn_full ("client", link->c->port, NULL, TRUE);
      second_connected = js_expect (second, "connected", 5000);
      g_assert_cmpstr (ev_str (second_connected, "id"), ==, any_socket_get_id (link->c->socket));
      g_assert_true (WAIT_FOR (link->c->connected->len == 2, 5000));
      g_assert_cmpstr (any_peer_get_id (g_ptr_array_index (link->c->connected, 1)), ==, second->id);
      g_assert_cmpuint (count_peers (link->c), ==, 2);
      js_free (second);
      g_assert_true (WAIT_FOR (link->c->disconnected->len == 1, 5000));
    }
  else
    {
      AnyPeer *found = any_socket_get_peer (link->c->socket, link->js->id);

      g_assert_true (found == link->peer);
    }

  assert_link_works (link);
  link_close (link);
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
static void
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
test_messages (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  Link *link = link_open (dir, 5000, NULL);

  exchange_messages (link);
  g_assert_cmpuint (link->c->disconnected->len, ==, 0);
  link_close (link);
}

/* Every C0 control character inside a string, escaped in the JSON text. */
static void
test_control_chars (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  Link *link = link_open (dir, 5000, NULL);
  g_autoptr(GString) text = g_string_new ("C0:");
  g_autoptr(JsonNode) msg = json_node_new (JSON_NODE_VALUE);
  g_autoptr(JsonNode) got = NULL;
  g_autoptr(JsonNode) event = NULL;

  for (gunichar c = 1; c < 0x20; c++)
    g_string_append_c (text, (char) c);
  g_string_append (text, ":end");
  json_node_set_string (msg, text->str);

  /* JavaScript -> C */
  js_command_with (link->js, "send", "msg", msg);
  g_assert_true (WAIT_FOR (link->c->messages.length > 0, 5000));
  got = g_queue_pop_head (&link->c->messages);
  assert_json_equal (got, msg);

  /* C -> JavaScript: JSON.parse() refuses a raw control character in a
   * string (the packet's data then arrives as null). */
  c_send (link->peer, msg);
  event = js_expect (link->js, "message", 5000);
  assert_json_equal (ev_member (event, "msg"), msg);

  g_assert_cmpuint (link->c->disconnected->len, ==, 0);
  link_close (link);
}

typedef struct _Requests Requests;

typedef struct {
  Requests *requests;
  guint     index;
} RequestSlot;

/* Up to N_REQUESTS echo requests of ours in flight, numbered from "first". */
struct _Requests {
  guint         first;
  guint         count;
  guint         done;
  GAsyncResult *results[N_REQUESTS];
  RequestSlot   slots[N_REQUESTS];
};

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
static void
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
static void
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
static void
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

static void
test_requests (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  Link *link = link_open (dir, 5000, NULL);

  exchange_requests (link);
  g_assert_cmpuint (link->c->disconnected->len, ==, 0);
  link_close (link);
}

/* 5 MiB each way, content checked; returns the times in ms (request +
 * reply) through @c_to_js_ms and @js_to_c_ms (nullable). */
static void
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

static void
test_big (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  Link *link = link_open (dir, 5000, NULL);

  exchange_big (link, NULL, NULL);
  assert_link_works (link);
  g_assert_cmpuint (link->c->disconnected->len, ==, 0);
  link_close (link);
}

#define C_AUTH   "{\"token\":\"c-tøken 漢\",\"n\":1}"
#define JS_AUTH  "{\"token\":\"js-tøken 😀\",\"list\":[1,2]}"

static void
test_auth_accepted (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  const char * const js_args[] = { "--auth=" JS_AUTH, "--expect-auth=" C_AUTH, NULL };
  g_autoptr(JsonNode) c_auth = json_parse (C_AUTH);
  g_autoptr(JsonNode) js_auth = json_parse (JS_AUTH);
  g_autoptr(JsonNode) auth_event = NULL;
  g_autoptr(JsonNode) connected = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPeer) peer = NULL;
  CSide *c = c_side_new (5000, C_AUTH, JS_AUTH);
  JsPeer *js;

  if (dir == DIR_JS_SERVER)
    {
      js = js_spawn ("server", 0, js_args);
      peer = c_side_connect (c, js->port, &error);
      g_assert_no_error (error);
    }
  else
    {
      c_side_listen (c);
      js = js_spawn ("client", c->port, js_args);
      g_assert_true (WAIT_FOR (c->connected->len == 1, 10000));
      peer = g_object_ref (g_ptr_array_index (c->connected, 0));
    }
  connected = js_expect (js, "connected", 5000);

  /* The JavaScript onAuth() got our auth-data and accepted it. */
  auth_event = js_expect (js, "auth", 1000);
  g_assert_cmpstr (ev_str (auth_event, "id"), ==, any_socket_get_id (c->socket));
  assert_json_equal (ev_member (auth_event, "auth"), c_auth);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (auth_event), "accepted"));

  /* Our "authenticate" got its authPacket() and accepted it. */
  g_assert_cmpuint (c->auths->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (c->auth_ids, 0), ==, js->id);
  assert_json_equal (g_ptr_array_index (c->auths, 0), js_auth);
  g_assert_cmpstr (any_peer_get_id (peer), ==, js->id);
  g_assert_true (any_peer_is_connected (peer));
  g_assert_cmpuint (c->connected->len, ==, 1);

  js_free (js);
  g_clear_object (&peer);
  c_side_free (c);
}

/* The JavaScript side's onAuth() refuses our auth-data. */
static void
test_auth_refused_by_js (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  const char * const js_args[] = { "--expect-auth={\"token\":\"right\"}", NULL };
  g_autoptr(JsonNode) auth_event = NULL;
  g_autoptr(JsonNode) wrong = json_parse ("{\"token\":\"wrong\"}");
  CSide *c = c_side_new (5000, "{\"token\":\"wrong\"}", NULL);
  JsPeer *js;

  if (dir == DIR_JS_SERVER)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AnyPeer) peer = NULL;

      js = js_spawn ("server", 0, js_args);
      peer = c_side_connect (c, js->port, &error);
      g_assert_null (peer);
      note ("connect refused by the JS server: %s", error ? error->message : "(no error)");
      g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_AUTH_FAILED);
    }
  else
    {
      g_autoptr(JsonNode) connect_error = NULL;

      c_side_listen (c);
      js = js_spawn ("client", c->port, js_args);
      /* The JavaScript client refuses our AUTH answer and disconnects. */
      connect_error = js_expect (js, "connect_error", 10000);
      g_assert_cmpstr (ev_str (connect_error, "error"), ==, "Invalid Auth Packet!");
      /* We had accepted its AUTH (and so were connected) until it left. */
      if (c->connected->len > 0)
        {
          g_assert_true (WAIT_FOR (c->disconnected->len > 0, 5000));
          note ("C server saw the refusing client leave: %s",
                          (char *) g_ptr_array_index (c->disconnected, 0));
          g_assert_true (g_str_has_prefix (g_ptr_array_index (c->disconnected, 0),
                                           "Remote Connection Closed"));
        }
    }

  auth_event = js_expect (js, "auth", 5000);
  assert_json_equal (ev_member (auth_event, "auth"), wrong);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (auth_event), "accepted"));
  iterate_for (100);
  g_assert_null (js_take (js, "connected"));
  g_assert_cmpuint (count_peers (c), ==, 0);
  if (dir == DIR_JS_SERVER)
    g_assert_cmpuint (c->connected->len, ==, 0);

  js_free (js);
  c_side_free (c);
}

/* Our "authenticate" refuses the JavaScript side's authPacket(). */
static void
test_auth_refused_by_c (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  const char * const js_args[] = { "--auth={\"token\":\"wrong\"}", NULL };
  g_autoptr(JsonNode) wrong = json_parse ("{\"token\":\"wrong\"}");
  CSide *c = c_side_new (5000, NULL, "{\"token\":\"right\"}");
  JsPeer *js;

  if (dir == DIR_JS_SERVER)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AnyPeer) peer = NULL;
      g_autoptr(JsonNode) disconnected = NULL;

      js = js_spawn ("server", 0, js_args);
      peer = c_side_connect (c, js->port, &error);
      g_assert_null (peer);
      note ("C client refused the JS server: %s", error ? error->message : "(no error)");
      g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_AUTH_FAILED);
      /* The JavaScript server had accepted us, so it sees a disconnect. */
      disconnected = js_expect (js, "disconnected", 5000);
      g_assert_cmpstr (ev_str (disconnected, "id"), ==, any_socket_get_id (c->socket));
      g_assert_cmpstr (ev_str (disconnected, "reason"), ==, "Remote Connection Closed");
    }
  else
    {
      g_autoptr(JsonNode) connect_error = NULL;

      c_side_listen (c);
      js = js_spawn ("client", c->port, js_args);
      connect_error = js_expect (js, "connect_error", 10000);
      g_assert_cmpstr (ev_str (connect_error, "error"), ==, "Remote Connection Closed");
      g_assert_null (js_take (js, "auth"));  /* we never sent our AUTH */
    }

  g_assert_cmpuint (c->auths->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (c->auth_ids, 0), ==, js->id);
  assert_json_equal (g_ptr_array_index (c->auths, 0), wrong);
  g_assert_cmpuint (c->connected->len, ==, 0);
  g_assert_cmpuint (c->disconnected->len, ==, 0);
  g_assert_cmpuint (count_peers (c), ==, 0);

  js_free (js);
  c_side_free (c);
}

/* Both sides ping every 200 ms: an idle link stays up for many intervals
 * and the lag is measured. */
static void
test_heartbeat (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  const char * const js_args[] = { "--heartbeat=200", NULL };
  Link *link = link_open (dir, HEARTBEAT_MS, js_args);
  guint before = link->c->heartbeats;
  g_autoptr(JsonNode) stats = NULL;

  iterate_for (8 * HEARTBEAT_MS);
  note ("%s: %u heartbeats in %u ms, lag %d ms", dir_name (dir),
                  link->c->heartbeats - before, 8 * HEARTBEAT_MS, any_peer_get_lag (link->peer));
  g_assert_cmpuint (link->c->heartbeats - before, >=, 4);
  g_assert_cmpint (any_peer_get_lag (link->peer), >=, 0);
  g_assert_cmpint (any_peer_get_lag (link->peer), <, 1000);

  /* The JavaScript side got our pings. (It sends few of its own: every
   * packet it receives restarts its timer, and ours come as often.) */
  js_command_text (link->js, "{\"cmd\":\"stats\"}");
  stats = js_expect (link->js, "stats", 2000);
  note ("%s: JS side received %" G_GINT64_FORMAT " pings, %" G_GINT64_FORMAT " pongs",
        dir_name (dir), ev_int (stats, "pings_received"), ev_int (stats, "pongs_received"));
  g_assert_cmpint (ev_int (stats, "pings_received"), >=, 4);
  g_assert_true (any_peer_is_connected (link->peer));
  g_assert_cmpuint (link->c->disconnected->len, ==, 0);
  g_assert_null (js_take (link->js, "disconnected"));

  assert_link_works (link);
  link_close (link);
}

/* We send no heartbeats; the JavaScript side pings every 200 ms and keeps
 * the link (2 missed pongs would drop it) only because we answer its pings. */
static void
test_heartbeat_pong (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  const char * const js_args[] = { "--heartbeat=200", NULL };
  Link *link = link_open (dir, 0, js_args);
  g_autoptr(JsonNode) stats = NULL;

  /* A JavaScript client starts its heartbeat timer only with the first
   * packet after AUTH. */
  assert_link_works (link);
  iterate_for (8 * HEARTBEAT_MS);
  js_command_text (link->js, "{\"cmd\":\"stats\"}");
  stats = js_expect (link->js, "stats", 2000);
  note ("%s: with our heartbeat off, the JS side received %" G_GINT64_FORMAT " pongs, %"
        G_GINT64_FORMAT " pings", dir_name (dir), ev_int (stats, "pongs_received"),
        ev_int (stats, "pings_received"));
  g_assert_cmpint (ev_int (stats, "pongs_received"), >=, 4);
  g_assert_cmpint (ev_int (stats, "pings_received"), ==, 0);
  g_assert_cmpuint (link->c->heartbeats, ==, 0);
  g_assert_cmpint (any_peer_get_lag (link->peer), ==, -1);
  g_assert_true (any_peer_is_connected (link->peer));
  g_assert_cmpuint (link->c->disconnected->len, ==, 0);
  g_assert_null (js_take (link->js, "disconnected"));

  assert_link_works (link);
  link_close (link);
}

/* A JavaScript peer that stops answering (SIGSTOP) is dropped after two
 * missed heartbeats. */
static void
test_missed_heartbeats (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  Link *link = link_open (dir, HEARTBEAT_MS, NULL);
  g_autoptr(JsonNode) disconnected = NULL;
  gint64 stopped_at, elapsed_ms;

  /* Heartbeats flow first. */
  g_assert_true (WAIT_FOR (link->c->heartbeats >= 2, 5 * HEARTBEAT_MS));

  js_signal (link->js, SIGSTOP);
  stopped_at = g_get_monotonic_time ();
  g_assert_true (WAIT_FOR (link->c->disconnected->len > 0, 10 * HEARTBEAT_MS));
  elapsed_ms = (g_get_monotonic_time () - stopped_at) / 1000;
  note ("%s: JS peer stopped, dropped after %" G_GINT64_FORMAT " ms (interval %d ms)",
                  dir_name (dir), elapsed_ms, HEARTBEAT_MS);
  g_assert_cmpstr (g_ptr_array_index (link->c->disconnected, 0), ==, "Missed Heartbeats");
  /* At most: a tick that still saw the last pong, then two misses. */
  g_assert_cmpint (elapsed_ms, >=, HEARTBEAT_MS);
  g_assert_cmpint (elapsed_ms, <=, 3 * HEARTBEAT_MS + 300);
  g_assert_false (any_peer_is_connected (link->peer));
  g_assert_cmpuint (count_peers (link->c), ==, 0);

  /* Once it runs again the JavaScript peer learns it was dropped. */
  js_signal (link->js, SIGCONT);
  disconnected = js_expect (link->js, "disconnected", 5000);
  note ("%s: resumed JS peer reports: %s", dir_name (dir), ev_str (disconnected, "reason"));
  g_assert_cmpstr (ev_str (disconnected, "id"), ==, any_socket_get_id (link->c->socket));
  g_assert_cmpstr (ev_str (disconnected, "reason"), ==, "Remote Connection Closed");

  link_close (link);
}

static void
test_disconnect_reasons (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  Link *link;

  /* We close: our reason locally, "Remote Connection Closed" there. */
  {
    g_autoptr(JsonNode) disconnected = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) msg = json_parse ("\"too late\"");

    link = link_open (dir, 5000, NULL);
    any_peer_disconnect (link->peer, "bye from C, é 漢字");
    g_assert_cmpuint (link->c->disconnected->len, ==, 1);
    g_assert_cmpstr (g_ptr_array_index (link->c->disconnected, 0), ==, "bye from C, é 漢字");
    g_assert_false (any_peer_is_connected (link->peer));
    g_assert_false (any_peer_send (link->peer, msg, &error));
    g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_DISCONNECTED);
    disconnected = js_expect (link->js, "disconnected", 5000);
    g_assert_cmpstr (ev_str (disconnected, "id"), ==, any_socket_get_id (link->c->socket));
    g_assert_cmpstr (ev_str (disconnected, "reason"), ==, "Remote Connection Closed");
    link_close (link);
  }

  /* It closes: its reason there, "Remote Connection Closed" here; a
   * pending request fails with DISCONNECTED. */
  {
    g_autoptr(JsonNode) disconnected = NULL;
    g_autoptr(JsonNode) msg = json_parse ("{\"op\":\"no reply for this one\"}");
    g_autoptr(JsonNode) reason = json_parse ("\"bye from JS\"");
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(AnyPacket) reply = NULL;
    g_autoptr(JsonNode) message_event = NULL;

    link = link_open (dir, 5000, NULL);
    any_peer_request_async (link->peer, msg, 10000, NULL, request_done, &result);
    message_event = js_expect (link->js, "message", 5000);
    js_command_with (link->js, "disconnect", "reason", reason);
    disconnected = js_expect (link->js, "disconnected", 5000);
    g_assert_cmpstr (ev_str (disconnected, "reason"), ==, "bye from JS");
    g_assert_true (WAIT_FOR (link->c->disconnected->len > 0, 5000));
    note ("%s: JS closed, C reason: %s", dir_name (dir),
                    (char *) g_ptr_array_index (link->c->disconnected, 0));
    g_assert_cmpstr (g_ptr_array_index (link->c->disconnected, 0), ==, "Remote Connection Closed");
    g_assert_true (WAIT_FOR (result != NULL, 2000));
    reply = any_peer_request_finish (link->peer, result, &error);
    g_assert_null (reply);
    g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_DISCONNECTED);
    link_close (link);
  }

  /* It dies (SIGKILL): the TCP connection just ends. */
  {
    link = link_open (dir, 5000, NULL);
    js_signal (link->js, SIGKILL);
    g_assert_true (WAIT_FOR (link->c->disconnected->len > 0, 5000));
    note ("%s: JS killed, C reason: %s", dir_name (dir),
                    (char *) g_ptr_array_index (link->c->disconnected, 0));
    g_assert_true (g_str_has_prefix (g_ptr_array_index (link->c->disconnected, 0),
                                     "Remote Connection Closed"));
    g_assert_false (any_peer_is_connected (link->peer));
    link_close (link);
  }
}

typedef struct {
  gboolean done;
  gint64   rtt;
  double   offset;
  GError  *error;
} SyncedTime;

static void
on_c_synced_time (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SyncedTime *synced = user_data;

  any_peer_get_synced_time_finish (ANY_PEER (source), result, &synced->rtt, &synced->offset, &synced->error);
  synced->done = TRUE;
}

/* INTERNAL requests from the JavaScript peer: SYNCED_TIME is answered,
 * an RPC gets a 404 error reply rather than a hang. */
static void
test_internal (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  Link *link = link_open (dir, 5000, NULL);
  g_autoptr(JsonNode) synced = NULL;
  g_autoptr(JsonNode) rpc = NULL;
  g_autoptr(JsonNode) rpc2 = NULL;
  JsonObject *error;
  double rtt, offset;

  js_command_text (link->js, "{\"cmd\":\"synced_time\"}");
  synced = js_expect (link->js, "synced_time", 7000);
  rtt = ev_double (synced, "rtt");
  offset = ev_double (synced, "offset");
  note ("%s: getSyncedTime(): rtt %g ms, offset %g ms", dir_name (dir), rtt, offset);
  g_assert_cmpfloat (rtt, >=, 0);
  g_assert_cmpfloat (rtt, <, 2000);
  /* Same clock on both sides: the offset is within the round trip. */
  g_assert_cmpfloat (fabs (offset), <=, rtt / 2 + 2);

  js_command_text (link->js, "{\"cmd\":\"rpc\",\"path\":[\"some\",\"method\"],\"params\":[1,\"é\"]}");
  rpc = js_expect (link->js, "rpc_error", 7000);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (ev_member (rpc, "error")));
  error = json_node_get_object (ev_member (rpc, "error"));
  g_assert_cmpint (json_object_get_int_member (error, "code"), ==, 404);
  g_assert_cmpstr (json_object_get_string_member (error, "error"), ==, "Method not found!");
  g_assert_cmpstr (json_object_get_string_member (error, "details"), ==, "method: 'some,method'");
  g_assert_null (js_take (link->js, "rpc_timeout"));

  /* A one-level method too. */
  js_command_text (link->js, "{\"cmd\":\"rpc\",\"path\":[\"ping\"],\"params\":[]}");
  rpc2 = js_expect (link->js, "rpc_error", 7000);
  error = json_node_get_object (ev_member (rpc2, "error"));
  g_assert_cmpint (json_object_get_int_member (error, "code"), ==, 404);
  g_assert_cmpstr (json_object_get_string_member (error, "details"), ==, "method: 'ping'");

  /* And the other way: our SYNCED_TIME request, answered by the
   * JavaScript peer. */
  {
    SyncedTime ours = { 0 };

    any_peer_get_synced_time_async (link->peer, NULL, on_c_synced_time, &ours);
    g_assert_true (WAIT_FOR (ours.done, 7000));
    g_assert_no_error (ours.error);
    note ("%s: any_peer_get_synced_time(): rtt %" G_GINT64_FORMAT " ms, offset %g ms",
          dir_name (dir), ours.rtt, ours.offset);
    g_assert_cmpint (ours.rtt, >=, 0);
    g_assert_cmpint (ours.rtt, <, 2000);
    g_assert_cmpfloat (fabs (ours.offset), <=, ours.rtt / 2.0 + 2);
  }

  /* INTERNAL traffic reached no application handler and kept the link. */
  g_assert_cmpuint (link->c->messages.length, ==, 0);
  g_assert_cmpuint (link->c->disconnected->len, ==, 0);
  assert_link_works (link);
  link_close (link);
}

/* RPC (PROTOCOL.md 7), both ways: the JavaScript `peer.rpc.a.b(...)`
 * served by AnySocket::rpc handlers, and any_peer_call_async() /
 * any_peer_invoke_async() served by the JavaScript `setRPC()` (js-peer.js
 * --rpc). Binary params and results travel as base64 listed in "bin". */

#define RPC_BIG_BYTES   (1024 * 1024 + 3)

static const char * const rpc_js_args[] = { "--rpc", NULL };

/* Bytes that are not text, not repeating with a short period. */
static GBytes *
rpc_pattern (gsize len)
{
  guint8 *data = g_malloc (len + 1);
  guint32 x = 12345;

  for (gsize i = 0; i < len; i++)
    {
      x = x * 1103515245u + 12345u;
      data[i] = (guint8) (x >> 16);
    }
  return g_bytes_new_take (data, len);
}

static char *
rpc_base64 (GBytes *bytes)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  return g_base64_encode (data, len);
}

/* {"len": N, "sha256": hex}: how both sides describe a binary param. */
static JsonNode *
rpc_bytes_info (GBytes *bytes, gboolean with_is_buffer)
{
  g_autofree char *digest = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
  g_autofree char *text = g_strdup_printf ("{%s\"len\":%" G_GSIZE_FORMAT ",\"sha256\":\"%s\"}",
                                           with_is_buffer ? "\"is_buffer\":true," : "",
                                           g_bytes_get_size (bytes), digest);

  return json_parse (text);
}

/* The C side's methods */

static gboolean
on_c_rpc_add (AnySocket *socket, AnyRpcCall *call, gpointer user_data)
{
  JsonArray *params = any_rpc_call_get_params (call);
  g_autoptr(JsonNode) sum = json_node_new (JSON_NODE_VALUE);

  json_node_set_int (sum, json_array_get_int_element (params, 0) + json_array_get_int_element (params, 1));
  any_rpc_call_return_value (call, sum);
  return TRUE;
}

/* Each param back, a binary one as {"len", "sha256"}. */
static gboolean
on_c_rpc_bytes_info (AnySocket *socket, AnyRpcCall *call, gpointer user_data)
{
  JsonArray *params = any_rpc_call_get_params (call);
  g_autoptr(JsonNode) answer = json_node_new (JSON_NODE_ARRAY);
  JsonArray *described = json_array_new ();

  for (guint i = 0; i < json_array_get_length (params); i++)
    {
      g_autoptr(GBytes) bytes = any_rpc_call_get_param_bytes (call, i);

      json_array_add_element (described, bytes ? rpc_bytes_info (bytes, FALSE)
                                               : json_node_copy (json_array_get_element (params, i)));
    }
  json_node_take_array (answer, described);
  any_rpc_call_return_value (call, answer);
  return TRUE;
}

/* [len, byte]: len times byte, binary. */
static gboolean
on_c_rpc_bytes_make (AnySocket *socket, AnyRpcCall *call, gpointer user_data)
{
  JsonArray *params = any_rpc_call_get_params (call);
  gsize len = json_array_get_int_element (params, 0);
  guint8 *data = g_malloc (len + 1);
  g_autoptr(GBytes) bytes = NULL;

  memset (data, (int) json_array_get_int_element (params, 1), len);
  bytes = g_bytes_new_take (data, len);
  any_rpc_call_return_bytes (call, bytes);
  return TRUE;
}

static gboolean
on_c_rpc_fail (AnySocket *socket, AnyRpcCall *call, gpointer user_data)
{
  any_rpc_call_return_error_literal (call, "C handler failure \u00e9");
  return TRUE;
}

static gboolean
complete_later (gpointer user_data)
{
  AnyRpcCall *call = user_data;
  g_autoptr(JsonNode) answer = json_parse ("\"later \u2713\"");

  any_rpc_call_return_value (call, answer);
  return G_SOURCE_REMOVE;
}

static gboolean
on_c_rpc_later (AnySocket *socket, AnyRpcCall *call, gpointer user_data)
{
  g_timeout_add_full (G_PRIORITY_DEFAULT, 50, complete_later, g_object_ref (call), g_object_unref);
  return TRUE;
}

/* Sends {"cmd":"rpc", ...} and returns the answer's event. */
static JsonNode *
js_rpc (JsPeer     *js,
        const char *command,
        const char *event)
{
  js_command_text (js, command);
  return js_expect (js, event, 10000);
}

static void
test_rpc_js_calls_c (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  Link *link = link_open (dir, 5000, NULL);
  g_autoptr(GBytes) big = rpc_pattern (RPC_BIG_BYTES);
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  g_autofree char *big_base64 = rpc_base64 (big);
  g_autofree char *info_command = NULL;
  g_autoptr(JsonNode) expected_info = NULL;
  JsonNode *ev;
  JsonObject *error;
  gsize made_len = 0;
  g_autofree guint8 *made_data = NULL;

  g_signal_connect (link->c->socket, "rpc::math.add", G_CALLBACK (on_c_rpc_add), NULL);
  g_signal_connect (link->c->socket, "rpc::bytes.info", G_CALLBACK (on_c_rpc_bytes_info), NULL);
  g_signal_connect (link->c->socket, "rpc::bytes.make", G_CALLBACK (on_c_rpc_bytes_make), NULL);
  g_signal_connect (link->c->socket, "rpc::fail", G_CALLBACK (on_c_rpc_fail), NULL);
  g_signal_connect (link->c->socket, "rpc::later", G_CALLBACK (on_c_rpc_later), NULL);

  ev = js_rpc (link->js, "{\"cmd\":\"rpc\",\"path\":[\"math\",\"add\"],\"params\":[2,40]}", "rpc_result");
  g_assert_cmpint (ev_int (ev, "result"), ==, 42);
  g_assert_null (ev_member (ev, "buffer"));
  json_node_unref (ev);

  /* Buffers: the JavaScript caller lists them as "bin": ["1","2"]. */
  info_command = g_strdup_printf ("{\"cmd\":\"rpc\",\"path\":[\"bytes\",\"info\"],"
                                  "\"params\":[\"label \u00e9\",\"%s\",\"\"],\"buffers\":[1,2]}", big_base64);
  ev = js_rpc (link->js, info_command, "rpc_result");
  {
    g_autoptr(JsonNode) big_info = rpc_bytes_info (big, FALSE);
    g_autoptr(JsonNode) empty_info = rpc_bytes_info (empty, FALSE);
    g_autofree char *big_text = json_to_string (big_info, FALSE);
    g_autofree char *empty_text = json_to_string (empty_info, FALSE);
    g_autofree char *text = g_strdup_printf ("[\"label \u00e9\",%s,%s]", big_text, empty_text);

    expected_info = json_parse (text);
  }
  assert_json_equal (ev_member (ev, "result"), expected_info);
  json_node_unref (ev);

  /* A binary result arrives as a Buffer. */
  ev = js_rpc (link->js, "{\"cmd\":\"rpc\",\"path\":[\"bytes\",\"make\"],\"params\":[1000,171]}", "rpc_result");
  g_assert_true (json_object_get_boolean_member_with_default (json_node_get_object (ev), "buffer", FALSE));
  made_data = g_base64_decode (ev_str (ev, "result"), &made_len);
  g_assert_cmpuint (made_len, ==, 1000);
  for (gsize i = 0; i < made_len; i++)
    g_assert_cmpuint (made_data[i], ==, 171);
  json_node_unref (ev);

  /* A handler's error is a 500; a method nobody serves a 404. */
  ev = js_rpc (link->js, "{\"cmd\":\"rpc\",\"path\":[\"fail\"],\"params\":[]}", "rpc_error");
  error = json_node_get_object (ev_member (ev, "error"));
  g_assert_cmpint (json_object_get_int_member (error, "code"), ==, 500);
  g_assert_cmpstr (json_object_get_string_member (error, "error"), ==, "C handler failure \u00e9");
  g_assert_cmpstr (json_object_get_string_member (error, "details"), ==, "method: 'fail'");
  json_node_unref (ev);

  ev = js_rpc (link->js, "{\"cmd\":\"rpc\",\"path\":[\"math\",\"sub\"],\"params\":[1]}", "rpc_error");
  error = json_node_get_object (ev_member (ev, "error"));
  g_assert_cmpint (json_object_get_int_member (error, "code"), ==, 404);
  g_assert_cmpstr (json_object_get_string_member (error, "error"), ==, "Method not found!");
  g_assert_cmpstr (json_object_get_string_member (error, "details"), ==, "method: 'math,sub'");
  json_node_unref (ev);

  /* Completed later, from a timeout. */
  ev = js_rpc (link->js, "{\"cmd\":\"rpc\",\"path\":[\"later\"]}", "rpc_result");
  g_assert_cmpstr (ev_str (ev, "result"), ==, "later \u2713");
  json_node_unref (ev);

  g_assert_null (js_take (link->js, "rpc_timeout"));
  g_assert_cmpuint (link->c->messages.length, ==, 0);
  g_assert_cmpuint (link->c->disconnected->len, ==, 0);
  assert_link_works (link);
  link_close (link);
}

/* Calls @method on the JavaScript peer with the params of @params_json. */
static JsonNode *
c_call (AnyPeer     *peer,
        const char  *method,
        const char  *params_json,
        GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) params = json_parse (params_json);

  any_peer_call_async (peer, method, json_node_get_array (params), NULL, store_result, &result);
  g_assert_true (WAIT_FOR (result != NULL, 10000));
  return any_peer_call_finish (peer, result, error);
}

static gboolean
c_invoke (AnyPeer     *peer,
          AnyRpcCall  *call,
          GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  any_peer_invoke_async (peer, call, 10000, NULL, store_result, &result);
  g_assert_true (WAIT_FOR (result != NULL, 12000));
  return any_peer_invoke_finish (peer, result, error);
}

static void
assert_c_call (AnyPeer    *peer,
               const char *method,
               const char *params_json,
               const char *expected_json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) got = c_call (peer, method, params_json, &error);
  g_autoptr(JsonNode) expected = json_parse (expected_json);

  g_assert_no_error (error);
  assert_json_equal (got, expected);
}

static void
assert_c_call_fails (AnyPeer    *peer,
                     const char *method,
                     int         code,
                     const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) got = c_call (peer, method, "[]", &error);

  g_assert_null (got);
  g_assert_error (error, ANY_RPC_ERROR, code);
  g_assert_cmpstr (error->message, ==, message);
}

static void
test_rpc_c_calls_js (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  Link *link = link_open (dir, 5000, rpc_js_args);
  g_autoptr(GBytes) big = rpc_pattern (RPC_BIG_BYTES);
  g_autoptr(GBytes) small = rpc_pattern (1000);
  g_autoptr(GError) error = NULL;

  assert_c_call (link->peer, "math.add", "[2,40]", "42");
  assert_c_call (link->peer, "echo", "[\"\u00e9\u6f22\u5b57\U0001F600\",{\"a\":[1,null,true]},[]]",
                 "[\"\u00e9\u6f22\u5b57\U0001F600\",{\"a\":[1,null,true]},[]]");

  /* A binary param is a Buffer there. */
  {
    g_autoptr(AnyRpcCall) call = any_rpc_call_new ("bytes.info");
    g_autoptr(JsonNode) expected = rpc_bytes_info (big, TRUE);

    any_rpc_call_add_bytes_param (call, big);
    g_assert_true (c_invoke (link->peer, call, &error));
    g_assert_no_error (error);
    assert_json_equal (any_rpc_call_get_result (call), expected);
    g_assert_null (any_rpc_call_get_result_bytes (call));
  }

  /* Binary both ways. */
  {
    g_autoptr(AnyRpcCall) call = any_rpc_call_new ("bytes.reverse");
    g_autoptr(GBytes) got = NULL;
    const guint8 *sent, *back;
    gsize len;

    any_rpc_call_add_bytes_param (call, small);
    g_assert_true (c_invoke (link->peer, call, &error));
    g_assert_no_error (error);
    got = any_rpc_call_get_result_bytes (call);
    g_assert_nonnull (got);
    g_assert_cmpuint (g_bytes_get_size (got), ==, 1000);
    sent = g_bytes_get_data (small, &len);
    back = g_bytes_get_data (got, NULL);
    for (gsize i = 0; i < len; i++)
      g_assert_cmpuint (back[i], ==, sent[len - 1 - i]);
  }

  /* A Buffer result: bytes through invoke, base64 through call. */
  {
    g_autoptr(AnyRpcCall) call = any_rpc_call_new ("bytes.make");
    g_autoptr(JsonNode) len = json_parse ("1000");
    g_autoptr(JsonNode) byte = json_parse ("171");
    g_autoptr(GBytes) got = NULL;
    g_autoptr(JsonNode) as_call = NULL;
    g_autofree char *expected_base64 = NULL;
    guint8 expected[1000];

    any_rpc_call_add_param (call, len);
    any_rpc_call_add_param (call, byte);
    g_assert_true (c_invoke (link->peer, call, &error));
    g_assert_no_error (error);
    got = any_rpc_call_get_result_bytes (call);
    memset (expected, 171, sizeof expected);
    g_assert_nonnull (got);
    g_assert_cmpmem (g_bytes_get_data (got, NULL), g_bytes_get_size (got), expected, sizeof expected);

    as_call = c_call (link->peer, "bytes.make", "[3,171]", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (json_node_get_string (as_call), ==, "q6ur");
  }

  /* Errors: a throwing method is a 500 with its message; an async one
   * loses it (the JavaScript peer sends the Error object, which JSON
   * makes {}); a rejected string stays a string. */
  assert_c_call_fails (link->peer, "fail.sync", ANY_RPC_ERROR_FAILED, "sync failure \u00e9 (method: 'fail,sync')");
  assert_c_call_fails (link->peer, "fail.async", ANY_RPC_ERROR_FAILED, "{} (method: 'fail,async')");
  assert_c_call_fails (link->peer, "fail.reject", ANY_RPC_ERROR_FAILED, "plain rejection (method: 'fail,reject')");
  assert_c_call_fails (link->peer, "no.such", ANY_RPC_ERROR_NOT_FOUND, "Method not found! (method: 'no,such')");
  assert_c_call_fails (link->peer, "notAFunction", ANY_RPC_ERROR_NOT_FOUND,
                       "Method not found! (method: 'notAFunction')");
  /* The JavaScript callee looks methods up through the prototype chain
   * of its table: "toString" is Object.prototype.toString. */
  assert_c_call (link->peer, "toString", "[]", "\"[object Object]\"");

  g_assert_cmpuint (link->c->disconnected->len, ==, 0);
  assert_link_works (link);
  link_close (link);
}

/* E2E (PROTOCOL.md 6): the JavaScript peer advertises no native E2E, so
 * every switch here is compat (secp521r1 ECDH, AES-256-CBC). */

#define E2E_MARKER     "PLAINTEXT-MARKER-QzX"
#define E2E_JS_STATE_CONNECTED  2
#define E2E_JS_STATE_SWITCHING  3
#define E2E_JS_ENCRYPTION_E2EE  2
#define E2E_BURST      40

static const char * const e2e_js_args[] = { "--marker=" E2E_MARKER, NULL };

/* Moves the "message" events queued so far into @into. */
static void
js_collect_messages (JsPeer    *js,
                     GPtrArray *into)
{
  JsonNode *node;

  while ((node = js_take (js, "message")) != NULL)
    g_ptr_array_add (into, node);
}

/* The stream messages {"s": @name, "i": ...} among @events: checks that
 * they are 0, 1, 2, ... in order and returns how many there are;
 * @n_after (nullable) counts those printed after output line @after_n. */
static guint
js_check_stream (GPtrArray  *events,
                 const char *name,
                 gint64      after_n,
                 guint      *n_after)
{
  guint count = 0;

  if (n_after != NULL)
    *n_after = 0;
  for (guint k = 0; k < events->len; k++)
    {
      JsonNode *msg = ev_member (g_ptr_array_index (events, k), "msg");
      JsonObject *object;

      if (msg == NULL || !JSON_NODE_HOLDS_OBJECT (msg))
        continue;
      object = json_node_get_object (msg);
      if (g_strcmp0 (json_object_get_string_member_with_default (object, "s", NULL), name) != 0)
        continue;
      if (json_object_get_int_member (object, "i") != count)
        g_error ("JS side: stream '%s' message %" G_GINT64_FORMAT " arrived where %u was due",
                 name, json_object_get_int_member (object, "i"), count);
      if (n_after != NULL && ev_int (g_ptr_array_index (events, k), "n") > after_n)
        (*n_after)++;
      count++;
    }
  return count;
}

/* The same for what the C side received: @n_compat counts those delivered
 * once the link was encrypted. */
static guint
c_check_stream (CSide      *c,
                const char *name,
                guint      *n_compat)
{
  guint count = 0;

  if (n_compat != NULL)
    *n_compat = 0;
  for (guint k = 0; k < c->streamed->len; k++)
    {
      StreamItem *item = &g_array_index (c->streamed, StreamItem, k);

      if (g_strcmp0 (item->s, name) != 0)
        continue;
      if (item->i != count)
        g_error ("C side: stream '%s' message %" G_GINT64_FORMAT " arrived where %u was due",
                 name, item->i, count);
      if (n_compat != NULL && item->mode == ANY_E2E_MODE_COMPAT)
        (*n_compat)++;
      count++;
    }
  return count;
}

/* Sends {"s": @name, "i": @i, "t": text[, "data": @data]}. */
static void
c_send_stream_item (AnyPeer    *peer,
                    const char *name,
                    guint       i,
                    const char *data)
{
  g_autoptr(JsonNode) msg = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();
  g_autofree char *text = g_strdup_printf ("flux é 漢字 😀 #%u", i);

  json_object_set_string_member (object, "s", name);
  json_object_set_int_member (object, "i", i);
  json_object_set_string_member (object, "t", text);
  if (data != NULL)
    json_object_set_string_member (object, "data", data);
  json_node_take_object (msg, object);
  c_send (peer, msg);
}

static gboolean
on_c_stream_tick (gpointer user_data)
{
  CSide *c = user_data;

  c_send_stream_item (c->stream_peer, c->stream_name, c->stream_count++, NULL);
  return G_SOURCE_CONTINUE;
}

/* Our side sends {"s": @name, "i": 0, 1, ...} every millisecond. */
static void
c_stream_start (CSide      *c,
                AnyPeer    *peer,
                const char *name)
{
  g_assert_cmpuint (c->stream_source, ==, 0);
  g_free (c->stream_name);
  c->stream_name = g_strdup (name);
  g_set_object (&c->stream_peer, peer);
  c->stream_count = 0;
  c->stream_source = g_timeout_add (1, on_c_stream_tick, c);
}

static guint
c_stream_stop (CSide *c)
{
  g_clear_handle_id (&c->stream_source, g_source_remove);
  return c->stream_count;
}

/* Starts the switch from our side or the JavaScript side (@js_command, a
 * JSON text: {"cmd":"e2e", ...}). */
static void
e2e_start (Link       *link,
           gboolean    c_initiates,
           const char *js_command)
{
  g_assert_cmpint (any_peer_get_e2e_mode (link->peer), ==, ANY_E2E_MODE_NONE);
  if (c_initiates)
    {
      any_peer_e2e (link->peer);
      /* Done only when the answer comes back. */
      g_assert_true (any_peer_is_connected (link->peer));
      g_assert_cmpint (any_peer_get_e2e_mode (link->peer), ==, ANY_E2E_MODE_NONE);
      g_assert_cmpuint (link->c->e2e_signals, ==, 0);
    }
  else
    js_command_text (link->js, js_command ? js_command : "{\"cmd\":\"e2e\"}");
}

/* Waits until both sides report the switch done, and checks how. Returns
 * the JavaScript side's "e2e" event ("n", "ms"). */
static JsonNode *
e2e_wait (Link *link)
{
  JsonNode *js_e2e;
  g_autoptr(JsonNode) peer_e2e = NULL;
  g_autofree char *fingerprint = NULL;

  if (!WAIT_FOR (link->c->e2e_signals > 0 || link->c->disconnected->len > 0, 6000))
    g_error ("%s: no AnySocket::e2e within 6 s", dir_name (link->dir));
  if (link->c->disconnected->len > 0)
    g_error ("%s: the link closed during the switch: %s", dir_name (link->dir),
             (char *) g_ptr_array_index (link->c->disconnected, 0));

  /* Ours: property notified, then AnyPeer::e2e, then AnySocket::e2e, once. */
  g_assert_cmpuint (link->c->e2e_signals, ==, 1);
  g_assert_cmpstr (link->c->e2e_order->str, ==, "nps");
  g_assert_true (link->c->e2e_peer == link->peer);
  g_assert_cmpint (link->c->e2e_mode_notified, ==, ANY_E2E_MODE_COMPAT);
  g_assert_cmpint (any_peer_get_e2e_mode (link->peer), ==, ANY_E2E_MODE_COMPAT);
  g_assert_true (any_peer_is_connected (link->peer));
  /* Compat authenticates no key: there is no fingerprint to compare. */
  fingerprint = any_peer_dup_remote_fingerprint (link->peer);
  g_assert_null (fingerprint);

  /* Theirs: socket.on("e2e") and peer.on("e2e"), the protocol in E2EE. */
  js_e2e = js_expect (link->js, "e2e", 6000);
  g_assert_cmpstr (ev_str (js_e2e, "id"), ==, any_socket_get_id (link->c->socket));
  g_assert_cmpint (ev_int (js_e2e, "state"), ==, E2E_JS_ENCRYPTION_E2EE);
  peer_e2e = js_expect (link->js, "peer_e2e", 1000);
  g_assert_cmpstr (ev_str (peer_e2e, "id"), ==, any_socket_get_id (link->c->socket));
  g_assert_cmpuint (link->c->disconnected->len, ==, 0);
  return js_e2e;
}

static JsonNode *
js_capture_report (JsPeer *js)
{
  js_command_text (js, "{\"cmd\":\"capture_report\"}");
  return js_expect (js, "capture", 5000);
}

static void
js_capture_start (JsPeer *js)
{
  g_autoptr(JsonNode) started = NULL;

  js_command_text (js, "{\"cmd\":\"capture_start\"}");
  started = js_expect (js, "capture_started", 5000);
}

static gint64
capture_count (JsonNode   *report,
               const char *side,
               const char *member)
{
  JsonObject *object = json_object_get_object_member (json_node_get_object (report), side);

  return json_object_get_int_member (object, member);
}

static gint64
capture_type_count (JsonNode   *report,
                    const char *side,
                    const char *type)
{
  JsonObject *object = json_object_get_object_member (json_node_get_object (report), side);
  JsonObject *types = json_object_get_object_member (object, "types");

  return json_object_get_int_member_with_default (types, type, 0);
}

/* Every frame the JavaScript side sent and received since capture_start
 * is ciphertext (hex of IV + AES blocks) and shows no marker. */
static void
assert_capture_encrypted (JsonNode   *report,
                          const char *what)
{
  g_autofree char *text = json_to_string (report, FALSE);
  static const char * const sides[] = { "out", "in" };

  note ("%s: wire seen by the JS side: %.600s", what, text);
  for (guint k = 0; k < G_N_ELEMENTS (sides); k++)
    {
      gint64 frames = capture_count (report, sides[k], "frames");

      g_assert_cmpint (frames, >, 0);
      if (capture_count (report, sides[k], "hex") != frames)
        g_error ("%s: frames %s the JS side in the clear: %s", what,
                 k == 0 ? "sent by" : "received by", text);
      g_assert_cmpint (capture_count (report, sides[k], "marker"), ==, 0);
      /* No SWITCH (or other) packet in the clear after the switch. */
      g_assert_cmpint (capture_type_count (report, sides[k], "4"), ==, 0);
    }
}

static void
send_marker_both_ways (Link *link)
{
  g_autoptr(JsonNode) to_js = json_parse ("{\"secret\":\"" E2E_MARKER " vers JS é 漢字 😀\"}");
  g_autoptr(JsonNode) to_c = json_parse ("{\"secret\":\"" E2E_MARKER " vers C ü 字 😀\"}");
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

/* A compat switch started by either side, then everything the plain
 * cases do, with the JavaScript side checking that the wire carries only
 * ciphertext. */
static void
e2e_compat_case (Direction dir,
                 gboolean  c_initiates)
{
  Link *link = link_open (dir, 5000, e2e_js_args);
  g_autoptr(JsonNode) control = NULL;
  g_autoptr(JsonNode) js_e2e = NULL;
  g_autoptr(JsonNode) report = NULL;
  gint64 start, c_to_js_ms, js_to_c_ms;

  /* Control: before the switch the capture sees the marker both ways. */
  js_capture_start (link->js);
  send_marker_both_ways (link);
  control = js_capture_report (link->js);
  g_assert_cmpint (capture_count (control, "out", "marker"), >=, 1);
  g_assert_cmpint (capture_count (control, "in", "marker"), >=, 1);
  g_assert_cmpint (capture_count (control, "out", "hex"), ==, 0);
  g_assert_cmpint (capture_count (control, "in", "hex"), ==, 0);

  start = g_get_monotonic_time ();
  e2e_start (link, c_initiates, NULL);
  js_e2e = e2e_wait (link);
  note ("%s: compat switch started by %s done in %" G_GINT64_FORMAT " ms", dir_name (dir),
        c_initiates ? "C" : "JS", (g_get_monotonic_time () - start) / 1000);

  js_capture_start (link->js);
  send_marker_both_ways (link);
  exchange_messages (link);
  exchange_requests (link);
  exchange_big (link, &c_to_js_ms, &js_to_c_ms);
  note ("%s: after the compat switch, 5 MiB C->JS in %" G_GINT64_FORMAT " ms, JS->C in %"
        G_GINT64_FORMAT " ms (request + reply)", dir_name (dir), c_to_js_ms, js_to_c_ms);
  assert_link_works (link);

  report = js_capture_report (link->js);
  assert_capture_encrypted (report, dir_name (dir));
  /* The 5 MiB messages went as several chunks each way. */
  g_assert_cmpint (capture_count (report, "out", "partial"), >=, 4);
  g_assert_cmpint (capture_count (report, "in", "partial"), >=, 4);
  /* Requests and messages each way (LINK is type 3). */
  g_assert_cmpint (capture_type_count (report, "out", "3"), >=, 2 * N_REQUESTS);
  g_assert_cmpint (capture_type_count (report, "in", "3"), >=, 2 * N_REQUESTS);

  g_assert_cmpint (any_peer_get_e2e_mode (link->peer), ==, ANY_E2E_MODE_COMPAT);
  g_assert_cmpuint (link->c->e2e_signals, ==, 1);
  g_assert_null (js_take (link->js, "e2e"));
  g_assert_cmpuint (link->c->disconnected->len, ==, 0);
  g_assert_null (js_take (link->js, "disconnected"));
  link_close (link);
}

static void
test_e2e_c_initiates (gconstpointer data)
{
  e2e_compat_case (GPOINTER_TO_INT (data), TRUE);
}

static void
test_e2e_js_initiates (gconstpointer data)
{
  e2e_compat_case (GPOINTER_TO_INT (data), FALSE);
}

/* 1.5 M units: the burst's big message goes as two chunks. */
#define E2E_BURST_BIG_UNITS  (3 * 1048576 / 2)

/* Checks the big message of a burst, as the JavaScript side summarized it. */
static void
assert_js_burst_big (GPtrArray  *events,
                     const char *name,
                     guint       index,
                     const char *expected)
{
  g_autofree char *expected_sha = sha256_hex (expected);

  for (guint k = 0; k < events->len; k++)
    {
      JsonNode *msg = ev_member (g_ptr_array_index (events, k), "msg");
      JsonObject *object, *data;

      if (msg == NULL || !JSON_NODE_HOLDS_OBJECT (msg))
        continue;
      object = json_node_get_object (msg);
      if (g_strcmp0 (json_object_get_string_member_with_default (object, "s", NULL), name) != 0 ||
          json_object_get_int_member (object, "i") != index)
        continue;
      g_assert_true (json_object_has_member (object, "data"));
      data = json_object_get_object_member (object, "data");
      g_assert_cmpint (json_object_get_int_member (data, "len"), ==, utf16_length (expected));
      g_assert_cmpstr (json_object_get_string_member (data, "sha256"), ==, expected_sha);
      return;
    }
  g_error ("JS side: no message %s #%u", name, index);
}

/* Both sides stream a message every millisecond across the switch; the
 * initiator sends a burst (one message of several chunks among them)
 * right after starting it, and requests are in flight across it both
 * ways. Everything arrives, in order, exactly once; what was sent while
 * switching arrives encrypted, after the other side saw the switch.
 *
 * Not done: requests of ours in flight when WE start the switch. The
 * JavaScript peer (0.4.29) then answers some of them in the clear after
 * its SWITCH answer (it handles LINK packets on a queue of their own,
 * concurrently with the SWITCH, and decides plain or encrypted when it
 * starts serializing), which no initiator can decrypt: a JavaScript
 * initiator drops the link just the same ("Invalid initialization
 * vector"). See the E2E notes in the interop report. */
static void
e2e_during_case (Direction dir,
                 gboolean  c_initiates)
{
  Link *link = link_open (dir, 5000, e2e_js_args);
  g_autoptr(GPtrArray) js_got = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autoptr(GHashTable) seqs = g_hash_table_new (NULL, NULL);
  g_autoptr(JsonNode) js_e2e = NULL;
  g_autoptr(JsonNode) stopped = NULL;
  g_autoptr(JsonNode) started = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(JsonNode) js_requests = NULL;
  g_autofree char *big = NULL;
  Requests during, before = { 0 };
  guint c_count, js_count, after, n_compat, n_before_c, n_before_js;
  gint64 js_e2e_n;

  js_capture_start (link->js);
  c_stream_start (link->c, link->peer, "c");
  js_command_text (link->js, "{\"cmd\":\"stream_start\",\"s\":\"js\",\"every\":1}");
  started = js_expect (link->js, "stream_started", 5000);

  /* Both streams flow before the switch. */
  g_assert_true (WAIT_FOR (({ js_collect_messages (link->js, js_got);
                              js_check_stream (js_got, "c", 0, NULL) >= 10 &&
                              c_check_stream (link->c, "js", NULL) >= 10; }), 5000));

  if (c_initiates)
    {
      big = big_string (E2E_BURST_BIG_UNITS, 0xB16, TRUE);
      /* Requests in flight when the switch starts: the JavaScript peer
       * may answer some of them unencrypted after its SWITCH answer (its
       * queues race); libanysocket takes those as plain text until the
       * first encrypted chunk. */
      c_requests_start (&before, link->peer, 0, N_REQUESTS / 2);
      e2e_start (link, TRUE, NULL);
      /* Requests made while switching: they wait, like messages. */
      c_requests_start (&during, link->peer, N_REQUESTS / 2, N_REQUESTS / 2);
      for (guint i = 0; i < E2E_BURST; i++)
        {
          /* Still switching: these wait, and go out encrypted. */
          g_assert_cmpint (any_peer_get_e2e_mode (link->peer), ==, ANY_E2E_MODE_NONE);
          c_send_stream_item (link->peer, "c-burst", i, i == E2E_BURST / 2 ? big : NULL);
        }
      /* The JavaScript side's requests reach us while we switch. */
      js_command_text (link->js, "{\"cmd\":\"requests\",\"count\":64,\"prefix\":\"js à travers #\"}");
    }
  else
    {
      g_autofree char *command = g_strdup_printf ("{\"cmd\":\"e2e\",\"s\":\"js-burst\",\"sync\":%u,"
                                                  "\"during\":%u,\"big_units\":%u,\"big_seed\":2838}",
                                                  E2E_BURST / 2, E2E_BURST / 2, E2E_BURST_BIG_UNITS);

      big = big_string (E2E_BURST_BIG_UNITS, 2838, FALSE);
      /* Requests made just before the switch: answered across it. */
      js_command_text (link->js, "{\"cmd\":\"requests\",\"count\":64,\"prefix\":\"js à travers #\"}");
      e2e_start (link, FALSE, command);
      /* Ours reach it before, while or after it switches. */
      c_requests_start (&during, link->peer, 0, N_REQUESTS);
    }
  js_e2e = e2e_wait (link);
  js_e2e_n = ev_int (js_e2e, "n");
  if (!c_initiates)
    {
      g_autoptr(JsonNode) e2e_started = js_expect (link->js, "e2e_started", 2000);

      /* peer.e2e() makes its key pair in promises: the first half went
       * before the switch began, the second half usually while it was
       * under way (on a loaded machine node may not have made its key
       * pair yet; then it went just before, which the ordering checks
       * below cover as well). */
      g_assert_cmpint (ev_int (e2e_started, "state_after_call"), ==, E2E_JS_STATE_CONNECTED);
      g_assert_true (ev_int (e2e_started, "state_during") == E2E_JS_STATE_SWITCHING ||
                     ev_int (e2e_started, "state_during") == E2E_JS_STATE_CONNECTED);
    }

  /* Both streams go on, encrypted, for a while. */
  g_assert_true (WAIT_FOR (({ guint n_js_after = 0, n_c_compat = 0;
                              js_collect_messages (link->js, js_got);
                              js_check_stream (js_got, "c", js_e2e_n, &n_js_after);
                              c_check_stream (link->c, "js", &n_c_compat);
                              n_js_after >= 10 && n_c_compat >= 10; }), 5000));
  c_count = c_stream_stop (link->c);
  js_command_text (link->js, "{\"cmd\":\"stream_stop\"}");
  stopped = js_expect (link->js, "stream_stopped", 5000);
  js_count = (guint) ev_int (stopped, "count");

  /* Every request answered, both ways. */
  if (c_initiates)
    c_requests_finish (&before, link->peer, seqs);
  c_requests_finish (&during, link->peer, seqs);
  g_assert_cmpuint (g_hash_table_size (seqs), ==, N_REQUESTS);
  js_requests = js_expect (link->js, "requests_done", 15000);
  g_assert_cmpint (ev_int (js_requests, "ok"), ==, 64);

  /* Everything arrives, in order, exactly once. */
  if (!WAIT_FOR (({ js_collect_messages (link->js, js_got);
                    js_check_stream (js_got, "c", 0, NULL) == c_count &&
                    c_check_stream (link->c, "js", NULL) == js_count &&
                    js_check_stream (js_got, "c-burst", 0, NULL) == (c_initiates ? E2E_BURST : 0) &&
                    c_check_stream (link->c, "js-burst", NULL) == (c_initiates ? 0 : E2E_BURST); }), 5000))
    g_error ("%s: lost messages: JS got %u of %u from the C stream, %u of %u of the C burst; "
             "C got %u of %u from the JS stream, %u of %u of the JS burst", dir_name (dir),
             js_check_stream (js_got, "c", 0, NULL), c_count,
             js_check_stream (js_got, "c-burst", 0, NULL), c_initiates ? E2E_BURST : 0,
             c_check_stream (link->c, "js", NULL), js_count,
             c_check_stream (link->c, "js-burst", NULL), c_initiates ? 0 : E2E_BURST);
  iterate_for (50);
  js_collect_messages (link->js, js_got);
  g_assert_cmpuint (js_check_stream (js_got, "c", 0, NULL), ==, c_count);
  g_assert_cmpuint (c_check_stream (link->c, "js", NULL), ==, js_count);

  js_check_stream (js_got, "c", js_e2e_n, &after);
  n_before_js = c_count - after;
  c_check_stream (link->c, "js", &n_compat);
  n_before_c = js_count - n_compat;
  note ("%s (switch by %s): C stream %u messages, %u before the JS side saw the switch; "
        "JS stream %u messages, %u delivered to C before the switch", dir_name (dir),
        c_initiates ? "C" : "JS", c_count, n_before_js, js_count, n_before_c);
  g_assert_cmpuint (n_before_js, >=, 10);
  g_assert_cmpuint (n_before_c, >=, 10);

  if (c_initiates)
    {
      /* The burst waited for the switch: the JS side got it afterwards. */
      g_assert_cmpuint (js_check_stream (js_got, "c-burst", js_e2e_n, &after), ==, E2E_BURST);
      g_assert_cmpuint (after, ==, E2E_BURST);
      assert_js_burst_big (js_got, "c-burst", E2E_BURST / 2, big);
    }
  else
    {
      /* The half sent while switching reached us encrypted. */
      StreamItem *item = NULL;

      g_assert_cmpuint (c_check_stream (link->c, "js-burst", &n_compat), ==, E2E_BURST);
      g_assert_cmpuint (n_compat, >=, E2E_BURST / 2);
      for (guint k = 0; k < link->c->streamed->len; k++)
        {
          StreamItem *candidate = &g_array_index (link->c->streamed, StreamItem, k);

          if (g_str_equal (candidate->s, "js-burst") && candidate->i == E2E_BURST - 1)
            item = candidate;
        }
      g_assert_nonnull (item);
      g_assert_cmpint (item->mode, ==, ANY_E2E_MODE_COMPAT);
      g_assert_cmpuint (item->data_len, ==, E2E_BURST_BIG_UNITS);
      {
        g_autofree char *expected_sha = sha256_hex (big);
        g_assert_cmpstr (item->data_sha, ==, expected_sha);
      }
    }

  report = js_capture_report (link->js);
  note ("%s: frames seen by the JS side across the switch: out %" G_GINT64_FORMAT " (%"
        G_GINT64_FORMAT " hex), in %" G_GINT64_FORMAT " (%" G_GINT64_FORMAT " hex)", dir_name (dir),
        capture_count (report, "out", "frames"), capture_count (report, "out", "hex"),
        capture_count (report, "in", "frames"), capture_count (report, "in", "hex"));
  /* Exactly one SWITCH each way, in the clear. */
  g_assert_cmpint (capture_type_count (report, "out", "4"), ==, 1);
  g_assert_cmpint (capture_type_count (report, "in", "4"), ==, 1);

  g_assert_cmpint (any_peer_get_e2e_mode (link->peer), ==, ANY_E2E_MODE_COMPAT);
  g_assert_cmpuint (link->c->disconnected->len, ==, 0);
  g_assert_null (js_take (link->js, "disconnected"));
  g_assert_null (js_take (link->js, "send_error"));
  assert_link_works (link);
  link_close (link);
}

static void
test_e2e_during_c_initiates (gconstpointer data)
{
  e2e_during_case (GPOINTER_TO_INT (data), TRUE);
}

static void
test_e2e_during_js_initiates (gconstpointer data)
{
  e2e_during_case (GPOINTER_TO_INT (data), FALSE);
}

static Link *
link_open_require_native (Direction dir)
{
  CSide *c = c_side_new (5000, NULL, NULL);

  any_socket_set_e2e_policy (c->socket, ANY_E2E_POLICY_REQUIRE_NATIVE);
  g_assert_cmpint (any_socket_get_e2e_policy (c->socket), ==, ANY_E2E_POLICY_REQUIRE_NATIVE);
  return link_open_with (dir, c, e2e_js_args, TRUE);
}

/* A socket that requires native E2E refuses the JavaScript peer's compat
 * SWITCH: the link closes, with a reason that says why, at once (not
 * after the JavaScript side's 5 s e2e timeout). */
static void
test_e2e_policy_refuses_js (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  Link *link = link_open_require_native (dir);
  g_autoptr(JsonNode) disconnected = NULL;
  const char *reason;
  gint64 start;

  assert_link_works (link);
  start = g_get_monotonic_time ();
  e2e_start (link, FALSE, NULL);
  g_assert_true (WAIT_FOR (link->c->disconnected->len > 0, 3000));
  reason = g_ptr_array_index (link->c->disconnected, 0);
  note ("%s: compat SWITCH from JS refused after %" G_GINT64_FORMAT " ms: %s", dir_name (dir),
        (g_get_monotonic_time () - start) / 1000, reason);
  g_assert_nonnull (strstr (reason, "native"));
  g_assert_nonnull (strstr (reason, "E2E"));
  g_assert_false (any_peer_is_connected (link->peer));
  g_assert_cmpint (any_peer_get_e2e_mode (link->peer), ==, ANY_E2E_MODE_NONE);
  g_assert_cmpuint (link->c->e2e_signals, ==, 0);
  g_assert_cmpstr (link->c->e2e_order->str, ==, "");

  disconnected = js_expect (link->js, "disconnected", 3000);
  g_assert_cmpstr (ev_str (disconnected, "reason"), ==, "Remote Connection Closed");
  g_assert_null (js_take (link->js, "e2e"));
  g_assert_null (js_take (link->js, "peer_e2e"));
  g_assert_cmpuint (link->c->disconnected->len, ==, 1);
  link_close (link);
}

/* Toward a JavaScript peer (no native E2E), any_peer_e2e() on a socket
 * that requires native fails: the link closes with a clear reason and no
 * SWITCH goes out. */
static void
test_e2e_policy_refuses_c (gconstpointer data)
{
  Direction dir = GPOINTER_TO_INT (data);
  Link *link = link_open_require_native (dir);
  g_autoptr(JsonNode) disconnected = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(JsonNode) msg = json_parse ("\"after the refusal\"");
  g_autoptr(GError) error = NULL;
  const char *reason;

  assert_link_works (link);
  js_capture_start (link->js);
  any_peer_e2e (link->peer);
  g_assert_true (WAIT_FOR (link->c->disconnected->len > 0, 3000));
  reason = g_ptr_array_index (link->c->disconnected, 0);
  note ("%s: any_peer_e2e() toward JS with REQUIRE_NATIVE: %s", dir_name (dir), reason);
  g_assert_nonnull (strstr (reason, "native"));
  g_assert_nonnull (strstr (reason, "E2E"));
  g_assert_false (any_peer_is_connected (link->peer));
  g_assert_cmpint (any_peer_get_e2e_mode (link->peer), ==, ANY_E2E_MODE_NONE);
  g_assert_cmpuint (link->c->e2e_signals, ==, 0);
  g_assert_false (any_peer_send (link->peer, msg, &error));
  g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_DISCONNECTED);

  disconnected = js_expect (link->js, "disconnected", 3000);
  g_assert_cmpstr (ev_str (disconnected, "reason"), ==, "Remote Connection Closed");
  report = js_capture_report (link->js);
  g_assert_cmpint (capture_type_count (report, "in", "4"), ==, 0);
  g_assert_null (js_take (link->js, "e2e"));
  g_assert_cmpuint (link->c->disconnected->len, ==, 1);
  link_close (link);
}

/* Our heartbeat (200 ms) goes on across the switch, encrypted: pings
 * reach the JavaScript side as pings, its pongs update our lag, and the
 * link stays up. */
static void
e2e_heartbeat_case (Direction dir,
                    gboolean  c_initiates)
{
  Link *link = link_open (dir, HEARTBEAT_MS, e2e_js_args);
  g_autoptr(JsonNode) js_e2e = NULL;
  g_autoptr(JsonNode) stats_before = NULL;
  g_autoptr(JsonNode) stats_after = NULL;
  g_autoptr(JsonNode) report = NULL;
  guint heartbeats_before;
  gint64 pings_before, pings_after;

  g_assert_true (WAIT_FOR (link->c->heartbeats >= 2, 5 * HEARTBEAT_MS));
  /* Right after a pong, so that our next ping comes ~200 ms later, long
   * after the switch: a JavaScript initiator (0.4.29) takes any HEARTBEAT
   * received while it waits for the SWITCH answer for an invalid packet
   * and drops the link ("Invalid Packet!"), whoever sends it. */
  heartbeats_before = link->c->heartbeats;
  g_assert_true (WAIT_FOR (link->c->heartbeats > heartbeats_before, 3 * HEARTBEAT_MS));
  e2e_start (link, c_initiates, NULL);
  js_e2e = e2e_wait (link);
  js_capture_start (link->js);
  js_command_text (link->js, "{\"cmd\":\"stats\"}");
  stats_before = js_expect (link->js, "stats", 2000);
  pings_before = ev_int (stats_before, "pings_received");
  heartbeats_before = link->c->heartbeats;

  iterate_for (5 * HEARTBEAT_MS);

  js_command_text (link->js, "{\"cmd\":\"stats\"}");
  stats_after = js_expect (link->js, "stats", 2000);
  pings_after = ev_int (stats_after, "pings_received");
  note ("%s (switch by %s): after the switch, %u heartbeats in %u ms, lag %d ms; "
        "JS side got %" G_GINT64_FORMAT " pings", dir_name (dir), c_initiates ? "C" : "JS",
        link->c->heartbeats - heartbeats_before, 5 * HEARTBEAT_MS,
        any_peer_get_lag (link->peer), pings_after - pings_before);
  g_assert_cmpuint (link->c->heartbeats - heartbeats_before, >=, 3);
  g_assert_cmpint (any_peer_get_lag (link->peer), >=, 0);
  g_assert_cmpint (any_peer_get_lag (link->peer), <, 1000);
  g_assert_cmpint (pings_after - pings_before, >=, 3);
  g_assert_true (any_peer_is_connected (link->peer));
  g_assert_cmpuint (link->c->disconnected->len, ==, 0);
  g_assert_null (js_take (link->js, "disconnected"));

  /* The heartbeats were encrypted, both ways. */
  report = js_capture_report (link->js);
  assert_capture_encrypted (report, dir_name (dir));
  g_assert_cmpint (capture_type_count (report, "out", "5"), >=, 3);
  g_assert_cmpint (capture_type_count (report, "in", "5"), >=, 3);

  assert_link_works (link);
  link_close (link);
}

static void
test_e2e_heartbeat_c_initiates (gconstpointer data)
{
  e2e_heartbeat_case (GPOINTER_TO_INT (data), TRUE);
}

static void
test_e2e_heartbeat_js_initiates (gconstpointer data)
{
  e2e_heartbeat_case (GPOINTER_TO_INT (data), FALSE);
}

/* Proxy: peer to peer through a hub (PROTOCOL.md 8) */

#define PROXY_MARKER "PROXIED-PLAINTEXT-QzX"

static const char * const proxy_hub_js_args[] = { "--can-proxy", "--marker=" PROXY_MARKER, NULL };
static const char * const proxy_client_js_args[] = { "--marker=" PROXY_MARKER, NULL };

static gboolean
allow_every_proxy (AnySocket  *socket,
                   AnyPeer    *from,
                   const char *target_id,
                   gpointer    user_data)
{
  return TRUE;
}

static AnyPeer *
c_proxy (CSide      *c,
         const char *peer_id,
         AnyPeer    *through,
         GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  any_socket_proxy_async (c->socket, peer_id, through, NULL, store_result, &result);
  g_assert_true (WAIT_FOR (result != NULL, 10000));
  return any_socket_proxy_finish (c->socket, result, error);
}

/* The next "connected" event of @js, which must be about @id. */
static void
js_expect_connected (JsPeer     *js,
                     const char *id,
                     gboolean    proxy)
{
  g_autoptr(JsonNode) connected = js_expect (js, "connected", 5000);

  g_assert_cmpstr (ev_str (connected, "id"), ==, id);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (connected), "proxy") == proxy);
}

static JsonNode *
marker_message (const char *text)
{
  g_autofree char *json = g_strdup_printf ("{\"secret\":\"" PROXY_MARKER " %s é 漢字 😀\"}", text);

  return json_parse (json);
}

/* A C peer and its proxied C peer: messages and a request, both ways. */
static void
c_to_c_exchange (CSide *c1, AnyPeer *to_c2, CSide *c2, AnyPeer *to_c1, const char *what)
{
  g_autoptr(JsonNode) there = marker_message (what);
  g_autoptr(JsonNode) back = marker_message ("back");
  g_autoptr(JsonNode) echo = json_parse ("{\"op\":\"echo\",\"data\":\"through the hub\",\"i\":7}");
  g_autoptr(JsonNode) got = NULL, got_back = NULL;
  g_autoptr(AnyPacket) reply = NULL;
  g_autoptr(GError) error = NULL;

  c_send (to_c2, there);
  g_assert_true (WAIT_FOR (c2->messages.length > 0, 5000));
  got = g_queue_pop_head (&c2->messages);
  assert_json_equal (got, there);
  c_send (to_c1, back);
  g_assert_true (WAIT_FOR (c1->messages.length > 0, 5000));
  got_back = g_queue_pop_head (&c1->messages);
  assert_json_equal (got_back, back);
  reply = c_request (to_c2, echo, 5000, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (any_packet_get_msg (reply)), "echo"),
                   ==, "through the hub");
}

/* A JavaScript hub (canProxy allows) and two libanysocket clients: one
 * proxies to the other, they talk, switch to native E2E through the
 * JavaScript hub, and the hub relays only ciphertext after that. */
static void
test_proxy_js_hub (gconstpointer data)
{
  JsPeer *hub = js_spawn ("server", 0, proxy_hub_js_args);
  CSide *c1 = c_side_new (5000, NULL, NULL), *c2 = c_side_new (5000, NULL, NULL);
  g_autoptr(AnyPeer) h1 = NULL, h2 = NULL, to_c2 = NULL;
  g_autoptr(JsonNode) control = NULL, report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *fingerprint = NULL, *own = NULL;
  AnyPeer *to_c1;

  h1 = c_side_connect (c1, hub->port, &error);
  g_assert_no_error (error);
  h2 = c_side_connect (c2, hub->port, &error);
  g_assert_no_error (error);
  js_expect_connected (hub, any_socket_get_id (c1->socket), FALSE);
  js_expect_connected (hub, any_socket_get_id (c2->socket), FALSE);

  to_c2 = c_proxy (c1, any_socket_get_id (c2->socket), h1, &error);
  g_assert_no_error (error);
  g_assert_true (any_peer_is_proxy (to_c2));
  g_assert_true (any_peer_get_via (to_c2) == h1);
  g_assert_true (WAIT_FOR (c2->connected->len == 2, 5000));
  to_c1 = g_ptr_array_index (c2->connected, 1);
  g_assert_cmpstr (any_peer_get_id (to_c1), ==, any_socket_get_id (c1->socket));
  g_assert_true (any_peer_get_via (to_c1) == h2);

  /* Control: in the clear, the hub sees the marker go by. */
  js_capture_start (hub);
  c_to_c_exchange (c1, to_c2, c2, to_c1, "plain");
  control = js_capture_report (hub);
  g_assert_cmpint (capture_count (control, "in", "marker"), >=, 2);
  g_assert_cmpint (capture_count (control, "out", "marker"), >=, 2);

  any_peer_e2e (to_c2);
  g_assert_true (WAIT_FOR (c1->e2e_signals == 1 && c2->e2e_signals == 1, 6000));
  g_assert_cmpint (any_peer_get_e2e_mode (to_c2), ==, ANY_E2E_MODE_NATIVE);
  g_assert_cmpint (any_peer_get_e2e_mode (to_c1), ==, ANY_E2E_MODE_NATIVE);
  fingerprint = any_peer_dup_remote_fingerprint (to_c2);
  own = any_socket_dup_fingerprint (c2->socket);
  g_assert_cmpstr (fingerprint, ==, own);

  js_capture_start (hub);
  c_to_c_exchange (c1, to_c2, c2, to_c1, "native");
  report = js_capture_report (hub);
  note ("JS hub relaying native E2E: in %" G_GINT64_FORMAT " frames, out %" G_GINT64_FORMAT
        ", marker %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT,
        capture_count (report, "in", "frames"), capture_count (report, "out", "frames"),
        capture_count (report, "in", "marker"), capture_count (report, "out", "marker"));
  g_assert_cmpint (capture_count (report, "in", "frames"), >=, 4);
  g_assert_cmpint (capture_count (report, "out", "frames"), >=, 4);
  g_assert_cmpint (capture_count (report, "in", "marker"), ==, 0);
  g_assert_cmpint (capture_count (report, "out", "marker"), ==, 0);

  /* C2 leaves the hub: the JavaScript hub tells C1 (NETWORK). */
  any_peer_disconnect (h2, "C2 leaves");
  g_assert_true (WAIT_FOR (c1->disconnected->len > 0, 5000));
  g_assert_cmpstr (g_ptr_array_index (c1->disconnected, 0), ==, "Proxy Connection Closed");
  g_assert_false (any_peer_is_connected (to_c2));
  g_assert_true (any_peer_is_connected (h1));

  c_side_free (c1);
  c_side_free (c2);
  js_free (hub);
}

/* A JavaScript hub refuses by default, and drops the link that asked. */
static void
test_proxy_js_hub_refuses (gconstpointer data)
{
  JsPeer *hub = js_spawn ("server", 0, NULL);
  CSide *c1 = c_side_new (5000, NULL, NULL), *c2 = c_side_new (5000, NULL, NULL);
  g_autoptr(AnyPeer) h1 = NULL, h2 = NULL, to_c2 = NULL;
  g_autoptr(GError) error = NULL;

  h1 = c_side_connect (c1, hub->port, &error);
  g_assert_no_error (error);
  h2 = c_side_connect (c2, hub->port, &error);
  g_assert_no_error (error);
  to_c2 = c_proxy (c1, any_socket_get_id (c2->socket), h1, &error);
  g_assert_null (to_c2);
  /* It closes without a reason ("Invalid proxy request!" stays on its
   * side): the request fails as the link goes. */
  g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_DISCONNECTED);
  note ("JS hub without canProxy: %s", error->message);
  g_assert_false (any_peer_is_connected (h1));
  g_assert_cmpuint (c2->connected->len, ==, 1);
  c_side_free (c1);
  c_side_free (c2);
  js_free (hub);
}

/* JavaScript peer @from sends @to (a proxied peer) a marker message. */
static void
js_send_to (JsPeer     *from,
            const char *to_id,
            JsonNode   *msg)
{
  g_autoptr(JsonNode) command = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "cmd", "send");
  json_object_set_string_member (object, "peer", to_id);
  json_object_set_member (object, "msg", json_node_copy (msg));
  json_node_take_object (command, object);
  js_command (from, command);
}

/* {"cmd": @cmd, "peer": @peer_id} */
static void
js_command_for (JsPeer     *js,
                const char *cmd,
                const char *peer_id)
{
  g_autofree char *command = g_strdup_printf ("{\"cmd\":\"%s\",\"peer\":\"%s\"}", cmd, peer_id);

  js_command_text (js, command);
}

static void
js_expect_message_from (JsPeer     *js,
                        const char *from_id,
                        JsonNode   *msg)
{
  g_autoptr(JsonNode) event = js_expect (js, "message", 5000);

  g_assert_cmpstr (ev_str (event, "id"), ==, from_id);
  assert_json_equal (ev_member (event, "msg"), msg);
}

static void
js_requests_to (JsPeer     *js,
                const char *to_id,
                guint       count)
{
  g_autofree char *command = g_strdup_printf ("{\"cmd\":\"requests\",\"peer\":\"%s\",\"count\":%u,"
                                              "\"prefix\":\"via hub \"}", to_id, count);
  g_autoptr(JsonNode) done = NULL;

  js_command_text (js, command);
  done = js_expect (js, "requests_done", 10000);
  g_assert_cmpint (ev_int (done, "ok"), ==, count);
}

static void
js_to_js_exchange (JsPeer *j1, JsPeer *j2, const char *what)
{
  g_autoptr(JsonNode) there = marker_message (what);
  g_autoptr(JsonNode) back = marker_message ("back");

  js_send_to (j1, j2->id, there);
  js_expect_message_from (j2, j1->id, there);
  js_send_to (j2, j1->id, back);
  js_expect_message_from (j1, j2->id, back);
  js_requests_to (j1, j2->id, 8);
}

static void
js_proxy (JsPeer     *js,
          const char *peer_id,
          const char *through_id)
{
  g_autofree char *command = g_strdup_printf ("{\"cmd\":\"proxy\",\"id\":\"%s\",\"through\":\"%s\"}",
                                              peer_id, through_id);
  g_autoptr(JsonNode) proxied = NULL;

  js_command_text (js, command);
  proxied = js_expect (js, "proxied", 5000);
  g_assert_cmpstr (ev_str (proxied, "id"), ==, peer_id);
}

/* Waits for a JavaScript side's "e2e" event about @id (compat: state 2). */
static void
js_expect_e2e (JsPeer     *js,
               const char *id)
{
  g_autoptr(JsonNode) e2e = js_expect (js, "e2e", 6000);

  g_assert_cmpstr (ev_str (e2e, "id"), ==, id);
  g_assert_cmpint (ev_int (e2e, "state"), ==, E2E_JS_ENCRYPTION_E2EE);
}

/* A libanysocket hub and two JavaScript clients: one proxies to the
 * other (the JavaScript proxy()), they talk and switch to compat E2E
 * through our hub, which then relays only ciphertext. */
static void
test_proxy_c_hub (gconstpointer data)
{
  CSide *hub = c_side_new (5000, NULL, NULL);
  JsPeer *j1, *j2;
  const char *hub_id = any_socket_get_id (hub->socket);
  g_autoptr(JsonNode) control = NULL, report = NULL, gone = NULL;

  g_signal_connect (hub->socket, "proxy-request", G_CALLBACK (allow_every_proxy), NULL);
  c_side_listen (hub);
  j1 = js_spawn_full ("client", hub->port, proxy_client_js_args, FALSE);
  j2 = js_spawn_full ("client", hub->port, proxy_client_js_args, FALSE);
  js_expect_connected (j1, hub_id, FALSE);
  js_expect_connected (j2, hub_id, FALSE);
  g_assert_true (WAIT_FOR (hub->connected->len == 2, 5000));

  js_proxy (j1, j2->id, hub_id);
  js_expect_connected (j1, j2->id, TRUE);
  js_expect_connected (j2, j1->id, TRUE);

  js_capture_start (j2);
  js_to_js_exchange (j1, j2, "plain");
  control = js_capture_report (j2);
  g_assert_cmpint (capture_count (control, "in", "marker"), >=, 1);

  js_command_for (j1, "e2e", j2->id);
  js_expect_e2e (j1, j2->id);
  js_expect_e2e (j2, j1->id);

  js_capture_start (j2);
  js_to_js_exchange (j1, j2, "compat");
  report = js_capture_report (j2);
  note ("our hub relaying JS compat E2E: %" G_GINT64_FORMAT " frames in, %" G_GINT64_FORMAT
        " out, marker %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT,
        capture_count (report, "in", "frames"), capture_count (report, "out", "frames"),
        capture_count (report, "in", "marker"), capture_count (report, "out", "marker"));
  g_assert_cmpint (capture_count (report, "in", "frames"), >=, 9);
  g_assert_cmpint (capture_count (report, "in", "marker"), ==, 0);
  g_assert_cmpint (capture_count (report, "out", "marker"), ==, 0);
  /* The hub relayed; none of it was a message to the hub. */
  g_assert_cmpuint (hub->messages.length, ==, 0);
  g_assert_cmpuint (hub->echoes, ==, 0);

  /* J2 leaves: our hub tells J1. */
  js_command_for (j2, "disconnect", hub_id);
  gone = js_expect (j1, "disconnected", 5000);
  g_assert_cmpstr (ev_str (gone, "id"), ==, j2->id);
  g_assert_cmpstr (ev_str (gone, "reason"), ==, "Proxy Connection Closed");

  js_free (j1);
  js_free (j2);
  c_side_free (hub);
}

/* One of each: a libanysocket client proxies to a JavaScript client
 * through a hub (ours when @c_hub, else a JavaScript one); compat E2E
 * between them, started by @c_initiates's side. */
static void
proxy_mixed_case (gboolean c_hub,
                  gboolean c_initiates)
{
  CSide *c = c_side_new (5000, NULL, NULL);
  CSide *c_hub_side = NULL;
  JsPeer *js_hub = NULL, *j;
  const char *hub_id;
  guint port;
  g_autoptr(AnyPeer) h = NULL, to_j = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) plain = marker_message ("plain"), secret = marker_message ("compat");
  g_autoptr(JsonNode) to_c = marker_message ("to C"), got = NULL, got2 = NULL, report = NULL;
  g_autoptr(JsonNode) echo = json_parse ("{\"op\":\"echo\",\"data\":\"mixed\",\"i\":1}");
  g_autoptr(AnyPacket) reply = NULL;
  JsPeer *capturer;

  if (c_hub)
    {
      c_hub_side = c_side_new (5000, NULL, NULL);
      g_signal_connect (c_hub_side->socket, "proxy-request", G_CALLBACK (allow_every_proxy), NULL);
      c_side_listen (c_hub_side);
      port = c_hub_side->port;
      hub_id = any_socket_get_id (c_hub_side->socket);
    }
  else
    {
      js_hub = js_spawn ("server", 0, proxy_hub_js_args);
      port = js_hub->port;
      hub_id = js_hub->id;
    }
  j = js_spawn_full ("client", port, proxy_client_js_args, FALSE);
  js_expect_connected (j, hub_id, FALSE);
  h = c_side_connect (c, port, &error);
  g_assert_no_error (error);

  to_j = c_proxy (c, j->id, h, &error);
  g_assert_no_error (error);
  g_assert_true (any_peer_is_proxy (to_j));
  js_expect_connected (j, any_socket_get_id (c->socket), TRUE);

  c_send (to_j, plain);
  js_expect_message_from (j, any_socket_get_id (c->socket), plain);
  js_send_to (j, any_socket_get_id (c->socket), to_c);
  g_assert_true (WAIT_FOR (c->messages.length > 0, 5000));
  got = g_queue_pop_head (&c->messages);
  assert_json_equal (got, to_c);
  reply = c_request (to_j, echo, 5000, &error);
  g_assert_no_error (error);
  js_requests_to (j, any_socket_get_id (c->socket), 8);

  if (c_initiates)
    any_peer_e2e (to_j);
  else
    js_command_for (j, "e2e", any_socket_get_id (c->socket));
  g_assert_true (WAIT_FOR (c->e2e_signals == 1 || c->disconnected->len > 0, 6000));
  g_assert_cmpuint (c->disconnected->len, ==, 0);
  g_assert_cmpint (any_peer_get_e2e_mode (to_j), ==, ANY_E2E_MODE_COMPAT);
  js_expect_e2e (j, any_socket_get_id (c->socket));

  /* What the hub relays: seen by the JavaScript hub itself, or by the
   * JavaScript client on its link from our hub. */
  capturer = js_hub != NULL ? js_hub : j;
  js_capture_start (capturer);
  c_send (to_j, secret);
  js_expect_message_from (j, any_socket_get_id (c->socket), secret);
  js_send_to (j, any_socket_get_id (c->socket), to_c);
  g_assert_true (WAIT_FOR (c->messages.length > 0, 5000));
  got2 = g_queue_pop_head (&c->messages);
  assert_json_equal (got2, to_c);
  js_requests_to (j, any_socket_get_id (c->socket), 8);
  report = js_capture_report (capturer);
  note ("mixed, %s hub, %s initiates: marker %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT " in %"
        G_GINT64_FORMAT "/%" G_GINT64_FORMAT " frames", c_hub ? "C" : "JS", c_initiates ? "C" : "JS",
        capture_count (report, "in", "marker"), capture_count (report, "out", "marker"),
        capture_count (report, "in", "frames"), capture_count (report, "out", "frames"));
  g_assert_cmpint (capture_count (report, "in", "frames"), >=, 9);
  g_assert_cmpint (capture_count (report, "in", "marker"), ==, 0);
  g_assert_cmpint (capture_count (report, "out", "marker"), ==, 0);

  js_free (j);
  if (js_hub != NULL)
    js_free (js_hub);
  c_side_free (c);
  c_side_free (c_hub_side);
}

static void
test_proxy_mixed_c_hub_c_initiates (gconstpointer data)
{
  proxy_mixed_case (TRUE, TRUE);
}

static void
test_proxy_mixed_c_hub_js_initiates (gconstpointer data)
{
  proxy_mixed_case (TRUE, FALSE);
}

static void
test_proxy_mixed_js_hub_c_initiates (gconstpointer data)
{
  proxy_mixed_case (FALSE, TRUE);
}

static void
test_proxy_mixed_js_hub_js_initiates (gconstpointer data)
{
  proxy_mixed_case (FALSE, FALSE);
}

static void
test_setup_missing (gconstpointer data)
{
  g_autofree char *message = g_strdup_printf ("%s is missing: run tests/interop/setup.sh",
                                              (const char *) data);

  g_test_skip (message);
}

typedef struct {
  GTestDataFunc func;
  Direction     dir;
} Case;

/* Each case runs in its own subprocess, so that one failing case (an
 * assertion aborts) does not hide the results of the others; the node
 * processes of a case die with it (PR_SET_PDEATHSIG). */
static void
run_case (gconstpointer data)
{
  const Case *c = data;

  if (g_test_subprocess ())
    {
      c->func (GINT_TO_POINTER (c->dir));
      return;
    }
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
add_both (const char    *name,
          GTestDataFunc  func)
{
  static const Direction dirs[] = { DIR_JS_SERVER, DIR_C_SERVER };

  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      Case *c = g_new0 (Case, 1);
      g_autofree char *path = g_strdup_printf ("/interop/%s/%s",
                                               dirs[i] == DIR_JS_SERVER ? "js-server" : "c-server",
                                               name);

      c->func = func;
      c->dir = dirs[i];
      g_test_add_data_func_full (path, c, run_case, g_free);
    }
}

/* A case with its own topology (several peers): runs once. */
static void
add_one (const char    *name,
         GTestDataFunc  func)
{
  Case *c = g_new0 (Case, 1);
  g_autofree char *path = g_strdup_printf ("/interop/%s", name);

  c->func = func;
  g_test_add_data_func_full (path, c, run_case, g_free);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *module = NULL;

  /* Notes hold é, 漢字 and 😀: print them as UTF-8. */
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);
  /* Writing to a node that died must fail, not kill us. */
  signal (SIGPIPE, SIG_IGN);
  verbose = g_getenv ("INTEROP_VERBOSE") != NULL;
  /* The parent goes on after a failed case. */
  if (!g_test_subprocess ())
    g_test_set_nonfatal_assertions ();

  if (g_getenv ("NODE") != NULL)
    node_path = g_getenv ("NODE");
  module = g_test_build_filename (G_TEST_DIST, "node_modules", "anysocket", "package.json", NULL);
  if (!g_file_test (module, G_FILE_TEST_EXISTS))
    {
      g_test_add_data_func ("/interop/setup-missing", module, test_setup_missing);
      return g_test_run ();
    }

  add_both ("connect", test_connect);
  add_both ("messages", test_messages);
  add_both ("control-chars", test_control_chars);
  add_both ("requests", test_requests);
  add_both ("big-message", test_big);
  add_both ("auth-accepted", test_auth_accepted);
  add_both ("auth-refused-by-js", test_auth_refused_by_js);
  add_both ("auth-refused-by-c", test_auth_refused_by_c);
  add_both ("heartbeat", test_heartbeat);
  add_both ("heartbeat-pong-only", test_heartbeat_pong);
  add_both ("missed-heartbeats", test_missed_heartbeats);
  add_both ("disconnect-reasons", test_disconnect_reasons);
  add_both ("internal", test_internal);
  add_both ("rpc/js-calls-c", test_rpc_js_calls_c);
  add_both ("rpc/c-calls-js", test_rpc_c_calls_js);
  add_both ("e2e/c-initiates", test_e2e_c_initiates);
  add_both ("e2e/js-initiates", test_e2e_js_initiates);
  add_both ("e2e/during-switch-c-initiates", test_e2e_during_c_initiates);
  add_both ("e2e/during-switch-js-initiates", test_e2e_during_js_initiates);
  add_both ("e2e/policy-refuses-js-compat", test_e2e_policy_refuses_js);
  add_both ("e2e/policy-refuses-c-compat", test_e2e_policy_refuses_c);
  add_both ("e2e/heartbeat-c-initiates", test_e2e_heartbeat_c_initiates);
  add_both ("e2e/heartbeat-js-initiates", test_e2e_heartbeat_js_initiates);

  add_one ("proxy/js-hub", test_proxy_js_hub);
  add_one ("proxy/js-hub-refuses", test_proxy_js_hub_refuses);
  add_one ("proxy/c-hub", test_proxy_c_hub);
  add_one ("proxy/mixed-c-hub/c-initiates", test_proxy_mixed_c_hub_c_initiates);
  add_one ("proxy/mixed-c-hub/js-initiates", test_proxy_mixed_c_hub_js_initiates);
  add_one ("proxy/mixed-js-hub/c-initiates", test_proxy_mixed_js_hub_c_initiates);
  add_one ("proxy/mixed-js-hub/js-initiates", test_proxy_mixed_js_hub_js_initiates);

  return g_test_run ();
}
