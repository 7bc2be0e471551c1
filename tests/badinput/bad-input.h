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

/* Waits for what must happen return as soon as it does. */
#define WAIT_MS             10000
/* How long to watch for what must not happen. */
#define QUIET_MS            200

#define HEALTHY_IN_FLIGHT   4
#define HEALTHY_PAD_EVERY   16
#define HEALTHY_PAD_BYTES   (20 * 1024)

/* The raw client answers the server's pings from its own seq range, so
 * that a pong never collides with a seq a case is using. */
#define RAW_PONG_SEQ_BASE   1000000

/* Chunk header code point 0 and 1 (PROTOCOL.md 2). */
#define LAST        '1'
#define MORE        '2'
#define T_AUTH      '1'
#define T_INTERNAL  '2'
#define T_LINK      '3'
#define T_SWITCH    '4'
#define T_HEARTBEAT '5'

/* Bounded waits: a 10 ms ticker keeps the blocking iteration short. */
#define WAIT_FOR(cond, ms) G_STMT_START {                                    \
    gint64 wait_deadline_ = g_get_monotonic_time () + (gint64) (ms) * 1000;  \
    while (!(cond) && g_get_monotonic_time () < wait_deadline_)              \
      g_main_context_iteration (NULL, TRUE);                                 \
  } G_STMT_END

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

typedef struct {
  gboolean  binary;
  gboolean  valid;      /* the header decoded */
  char      flag;
  char      type;
  gint32    seq;
  char     *body;       /* NUL-terminated copy */
  gsize     body_len;
} RawFrame;

typedef struct {
  Fixture                 *fx;
  SoupSession             *session;
  SoupWebsocketConnection *conn;
  GCancellable            *cancellable;
  GError                  *connect_error;
  gboolean                 connect_done;
  gint64                   connected_at;

  GPtrArray               *frames;      /* RawFrame */
  gboolean                 closed;
  gint64                   closed_at;
  gushort                  close_code;
  char                    *close_reason;

  char                     id[33];
  gboolean                 authenticated;
  gint32                   next_seq;
  gint32                   pong_seq;
} RawClient;

typedef struct {
  Fixture *fx;
  guint    n;
  gint64   sent_at;
} HealthyRequest;

struct _Fixture {
  AnySocket  *server;
  char       *uri;
  guint       ticker;

  /* Server side: what it told the application. */
  GPtrArray  *log;               /* "connected ID", "message ID JSON", "disconnected ID REASON" */
  GHashTable *disconnect_reasons; /* id -> reason */
  GPtrArray  *raw_messages;      /* JSON text of messages from peers other than the healthy one */
  gboolean    count_raw_only;    /* a flood: count them, keep nothing */
  guint       raw_message_count;
  guint       server_healthy_messages;

  /* The healthy client. */
  AnySocket  *healthy;
  AnyPeer    *healthy_peer;
  char       *healthy_id;
  gboolean    healthy_connect_done;
  GError     *healthy_connect_error;
  char       *healthy_disconnect_reason;
  gboolean    pumping;
  guint       sent;
  guint       replied;
  guint       failed;
  guint       mismatched;
  guint       in_flight;
  guint       replied_at_start;
  gint64      slowest_reply_us;  /* since the case started */
  GPtrArray  *in_flight_requests; /* HealthyRequest, not owned */

  GList      *raws;              /* RawClient */

  /* Memory measured when the server reports this id connected. */
  const char *measure_id;
  gsize       heap_at_connected;
  gsize       rss_at_connected;
};

typedef struct {
  gsize heap;
  gsize rss;
} MemoryMark;

void append_byte_code_point (GByteArray *out,
                             guint8      byte);
void assert_memory_growth (const MemoryMark *mark,
                           gsize             bound,
                           const char       *what);
GBytes * chunk_new (char        flag,
                    char        type,
                    gint32      seq,
                    const char *body,
                    gsize       body_len);
JsonObject * frame_object (RawFrame  *frame,
                           JsonNode **holder);
char * json_string_of_size (gsize len);
void memory_mark (MemoryMark *mark);
JsonNode * parse_json (const char *text);
gboolean raw_auth (Fixture   *fx,
                   RawClient *raw);
RawClient * raw_connect (Fixture *fx);
void raw_expect_alive (Fixture   *fx,
                       RawClient *raw);
void raw_expect_close (Fixture    *fx,
                       RawClient  *raw,
                       const char *reason);
RawFrame * raw_find (RawClient *raw,
                     char       type,
                     gint32     seq);
RawFrame * raw_find_type (RawClient  *raw,
                          char        type,
                          const char *body);
typedef GBytes *(*FrameMaker) (guint i, gpointer data);

guint raw_flood (RawClient  *raw,
                 guint       n,
                 FrameMaker  make,
                 gpointer    data);
int raw_frame_index (RawClient *raw,
                     RawFrame  *frame);
gboolean raw_is_open (RawClient *raw);
gboolean raw_send (RawClient  *raw,
                   char        flag,
                   char        type,
                   gint32      seq,
                   const char *body);
gboolean raw_send_bytes (RawClient *raw,
                         GBytes    *bytes,
                         gboolean   binary);
gboolean raw_send_len (RawClient  *raw,
                       char        flag,
                       char        type,
                       gint32      seq,
                       const char *body,
                       gsize       body_len);
RawFrame * raw_wait (RawClient *raw,
                     char       type,
                     gint32     seq);
gint64 healthy_slowest_reply_us (Fixture *fx);
gboolean server_log_index (Fixture    *fx,
                           const char *line,
                           guint      *index);
void spin (guint ms);
gboolean running_slow (void);
void raw_expect_websocket_close (Fixture   *fx,
                                 RawClient *raw);
RawFrame * raw_frame_decode (SoupWebsocketDataType  type,
                             GBytes                *message);
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
void badinput_add_auth_cases     (void);
void badinput_add_limits_cases   (void);
void badinput_add_internal_cases (void);
void badinput_add_proxy_cases    (void);
void badinput_add_accept_cases   (void);
void badinput_add_flood_cases    (void);
