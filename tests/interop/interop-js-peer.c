/* interop-js-peer.c: the JavaScript peer: js-peer.js run by node, driven
 * by JSON commands on its stdin, telling events on its stdout
 *
 * SPDX-License-Identifier: MIT
 */
#include <signal.h>
#include <string.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "interop.h"

const char *node_path = "node";
gboolean verbose;

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
  g_autoptr(JsonNode) command = json_checked (json_text);

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
  g_assert_cmpstr (msg_string (ready, "version"), ==, "0.4.29");
  js->id = g_strdup (msg_string (ready, "id"));
  g_assert_cmpuint (strlen (js->id), ==, 32);

  if (g_str_equal (mode, "server"))
    {
      g_autoptr(JsonNode) listening = js_expect (js, "listening", 10000);

      js->port = (guint) msg_required_int (listening, "port");
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
