#!/usr/bin/python3
# bench-chat-figures.py: the anychat figures of README (issue 16); a
# measurement, not a test: it prints numbers and judges nothing.
#
#   tests/app/bench-chat-figures.py [BUILD_DIR] [--only transfer|peers|start]
#
# * transfer: alice /sends bob a 100 MiB file of random bytes over a
#   loopback link (native E2E); the time and rate both sides print, and
#   the peak RSS (VmHWM) of both processes, with their RSS before.
# * peers: 100 peers (one PyGObject process holding 100 AnySocket
#   links, each a hello and a nick) join alice's room and say 100 lines
#   each, paced under the per-author limit: 10,000 room lines, of which
#   the window keeps its 2,000 (app/chat-model.c); alice's RSS idle
#   alone, with the 100 peers, and after the 10,000 lines.
# * start: the time from launching anychat until the last line of a
#   100,000-line room log is on screen, against an empty log (the
#   screen is polled every 10 ms: figures are +- 10 ms).
#
# Runs the anychat of BUILD_DIR (default: build) in a private tmux
# server, with the library and typelib of that build.
#
# SPDX-License-Identifier: MIT

import argparse
import hashlib
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

parser = argparse.ArgumentParser()
parser.add_argument('build', nargs='?', default=os.path.join(HERE, '..', '..', 'build'))
parser.add_argument('--only', choices=['transfer', 'peers', 'start'])
parser.add_argument('--size-mib', type=int, default=100)
options = parser.parse_args()
BUILD = os.path.abspath(options.build)
os.environ['ANYCHAT'] = os.path.join(BUILD, 'app', 'anychat')
os.environ['GI_TYPELIB_PATH'] = os.path.join(BUILD, 'libanysocket')
os.environ['LD_LIBRARY_PATH'] = os.path.join(BUILD, 'libanysocket')
os.environ['ANYCHAT_LOCALEDIR'] = os.path.join(BUILD, 'po')

from anychat_tmux import Failure, Instance, Tmux  # noqa: E402

LONG = 600


def pid_of(tmux, instance):
    """anychat's pid: the child of its pane's shell."""
    shell = tmux.run('list-panes', '-t', instance.target, '-F', '#{pane_pid}').stdout.strip()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        children = subprocess.run(['pgrep', '-P', shell], capture_output=True, text=True).stdout.split()
        for pid in children:
            try:
                with open(f'/proc/{pid}/comm') as f:
                    if f.read().strip() == 'anychat':
                        return int(pid)
            except OSError:
                pass
        time.sleep(0.05)
    raise Failure(f'no anychat process under pane {shell}')


def memory(pid):
    """(VmRSS, VmHWM) in MiB."""
    values = {}
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            key, _, rest = line.partition(':')
            if key in ('VmRSS', 'VmHWM'):
                values[key] = int(rest.split()[0]) / 1024
    return values['VmRSS'], values['VmHWM']


