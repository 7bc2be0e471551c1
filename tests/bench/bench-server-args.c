/* bench-server-args.c: the command line of the small echo servers
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-server-args.h"

int
bench_server_args (int argc, char *argv[], int *port, int *timeout)
{
  *port = 0;
  *timeout = 600;
  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--port") == 0 && i + 1 < argc)
        *port = atoi (argv[++i]);
      else if (strcmp (argv[i], "--timeout") == 0 && i + 1 < argc)
        *timeout = atoi (argv[++i]);
      else
        {
          fprintf (stderr, "usage: %s [--port N] [--timeout S]\n", argv[0]);
          return 0;
        }
    }
  return 1;
}
