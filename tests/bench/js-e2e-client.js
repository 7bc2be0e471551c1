// js-e2e-client.js: e2e-bench.c on npm anysocket@0.4.29
//
// The same client, phases and RESULT lines as e2e-bench (see there), for
// the JavaScript peer's own figures: against js-server.js, with --e2e, the
// link is switched with peer.e2e() (compat E2E, the only kind it has).
//
//   node js-e2e-client.js --port N [--host IP] [--e2e]
//        [--phase handshake|req|big] [--handshakes 100] [--inflight 64]
//        [--duration 5] [--warmup 1] [--big-mib 10] [--big-count 5]
//        [--server-pid PID] [--max-time 120]
//
// handshake: --handshakes fresh links (a new AnySocket each), one after the
// other: connect, then peer.e2e() until the "e2e" event. req: one link,
// then --inflight requests {"type":"req","data":"hello"} at once. big: one
// link, then a request {"type":"big","data":"xxx..."} of --big-mib MiB at
// a time, each answered by a tiny ack (one not measured, then --big-count).
//
// SPDX-License-Identifier: MIT
"use strict";

const fs = require("fs");
const AnySocket = require("anysocket");

function option(name, fallback) {
    const i = process.argv.indexOf("--" + name);
    if (i < 0) return fallback;
    const v = process.argv[i + 1];
    return v === undefined || v.startsWith("--") ? true : v;
}

const phase = option("phase", "handshake");
const host = option("host", "127.0.0.1");
const port = parseInt(option("port", "0"), 10);
const e2e = option("e2e", false) === true;
const handshakes = parseInt(option("handshakes", "100"), 10);
const inflight = parseInt(option("inflight", "64"), 10);
const duration = parseFloat(option("duration", "5"));
const warmup = parseFloat(option("warmup", "1"));
const bigMib = parseFloat(option("big-mib", "10"));
const bigCount = parseInt(option("big-count", "5"), 10);
const serverPid = parseInt(option("server-pid", "0"), 10);
const maxTime = parseFloat(option("max-time", "120"));

if (!(port > 0) || ["handshake", "req", "big"].indexOf(phase) < 0 || !(handshakes > 0) ||
    !(inflight > 0) || !(duration > 0) || !(bigCount > 0) || !(bigMib > 0)) {
    console.error("usage: node js-e2e-client.js --port N [--e2e] [--phase handshake|req|big] ...");
    process.exit(2);
}

const now = () => Number(process.hrtime.bigint()) / 1000;   // microseconds
const sockets = [];                                          // kept until exit
let e2eName = "plain";
let exitStatus = 0;
let quitting = false;

// /proc, as in any-bench.c
const clockTick = 100;   // USER_HZ: 100 on Linux
function serverCpuUs() {
    if (!(serverPid > 0)) return 0;
    try {
        const s = fs.readFileSync(`/proc/${serverPid}/stat`, "utf8");
        const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
        return (parseInt(f[11], 10) + parseInt(f[12], 10)) * 1e6 / clockTick;
    } catch (e) {
        return 0;
    }
}
function machineBusyUs() {
    const f = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].split(/\s+/).slice(1, 9).map(Number);
    return (f.reduce((a, b) => a + b, 0) - f[3] - f[4]) * 1e6 / clockTick;
}
function clientCpuUs() {
    const u = process.cpuUsage();
    return u.user + u.system;
}
let cpuStart = null;
function cpuMark() {
    cpuStart = { server: serverCpuUs(), client: clientCpuUs(), busy: machineBusyUs(), at: now() };
}
function cpuSince() {
    const server = serverCpuUs() - cpuStart.server;
    const client = clientCpuUs() - cpuStart.client;
    const others = machineBusyUs() - cpuStart.busy - server - client;
    const seconds = (now() - cpuStart.at) / 1e6;
    return { server, client, seconds, othersPct: serverPid > 0 ? Math.max(0, 100 * others / (seconds * 1e6)) : 0 };
}

function sorted(values) { return values.slice().sort((a, b) => a - b); }
function median(values) {
    const s = sorted(values), n = s.length;
    if (n === 0) return 0;
    return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}
function percentile(s, p) {
    if (s.length === 0) return 0;
    return s[Math.min(Math.round(p * (s.length - 1)), s.length - 1)];
}

function quit(status) {
    if (quitting) return;
    quitting = true;
    if (status) exitStatus = status;
    for (const s of sockets) {
        try { s.stop(); } catch (e) { /* going anyway */ }
    }
    setTimeout(() => process.exit(exitStatus), 200);
}
function fail(what, message) {
    console.error(`js-e2e-client: ${what}: ${message}`);
    console.log(`RESULT phase=${phase} e2e=${e2e ? "yes" : "plain"} error=${what}`);
    quit(1);
}

// One link: connect, then switch (with --e2e). Resolves with
// { peer, connectUs, switchUs, totalUs }.
function openLink() {
    return new Promise((resolve, reject) => {
        const socket = new AnySocket();
        sockets.push(socket);
        const t0 = now();
        socket.connect("ws", host, port).then((peer) => {
            const t1 = now();
            peer.on("disconnected", (p, reason) => {
                if (!peer.benchDone && !quitting) fail("disconnected", reason);
            });
            if (!e2e) {
                resolve({ peer, socket, connectUs: t1 - t0, switchUs: 0, totalUs: t1 - t0 });
                return;
            }
            peer.once("e2e", () => {
                const t2 = now();
                e2eName = peer.isE2EEnabled() ? "compat" : "none?";
                resolve({ peer, socket, connectUs: t1 - t0, switchUs: t2 - t1, totalUs: t2 - t0 });
            });
            peer.e2e();
        }).catch(reject);
    });
}

