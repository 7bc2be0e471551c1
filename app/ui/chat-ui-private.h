/* chat-ui-private.h: what the files of the terminal UI share
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "chat-app.h"
#include "ui/chat-views.h"

G_BEGIN_DECLS

/* what define_key() makes of the terminal's bracketed paste marks */
#define KEY_PASTE_BEGIN (KEY_MAX + 1)
#define KEY_PASTE_END   (KEY_MAX + 2)

struct _ChatUi {
  ChatApp *app;
  SCREEN  *screen;
  guint    stdin_watch;
  guint    winch_watch;
  guint    redraw_idle;
  ChatRect conversation;
  ChatRect status;
  GString *paste;     /* between the paste marks: what is being pasted */
  GStrv    pending;   /* a paste of several lines, until y or n */
  GStrv    outgoing;  /* the lines of a paste being sent, a few a second */
  guint    outgoing_next;
  char    *outgoing_room;   /* where they go: a room (NULL the default one) */
  char    *outgoing_peer;   /* or a peer */
  guint    paste_timer;
};

/* chat-ui.c */
void     chat_ui_say_if_full   (ChatUi  *ui,
                                gsize    dropped);

/* chat-ui-keys.c: pastes, keys of a search, the mouse */
void     chat_ui_paste_init    (ChatUi  *ui);
void     chat_ui_paste_clear   (ChatUi  *ui);
void     chat_ui_paste_begin   (ChatUi  *ui);
void     chat_ui_paste_key     (ChatUi  *ui,
                                int      status,
                                wint_t   key);
gboolean chat_ui_search_key    (ChatUi  *ui,
                                wint_t   key);
void     chat_ui_leave_search  (ChatUi  *ui);
void     chat_ui_mouse         (ChatUi  *ui);

G_END_DECLS
