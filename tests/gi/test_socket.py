#!/usr/bin/python3
# test_socket.py: libanysocket through GObject introspection (PyGObject)
#
# SPDX-License-Identifier: MIT
#
# Two (or three) AnySocket endpoints in this one process talk over
# ws://127.0.0.1 with port 0. PyGObject 3.42 has no awaitable async calls,
# so every async call takes a callback that stores its GAsyncResult and
# the test spins the default main context until it arrives. Every wait is
# bounded: a GLib timeout ends it and fails the test.
#
# Output is TAP (one line per test method), for meson's protocol: 'tap'.
# Run it with /usr/bin/python3 (the one with gi), GI_TYPELIB_PATH and
# LD_LIBRARY_PATH pointing at <builddir>/libanysocket.

import json
import sys
import time
import unittest

import gi
import tap

gi.require_version('GLib', '2.0')
gi.require_version('GObject', '2.0')
gi.require_version('Json', '1.0')
gi.require_version('AnySocket', '1')
from gi.repository import GLib, GObject, Json, AnySocket  # noqa: E402

WAIT_S = 5.0            # upper bound for anything that should be quick
LOOPBACK = 'ws://127.0.0.1:0'
NON_ASCII = 'h\u00e9llo w\u00f6rld \u2713 \u65e5\u672c\u8a9e \U0001F389 end'
ERROR_DOMAIN = 'any-socket-error-quark'
RPC_ERROR_DOMAIN = 'any-rpc-error-quark'


def node(value):
    """A Json.Node from a Python value."""
    return Json.from_string(json.dumps(value))


def value(json_node):
    """A Python value from a Json.Node (with the AnySocket override
    installed, call_finish() gives the Python value already)."""
    if not isinstance(json_node, Json.Node):
        return json_node
    return json.loads(Json.to_string(json_node, False))


def array(values):
    """A Json.Array from a Python list."""
    return node(values).get_array()


def array_value(json_array):
    """A Python list from a Json.Array."""
    return value(Json.Node.alloc().init_array(json_array))


class Pending:
    """Collects the GAsyncResult of one _async call."""

    def __init__(self):
        self.result = None
        self.source = None

    def __call__(self, source, result, *user_data):
        self.source = source
        self.result = result

    @property
    def done(self):
        return self.result is not None


class GiTestCase(unittest.TestCase):

    def setUp(self):
        self.sockets = []

    def tearDown(self):
        for sock in self.sockets:
            sock.stop()
        # Let the closes go out and the servers go away.
        self.spin(0.05)
        self.sockets = []

    # Main loop helpers

    def spin(self, seconds):
        """Runs the default main context for about @seconds."""
        expired = []
        source = GLib.timeout_add(int(seconds * 1000), lambda: expired.append(1) or False)
        ctx = GLib.MainContext.default()
        while not expired:
            ctx.iteration(True)
        del source

    def wait(self, cond, what, timeout=WAIT_S):
        """Runs the default main context until cond() is true; fails after
        @timeout seconds."""
        if cond():
            return
        expired = []

        def on_timeout():
            expired.append(True)
            return GLib.SOURCE_REMOVE

        source_id = GLib.timeout_add(int(timeout * 1000), on_timeout)
        ctx = GLib.MainContext.default()
        try:
            while not cond() and not expired:
                ctx.iteration(True)
        finally:
            if not expired:
                GLib.source_remove(source_id)
        if not cond():
            self.fail('timed out after %.1f s waiting for %s' % (timeout, what))

    # AnySocket helpers

    def new_socket(self, **props):
        sock = AnySocket.Socket.new()
        for name, val in props.items():
            sock.set_property(name.replace('_', '-'), val)
        self.sockets.append(sock)
        return sock

    def listen(self, sock, uri=LOOPBACK):
        pending = Pending()
        sock.listen_async(uri, None, pending)
        self.wait(lambda: pending.done, 'listen_async on ' + uri)
        port = sock.listen_finish(pending.result)
        self.assertGreater(port, 0)
        self.assertLess(port, 65536)
        return port

    def start_connect(self, sock, port):
        pending = Pending()
        sock.connect_async('ws://127.0.0.1:%d' % port, None, pending)
        return pending

    def connect_to(self, sock, port):
        pending = self.start_connect(sock, port)
        self.wait(lambda: pending.done, 'connect_async to port %d' % port)
        peer = sock.connect_finish(pending.result)
        self.assertIsInstance(peer, AnySocket.Peer)
        return peer

    def pair(self, **props):
        """A listening server and a client connected to it; returns
        (server, client, server's peer for the client, client's peer for
        the server)."""
        server = self.new_socket(**props)
        client = self.new_socket(**props)
        connected = []
        handler = server.connect('connected', lambda s, p: connected.append(p))
        port = self.listen(server)
        client_peer = self.connect_to(client, port)
        self.wait(lambda: connected, 'the server\'s connected signal')
        server.disconnect(handler)
        return server, client, connected[0], client_peer

    def assertAnyError(self, error, code):
        self.assertIsInstance(error, GLib.Error)
        self.assertEqual(error.domain, ERROR_DOMAIN)
        self.assertEqual(error.domain,
                         GLib.quark_to_string(AnySocket.socket_error_quark()))
        self.assertEqual(error.code, int(code),
                         'expected %s, got %d: %s' % (code, error.code, error.message))
        self.assertTrue(error.matches(AnySocket.socket_error_quark(), code))


