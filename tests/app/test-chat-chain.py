#!/usr/bin/python3
# test-chat-chain.py: anychat on the library's mesh, a chain of four
# (issue 15).
#
# A - B - C - D, each connecting only to its neighbour: the room crosses
# both ways; /msg A -> D is delivered and readable only at D (nothing of
# it on the screens or in the files of B and C); a hostile peer linked
# to B speaking the old JSON as "alice", and a hostile mesh node signing
# its own publication as "alice", are not shown as alice; kill B: A and
# C-D drop each other within the bound; restart B: everything heals; a
# second "dora" is disambiguated and /msg dora asks which.
# The hostile peers are PyGObject programs: skipped (77) without the
# typelib (GI_TYPELIB_PATH from meson).
#
# SPDX-License-Identifier: MIT

import os
import subprocess
import time

from anychat_tmux import WAIT, Failure, Instance, Tap, free_port, main

# the route lifetime (3 announcement intervals of 1 s, app/mesh/chat-mesh-nodes.c)
# and a sync of the peer list (1 s), with room for a loaded machine
DROP_BOUND = 10


def no_trace(instance, secret):
    if secret in instance.screen():
        raise Failure(f'{instance.name} shows the private message:\n{instance.screen()}')
    for path, text in instance.files_under('.').items():
        if secret in text:
            raise Failure(f'{instance.name} keeps the private message in {path}')


def test(tap, tmux):
    b_port = free_port()
    b_uri = f'ws://127.0.0.1:{b_port}'
    a = Instance(tmux, 'a', ['--nick', 'alice', '--listen', 'ws://127.0.0.1:0'])
    b = Instance(tmux, 'b', ['--nick', 'bob', '--listen', b_uri, a.listening_uri()])
    c = Instance(tmux, 'c', ['--nick', 'carol', '--listen', 'ws://127.0.0.1:0', b_uri])
    d = Instance(tmux, 'd', ['--nick', 'dora', '--no-listen', c.listening_uri()])
    nicks = {a: 'alice', b: 'bob', c: 'carol', d: 'dora'}
    for me in (a, b, c, d):
        me.wait_for(r'Peers \(3\)', timeout=WAIT * 2)
        for other in nicks.values():
            if other != nicks[me]:
                me.wait_for(rf'-- {other} joined', what=f"{other}'s hello at {me.name}", timeout=WAIT * 2)
    a.wait_for(r'\? dora\s+[0-9a-f]{4}\s+\d+ms >3$', what='dora 3 hops away, E2E, with lag')
    d.wait_for(r'\? alice\s+[0-9a-f]{4}\s+\d+ms >3$', what='alice 3 hops away, E2E, with lag')
    tap.ok('every node lists the three others with hops, end-to-end lag and E2E state')

    a.type('head to tail')
    d.wait_for(r'<alice> head to tail')
    d.type('tail to head')
    a.wait_for(r'<dora> tail to head')
    tap.ok('the room crosses the chain both ways')

    secret = 'secret-' + os.urandom(6).hex()
    a.type(f'/msg dora {secret}')
    a.keys('M-2')
    a.wait_for(secret + r' \(delivered\)')
    a.keys('M-1')
    d.wait_for(r'2:alice\(1\)')
    d.keys('M-2')
    d.wait_for('<alice> ' + secret)
    d.keys('M-1')
    for relay in (b, c):
        no_trace(relay, secret)
    tap.ok('/msg A -> D (3 hops) is delivered and only D shows it; B and C have it on neither screen nor disk')

    # D verifies alice's node: a claim of her nick by another key is
    # then someone else
    d.type('/verify alice')
    d.wait_for(r'/verify alice yes')
    d.type('/verify alice yes')
    d.wait_for(r'✓ alice\s', what='alice verified at D')

    spoof_json(b_uri, a)
    d.wait_for(r'<alice \(via bob\)> spoof over json')
    for me in (b, c, d):
        if '<alice> spoof over json' in me.screen():
            raise Failure(f'{me.name} shows the spoof as alice:\n{me.screen()}')
    tap.ok('a peer speaking the old JSON as alice is shown as relayed by bob, never as alice')

    node = spoof_mesh_start(c.listening_uri())
    try:
        d.wait_for(r'<alice#[0-9a-f]{4}> spoof over the mesh', what='the mesh spoof, disambiguated')
        if '<alice> spoof over the mesh' in d.screen():
            raise Failure('D shows the mesh spoof as alice:\n' + d.screen())
        a.wait_for(r'<alice#[0-9a-f]{4}> spoof over the mesh', what="the spoof at alice's own screen")
    finally:
        node.terminate()
        node.wait(timeout=10)
    tap.ok("a mesh node signing its own words as alice is shown as alice#xxxx, not as (verified) alice")

    b.tmux.run('kill-session', '-t', b.target)
    started = time.monotonic()
    for me, gone in ((a, ('carol', 'dora')), (c, ('alice',)), (d, ('alice',))):
        for nick in gone:
            me.wait_for(rf'{nick} left', timeout=DROP_BOUND, what=f'{nick} dropped')
    a.wait_for(r'Peers \(0\)', timeout=DROP_BOUND)
    c.wait_for(r'Peers \(1\)', timeout=DROP_BOUND)
    d.wait_for(r'Peers \(1\)', timeout=DROP_BOUND)
    tap.ok(f'B killed: A drops C and D, C and D drop A, in {time.monotonic() - started:.1f} s '
           f'(bound {DROP_BOUND} s)')

    Instance(tmux, 'b2', ['--nick', 'bob', '--listen', b_uri, a.listening_uri()], home='b')
    for me in (a, c, d):
        me.wait_for(r'Peers \(3\)', timeout=WAIT * 2)
        # named in the list once its hello came again (until then, its node id)
        for other in nicks.values():
            if other != nicks[me]:
                me.wait_for(rf'│[?✓~!] {other}\s+[0-9a-f]{{4}}\s', what=f"{other}'s hello at {me.name} again",
                            timeout=WAIT * 2)
    a.type('after the heal')
    d.wait_for(r'<alice> after the heal')
    a.type(f'/msg dora healed')
    a.keys('M-2')
    a.wait_for(r'healed \(delivered\)')
    a.keys('M-1')
    tap.ok('B restarted: the chain heals, room and private messages cross it again')

    e = Instance(tmux, 'e', ['--nick', 'dora', '--no-listen', a.listening_uri()])
    a.wait_for(r'dora#[0-9a-f]{4}.*\n.*dora#[0-9a-f]{4}', what='two doras disambiguated')
    e.wait_for(r'dora#[0-9a-f]{4}', what='the other dora, at the second dora')
    a.type('/msg dora which one')
    a.wait_for(r'2 peers are called .dora.: say which \(dora#[0-9a-f]{4}, dora#[0-9a-f]{4}\)')
    label = [w for w in a.screen().split() if w.startswith('dora#')][0].rstrip(',)')
    a.type(f'/msg {label} this one')
    a.wait_for(rf'→ {label}: this one')
    a.type(f'/query {label}')
    a.wait_for(r'this one \(delivered\)')
    tap.ok(f'two nodes called dora are shown as dora#xxxx; /msg dora asks which, /msg {label} works')


