/* e2e.h: what the E2E cases share: two ends, and a relay that can attack
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <libsoup/soup.h>
#include "anysocket.h"
#include "codec/any-codec.h"
#include "crypto/any-noise.h"

#define WAIT_MS          10000
#define QUIET_MS         150
#define FINGERPRINT_LEN  71
#define IN_FLIGHT        64
#define BIG_BYTES        (5 * 1024 * 1024)
#define TRUNCATE_BYTES   (3 * 1024 * 1024)
#define CHUNK_UNITS      1048576
#define E2E_TIMEOUT_MS   300
#define MARKER           "PLAINTEXT-MARKER-6b1f0c2e"
#define FAILED_AUTH      "failed authentication"

/* Waits fail the case on time-out, naming what did not come. */
#define WAIT_UNTIL(cond) G_STMT_START {                                       \
    if (!WAIT_FOR (cond, WAIT_MS))                                            \
      g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC,       \
                           "timed out waiting for: " #cond);                  \
  } G_STMT_END

/* WAIT_FOR(), drain(), iterate_for(), on_connected(), AsyncResult,
 * listen_local(), json_printf(), msg_string()... */
#include "loopback.h"

#define assert_contains(haystack, needle) G_STMT_START {                      \
    const char *ac_h_ = (haystack), *ac_n_ = (needle);                        \
    if (ac_h_ == NULL || strstr (ac_h_, ac_n_) == NULL)                       \
      {                                                                       \
        g_autofree char *ac_m_ =                                              \
          g_strdup_printf ("%s = '%s' does not contain '%s'", #haystack,      \
                           ac_h_ ? ac_h_ : "(null)", ac_n_);                  \
        g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC,     \
                             ac_m_);                                          \
      }                                                                       \
  } G_STMT_END

typedef enum {
  C2S,  /* client to server */
  S2C,  /* server to client */
} Dir;

typedef enum {
  ATTACK_NONE,
  ATTACK_TAMPER,       /* flip one bit of the ciphertext */
  ATTACK_REPLAY,       /* send the frame twice */
  ATTACK_REORDER,      /* swap two consecutive frames */
  ATTACK_REFLECT,      /* forward it, and send it back to its sender too */
  ATTACK_DROP_CHUNK,   /* drop chunk number drop_chunk of the next message */
  ATTACK_HEADER_SEQ,   /* seq + 1 in the clear header */
  ATTACK_HEADER_TYPE,  /* LINK <-> INTERNAL in the clear header */
  ATTACK_HEADER_FLAG,  /* last <-> more in the clear header */
} Attack;

typedef struct {
  GSocketService          *service;
  SoupServer              *server;
  SoupSession             *session;
  guint                    port;
  guint                    upstream_port;
  SoupWebsocketConnection *down;           /* accepted from the client */
  SoupWebsocketConnection *up;             /* to the real server */
  gboolean                 up_pending;
  GQueue                   waiting;        /* C2S frames until up is open */

  GPtrArray               *seen[2];        /* every frame received, per direction */
  char                    *client_id;
  char                    *server_id;
  char                    *client_caps;
  char                    *server_caps;

  /* Binary frames (native E2E between peers that take them): the attacks
   * above read text frames, so the relay strips "bin" from the AUTH caps
   * unless @keep_bin; binary frames it sees pass, or are tampered with. */
  gboolean                 keep_bin;
  guint                    binary_seen[2];

  /* Attacks. */
  gboolean                 strip_caps[2];  /* AUTH going that way loses "caps" */
  gboolean                 strip_aesgcm[2]; /* AUTH going that way loses "noise-xx-aesgcm" */
  gboolean                 drop_switch[2]; /* SWITCH going that way vanishes */
  gint64                   drop_switch_step; /* 0: every one; else only this native step */
  guint                    switch_dropped;
  Attack                   attack;
  Dir                      attack_dir;
  gboolean                 armed;
  guint                    drop_chunk;
  guint                    chunks_seen;
  GBytes                  *held;
  guint                    attacked;

  /* Man in the middle: answers the client's native handshake with its
   * own key (claiming the server's id) and runs another one with the
   * server (claiming the client's id), then re-encrypts both ways.
   * Index [C2S] is the client's side, [S2C] the server's. */
  gboolean                 mitm;
  AnyNoiseKeypair         *mitm_key;
  AnyNoiseHandshake       *mitm_handshake[2];
  AnyNoiseCipher          *mitm_open[2];   /* opens frames going that way */
  AnyNoiseCipher          *mitm_seal[2];   /* seals frames going that way */
  GQueue                   mitm_waiting;   /* MitmFrame, until all four keys exist */
  GPtrArray               *mitm_plain[2];  /* what it read, per direction */
  char                    *mitm_client_payload;
  char                    *mitm_server_payload;
} Relay;

typedef struct {
  Dir     dir;
  GBytes *frame;
} MitmFrame;

typedef struct _Pair Pair;

typedef struct {
  Pair       *pair;
  const char *name;
  AnySocket  *socket;
  AnyPeer    *peer;           /* the other end, once connected */
  GPtrArray  *messages;       /* JsonNode: every message (not reply), in order */
  guint       peer_e2e;       /* AnyPeer::e2e */
  guint       socket_e2e;     /* AnySocket::e2e */
  AnyE2eMode  mode_at_e2e;
  char       *peer_reason;    /* AnyPeer::disconnected */
  char       *socket_reason;  /* AnySocket::disconnected */
  guint       heartbeats;
  GPtrArray  *verified;       /* fingerprints AnySocket::verify-peer saw */
  char       *accept_only;    /* verify-peer accepts this fingerprint only */
  gboolean    refuse_all;     /* verify-peer refuses every key */
} Side;

struct _Pair {
  Side   server;
  Side   client;
  guint  port;
  Relay *relay;
};

typedef struct {
  gboolean   done;
  AnyPacket *reply;
  GError    *error;
} Request;

void assert_fingerprint_format (const char *fingerprint);
char * big_text (gsize bytes);
gboolean bytes_contain (GBytes     *bytes,
                        const char *needle);
void check_numbered (Side       *receiver,
                     const char *from,
                     guint       count);
guint count_from (Side       *receiver,
                  const char *from);
guint count_from_messages (GPtrArray  *messages,
                           const char *from);
void establish_native (Pair *pair,
                       Side *initiator);
GBytes * frame_with_body (const guint8 *data,
                          gsize         header_len,
                          const char   *body,
                          gsize         body_len);
JsonNode * last_message (Side *side);
Side * other_side (Side *side);
void pair_connect (Pair     *pair,
                   gboolean  via_relay);
void pair_free (Pair *pair);
Pair * pair_new (void);
void pair_reconnect (Pair *pair);
void side_reset (Side *side);
void requests_in_flight (Side *from,
                         guint count);
void roundtrip (Side *from);
void send_big (Side       *from,
               const char *text);
void send_json_node (Side     *from,
                     JsonNode *msg);
void send_numbered (Side *from,
                    guint n);
guint count_frames_of_type (GPtrArray     *frames,
                            guint          from,
                            AnyPacketType  type);
void relay_arm (Relay  *relay,
                Attack  attack,
                Dir     dir);
void relay_free (Relay *relay);
Relay * relay_new (guint upstream_port);
GBytes * strip_caps (GBytes         *frame,
                     const AnyChunk *chunk,
                     gsize           header_len);

void e2e_add_switch_cases   (void);
void e2e_add_identity_cases (void);
void e2e_add_attacks_cases  (void);
void e2e_add_pinned_cases   (void);
void e2e_add_cipher_cases   (void);
void e2e_add_pipeline_cases (void);
