// test_module.js: libanysocket's GJS module (libanysocket/gjs/anysocket.js)
//
// SPDX-License-Identifier: MIT
//
// Run with `gjs -m test_module.js`, the environment of test_socket.js, and
// ANYSOCKET_GJS_MODULE set to the module's path (the source file, or the
// installed <datadir>/gjs-1.0/anysocket.js). Every _async/_finish pair is
// promisified by the module alone; messages are plain JS values both ways.
// Output is TAP.

import GLib from 'gi://GLib';
import Json from 'gi://Json';
import {ERROR_DOMAIN, NON_ASCII, assert, assertEqual, assertAnyError, assertRejects,
    waitFor, bounded, newSocket, listen, connectTo, pair, test, runTests} from './harness.js';

const path = GLib.getenv('ANYSOCKET_GJS_MODULE');
if (!path)
    throw new Error('set ANYSOCKET_GJS_MODULE to the path of anysocket.js');
const module = await import(GLib.filename_to_uri(path, null));
const AnySocket = module.default;

test('the module promisifies every async pair', async () => {
    const pairs = [['Socket', ['listen', 'connect', 'proxy', 'broadcast_request']],
        ['Peer', ['request', 'get_synced_time', 'invoke', 'call']]];
    for (const [klass, calls] of pairs) {
        for (const call of calls) {
            assert(typeof AnySocket[klass].prototype[`_original_${call}_async`] === 'function',
                `${klass}.${call}_async is promisified`);
        }
    }
    assert(typeof AnySocket.Socket.prototype._original_connect_with_options_async === 'function',
        'Socket.connect_with_options_async is promisified');
    assertEqual(module.fromJsonNode(module.toJsonNode({a: [1, 'b', null]})), {a: [1, 'b', null]},
        'toJsonNode and fromJsonNode');
    assert(module.toJsonNode(Json.from_string('1')) instanceof Json.Node, 'a Json.Node as it is');
});

test('messages are plain JS values', async () => {
    const {server, clientPeer} = await pair();
    const got = [];
    server.connect('message', (s, packet) => got.push(packet));
    clientPeer.send({hello: 'world', text: NON_ASCII, n: [1, 2.5, null, true]});
    clientPeer.send(Json.from_string('{"as": "node"}'));   // still accepted
    clientPeer.send('just a string');
    await waitFor(() => got.length === 3, 'three messages');
    assertEqual(got.map(p => p.msg), [{hello: 'world', text: NON_ASCII, n: [1, 2.5, null, true]},
        {as: 'node'}, 'just a string'], 'packet.msg');
    assert(got[0].get_msg() instanceof Json.Node, 'get_msg() keeps the Json.Node');
});

test('request and reply as objects, awaited', async () => {
    const {server, clientPeer} = await pair();
    server.connect('message', (s, packet) => packet.reply({echo: packet.msg}));
    const reply = await bounded(clientPeer.request_async({q: NON_ASCII}, 0, null), 'the reply');
    assertEqual(reply.msg, {echo: {q: NON_ASCII}}, 'reply.msg');
    // The callback form still works.
    const msg = await new Promise((resolve, reject) => {
        clientPeer.request_async([1], 0, null, (peer, result) => {
            try {
                resolve(peer.request_finish(result).msg);
            } catch (e) {
                reject(e);
            }
        });
    });
    assertEqual(msg, {echo: [1]}, 'with a callback');
});

test('broadcast and auth data as objects', async () => {
    const server = newSocket();
    server.set_auth_data({token: 't'});
    assert(server.auth_data instanceof Json.Node, 'the auth-data property is a Json.Node');
    const port = await listen(server);
    const got = [];
    for (const c of [newSocket(), newSocket()]) {
        c.connect('message', (s, packet) => got.push(packet.msg));
        await connectTo(c, port);
    }
    await waitFor(() => server.get_peers().length === 2, 'both clients at the server');
    server.broadcast({all: true});
    await waitFor(() => got.length === 2, 'the broadcast');
    assertEqual(got, [{all: true}, {all: true}], 'broadcast');
});

