#!/usr/bin/python3
# test_overrides.py: the PyGObject override (gi/overrides/AnySocket.py)
#
# SPDX-License-Identifier: MIT
#
# Messages as Python values in and out, awaitable _async calls under
# gbulb's asyncio loop (and the clear error under a plain asyncio loop),
# get_synced_time's named result. Run like test_socket.py, with PYTHONPATH
# also leading to the override (libanysocket/python in the source tree).
# Prints TAP.

import asyncio
import sys

import gi
import tap
from test_socket import GiTestCase, LOOPBACK, NON_ASCII, WAIT_S, Pending

gi.require_version('Json', '1.0')
gi.require_version('AnySocket', '1')
from gi.repository import GLib, Json, AnySocket  # noqa: E402

try:
    import gbulb
except ImportError:          # python3-gbulb: .ci/setup --tests installs it
    gbulb = None


def glib_asyncio(coro_fn):
    """Runs the coroutine function under gbulb's loop (GLib's main context
    as the asyncio loop), with the test's deadline."""
    def run(self):
        if gbulb is None:
            self.skipTest('python3-gbulb is not installed')
        # The default main context: where the sockets of the test live.
        loop = gbulb.glib_events.GLibEventLoop(context=GLib.MainContext.default())
        try:
            loop.run_until_complete(asyncio.wait_for(coro_fn(self), 3 * WAIT_S))
        finally:
            loop.close()
    run.__name__ = coro_fn.__name__
    return run


