/* raw-http.h: an HTTP/1.1 client over a plain TCP socket, for requests a
 * real client would never send (".." in paths, broken upgrades, stalls,
 * floods), against an in-process server: every wait runs the default
 * main context and is bounded
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  int      fd;
  GString *in;       /* received, not yet taken by raw_http_read() */
  gboolean closed;   /* the server closed (or reset) the connection */
} RawHttp;

typedef struct {
  guint    status;   /* 0: no whole answer */
  char    *head;     /* status line and headers */
  GBytes  *body;
} RawHttpResponse;

RawHttp         *raw_http_open        (guint            port);
void             raw_http_close       (RawHttp         *raw);
/* Sends all of @len bytes (the main context runs while the kernel is
 * full), FALSE if the server closed first. */
gboolean         raw_http_send        (RawHttp         *raw,
                                       const char      *data,
                                       gsize            len);
/* One answer (headers, then a Content-Length body unless @no_body), or
 * status 0 after @ms or when the server closed first. */
RawHttpResponse *raw_http_read        (RawHttp         *raw,
                                       gboolean         no_body,
                                       guint            ms);
/* Whether the server closes the connection within @ms. */
gboolean         raw_http_wait_closed (RawHttp         *raw,
                                       guint            ms);
/* Sends @request on a new connection and reads one answer. */
RawHttpResponse *raw_http_exchange    (guint            port,
                                       const char      *request,
                                       guint            ms);
/* A header of @response (any case), NULL if absent. */
char            *raw_http_header      (RawHttpResponse *response,
                                       const char      *name);
const char      *raw_http_body_text   (RawHttpResponse *response);
void             raw_http_response_free (RawHttpResponse *response);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RawHttp, raw_http_close)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RawHttpResponse, raw_http_response_free)

G_END_DECLS
