# AnySocket.py: the PyGObject override of the AnySocket namespace
#
# SPDX-License-Identifier: MIT
#
# Installed into gi/overrides of the Python installation (as libdex ships
# Dex.py), so that `from gi.repository import AnySocket` gets it. It adds,
# without taking anything away:
#
# * messages as Python values: send(), request_async(), Packet.reply(),
#   broadcast(), broadcast_request_async(), set_auth_data(), call_async()
#   and notify() params, RpcCall.add_param()
#   and return_value() take dicts, lists, str, numbers, bools and None (a
#   Json.Node or Json.Array is still accepted); Packet.msg, RpcCall.params
#   and RpcCall.result, and call_finish() give Python values back
#   (Packet.props.msg and the get_*() methods still give the Json types).
# * awaitable async calls: an _async method called without a callback
#   inside a running asyncio loop returns an asyncio Future, completed with
#   its _finish result or its GLib.Error, as PyGObject >= 3.50 does
#   (Debian 12 has 3.42). The asyncio loop must run GLib's main context,
#   which is where libanysocket's sockets live: python3-gbulb's loop
#   (gbulb.install() before asyncio.run()). Under any other asyncio loop
#   the call raises RuntimeError at once rather than a Future that never
#   completes. Cancelling the Future cancels the call. Without a running
#   asyncio loop and without a callback, the call is started and its result
#   dropped, as PyGObject 3.42 does.
# * get_synced_time_finish() (and its awaitable) gives a SyncedTime named
#   tuple (rtt, offset), in milliseconds.

import asyncio
import collections
import json

from ..module import get_introspection_module
from ..overrides import override
from gi.repository import Gio, GLib, Json

AnySocket = get_introspection_module('AnySocket')

__all__ = ['SyncedTime', 'to_json_node', 'from_json_node']


SyncedTime = collections.namedtuple('SyncedTime', ['rtt', 'offset'])
SyncedTime.__doc__ = '''The result of Peer.get_synced_time_finish(): the round trip time
(rtt, int) and the offset to add to the local clock to get the peer's
(offset, float), both in milliseconds.'''


def to_json_node(value):
    """A Json.Node from a Python value (a Json.Node is returned as is)."""
    if isinstance(value, Json.Node):
        return value
    if isinstance(value, Json.Array):
        return Json.Node.alloc().init_array(value)
    if isinstance(value, Json.Object):
        return Json.Node.alloc().init_object(value)
    # json.dumps refuses what JSON cannot carry (sets, bytes, NaN is let
    # through by Python but refused by json-glib's parser).
    return Json.from_string(json.dumps(value, allow_nan=False))


def from_json_node(node):
    """A Python value from a Json.Node (None from None)."""
    if node is None:
        return None
    return json.loads(Json.to_string(node, False))


def _to_json_array(values):
    if values is None or isinstance(values, Json.Array):
        return values
    return to_json_node(list(values)).get_array()


def _drives_glib(loop):
    """Whether this asyncio loop runs GLib's main context: gbulb's, or
    PyGObject's own (gi.events, from 3.50)."""
    module = type(loop).__module__
    return module.split('.')[0] == 'gbulb' or module.startswith('gi.events')


def _start(obj, name, begin, cancellable, callback, user_data, finish_name=None):
    """Starts an _async call: begin(cancellable, callback, *user_data)
    calls the introspected method. With no callback inside a running
    asyncio loop, returns a Future completed by obj.<name>_finish() (or
    obj.<finish_name>_finish())."""
    if callback is not None:
        return begin(cancellable, callback, *user_data)
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return begin(cancellable, None)
    if not _drives_glib(loop):
        raise RuntimeError(
            f'AnySocket.{type(obj).__name__}.{name}_async: awaiting needs an asyncio loop '
            'that runs the GLib main context (python3-gbulb: call gbulb.install() before '
            f'asyncio.run()); {type(loop).__name__} does not, so the result would never '
            'arrive. Pass a callback instead, or use gbulb.')

    future = loop.create_future()
    if cancellable is None:
        cancellable = Gio.Cancellable()
    future.add_done_callback(lambda f: f.cancelled() and cancellable.cancel())
    finish = getattr(obj, (finish_name or name) + '_finish')

    def ready(source, result, *unused):
        if future.done():      # cancelled: the GError is nobody's
            return
        try:
            future.set_result(finish(result))
        except GLib.Error as error:
            future.set_exception(error)

    begin(cancellable, ready)
    return future


class Socket(AnySocket.Socket):

    def listen_async(self, uri, cancellable=None, callback=None, *user_data):
        return _start(self, 'listen',
                      lambda c, cb, *ud: super(Socket, self).listen_async(uri, c, cb, *ud),
                      cancellable, callback, user_data)

    def connect_async(self, uri, cancellable=None, callback=None, *user_data):
        return _start(self, 'connect',
                      lambda c, cb, *ud: super(Socket, self).connect_async(uri, c, cb, *ud),
                      cancellable, callback, user_data)

    def connect_with_options_async(self, uri, options, cancellable=None, callback=None, *user_data):
        return _start(self, 'connect_with_options',
                      lambda c, cb, *ud: super(Socket, self).connect_with_options_async(uri, options,
                                                                                       c, cb, *ud),
                      cancellable, callback, user_data, finish_name='connect')

    def proxy_async(self, peer_id, through, cancellable=None, callback=None, *user_data):
        return _start(self, 'proxy',
                      lambda c, cb, *ud: super(Socket, self).proxy_async(peer_id, through, c, cb, *ud),
                      cancellable, callback, user_data)

    def broadcast(self, msg):
        super().broadcast(to_json_node(msg))

    def broadcast_request_async(self, msg, timeout_ms=0, cancellable=None, callback=None, *user_data):
        node = to_json_node(msg)
        return _start(self, 'broadcast_request',
                      lambda c, cb, *ud: super(Socket, self).broadcast_request_async(node, timeout_ms, c, cb, *ud),
                      cancellable, callback, user_data)

    def set_auth_data(self, auth_data):
        super().set_auth_data(None if auth_data is None else to_json_node(auth_data))


