#!/usr/bin/python3
# test-chat-people.py: /me, mentions and the bell, /away, /search, date
# lines, /clear and /ignore (issue 16).
#
# Alice starts with a room log of earlier days: date lines between the
# days, and /search finds a line far up the scrollback and jumps to it.
# Bob and carol link to her (carol with bell=false). A line naming alice
# is highlighted, counted apart in her status bar and rings her bell (a
# private message too); carol's bell stays quiet. /away shows in the
# peer list and /whois; /ignore hides bob and lasts across a restart.
#
# SPDX-License-Identifier: MIT

import os
import re
import time

from anychat_tmux import Failure, Instance, main


def colour_at(row, text):
    """The foreground colour (SGR number, 39 default) and boldness in
    force where @text starts in a row of capture-pane -e."""
    fg, bold = 39, False
    for match in re.finditer(r'\x1b\[([0-9;]*)m', row[:row.index(text)]):
        codes = [int(c) if c else 0 for c in match.group(1).split(';')]
        for code in codes:
            if code == 0:
                fg, bold = 39, False
            elif code == 1:
                bold = True
            elif 30 <= code <= 39 or 90 <= code <= 97:
                fg = code
    return fg, bold


def seed_log(tmux, name):
    logs = os.path.join(tmux.tmp, name, 'data', 'anychat', 'logs')
    os.makedirs(logs)
    with open(os.path.join(logs, 'room.log'), 'w') as f:
        f.write('2026-01-01T10:00:00.000Z\tmsg\tbob\tthe needle in the haystack\n')
        for i in range(40):
            f.write(f'2026-01-02T10:00:{i:02d}.000Z\tmsg\tbob\thay {i}\n')
        for i in range(10):
            f.write(f'2026-01-03T10:00:{i:02d}.000Z\tmsg\tbob\tstraw {i}\n')


def test(tap, tmux):
    seed_log(tmux, 'a')
    a = Instance(tmux, 'a', ['--nick', 'alice', '--listen', 'ws://127.0.0.1:0'])
    uri = a.listening_uri()
    today = time.strftime('%A %-d %B %Y')
    a.wait_for(r'hay 39\s+│\n\s+─── Saturday 3 January 2026 ───\s+│\n.*straw 0', what='the date line of 3 January')
    a.wait_for(rf'─── {today} ───', what="today's date line")
    if 'needle' in a.screen():
        raise Failure('the needle is on screen before any search:\n' + a.screen())
    tap.ok('date lines between the days of the scrollback, and before today')

    a.type('/search NEEDLE')
    a.wait_for(r'<bob> the needle in the haystack', what='the line found, scrolled to')
    a.wait_for(r'─── Thursday 1 January 2026 ───')
    a.wait_for(r'-- more --')
    a.wait_for(r'Found “NEEDLE”')
    a.type('/search')
    a.wait_for(r'No more “NEEDLE” in this window')
    a.wait_gone(r'-- more --')
    tap.ok('/search jumps the scrollback to the line found; again: no more, back at the bottom')

    b = Instance(tmux, 'b', ['--nick', 'bob', '--no-listen', uri])
    c = Instance(tmux, 'c', ['--nick', 'carol', '--no-listen', uri],
                 config='[anychat]\nheartbeat=500\nbell=false\n')
    a.wait_for(r'Peers \(2\)')
    # on the mesh a node is counted once its route is known and named
    # when its hello comes: /msg carol needs the name
    b.wait_for(r'carol joined')
    c.wait_for(r'bob joined')
    a_out = a.record_output()
    c_out = c.record_output()

    b.type('/me waves at everyone')
    a.wait_for(r'\d\d:\d\d \* bob waves at everyone')
    b.wait_for(r'\d\d:\d\d \* bob waves at everyone')
    tap.ok('/me: "* bob waves" on both sides')

    a.type('/join #elsewhere')
    a.wait_for(r'\*2:#elsewhere')
    b.type('nothing for anyone')
    a.wait_for(r' 1:room\(1\)')
    if b'\a' in a_out():
        raise Failure('a bell without a mention')
    b.type('hey Alice, the build is red')
    a.wait_for(r' 1:room\(2,@1\)', what='the mention counted apart')
    a.wait_output(a_out, lambda out: out.count(b'\a') == 1, 'bell for the mention')
    a.keys('M-1')
    a.wait_for(r'<bob> hey Alice, the build is red')
    row = [r for r in a.screen_with_attributes().splitlines() if 'the build is red' in r][0]
    plain = [r for r in a.screen_with_attributes().splitlines() if 'nothing for anyone' in r][0]
    if colour_at(row, 'hey Alice') != (33, True) or colour_at(plain, 'nothing for') != (39, False):
        raise Failure(f'the mention is not highlighted: {row!r} (a plain line: {plain!r})')
    tap.ok('a line naming alice: highlighted, @1 beside the unread count, one bell; a plain line: no bell')

    b.type('/msg alice psst')
    a.wait_for(r'bob\(1\)')
    a.wait_output(a_out, lambda out: out.count(b'\a') == 2, 'bell for the private message')
    b.type('/msg carol psst')
    b.type('carol: and in the room')
    c.wait_for(r'bob\(1\)')
    c.wait_for(r'<bob> carol: and in the room')
    # a bell is written right after the frame that draws its line: once
    # a later line is drawn, any bell of those before is in the output
    b.type('a later line')
    c.wait_output(c_out, lambda out: b'a later line' in out, 'the frame of a later line')
    if b'\a' in c_out():
        raise Failure('bell=false, yet carol\'s terminal rang')
    tap.ok('a private message rings too; with bell=false in the settings file, no bell')

    a.type('/away lunch')
    a.wait_for(r'^ alice \(away\) \|', what='away in the status bar')
    b.wait_for(r'alice\s+[0-9a-f]{4}\s+\d+ms =z$', what='z in the peer list')
    b.type('/whois alice')
    b.wait_for(r'away: lunch')
    b.type('/msg alice are you there')
    b.wait_for(r'alice is away: lunch')
    a.type('/back')
    b.wait_for(r'alice\s+[0-9a-f]{4}\s+\d+ms =$', what='no z any more')
    tap.ok('/away lunch: z in peer lists, /whois and a /msg say so; /back clears it')

    a.type('/clear')
    a.wait_gone(r'build is red')
    tap.ok('/clear empties the window')

    a.type('/ignore bob')
    a.wait_for(r'Ignoring bob: their room and private messages are hidden')
    b.type('you cannot see this')
    b.type('/msg alice nor this')
    c.wait_for(r'<bob> you cannot see this')
    c.type('carol after bob')
    a.wait_for(r'<carol> carol after bob')
    b.keys('M-2')
    b.wait_for(r'nor this \(delivered\)', what='a receipt all the same')
    if 'see this' in a.screen() or 'bob(3)' in a.screen():   # psst, are you there: 2
        raise Failure('an ignored peer shows:\n' + a.screen())
    a.type('/quit')
    a.exit_status()
    a2 = Instance(tmux, 'a2', ['--nick', 'alice', '--listen', uri], home='a', keep_config=True)
    a2.type('/ignore')
    a2.wait_for(r'ignored: bob')
    a2.type('/unignore bob')
    a2.wait_for(r'bob is no longer ignored')
    tap.ok('/ignore bob hides his room and private lines (he still gets receipts), and lasts across a restart')


if __name__ == '__main__':
    main(test)
