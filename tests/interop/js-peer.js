#!/usr/bin/env node
// js-peer.js: a JavaScript AnySocket peer (npm anysocket@0.4.29) driven by
// test-interop.c.
//
//   node js-peer.js server [OPTIONS]        listens on 127.0.0.1, free port
//   node js-peer.js client PORT [OPTIONS]   connects to 127.0.0.1:PORT
//
// OPTIONS
//   --auth=JSON          authPacket() returns this value
//   --expect-auth=JSON   onAuth() accepts only a peer whose `auth` equals it
//                        (compared as JSON text); without it every peer is
//                        accepted
//   --heartbeat=MS       heartbeatInterval: the client passes it to connect();
//                        the server (whose listen() ignores options for "ws")
//                        sets it on its transports' options
//   --reply-timeout=MS   client: connect() option replyTimeout
//   --ws-only            client: skip the wss:// attempt that connect("ws")
//                        always makes first, go straight to ws://
//   --marker=TEXT        capture: the plaintext marker looked for in frames
//   --can-proxy          canProxy() allows every proxy request (the package
//                        refuses them by default)
//   --rpc                setRPC() with the methods of rpcMethods below
//   --upstream-heartbeat[=strict]  the heartbeat of upstream's unpublished
//                        0.4.30-0.4.32 instead of 0.4.29's (see
//                        upstream-heartbeat/heartbeat-0.4.32.js); "strict":
//                        ticks every interval, only a pong counts
//   --max-missed=N       with --upstream-heartbeat: heartbeatsMaxMissed (2)
//   --make-big=UNITS:SEED  make_big (below, BMP only) before connecting or
//                        listening: making 20 MiB freezes node for a while
//   --cookies=JSON       client: connect() option cookies (an object: the
//                        Cookie header of the upgrade request)
//   --upgrades           server: report each WebSocket upgrade request
//                        (socket.on("http_upgrade")) -> http_upgrade {url,
//                        cookies (AnyHTTPPeer's parse), headers (node's,
//                        names in lowercase)}
//   --port=N             server: listen on port N instead of a free one (a
//                        server started again where a killed one was)
//   --latency            on "connected": send {"stamp": T} (T: CLOCK_MONOTONIC
//                        in microseconds, g_get_monotonic_time()'s clock) and
//                        one echo request; a {"stamp"} received -> latency
//                        {id, kind: "message", us} (now - T), the reply ->
//                        latency {id, kind: "request", us}
//
// Every line on stdout is one JSON object with an "event" member and "n",
// its position in the output (1, 2, ...: tells what happened first):
//   ready {id, version}, listening {port}, auth {id, auth, accepted},
//   connected {id, proxy, ws_protocol} (the link's WebSocket subprotocol,
//   "" for none), connect_error {error}, disconnected {id, reason},
//   e2e {id, state, ms} (socket.on("e2e"); state: the protocol's
//   ENCRYPTION_STATE, 2 = E2EE; ms since the "e2e" command, if one was
//   given), peer_e2e {id} (peer.on("e2e")),
//   message {id, seq, msg} (a string longer than 4096 characters is replaced
//   by {len, sha256}), hashed {len, sha256} (an "op":"hash" request),
//   and the answers to the commands below.
//
// Commands, one JSON object per line on stdin (the peer is the last one
// connected unless "peer" names one):
//   {"cmd":"send","msg":X}
//   {"cmd":"requests","count":N,"prefix":S}   N echo requests at once
//       -> requests_done {count, ok, bad, ms}
//   {"cmd":"send_big","units":N,"seed":S,"astral":B,"timeout":MS,"op":OP}
//       -> sent as a request {"op":OP (default "hash"),"data":<string>};
//          big_done {len, sha256, reply, ms} or big_error (no reply within
//          MS, default 20000)
//   {"cmd":"held_hash"} -> held_hash {len, sha256} of the last "hold"
//       request's data (-1, null: none), which is then let go
//   {"cmd":"make_big","units":N,"seed":S,"astral":B} -> made_big {len}: the
//       string of the send_big commands with the same N, S, B, made now
//       and kept (making it blocks the event loop for a while)
//   {"cmd":"pings","count":N,"value":V}  N HEARTBEAT packets at once: pings
//       (V 1, the default) or unasked pongs (V 2) -> pings_sent {count}
//   {"cmd":"heartbeat_report"} -> heartbeat {...} (--upstream-heartbeat:
//       pings, probes, pongs, delay_max, delay_median, delays (ms from the
//       ping written to the pong read), max_missed_seen, drops)
//   {"cmd":"heartbeat_reset"}  -> heartbeat_reset
//   {"cmd":"synced_time"} -> synced_time {rtt, offset, time} or synced_time_error
//   {"cmd":"rpc","path":["a","b"],"params":[...],"buffers":[i...]}
//       peer.rpc.a.b(...params), the params at "buffers" given as base64
//       and passed as Buffers -> rpc_result {result} (a Buffer result as
//       base64, with "buffer": true) / rpc_error {error} / rpc_timeout
//   {"cmd":"disconnect","reason":R}
//   {"cmd":"proxy","id":ID,"through":HUB} socket.proxy() -> proxied {id} or
//       proxy_error {error}
//   {"cmd":"peers"} -> peers {ids}
//   {"cmd":"stats"} -> stats {pings_received, pongs_received} (HEARTBEAT
//       packets of all links so far)
//   {"cmd":"e2e","sync":K,"during":M,"s":NAME,"big_units":U,"big_seed":S}
//       peer.e2e(); then K messages {"s":NAME,"i":0..,"t":...} sent at once
//       (before the switch has even started: the key pair is made in
//       promises), and M more on the next turn of the event loop, while the
//       switch is under way, the last of them with "data": U units of
//       bigString(U, S) -> e2e_started {state_after_call, state_during}
//       (protocol states: 2 CONNECTED, 3 SWITCHING_PROTOCOL)
//   {"cmd":"stream_start","s":NAME,"every":MS}  {"s":NAME,"i":0..} every MS
//   {"cmd":"stream_stop"} -> stream_stopped {s, count}
//   {"cmd":"state"} -> state {state, encryption}
//   {"cmd":"capture_start"}   forget the frames recorded so far, record
//       every WebSocket frame sent and received from now on
//   {"cmd":"capture_report"} -> capture {out, in}, each {frames, hex,
//       marker, partial, types: {"<type digit>": count}, plain: [the first
//       non-hex frames, cut to 120 characters]}. A frame is "hex" when its
//       body (after the 6 code points of header) is lowercase hex of an IV
//       and whole AES blocks (compat E2EE); "marker": frames that contain
//       --marker; "partial": chunks flagged '2' (more follow)
//   {"cmd":"ws_offer","port":P,"protocols":[...]}   a bare `ws` client (not
//       AnySocket) upgrades to ws://127.0.0.1:P/ offering those subprotocols
//       -> ws_offer {protocol} (what the server chose, "" for none) or
//          ws_offer {error, status} (the upgrade failed; status: its HTTP
//          status, 0 if none)
//   {"cmd":"exit"}
//
// Links, broadcast and RPC_NOTIFY (issue 12; the block "Links" below):
//   {"cmd":"connect","port":P}   socket.connect() to 127.0.0.1:P (ws://
//       only), as well as listening -> connect_done {id, proxy} /
//       connect_error {error} (or {error: "helper timeout"} after 3 s: the
//       package's promise may never settle)
//   {"cmd":"has_peer","id":ID} -> has_peer {id, has, direct}
//       (hasPeer(), hasDirectPeer(), and whether peers[ID] is a proxy)
//   {"cmd":"links"} (of "peer") -> links {id, ids} (peer.getLinks())
//   {"cmd":"broadcast","msg":X,"await":B} socket.broadcast(X, B) ->
//       broadcast_done {replies: [reply msg...]} / broadcast_error {error}
//       (broadcast_timeout after 2 s: with no peer it never settles)
//   {"cmd":"notify","path":["a","b"],"params":[...]} an INTERNAL RPC_NOTIFY
//       to the peer -> notify_sent
//   A received RPC_NOTIFY, which the package only console.log()s, is told
//   as rpc_notify {msg}.
//
// Incoming messages that are objects with an "op" are requests:
//   {"op":"echo","data":X,"i":N}  -> reply {"echo":X,"i":N}
//   {"op":"hash","data":S}        -> reply {"len":S.length,"sha256":hex}
//   {"op":"hold","data":S}        -> reply {"held":true}, event held {len};
//                                    S kept for held_hash
// Closing stdin ends the process.
"use strict";

