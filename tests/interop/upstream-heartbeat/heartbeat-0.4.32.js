// upstream-heartbeat/heartbeat-0.4.32.js: the heartbeat of anysocket's
// git history after 0.4.29 (0.4.30-0.4.32, never published to npm), put
// over the installed 0.4.29 module at load time, for the interop tests.
//
//   const hb = require("./upstream-heartbeat/heartbeat-0.4.32.js");
//   hb.install(AnyProtocol, WSPeer, { mode, maxMissed });
//   hb.report()   -> what the heartbeats saw (see below)
//
// What changed upstream (github.com/lynxaegon/anysocket, src/libs/AnyProtocol.js):
//
// * e00e9c1 "Send doesn't reset heartbeat anymore - faster dead peer
//   detection" (in v0.4.32) drops from send():
//       if (packet.type != Packet.TYPE.HEARTBEAT) {
//           this._heartbeat();
//       }
// * 8a9eee8 "Configurable heartbeats + TCP keepalive on WS transport"
//   (v0.4.32) adds the options `heartbeatsMaxMissed: 2` and
//   `heartbeatEnabled: true`, and in the timer, after a missed pong:
//       if(this[heartbeatsMissed] >= this.options.heartbeatsMaxMissed) {
//           this.disconnect("Missed Heartbeats");
//           return;
//       }
//       // Resend a fresh probe in case the original heartbeat was lost
//       // in transit (common on lossy wifi). Any incoming packet —
//       // including a late pong for the original — will still reset
//       // state via peer.on("message") → _heartbeat(true).
//       const probe = Packet.data(1).setType(Packet.TYPE.HEARTBEAT);
//       this.send(probe)...
//       this._heartbeat();
//   and in the WS transport, only when the embedder passes
//   `tcpKeepAlive: true`: sock.setKeepAlive(true,
//   this.options.tcpKeepAliveInitialDelay || 30000).
//
// What counts as a pong upstream: every received WebSocket message calls
// _heartbeat(true) -> _heartbeatPong(undefined), which sets "ponged" and
// clears the missed count, and re-arms the timer. A HEARTBEAT with data 1
// is a ping (answered with data 2); data 2 is a pong. The timer is armed
// only there (and, before e00e9c1, by every send()), so in 0.4.32 it fires
// once after `heartbeatInterval` of silence from the peer, sends a ping
// and is not armed again until something comes in: the "missed" branch
// (probe, drop) is never reached; a silent peer is left to TCP (keepalive).
//
// mode "0.4.32": exactly that (the timer as upstream wrote it).
// mode "strict": what the issue and upstream's comments describe: the
//   timer ticks every interval whatever the traffic, only a real pong
//   (HEARTBEAT 2) counts, a missed pong sends a probe, and
//   heartbeatsMaxMissed missed ticks in a row drop the link with
//   "Missed Heartbeats". A pong later than about two intervals drops it.
//
// Measured either way, per ping: "delay" from the moment the ping's frame
// was written to the TCP socket (ws send callback) to the moment the pong's
// frame came off it (before any queue of the JavaScript package), in ms:
// what the other side and the wire took. Pings wait behind this side's own
// frames already in node's socket buffer; that part is not counted.
// "others": the same minus the time this side's own event loop was frozen
// meanwhile (a 5 ms timer late by more than 15 ms; JSON.parse of 20 MiB
// takes a while), which is what the other side is answerable for.
// HB_DEBUG=1 in the environment logs the strict timer's ticks and pongs.
"use strict";

const HEARTBEAT = 5;
const PING_BODY = "1";
const PONG_BODY = "2";

const state = {
    mode: null,
    maxMissed: 2,
    pings: 0,            // pings sent by the timer
    probes: 0,           // probes sent after a missed pong
    written: [],         // hrtime (ns, BigInt) of pings written, unanswered
    delays: [],          // ms, per answered ping
    pongs: 0,            // HEARTBEAT 2 frames received
    pings_in: 0,         // HEARTBEAT 1 frames received
    max_missed_seen: 0,
    drops: 0,            // "Missed Heartbeats"
    stalls: [],          // [start, end] (ns) when this event loop froze
    stall_max: 0,        // ms
    others: [],          // ms, per answered ping: delay minus our stalls
};

