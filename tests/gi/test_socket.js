// test_socket.js: libanysocket through GObject introspection (GJS)
//
// SPDX-License-Identifier: MIT
//
// An ES module: run it with `gjs -m test_socket.js` (GJS 1.74, Debian 12),
// with GI_TYPELIB_PATH and LD_LIBRARY_PATH pointing at
// <builddir>/libanysocket. Async calls go through Gio._promisify; the
// module's top-level await keeps GJS's main loop running. Every wait is
// bounded by a GLib timeout that fails the test. Output is TAP; the exit
// status is 1 if any test failed.

import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Gio from 'gi://Gio';
import Json from 'gi://Json';
import AnySocket from 'gi://AnySocket?version=1';
import {ERROR_DOMAIN, NON_ASCII, assert, assertEqual, assertAnyError, assertRejects, assertThrows, sleep,
    waitFor, bounded, newSocket, listen, connectTo, pair, test, runTests} from './harness.js';

Gio._promisify(AnySocket.Socket.prototype, 'listen_async', 'listen_finish');
Gio._promisify(AnySocket.Socket.prototype, 'connect_async', 'connect_finish');
Gio._promisify(AnySocket.Peer.prototype, 'request_async', 'request_finish');
Gio._promisify(AnySocket.Peer.prototype, 'call_async', 'call_finish');
Gio._promisify(AnySocket.Peer.prototype, 'invoke_async', 'invoke_finish');
Gio._promisify(AnySocket.Socket.prototype, 'proxy_async', 'proxy_finish');

const RPC_ERROR_DOMAIN = 'any-rpc-error-quark';

// JSON

function node(value) {
    return Json.from_string(JSON.stringify(value));
}

function value(jsonNode) {
    return JSON.parse(Json.to_string(jsonNode, false));
}

function arrayValue(jsonArray) {
    return value(Json.Node.alloc().init_array(jsonArray));
}

function assertRpcError(error, code, message, what) {
    assert(error instanceof GLib.Error, `${what}: a GLib.Error, got ${error}`);
    assertEqual(GLib.quark_to_string(error.domain), RPC_ERROR_DOMAIN, `${what}: domain`);
    assertEqual(error.code, code, `${what}: code (${error.message})`);
    assert(error.matches(AnySocket.RpcError, code), `${what}: matches()`);
    assertEqual(error.message, message, `${what}: message`);
}

// The tests

test('types', async () => {
    assert(AnySocket.Socket.prototype instanceof GObject.Object, 'Socket is a GObject');
    assert(AnySocket.Peer.prototype instanceof GObject.Object, 'Peer is a GObject');
    assert(AnySocket.Packet.prototype instanceof GObject.Object, 'Packet is a GObject');
    assertEqual(GLib.quark_to_string(AnySocket.socket_error_quark()), ERROR_DOMAIN, 'quark');
    assertEqual(AnySocket.SocketError.quark(), AnySocket.socket_error_quark(), 'enum quark');
    assertEqual(AnySocket.SocketError.TIMEOUT, 2, 'TIMEOUT');
    const sock = AnySocket.Socket.new();
    assert(/^[0-9a-f]{32}$/.test(sock.get_id()), `id ${sock.get_id()}`);
    assertEqual(sock.id, sock.get_id(), 'id property');
    assertEqual(sock.reply_timeout, 30000, 'reply-timeout');
    assertEqual(sock.heartbeat_interval, 5000, 'heartbeat-interval');
    assertEqual(sock.auth_data, null, 'auth-data');
});

test('listen and connect', async () => {
    const server = newSocket();
    const client = newSocket();
    const serverConnected = [], clientConnected = [];
    server.connect('connected', (s, p) => serverConnected.push(p));
    client.connect('connected', (s, p) => clientConnected.push(p));
    const port = await listen(server);
    const peer = await connectTo(client, port);
    assert(peer instanceof AnySocket.Peer, 'a Peer');
    assertEqual(clientConnected.length, 1, 'client connected signals');
    assert(clientConnected[0] === peer, 'connected gave the same peer');
    await waitFor(() => serverConnected.length === 1, "the server's connected signal");
    const serverPeer = serverConnected[0];
    assertEqual(peer.get_id(), server.get_id(), 'client peer id');
    assertEqual(peer.id, server.id, 'client peer id property');
    assertEqual(serverPeer.get_id(), client.get_id(), 'server peer id');
    assert(peer.is_connected() && serverPeer.is_connected(), 'connected');
    assert(peer.get_socket() === client, 'peer socket');
    assertEqual(peer.remote_address, `127.0.0.1:${port}`, 'remote address');
});

