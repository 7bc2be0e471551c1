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
#include <locale.h>
#include <signal.h>

#include "interop.h"

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

void
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
void
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

  interop_add_core_cases ();
  interop_add_wss_cases ();
  interop_add_rpc_cases ();
  interop_add_e2e_cases ();
  interop_add_proxy_cases ();
  interop_add_heartbeat_cases ();
  interop_add_web_cases ();
  interop_add_latency_cases ();
  interop_add_request_cases ();
  interop_add_links_cases ();
  interop_add_reconnect_cases ();
  interop_add_bytes_cases ();
  interop_add_mesh_cases ();
  interop_add_fanout_cases ();

  return g_test_run ();
}
