/* bad-input.h: what the bad-input cases share: the server under attack,
 * the healthy client that must lose nothing, and the raw WebSocket client
 * that sends hand-made frames
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <anysocket.h>
#include <libsoup/soup.h>

/* Server limits, small so that the abuse stays cheap. */
#define MAX_MESSAGE_SIZE    (64 * 1024)
#define MAX_PARTIALS        16
#define HEARTBEAT_MS        1000
#define SHORT_AUTH_TIMEOUT  300
/* The server's auth timeout in the http/ cases (bad-http.c). */
#define HTTP_AUTH_TIMEOUT   1000

/* Waits for what must happen return as soon as it does. */
#define WAIT_MS             10000
/* How long to watch for what must not happen. */
#define QUIET_MS            200

/* raw_connect() and its RawClient, RawFrame, chunk_new(), T_AUTH... */
#include "raw-client.h"
/* WAIT_FOR(), iterate_for(), listen_local(), json_or_null()... */
#include "loopback.h"
#include "healthy-client.h"
/* MemoryMark, memory_mark(), assert_memory_growth(), running_slow() */
#include "memory-mark.h"

#define assert_prefix(str, prefix) G_STMT_START {                            \
    const char *ap_s_ = (str), *ap_p_ = (prefix);                            \
    if (ap_s_ == NULL || !g_str_has_prefix (ap_s_, ap_p_))                   \
      {                                                                      \
        g_autofree char *ap_m_ =                                             \
          g_strdup_printf ("%s = '%s' does not start with '%s'", #str,       \
                           ap_s_ ? ap_s_ : "(null)", ap_p_);                 \
        g_assertion_message (NULL, __FILE__, __LINE__, G_STRFUNC, ap_m_);    \
      }                                                                      \
  } G_STMT_END

typedef struct _Fixture Fixture;

struct _Fixture {
  AnySocket  *server;
  guint       port;
  char       *uri;
  /* Wakes the blocking iterations that wait for a socket rather than for
   * a condition (bad-accept.c's HTTP exchange). */
  guint       ticker;

  /* Server side: what it told the application. */
  GPtrArray  *log;               /* "connected ID", "message ID JSON", "disconnected ID REASON" */
  GHashTable *disconnect_reasons; /* id -> reason */
  GPtrArray  *raw_messages;      /* JSON text of messages from peers other than the healthy one */
  gboolean    count_raw_only;    /* a flood: count them, keep nothing */
  guint       raw_message_count;
  guint       server_healthy_messages;

  /* The healthy client, whose slowest reply counts from the case's start. */
  HealthyClient *healthy;
  guint       replied_at_start;

  GList      *raws;              /* RawClient */

  /* Memory measured when the server reports this id connected. */
  const char *measure_id;
  gsize       heap_at_connected;
  gsize       rss_at_connected;
};

/* A JSON string literal of exactly @len bytes ("aaa...a"). */
char * json_string_of_size (gsize len);
/* The answer of the server under attack to a request: {"echo": @msg},
 * or {"length": N} for a string over 1 KiB. */
JsonNode * echo_reply_new (JsonNode *msg);
/* A raw client, freed with the fixture. */
RawClient * raw_connect (Fixture *fx);
gboolean raw_auth (Fixture   *fx,
                   RawClient *raw);
gboolean raw_auth_with_caps (Fixture    *fx,
                             RawClient  *raw,
                             const char *caps_json);
void raw_expect_alive (Fixture   *fx,
                       RawClient *raw);
void raw_expect_close (Fixture    *fx,
                       RawClient  *raw,
                       const char *reason);
gboolean server_log_index (Fixture    *fx,
                           const char *line,
                           guint      *index);
void raw_expect_websocket_close (Fixture   *fx,
                                 RawClient *raw);
GBytes * forward_frame (const char *to,
                        const char *from);

/* A bare TCP client, for what libsoup's client cannot do (stop reading,
 * send fragments): upgraded, not authenticated, non-blocking. */
GSocketConnection * bare_connect (Fixture *fx);
gboolean bare_write (GSocket      *socket,
                     const guint8 *data,
                     gsize         len);
gboolean bare_send_chunk (GSocket    *socket,
                          char        type,
                          gint32      seq,
                          const char *body);
/* One masked client frame (the mask is 0: the payload reads as is). */
void bare_frame_append (GByteArray   *out,
                        gboolean      fin,
                        guint8        opcode,
                        const guint8 *payload,
                        gsize         len);

void fixture_setup    (Fixture       *fx,
                       gconstpointer  data);
void fixture_teardown (Fixture       *fx,
                       gconstpointer  data);

#define ADD(path, data, func) \
  g_test_add ("/badinput/" path, Fixture, data, fixture_setup, func, fixture_teardown)

void badinput_add_frames_cases   (void);
void badinput_add_binary_cases   (void);
void badinput_add_auth_cases     (void);
void badinput_add_limits_cases   (void);
void badinput_add_internal_cases (void);
void badinput_add_proxy_cases    (void);
void badinput_add_cookies_cases  (void);
void badinput_add_accept_cases   (void);
void badinput_add_http_cases     (void);
void badinput_add_flood_cases    (void);
/* bad-upgrade.c: the upgrade answered without libsoup, at its edges */
void badinput_add_upgrade_cases  (void);
/* bad-autobahn-*.c: the Autobahn TestSuite's cases, both sides */
void badinput_add_autobahn_server_cases (void);
void badinput_add_autobahn_client_cases (void);
