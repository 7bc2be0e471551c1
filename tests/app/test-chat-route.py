#!/usr/bin/python3
# test-chat-route.py: a chain of four, A <- B <- C <- D.
#
# The room floods across three hops both ways. Peers one hub away get a
# link through that hub (lag, E2E); a peer two hubs away is known but
# not linked (libanysocket proxies through one hub only), and a private
# message to it fails with a clear line instead of vanishing.
#
# SPDX-License-Identifier: MIT

from anychat_tmux import Failure, Instance, main


def test(tap, tmux):
    a = Instance(tmux, 'a', ['--nick', 'alice', '--listen', 'ws://127.0.0.1:0'])
    b = Instance(tmux, 'b', ['--nick', 'bob', '--listen', 'ws://127.0.0.1:0', a.listening_uri()])
    c = Instance(tmux, 'c', ['--nick', 'carol', '--listen', 'ws://127.0.0.1:0', b.listening_uri()])
    d = Instance(tmux, 'd', ['--nick', 'dora', '--no-listen', c.listening_uri()])
    for me in (a, b, c, d):
        me.wait_for(r'Peers \(3\)')
    tap.ok('each of the four knows the three others')

    a.type('from the head of the chain')
    d.wait_for(r'<alice> from the head of the chain')
    d.type('from the tail of the chain')
    a.wait_for(r'<dora> from the tail of the chain')
    tap.ok('room messages cross three hops both ways')

    d.wait_for(r'\? carol\s+[0-9a-f]{4}\s+\d+ms =$', what='carol direct')
    d.wait_for(r'\? bob\s+[0-9a-f]{4}\s+\d+ms >2$', what='bob, 2 hops, end-to-end lag')
    d.wait_for(r'\? alice\s+[0-9a-f]{4}\s+\d+ms >3$', what='alice, 3 hops, end-to-end lag')
    tap.ok('D: carol direct, bob and alice as mesh nodes with hops and end-to-end lag (E2E proven)')

    a.type('/whois dora')
    a.wait_for(r'route: mesh, 3 hops via bob')
    a.wait_for(r'E2E: native')
    a.type('/msg dora are you there')
    a.keys('M-2')
    a.wait_for(r'are you there \(delivered\)')
    d.keys('M-2')
    d.wait_for(r'<alice> are you there')
    d.keys('M-1')
    a.keys('M-1')
    tap.ok('A -> D (three hops): /whois says 3 hops via bob, /msg delivered end to end')

    d.keys('C-c')
    if d.exit_status() != 0:
        raise Failure(f'Ctrl+C: status {d.exit_status()}')
    if 'icanon' not in d.terminal_modes():
        raise Failure('Ctrl+C left the terminal raw')
    c.wait_for(r'dora left')
    a.keys('M-1')
    a.wait_for(r'dora left')
    tap.ok('Ctrl+C quits cleanly (status 0, terminal restored); the others see dora leave')

    # the reason of a /quit reaches past the direct peers (issue 16, bug 10)
    c.type('/quit gone fishing')
    b.wait_for(r'carol left \(gone fishing\)')
    a.wait_for(r'carol left \(gone fishing\)')
    tap.ok('/quit gone fishing: alice, two hops away, sees the reason too')


if __name__ == '__main__':
    main(test)
