/* any-ws-parser.h: an incremental RFC 6455 frame parser
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define ANY_WS_OPCODE_CONTINUATION 0x0
#define ANY_WS_OPCODE_TEXT         0x1
#define ANY_WS_OPCODE_BINARY       0x2
#define ANY_WS_OPCODE_CLOSE        0x8
#define ANY_WS_OPCODE_PING         0x9
#define ANY_WS_OPCODE_PONG         0xa

/* RFC 6455 7.4.1 */
#define ANY_WS_CLOSE_NORMAL          1000
#define ANY_WS_CLOSE_GOING_AWAY      1001
#define ANY_WS_CLOSE_PROTOCOL_ERROR  1002
#define ANY_WS_CLOSE_NO_STATUS       1005
#define ANY_WS_CLOSE_ABNORMAL        1006
#define ANY_WS_CLOSE_BAD_DATA        1007
#define ANY_WS_CLOSE_POLICY          1008
#define ANY_WS_CLOSE_TOO_BIG         1009

/* A control frame's payload: at most 125 bytes. */
#define ANY_WS_MAX_CONTROL 125

/* Incremental UTF-8 validation (RFC 3629: no overlong forms, no
 * surrogates, nothing over U+10FFFF). */
typedef struct {
  guint8 need;     /* continuation bytes still expected */
  guint8 lower;    /* bounds of the next one */
  guint8 upper;
} AnyUtf8State;

void     any_utf8_state_init  (AnyUtf8State *state);
/* FALSE as soon as @data cannot be part of valid UTF-8. */
gboolean any_utf8_state_feed  (AnyUtf8State *state,
                               const guint8 *data,
                               gsize         len);
/* TRUE if the text fed so far ends on a whole character. */
gboolean any_utf8_state_whole (AnyUtf8State *state);

typedef enum {
  ANY_WS_PARSE_MORE,      /* everything given was taken: feed more */
  ANY_WS_PARSE_MESSAGE,   /* a whole text or binary message */
  ANY_WS_PARSE_PING,
  ANY_WS_PARSE_PONG,
  ANY_WS_PARSE_CLOSE,     /* close_code (1005: none) and close_reason */
  ANY_WS_PARSE_ERROR,     /* error_code and error_reason; final */
} AnyWsParseResult;

/* Plain data, embedded by its user. */
typedef struct {
  gboolean      expect_masked;  /* we are the server */
  guint64       max_message;    /* payload of one message, all fragments */

  guint8        header[14];
  guint         header_len;
  guint8        opcode;         /* of the current frame */
  gboolean      fin;
  gboolean      masked;
  guint8        mask[4];
  guint         mask_pos;
  guint64       frame_left;     /* payload bytes of the frame to come */
  gboolean      in_payload;

  guint8        message_opcode; /* TEXT or BINARY while one is open, else 0 */
  guint64       message_len;    /* so far, all fragments */
  GByteArray   *message;        /* assembled, when not given in place */
  AnyUtf8State  utf8;

  guint8        control[ANY_WS_MAX_CONTROL];
  guint         control_len;

  /* What the last result gives (valid until the next feed) */
  const guint8 *data;           /* MESSAGE: payload; PING/PONG: payload */
  gsize         len;
  gboolean      is_text;
  gushort       close_code;
  char          close_reason[ANY_WS_MAX_CONTROL + 1];
  gushort       error_code;
  const char   *error_reason;   /* static, English, at most 123 bytes */
} AnyWsParser;

void             any_ws_parser_init  (AnyWsParser *self,
                                      gboolean     expect_masked,
                                      guint64      max_message);
void             any_ws_parser_clear (AnyWsParser *self);
/* Takes bytes of @data (unmasked in place) up to and with the end of the
 * next event, and says how many in @taken; feed the rest after handling
 * it. A MESSAGE's data may point into @data. */
AnyWsParseResult any_ws_parser_feed  (AnyWsParser *self,
                                      guint8      *data,
                                      gsize        len,
                                      gsize       *taken);

G_END_DECLS
