/* test-e2e.c: end-to-end encryption between libanysocket peers
 *
 * Two AnySocket endpoints on loopback (port 0), linked directly or
 * through a relay: a libsoup WebSocket server that accepts the client,
 * opens its own WebSocket to the real server and forwards text frames
 * both ways. The relay has hooks that make it an attacker on the wire:
 * it tampers with, replays, reorders, reflects, drops or rewrites
 * encrypted chunks, strips the "caps" of an AUTH packet, drops handshake
 * messages, or runs the native handshake itself with its own static key
 * on both sides (a man-in-the-middle that presents the real ids, which it
 * read in AUTH, and re-encrypts everything), using the private Noise and
 * codec API.
 *
 * Every wait is bounded (WAIT_MS); a wait that runs out fails the test.
 *
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE  /* memmem() */
#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include "e2e.h"

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  e2e_add_switch_cases ();
  e2e_add_identity_cases ();
  e2e_add_attacks_cases ();
  e2e_add_pinned_cases ();
  e2e_add_cipher_cases ();
  e2e_add_pipeline_cases ();

  return g_test_run ();
}
