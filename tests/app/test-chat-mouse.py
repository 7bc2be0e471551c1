#!/usr/bin/python3
# test-chat-mouse.py: the optional mouse (issue 16).
#
# Off by default: anychat does not take the terminal's mouse (text stays
# selectable). With mouse=true in the settings file, the wheel scrolls
# the window back and forth, and a click on a window's name in the
# status bar shows that window. The terminal's mouse reports are typed
# as an xterm sends them (ESC [ M, button, column, row).
#
# SPDX-License-Identifier: MIT

import os

from anychat_tmux import Failure, Instance, main

PRESS, RELEASE, WHEEL_UP, WHEEL_DOWN = 0, 3, 64, 65


def mouse(instance, button, x, y):
    """One mouse report at column @x, row @y (0-based)."""
    instance.type('\x1b[M' + chr(32 + button) + chr(33 + x) + chr(33 + y), enter=False)


def mouse_mode(instance):
    return instance.tmux.run('display-message', '-p', '-t', instance.target,
                             '#{mouse_standard_flag}#{mouse_button_flag}#{mouse_any_flag}').stdout.strip()


def test(tap, tmux):
    plain = Instance(tmux, 'plain', ['--nick', 'pat', '--listen', 'ws://127.0.0.1:0'])
    plain.listening_uri()
    if '1' in mouse_mode(plain):
        raise Failure(f'the mouse is taken by default: {mouse_mode(plain)}')
    tap.ok('by default anychat leaves the mouse to the terminal')

    logs = os.path.join(tmux.tmp, 'a', 'data', 'anychat', 'logs')
    os.makedirs(logs)
    with open(os.path.join(logs, 'room.log'), 'w') as f:
        for i in range(60):
            f.write(f'2026-01-02T10:00:{i:02d}.000Z\tmsg\tbob\tscroll line {i}\n')
    a = Instance(tmux, 'a', ['--nick', 'alice', '--listen', 'ws://127.0.0.1:0'],
                 config='[anychat]\nheartbeat=500\nmouse=true\n')
    a.listening_uri()
    if '1' not in mouse_mode(a):
        raise Failure(f'mouse=true, yet no mouse reports asked for: {mouse_mode(a)}')
    for _ in range(6):
        mouse(a, WHEEL_UP, 10, 10)
    a.wait_for(r'-- more --')
    a.wait_for(r'scroll line 30\b', what='the wheel scrolled back')
    for _ in range(8):
        mouse(a, WHEEL_DOWN, 10, 10)
    a.wait_gone(r'-- more --')
    tap.ok('mouse=true: the wheel scrolls back and forth')

    a.type('/join #dev')
    a.wait_for(r'\*2:#dev')
    rows = a.screen().splitlines()
    y = next(i for i, row in enumerate(rows) if ' 1:room' in row)
    x = rows[y].index(' 1:room') + 2
    mouse(a, PRESS, x, y)
    mouse(a, RELEASE, x, y)
    a.wait_for(r' \*1:room 2:#dev', what='the room shown after a click on its name')
    tap.ok('a click on a window name in the status bar shows that window')


if __name__ == '__main__':
    main(test)
