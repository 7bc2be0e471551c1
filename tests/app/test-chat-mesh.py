#!/usr/bin/python3
# test-chat-mesh.py: three anychat in a chain, A <- B <- C, then a loop.
#
# A listens, B connects to A, C connects to B (each in its own tmux
# terminal and HOME). Checks what a user sees: room messages crossing the
# chain both ways, the peer lists (lag in ms, E2E badges), a private
# message from A to C through B (B never sees it, on screen or in its
# logs), /nick, /whois, /verify, completion, windows, scrollback, UTF-8
# editing, errors that leave the app running, a loop that shows each
# message once, resizes, and /quit restoring the terminal.
#
# SPDX-License-Identifier: MIT

import re
import sys

from anychat_tmux import Failure, Instance, main

# badge, nick, short id, lag: "? bob        1a2b     3ms ="
def peer_row(nick):
    return rf'[!~?✓] {re.escape(nick)}\s+[0-9a-f]{{4}}\s+\d+ms [=>]'


def count(screen, text):
    return screen.count(text)


def test(tap, tmux):
    a = Instance(tmux, 'a', ['--nick', 'alice', '--listen', 'ws://127.0.0.1:0'])
    a_uri = a.listening_uri()
    tap.ok(f'A listens on a free port and shows it in the status bar ({a_uri})')

    b = Instance(tmux, 'b', ['--nick', 'bob', '--listen', 'ws://127.0.0.1:0', a_uri])
    b_uri = b.listening_uri()
    c = Instance(tmux, 'c', ['--nick', 'carol', '--no-listen', '--connect', b_uri])
    c.wait_for(r'not listening', what='"not listening" in the status bar')
    tap.ok('B connects to A (positional URI), C to B (--connect, --no-listen)')

    for me, others in ((a, ('bob', 'carol')), (b, ('alice', 'carol')), (c, ('alice', 'bob'))):
        for nick in others:
            me.wait_for(peer_row(nick), what=f'peer row of {nick} with a lag in ms')
        me.wait_for(r'Peers \(2\)')
    tap.ok('every peer list shows the two others with an E2E badge and a numeric lag')

    a.wait_for(r'\? bob .*=$', what='bob direct, native unverified')
    a.wait_for(r'\? carol .*>2$', what='carol, a mesh node 2 hops away, native unverified')
    tap.ok('A sees bob linked directly and carol 2 hops away on the mesh, both native E2E (unverified)')

    a.type('hello from alice')
    c.wait_for(r'<alice> hello from alice')
    b.wait_for(r'<alice> hello from alice')
    a.wait_for(r'»alice« hello from alice')
    tap.ok('a room message from A reaches B and C (own message marked at A)')

    c.type('hi from carol')
    a.wait_for(r'<carol> hi from carol')
    b.wait_for(r'<carol> hi from carol')
    tap.ok('a room message from C reaches B and A')

    a.type('accents é, kanji 漢字, emoji 😀 end')
    c.wait_for(r'<alice> accents é, kanji 漢字, emoji 😀 end')
    tap.ok('UTF-8 text (é 漢字 😀) crosses the chain intact')

    # line editing: Home, Left, Ctrl+A/E/W/U/K on multi-byte text
    c.type('wörld', enter=False)
    c.keys('Home')
    c.type('hello ', enter=False)
    c.keys('End')
    c.type('!', enter=True)
    a.wait_for(r'<carol> hello wörld!')
    c.type('漢字', enter=False)
    c.keys('Left')
    c.type('X')
    a.wait_for(r'<carol> 漢X字')
    c.type('foo bar', enter=False)
    c.keys('C-w')
    c.type('baz')
    a.wait_for(r'<carol> foo baz')
    c.type('junk', enter=False)
    c.keys('C-u')
    c.type('clean 😀 line', enter=False)
    c.keys('C-a', 'Right', 'Right', 'Right', 'Right', 'Right', 'Right', 'C-k')
    c.keys('C-e')
    c.type(' kept')
    a.wait_for(r'<carol> clean  kept')
    tap.ok('line editing: Home/End, Left/Right over wide characters, Ctrl+A/E/W/U/K')

    c.keys('Up', 'Up')
    c.wait_for(r'^\[room\] foo baz', what='history entry in the input line')
    c.keys('Down', 'C-u')
    tap.ok('history: Up recalls earlier lines')

    a.type('/msg carol secret-for-carol-only')
    a.wait_for(r'→ carol: secret-for-carol-only', what='the echo where /msg was typed')
    c.wait_for(r'2:alice\(1\)', what='unread private window in the status bar')
    c.keys('M-2')
    c.wait_for(r'<alice> secret-for-carol-only')
    c.wait_for(r'\[2\] alice — lag \d+ ms — native E2E', what='private window title with lag and E2E')
    a.keys('Escape', '2')
    a.wait_for(r'secret-for-carol-only \(delivered\)', what='delivery receipt at A')
    a.keys('Escape', '1')
    tap.ok('a private message A -> C (echoed where typed) arrives in a window at C (title: lag, E2E), marked delivered at A')

    c.type('reply-to-alice')
    a.wait_for(r'2:carol\(1\)')
    c.wait_for(r'reply-to-alice \(delivered\)')
    tap.ok('C answers in the private window; A gets it (unread count) and C the receipt')

    if 'secret-for-carol-only' in b.screen() or 'reply-to-alice' in b.screen():
        raise Failure('B shows the private messages:\n' + b.screen())
    leaks = [p for p, t in b.files_under('.').items() if 'secret-for-carol-only' in t or 'reply-to-alice' in t]
    if leaks:
        raise Failure(f'B stored the private messages in {leaks}')
    logs = c.files_under('data/anychat/logs')
    if not any('secret-for-carol-only' in t for t in logs.values()):
        raise Failure(f'C did not log the private message: {list(logs)}')
    if not any('hello from alice' in t for t in b.files_under('data/anychat/logs').values()):
        raise Failure('B did not log the room')
    tap.ok("private messages are on neither B's screen nor B's files; C and B log their conversations")

    c.keys('C-p')
    c.wait_for(r'^ \[1\] room')
    c.keys('C-n')
    c.wait_for(r'^ \[2\] alice')
    c.type('/win 1')
    c.wait_for(r'^ \[1\] room')
    tap.ok('windows: Ctrl+P, Ctrl+N, /win N')

    b.type('/nick bobby')
    a.wait_for(r'bob is now known as bobby')
    c.wait_for(r'bob is now known as bobby')
    a.wait_for(peer_row('bobby'))
    b.wait_for(r'^ bobby \| listening')
    tap.ok('/nick: the new nick reaches A and C (room line, peer list) and B\'s status bar')

    a.type('/wh', enter=False)
    a.keys('Tab')
    a.type('car', enter=False)
    a.keys('Tab')
    a.wait_for(r'^\[room\] /whois carol$', what='completed /whois carol')
    a.keys('Enter')
    a.wait_for(r'carol: id [0-9a-f]{32}')
    b.type('ca', enter=False)
    b.keys('Tab')
    b.type('nick completed', enter=False)
    b.wait_for(r'^\[room\] carol: nick completed$', what='a nick completed at the start of a line')
    b.keys('Enter')
    c.wait_for(r'<bobby> carol: nick completed')
    a.wait_for(r'lag: \d+ ms')
    a.wait_for(r'E2E: native E2E, unverified')
    a.wait_for(r'fingerprint: (\d{5} ){5}\d{5}')
    a.wait_for(r'route: mesh, 2 hops via bobby')
    tap.ok('Tab completes commands, nicks after a command and at the start of a line; /whois shows id, lag, E2E, fingerprint, route')

    a.type('/verify bobby')
    a.wait_for(r'yours: +(\d{5} ){5}\d{5}')
    a.wait_for(r'bobby: (\d{5} ){5}\d{5}')
    a.wait_for(r'If they match, type /verify bobby yes')
    if '✓ bobby' in a.screen():
        raise Failure('/verify marked bobby verified before the user confirmed:\n' + a.screen())
    a.type('/verify bobby yes')
    a.wait_for(r'✓ bobby ', what='verified badge')
    known = a.files_under('config/anychat')
    if not any('verified=true' in t for p, t in known.items() if p.endswith('known-peers')):
        raise Failure('known-peers does not say verified: ' + repr(known))
    tap.ok('/verify shows both fingerprints and asks; /verify bobby yes makes the badge ✓ and known-peers remembers it')

    a.type('/frobnicate now')
    a.wait_for(r'Unknown command /frobnicate')
    a.type('/connect foo://nowhere')
    a.wait_for(r'Bad URI .foo://nowhere.')
    a.type('/msg')
    a.wait_for(r'Usage: /msg PEER TEXT')
    a.type('/connect ws://127.0.0.1:1')
    a.wait_for(r'Cannot connect to ws://127\.0\.0\.1:1: .*refused$')
    a.type('still alive after errors')
    c.wait_for(r'<alice> still alive after errors')
    tap.ok('unknown command, bad URI, missing argument, unreachable peer: an error line each, app keeps running')

    a.type('/help')
    a.wait_for(r'/quit \[REASON\]')
    a.keys('PPage')
    a.wait_for(r'-- more --')
    a.wait_for(r'mark the peer verified', what='the /verify entry, scrolled back')
    marker = [row for row in a.screen().splitlines() if '-- more --' in row][0]
    if marker.split('│')[0].replace('-- more --', '').strip():
        raise Failure('the -- more -- marker is drawn over text: ' + repr(marker))
    a.keys('NPage')
    a.wait_gone(r'-- more --')
    tap.ok('/help lists the commands; PgUp scrolls back, PgDn returns')

    # a loop A - B - C - A: each message still shows once
    c.type(f'/connect {a_uri}')
    c.wait_for(r'\? alice .*=$', what='alice linked directly to carol')
    b.type('loop test message')
    for me in (a, c):
        me.wait_for(r'<bobby> loop test message')
    c.type('loop from carol')
    a.wait_for(r'<carol> loop from carol')
    b.wait_for(r'<carol> loop from carol')
    for me in (a, b, c):
        screen = me.screen()
        for text in ('loop test message', 'loop from carol'):
            if count(screen, text) != 1:
                raise Failure(f'{me.name} shows {text!r} {count(screen, text)} times:\n{screen}')
    tap.ok('in a loop A-B-C-A each room message shows exactly once')

    c.type('/disconnect alice')
    c.wait_for(r'alice left \(disconnected by user\)')
    c.wait_for(r'\? alice .*>2( \d+)?$', what='alice 2 hops away again')
    a.wait_for(r'\? carol .*>2( \d+)?$', what='carol 2 hops away again')
    a.type('after the loop broke')
    c.wait_for(r'<alice> after the loop broke')
    tap.ok('/disconnect breaks the loop: both ends find each other again through the hub')

    a.type('/peers')
    a.wait_for(r'2 peers:')
    a.wait_for(r'✓ bobby [0-9a-f]{8} direct, native E2E, verified')
    a.wait_for(r'\? carol [0-9a-f]{8} mesh, 2 hops via bobby, native E2E,')
    a.type('/e2e bobby')
    a.wait_for(r'bobby: native E2E, verified')
    a.type('/help msg')
    a.wait_for(r'Usage: /msg PEER TEXT — send a private message')
    tap.ok('/peers lists routes and E2E, /e2e shows the mode, /help CMD explains one command')

    a.type('/query carol')
    a.wait_for(r'^ \[2\] carol — lag \d+ ms')
    long_text = 'paste-start ' + 'é漢😀x' * 150 + ' paste-end'
    a.type(long_text)
    c.wait_for(r'2:alice\(\d\)')
    c.type('/win 2')
    c.wait_for(r'paste-end')
    a.type('/close')
    a.wait_for(r'^ \[1\] room')
    # anychat writes a frame in many pieces (ncurses, about one write per
    # row), so the new title row can be on screen before the status bar
    # is: wait for the status bar's window list to be redrawn with the room
    # active before reading the screen
    a.wait_for(r'\| \*1:room *$', what='the status bar with the room window active')
    if re.search(r'\d:carol', a.screen()):
        raise Failure('the private window is still listed after /close:\n' + a.screen())
    c.type('/win 1')
    tap.ok('/query opens a private window, a long pasted line with wide characters arrives whole, /close closes it')

    a.type(f'/listen {b_uri}')
    a.wait_for(rf'Cannot listen on {re.escape(b_uri)}')
    tap.ok('/listen on a port in use: an error line')

    tmux.run('resize-window', '-t', a.target, '-x', '20', '-y', '3')   # too small: no crash
    a.wait_for(r'\A(.*\n){2}\[room\]', what='the input line on a 20x3 screen')
    tmux.run('resize-window', '-t', a.target, '-x', '80', '-y', '24')
    a.wait_for(r'\A.{0,80}\n(.*\n){21}.*alice \| listening', what='status bar on row 23 of 24')
    tmux.run('resize-window', '-t', a.target, '-x', '132', '-y', '40')
    a.wait_for(r'\A(.*\n){38} alice \| listening', what='status bar on row 39 of 40')
    a.type('after resize')
    b.wait_for(r'<alice> after resize')
    tap.ok('resize to 20x3, 80x24 then 132x40: the layout follows, the app keeps working')

    c.type('/quit see you')
    if c.exit_status() != 0:
        raise Failure('anychat exited with ' + str(c.exit_status()))
    screen = c.wait_for(r'anychat exited').string
    if 'Peers (' in screen or 'listening' in screen:
        raise Failure('the UI is still on the screen after /quit:\n' + screen)
    modes = c.terminal_modes()
    if not {'icanon', 'echo', 'icrnl', 'opost'} <= modes:
        raise Failure(f'terminal modes not restored: {sorted(modes)}')
    a.wait_for(r'carol left \(see you\)', what='the /quit reason two hops away')
    tap.ok('/quit: exit status 0, terminal restored (UI gone, stty: icanon echo icrnl opost), the others (two hops away too) see carol leave with her reason')

    for me in (a, b):
        me.type('/quit')
        if me.exit_status() != 0:
            raise Failure(f'{me.name} exited with {me.exit_status()}')
    tap.ok('A and B quit with status 0 too')


if __name__ == '__main__':
    main(test)
