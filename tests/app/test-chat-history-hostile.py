#!/usr/bin/python3
# test-chat-history-hostile.py: a neighbour that answers a newcomer's ask
# for history (issue 16) with altered and foreign messages.
#
# mallory (PyGObject, a mesh node) links to alice, an anychat, and keeps
# the signed bytes of two of her room messages and one of her #dev
# messages. carol, a new anychat, then links to mallory only and asks it
# for the room's history; mallory answers with one of alice's messages
# altered ("10 euros" made "99 euros"), her #dev message, and her other
# message as she signed it. carol shows the genuine one as history, under
# alice, and refuses the two others with a warning; alice's live words
# still reach carol through mallory afterwards.
# Skipped (77) without the typelib (GI_TYPELIB_PATH from meson).
#
# SPDX-License-Identifier: MIT

import os
import time

from anychat_tmux import WAIT, Failure, Instance, ScriptPeer, Tap, main

MALLORY = '''
import base64, json, sys
import gi
gi.require_version('AnySocket', '1')
gi.require_version('Json', '1.0')
from gi.repository import AnySocket, GLib, Json
alice_uri, events_path = sys.argv[1], sys.argv[2]
sock = AnySocket.Socket.new()
mesh = AnySocket.Mesh.new(sock)
mesh.props.announce_interval = 300
loop = GLib.MainLoop()
kept = {}
greeted = set()
def event(line):
    with open(events_path, 'a') as f:
        f.write(line + '\\n')
def on_message(m, topic, author, fp, msg):
    text = json.loads(Json.to_string(msg, False)).get('text', '')
    kept[text] = bytes(m.dup_message_signed().get_data())
    event('captured ' + text)
def to_node(value):
    return Json.from_string(json.dumps(value))
def b64(raw):
    return base64.b64encode(raw).decode()
def on_request(m, node, msg):
    ask = json.loads(Json.to_string(msg, False))
    if ask.get('chat') == 'hello':
        return to_node({'chat': 'hello', 'v': 1, 'nick': 'mallory', 'uid': m.get_node_id(),
                                       'peers': []})
    if ask.get('chat') == 'history':
        event('asked ' + json.dumps(ask))
        altered = kept['pay bob 10 euros'].replace(b'10 euros', b'99 euros')
        return to_node({'chat': 'history', 'signed': [
            b64(altered), b64(kept['dev words']), 'not base64 !', 42, b64(kept['genuine words'])]})
    return None
def greet():
    for node in m_nodes():
        if node.get_id() not in greeted:
            greeted.add(node.get_id())
            mesh.request_async(node.get_id(), to_node(
                {'chat': 'hello', 'v': 1, 'nick': 'mallory', 'uid': mesh.get_node_id(), 'peers': []}),
                5000, None, lambda m, res: None)
    return True
def m_nodes():
    return mesh.get_nodes()
def on_line(channel, condition):
    line = sys.stdin.readline().strip()
    if not line:
        loop.quit()
        return False
    sock.connect_async(line, None, lambda s, res: (s.connect_finish(res), event('linked ' + line)))
    return True
mesh.subscribe('anychat/room')
mesh.subscribe('anychat/room/#dev')
mesh.connect('message', on_message)
mesh.connect('request', on_request)
sock.connect_async(alice_uri, None, lambda s, res: (s.connect_finish(res), event('linked ' + alice_uri)))
GLib.io_add_watch(GLib.IOChannel.unix_new(0), GLib.PRIORITY_DEFAULT, GLib.IO_IN | GLib.IO_HUP, on_line)
GLib.timeout_add(500, greet)
GLib.timeout_add(120000, loop.quit)
loop.run()
'''


class Mallory(ScriptPeer):
    def __init__(self, uri, home):
        super().__init__(MALLORY, [uri], home)

    def wait_event(self, prefix, timeout=WAIT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines():
                if line.startswith(prefix):
                    return line
            time.sleep(0.1)
        raise Failure(f'mallory: no "{prefix}" within {timeout} s; events: {self.lines()[-10:]}')


def test(tap, tmux):
    a = Instance(tmux, 'a', ['--nick', 'alice', '--listen', 'ws://127.0.0.1:0'])
    mallory = Mallory(a.listening_uri(), tmux.tmp)
    try:
        mallory.wait_event('linked')
        a.wait_for(r'mallory joined', timeout=WAIT * 2)
        a.type('/join #dev')
        a.type('dev words')
        mallory.wait_event('captured dev words')
        a.keys('M-1')
        a.type('pay bob 10 euros')
        a.type('genuine words')
        mallory.wait_event('captured genuine words')
        mallory.wait_event('captured pay bob 10 euros')
        tap.ok("mallory, a mesh node linked to alice, has the signed bytes of three of her messages")

        c = Instance(tmux, 'c', ['--nick', 'carol', '--listen', 'ws://127.0.0.1:0'])
        mallory.send(c.listening_uri())
        mallory.wait_event('asked', timeout=WAIT * 2)
        c.wait_for(r'History from mallory \(each message signed by its author\):')
        c.wait_for(r'<alice> genuine words')
        c.wait_for(r'End of history')
        c.wait_for(r'4 messages of the history from mallory were refused')
        screen = c.screen()
        for word in ('euros', 'dev words'):
            if word in screen:
                raise Failure(f'carol shows a refused message ({word}):\n{screen}')
        tap.ok('an altered message, a message of another room and two that are not messages are refused; '
               'the genuine one shows under alice')

        a.type('live after history')
        c.wait_for(r'<alice> live after history')
        if c.screen().count('genuine words') != 1:
            raise Failure('the history shows twice:\n' + c.screen())
        tap.ok("alice's live words still reach carol through mallory")
    finally:
        mallory.close()


if __name__ == '__main__':
    if not os.environ.get('GI_TYPELIB_PATH'):
        Tap().skip_all('no typelib to run the hostile peer with (introspection disabled)')
    main(test)
