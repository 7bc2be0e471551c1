/* any-requests.h: the requests of one link waiting for their replies
 *
 * Each request is a GTask, found by its seq when the reply comes, failed
 * with ANY_SOCKET_ERROR_TIMEOUT when its deadline passes, with
 * G_IO_ERROR_CANCELLED when its cancellable is cancelled and with
 * ANY_SOCKET_ERROR_DISCONNECTED when the link goes. All deadlines share
 * one timer. Runs on the thread-default main context of its creator.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _AnyRequests AnyRequests;

AnyRequests *any_requests_new      (void);
/* Drops every request, unanswered, and the timer (the owner's dispose). */
void         any_requests_clear    (AnyRequests  *self);
void         any_requests_free     (AnyRequests  *self);

/* Takes @task. */
void         any_requests_add      (AnyRequests  *self,
                                    gint32        seq,
                                    GTask        *task,
                                    guint         timeout_ms,
                                    GCancellable *cancellable);
/* The task of request @seq, removed, or NULL (late, or never asked). */
GTask       *any_requests_take     (AnyRequests  *self,
                                    gint32        seq);
void         any_requests_fail_all (AnyRequests  *self,
                                    const char   *reason);

G_END_DECLS
