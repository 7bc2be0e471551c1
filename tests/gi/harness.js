// harness.js: what the GJS tests of tests/gi share
//
// SPDX-License-Identifier: MIT
//
// Assertions, bounded waits on GLib's main loop, AnySocket endpoints on
// 127.0.0.1 port 0 that are stopped after each test, and a runner that
// prints TAP. The _async calls it makes must be promisified by then
// (test_socket.js calls Gio._promisify, test_module.js imports
// libanysocket's anysocket.js, which does).

import GLib from 'gi://GLib';
import AnySocket from 'gi://AnySocket?version=1';
import System from 'system';

export const WAIT_MS = 5000;        // upper bound for anything that should be quick
const TEST_MS = 20000;              // upper bound for one whole test
export const LOOPBACK = 'ws://127.0.0.1:0';
export const NON_ASCII = 'h\u00e9llo w\u00f6rld \u2713 \u65e5\u672c\u8a9e \u{1F389} end';
export const ERROR_DOMAIN = 'any-socket-error-quark';

// Assertions

export class AssertionError extends Error {
    constructor(message) {
        super(message);
        this.name = 'AssertionError';
    }
}

export function assert(cond, what) {
    if (!cond)
        throw new AssertionError(`assertion failed: ${what}`);
}

export function assertEqual(actual, expected, what = '') {
    const a = JSON.stringify(actual), e = JSON.stringify(expected);
    if (a !== e)
        throw new AssertionError(`${what}: expected ${e}, got ${a}`);
}

export function assertAnyError(error, code, what) {
    assert(error instanceof GLib.Error, `${what}: a GLib.Error, got ${error}`);
    assertEqual(GLib.quark_to_string(error.domain), ERROR_DOMAIN, `${what}: domain`);
    assertEqual(error.domain, AnySocket.socket_error_quark(), `${what}: domain quark`);
    assertEqual(error.code, code, `${what}: code (${error.message})`);
    assert(error.matches(AnySocket.SocketError, code), `${what}: matches()`);
}

export async function assertRejects(promise, what) {
    try {
        await promise;
    } catch (e) {
        return e;
    }
    throw new AssertionError(`${what}: expected an error`);
}

export function assertThrows(fn, what) {
    try {
        fn();
    } catch (e) {
        return e;
    }
    throw new AssertionError(`${what}: expected an error`);
}

// Main loop helpers

export function sleep(ms) {
    return new Promise(resolve => GLib.timeout_add(GLib.PRIORITY_DEFAULT, ms, () => {
        resolve();
        return GLib.SOURCE_REMOVE;
    }));
}

// Resolves when cond() is true, checking every 5 ms; rejects after timeoutMs.
export function waitFor(cond, what, timeoutMs = WAIT_MS) {
    if (cond())
        return Promise.resolve();
    return new Promise((resolve, reject) => {
        const deadline = GLib.get_monotonic_time() + timeoutMs * 1000;
        GLib.timeout_add(GLib.PRIORITY_DEFAULT, 5, () => {
            if (cond()) {
                resolve();
                return GLib.SOURCE_REMOVE;
            }
            if (GLib.get_monotonic_time() >= deadline) {
                reject(new AssertionError(`timed out after ${timeoutMs} ms waiting for ${what}`));
                return GLib.SOURCE_REMOVE;
            }
            return GLib.SOURCE_CONTINUE;
        });
    });
}

// Rejects if promise does not settle within timeoutMs.
export function bounded(promise, what, timeoutMs = WAIT_MS) {
    let id = 0;
    const timeout = new Promise((_, reject) => {
        id = GLib.timeout_add(GLib.PRIORITY_DEFAULT, timeoutMs, () => {
            id = 0;
            reject(new AssertionError(`timed out after ${timeoutMs} ms waiting for ${what}`));
            return GLib.SOURCE_REMOVE;
        });
    });
    return Promise.race([promise, timeout]).finally(() => {
        if (id)
            GLib.source_remove(id);
    });
}

// AnySocket helpers

let sockets = [];

export function newSocket(props = {}) {
    const sock = AnySocket.Socket.new();
    for (const [k, v] of Object.entries(props))
        sock.set_property(k, v);
    sockets.push(sock);
    return sock;
}

export async function listen(sock, uri = LOOPBACK) {
    const port = await bounded(sock.listen_async(uri, null), `listen on ${uri}`);
    assert(port > 0 && port < 65536, `port ${port}`);
    return port;
}

export function connectTo(sock, port) {
    return bounded(sock.connect_async(`ws://127.0.0.1:${port}`, null), `connect to ${port}`);
}

export async function pair(props = {}) {
    const server = newSocket(props);
    const client = newSocket(props);
    const connected = [];
    const handler = server.connect('connected', (s, p) => connected.push(p));
    const port = await listen(server);
    const clientPeer = await connectTo(client, port);
    await waitFor(() => connected.length > 0, "the server's connected signal");
    server.disconnect(handler);
    return {server, client, serverPeer: connected[0], clientPeer, port};
}

// The runner

const tests = [];
export function test(name, fn) {
    tests.push([name, fn]);
}

function withTimeout(promise, name) {
    return bounded(promise, `the whole test '${name}'`, TEST_MS);
}

// Runs every test() in order, each within TEST_MS, and exits.
export async function runTests() {
    let failed = 0;
    print('TAP version 13');
    print(`1..${tests.length}`);
    for (const [i, [name, fn]] of tests.entries()) {
        try {
            await withTimeout(fn(), name);
            print(`ok ${i + 1} - ${name}`);
        } catch (e) {
            failed++;
            print(`not ok ${i + 1} - ${name}`);
            const text = e instanceof GLib.Error ? `GLib.Error ${GLib.quark_to_string(e.domain)} ${e.code}: ${e.message}` : `${e}`;
            for (const line of `${text}\n${e.stack ?? ''}`.trim().split('\n'))
                print(`# ${line}`);
        }
        for (const sock of sockets)
            sock.stop();
        sockets = [];
        await sleep(50);
    }
    System.exit(failed > 0 ? 1 : 0);
}
