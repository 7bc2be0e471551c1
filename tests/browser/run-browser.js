#!/usr/bin/env node
// run-browser.js: a real browser against a libanysocket server.
//
//   node run-browser.js CHROMIUM SERVER PAGE_DIR BUNDLE_DIR [--wss]
//
// --wss: the server listens on wss:// with a throwaway certificate made
// here by openssl, the page is loaded over https:// (so the bundle can
// only reach the server over wss://: an https page may not open ws://),
// and chromium trusts that one key (--ignore-certificate-errors-spki-list).
//
// Starts SERVER (browser-server.c) with PAGE_DIR and BUNDLE_DIR, reads the
// port it prints, starts CHROMIUM headless with --remote-debugging-pipe
// (the DevTools protocol over fds 3 and 4, NUL-terminated JSON; a page's
// async work outlives --dump-dom), opens the page the server serves,
// awaits window.testResults (bounded) and prints TAP, one line per check.
// Chromium (its whole process group) and the server are killed at the end,
// whatever happens. Exit status 77 (skip) when CHROMIUM cannot start.
"use strict";

const { spawn } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const crypto = require("crypto");
const { execFileSync } = require("child_process");

const [chromiumPath, serverPath, pageDir, bundleDir, mode] = process.argv.slice(2);
const wss = mode === "--wss";
const TOTAL_MS = 90000;
const LOAD_MS = 20000;

let server = null;
let chromium = null;
let profile = null;
let finished = false;

function note(text) {
    for (const line of String(text).split("\n"))
        if (line.length > 0)
            process.stdout.write("# " + line + "\n");
}

function cleanup() {
    if (chromium !== null && chromium.exitCode === null && chromium.signalCode === null) {
        try { process.kill(-chromium.pid, "SIGKILL"); } catch (e) { /* gone */ }
    }
    if (server !== null && server.exitCode === null && server.signalCode === null) {
        try { server.kill("SIGKILL"); } catch (e) { /* gone */ }
    }
    if (profile !== null) {
        try { fs.rmSync(profile, { recursive: true, force: true }); } catch (e) { /* best effort */ }
        profile = null;
    }
}

function bail(text, status) {
    if (finished)
        return;
    finished = true;
    process.stdout.write("Bail out! " + text + "\n");
    cleanup();
    process.exit(status === undefined ? 1 : status);
}

process.on("exit", cleanup);
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"])
    process.on(sig, () => bail("killed by " + sig));
process.on("uncaughtException", (e) => bail("driver error: " + (e && e.stack ? e.stack : e)));
setTimeout(() => bail("no results within " + TOTAL_MS + " ms"), TOTAL_MS).unref();

// A self-signed certificate for 127.0.0.1 in @dir: its files and the
// base64 SHA-256 of its public key.
function makeCertificate(dir) {
    const cert = path.join(dir, "cert.pem");
    const key = path.join(dir, "key.pem");
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                             "-days", "2", "-subj", "/CN=localhost",
                             "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                             "-keyout", key, "-out", cert], { stdio: "ignore" });
    const spki = new crypto.X509Certificate(fs.readFileSync(cert)).publicKey.export({ type: "spki", format: "der" });
    return { cert, key, spki: crypto.createHash("sha256").update(spki).digest("base64") };
}

function startServer(tls) {
    return new Promise((resolve, reject) => {
        const args = tls ? [pageDir, bundleDir, tls.cert, tls.key] : [pageDir, bundleDir];
        server = spawn(serverPath, args, { stdio: ["pipe", "pipe", "pipe"] });
        let buffered = "";
        server.stdout.on("data", (data) => {
            buffered += data;
            const m = /PORT (\d+)/.exec(buffered);
            if (m)
                resolve(parseInt(m[1], 10));
        });
        server.stderr.on("data", (data) => note("server: " + data));
        server.on("exit", (code, signal) => {
            if (!finished)
                reject(new Error("the server exited (" + (signal || code) + ")"));
        });
    });
}

// The DevTools protocol over the pipe: requests by id, events to listeners.
class Devtools {
    constructor(toBrowser, fromBrowser) {
        this.out = toBrowser;
        this.nextId = 1;
        this.pending = new Map();
        this.listeners = [];
        let buffered = Buffer.alloc(0);
        fromBrowser.on("data", (data) => {
            buffered = Buffer.concat([buffered, data]);
            let end;
            while ((end = buffered.indexOf(0)) >= 0) {
                const message = JSON.parse(buffered.subarray(0, end).toString("utf8"));
                buffered = buffered.subarray(end + 1);
                this.dispatch(message);
            }
        });
    }