const crypto = require("crypto");
const readline = require("readline");
const path = require("path");
const AnySocket = require("anysocket");

let outCount = 0;
function out(obj) {
    obj.n = ++outCount;
    process.stdout.write(JSON.stringify(obj) + "\n");
}

function summarize(value) {
    if (typeof value === "string" && value.length > 4096)
        return { len: value.length, sha256: sha256(value) };
    if (value && typeof value === "object" && typeof value.data === "string" && value.data.length > 4096)
        return Object.assign({}, value, { data: { len: value.data.length, sha256: sha256(value.data) } });
    return value;
}

function sha256(s) {
    return crypto.createHash("sha256").update(s, "utf8").digest("hex");
}

// The same generator as big_string() in test-interop.c: an LCG picks code
// points; `units` is the length in UTF-16 code units (JavaScript length).
const ALPHABET = [];
for (const c of "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    ALPHABET.push(c.codePointAt(0));
ALPHABET.push(0xE9, 0x6F22, 0x5B57, 0x22, 0x5C, 0x0A, 0x20AC);
const ASTRAL = 0x1F600;

function bigString(units, seed, astral) {
    const alphabet = astral ? ALPHABET.concat([ASTRAL]) : ALPHABET;
    const parts = [];
    let x = seed >>> 0;
    let n = 0;
    while (n < units) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        let cp = alphabet[(x >>> 16) % alphabet.length];
        if (cp > 0xFFFF && units - n < 2)
            cp = 0x78;
        parts.push(String.fromCodePoint(cp));
        n += cp > 0xFFFF ? 2 : 1;
    }
    return parts.join("");
}

