#!/usr/bin/python3
# test-chat-files-hostile.py: a hostile file sender, with a healthy chat
# beside it (issue 16).
#
# mallory (PyGObject, the file messages of README) links to alice, an
# anychat whose downloads go to ~/incoming, and offers a "../../evil"
# that then sends a byte more than offered; a file that ends short; a
# chunk for an offer not accepted; 100 MiB of chunks for a transfer
# that never was; an accepted 1 MiB offer that goes on without end; and
# half a file before its link drops.
# Each is refused with a reason mallory receives, nothing is written
# outside ~/incoming nor left in it, and bob, an anychat linked to alice,
# chats with her both ways throughout.
# Skipped (77) without the typelib (GI_TYPELIB_PATH from meson).
#
# SPDX-License-Identifier: MIT

import json
import os
import time

from anychat_tmux import WAIT, Failure, Instance, ScriptPeer, Tap, main

SHA_OF_ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'


class Mallory(ScriptPeer):
    def __init__(self, uri, home):
        super().__init__(MALLORY, [uri], home)

    def events(self):
        return [json.loads(line) for line in self.lines()]

    def wait(self, predicate, what, timeout=WAIT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(predicate(e) for e in self.events()):
                return
            time.sleep(0.1)
        raise Failure(f'mallory: no {what}; events: {self.events()[-10:]}')

    def wait_cancel(self, transfer, reason):
        self.wait(lambda e: e.get('file') == 'cancel' and e.get('id') == transfer and e.get('reason') == reason,
                  f'cancel of {transfer} ({reason})')



def files_below(root):
    found = []
    for folder, _, names in os.walk(root):
        found += [os.path.join(folder, n) for n in names]
    return found


def chat_both_ways(alice, bob, tag):
    bob.type(f'bob {tag}')
    alice.wait_for(rf'<bob> bob {tag}')
    alice.type(f'alice {tag}')
    bob.wait_for(rf'<alice> alice {tag}')


def test(tap, tmux):
    alice = Instance(tmux, 'alice', ['--nick', 'alice', '--listen', 'ws://127.0.0.1:0'], width=200,
                     config='[anychat]\nheartbeat=500\ndownloads=~/incoming\n')
    uri = alice.listening_uri()
    bob = Instance(tmux, 'bob', ['--nick', 'bob', '--no-listen', uri], width=200)
    alice.wait_for(r'Link with bob: native E2E')
    mallory = Mallory(uri, tmux.tmp)
    try:
        run(tap, tmux, alice, bob, mallory)
    finally:
        mallory.close()


def run(tap, tmux, alice, bob, mallory):
    incoming = os.path.join(tmux.tmp, 'alice', 'incoming')
    mallory.wait(lambda e: e.get('event') == 'e2e', 'E2E link')
    alice.wait_for(r'Link with mallory: native E2E')

    mallory.send(f'offer x1 ../../evil 3 {SHA_OF_ABC}')
    alice.wait_for(r'mallory offers _\.\._evil: /accept 1')
    alice.type('/accept 1')
    mallory.wait(lambda e: e.get('file') == 'accept' and e.get('id') == 'x1', 'accept')
    mallory.send('chunk x1 0 abcd')
    mallory.wait_cancel('x1', 'more bytes than offered')
    alice.wait_for(r'failed: it sent more bytes than it offered \(the partial file is deleted\)')
    outside = [p for p in files_below(tmux.tmp) if os.path.basename(p).endswith('evil')]
    if outside or os.listdir(incoming):
        raise Failure(f'files left: {outside} {os.listdir(incoming)}')
    tap.ok('"../../evil" lands as _.._evil in ~/incoming; a byte past the offered size: refused, deleted')

    mallory.send(f'offer x2 short 10 {SHA_OF_ABC}')
    alice.wait_for(r'mallory offers short: /accept 2')
    alice.type('/accept 2')
    mallory.wait(lambda e: e.get('file') == 'accept' and e.get('id') == 'x2', 'accept')
    mallory.send('chunk x2 0 abc')
    mallory.send('end x2')
    mallory.wait_cancel('x2', 'fewer bytes than offered')
    alice.wait_for(r'it stopped after 3 B of the 10 B it offered')
    tap.ok('an end before the offered size: refused, deleted')

    mallory.send(f'offer x3 early 3 {SHA_OF_ABC}')
    alice.wait_for(r'mallory offers early: /accept 3')
    mallory.send('chunk x3 0 abc')
    mallory.wait_cancel('x3', 'data before the offer was accepted')
    alice.wait_for(r'it sent data before you accepted')
    alice.type('/accept 3')
    alice.wait_for(r'/accept: No transfer 3')
    tap.ok('a chunk for an offer not accepted: the offer is withdrawn with a reason')
    chat_both_ways(alice, bob, 'between the attacks')

    # 100 MiB for a transfer that never was, and a 1 MiB one that never ends
    mallory.send('flood ghost 400')
    bob.type('bob during the flood')
    alice.wait_for(r'<bob> bob during the flood')
    mallory.wait(lambda e: e.get('event') == 'flooded', 'end of its flood', timeout=WAIT * 8)
    mallory.wait_cancel('ghost', 'unknown transfer')
    mallory.send(f'offer x4 endless 1048576 {SHA_OF_ABC}')
    alice.wait_for(r'mallory offers endless: /accept 4')
    alice.type('/accept 4')
    mallory.wait(lambda e: e.get('file') == 'accept' and e.get('id') == 'x4', 'accept')
    mallory.send('flood x4 400')
    mallory.wait(lambda e: e.get('event') == 'flooded', 'end of its flood', timeout=WAIT * 8)
    mallory.wait_cancel('x4', 'SHA-256 mismatch')
    alice.wait_for(r'endless from mallory failed: its SHA-256 is not the one offered')
    if os.listdir(incoming):
        raise Failure(f'files left in ~/incoming: {os.listdir(incoming)}')
    tap.ok('chunks without end: cut at the offered size, nothing kept; a transfer that never was: refused')

    # half a file, then the link goes: the transfer ends, its file with it
    mallory.send(f'offer x5 half 1048576 {SHA_OF_ABC}')
    alice.wait_for(r'mallory offers half: /accept 5')
    alice.type('/accept 5')
    mallory.wait(lambda e: e.get('file') == 'accept' and e.get('id') == 'x5', 'accept')
    mallory.send('chunk x5 0 abc')
    mallory.wait(lambda e: e.get('file') == 'ack' and e.get('id') == 'x5', 'ack')
    if os.listdir(incoming) != ['half']:
        raise Failure(f'while it goes ~/incoming holds {os.listdir(incoming)}')
    mallory.send('bye')
    alice.wait_for(r'half from mallory failed: the link is gone \(the partial file is deleted\)')
    if os.listdir(incoming):
        raise Failure(f'files left in ~/incoming: {os.listdir(incoming)}')
    tap.ok('a link that drops mid-transfer ends it and deletes the partial file')

    chat_both_ways(alice, bob, 'after the attacks')
    tap.ok('bob and alice chat both ways beside the attacker')


# The file messages of README's chat protocol, written by hand; every
# file message received goes to the events file, one JSON object a line.
MALLORY = '''
import base64, json, os, sys
import gi
gi.require_version('AnySocket', '1')
gi.require_version('Json', '1.0')
from gi.repository import AnySocket, GLib, Json

uri, events = sys.argv[1], open(sys.argv[2], 'a')
sock = AnySocket.Socket.new()
loop = GLib.MainLoop()
link = None

def event(value):
    events.write(json.dumps(value) + '\\n')
    events.flush()

def node(value):
    return Json.from_string(json.dumps(value))

def on_message(s, packet):
    msg = json.loads(Json.to_string(packet.get_msg(), False))
    if isinstance(msg, dict) and 'file' in msg:
        event(msg)

def on_e2e(s, peer):
    event({'event': 'e2e'})

def flood(transfer, count, seq=[0]):
    zeros = base64.b64encode(bytes(256 * 1024)).decode()
    state = {'sent': 0}
    def step():
        for _ in range(8):
            link.send(node({'file': 'chunk', 'id': transfer, 'seq': state['sent'], 'data': zeros}))
            state['sent'] += 1
            if state['sent'] == count:
                event({'event': 'flooded'})
                return False
        return True
    GLib.timeout_add(5, step)

pending = ['']

def on_input(source, condition):
    data = os.read(0, 65536).decode()
    if not data:
        loop.quit()
        return False
    lines = (pending[0] + data).split('\\n')
    pending[0] = lines.pop()
    for line in lines:
        if line.split():
            on_command(line.split())
    return True

def on_command(words):
    op = words[0]
    if op == 'offer':
        link.send(node({'file': 'offer', 'id': words[1], 'name': words[2], 'size': int(words[3]),
                        'sha256': words[4]}))
    elif op == 'chunk':
        link.send(node({'file': 'chunk', 'id': words[1], 'seq': int(words[2]),
                        'data': base64.b64encode(words[3].encode()).decode()}))
    elif op == 'end':
        link.send(node({'file': 'end', 'id': words[1]}))
    elif op == 'flood':
        flood(words[1], int(words[2]))
    elif op == 'bye':
        link.close('bye')   # disconnect() is GObject's in Python

def done(s, res):
    global link
    link = s.connect_finish(res)
    link.send(node({'chat': 'hello', 'v': 1, 'nick': 'mallory', 'peers': []}))
    GLib.io_add_watch(0, GLib.IO_IN, on_input)

sock.set_auth_data(node({'app': 'anychat', 'uid': 'ma11' * 8, 'nick': 'mallory'}))
sock.connect('message', on_message)
sock.connect('e2e', on_e2e)
sock.connect_async(uri, None, done)
GLib.timeout_add_seconds(600, loop.quit)
loop.run()
'''


if __name__ == '__main__':
    if not os.environ.get('GI_TYPELIB_PATH'):
        Tap().skip_all('no typelib to run the hostile sender with (introspection disabled)')
    main(test)