class TestOverrides(GiTestCase):

    async def linked(self):
        """A client linked to a silent server, awaited: (client, its peer)."""
        server = self.new_socket()
        port = await server.listen_async(LOOPBACK)
        client = self.new_socket()
        return client, await client.connect_async('ws://127.0.0.1:%d' % port)

    def test_00_override_loaded(self):
        self.assertEqual(AnySocket.Peer.__module__, 'gi.overrides.AnySocket')
        self.assertEqual(AnySocket.to_json_node({'a': [1, 'b']}).get_object().get_array_member('a').get_length(), 2)
        self.assertIsNone(AnySocket.from_json_node(None))

    def test_01_messages_as_python_values(self):
        server, client, server_peer, client_peer = self.pair()
        got = []
        server.connect('message', lambda s, packet: got.append(packet))
        client_peer.send({'hello': 'world', 'text': NON_ASCII, 'n': [1, 2.5, None, True]})
        client_peer.send(Json.from_string('{"as": "node"}'))   # still accepted
        client_peer.send('just a string')
        self.wait(lambda: len(got) == 3, 'three messages')
        self.assertEqual(got[0].msg, {'hello': 'world', 'text': NON_ASCII, 'n': [1, 2.5, None, True]})
        self.assertEqual(got[1].msg, {'as': 'node'})
        self.assertEqual(got[2].msg, 'just a string')
        # The property and the C getter keep their Json.Node.
        self.assertIsInstance(got[0].props.msg, Json.Node)
        self.assertIsInstance(got[0].get_msg(), Json.Node)

    def test_02_request_and_reply_with_dicts(self):
        server, client, server_peer, client_peer = self.pair()
        server.connect('message', lambda s, packet: packet.reply({'echo': packet.msg}))
        pending = Pending()
        client_peer.request_async({'q': NON_ASCII}, 0, None, pending)
        self.wait(lambda: pending.done, 'the reply')
        self.assertEqual(client_peer.request_finish(pending.result).msg, {'echo': {'q': NON_ASCII}})
        # A Json.Node request, with the user_data argument of a callback.
        seen = []
        client_peer.request_async(Json.from_string('[1]'), 0, None,
                                  lambda peer, result, data: seen.append((data, peer.request_finish(result).msg)),
                                  'data')
        self.wait(lambda: seen, 'the second reply')
        self.assertEqual(seen, [('data', {'echo': [1]})])

    def test_03_broadcast_and_auth_data(self):
        server = self.new_socket()
        server.set_auth_data({'token': 't'})
        self.assertIsInstance(server.props.auth_data, Json.Node)
        self.assertEqual(AnySocket.from_json_node(server.get_auth_data()), {'token': 't'})
        port = self.listen(server)
        clients = [self.new_socket(), self.new_socket()]
        got = []
        for c in clients:
            c.connect('message', lambda s, packet: got.append(packet.msg))
            self.connect_to(c, port)
        self.wait(lambda: len(server.get_peers()) == 2, 'both clients at the server')
        server.broadcast({'all': True})
        self.wait(lambda: len(got) == 2, 'the broadcast at both clients')
        self.assertEqual(got, [{'all': True}] * 2)

    def test_04_rpc_with_python_values(self):
        server, client, server_peer, client_peer = self.pair()

        def add(sock, call):
            self.assertIsInstance(call.params, list)
            call.return_value({'sum': sum(call.params)})
            return True

        server.connect('rpc::math.add', add)
        pending = Pending()
        client_peer.call_async('math.add', [1, 2, 3.5], None, pending)
        self.wait(lambda: pending.done, 'the call')
        self.assertEqual(client_peer.call_finish(pending.result), {'sum': 6.5})

        call = AnySocket.RpcCall.new('math.add')
        call.add_param(40)
        call.add_param(Json.from_string('2'))
        pending = Pending()
        client_peer.invoke_async(call, 0, None, pending)
        self.wait(lambda: pending.done, 'the invoke')
        self.assertTrue(client_peer.invoke_finish(pending.result))
        self.assertEqual(call.result, {'sum': 42})

    def test_05_synced_time_named_result(self):
        server, client, server_peer, client_peer = self.pair()
        pending = Pending()
        client_peer.get_synced_time_async(None, pending)
        self.wait(lambda: pending.done, 'the synced time')
        synced = client_peer.get_synced_time_finish(pending.result)
        self.assertIsInstance(synced, AnySocket.SyncedTime)
        self.assertEqual(synced._fields, ('rtt', 'offset'))
        self.assertGreaterEqual(synced.rtt, 0)
        self.assertLess(abs(synced.offset), 1000)   # same host, same clock
        rtt, offset = synced
        self.assertEqual((rtt, offset), (synced.rtt, synced.offset))

    @glib_asyncio
    async def test_06_await_every_async_call(self):
        server = self.new_socket()
        server.connect('message', lambda s, packet: packet.reply({'echo': packet.msg}))
        server.connect('rpc::echo', lambda s, call: call.return_value(call.params) or True)
        server.connect('proxy-request', lambda hub, frm, target: True)
        port = await server.listen_async(LOOPBACK)
        self.assertGreater(port, 0)
        client = self.new_socket()
        peer = await client.connect_async('ws://127.0.0.1:%d' % port)
        self.assertIsInstance(peer, AnySocket.Peer)

        reply = await peer.request_async({'q': NON_ASCII}, 5000)
        self.assertEqual(reply.msg, {'echo': {'q': NON_ASCII}})
        self.assertEqual(await peer.call_async('echo', ['a', 1]), ['a', 1])
        call = AnySocket.RpcCall.new('echo')
        call.add_param({'x': 1})
        self.assertTrue(await peer.invoke_async(call, 5000))
        self.assertEqual(call.result, [{'x': 1}])
        synced = await peer.get_synced_time_async()
        self.assertIsInstance(synced, AnySocket.SyncedTime)
        self.assertGreaterEqual(synced.rtt, 0)

        # proxy_async through the server as a hub, to a third socket.
        third = self.new_socket()
        await third.connect_async('ws://127.0.0.1:%d' % port)
        proxied = await client.proxy_async(third.get_id(), peer)
        self.assertTrue(proxied.props.is_proxy)
        self.assertEqual(proxied.get_id(), third.get_id())

    @glib_asyncio
    async def test_07_await_raises_the_gerror(self):
        client, peer = await self.linked()
        # Nobody answers: the request times out with the library's error.
        with self.assertRaises(GLib.Error) as cm:
            await peer.request_async({'q': 1}, 100)
        self.assertAnyError(cm.exception, AnySocket.SocketError.TIMEOUT)
        with self.assertRaises(GLib.Error):
            await client.connect_async('not a uri')

    @glib_asyncio
    async def test_08_cancelling_the_future_cancels_the_call(self):
        client, peer = await self.linked()
        future = peer.request_async({'q': 1}, 0)
        self.assertIsInstance(future, asyncio.Future)
        await asyncio.sleep(0.05)
        future.cancel()
        with self.assertRaises(asyncio.CancelledError):
            await future
        # The link survives the cancelled request.
        await asyncio.sleep(0.05)
        self.assertTrue(peer.is_connected())

    def test_09_plain_asyncio_loop_is_a_clear_error(self):
        server = self.new_socket()

        async def listen():
            return server.listen_async(LOOPBACK)

        with self.assertRaises(RuntimeError) as cm:
            asyncio.run(listen())
        self.assertIn('gbulb', str(cm.exception))
        self.assertIn('listen_async', str(cm.exception))

    def test_10_no_callback_outside_asyncio_starts_the_call(self):
        # As PyGObject 3.42: started, its result dropped; nothing to await.
        server, client, server_peer, client_peer = self.pair()
        got = []
        server.connect('message', lambda s, packet: got.append(packet.msg))
        self.assertIsNone(client_peer.request_async({'q': 'no callback'}, 100))
        self.wait(lambda: got, 'the request at the server')
        self.assertEqual(got, [{'q': 'no callback'}])
        self.spin(0.2)      # its timeout passes unnoticed
        self.assertTrue(client_peer.is_connected())

    @glib_asyncio
    async def test_11_headers_and_cookies_awaited(self):
        # The client's headers and cookies in the server's authenticate-peer,
        # which refuses a wrong cookie; the old authenticate still runs.
        server = self.new_socket()
        seen = []

        def authenticate_peer(socket, peer, peer_id, auth):
            seen.append((peer_id, peer.get_request_cookie('session'),
                         peer.get_request_header('x-token'), peer.get_request_path()))
            return peer.get_request_cookie('session') == NON_ASCII
        server.connect('authenticate-peer', authenticate_peer)
        legacy = []
        server.connect('authenticate', lambda s, peer_id, auth: legacy.append(peer_id) or True)
        port = await server.listen_async(LOOPBACK)

        options = AnySocket.ConnectOptions.new()
        self.assertTrue(options.add_cookie('session', NON_ASCII))
        self.assertTrue(options.add_header('X-Token', 'py'))
        with self.assertRaises(GLib.Error) as cm:
            options.add_header('X-Bad', 'a\r\nInjected: 1')
        self.assertAnyError(cm.exception, AnySocket.SocketError.INVALID_ARGUMENT)
        client = self.new_socket()
        peer = await client.connect_with_options_async('ws://127.0.0.1:%d/py' % port, options)
        self.assertIsInstance(peer, AnySocket.Peer)
        self.assertEqual(seen, [(client.get_id(), NON_ASCII, 'py', '/py')])
        self.assertEqual(legacy, [client.get_id()])
        self.assertIsNone(peer.get_request_path())   # a peer we dialled

        wrong = AnySocket.ConnectOptions.new()
        wrong.add_cookie('session', 'guess')
        with self.assertRaises(GLib.Error) as cm:
            await self.new_socket().connect_with_options_async('ws://127.0.0.1:%d' % port, wrong)
        self.assertAnyError(cm.exception, AnySocket.SocketError.AUTH_FAILED)
        self.assertEqual(len(legacy), 1)
    async def test_12_broadcast_request_and_notify(self):
        server = self.new_socket()
        port = await server.listen_async(LOOPBACK)
        self.assertEqual((await server.broadcast_request_async({'q': 0})).get_n_items(), 0)
        notes = []
        clients = [self.new_socket(), self.new_socket()]
        for i, c in enumerate(clients):
            c.connect('message', lambda s, packet, i=i: packet.reply({'from': i, 'q': packet.msg['q']}))
            c.connect('rpc::note', lambda s, call: notes.append(call.params) or True)
            await c.connect_async('ws://127.0.0.1:%d' % port)
        self.wait(lambda: len(server.get_peers()) == 2, 'both clients at the server')
        model = await server.broadcast_request_async({'q': NON_ASCII}, 5000)
        replies = [model.get_item(i) for i in range(model.get_n_items())]
        self.assertEqual(len(replies), 2)
        self.assertIsInstance(replies[0], AnySocket.PeerReply)
        self.assertIsNone(replies[0].get_error())
        self.assertEqual(sorted(r.get_packet().msg['from'] for r in replies), [0, 1])
        self.assertEqual({r.props.peer_id for r in replies}, {c.get_id() for c in clients})
        for peer in server.get_peers():
            self.assertTrue(peer.notify('note', ['hi', 1]))
        self.wait(lambda: len(notes) == 2, 'both notifications')
        self.assertEqual(notes, [['hi', 1]] * 2)
        self.assertTrue(server.has_peer(clients[0].get_id()))
        self.assertTrue(server.has_direct_peer(clients[0].get_id()))
        self.assertEqual(server.get_peers()[0].get_links(), [])

    @glib_asyncio
    async def test_13_binary_messages(self):
        server, client, server_peer, client_peer = self.pair()
        got = []

        def on_message(sock, packet):
            if packet.data is not None and packet.data[:1] == b'R':
                packet.reply_bytes(packet.data[::-1])
            else:
                got.append(packet.data)

        server.connect('message', on_message)
        for body in (b'', b'\x00', bytes(range(256)) * 256):
            self.assertTrue(client_peer.send_bytes(body))
            self.wait(lambda: got, 'the binary message')
            self.assertEqual(got.pop(), body)
        self.assertTrue(client_peer.send_bytes(GLib.Bytes.new(b'\xff\xfe')))
        self.wait(lambda: got, 'the GLib.Bytes message')
        self.assertEqual(got.pop(), b'\xff\xfe')
        reply = await client_peer.send_bytes_request_async(bytearray(b'R\x00\x01\x02'), 5000)
        self.assertIsInstance(reply.get_bytes(), GLib.Bytes)
        self.assertEqual(reply.data, b'\x02\x01\x00R')
        self.assertIsNone(reply.msg)

    @glib_asyncio
    async def test_14_reconnecting_signal(self):
        server = self.new_socket()
        port = await server.listen_async(LOOPBACK)
        client = self.new_socket()
        options = AnySocket.ConnectOptions.new()
        options.props.reconnect = True
        options.props.reconnect_initial = 50
        options.props.reconnect_max = 100
        seen = []
        client.connect('reconnecting', lambda s, uri, peer_id, attempt, delay, reason:
                       seen.append((peer_id, attempt, delay, reason)))
        connected = []
        client.connect('connected', lambda s, peer: connected.append(peer))
        await client.connect_with_options_async('ws://127.0.0.1:%d' % port, options)
        for peer in server.get_peers():
            peer.close('later')
        self.wait(lambda: len(connected) == 2, 'the link dialled again')
        self.assertEqual(seen[0][:2], (server.get_id(), 1))
        self.assertLessEqual(seen[0][2], 50)
        self.assertEqual(seen[0][3], 'later')
        client.stop()

if __name__ == '__main__':
    sys.exit(tap.main(sys.modules[__name__]))