    dispatch(message) {
        if (message.id !== undefined && this.pending.has(message.id)) {
            const { resolve, reject } = this.pending.get(message.id);
            this.pending.delete(message.id);
            if (message.error)
                reject(new Error(message.error.message));
            else
                resolve(message.result);
            return;
        }
        for (const listener of this.listeners)
            listener(message);
    }

    send(method, params, sessionId) {
        const id = this.nextId++;
        const message = { id, method, params: params || {} };
        if (sessionId)
            message.sessionId = sessionId;
        return new Promise((resolve, reject) => {
            this.pending.set(id, { resolve, reject });
            this.out.write(JSON.stringify(message) + "\0");
        });
    }
}

function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

async function main() {
    if (!fs.existsSync(chromiumPath)) {
        process.stdout.write("1..0 # SKIP no chromium at " + chromiumPath + "\n");
        process.exit(77);
    }
    profile = fs.mkdtempSync(path.join(os.tmpdir(), "anysocket-chromium-"));
    let tls = null;
    if (wss) {
        try {
            tls = makeCertificate(profile);
        } catch (e) {
            process.stdout.write("1..0 # SKIP openssl could not make a certificate: " + e.message + "\n");
            process.exit(77);
        }
    }
    const port = await startServer(tls);
    note("server on port " + port + (wss ? " (wss://)" : ""));

    const flags = [
        "--headless", "--no-sandbox", "--user-data-dir=" + profile, "--remote-debugging-pipe",
        "--no-first-run", "--no-default-browser-check", "--disable-gpu", "--disable-extensions",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];
    if (tls)
        flags.push("--ignore-certificate-errors-spki-list=" + tls.spki);
    chromium = spawn(chromiumPath, flags.concat(["about:blank"]),
                     { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"], detached: true });
    let chromiumErr = "";
    chromium.stderr.on("data", (data) => { chromiumErr = (chromiumErr + data).slice(-4000); });
    chromium.on("exit", (code, signal) => {
        if (!finished)
            bail("chromium exited (" + (signal || code) + "): " + chromiumErr.split("\n").slice(-5).join(" | "));
    });
    const devtools = new Devtools(chromium.stdio[3], chromium.stdio[4]);

    const { targetId } = await devtools.send("Target.createTarget", { url: "about:blank" });
    const { sessionId } = await devtools.send("Target.attachToTarget", { targetId, flatten: true });
    devtools.listeners.push((message) => {
        if (message.sessionId !== sessionId)
            return;
        if (message.method === "Runtime.consoleAPICalled")
            note("console." + message.params.type + ": " +
                 message.params.args.map((a) => a.value !== undefined ? a.value : a.description).join(" "));
        else if (message.method === "Runtime.exceptionThrown")
            note("exception: " + JSON.stringify(message.params.exceptionDetails).slice(0, 500));
        else if (message.method === "Log.entryAdded")
            note("log: " + message.params.entry.text);
    });
    await devtools.send("Runtime.enable", {}, sessionId);
    await devtools.send("Log.enable", {}, sessionId);
    await devtools.send("Page.enable", {}, sessionId);
    const url = (wss ? "https" : "http") + "://127.0.0.1:" + port + "/";
    const navigated = await devtools.send("Page.navigate", { url }, sessionId);
    if (navigated.errorText)
        bail("navigating to " + url + ": " + navigated.errorText);

    // The page's promise, once its scripts ran.
    const loadDeadline = Date.now() + LOAD_MS;
    for (;;) {
        const { result } = await devtools.send("Runtime.evaluate",
            { expression: "typeof window.testResults", returnByValue: true }, sessionId);
        if (result.value === "object")
            break;
        if (Date.now() > loadDeadline)
            bail("the page did not load (window.testResults is " + result.value + ")");
        await sleep(100);
    }
    const evaluated = await devtools.send("Runtime.evaluate",
        { expression: "window.testResults", awaitPromise: true, returnByValue: true }, sessionId);
    if (evaluated.exceptionDetails)
        bail("the page failed: " + JSON.stringify(evaluated.exceptionDetails).slice(0, 500));
    const results = evaluated.result.value;

    finished = true;
    process.stdout.write("1.." + results.length + "\n");
    let failed = 0;
    results.forEach((r, i) => {
        process.stdout.write((r.ok ? "ok " : "not ok ") + (i + 1) + " - " + r.name + "\n");
        note(r.detail);
        if (!r.ok)
            failed++;
    });
    try { await Promise.race([devtools.send("Browser.close"), sleep(2000)]); } catch (e) { /* killed below */ }
    cleanup();
    process.exit(failed > 0 ? 1 : 0);
}

main().catch((e) => bail(e && e.message ? e.message : String(e)));