const args = process.argv.slice(2);
const mode = args.shift();
let port = null;
if (mode === "client")
    port = parseInt(args.shift(), 10);
else if (mode !== "server") {
    process.stderr.write("usage: js-peer.js server|client PORT [OPTIONS]\n");
    process.exit(2);
}

const opts = {};
for (const a of args) {
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(a);
    if (!m) {
        process.stderr.write("bad option " + a + "\n");
        process.exit(2);
    }
    opts[m[1]] = m[2] === undefined ? "" : m[2];
}

// Heartbeat counters, for the tests: every received packet calls
// _heartbeatPong() (no data), a ping with 1, a pong with 2.
const AnyProtocol = require("anysocket/src/libs/AnyProtocol");
const stats = { pings_received: 0, pongs_received: 0 };
const heartbeatPong = AnyProtocol.prototype._heartbeatPong;
AnyProtocol.prototype._heartbeatPong = function (data) {
    if (data == 1)
        stats.pings_received++;
    else if (data == 2)
        stats.pongs_received++;
    return heartbeatPong.call(this, data);
};

// Frame capture, for the E2E cases: every WebSocket frame sent or received,
// summarized (whether its body is ciphertext, whether it shows the marker).
const WSPeer = require("anysocket/src/modules/transports/ws/peer.js");
const capture = { on: false, out: null, in: null };
function captureReset() {
    const side = () => ({ frames: 0, hex: 0, marker: 0, partial: 0, types: {}, plain: [] });
    capture.out = side();
    capture.in = side();
}
captureReset();
function captureFrame(dir, frame) {
    if (!capture.on || typeof frame !== "string")
        return;
    const side = capture[dir];
    const body = frame.substr(6);
    side.frames++;
    side.types[frame[1]] = (side.types[frame[1]] || 0) + 1;
    if (frame[0] === "2")
        side.partial++;
    if (frame[0] !== "6" && body.length >= 64 && body.length % 32 === 0 && /^[0-9a-f]+$/.test(body))
        side.hex++;
    else if (side.plain.length < 5)
        side.plain.push(frame.substr(0, 120));
    if ("marker" in opts && frame.includes(opts.marker))
        side.marker++;
}
const wsSend = WSPeer.prototype.send;
WSPeer.prototype.send = function (message) {
    captureFrame("out", message);
    return wsSend.call(this, message);
};
const wsOnConnect = WSPeer.prototype.onConnect;
WSPeer.prototype.onConnect = function () {
    const result = wsOnConnect.apply(this, arguments);
    // After anysocket's own listener: sees each frame as it does.
    this.socket.on("message", (message) => captureFrame("in", message));
    return result;
};