def transfer(tmux):
    size = options.size_mib * 1024 * 1024
    a = Instance(tmux, 'a', ['--nick', 'alice', '--listen', 'ws://127.0.0.1:0'], width=220)
    uri = a.listening_uri()
    b = Instance(tmux, 'b', ['--nick', 'bob', '--no-listen', uri], width=220,
                 config='[anychat]\nheartbeat=500\ndownloads=~/incoming\n')
    a.wait_for(r'Link with bob: native E2E')
    b.wait_for(r'Link with alice: native E2E')
    a_pid, b_pid = pid_of(tmux, a), pid_of(tmux, b)
    before = memory(a_pid)[0], memory(b_pid)[0]

    source = os.path.join(tmux.tmp, 'a', 'big.bin')
    with open(source, 'wb') as f:
        for _ in range(size // (1024 * 1024)):
            f.write(os.urandom(1024 * 1024))
    a.type(f'/send bob {source}')
    b.wait_for(r'alice offers big\.bin', timeout=LONG)
    b.type('/accept')
    received = b.wait_for(r'saved as .*, SHA-256 verified \((\S+ \S+) in ([0-9.]+) s, ([0-9.]+ \S+/s)\)',
                          timeout=LONG, what='the verified line')
    sent = a.wait_for(r'big\.bin sent to bob, SHA-256 verified by them \(\S+ \S+ in ([0-9.]+) s, ([0-9.]+ \S+/s)\)',
                      timeout=LONG, what="the sender's verified line")
    with open(source, 'rb') as f:
        want = hashlib.sha256(f.read()).hexdigest()
    with open(os.path.join(tmux.tmp, 'b', 'incoming', 'big.bin'), 'rb') as f:
        if hashlib.sha256(f.read()).hexdigest() != want:
            raise Failure('the file received differs')
    a_mem, b_mem = memory(a_pid), memory(b_pid)
    print(f'transfer: {options.size_mib} MiB, native E2E, loopback: receiver {received.group(2)} s '
          f'({received.group(3)}), sender {sent.group(1)} s ({sent.group(2)})')
    print(f'transfer: RSS before {before[0]:.1f} / {before[1]:.1f} MiB (sender / receiver); '
          f'peak during {a_mem[1]:.1f} / {b_mem[1]:.1f} MiB')


# 100 AnySocket links in one process, each a hello and a nick, then
# LINES room lines each, paced under the per-author limit (5 a second).
PEERS = '''
import json, secrets, sys, time
import gi
gi.require_version('AnySocket', '1')
gi.require_version('Json', '1.0')
from gi.repository import AnySocket, GLib, Json

uri, count, lines = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
loop = GLib.MainLoop()
peers = []
sent = 0

def node(value):
    return Json.from_string(json.dumps(value))

def done(s, res, i):
    peer = s.connect_finish(res)
    peer.send(node({'chat': 'hello', 'v': 1, 'nick': f'peer{i:03d}', 'peers': []}))
    peers.append((s, peer, i))
    if len(peers) == count:
        print('linked', flush=True)

sockets = []
for i in range(count):
    s = AnySocket.Socket.new()
    sockets.append(s)
    s.connect_async(uri, None, done, i)

def say():
    global sent
    if sys.stdin.readline().strip() != 'go':
        return False
    def tick():
        global sent
        for s, peer, i in peers:
            peer.send(node({'chat': 'room', 'mid': secrets.token_hex(16), 'from': s.get_id(),
                            'nick': f'peer{i:03d}', 'text': f'line {sent} from peer{i:03d}',
                            'ts': int(time.time() * 1000), 'ttl': 8}))
        sent += 1
        if sent == lines:
            print('said', flush=True)
            return False
        return True
    GLib.timeout_add(250, tick)
    return False

GLib.io_add_watch(sys.stdin, GLib.IO_IN, lambda *a: say())
GLib.timeout_add_seconds(600, loop.quit)
loop.run()
'''


def peers(tmux):
    count, lines = 100, 100
    a = Instance(tmux, 'a', ['--nick', 'alice', '--listen', 'ws://127.0.0.1:0'])
    uri = a.listening_uri()
    a_pid = pid_of(tmux, a)
    time.sleep(2)
    alone = memory(a_pid)[0]
    crowd = subprocess.Popen(['/usr/bin/python3', '-c', PEERS, uri, str(count), str(lines)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        if crowd.stdout.readline().strip() != 'linked':
            raise Failure('the 100 peers did not link')
        a.wait_for(rf'Peers \({count}\)', timeout=LONG)
        time.sleep(3)
        linked = memory(a_pid)[0]
        started = time.monotonic()
        crowd.stdin.write('go\n')
        crowd.stdin.flush()
        if crowd.stdout.readline().strip() != 'said':
            raise Failure('the peers did not say their lines')
        log = os.path.join(tmux.tmp, 'a', 'data', 'anychat', 'logs', 'room.log')
        deadline = time.monotonic() + LONG
        while True:
            with open(log) as f:
                got = sum(1 for line in f if '\tline ' in line)
            if got >= count * lines or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        took = time.monotonic() - started
        time.sleep(2)
        rss, hwm = memory(a_pid)
        print(f'peers: RSS alone {alone:.1f} MiB; with {count} peers linked {linked:.1f} MiB; after '
              f'{got} room lines in {took:.0f} s {rss:.1f} MiB (peak {hwm:.1f} MiB)')
    finally:
        crowd.kill()
        crowd.wait()


def seed_log(tmux, name, lines):
    logs = os.path.join(tmux.tmp, name, 'data', 'anychat', 'logs')
    os.makedirs(logs)
    with open(os.path.join(logs, 'room.log'), 'w') as f:
        for i in range(lines):
            f.write(f'2026-11-26T10:{i // 6000 % 60:02d}:{i // 100 % 60:02d}.{i % 100:03d}Z\tmsg\tbob\t'
                    f'line {i} of the log, long enough to look like what people say\n')
    return lines - 1


def start_time(tmux, name, lines, repeat=5):
    times = []
    for r in range(repeat):
        home = f'{name}{r}'
        last = seed_log(tmux, home, lines) if lines else None
        pattern = rf'line {last} of the log' if lines else r'Welcome to anychat'
        started = time.monotonic()
        inst = Instance(tmux, home, ['--nick', 'alice', '--listen', 'ws://127.0.0.1:0'])
        deadline = started + 60
        while not re.search(pattern, tmux.run('capture-pane', '-p', '-t', inst.target).stdout):
            if time.monotonic() > deadline:
                raise Failure(f'{home}: no {pattern!r} after 60 s')
            time.sleep(0.01)
        times.append(time.monotonic() - started)
        inst.type('/quit')
        inst.exit_status()
    times.sort()
    return times[len(times) // 2]


def start(tmux):
    empty = start_time(tmux, 'empty', 0)
    full = start_time(tmux, 'full', 100000)
    print(f'start: to the first screen {empty * 1000:.0f} ms with no log, {full * 1000:.0f} ms with a '
          f'100,000-line room log (medians of 5)')


def main():
    for name, run in (('transfer', transfer), ('peers', peers), ('start', start)):
        if options.only not in (None, name):
            continue
        tmux = Tmux()
        try:
            run(tmux)
        finally:
            tmux.close()


if __name__ == '__main__':
    main()
