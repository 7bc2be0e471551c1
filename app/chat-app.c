/* chat-app.c: what concerns the whole app
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "chat-app.h"

/* /quit and signals: main() restores the terminal and stops the mesh
 * once the loop returns. Without a loop (unit tests) nothing to do. */
void
chat_app_quit (ChatApp *app)
{
  if (app->loop != NULL)
    g_main_loop_quit (app->loop);
}
