/* any-poll.h: one epoll set per GMainContext, attached as one GSource
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _AnyPollWatch AnyPollWatch;

/* The first watches of a context (at most this many at a time) are
 * polled by the context itself, the others through the epoll set... */
#define ANY_POLL_DIRECT_MAX 4
/* ... while the context has at most this many watches: past it, all are
 * in the epoll set. */
#define ANY_POLL_DIRECT_UNTIL 32

/* What a watch waits for, and what its callback is told. */
typedef enum {
  ANY_POLL_IN  = 1 << 0,
  ANY_POLL_OUT = 1 << 1,
  ANY_POLL_ERR = 1 << 2,    /* error or hang-up; always reported */
  ANY_POLL_FLUSH = 1 << 3,  /* asked for with any_poll_watch_defer_flush() */
  ANY_POLL_EDGE = 1 << 4,   /* with IN: reported once per arrival of data,
                             * not while data waits (a watch that peeks) */
} AnyPollEvents;

/* Called from the poll source's dispatch, on its context. The watch may
 * be modified or freed from inside (its own or any other). */
typedef void (*AnyPollFunc) (gpointer      user_data,
                             AnyPollEvents events);

/* Watches @fd (not owned) for @events on the thread-default main
 * context, through that context's one poll source. */
AnyPollWatch *any_poll_watch_new        (int            fd,
                                         AnyPollEvents  events,
                                         AnyPollFunc    func,
                                         gpointer       user_data);
void          any_poll_watch_set_events (AnyPollWatch  *watch,
                                         AnyPollEvents  events);
AnyPollEvents any_poll_watch_get_events (AnyPollWatch  *watch);
/* From inside the context's poll dispatch, TRUE: the callback will be
 * called with ANY_POLL_FLUSH once the ready connections of this dispatch
 * were served (writes they caused go out together). Outside, FALSE. */
gboolean      any_poll_watch_defer_flush (AnyPollWatch *watch);
/* Stops watching (before the fd is closed). */
void          any_poll_watch_free       (AnyPollWatch  *watch);

/* A buffer of @size bytes the watches of @watch's context share, for one
 * read handled before the callback returns (dispatch never recurses). */
guint8       *any_poll_watch_read_buffer (AnyPollWatch *watch,
                                          gsize        *size);

/* For tests: the poll sources alive, and the fds of @context's. */
guint         any_poll_count_sources    (void);
guint         any_poll_count_watches    (GMainContext  *context);

G_END_DECLS
