/* any-dial-guard.h: one cancellable for a step of a link's setup,
 * cancelled by either of two callers' cancellables or at a deadline
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Plain data, embedded (at a stable address) by its user. */
typedef struct {
  GCancellable *cancellable;   /* ours: what the steps are given */
  GCancellable *caller[2];
  gulong        caller_id[2];
  GSource      *deadline;
  gboolean      timed_out;
  guint         timeout_ms;
} AnyDialGuard;

/* @first, @second: may be NULL; @timeout_ms 0: no deadline. @name: the
 * deadline source's (static). */
void     any_dial_guard_init      (AnyDialGuard *self,
                                   GCancellable *first,
                                   GCancellable *second,
                                   guint         timeout_ms,
                                   const char   *name);
void     any_dial_guard_clear     (AnyDialGuard *self);
/* Whether @error is the cancellation the deadline caused. */
gboolean any_dial_guard_timed_out (AnyDialGuard *self,
                                   const GError *error);

/* @error (taken), or when the deadline caused it, a new error of
 * @domain and @code that says @format. */
GError  *any_dial_guard_explain   (AnyDialGuard *self,
                                   GError       *error,
                                   GQuark        domain,
                                   int           code,
                                   const char   *format,
                                   ...) G_GNUC_PRINTF (5, 6);

G_END_DECLS