class TestSocket(GiTestCase):

    def test_00_types(self):
        self.assertTrue(issubclass(AnySocket.Socket, GObject.Object))
        self.assertTrue(issubclass(AnySocket.Peer, GObject.Object))
        self.assertTrue(issubclass(AnySocket.Packet, GObject.Object))
        self.assertEqual(GLib.quark_to_string(AnySocket.socket_error_quark()), ERROR_DOMAIN)
        self.assertEqual(AnySocket.SocketError.quark(), AnySocket.socket_error_quark())
        self.assertEqual(int(AnySocket.SocketError.TIMEOUT), 2)
        self.assertEqual(int(AnySocket.SocketError.AUTH_FAILED), 4)
        sock = AnySocket.Socket.new()
        self.assertRegex(sock.get_id(), r'^[0-9a-f]{32}$')
        self.assertEqual(sock.props.id, sock.get_id())
        self.assertNotEqual(AnySocket.Socket.new().get_id(), sock.get_id())
        self.assertEqual(sock.props.reply_timeout, 30000)
        self.assertEqual(sock.props.heartbeat_interval, 5000)
        self.assertIsNone(sock.props.auth_data)
        self.assertFalse(sock.props.permessage_deflate)

    def test_01_listen_and_connect(self):
        server = self.new_socket()
        client = self.new_socket()
        server_connected, client_connected = [], []
        server.connect('connected', lambda s, p: server_connected.append((s, p)))
        client.connect('connected', lambda s, p: client_connected.append((s, p)))

        port = self.listen(server)
        pending = self.start_connect(client, port)
        self.wait(lambda: pending.done, 'connect_async')
        # connected is emitted before the callback runs.
        self.assertEqual(len(client_connected), 1)
        peer = client.connect_finish(pending.result)
        self.assertIs(client_connected[0][0], client)
        self.assertIs(client_connected[0][1], peer)

        self.wait(lambda: server_connected, 'the server\'s connected signal')
        self.assertEqual(len(server_connected), 1)
        server_peer = server_connected[0][1]

        self.assertEqual(peer.get_id(), server.get_id())
        self.assertEqual(peer.props.id, server.get_id())
        self.assertEqual(server_peer.get_id(), client.get_id())
        self.assertTrue(peer.is_connected())
        self.assertTrue(server_peer.is_connected())
        self.assertIs(peer.get_socket(), client)
        self.assertIs(server_peer.get_socket(), server)
        self.assertRegex(peer.get_connection_id(), r'^[0-9a-f]{32}$')
        self.assertEqual(peer.get_remote_address(), '127.0.0.1:%d' % port)
        self.assertTrue(server_peer.props.remote_address.startswith('127.0.0.1:'))

    def test_02_connect_refused_port(self):
        # Listen, learn a free port, stop: nobody listens there any more.
        server = self.new_socket()
        port = self.listen(server)
        server.stop()
        client = self.new_socket()
        pending = self.start_connect(client, port)
        self.wait(lambda: pending.done, 'connect_async to a closed port')
        with self.assertRaises(GLib.Error):
            client.connect_finish(pending.result)

    def test_03_invalid_uri(self):
        sock = self.new_socket()
        pending = Pending()
        sock.listen_async('http://127.0.0.1:0', None, pending)
        self.wait(lambda: pending.done, 'listen_async with a bad URI')
        with self.assertRaises(GLib.Error) as cm:
            sock.listen_finish(pending.result)
        self.assertAnyError(cm.exception, AnySocket.SocketError.INVALID_URI)

    def test_04_messages_both_ways(self):
        server, client, server_peer, client_peer = self.pair()
        order = []
        server_msgs, client_msgs = [], []
        server_peer.connect('message', lambda p, pkt: order.append('peer'))
        server.connect('message', lambda s, pkt: (order.append('socket'), server_msgs.append(pkt)))
        client.connect('message', lambda s, pkt: client_msgs.append(pkt))

        sent = {'text': NON_ASCII, 'n': [1, 2.5, None, True], 'nested': {'\u00e4': '\u00df'}}
        self.assertTrue(client_peer.send(node(sent)))
        self.wait(lambda: server_msgs, 'a message at the server')
        pkt = server_msgs[0]
        self.assertIsInstance(pkt, AnySocket.Packet)
        self.assertEqual(value(pkt.get_msg()), sent)
        self.assertEqual(value(pkt.props.msg), sent)
        self.assertIs(pkt.get_peer(), server_peer)
        self.assertFalse(pkt.is_reply())
        self.assertGreater(pkt.get_seq(), 0)
        self.assertEqual(order, ['peer', 'socket'])

        # And back, a bare string and a bare number as JSON values.
        self.assertTrue(server_peer.send(node(NON_ASCII)))
        self.assertTrue(server_peer.send(node(42)))
        self.wait(lambda: len(client_msgs) == 2, 'two messages at the client')
        self.assertEqual(value(client_msgs[0].get_msg()), NON_ASCII)
        self.assertEqual(value(client_msgs[1].get_msg()), 42)
        self.assertIs(client_msgs[0].get_peer(), client_peer)

    def test_05_request_reply(self):
        server, client, server_peer, client_peer = self.pair()

        def on_message(sock, pkt):
            msg = value(pkt.get_msg())
            pkt.reply(node({'echo': msg, 'by': 'server \u2713'}))

        server.connect('message', on_message)
        pending = Pending()
        client_peer.request_async(node({'q': NON_ASCII}), 0, None, pending)
        self.wait(lambda: pending.done, 'the reply')
        reply = client_peer.request_finish(pending.result)
        self.assertIsInstance(reply, AnySocket.Packet)
        self.assertTrue(reply.is_reply())
        self.assertLess(reply.get_seq(), 0)
        self.assertIs(reply.get_peer(), client_peer)
        self.assertEqual(value(reply.get_msg()), {'echo': {'q': NON_ASCII}, 'by': 'server \u2713'})

        # A reply cannot be replied to.
        with self.assertRaises(GLib.Error) as cm:
            reply.reply(node('no'))
        self.assertAnyError(cm.exception, AnySocket.SocketError.INVALID_ARGUMENT)

        # Several in flight at once, answered in any order.
        pendings = []
        for i in range(5):
            p = Pending()
            client_peer.request_async(node({'i': i}), 0, None, p)
            pendings.append(p)
        self.wait(lambda: all(p.done for p in pendings), 'five replies')
        for i, p in enumerate(pendings):
            self.assertEqual(value(client_peer.request_finish(p.result).get_msg())['echo'], {'i': i})

    def test_06_request_timeout(self):
        server, client, server_peer, client_peer = self.pair()
        received = []
        server.connect('message', lambda s, pkt: received.append(pkt))  # never replies

        pending = Pending()
        start = time.monotonic()
        client_peer.request_async(node({'q': 'anyone?'}), 200, None, pending)
        self.wait(lambda: pending.done, 'the request to time out')
        elapsed = time.monotonic() - start
        with self.assertRaises(GLib.Error) as cm:
            client_peer.request_finish(pending.result)
        self.assertAnyError(cm.exception, AnySocket.SocketError.TIMEOUT)
        self.assertGreaterEqual(elapsed, 0.15)
        self.assertLess(elapsed, 3.0)
        self.assertEqual(len(received), 1)
        # The peer stays connected, and a late reply is dropped.
        self.assertTrue(client_peer.is_connected())
        received[0].reply(node('too late'))
        self.assertTrue(client_peer.send(node('still here')))
        got = []
        server.connect('message', lambda s, pkt: got.append(value(pkt.get_msg())))
        self.wait(lambda: got, 'a message after the timeout')
        self.assertEqual(got, ['still here'])

    def test_07_request_to_disconnected_peer(self):
        server, client, server_peer, client_peer = self.pair()
        pending = Pending()
        client_peer.request_async(node('q'), 5000, None, pending)
        server_peer.close('going away')
        self.wait(lambda: pending.done, 'the request to fail')
        with self.assertRaises(GLib.Error) as cm:
            client_peer.request_finish(pending.result)
        self.assertAnyError(cm.exception, AnySocket.SocketError.DISCONNECTED)
        with self.assertRaises(GLib.Error) as cm:
            client_peer.send(node('x'))
        self.assertAnyError(cm.exception, AnySocket.SocketError.DISCONNECTED)

    def test_08_heartbeat_and_lag(self):
        server, client, server_peer, client_peer = self.pair()
        self.assertEqual(client_peer.get_lag(), -1)
        socket_beats, peer_beats, lag_notify = [], [], []
        client.connect('heartbeat', lambda s, p: socket_beats.append(p))
        client_peer.connect('heartbeat', lambda p: peer_beats.append(p.get_lag()))
        client_peer.connect('notify::lag', lambda p, pspec: lag_notify.append(p.props.lag))
        server_beats = []
        server.connect('heartbeat', lambda s, p: server_beats.append(p))

        # Connected peers follow the new interval at once.
        client.props.heartbeat_interval = 100
        server.set_heartbeat_interval(100)
        self.assertEqual(client.get_heartbeat_interval(), 100)
        self.wait(lambda: socket_beats and peer_beats and server_beats, 'heartbeats')
        self.assertIs(socket_beats[0], client_peer)
        self.assertIs(server_beats[0], server_peer)
        self.assertGreaterEqual(client_peer.get_lag(), 0)
        self.assertGreaterEqual(client_peer.props.lag, 0)
        self.assertGreaterEqual(peer_beats[0], 0)
        self.assertGreaterEqual(server_peer.get_lag(), 0)
        self.assertTrue(lag_notify)
        # The heartbeat keeps a quiet link alive.
        self.spin(0.5)
        self.assertTrue(client_peer.is_connected())
        self.assertGreaterEqual(len(socket_beats), 2)

    def test_09_heartbeat_from_the_start(self):
        server, client, server_peer, client_peer = self.pair(heartbeat_interval=100)
        beats = []
        client.connect('heartbeat', lambda s, p: beats.append(p.get_lag()))
        self.wait(lambda: beats, 'a heartbeat')
        self.assertGreaterEqual(beats[0], 0)

    def test_10_disconnected_signals(self):
        server, client, server_peer, client_peer = self.pair()
        events = []
        client_peer.connect('disconnected', lambda p, r: events.append(('client peer', r)))
        client.connect('disconnected', lambda s, p, r: events.append(('client socket', r, p)))
        server_peer.connect('disconnected', lambda p, r: events.append(('server peer', r)))
        server.connect('disconnected', lambda s, p, r: events.append(('server socket', r, p)))

        # any_peer_disconnect() is skipped for bindings, so GObject's
        # disconnect(handler_id) is not hidden; any_peer_close() closes.
        removed = client_peer.connect('disconnected', lambda p, r: events.append('removed'))
        client_peer.disconnect(removed)
        self.assertIs(AnySocket.Peer.disconnect, GObject.Object.disconnect)
        client_peer.close('bye \u2713')
        # Emitted before close() returns, peer before socket.
        self.assertEqual(events[:2], [('client peer', 'bye \u2713'),
                                      ('client socket', 'bye \u2713', client_peer)])
        self.assertFalse(client_peer.is_connected())
        self.assertEqual(client.get_peers(), [])
        self.wait(lambda: len(events) == 4, 'the server to see the disconnection')
        # The reason travels in the close frame.
        self.assertEqual(events[2:], [('server peer', 'bye \u2713'),
                                      ('server socket', 'bye \u2713', server_peer)])
        self.assertEqual(server.get_peers(), [])
        # Once only.
        client_peer.close('again')
        self.spin(0.05)
        self.assertEqual(len(events), 4)

    def test_11_auth_accepted(self):
        server = self.new_socket()
        client = self.new_socket()
        client.props.auth_data = node({'token': 's\u00e9cret', 'n': 1})
        self.assertEqual(value(client.get_auth_data()), {'token': 's\u00e9cret', 'n': 1})
        seen_by_server, seen_by_client = [], []

        def server_auth(sock, peer_id, auth):
            seen_by_server.append((peer_id, None if auth is None else value(auth)))
            return auth is not None and value(auth).get('token') == 's\u00e9cret'

        def client_auth(sock, peer_id, auth):
            seen_by_client.append((peer_id, auth))
            return True

        server.connect('authenticate', server_auth)
        client.connect('authenticate', client_auth)
        port = self.listen(server)
        peer = self.connect_to(client, port)
        self.assertEqual(peer.get_id(), server.get_id())
        self.wait(lambda: server.get_peers(), 'the server\'s peer')
        self.assertEqual(seen_by_server, [(client.get_id(), {'token': 's\u00e9cret', 'n': 1})])
        # The server sent no auth-data: the client's handler gets None.
        self.assertEqual(seen_by_client, [(server.get_id(), None)])

    def test_12_auth_refused(self):
        server = self.new_socket()
        client = self.new_socket()
        client.set_auth_data(node({'token': 'wrong'}))
        server_connected, client_connected = [], []
        server.connect('connected', lambda s, p: server_connected.append(p))
        client.connect('connected', lambda s, p: client_connected.append(p))
        server.connect('authenticate',
                       lambda s, peer_id, auth: value(auth) == {'token': 'right'})
        port = self.listen(server)

        pending = self.start_connect(client, port)
        self.wait(lambda: pending.done, 'the refused connect')
        with self.assertRaises(GLib.Error) as cm:
            client.connect_finish(pending.result)
        self.assertAnyError(cm.exception, AnySocket.SocketError.AUTH_FAILED)
        self.spin(0.1)
        self.assertEqual(server_connected, [])
        self.assertEqual(client_connected, [])
        self.assertEqual(server.get_peers(), [])
        self.assertEqual(client.get_peers(), [])

        # The right token gets in.
        client.props.auth_data = node({'token': 'right'})
        peer = self.connect_to(client, port)
        self.assertTrue(peer.is_connected())

    def test_13_auth_refused_by_client(self):
        server = self.new_socket()
        client = self.new_socket()
        client.connect('authenticate', lambda s, peer_id, auth: False)
        port = self.listen(server)
        pending = self.start_connect(client, port)
        self.wait(lambda: pending.done, 'the refused connect')
        with self.assertRaises(GLib.Error) as cm:
            client.connect_finish(pending.result)
        self.assertAnyError(cm.exception, AnySocket.SocketError.AUTH_FAILED)

    def test_14_get_peers_and_broadcast(self):
        server = self.new_socket()
        clients = [self.new_socket(), self.new_socket()]
        port = self.listen(server)
        client_peers = [self.connect_to(c, port) for c in clients]
        self.wait(lambda: len(server.get_peers()) == 2, 'two peers at the server')

        peers = server.get_peers()
        self.assertEqual(sorted(p.get_id() for p in peers),
                         sorted(c.get_id() for c in clients))
        for c in clients:
            peer = server.get_peer(c.get_id())
            self.assertIsNotNone(peer)
            self.assertIn(peer, peers)
            self.assertEqual(peer.get_id(), c.get_id())
        self.assertIsNone(server.get_peer('0' * 32))
        self.assertEqual([p.get_id() for p in clients[0].get_peers()], [server.get_id()])
        self.assertIs(clients[0].get_peer(server.get_id()), client_peers[0])

        got = {c.get_id(): [] for c in clients}
        for c in clients:
            c.connect('message', lambda s, pkt: got[s.get_id()].append(value(pkt.get_msg())))
        server.broadcast(node({'to': 'all', 'text': NON_ASCII}))
        self.wait(lambda: all(got.values()), 'the broadcast at both clients')
        for msgs in got.values():
            self.assertEqual(msgs, [{'to': 'all', 'text': NON_ASCII}])

    def test_15_stop(self):
        server = self.new_socket()
        clients = [self.new_socket(), self.new_socket()]
        port = self.listen(server)
        client_peers = [self.connect_to(c, port) for c in clients]
        self.wait(lambda: len(server.get_peers()) == 2, 'two peers at the server')
        server_peers = server.get_peers()

        server_side, peer_side, client_side = [], [], []
        server.connect('disconnected', lambda s, p, r: server_side.append((p.get_id(), r)))
        for p in server_peers:
            p.connect('disconnected', lambda p, r: peer_side.append((p.get_id(), r)))
        for c in clients:
            c.connect('disconnected', lambda s, p, r: client_side.append((s.get_id(), r)))

        server.stop()
        # Emitted during stop().
        self.assertEqual(sorted(server_side),
                         sorted((c.get_id(), 'Socket stopped') for c in clients))
        self.assertEqual(sorted(peer_side), sorted(server_side))
        self.assertEqual(server.get_peers(), [])
        for p in server_peers:
            self.assertFalse(p.is_connected())
            with self.assertRaises(GLib.Error) as cm:
                p.send(node('x'))
            self.assertAnyError(cm.exception, AnySocket.SocketError.DISCONNECTED)
        # The clients hear it with the same reason (close frame).
        self.wait(lambda: len(client_side) == 2, 'the clients to see the stop')
        self.assertEqual(sorted(client_side),
                         sorted((c.get_id(), 'Socket stopped') for c in clients))
        for p in client_peers:
            self.assertFalse(p.is_connected())

        # Stopped means not listening any more...
        late = self.new_socket()
        pending = self.start_connect(late, port)
        self.wait(lambda: pending.done, 'a connect to the stopped socket')
        with self.assertRaises(GLib.Error):
            late.connect_finish(pending.result)
        # ...but the socket can listen and connect again.
        port2 = self.listen(server)
        peer = self.connect_to(clients[0], port2)
        self.assertEqual(peer.get_id(), server.get_id())

    def test_16_stop_fails_pending_connect(self):
        server = self.new_socket()
        client = self.new_socket()
        port = self.listen(server)
        pending = self.start_connect(client, port)
        client.stop()
        self.wait(lambda: pending.done, 'the connect to fail')
        with self.assertRaises(GLib.Error):
            client.connect_finish(pending.result)
        self.assertEqual(client.get_peers(), [])

    # RPC

    def call(self, peer, method, params=None):
        """any_peer_call_async() and _finish(): the result as a Python
        value; a GLib.Error raises."""
        pending = Pending()
        peer.call_async(method, array(params) if params is not None else None, None, pending)
        self.wait(lambda: pending.done, 'the answer to ' + method)
        return value(peer.call_finish(pending.result))

    def assertRpcError(self, error, code, message):
        self.assertIsInstance(error, GLib.Error)
        self.assertEqual(error.domain, RPC_ERROR_DOMAIN)
        self.assertEqual(error.code, int(code))
        self.assertTrue(error.matches(AnySocket.rpc_error_quark(), code))
        self.assertEqual(error.message, message)

    def test_17_rpc_value(self):
        server, client, server_peer, client_peer = self.pair()
        seen = []

        def add(sock, call):
            seen.append((sock, call.get_method(), call.get_peer(), call.get_wants_reply()))
            call.return_value(node(sum(array_value(call.get_params()))))
            return True

        def echo(sock, call):
            call.return_value(node(array_value(call.get_params())))
            return True

        server.connect('rpc::math.add', add)
        server.connect('rpc::echo', echo)
        self.assertEqual(self.call(client_peer, 'math.add', [2, 40]), 42)
        self.assertEqual(seen, [(server, 'math.add', server_peer, True)])
        sent = [NON_ASCII, {'n': [1, 2.5, None, True]}]
        self.assertEqual(self.call(client_peer, 'echo', sent), sent)
        self.assertEqual(self.call(client_peer, 'echo'), [])

        # Completed later, from the main loop: keep the call meanwhile.
        def later(sock, call):
            GLib.timeout_add(30, lambda: call.return_value(node('later \u2713')) or False)
            return True

        server.connect('rpc::later', later)
        self.assertEqual(self.call(client_peer, 'later'), 'later \u2713')

        # A generic handler sees every method, the detail in get_method().
        generic = []

        def any_method(sock, call):
            generic.append(call.get_method())
            if call.get_method() != 'generic.one':
                return False
            call.return_value(node('generic'))
            return True

        server.connect('rpc', any_method)
        self.assertEqual(self.call(client_peer, 'generic.one'), 'generic')
        # Handlers run in the order they were connected, until one takes
        # the call: math.add's own, connected first, keeps it from the
        # generic one.
        self.assertEqual(self.call(client_peer, 'math.add', [1, 1]), 2)
        self.assertEqual(generic, ['generic.one'])

    def test_18_rpc_bytes(self):
        server, client, server_peer, client_peer = self.pair()

        def reverse(sock, call):
            self.assertIsNone(call.get_param_bytes(1))
            self.assertEqual(array_value(call.get_params())[1], 'label')
            call.return_bytes(GLib.Bytes.new(call.get_param_bytes(0).get_data()[::-1]))
            return True

        server.connect('rpc::bytes.reverse', reverse)
        for data in (b'', b'\x00\x01\xfe\xff', bytes(range(256)) * 4000):
            call = AnySocket.RpcCall.new('bytes.reverse')
            call.add_bytes_param(GLib.Bytes.new(data))
            call.add_param(node('label'))
            pending = Pending()
            client_peer.invoke_async(call, 0, None, pending)
            self.wait(lambda: pending.done, 'the reversed bytes')
            self.assertTrue(client_peer.invoke_finish(pending.result))
            self.assertEqual(call.get_result_bytes().get_data(), data[::-1])
            self.assertIs(call.get_peer(), client_peer)
        # Through call_async() a binary result is its base64.
        server.connect('rpc::bytes.make', lambda sock, call: call.return_bytes(GLib.Bytes.new(b'\x00\x01\x02\xff')) or True)
        self.assertEqual(self.call(client_peer, 'bytes.make'), 'AAEC/w==')

    def test_19_rpc_errors(self):
        server, client, server_peer, client_peer = self.pair()

        def fail(sock, call):
            call.return_error_literal('nope \u2713')
            return True

        def fail_gerror(sock, call):
            call.return_error(GLib.Error.new_literal(GLib.quark_from_string('test-error'), 'disk full', 3))
            return True

        server.connect('rpc::fail', fail)
        server.connect('rpc::fail.gerror', fail_gerror)
        server.connect('rpc::drop', lambda sock, call: True)
        with self.assertRaises(GLib.Error) as cm:
            self.call(client_peer, 'fail')
        self.assertRpcError(cm.exception, AnySocket.RpcError.FAILED, "nope \u2713 (method: 'fail')")
        with self.assertRaises(GLib.Error) as cm:
            self.call(client_peer, 'fail.gerror')
        self.assertRpcError(cm.exception, AnySocket.RpcError.FAILED, "disk full (method: 'fail,gerror')")
        with self.assertRaises(GLib.Error) as cm:
            self.call(client_peer, 'no.such', [1])
        self.assertRpcError(cm.exception, AnySocket.RpcError.NOT_FOUND,
                            "Method not found! (method: 'no,such')")
        # A handler that takes the call and lets it go: answered at once.
        start = time.monotonic()
        with self.assertRaises(GLib.Error) as cm:
            self.call(client_peer, 'drop')
        self.assertRpcError(cm.exception, AnySocket.RpcError.FAILED,
                            "RPC handler returned no result (method: 'drop')")
        self.assertLess(time.monotonic() - start, 2.0)
        self.assertEqual(int(AnySocket.RpcError.NOT_FOUND), 404)
        self.assertEqual(AnySocket.RpcError.quark(), AnySocket.rpc_error_quark())
        self.assertTrue(client_peer.is_connected())

    def test_20_e2e_fingerprints(self):
        server, client, server_peer, client_peer = self.pair()
        seen = []
        server.connect('verify-peer', lambda sock, peer, fp: seen.append(fp) or True)
        switched = []
        client.connect('e2e', lambda sock, peer: switched.append(peer))
        self.assertEqual(client_peer.get_e2e_mode(), AnySocket.E2eMode.NONE)
        self.assertIsNone(client_peer.dup_remote_fingerprint())
        client_peer.e2e()
        self.wait(lambda: switched and server_peer.props.e2e_mode == AnySocket.E2eMode.NATIVE,
                  'both ends encrypted')
        self.assertIs(switched[0], client_peer)
        self.assertEqual(client_peer.props.e2e_mode, AnySocket.E2eMode.NATIVE)
        own = client.dup_fingerprint()
        self.assertRegex(own, r'^\d{5}( \d{5}){11}$')
        self.assertEqual(seen, [own])
        self.assertEqual(server_peer.dup_remote_fingerprint(), own)
        self.assertEqual(client_peer.dup_remote_fingerprint(), server.dup_fingerprint())
        got = []
        server.connect('message', lambda sock, packet: got.append(value(packet.props.msg)))
        client_peer.send(node({'secret': NON_ASCII}))
        self.wait(lambda: got, 'an encrypted message')
        self.assertEqual(got, [{'secret': NON_ASCII}])

    def test_21_proxy(self):
        hub = self.new_socket()
        alice = self.new_socket()
        bob = self.new_socket()
        requests = []

        def allow(hub_socket, frm, target_id):
            requests.append((frm.get_id(), target_id))
            return True

        hub.connect('proxy-request', allow)
        port = self.listen(hub)
        alice_hub = self.connect_to(alice, port)
        bob_connected = []
        bob.connect('connected', lambda sock, peer: bob_connected.append(peer))
        self.connect_to(bob, port)

        pending = Pending()
        alice.proxy_async(bob.get_id(), alice_hub, None, pending)
        self.wait(lambda: pending.done, 'proxy_async')
        to_bob = alice.proxy_finish(pending.result)
        self.assertEqual(requests, [(alice.get_id(), bob.get_id())])
        self.assertTrue(to_bob.is_proxy())
        self.assertTrue(to_bob.props.is_proxy)
        self.assertIs(to_bob.props.via, alice_hub)
        self.assertEqual(to_bob.get_id(), bob.get_id())
        self.wait(lambda: len(bob_connected) == 2, "bob's proxied peer")
        to_alice = bob_connected[1]
        self.assertTrue(to_alice.props.is_proxy)

        to_bob.e2e()
        got = []
        bob.connect('message', lambda sock, packet: got.append(value(packet.props.msg)))
        to_bob.send(node({'text': NON_ASCII}))
        self.wait(lambda: got, 'a message through the hub')
        self.assertEqual(got, [{'text': NON_ASCII}])
        self.assertEqual(to_bob.props.e2e_mode, AnySocket.E2eMode.NATIVE)

        # Refused: a GLib.Error with the PROXY_REFUSED code.
        hub.disconnect_by_func(allow)
        carol = self.new_socket()
        self.connect_to(carol, port)
        pending = Pending()
        alice.proxy_async(carol.get_id(), alice_hub, None, pending)
        self.wait(lambda: pending.done, 'a refused proxy_async')
        with self.assertRaises(GLib.Error) as cm:
            alice.proxy_finish(pending.result)
        self.assertAnyError(cm.exception, AnySocket.SocketError.PROXY_REFUSED)

        gone = []
        to_alice.connect('disconnected', lambda peer, reason: gone.append(reason))
        to_bob.close('bye')
        self.wait(lambda: gone, "bob's end of the proxied link to close")
        self.assertEqual(gone, ['Proxy Connection Closed'])

    def test_22_http_and_ws_protocols(self):
        gi.require_version('Soup', '3.0')
        from gi.repository import Soup

        server = self.new_socket(ws_protocols=['v2', 'v1'])
        self.assertEqual(list(server.props.ws_protocols), ['v2', 'v1'])
        held = []

        def on_request(sock, request):
            if request.get_path() != '/py':
                return False
            held.append((request.get_method(), request.get_query_param('x'),
                         request.get_header('x-py'), request.get_cookie('c'),
                         request.get_body().get_data()))
            # Answered later, from a timeout, with the request kept.
            GLib.timeout_add(50, lambda: request.respond(
                202, 'text/plain', GLib.Bytes.new('d\u00e9j\u00e0'.encode())) or False)
            return True

        server.connect('http-request', on_request)
        port = self.listen(server)
        session = Soup.Session()

        def fetch(method, path, body=None):
            msg = Soup.Message.new(method, 'http://127.0.0.1:%d%s' % (port, path))
            msg.get_request_headers().append('X-Py', 'yes')
            msg.get_request_headers().append('Cookie', 'a=1; c=two')
            if body is not None:
                msg.set_request_body_from_bytes('text/plain', GLib.Bytes.new(body))
            pending = Pending()
            session.send_and_read_async(msg, GLib.PRIORITY_DEFAULT, None, pending)
            self.wait(lambda: pending.done, method + ' ' + path)
            data = session.send_and_read_finish(pending.result).get_data()
            return msg.get_status(), data

        status, data = fetch('POST', '/py?x=%C3%A9', b'body!')
        self.assertEqual(status, 202)
        self.assertEqual(data.decode(), 'd\u00e9j\u00e0')
        self.assertEqual(held, [('POST', '\u00e9', 'yes', 'two', b'body!')])
        self.assertEqual(fetch('GET', '/elsewhere')[0], 404)

        # A client offering v1 is accepted; one offering only v0 is not.
        client = self.new_socket(ws_protocols=['v1'])
        self.connect_to(client, port)
        refused = self.new_socket(ws_protocols=['v0'])
        pending = self.start_connect(refused, port)
        self.wait(lambda: pending.done, 'a refused connect')
        with self.assertRaises(GLib.Error) as cm:
            refused.connect_finish(pending.result)
        self.assertIn('400', cm.exception.message)


if __name__ == '__main__':
    sys.exit(tap.main(sys.modules[__name__]))