test('invalid uri', async () => {
    const sock = newSocket();
    const e = await assertRejects(bounded(sock.listen_async('http://127.0.0.1:0', null), 'listen'), 'listen');
    assertAnyError(e, AnySocket.SocketError.INVALID_URI, 'invalid uri');
});

test('messages both ways', async () => {
    const {server, client, serverPeer, clientPeer} = await pair();
    const order = [], serverMsgs = [], clientMsgs = [];
    serverPeer.connect('message', () => order.push('peer'));
    server.connect('message', (s, pkt) => {
        order.push('socket');
        serverMsgs.push(pkt);
    });
    client.connect('message', (s, pkt) => clientMsgs.push(pkt));

    const sent = {text: NON_ASCII, n: [1, 2.5, null, true], nested: {'\u00e4': '\u00df'}};
    assert(clientPeer.send(node(sent)), 'send');
    await waitFor(() => serverMsgs.length > 0, 'a message at the server');
    const pkt = serverMsgs[0];
    assert(pkt instanceof AnySocket.Packet, 'a Packet');
    assertEqual(value(pkt.get_msg()), sent, 'message');
    assertEqual(value(pkt.msg), sent, 'msg property');
    assert(pkt.get_peer() === serverPeer, 'packet peer');
    assert(!pkt.is_reply() && pkt.seq > 0, 'not a reply');
    assertEqual(order, ['peer', 'socket'], 'signal order');

    assert(serverPeer.send(node(NON_ASCII)), 'send back');
    assert(serverPeer.send(node(42)), 'send back');
    await waitFor(() => clientMsgs.length === 2, 'two messages at the client');
    assertEqual(value(clientMsgs[0].get_msg()), NON_ASCII, 'string back');
    assertEqual(value(clientMsgs[1].get_msg()), 42, 'number back');
});

test('request and reply', async () => {
    const {server, clientPeer} = await pair();
    server.connect('message', (s, pkt) => {
        pkt.reply(node({echo: value(pkt.get_msg()), by: 'server \u2713'}));
    });
    const reply = await bounded(clientPeer.request_async(node({q: NON_ASCII}), 0, null), 'the reply');
    assert(reply instanceof AnySocket.Packet, 'a Packet');
    assert(reply.is_reply() && reply.get_seq() < 0, 'a reply');
    assertEqual(value(reply.get_msg()), {echo: {q: NON_ASCII}, by: 'server \u2713'}, 'reply');
    const e = assertThrows(() => reply.reply(node('no')), 'reply to a reply');
    assertAnyError(e, AnySocket.SocketError.INVALID_ARGUMENT, 'reply to a reply');

    const replies = await bounded(Promise.all([0, 1, 2, 3, 4].map(
        i => clientPeer.request_async(node({i}), 0, null))), 'five replies');
    replies.forEach((r, i) => assertEqual(value(r.get_msg()).echo, {i}, `reply ${i}`));
});

test('request timeout', async () => {
    const {server, clientPeer} = await pair();
    const received = [];
    server.connect('message', (s, pkt) => received.push(pkt)); // never replies
    const start = GLib.get_monotonic_time();
    const e = await assertRejects(
        bounded(clientPeer.request_async(node({q: 'anyone?'}), 200, null), 'the timeout'),
        'request');
    const elapsedMs = (GLib.get_monotonic_time() - start) / 1000;
    assertAnyError(e, AnySocket.SocketError.TIMEOUT, 'request timeout');
    assert(elapsedMs >= 150 && elapsedMs < 3000, `elapsed ${elapsedMs} ms`);
    assertEqual(received.length, 1, 'the request arrived');
    assert(clientPeer.is_connected(), 'still connected');
    received[0].reply(node('too late')); // dropped
    const got = [];
    server.connect('message', (s, pkt) => got.push(value(pkt.get_msg())));
    clientPeer.send(node('still here'));
    await waitFor(() => got.length > 0, 'a message after the timeout');
    assertEqual(got, ['still here'], 'message after the timeout');
});

