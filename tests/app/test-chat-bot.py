#!/usr/bin/python3
# test-chat-bot.py: a JavaScript anysocket@0.4.29 bot joins anychat's room.
#
# The bot (js-chat-bot.js) knows only what the README documents. anychat
# must show it in the peer list (compat E2E badge, lag), show its room
# messages, reach it with room and private messages (receipt back), and
# notice when it leaves. Skipped (77) without node or the npm package.
#
# SPDX-License-Identifier: MIT

import json
import os
import re
import shutil
import subprocess
import time

from anychat_tmux import WAIT, Failure, Instance, Tap, main

HERE = os.path.dirname(os.path.abspath(__file__))
NODE_PATH = os.environ.get('NODE_PATH', os.path.join(HERE, '..', 'interop', 'node_modules'))


def bot_events(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def wait_bot(path, predicate, what):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        for event in bot_events(path):
            if predicate(event):
                return event
        time.sleep(0.1)
    raise Failure(f'bot: no {what}; events: {bot_events(path)}')


def test(tap, tmux):
    a = Instance(tmux, 'a', ['--nick', 'alice', '--listen', 'ws://127.0.0.1:0'])
    port = a.listening_uri().rsplit(':', 1)[1]
    out_path = os.path.join(tmux.tmp, 'bot.jsonl')
    with open(out_path, 'w') as out:
        bot = subprocess.Popen([shutil.which('node'), os.path.join(HERE, 'js-chat-bot.js'), port],
                               stdout=out, stderr=subprocess.STDOUT,
                               env=dict(os.environ, NODE_PATH=NODE_PATH))
    try:
        a.wait_for(r'<jsbot> hello from the JavaScript bot')
        tap.ok("the bot's room message appears in anychat")

        a.wait_for(r'Ignored a bad chat message from jsbot: bad or missing .mid.')
        a.wait_for(r'Ignored a bad chat message from jsbot: unknown chat message .dance.')
        tap.ok('garbled chat messages from the bot are ignored with a notice each')

        a.wait_for(r'<jsbot> escape\ufffd\[2J\ufffd\]0;owned\ufffd done')
        a.wait_for(r'<jsbot> hello from the JavaScript bot', what='the earlier line, not cleared')
        tap.ok('terminal escape sequences in a message are shown defused (U+FFFD), the screen is not cleared')

        a.wait_for(r'~ jsbot\s+[0-9a-f]{4}\s+\d+ms =', what='jsbot with compat badge and lag')
        tap.ok('the peer list shows the bot with the compat E2E badge (~) and a lag in ms')

        hello = wait_bot(out_path, lambda e: e['event'] == 'hello', 'hello from anychat')
        if hello['msg'].get('nick') != 'alice' or hello['msg'].get('v') != 1:
            raise Failure(f'unexpected hello: {hello}')
        tap.ok('anychat greets the bot with a hello (v 1, its nick)')

        a.type('ping bot')
        room = wait_bot(out_path, lambda e: e['event'] == 'room' and e['msg'].get('text') == 'ping bot',
                        'room message from anychat')
        for member in ('mid', 'from', 'nick', 'ts', 'ttl'):
            if member not in room['msg']:
                raise Failure(f'room message without {member}: {room}')
        a.wait_for(r'<jsbot> pong alice')
        tap.ok('a room message reaches the bot with mid/from/nick/ts/ttl; its answer comes back')

        a.type('/msg jsbot private hello bot')
        wait_bot(out_path, lambda e: e['event'] == 'private' and e['msg'].get('text') == 'private hello bot',
                 'private message')
        a.keys('Escape', '2')
        a.wait_for(r'private hello bot \(delivered\)')
        a.keys('Escape', '1')
        tap.ok('a private message reaches the bot through compat E2E and its receipt marks it delivered')

        # The bot is no mesh node (JavaScript 0.4.29 has no mesh): alice
        # relays for it, signed by alice, and bob shows whose link it is.
        b = Instance(tmux, 'b', ['--nick', 'bob', '--no-listen', a.listening_uri()])
        b.wait_for(r'alice\s+[0-9a-f]{4}\s+\S+\s+=', what='alice in the peer list')
        b.type('ping bot')
        wait_bot(out_path, lambda e: e['event'] == 'room' and e['msg'].get('nick') == 'bob',
                 "bob's room message, relayed by alice")
        b.wait_for(r'<jsbot \(via alice\)> pong bob')
        a.wait_for(r'<jsbot> pong bob')
        if re.search(r'^[^\n]*│. jsbot\s+[0-9a-f]{4}', b.screen(), re.M):
            raise Failure('bob lists jsbot, which is no mesh node:\n' + b.screen())
        tap.ok("another anychat hears the bot through the first, marked as relayed by it, and the bot hears it")
    finally:
        bot.terminate()
        bot.wait(timeout=10)
    a.wait_for(r'jsbot left')
    tap.ok('the anychat it was linked to notices the bot leaving')


if __name__ == '__main__':
    if shutil.which('node') is None or not os.path.isdir(os.path.join(NODE_PATH, 'anysocket')):
        Tap().skip_all('node or the npm package anysocket is missing (tests/interop/setup.sh)')
    main(test)
