/* bench-server-args.h: the command line of the small echo servers
 * (tcp-echo-server, zmq-echo-server): [--port N] [--timeout S]
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

/* Sets *@port (0) and *@timeout (600 s); prints the usage and returns 0
 * on anything else. */
int bench_server_args (int argc, char *argv[], int *port, int *timeout);