test('heartbeat and lag', async () => {
    const {server, client, serverPeer, clientPeer} = await pair();
    assertEqual(clientPeer.lag, -1, 'lag before a heartbeat');
    const socketBeats = [], peerBeats = [], lagNotify = [];
    client.connect('heartbeat', (s, p) => socketBeats.push(p));
    clientPeer.connect('heartbeat', p => peerBeats.push(p.get_lag()));
    clientPeer.connect('notify::lag', p => lagNotify.push(p.lag));
    client.heartbeat_interval = 100;
    server.set_heartbeat_interval(100);
    assertEqual(client.get_heartbeat_interval(), 100, 'heartbeat-interval');
    await waitFor(() => socketBeats.length > 0 && peerBeats.length > 0, 'heartbeats');
    assert(socketBeats[0] === clientPeer, 'heartbeat peer');
    assert(clientPeer.get_lag() >= 0 && clientPeer.lag >= 0, `lag ${clientPeer.lag}`);
    assert(peerBeats[0] >= 0, 'lag in the peer heartbeat handler');
    assert(lagNotify.length > 0, 'notify::lag');
    await sleep(500);
    assert(clientPeer.is_connected() && serverPeer.is_connected(), 'still connected');
    assert(socketBeats.length >= 2, `${socketBeats.length} heartbeats`);
});

test('disconnected signals', async () => {
    const {server, client, serverPeer, clientPeer} = await pair();
    const events = [];
    clientPeer.connect('disconnected', (p, r) => events.push(['client peer', r]));
    client.connect('disconnected', (s, p, r) => events.push(['client socket', r, p === clientPeer]));
    serverPeer.connect('disconnected', (p, r) => events.push(['server peer', r]));
    server.connect('disconnected', (s, p, r) => events.push(['server socket', r, p === serverPeer]));
    // any_peer_close(): any_peer_disconnect() is skipped for bindings, so
    // GObject.Object.disconnect(handler_id) is not hidden.
    const removed = clientPeer.connect('disconnected', () => events.push(['removed handler']));
    clientPeer.disconnect(removed);
    clientPeer.close('bye \u2713');
    assertEqual(events, [['client peer', 'bye \u2713'], ['client socket', 'bye \u2713', true]],
        'events during close()');
    assert(!clientPeer.is_connected(), 'not connected');
    assertEqual(client.get_peers().length, 0, 'client peers');
    await waitFor(() => events.length === 4, 'the server to see the disconnection');
    assertEqual(events.slice(2), [['server peer', 'bye \u2713'], ['server socket', 'bye \u2713', true]],
        'events at the server');
    assertEqual(server.get_peers().length, 0, 'server peers');
    const e = assertThrows(() => clientPeer.send(node('x')), 'send after disconnect');
    assertAnyError(e, AnySocket.SocketError.DISCONNECTED, 'send after disconnect');
});

test('custom auth accepted', async () => {
    const server = newSocket();
    const client = newSocket();
    client.auth_data = node({token: 's\u00e9cret'});
    assertEqual(value(client.get_auth_data()), {token: 's\u00e9cret'}, 'auth-data');
    const seenByServer = [], seenByClient = [];
    server.connect('authenticate', (s, peerId, auth) => {
        seenByServer.push([peerId, auth === null ? null : value(auth)]);
        return auth !== null && value(auth).token === 's\u00e9cret';
    });
    client.connect('authenticate', (s, peerId, auth) => {
        seenByClient.push([peerId, auth]);
        return true;
    });
    const port = await listen(server);
    const peer = await connectTo(client, port);
    assertEqual(peer.id, server.id, 'peer id');
    await waitFor(() => server.get_peers().length === 1, "the server's peer");
    assertEqual(seenByServer, [[client.id, {token: 's\u00e9cret'}]], 'server authenticate');
    assertEqual(seenByClient, [[server.id, null]], 'client authenticate');
});

test('custom auth refused', async () => {
    const server = newSocket();
    const client = newSocket();
    client.set_auth_data(node({token: 'wrong'}));
    const serverConnected = [];
    server.connect('connected', (s, p) => serverConnected.push(p));
    server.connect('authenticate', (s, peerId, auth) => value(auth).token === 'right');
    const port = await listen(server);
    const e = await assertRejects(connectTo(client, port), 'connect with a wrong token');
    assertAnyError(e, AnySocket.SocketError.AUTH_FAILED, 'refused auth');
    await sleep(100);
    assertEqual(serverConnected.length, 0, 'server connected signals');
    assertEqual(server.get_peers().length, 0, 'server peers');
    assertEqual(client.get_peers().length, 0, 'client peers');
    client.auth_data = node({token: 'right'});
    const peer = await connectTo(client, port);
    assert(peer.is_connected(), 'the right token gets in');
});

