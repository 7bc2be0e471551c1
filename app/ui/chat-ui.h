/* chat-ui.h: the terminal: ncurses set-up, keys, layout, redraws
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "chat-app.h"

G_BEGIN_DECLS

ChatUi  *chat_ui_new    (ChatApp  *app,
                         GError  **error);
void     chat_ui_free   (ChatUi   *ui);
void     chat_ui_redraw (ChatUi   *ui);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChatUi, chat_ui_free)

G_END_DECLS
