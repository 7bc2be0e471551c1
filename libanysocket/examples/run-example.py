#!/usr/bin/env python3
# run-example.py: one example server against one example client
#
# SPDX-License-Identifier: MIT
#
#   run-example.py [OPTIONS] BY SERVER_CMD... -- CLIENT_CMD...
#
# Starts SERVER_CMD ws://127.0.0.1:0, waits for its "listening on port N",
# runs CLIENT_CMD ws://127.0.0.1:N TEXT, and checks that every line
# "reply: <JSON>" the client printed is {"echo": {"text": TEXT}, "by": BY},
# that there was one, that the client exited 0, and that the server exits
# 0 on SIGTERM. Every step has a deadline. Exit status: 0 pass, 1 fail,
# 77 skip (for meson's exitcode protocol).
#
# OPTIONS
#   --replies=N          the client must print exactly N replies (default 1)
#   --expect-line=LINE   the client must also print LINE
#   --needs=PATH         skip unless PATH exists (may repeat; an empty
#                        PATH, a program meson did not find, skips too)

import json
import os
import re
import selectors
import signal
import subprocess
import sys
import time

SERVER_START_S = 15
CLIENT_RUN_S = 20
SERVER_STOP_S = 10
SKIP = 77

# Unique per run, with text outside ASCII to see that it survives
# command lines, JSON on both sides and the wire.
TEXT = f'h\u00e9llo \u2713 {os.getpid()}'


def fail(why):
    print(f'FAIL: {why}')
    sys.exit(1)


def parse_args(argv):
    opts = {'replies': 1, 'expect': [], 'needs': []}
    while argv and argv[0].startswith('--'):
        name, _, value = argv.pop(0)[2:].partition('=')
        if name == 'replies':
            opts['replies'] = int(value)
        elif name == 'expect-line':
            opts['expect'].append(value)
        elif name == 'needs':
            opts['needs'].append(value)
        else:
            fail(f'unknown option --{name}')
    if '--' not in argv or len(argv) < 4:
        fail('usage: run-example.py [OPTIONS] BY SERVER_CMD... -- CLIENT_CMD...')
    sep = argv.index('--')
    return opts, argv[0], argv[1:sep], argv[sep + 1:]


def wait_for_port(server):
    """The port from the server's first lines, within SERVER_START_S."""
    sel = selectors.DefaultSelector()
    sel.register(server.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + SERVER_START_S
    seen = []
    while time.monotonic() < deadline:
        if not sel.select(timeout=deadline - time.monotonic()):
            break
        line = server.stdout.readline()
        if line == '':
            fail(f'the server exited ({server.wait()}) before listening; it said {seen}')
        seen.append(line.rstrip('\n'))
        m = re.fullmatch(r'listening on port (\d+)', seen[-1])
        if m:
            return int(m.group(1))
    fail(f'no "listening on port N" within {SERVER_START_S} s; the server said {seen}')


def stop(server):
    """SIGTERM, then the exit status within SERVER_STOP_S (None: killed)."""
    if server.poll() is not None:
        return server.returncode
    server.send_signal(signal.SIGTERM)
    try:
        return server.wait(timeout=SERVER_STOP_S)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
        return None


def main():
    opts, by, server_cmd, client_cmd = parse_args(sys.argv[1:])
    for path in opts['needs']:
        if path == '' or not os.path.exists(path):
            print(f'SKIP: {path or "a program"} is missing')
            return SKIP

    expected = {'echo': {'text': TEXT}, 'by': by}
    server = subprocess.Popen(server_cmd + ['ws://127.0.0.1:0'], stdout=subprocess.PIPE,
                              text=True, encoding='utf-8')
    try:
        port = wait_for_port(server)
        print(f'server {server_cmd[-1]} listening on port {port}')
        try:
            client = subprocess.run(client_cmd + [f'ws://127.0.0.1:{port}', TEXT],
                                    capture_output=True, text=True, encoding='utf-8',
                                    timeout=CLIENT_RUN_S)
        except subprocess.TimeoutExpired:
            fail(f'the client ran for more than {CLIENT_RUN_S} s')
        print(f'client {client_cmd[-1]} said:\n{client.stdout}{client.stderr}', end='')
        if client.returncode != 0:
            fail(f'the client exited with {client.returncode}')

        lines = client.stdout.splitlines()
        replies = [json.loads(l[len('reply: '):]) for l in lines if l.startswith('reply: ')]
        if len(replies) != opts['replies']:
            fail(f'{len(replies)} replies printed, expected {opts["replies"]}')
        for reply in replies:
            if reply != expected:
                fail(f'reply {reply}, expected {expected}')
        for line in opts['expect']:
            if line not in lines:
                fail(f'the client did not print {line!r}')
    finally:
        status = stop(server)
    if status != 0:
        fail(f'the server did not exit 0 on SIGTERM ({status})')
    print(f'PASS: {len(replies)} echoed replies from the {by} server')
    return 0


if __name__ == '__main__':
    sys.exit(main())