// --upstream-heartbeat: after the capture's wrappers, so that it sees the
// frames first.
const upstreamHeartbeat = require("./upstream-heartbeat/heartbeat-0.4.32.js");
if ("upstream-heartbeat" in opts)
    upstreamHeartbeat.install(AnyProtocol, WSPeer, {
        mode: opts["upstream-heartbeat"] === "strict" ? "strict" : "0.4.32",
        maxMissed: "max-missed" in opts ? parseInt(opts["max-missed"], 10) : 2,
    });

function protocolOf(peer) {
    const symbol = Object.getOwnPropertySymbols(peer).find((s) => s.description === "private protocol");
    return peer[symbol];
}

// The methods served with --rpc. The JavaScript callee passes the calling
// peer as one more argument, after the params.
const rpcMethods = {
    math: {
        add: (a, b) => a + b,
    },
    echo: (...args) => args.slice(0, -1),
    bytes: {
        info: (buf) => ({
            is_buffer: Buffer.isBuffer(buf),
            len: buf.length,
            sha256: crypto.createHash("sha256").update(buf).digest("hex"),
        }),
        make: (len, byte) => Buffer.alloc(len, byte),
        reverse: (buf) => Buffer.from(buf).reverse(),
    },
    fail: {
        sync: () => { throw new Error("sync failure \u00e9"); },
        async: async () => { throw new Error("async failure"); },
        reject: () => Promise.reject("plain rejection"),
    },
    later: (ms, value) => new Promise((resolve) => setTimeout(() => resolve(value), ms)),
    notAFunction: 42,
};

let e2eStartedAt = null;
let heldData = null;

const socket = new AnySocket();
const peers = new Map();
let lastPeer = null;

if ("rpc" in opts)
    socket.setRPC(rpcMethods);

if ("auth" in opts) {
    const value = JSON.parse(opts.auth);
    socket.authPacket = () => value;
}
if ("can-proxy" in opts)
    socket.canProxy = () => true;
if ("upgrades" in opts) {
    socket.on("http_upgrade", (httpPeer, req) => {
        out({ event: "http_upgrade", url: req.url, cookies: httpPeer.cookies, headers: req.headers });
    });
}
socket.onAuth = (packet) => {
    let accepted = true;
    if ("expect-auth" in opts)
        accepted = JSON.stringify(packet.auth) === JSON.stringify(JSON.parse(opts["expect-auth"]));
    out({ event: "auth", id: packet.id, auth: packet.auth === undefined ? null : packet.auth,
          has_auth: packet.auth !== undefined, accepted: accepted });
    return accepted;
};

function monotonicUs() {
    return Number(process.hrtime.bigint() / 1000n);
}

// --latency: the first message and the first request of a link.
function latencyProbe(peer) {
    peer.send({ stamp: monotonicUs() }).catch((e) => out({ event: "send_error", error: errorText(e) }));
    const start = monotonicUs();
    withTimeout(peer.send({ op: "echo", data: "latency", i: 0 }, true), 5000)
        .then(() => out({ event: "latency", id: peer.id, kind: "request", us: monotonicUs() - start }))
        .catch((e) => out({ event: "latency_error", error: String(errorText(e)) }));
}

