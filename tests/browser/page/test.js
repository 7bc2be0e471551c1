// test.js: what the browser checks against the libanysocket server
// (browser-server.c) with npm anysocket's browser build. window.testResults
// is a promise of [{name, ok, detail}], one per check, that the driver
// (run-browser.js) awaits over the DevTools protocol. Every wait is
// bounded.
"use strict";

const BIG = 2 * 1024 * 1024;
const WAIT = 15000;

function log(text) {
    document.getElementById("log").textContent += text + "\n";
}

function withTimeout(promise, ms, what) {
    let timer;
    return Promise.race([
        promise,
        new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(what + ": no answer in " + ms + " ms")), ms); }),
    ]).finally(() => clearTimeout(timer));
}

// The same generator as big_string() in browser-server.c.
function bigString(len, seed) {
    const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ";
    const parts = new Array(len);
    let x = seed >>> 0;
    for (let i = 0; i < len; i++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        parts[i] = alphabet[(x >>> 16) % alphabet.length];
    }
    return parts.join("");
}

async function sha256(text) {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

function pattern(len) {
    const bytes = new Uint8Array(len);
    for (let i = 0; i < len; i++)
        bytes[i] = (i * 7 + 3) & 0xff;
    return bytes;
}

function reversedOf(bytes) {
    return Uint8Array.from(bytes).reverse();
}

function sameBytes(a, b) {
    if (a.length !== b.length)
        return false;
    for (let i = 0; i < a.length; i++)
        if (a[i] !== b[i])
            return false;
    return true;
}

async function request(peer, msg) {
    const packet = await withTimeout(peer.send(msg, true), WAIT, msg.op);
    return packet.msg;
}

// A socket of its own for each case that needs a link of its own; its
// "e2e" events resolve e2eDone.
async function connect() {
    const socket = new AnySocket();
    let e2eResolve;
    const e2eDone = new Promise((resolve) => { e2eResolve = resolve; });
    socket.on("e2e", (peer) => e2eResolve(peer));
    socket.setRPC({
        bytes: {
            reverse: (buf) => reversedOf(new Uint8Array(buf)),
        },
    });
    const peer = await withTimeout(socket.connect("ws", location.hostname, parseInt(location.port, 10)), WAIT, "connect");
    return { socket, peer, e2eDone };
}

const checks = [];
function check(name, fn) {
    checks.push({ name, fn });
}

let main = null;

check("HTTP route answered later by the application (/hello)", async () => {
    const response = await withTimeout(fetch("/hello"), WAIT, "fetch");
    const body = await response.json();
    return [response.status === 200 && body.hello === "from libanysocket", response.status + " " + JSON.stringify(body)];
});

check("connect (the upgrade with Sec-WebSocket-Protocol: null)", async () => {
    main = await connect();
    return [typeof main.peer.id === "string" && main.peer.id.length > 0, "peer " + main.peer.id];
});

check("request/reply", async () => {
    const reply = await request(main.peer, { op: "echo", data: { text: "héllo 漢字 😀", n: 42 } });
    return [reply.echo && reply.echo.text === "héllo 漢字 😀" && reply.echo.n === 42, JSON.stringify(reply)];
});

check("2 MiB message from the browser (sha256)", async () => {
    const data = bigString(BIG, 7);
    const expected = await sha256(data);
    const reply = await request(main.peer, { op: "hash", data: data });
    return [reply.len === BIG && reply.sha256 === expected, "len " + reply.len + " sha256 " + reply.sha256];
});

check("2 MiB message from the server (sha256)", async () => {
    const reply = await request(main.peer, { op: "big", len: BIG, seed: 9 });
    const got = await sha256(reply.data);
    const expected = await sha256(bigString(BIG, 9));
    return [reply.data.length === BIG && got === reply.sha256 && got === expected, "len " + reply.data.length];
});

check("binary RPC from the browser (bytes.reverse)", async () => {
    const sent = pattern(100000);
    const result = await withTimeout(main.peer.rpc.bytes.reverse(sent), WAIT, "rpc");
    const got = new Uint8Array(result);
    return [sameBytes(got, reversedOf(sent)), "got " + got.length + " bytes"];
});

check("binary RPC from the server (the page's bytes.reverse)", async () => {
    const reply = await request(main.peer, { op: "call_me", len: 100000 });
    return [reply.ok === true, JSON.stringify(reply)];
});

check("RPC with JSON params (math.add)", async () => {
    const sum = await withTimeout(main.peer.rpc.math.add(2, 40), WAIT, "rpc");
    return [sum === 42, "sum " + sum];
});

check("synced time", async () => {
    const t = await withTimeout(main.peer.getSyncedTime(), WAIT, "getSyncedTime");
    return [typeof t.rtt === "number" && t.rtt >= 0 && t.rtt < 1000 && Math.abs(t.offset) < 1000,
            "rtt " + t.rtt + " offset " + t.offset];
});

check("compat E2E started by the browser", async () => {
    const link = await connect();
    link.peer.e2e();
    await withTimeout(link.e2eDone, WAIT, "e2e");
    const mode = await request(link.peer, { op: "e2e_mode" });
    const reply = await request(link.peer, { op: "echo", data: "secret é" });
    link.peer.disconnect("done");
    return [mode.mode === "compat" && reply.echo === "secret é", "server says " + mode.mode];
});

check("compat E2E started by the server", async () => {
    const link = await connect();
    const started = await request(link.peer, { op: "start_e2e" });
    await withTimeout(link.e2eDone, WAIT, "e2e");
    const mode = await request(link.peer, { op: "e2e_mode" });
    const reply = await request(link.peer, { op: "echo", data: "secret è" });
    link.peer.disconnect("done");
    return [started.started === true && mode.mode === "compat" && reply.echo === "secret è", "server says " + mode.mode];
});

async function run() {
    const results = [];
    for (const c of checks) {
        let ok = false, detail = "";
        try {
            [ok, detail] = await c.fn();
        } catch (e) {
            detail = "exception: " + (e && e.message ? e.message : String(e));
        }
        log((ok ? "ok " : "FAIL ") + c.name + " - " + detail);
        results.push({ name: c.name, ok: !!ok, detail: String(detail).substr(0, 300) });
    }
    return results;
}

window.testResults = new Promise((resolve) => {
    window.addEventListener("load", () => resolve(run()));
});
