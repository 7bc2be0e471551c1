/* test-bad-input.c: hostile and broken input against an AnySocket server
 *
 * Each case starts an AnySocket server on loopback (port 0), connects a
 * healthy AnySocket client that keeps exchanging requests and replies with
 * it the whole time, and then connects a raw libsoup WebSocket client that
 * sends hand-made frames (PROTOCOL.md 2-5, 7, 8). The server must close the
 * raw link cleanly with a clear reason in the close frame (and report the
 * same reason on its side), or ignore the input where PROTOCOL.md says so,
 * and the healthy client must lose nothing.
 *
 * SPDX-License-Identifier: MIT
 */
#include "bad-input.h"

static void
log_handler (const char     *domain,
             GLogLevelFlags  level,
             const char     *message,
             gpointer        user_data)
{
  if ((level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO)) && g_getenv ("BADINPUT_DEBUG") == NULL)
    return;
  g_log_default_handler (domain, level, message, user_data);
}

static GLogWriterOutput
log_writer (GLogLevelFlags   level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  /* Warnings and criticals fail the running case instead of aborting
   * the whole program, so that every case reports. */
  if ((level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO)) && g_getenv ("BADINPUT_DEBUG") == NULL)
    return G_LOG_WRITER_HANDLED;
  if (level & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL))
    {
      for (gsize i = 0; i < n_fields; i++)
        if (g_str_equal (fields[i].key, "MESSAGE"))
          g_test_message ("unexpected %s: %s", level & G_LOG_LEVEL_WARNING ? "warning" : "critical",
                          (const char *) fields[i].value);
      g_test_fail ();
    }
  return g_log_writer_default (level, fields, n_fields, user_data);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();
  g_log_set_always_fatal (G_LOG_FATAL_MASK);
  g_log_set_writer_func (log_writer, NULL, NULL);
  g_log_set_default_handler (log_handler, NULL);

#if defined BADINPUT_FLOOD
  badinput_add_flood_cases ();
#elif defined BADINPUT_UPGRADE
  badinput_add_upgrade_cases ();
#elif defined BADINPUT_AUTOBAHN
  badinput_add_autobahn_server_cases ();
  badinput_add_autobahn_client_cases ();
#else
  badinput_add_frames_cases ();
  badinput_add_binary_cases ();
  badinput_add_auth_cases ();
  badinput_add_limits_cases ();
  badinput_add_internal_cases ();
  badinput_add_proxy_cases ();
  badinput_add_accept_cases ();
  badinput_add_http_cases ();
  badinput_add_cookies_cases ();
#endif

  status = g_test_run ();
  return status;
}