socket.on("connected", (peer) => {
    peers.set(peer.id, peer);
    lastPeer = peer;
    peer.on("e2e", () => out({ event: "peer_e2e", id: peer.id }));
    const transport = protocolOf(peer).peer;
    const ws = transport && transport.socket;
    out({ event: "connected", id: peer.id, proxy: peer.isProxy(),
          ws_protocol: ws && typeof ws.protocol === "string" ? ws.protocol : "" });
    if ("latency" in opts)
        latencyProbe(peer);
});

socket.on("e2e", (peer) => {
    const ev = { event: "e2e", id: peer.id, state: protocolOf(peer).ENCRYPTION_STATE };
    if (e2eStartedAt !== null)
        ev.ms = Number(process.hrtime.bigint() - e2eStartedAt) / 1e6;
    out(ev);
});

socket.on("disconnected", (peer, reason) => {
    peers.delete(peer.id);
    out({ event: "disconnected", id: peer.id, reason: String(reason) });
});

socket.on("message", (packet) => {
    const msg = packet.msg;
    if (msg && typeof msg === "object" && typeof msg.stamp === "number") {
        out({ event: "latency", id: packet.peer.id, kind: "message", us: monotonicUs() - msg.stamp });
        return;
    }
    if (msg && typeof msg === "object" && msg.op === "echo") {
        packet.reply({ echo: msg.data, i: msg.i });
        return;
    }
    if (msg && typeof msg === "object" && msg.op === "hash" && typeof msg.data === "string") {
        const answer = { len: msg.data.length, sha256: sha256(msg.data) };
        out(Object.assign({ event: "hashed", id: packet.peer.id }, answer));
        packet.reply(answer);
        return;
    }
    if (msg && typeof msg === "object" && msg.op === "hold" && typeof msg.data === "string") {
        // Kept, hashed later (held_hash): hashing 20 MiB blocks the loop.
        heldData = msg.data;
        out({ event: "held", id: packet.peer.id, len: msg.data.length });
        packet.reply({ held: true });
        return;
    }
    out({ event: "message", id: packet.peer.id, seq: packet.seq, msg: summarize(msg) });
});

function peerFor(cmd) {
    if (cmd.peer)
        return peers.get(cmd.peer) || null;
    return lastPeer;
}

function withTimeout(promise, ms) {
    let timer;
    return Promise.race([
        promise,
        new Promise((resolve, reject) => {
            timer = setTimeout(() => reject(new Error("helper timeout")), ms);
        })
    ]).finally(() => clearTimeout(timer));
}

function errorText(e) {
    if (e instanceof Error)
        return e.message;
    if (typeof e === "string")
        return e;
    return e;
}

let stream = null;
// make_big: the string of send_big with its N, S, B, made beforehand.
let madeBig = null;
const bigKey = (cmd) => cmd.units + "/" + cmd.seed + "/" + !!cmd.astral;

// Links: the package's own connect/hasPeer/getLinks/broadcast, and
// RPC_NOTIFY (which the package has no API to send, and only logs).
const consoleLog = console.log;
console.log = function (...args) {
    if (args[0] === "RPC_NOTIFY") {
        out({ event: "rpc_notify", msg: args[1] });
        return;
    }
    return consoleLog.apply(console, args);
};
let wsOnlyPatched = false;
const linksCommands = {
    connect: async (cmd) => {
        if (!wsOnlyPatched) {
            const onConnect = AnySocket.Transport.WS.prototype.onConnect;
            AnySocket.Transport.WS.prototype.onConnect = function () {
                return onConnect.call(this, true);
            };
            wsOnlyPatched = true;
        }
        try {
            const peer = await withTimeout(socket.connect("ws", "127.0.0.1", cmd.port, {}), 3000);
            out({ event: "connect_done", id: peer.id, proxy: peer.isProxy() });
        } catch (e) {
            out({ event: "connect_error", error: String(errorText(e)) });
        }
    },
    has_peer: async (cmd) => {
        const known = peers.get(cmd.id);
        out({ event: "has_peer", id: cmd.id, has: socket.hasPeer(cmd.id), direct: socket.hasDirectPeer(cmd.id),
              proxy: known ? known.isProxy() : null });
    },
    links: async (cmd, peer) => {
        out({ event: "links", id: peer.id, ids: Object.keys(peer.getLinks()).sort() });
    },
    broadcast: async (cmd) => {
        try {
            const replies = await withTimeout(socket.broadcast(cmd.msg, !!cmd.await), 2000);
            out({ event: "broadcast_done", replies: (replies || []).map((r) => r && r.msg !== undefined ? r.msg : r) });
        } catch (e) {
            if (e instanceof Error && e.message === "helper timeout")
                out({ event: "broadcast_timeout" });
            else
                out({ event: "broadcast_error", error: String(errorText(e)) });
        }
    },
    notify: async (cmd, peer) => {
        // Without awaitReply the package's promise never settles.
        peer.sendInternal({ type: 4, method: cmd.path, params: cmd.params || [], bin: [] })
            .catch((e) => out({ event: "send_error", error: String(errorText(e)) }));
        out({ event: "notify_sent" });
    },
};