test('get_peers, get_peer and broadcast', async () => {
    const server = newSocket();
    const clients = [newSocket(), newSocket()];
    const port = await listen(server);
    const clientPeers = [];
    for (const c of clients)
        clientPeers.push(await connectTo(c, port));
    await waitFor(() => server.get_peers().length === 2, 'two peers at the server');
    const peers = server.get_peers();
    assertEqual(peers.map(p => p.id).sort(), clients.map(c => c.id).sort(), 'peer ids');
    for (const c of clients) {
        const p = server.get_peer(c.id);
        assert(p !== null && peers.includes(p), `get_peer(${c.id})`);
    }
    assertEqual(server.get_peer('0'.repeat(32)), null, 'unknown peer');
    assert(clients[0].get_peer(server.id) === clientPeers[0], 'client get_peer');

    const got = clients.map(() => []);
    clients.forEach((c, i) => c.connect('message', (s, pkt) => got[i].push(value(pkt.get_msg()))));
    server.broadcast(node({to: 'all', text: NON_ASCII}));
    await waitFor(() => got.every(g => g.length > 0), 'the broadcast at both clients');
    for (const g of got)
        assertEqual(g, [{to: 'all', text: NON_ASCII}], 'broadcast');
});

test('stop', async () => {
    const server = newSocket();
    const clients = [newSocket(), newSocket()];
    const port = await listen(server);
    const clientPeers = [];
    for (const c of clients)
        clientPeers.push(await connectTo(c, port));
    await waitFor(() => server.get_peers().length === 2, 'two peers at the server');
    const serverPeers = server.get_peers();
    const serverSide = [], peerSide = [], clientSide = [];
    server.connect('disconnected', (s, p, r) => serverSide.push([p.id, r]));
    serverPeers.forEach(p => p.connect('disconnected', (pp, r) => peerSide.push([pp.id, r])));
    clients.forEach(c => c.connect('disconnected', (s, p, r) => clientSide.push([s.id, r])));

    server.stop();
    const expected = clients.map(c => [c.id, 'Socket stopped']).sort();
    assertEqual(serverSide.sort(), expected, 'server disconnected signals');
    assertEqual(peerSide.sort(), expected, 'peer disconnected signals');
    assertEqual(server.get_peers().length, 0, 'server peers');
    for (const p of serverPeers) {
        const e = assertThrows(() => p.send(node('x')), 'send after stop');
        assertAnyError(e, AnySocket.SocketError.DISCONNECTED, 'send after stop');
    }
    await waitFor(() => clientSide.length === 2, 'the clients to see the stop');
    assertEqual(clientSide.sort(), expected, 'client disconnected signals');
    assert(clientPeers.every(p => !p.is_connected()), 'client peers disconnected');

    await assertRejects(connectTo(newSocket(), port), 'connect to the stopped socket');
    const port2 = await listen(server);
    const peer = await connectTo(clients[0], port2);
    assertEqual(peer.id, server.id, 'reconnected after stop');
});

test('rpc: detailed handlers, values, completed later', async () => {
    const {server, serverPeer, clientPeer} = await pair();
    const seen = [];
    server.connect('rpc::math.add', (s, call) => {
        seen.push([call.get_method(), call.get_peer() === serverPeer, call.get_wants_reply()]);
        const params = arrayValue(call.get_params());
        call.return_value(node(params[0] + params[1]));
        return true;
    });
    server.connect('rpc::later', (s, call) => {
        GLib.timeout_add(GLib.PRIORITY_DEFAULT, 30, () => {
            call.return_value(node({later: NON_ASCII}));
            return GLib.SOURCE_REMOVE;
        });
        return true;
    });
    const sum = await bounded(clientPeer.call_async('math.add', node([2, 40]).get_array(), null), 'math.add');
    assertEqual(value(sum), 42, 'math.add');
    assertEqual(seen, [['math.add', true, true]], 'the handler saw');
    const later = await bounded(clientPeer.call_async('later', null, null), 'later');
    assertEqual(value(later), {later: NON_ASCII}, 'later');
});