test('RPC with plain values', async () => {
    const {server, clientPeer} = await pair();
    server.connect('rpc::math.add', (s, call) => {
        call.return_value({sum: call.params.reduce((a, b) => a + b, 0)});
        return true;
    });
    assertEqual(await bounded(clientPeer.call_async('math.add', [1, 2, 3.5], null), 'call'),
        {sum: 6.5}, 'call_async');
    const call = AnySocket.RpcCall.new('math.add');
    call.add_param(40);
    call.add_param(Json.from_string('2'));
    assertEqual(await bounded(clientPeer.invoke_async(call, 0, null), 'invoke'), true, 'invoke_async');
    assertEqual(call.result, {sum: 42}, 'call.result');
});

test('broadcast requests and notifications with plain values', async () => {
    const server = newSocket();
    const port = await listen(server);
    assertEqual((await bounded(server.broadcast_request_async({q: 0}, 0, null), 'nobody')).get_n_items(), 0,
        'no peer: at once, empty');
    const notes = [];
    for (const c of [newSocket(), newSocket()]) {
        c.connect('message', (s, packet) => packet.reply({echo: packet.msg}));
        c.connect('rpc::note', (s, call) => {
            notes.push(call.params);
            return true;
        });
        await connectTo(c, port);
    }
    await waitFor(() => server.get_peers().length === 2, 'both clients at the server');
    const model = await bounded(server.broadcast_request_async({q: NON_ASCII}, 0, null), 'replies');
    const replies = [...Array(model.get_n_items()).keys()].map(i => model.get_item(i));
    assertEqual(replies.length, 2, 'two replies');
    assertEqual(replies.map(r => r.get_packet().msg), [{echo: {q: NON_ASCII}}, {echo: {q: NON_ASCII}}],
        'the replies');
    assertEqual(replies[0].get_error(), null, 'no error');
    for (const peer of server.get_peers())
        assert(peer.notify('note', ['hi', 1]), 'notify');
    await waitFor(() => notes.length === 2, 'both notifications');
    assertEqual(notes, [['hi', 1], ['hi', 1]], 'notified params');
});

test('synced time as {rtt, offset}', async () => {
    const {clientPeer} = await pair();
    const synced = await bounded(clientPeer.get_synced_time_async(null), 'the synced time');
    assertEqual(Object.keys(synced), ['rtt', 'offset'], 'fields');
    assert(synced.rtt >= 0, `rtt ${synced.rtt}`);
    assert(Math.abs(synced.offset) < 1000, `offset ${synced.offset}`);
});

test('proxy_async awaited', async () => {
    const hub = newSocket();
    hub.connect('proxy-request', () => true);
    const port = await listen(hub);
    const alice = newSocket(), bob = newSocket();
    const aliceHub = await connectTo(alice, port);
    await connectTo(bob, port);
    const toBob = await bounded(alice.proxy_async(bob.get_id(), aliceHub, null), 'proxy');
    assert(toBob.is_proxy, 'is-proxy');
    assertEqual(toBob.get_id(), bob.get_id(), 'id');
});

test('failures reject with the GLib.Error', async () => {
    const server = newSocket();
    const port = await listen(server);
    const peer = await connectTo(newSocket(), port);
    const e = await assertRejects(bounded(peer.request_async({q: 1}, 100, null), 'timeout'), 'timeout');
    assertAnyError(e, AnySocket.SocketError.TIMEOUT, 'request timeout');
    const e2 = await assertRejects(newSocket().listen_async('http://x', null), 'bad uri');
    assertEqual(GLib.quark_to_string(e2.domain), ERROR_DOMAIN, 'bad uri domain');
});

test('close(reason) and GObject disconnect(handler_id)', async () => {
    const {serverPeer, clientPeer} = await pair();
    const events = [];
    const id = clientPeer.connect('disconnected', () => events.push('removed handler'));
    clientPeer.disconnect(id);
    serverPeer.connect('disconnected', (p, reason) => events.push(reason));
    clientPeer.close('bye');
    await waitFor(() => events.length === 1, 'the server to see the close');
    assertEqual(events, ['bye'], 'events');
});

await runTests();