async function handle(cmd) {
    const peer = peerFor(cmd);
    if (linksCommands[cmd.cmd] && (peer || !["links", "notify"].includes(cmd.cmd)))
        return linksCommands[cmd.cmd](cmd, peer);
    switch (cmd.cmd) {
    case "exit":
        out({ event: "bye" });
        process.exit(0);
        break;
    case "peers":
        out({ event: "peers", ids: Array.from(peers.keys()) });
        return;
    case "stats":
        out(Object.assign({ event: "stats" }, stats));
        return;
    case "held_hash":
        out({ event: "held_hash", len: heldData === null ? -1 : heldData.length,
              sha256: heldData === null ? null : sha256(heldData) });
        heldData = null;
        return;
    case "heartbeat_report":
        out(Object.assign({ event: "heartbeat" }, upstreamHeartbeat.report()));
        return;
    case "heartbeat_reset":
        upstreamHeartbeat.reset();
        out({ event: "heartbeat_reset" });
        return;
    case "stream_stop":
        if (stream !== null) {
            clearInterval(stream.timer);
            out({ event: "stream_stopped", s: stream.s, count: stream.count });
            stream = null;
        } else {
            out({ event: "stream_stopped", s: null, count: 0 });
        }
        return;
    case "capture_start":
        captureReset();
        capture.on = true;
        out({ event: "capture_started" });
        return;
    case "capture_report":
        out({ event: "capture", out: capture.out, in: capture.in });
        return;
    case "ws_offer": {
        const WebSocket = require("ws");
        let status = 0;
        const ws = new WebSocket("ws://127.0.0.1:" + cmd.port + "/", cmd.protocols);
        ws.on("unexpected-response", (req, res) => {
            status = res.statusCode;
            req.destroy();
            out({ event: "ws_offer", error: "unexpected response", status: status });
        });
        ws.on("open", () => {
            out({ event: "ws_offer", protocol: ws.protocol });
            ws.terminate();
        });
        ws.on("error", (e) => {
            if (status === 0)
                out({ event: "ws_offer", error: String(e.message), status: 0 });
        });
        return;
    }
    case "proxy":
        try {
            const proxied = await withTimeout(socket.proxy(cmd.id, cmd.through), 5000);
            out({ event: "proxied", id: proxied.id, proxy: proxied.isProxy() });
        } catch (e) {
            out({ event: "proxy_error", error: String(errorText(e)) });
        }
        return;
    }
    if (!peer) {
        out({ event: "cmd_error", cmd: cmd.cmd, error: "no peer" });
        return;
    }
    switch (cmd.cmd) {
    case "send":
        peer.send(cmd.msg).catch((e) => out({ event: "send_error", error: errorText(e) }));
        break;
    case "requests": {
        const start = Date.now();
        const count = cmd.count;
        const promises = [];
        for (let i = 0; i < count; i++) {
            const data = (cmd.prefix || "") + i;
            promises.push(withTimeout(peer.send({ op: "echo", data: data, i: i }, true), 10000)
                .then((reply) => (reply.msg && reply.msg.echo === data && reply.msg.i === i) ? null : { i: i, got: reply.msg })
                .catch((e) => ({ i: i, error: String(errorText(e)) })));
        }
        const results = await Promise.all(promises);
        const bad = results.filter((r) => r !== null);
        out({ event: "requests_done", count: count, ok: count - bad.length, bad: bad.slice(0, 5), ms: Date.now() - start });
        break;
    }
    case "make_big":
        madeBig = { key: bigKey(cmd), data: bigString(cmd.units, cmd.seed, !!cmd.astral) };
        out({ event: "made_big", len: madeBig.data.length });
        return;
    case "send_big": {
        const data = madeBig !== null && madeBig.key === bigKey(cmd) ? madeBig.data
            : bigString(cmd.units, cmd.seed, !!cmd.astral);
        const digest = sha256(data);
        const start = Date.now();
        try {
            const reply = await withTimeout(peer.send({ op: cmd.op || "hash", data: data }, true), cmd.timeout || 20000);
            out({ event: "big_done", len: data.length, sha256: digest, reply: reply.msg, ms: Date.now() - start });
        } catch (e) {
            out({ event: "big_error", error: String(errorText(e)) });
        }
        break;
    }
    case "synced_time":
        try {
            const t = await withTimeout(peer.getSyncedTime(true), 5000);
            out({ event: "synced_time", rtt: t.rtt, offset: t.offset, time: t.time, now: Date.now() });
        } catch (e) {
            out({ event: "synced_time_error", error: errorText(e) });
        }
        break;
    case "rpc": {
        let fn = peer.rpc;
        for (const part of cmd.path)
            fn = fn[part];
        const params = cmd.params || [];
        for (const i of cmd.buffers || [])
            params[i] = Buffer.from(params[i], "base64");
        try {
            const result = await withTimeout(fn(...params), 5000);
            if (Buffer.isBuffer(result))
                out({ event: "rpc_result", result: result.toString("base64"), buffer: true });
            else
                out({ event: "rpc_result", result: result });
        } catch (e) {
            if (e instanceof Error && e.message === "helper timeout")
                out({ event: "rpc_timeout" });
            else
                out({ event: "rpc_error", error: errorText(e) });
        }
        break;
    }
    case "disconnect":
        peer.disconnect(cmd.reason);
        break;
    case "pings": {
        const Packet = require("anysocket/src/libs/Packet");
        const protocol = protocolOf(peer);
        for (let i = 0; i < cmd.count; i++)
            protocol.send(Packet.data(cmd.value || 1).setType(Packet.TYPE.HEARTBEAT))
                .catch((e) => out({ event: "send_error", error: String(errorText(e)) }));
        out({ event: "pings_sent", count: cmd.count });
        break;
    }
    case "e2e": {
        const protocol = protocolOf(peer);
        const name = cmd.s || "js-e2e";
        const sync = cmd.sync || 0;
        const during = cmd.during || 0;
        // The last message sent while switching carries big_units of text
        // (several chunks): {"s", "i", "t", "data"}. The last: this peer
        // serializes the packets it sends concurrently (promises), and one
        // of several chunks finishes after the one-chunk packets sent
        // after it in the same turn, which thus overtake it on the wire.
        const big = cmd.big_units ? bigString(cmd.big_units, cmd.big_seed || 1, false) : null;
        const sendOne = (i) => {
            const msg = { s: name, i: i, t: "pendant la bascule é 漢字 😀 #" + i };
            if (big !== null && i === sync + during - 1)
                msg.data = big;
            peer.send(msg).catch((e) => out({ event: "send_error", error: String(errorText(e)) }));
        };
        e2eStartedAt = process.hrtime.bigint();
        peer.e2e();
        const stateAfterCall = protocol.state;
        for (let i = 0; i < sync; i++)
            sendOne(i);
        // After the promises that make the key pair and send SWITCH: the
        // answer cannot have been handled yet (that takes a poll phase).
        setImmediate(() => {
            const stateDuring = protocol.state;
            for (let i = 0; i < during; i++)
                sendOne(sync + i);
            out({ event: "e2e_started", state_after_call: stateAfterCall, state_during: stateDuring });
        });
        break;
    }
    case "stream_start": {
        if (stream !== null)
            clearInterval(stream.timer);
        stream = { s: cmd.s || "js", count: 0, timer: null };
        const current = stream;
        current.timer = setInterval(() => {
            const i = current.count++;
            peer.send({ s: current.s, i: i, t: "flux é 漢字 😀 #" + i })
                .catch((e) => out({ event: "send_error", error: String(errorText(e)) }));
        }, cmd.every || 1);
        out({ event: "stream_started", s: current.s });
        break;
    }
    case "state": {
        const protocol = protocolOf(peer);
        out({ event: "state", state: protocol.state, encryption: protocol.ENCRYPTION_STATE });
        break;
    }
    default:
        out({ event: "cmd_error", cmd: cmd.cmd, error: "unknown command" });
    }
}

