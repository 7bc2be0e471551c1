#!/usr/bin/python3
# test-chat-pybot.py: the Python example bot (libanysocket/examples/
# anychat-bot.py, PyGObject) joins anychat's room.
#
# The bot is written from the README's protocol table alone; anychat must
# show it linked with native E2E, show what it says, reach it with room and
# private messages (the receipt marks them delivered) and notice it leave.
# Skipped (77) without the typelib (GI_TYPELIB_PATH from meson).
#
# SPDX-License-Identifier: MIT

import os
import subprocess
import time

from anychat_tmux import WAIT, Failure, Instance, Tap, main

HERE = os.path.dirname(os.path.abspath(__file__))
BOT = os.path.join(HERE, '..', '..', 'libanysocket', 'examples', 'anychat-bot.py')


def wait_line(path, line, what):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        with open(path) as f:
            if line in f.read().splitlines():
                return
        time.sleep(0.1)
    with open(path) as f:
        raise Failure(f'bot: no {what}; it printed: {f.read()!r}')


def test(tap, tmux):
    a = Instance(tmux, 'a', ['--nick', 'alice', '--listen', 'ws://127.0.0.1:0'])
    out_path = os.path.join(tmux.tmp, 'pybot.out')
    with open(out_path, 'w') as out:
        bot = subprocess.Popen(['/usr/bin/python3', BOT, a.listening_uri(), '--nick', 'pybot',
                                '--say', 'hello from Python é 漢字 😀', '--echo'],
                               stdout=out, stderr=subprocess.STDOUT)
    try:
        a.wait_for(r'<pybot> hello from Python é 漢字 😀')
        tap.ok("the Python bot's room message appears in anychat, UTF-8 intact")

        a.wait_for(r'\? pybot\s+[0-9a-f]{4}\s+\d+ms =', what='pybot with native E2E badge and lag')
        tap.ok('the peer list shows the bot linked directly, native E2E (?) and a lag in ms')

        a.type('ping pybot')
        wait_line(out_path, 'room alice: ping pybot', 'room message from anychat')
        a.wait_for(r'<pybot> echo: ping pybot')
        tap.ok('a room message reaches the bot, and its answer comes back to the room')

        a.type('/msg pybot just for you')
        wait_line(out_path, 'private alice: just for you', 'private message')
        a.keys('Escape', '2')
        a.wait_for(r'just for you \(delivered\)')
        a.keys('Escape', '1')
        tap.ok('a private message reaches the bot, and its receipt marks it delivered')

        # a named room (issue 16): the bot answers in it, with its "room"
        a.type('/join #dev')
        a.wait_for(r'\*3:#dev')
        a.type('ping dev')
        wait_line(out_path, 'room alice: ping dev', 'room message of #dev')
        a.wait_for(r'<pybot> echo: ping dev')
        a.keys('Escape', '1')
        a.wait_for(r'^ \[1\] room')
        if 'echo: ping dev' in a.screen():
            raise Failure('the echo of #dev shows in the default room:\n' + a.screen())
        tap.ok('in #dev the bot echoes into #dev (its "room" member), not into the default room')
    finally:
        bot.terminate()
        bot.wait(timeout=10)
    if bot.returncode != 0:
        raise Failure(f'the bot exited with {bot.returncode}')
    a.wait_for(r'pybot left')
    tap.ok('the bot leaves cleanly (status 0) and anychat notices')

    hostile = subprocess.run(['/usr/bin/python3', '-c', HOSTILE_AUTH, a.listening_uri()],
                             capture_output=True, text=True, timeout=WAIT * 2)
    if 'connected' not in hostile.stdout:
        raise Failure(f'the hostile peer did not get in: {hostile.stdout!r} {hostile.stderr!r}')
    a.type('still here after a number for a nick')
    a.wait_for(r'»alice« still here after a number for a nick')
    tap.ok('a peer whose AUTH has a number for its nick is taken (it once crashed anychat)')


# An anychat-like AUTH whose "nick" is a number; json-glib's getter gives
# NULL for it.
HOSTILE_AUTH = '''
import sys
import gi
gi.require_version('AnySocket', '1')
gi.require_version('Json', '1.0')
from gi.repository import AnySocket, GLib, Json

sock = AnySocket.Socket.new()
sock.set_auth_data(Json.from_string('{"app":"anychat","uid":"' + 'e' * 32 + '","nick":5}'))
loop = GLib.MainLoop()

def done(s, res):
    try:
        s.connect_finish(res)
        print('connected', flush=True)
    except GLib.Error as e:
        print('failed:', e.message, flush=True)
    GLib.timeout_add(1000, loop.quit)

sock.connect_async(sys.argv[1], None, done)
GLib.timeout_add(10000, loop.quit)
loop.run()
'''


if __name__ == '__main__':
    if not os.environ.get('GI_TYPELIB_PATH'):
        Tap().skip_all('no typelib to run the Python bot with (introspection disabled)')
    main(test)
