/* interop.h: what the interop cases share: the JavaScript peer (js-peer.js
 * driven through GSubprocess), the libanysocket side, links between the
 * two, and the exercises several cases run
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <anysocket.h>

/* WAIT_FOR(), iterate_for(), listen_local(), connect_local(),
 * request_local(), send_local(), json_checked(), msg_string(),
 * assert_json_equal()... */
#include "loopback.h"

/* 5 MiB of JavaScript string: 5 x 1,048,576 UTF-16 code units. */
#define BIG_UNITS       (5 * 1048576)
#define HEARTBEAT_MS    200
#define N_REQUESTS      64

typedef enum {
  DIR_JS_SERVER,  /* JavaScript server, libanysocket client */
  DIR_C_SERVER,   /* libanysocket server, JavaScript client */
} Direction;

/* Each case runs in a subprocess (see run_case()), whose g_test_message()
 * output is dropped: notes go to stderr, which the subprocess inherits. */
#define note(...) G_STMT_START {                                        \
  g_autofree char *note_text_ = g_strdup_printf (__VA_ARGS__);          \
  g_printerr ("# %s\n", note_text_);                                    \
} G_STMT_END

typedef struct {
  const char       *name;
  GSubprocess      *process;
  GOutputStream    *input;
  GDataInputStream *output;
  GCancellable     *cancellable;
  GQueue            events;      /* JsonNode, objects with an "event" */
  gboolean          eof;
  gboolean          exited;
  gboolean          stopped;
  char             *id;
  guint             port;
} JsPeer;

typedef struct {
  AnySocket *socket;
  guint      port;
  GPtrArray *connected;         /* AnyPeer */
  GPtrArray *disconnected;      /* reasons */
  GQueue     messages;          /* JsonNode of plain messages */
  guint      echoes;            /* "op":"echo" requests answered */
  guint      heartbeats;
  GPtrArray *auth_ids;          /* ids seen by "authenticate" */
  GPtrArray *auths;             /* their auth, a null node when none */
  JsonNode  *require_auth;      /* refuse a peer whose auth differs */
  char      *hashed;            /* the data of the last "op":"hash" request */
  JsonNode  *held;              /* the last "op":"hold" request, whole */

  /* E2E: AnyPeer::e2e, AnySocket::e2e, notify::e2e-mode, in the order
   * they came ('p', 's', 'n') */
  GString   *e2e_order;
  guint      e2e_signals;       /* AnySocket::e2e */
  AnyPeer   *e2e_peer;          /* ... its last peer */
  AnyE2eMode e2e_mode_notified; /* the mode when notify::e2e-mode came */

  /* Stream messages {"s": name, "i": n}, logged apart from messages */
  GArray    *streamed;          /* StreamItem */
  guint      stream_source;     /* our own stream, when sending one */
  guint      stream_count;
  char      *stream_name;
  AnyPeer   *stream_peer;
} CSide;

typedef struct {
  char       *s;
  gint64      i;
  AnyE2eMode  mode;       /* the link's E2E mode when it was delivered */
  char       *data_sha;   /* of its "data" string, if any */
  guint       data_len;   /* ... in UTF-16 units */
} StreamItem;

typedef struct {
  Direction  dir;
  CSide     *c;
  JsPeer    *js;
  AnyPeer   *peer;   /* the C side's view of the JavaScript peer */
} Link;

typedef struct _Requests Requests;

typedef struct {
  Requests *requests;
  guint     index;
} RequestSlot;

/* Up to N_REQUESTS echo requests of ours in flight, numbered from "first". */
struct _Requests {
  guint         first;
  guint         count;
  guint         done;
  GAsyncResult *results[N_REQUESTS];
  RequestSlot   slots[N_REQUESTS];
};

extern const char *node_path;
extern gboolean verbose;

#define E2E_JS_ENCRYPTION_E2EE  2

void assert_link_carries (Link     *link,
                          JsonNode *to_js,
                          JsonNode *to_c);
void assert_link_works (Link *link);
char * big_string (guint units,
                   guint32 seed,
                   gboolean astral);
void c_requests_finish (Requests   *requests,
                        AnyPeer    *peer,
                        GHashTable *seqs);
void c_requests_start (Requests *requests,
                       AnyPeer  *peer,
                       guint     first,
                       guint     count);
void c_side_free (CSide *c);
void c_side_listen (CSide *c);
CSide * c_side_new (guint       heartbeat_ms,
                    const char *auth_json,
                    const char *require_auth_json);
gint64 capture_count (JsonNode   *report,
                      const char *side,
                      const char *member);
gint64 capture_type_count (JsonNode   *report,
                           const char *side,
                           const char *type);
guint count_peers (CSide *c);
const char * dir_name (Direction dir);
void exchange_big (Link   *link,
                   gint64 *c_to_js_ms,
                   gint64 *js_to_c_ms);
void exchange_messages (Link *link);
void exchange_requests (Link *link);
JsonNode * js_capture_report (JsPeer *js);
void js_capture_start (JsPeer *js);
void js_command (JsPeer   *js,
                 JsonNode *command);
void js_command_text (JsPeer     *js,
                      const char *json_text);
void js_command_with (JsPeer     *js,
                      const char *cmd,
                      const char *member,
                      JsonNode   *value);
JsonNode * js_expect (JsPeer     *js,
                      const char *name,
                      guint       ms);
void js_free (JsPeer *js);
void js_signal (JsPeer *js,
                int     signum);
JsPeer * js_spawn (const char         *mode,
                   guint               port,
                   const char * const *args);
JsPeer * js_spawn_full (const char         *mode,
                        guint               port,
                        const char * const *args,
                        gboolean            wss_first);
JsonNode * js_take (JsPeer     *js,
                    const char *name);
void link_close (Link *link);
Link * link_open (Direction           dir,
                  guint               heartbeat_ms,
                  const char * const *js_args);
Link * link_open_full (Direction           dir,
                       guint               heartbeat_ms,
                       const char * const *js_args,
                       gboolean            wss_first);
Link * link_open_with (Direction           dir,
                       CSide              *c,
                       const char * const *js_args,
                       gboolean            wss_first);
char * sha256_hex (const char *text);
guint utf16_length (const char *text);

/* interop-proxy.c, for the other cases with a hub */
void js_expect_connected (JsPeer     *js,
                          const char *id,
                          gboolean    proxy);
void js_command_for (JsPeer     *js,
                     const char *cmd,
                     const char *peer_id);
void js_proxy (JsPeer     *js,
               const char *peer_id,
               const char *through_id);

/* Registering cases (test-interop.c) */
void add_both (const char *name, GTestDataFunc func);
void add_one  (const char *name, GTestDataFunc func);

void interop_add_core_cases  (void);
void interop_add_wss_cases   (void);
void interop_add_mesh_cases  (void);
void interop_add_rpc_cases   (void);
void interop_add_e2e_cases   (void);
void interop_add_proxy_cases (void);
void interop_add_heartbeat_cases (void);
void interop_add_web_cases   (void);
void interop_add_latency_cases (void);
void interop_add_request_cases (void);
void interop_add_links_cases (void);
void interop_add_reconnect_cases (void);
void interop_add_bytes_cases (void);
void interop_add_fanout_cases (void);