function closeLink(link) {
    link.peer.benchDone = true;
    link.peer.disconnect("bench done");
}

async function runHandshake() {
    const connect = [], sw = [], total = [];
    for (let i = 0; i < handshakes; i++) {
        const link = await openLink();
        connect.push(link.connectUs); sw.push(link.switchUs); total.push(link.totalUs);
        closeLink(link);
        await new Promise((r) => setImmediate(r));
    }
    let line = `RESULT phase=handshake e2e=${e2eName} n=${handshakes} connect_p50_us=${median(connect).toFixed(0)}`;
    if (e2e) {
        const s = sorted(sw);
        line += ` switch_p50_us=${median(sw).toFixed(0)} switch_p10_us=${percentile(s, 0.1).toFixed(0)}` +
                ` switch_p90_us=${percentile(s, 0.9).toFixed(0)}`;
    }
    console.log(line + ` total_p50_us=${median(total).toFixed(0)}`);
}

function runReq(link) {
    return new Promise((resolve) => {
        const payload = { type: "req", data: "hello" };
        const latencies = [];
        let running = true, measuring = false, completed = 0, errors = 0;
        let measureEnd = Infinity;
        const warmupEnd = now() + warmup * 1e6;

        const finish = () => {
            if (!measuring) return;
            running = false; measuring = false;
            const c = cpuSince();
            const s = sorted(latencies);
            console.log(`RESULT phase=req e2e=${e2eName} inflight=${inflight} seconds=${c.seconds.toFixed(2)}` +
                        ` count=${completed} rate=${(completed / c.seconds).toFixed(0)}` +
                        ` p50_us=${percentile(s, 0.5).toFixed(0)} p99_us=${percentile(s, 0.99).toFixed(0)} errors=${errors}` +
                        ` srv_cpu_us_per_op=${(serverPid > 0 && completed ? c.server / completed : 0).toFixed(2)}` +
                        ` srv_cpu_pct=${(serverPid > 0 ? 100 * c.server / (c.seconds * 1e6) : 0).toFixed(0)}` +
                        ` cli_cpu_us_per_op=${(completed ? c.client / completed : 0).toFixed(2)}` +
                        ` cli_cpu_pct=${(100 * c.client / (c.seconds * 1e6)).toFixed(0)}` +
                        ` others_pct=${c.othersPct.toFixed(0)}`);
            if (errors > 0) exitStatus = 1;
            resolve();
        };
        const record = (sentAt) => {
            const t = now();
            if (!measuring) {
                if (running && t >= warmupEnd) {
                    measuring = true;
                    completed = 0; errors = 0;
                    measureEnd = t + duration * 1e6;
                    cpuMark();
                }
                return;
            }
            if (t >= measureEnd) { finish(); return; }
            completed++;
            latencies.push(t - sentAt);
        };
        const sendOne = () => {
            const sentAt = now();
            link.peer.send(payload, true).then(() => {
                if (running) record(sentAt);
                if (running) sendOne();
            }).catch((e) => {
                if (running) { console.error("request failed:", e); errors++; sendOne(); }
            });
        };
        const timer = setInterval(() => {
            if (measuring && now() >= measureEnd) finish();
            else if (!measuring && running && now() >= warmupEnd) record(0);
            if (!running) clearInterval(timer);
        }, 100);
        for (let i = 0; i < inflight; i++) sendOne();
    });
}

async function runBig(link) {
    const bytes = Math.floor(bigMib * 1024 * 1024);
    const msg = { type: "big", data: "x".repeat(bytes) };
    const times = [];
    for (let i = 0; i <= bigCount; i++) {
        const t0 = now();
        const reply = await link.peer.send(msg, true, 600000);
        const t = now() - t0;
        if (!reply || !reply.msg || reply.msg.length !== bytes) {
            fail("big-bad-ack", "the ack does not give the length sent");
            return;
        }
        if (i === 0) cpuMark();       // the first one warms up
        else times.push(t);
    }
    const c = cpuSince();
    const s = sorted(times), p50 = median(times);
    console.log(`RESULT phase=big e2e=${e2eName} bytes=${bytes} n=${times.length} p50_ms=${(p50 / 1000).toFixed(1)}` +
                ` min_ms=${(s[0] / 1000).toFixed(1)} max_ms=${(s[s.length - 1] / 1000).toFixed(1)}` +
                ` mib_per_s=${(p50 > 0 ? (bytes / 1048576) / (p50 / 1e6) : 0).toFixed(1)}` +
                ` srv_cpu_ms_per_op=${(serverPid > 0 ? c.server / 1000 / times.length : 0).toFixed(1)}` +
                ` cli_cpu_ms_per_op=${(c.client / 1000 / times.length).toFixed(1)}` +
                ` others_pct=${c.othersPct.toFixed(0)}`);
}

async function main() {
    if (phase === "handshake") {
        await runHandshake();
    } else {
        const link = await openLink();
        if (phase === "req") await runReq(link);
        else await runBig(link);
        closeLink(link);
    }
    quit(0);
}

setTimeout(() => {
    console.error("js-e2e-client: gave up after --max-time");
    console.log(`RESULT phase=${phase} e2e=${e2e ? "yes" : "plain"} error=timeout`);
    quit(1);
}, maxTime * 1000).unref();
process.on("SIGINT", () => quit(130));
process.on("SIGTERM", () => quit(143));
main().catch((e) => fail("failed", e && e.message ? e.message : String(e)));
