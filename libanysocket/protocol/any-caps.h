/* any-caps.h: what AUTH's "caps" (and a proxied peer's probe) advertise
 *
 * {"v": 1, "e2e": ["noise-xx"], "bin": 1}. A header of its own because both E2E
 * (which switch to start) and the trust rules (a pinned id must offer
 * native E2E) read it, and E2E applies the trust rules.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

/* The e2e capability of native E2E (Noise XX): Noise_XX_25519_ChaChaPoly_SHA256. */
#define ANY_E2E_CAP_NATIVE "noise-xx"
/* The same handshake with AES-256-GCM (Noise_XX_25519_AESGCM_SHA256), used
 * when both sides list it (0.2 lists it first, then "noise-xx", which a
 * peer that lists only "noise-xx" still gets). */
#define ANY_E2E_CAP_NATIVE_AESGCM "noise-xx-aesgcm"
/* What "e2e" lists with an identity, "," between them; the older form
 * (tests stand in for a 0.1 peer with it). */
#define ANY_E2E_CAPS_LOCAL  ANY_E2E_CAP_NATIVE_AESGCM "," ANY_E2E_CAP_NATIVE
#define ANY_E2E_CAPS_LEGACY ANY_E2E_CAP_NATIVE

/* The member of "caps" that says the peer takes binary messages (WebSocket
 * binary frames, any-engine-bytes.c): 1. */
#define ANY_BIN_CAP "bin"
/* The member of "caps" that says the peer takes and relays FORWARD frames
 * as binary frames (docs/protocol.md, "Binary messages through a hub"):
 * 1. A direct link with "bin" has it; a JavaScript hub never does. */
#define ANY_BINFWD_CAP "binfwd"
/* The mesh capability: "caps": {..., "mesh": [2]} (the mesh wire
 * versions spoken; docs/protocol.md, "Mesh"). Mesh packets go only to a
 * peer that listed version 1. */
#define ANY_MESH_CAP_MEMBER "mesh"
#define ANY_MESH_CAP_VERSION 2