test('rpc: bytes', async () => {
    const {server, clientPeer} = await pair();
    server.connect('rpc::bytes.reverse', (s, call) => {
        const data = call.get_param_bytes(0).toArray();
        call.return_bytes(new GLib.Bytes(data.reverse()));
        return true;
    });
    const call = AnySocket.RpcCall.new('bytes.reverse');
    call.add_bytes_param(new GLib.Bytes(new Uint8Array([0, 1, 254, 255])));
    const ok = await bounded(clientPeer.invoke_async(call, 0, null), 'invoke');
    assert(ok, 'invoke_finish');
    assertEqual(Array.from(call.get_result_bytes().toArray()), [255, 254, 1, 0], 'reversed');
    assertEqual(value(call.get_result()), '//4BAA==', 'the result as base64');
});

test('rpc: errors', async () => {
    const {server, clientPeer} = await pair();
    server.connect('rpc::fail', (s, call) => {
        call.return_error_literal('nope \u2713');
        return true;
    });
    let e = await assertRejects(bounded(clientPeer.call_async('fail', null, null), 'fail'), 'fail');
    assertRpcError(e, AnySocket.RpcError.FAILED, "nope \u2713 (method: 'fail')", 'fail');
    e = await assertRejects(bounded(clientPeer.call_async('no.such', node([1]).get_array(), null), 'no.such'),
        'no.such');
    assertRpcError(e, AnySocket.RpcError.NOT_FOUND, "Method not found! (method: 'no,such')", 'no.such');
    assertEqual(AnySocket.RpcError.NOT_FOUND, 404, 'NOT_FOUND');
    assert(clientPeer.is_connected(), 'still connected');
});

test('e2e: native, with fingerprints', async () => {
    const {server, client, serverPeer, clientPeer} = await pair();
    const seen = [];
    server.connect('verify-peer', (s, peer, fingerprint) => {
        seen.push(fingerprint);
        return true;
    });
    assertEqual(clientPeer.get_e2e_mode(), AnySocket.E2eMode.NONE, 'plain at first');
    clientPeer.e2e();
    await waitFor(() => clientPeer.e2e_mode === AnySocket.E2eMode.NATIVE &&
                        serverPeer.e2e_mode === AnySocket.E2eMode.NATIVE, 'both ends encrypted');
    const own = client.dup_fingerprint();
    assert(/^\d{5}( \d{5}){11}$/.test(own), `fingerprint format: ${own}`);
    assertEqual(seen, [own], 'verify-peer saw the client key');
    assertEqual(serverPeer.dup_remote_fingerprint(), own, 'the server proved the client key');
    assertEqual(clientPeer.dup_remote_fingerprint(), server.dup_fingerprint(), 'and back');
});
test('proxy: through a hub, with e2e', async () => {
    const hub = newSocket(), alice = newSocket(), bob = newSocket();
    hub.connect('proxy-request', () => true);
    const port = await listen(hub);
    const aliceHub = await connectTo(alice, port);
    const bobPeers = [];
    bob.connect('connected', (s, p) => bobPeers.push(p));
    await connectTo(bob, port);
    const toBob = await bounded(alice.proxy_async(bob.id, aliceHub, null), 'proxy_async');
    // The property "is-proxy" shadows the method is_proxy() in GJS.
    assertEqual(toBob.is_proxy, true, 'is-proxy');
    assert(toBob.via === aliceHub, 'via the hub');
    await waitFor(() => bobPeers.length === 2, "bob's proxied peer");
    assertEqual(bobPeers[1].is_proxy, true, "bob's end is proxied too");
    const got = [];
    bob.connect('message', (s, packet) => got.push(value(packet.msg)));
    toBob.e2e();
    toBob.send(node({text: NON_ASCII}));
    await waitFor(() => got.length === 1, 'a message through the hub');
    assertEqual(got, [{text: NON_ASCII}], 'the message');
    assertEqual(toBob.e2e_mode, AnySocket.E2eMode.NATIVE, 'native through the hub');

    // A hub with no proxy-request handler refuses.
    const carol = newSocket();
    const hub2 = newSocket();
    const port2 = await listen(hub2);
    const aliceHub2 = await connectTo(alice, port2);
    await connectTo(carol, port2);
    const e = await assertRejects(bounded(alice.proxy_async(carol.id, aliceHub2, null), 'refused'), 'refused');
    assertAnyError(e, AnySocket.SocketError.PROXY_REFUSED, 'a hub without handler refuses');
});

await runTests();
