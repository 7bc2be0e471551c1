/* chat-app.h: the parts of anychat, for the commands that use them all
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "chat-config.h"
#include "chat-input.h"
#include "chat-log.h"
#include "mesh/chat-mesh.h"
#include "chat-model.h"

G_BEGIN_DECLS

typedef struct _ChatUi ChatUi;

typedef struct {
  ChatConfig     *config;
  ChatKnownPeers *known;
  ChatModel      *model;
  ChatMesh       *mesh;
  ChatLog        *log;        /* nullable: logging off */
  ChatInput      *input;
  ChatUi         *ui;
  GMainLoop      *loop;
} ChatApp;

void chat_app_quit (ChatApp *app);

G_END_DECLS