const rl = readline.createInterface({ input: process.stdin, terminal: false });
rl.on("line", (line) => {
    if (line.trim() === "")
        return;
    let cmd;
    try {
        cmd = JSON.parse(line);
    } catch (e) {
        out({ event: "cmd_error", error: "bad JSON: " + e.message });
        return;
    }
    handle(cmd).catch((e) => out({ event: "cmd_error", cmd: cmd.cmd, error: String(errorText(e)) }));
});
rl.on("close", () => process.exit(0));

process.on("uncaughtException", (e) => {
    out({ event: "uncaught", error: String(e && e.stack || e) });
});
process.on("unhandledRejection", (e) => {
    out({ event: "unhandled_rejection", error: String(e && e.stack || e) });
});

if ("make-big" in opts) {
    const [units, seed] = opts["make-big"].split(":").map((v) => parseInt(v, 10));
    const cmd = { units: units, seed: seed, astral: false };
    madeBig = { key: bigKey(cmd), data: bigString(units, seed, false) };
}

const version = require(path.join(path.dirname(require.resolve("anysocket")), "..", "package.json")).version;
out({ event: "ready", id: socket.id, version: version });

if (mode === "server") {
    // listen("ws", 0) would listen on port 80 (the package does `port || 80`):
    // a string "0" is truthy and makes Node pick a free port.
    socket.listen("ws", { port: "port" in opts ? opts.port : "0", host: "127.0.0.1" }).then(() => {
        const symbol = (name) => Object.getOwnPropertySymbols(socket).find((s) => s.description === name);
        // The server ignores options for "ws": set the heartbeat on the
        // transports' options, which each new AnyProtocol copies.
        if ("heartbeat" in opts) {
            const transports = socket[symbol("transports")];
            for (const id in transports)
                transports[id].options.heartbeatInterval = parseInt(opts.heartbeat, 10);
        }
        out({ event: "listening", port: socket[symbol("HTTPServer")].address().port });
    }).catch((e) => {
        out({ event: "listen_error", error: String(errorText(e)) });
        process.exit(1);
    });
} else {
    const options = {};
    if ("heartbeat" in opts)
        options.heartbeatInterval = parseInt(opts.heartbeat, 10);
    if ("reply-timeout" in opts)
        options.replyTimeout = parseInt(opts["reply-timeout"], 10);
    if ("cookies" in opts)
        options.cookies = JSON.parse(opts.cookies);
    if ("ws-only" in opts) {
        const onConnect = AnySocket.Transport.WS.prototype.onConnect;
        AnySocket.Transport.WS.prototype.onConnect = function () {
            return onConnect.call(this, true);
        };
    }
    const start = Date.now();
    socket.connect("ws", "127.0.0.1", port, options).then((peer) => {
        out({ event: "connect_done", id: peer.id, ms: Date.now() - start });
    }).catch((e) => {
        out({ event: "connect_error", error: String(errorText(e)) });
    });
}
