#!/usr/bin/python3
# test-chat-rooms.py: named rooms (issue 16), a chain A - B - C.
#
# Alice and carol join #dev, bob, between them, does not: what carol
# says in #dev reaches alice through bob (the flood carries every room),
# and bob's screen never shows it. A window per room, its members in its
# title and peer list, a topic in its title (and a newcomer, dora, learns
# it from the hello of her neighbour), /rooms with members and topics,
# /part, the default room that cannot be parted, a peer that quits and
# so leaves #dev, and a restart that is in #dev again.
#
# SPDX-License-Identifier: MIT

from anychat_tmux import Failure, Instance, main


def test(tap, tmux):
    a = Instance(tmux, 'a', ['--nick', 'alice', '--listen', 'ws://127.0.0.1:0'])
    b = Instance(tmux, 'b', ['--nick', 'bob', '--listen', 'ws://127.0.0.1:0', a.listening_uri()])
    c = Instance(tmux, 'c', ['--nick', 'carol', '--no-listen', b.listening_uri()])
    for me in (a, b, c):
        me.wait_for(r'Peers \(2\)')

    a.type('/join #dev')
    a.wait_for(r'^ \[2\] #dev — 1 member', what='the #dev window, alice alone in it')
    a.wait_for(r'\*2:#dev')
    a.wait_for(r'^\[#dev\]', what='the input line names #dev')
    c.type('/join DEV')
    c.wait_for(r'^ \[2\] #dev — 2 members')
    a.wait_for(r'carol joined #dev')
    a.wait_for(r'^ \[2\] #dev — 2 members')
    a.wait_for(r'Peers \(1\)', what='only carol in the peer list of #dev')
    tap.ok('/join #dev: a window of its own; carol, two hops away, joins it too: 2 members')

    c.type('only for dev')
    a.wait_for(r'<carol> only for dev')
    a.type('also for dev')
    c.wait_for(r'<alice> also for dev')
    b.type('in the default room')
    a.wait_for(r'1:room\(1\)', what='an unread line in the default room')
    a.keys('M-1')
    a.wait_for(r'<bob> in the default room')
    if 'for dev' in a.screen():
        raise Failure('a #dev line in the default room:\n' + a.screen())
    if 'for dev' in b.screen():
        raise Failure('bob, not in #dev, shows its lines:\n' + b.screen())
    tap.ok('#dev lines cross bob (not in #dev) both ways and show only in #dev; the default room stays apart')

    c.type('/topic release on friday')
    c.wait_for(r'carol set the topic: release on friday')
    a.keys('M-2')
    a.wait_for(r'^ \[2\] #dev — 2 members — release on friday', what='the topic in the title')
    b.type('/rooms')
    b.wait_for(r'2 rooms in the mesh:')
    b.wait_for(r'room — 3 members')
    b.wait_for(r'#dev — 2 members — release on friday')
    tap.ok('/topic: shown in the title of #dev; /rooms lists the rooms, members and topics')

    d = Instance(tmux, 'd', ['--nick', 'dora', '--no-listen', b.listening_uri()])
    d.wait_for(r'Peers \(3\)')
    d.type('/join #dev')
    d.wait_for(r'Topic: release on friday \(set by carol\)', what='the topic from the hello')
    d.wait_for(r'^ \[2\] #dev — 3 members — release on friday')
    a.wait_for(r'dora joined #dev')
    tap.ok('a newcomer joining #dev learns its topic and members from her neighbour')

    a.keys('M-1')
    a.type('/part')
    a.wait_for(r'The default room cannot be parted')
    c.type('/part')
    c.wait_for(r'^ \[1\] room')
    a.keys('M-2')
    a.wait_for(r'carol left #dev')
    a.wait_for(r'^ \[2\] #dev — 2 members')
    tap.ok('/part leaves #dev (the others see it), the default room cannot be parted')

    d.type('/quit')
    d.exit_status()
    a.wait_for(r'dora left #dev', what='a peer that quits leaves its rooms')
    a.wait_for(r'^ \[2\] #dev — 1 member')
    tap.ok('dora quits: #dev says she left it, one member left')

    a.type('/quit')
    a.exit_status()
    a2 = Instance(tmux, 'a2', ['--nick', 'alice', '--listen', 'ws://127.0.0.1:0'], home='a', keep_config=True)
    a2.wait_for(r' 2:#dev', what='#dev again after a restart')
    a2.keys('M-2')
    a2.wait_for(r'»alice« also for dev', what="#dev's log reloaded")
    tap.ok('a restart is in #dev again, with its scrollback')


if __name__ == '__main__':
    main(test)