Socket = override(Socket)
__all__.append('Socket')


class Peer(AnySocket.Peer):

    def send(self, msg):
        return super().send(to_json_node(msg))

    def request_async(self, msg, timeout_ms=0, cancellable=None, callback=None, *user_data):
        node = to_json_node(msg)
        return _start(self, 'request',
                      lambda c, cb, *ud: super(Peer, self).request_async(node, timeout_ms, c, cb, *ud),
                      cancellable, callback, user_data)

    def send_bytes(self, data):
        # bytes, bytearray or GLib.Bytes
        return super().send_bytes(data if isinstance(data, GLib.Bytes) else GLib.Bytes.new(bytes(data)))

    def send_bytes_request_async(self, data, timeout_ms=0, cancellable=None, callback=None, *user_data):
        body = data if isinstance(data, GLib.Bytes) else GLib.Bytes.new(bytes(data))
        return _start(self, 'send_bytes_request',
                      lambda c, cb, *ud: super(Peer, self).send_bytes_request_async(body, timeout_ms, c, cb, *ud),
                      cancellable, callback, user_data)

    def get_synced_time_async(self, cancellable=None, callback=None, *user_data):
        return _start(self, 'get_synced_time',
                      lambda c, cb, *ud: super(Peer, self).get_synced_time_async(c, cb, *ud),
                      cancellable, callback, user_data)

    def get_synced_time_finish(self, result):
        # The C function returns TRUE with two out values, or throws.
        _ok, rtt, offset = super().get_synced_time_finish(result)
        return SyncedTime(rtt, offset)

    def invoke_async(self, call, timeout_ms=0, cancellable=None, callback=None, *user_data):
        return _start(self, 'invoke',
                      lambda c, cb, *ud: super(Peer, self).invoke_async(call, timeout_ms, c, cb, *ud),
                      cancellable, callback, user_data)

    def call_async(self, method, params=None, cancellable=None, callback=None, *user_data):
        array = _to_json_array(params)
        return _start(self, 'call',
                      lambda c, cb, *ud: super(Peer, self).call_async(method, array, c, cb, *ud),
                      cancellable, callback, user_data)

    def notify(self, method, params=None):
        return super().notify(method, _to_json_array(params))

    def call_finish(self, result):
        return from_json_node(super().call_finish(result))


Peer = override(Peer)
__all__.append('Peer')


class Mesh(AnySocket.Mesh):
    """Since 0.2: publish(), send(), send_async() and request_async() take Python values;
    request_finish() gives one back. Signal handlers still get Json.Node
    (AnySocket.from_json_node() converts), and a "request" handler returns
    a Json.Node (AnySocket.to_json_node())."""

    def publish(self, topic, msg):
        return super().publish(topic, to_json_node(msg))

    def send(self, node_id, msg):
        return super().send(node_id, to_json_node(msg))

    def request_async(self, node_id, msg, timeout_ms=0, cancellable=None, callback=None, *user_data):
        node = to_json_node(msg)
        return _start(self, 'request',
                      lambda c, cb, *ud: super(Mesh, self).request_async(node_id, node, timeout_ms,
                                                                         c, cb, *ud),
                      cancellable, callback, user_data)

    def request_finish(self, result):
        return from_json_node(super().request_finish(result))

    def send_async(self, node_id, msg, cancellable=None, callback=None, *user_data):
        node = to_json_node(msg)
        return _start(self, 'send',
                      lambda c, cb, *ud: super(Mesh, self).send_async(node_id, node, c, cb, *ud),
                      cancellable, callback, user_data)


Mesh = override(Mesh)
__all__.append('Mesh')


class Packet(AnySocket.Packet):

    @property
    def msg(self):
        """The message as a Python value (props.msg is the Json.Node)."""
        return from_json_node(self.get_msg())

    def reply(self, msg):
        return super().reply(to_json_node(msg))

    @property
    def data(self):
        """The body of a binary message as Python bytes, None for a JSON one."""
        body = self.get_bytes()
        return None if body is None else body.get_data()

    def reply_bytes(self, data):
        return super().reply_bytes(data if isinstance(data, GLib.Bytes) else GLib.Bytes.new(bytes(data)))


Packet = override(Packet)
__all__.append('Packet')


class RpcCall(AnySocket.RpcCall):

    @property
    def params(self):
        """The JSON parameters as a Python list (get_params() is the Json.Array)."""
        return from_json_node(Json.Node.alloc().init_array(self.get_params()))

    @property
    def result(self):
        """The JSON result as a Python value, once an invoke_async() is done."""
        return from_json_node(self.get_result())

    def add_param(self, param):
        super().add_param(to_json_node(param))

    def return_value(self, result):
        super().return_value(to_json_node(result))


RpcCall = override(RpcCall)
__all__.append('RpcCall')