def spoof_json(uri, alice):
    """A peer linked to B that speaks the old direct JSON, as alice."""
    script = '''
import json, secrets, sys, time
import gi
gi.require_version('AnySocket', '1')
gi.require_version('Json', '1.0')
from gi.repository import AnySocket, GLib, Json
sock = AnySocket.Socket.new()
loop = GLib.MainLoop()
def done(s, res):
    peer = s.connect_finish(res)
    msg = {'chat': 'room', 'mid': secrets.token_hex(16), 'from': sys.argv[2], 'nick': 'alice',
           'text': 'spoof over json', 'ts': int(time.time() * 1000), 'ttl': 8}
    peer.send(Json.from_string(json.dumps(msg)))
    GLib.timeout_add(1500, loop.quit)
sock.connect_async(sys.argv[1], None, done)
GLib.timeout_add(10000, loop.quit)
loop.run()
'''
    subprocess.run(['/usr/bin/python3', '-c', script, uri, '0' * 32], timeout=WAIT, check=True)


def spoof_mesh_start(uri):
    """A mesh node linked to C that publishes, signed by its own key, a
    room message saying it is alice (her nick, her id in "from")."""
    script = '''
import json, secrets, sys, time
import gi
gi.require_version('AnySocket', '1')
gi.require_version('Json', '1.0')
from gi.repository import AnySocket, GLib, Json
sock = AnySocket.Socket.new()
mesh = AnySocket.Mesh.new(sock)
loop = GLib.MainLoop()
def say():
    msg = {'chat': 'room', 'mid': secrets.token_hex(16), 'from': '0' * 32, 'nick': 'alice',
           'text': 'spoof over the mesh', 'ts': int(time.time() * 1000), 'ttl': 8}
    mesh.publish('anychat/room', Json.from_string(json.dumps(msg)))
    return False
def done(s, res):
    s.connect_finish(res)
    GLib.timeout_add(2500, say)
sock.connect_async(sys.argv[1], None, done)
GLib.timeout_add(30000, loop.quit)
loop.run()
'''
    return subprocess.Popen(['/usr/bin/python3', '-c', script, uri])


if __name__ == '__main__':
    if not os.environ.get('GI_TYPELIB_PATH'):
        Tap().skip_all('no typelib to run the hostile peers with (introspection disabled)')
    main(test)