// This side's own event loop freezes (JSON.parse of 20 MiB...): a pong
// read late because of them is not the other side's delay.
const STALL_TICK_MS = 5;
const STALL_MIN_MS = 15;
let lastTick = null;
function watchStalls() {
    lastTick = nowNs();
    setInterval(() => {
        const now = nowNs();
        const gap = Number(now - lastTick) / 1e6;
        if (gap > STALL_MIN_MS) {
            state.stalls.push([lastTick, now]);
            if (state.stalls.length > 1000)
                state.stalls.shift();
            state.stall_max = Math.max(state.stall_max, gap);
        }
        lastTick = now;
    }, STALL_TICK_MS).unref();
}

function ownStallMs(from, to) {
    let total = 0n;
    for (const [a, b] of state.stalls) {
        const start = a > from ? a : from;
        const end = b < to ? b : to;
        if (end > start)
            total += end - start;
    }
    return Number(total) / 1e6;
}

function isHeartbeat(frame, body) {
    return typeof frame === "string" && frame.length === 7 && frame[1] === String(HEARTBEAT) &&
        frame[0] === "1" && frame[6] === body;
}

function nowNs() {
    return process.hrtime.bigint();
}

function install(AnyProtocol, WSPeer, options) {
    const Packet = require("anysocket/src/libs/Packet");
    const debug = process.env.HB_DEBUG ? (...a) => process.stderr.write("HB " + (Number(nowNs() / 1000000n) % 100000) + " " + a.join(" ") + "\n") : () => {};
    const heartbeatTimer = Symbol("upstream heartbeat timer");
    const heartbeatsMissed = Symbol("upstream heartbeats missed");
    const heartbeatPonged = Symbol("upstream heartbeat ponged");
    const PROTOCOL_STATES = require("anysocket/src/libs/_constants").PROTOCOL_STATES;

    state.mode = options.mode || "0.4.32";
    watchStalls();
    state.maxMissed = options.maxMissed || 2;

    // v0.4.32 send(): no this._heartbeat() any more.
    AnyProtocol.prototype.send = function (packet) {
        if (packet.seq == 0)
            packet.setSeq(this._getSeq());

        return new Promise((resolve, reject) => {
            const rejectFnc = (e) => {
                this.disconnect(e);
                reject(e);
            };

            if (this.isLINKMessage(packet.type)) {
                this._linkPacketQueue.push({ packet: packet, resolve: resolve, reject: rejectFnc });
            } else {
                this._send(packet, resolve, rejectFnc);
            }
        });
    };

    const sendPing = (protocol, probe) => {
        if (probe)
            state.probes++;
        else
            state.pings++;
        protocol.send(Packet.data(1).setType(Packet.TYPE.HEARTBEAT)).catch((e) => {
            debug("Heartbeat Error:", e);
            protocol.disconnect(e);
        });
    };

    const missed = (protocol) => {
        protocol[heartbeatsMissed] = (protocol[heartbeatsMissed] || 0) + 1;
        state.max_missed_seen = Math.max(state.max_missed_seen, protocol[heartbeatsMissed]);
        if (protocol[heartbeatsMissed] >= state.maxMissed) {
            state.drops++;
            protocol.disconnect("Missed Heartbeats");
            return false;
        }
        return true;
    };

    // v0.4.32 _heartbeat(), as written upstream (mode "0.4.32"), or ticking
    // every interval (mode "strict").
    AnyProtocol.prototype._heartbeat = function (ponged) {
        ponged = ponged || false;
        if (this.isProxy())
            return;

        if (state.mode === "strict") {
            // Armed once, at the first message; a received message is not a pong.
            if (this.state == PROTOCOL_STATES.AUTHING || this.state == PROTOCOL_STATES.DISCONNECTED) {
                clearInterval(this[heartbeatTimer]);
                this[heartbeatTimer] = 0;
                return;
            }
            if (this[heartbeatTimer])
                return;
            this[heartbeatPonged] = true;
            this[heartbeatsMissed] = 0;
            this[heartbeatTimer] = setInterval(() => {
                if (this.state == PROTOCOL_STATES.DISCONNECTED) {
                    clearInterval(this[heartbeatTimer]);
                    return;
                }
                debug("tick ponged=" + this[heartbeatPonged] + " missed=" + this[heartbeatsMissed]);
                if (!this[heartbeatPonged]) {
                    if (missed(this))
                        sendPing(this, true);
                    return;
                }
                this[heartbeatsMissed] = 0;
                this[heartbeatPonged] = false;
                sendPing(this, false);
            }, this.options.heartbeatInterval);
            return;
        }

        clearTimeout(this[heartbeatTimer]);
        if (this.options.heartbeatEnabled === false)
            return;
        if (ponged)
            this._heartbeatPong();
        if (this.state == PROTOCOL_STATES.AUTHING || this.state == PROTOCOL_STATES.DISCONNECTED)
            return;

        this[heartbeatTimer] = setTimeout(() => {
            if (!this[heartbeatPonged]) {
                if (!missed(this))
                    return;
                sendPing(this, true);
                this._heartbeat();
                return;
            }
            this[heartbeatsMissed] = 0;
            this[heartbeatPonged] = false;
            sendPing(this, false);
        }, this.options.heartbeatInterval);
    };

    AnyProtocol.prototype._heartbeatPong = function (data) {
        if (data == 1) {
            this.send(Packet.data(2).setType(Packet.TYPE.HEARTBEAT)).catch((e) => {
                debug("Heartbeat Error:", e);
                this.disconnect(e);
            });
        } else if (data == 2 || state.mode !== "strict") {
            if (data == 2) debug("pong");
            // 0.4.32: any message (data undefined) or a pong
            this[heartbeatPonged] = true;
            this[heartbeatsMissed] = 0;
        }
    };

    // Timing, on the frames as they cross the socket.
    const wsSend = WSPeer.prototype.send;
    WSPeer.prototype.send = function (message) {
        if (!isHeartbeat(message, PING_BODY) || !this.socket)
            return wsSend.call(this, message);
        return new Promise((resolve, reject) => {
            try {
                this.socket.send(message, (err) => {
                    if (!err)
                        state.written.push(nowNs());
                });
                resolve();
            } catch (e) {
                reject(e);
            }
        });
    };
    const wsOnConnect = WSPeer.prototype.onConnect;
    WSPeer.prototype.onConnect = function () {
        // Before anysocket's own listener: the moment the frame arrived.
        this.socket.on("message", (message) => {
            const frame = typeof message === "string" ? message : String(message);
            if (isHeartbeat(frame, PONG_BODY)) {
                state.pongs++;
                const sent = state.written.shift();
                if (sent !== undefined) {
                    const now = nowNs();
                    // The stall this message ends is the one being recorded now.
                    const stall = Number(now - lastTick) / 1e6 > STALL_MIN_MS ? [[lastTick, now]] : [];
                    const delay = Number(now - sent) / 1e6;
                    let own = ownStallMs(sent, now);
                    for (const [a, b] of stall)
                        own += Number((b < now ? b : now) - (a > sent ? a : sent)) / 1e6;
                    state.delays.push(delay);
                    state.others.push(Math.max(0, delay - own));
                }
            } else if (isHeartbeat(frame, PING_BODY)) {
                state.pings_in++;
            }
        });
        return wsOnConnect.apply(this, arguments);
    };
}

function median(values) {
    if (values.length === 0)
        return null;
    const sorted = values.slice().sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// What the heartbeats saw: delays in ms (max, median, all of them rounded
// to 0.1 ms), counts, and "unanswered": pings written and never ponged.
function report() {
    return {
        mode: state.mode,
        pings: state.pings,
        probes: state.probes,
        pongs: state.pongs,
        pings_in: state.pings_in,
        unanswered: state.written.length,
        delay_max: state.delays.length ? Math.max(...state.delays) : null,
        delay_median: median(state.delays),
        delays: state.delays.map((d) => Math.round(d * 10) / 10),
        other_max: state.others.length ? Math.max(...state.others) : null,
        other_median: median(state.others),
        others: state.others.map((d) => Math.round(d * 10) / 10),
        stall_max: state.stall_max,
        max_missed_seen: state.max_missed_seen,
        drops: state.drops,
    };
}

function reset() {
    state.pings = state.probes = state.pongs = state.pings_in = 0;
    state.written = [];
    state.delays = [];
    state.others = [];
    state.stalls = [];
    state.stall_max = 0;
    state.max_missed_seen = 0;
    state.drops = 0;
}

module.exports = { install, report, reset };
