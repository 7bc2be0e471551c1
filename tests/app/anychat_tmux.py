# anychat_tmux.py: drive anychat instances through real terminals (tmux)
#
# Each instance gets its own HOME and XDG directories in a temporary
# folder and runs in a tmux session of a private tmux server; the tests
# type with send-keys and read the screen with capture-pane. Every wait
# is bounded and fails with the screen it was looking at.
#
# SPDX-License-Identifier: MIT

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ANYCHAT = os.environ.get('ANYCHAT', 'anychat')
# for example "valgrind --log-file=/tmp/vg-%p.log": runs each instance under it
WRAPPER = os.environ.get('ANYCHAT_WRAPPER', '')
WAIT = float(os.environ.get('ANYCHAT_TEST_WAIT', '15'))


class Tap:
    """TAP output: one 'ok' or 'not ok' per check; stops at the first failure."""

    def __init__(self):
        self.n = 0

    def ok(self, description):
        self.n += 1
        print(f'ok {self.n} - {description}', flush=True)

    def skip_all(self, why):
        print(f'1..0 # SKIP {why}', flush=True)
        sys.exit(77)

    def done(self):
        print(f'1..{self.n}', flush=True)


class Failure(Exception):
    pass


class Tmux:
    def __init__(self):
        self.socket = f'anychat-test-{os.getpid()}'
        self.tmp = tempfile.mkdtemp(prefix='anychat-test-')

    def run(self, *args, check=True):
        return subprocess.run(['tmux', '-L', self.socket, '-f', '/dev/null', *args],
                              check=check, capture_output=True, text=True, timeout=10)

    def close(self):
        self.run('kill-server', check=False)
        shutil.rmtree(self.tmp, ignore_errors=True)


class Instance:
    """One anychat in its own terminal, with its own HOME."""

    def __init__(self, tmux, name, args, width=100, height=30, config=None, env=None, home=None,
                 keep_config=False):
        """@home: the name of an earlier instance whose HOME this one reuses (a restart);
        @keep_config: with @home, the settings file as that instance left it."""
        self.tmux = tmux
        self.name = name
        self.home = os.path.join(tmux.tmp, home or name)
        self.config_home = os.path.join(self.home, 'config')
        self.data_home = os.path.join(self.home, 'data')
        self.exit_file = os.path.join(self.home, f'exit-status-{name}')
        self.stty_file = os.path.join(self.home, f'stty-{name}')
        os.makedirs(self.config_home, exist_ok=True)
        os.makedirs(self.data_home, exist_ok=True)
        config_path = self.config_path = os.path.join(self.home, 'test.conf')
        if not (keep_config and os.path.exists(config_path)):
            with open(config_path, 'w') as f:
                # a fast heartbeat: the lag shows within a second
                f.write(config or '[anychat]\nheartbeat=500\n')
        variables = {
            'HOME': self.home, 'XDG_CONFIG_HOME': self.config_home,
            'XDG_DATA_HOME': self.data_home, 'LANG': 'C.UTF-8', 'LC_ALL': 'C.UTF-8',
            'TERM': 'tmux-256color', 'LANGUAGE': '',
        }
        variables.update(env or {})
        env_words = ' '.join(f"{k}='{v}'" for k, v in variables.items())
        quoted = ' '.join("'" + a.replace("'", "'\\''") + "'" for a in args)
        command = (f"env {env_words} {WRAPPER} '{ANYCHAT}' --config '{config_path}' {quoted}; "
                   f"status=$?; stty -a > '{self.stty_file}'; echo $status > '{self.exit_file}'; "
                   f"echo 'anychat exited'; sleep 600")
        tmux.run('new-session', '-d', '-s', name, '-x', str(width), '-y', str(height), command)

    @property
    def target(self):
        return f'={self.name}:'

    def screen(self):
        """The screen once settled: ncurses sends a frame row by row, and a
        capture may fall between two rows; two equal captures in a row are
        a whole frame (tried a few times, then the last one is taken)."""
        screen = self.tmux.run('capture-pane', '-p', '-t', self.target).stdout
        for _ in range(10):
            time.sleep(0.02)
            again = self.tmux.run('capture-pane', '-p', '-t', self.target).stdout
            if again == screen:
                break
            screen = again
        return screen

    def wait_for(self, pattern, timeout=WAIT, what=None):
        """Waits until the screen matches @pattern (a regex); returns the match."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            match = re.search(pattern, screen, re.M)
            if match:
                return match
            if time.monotonic() > deadline:
                raise Failure(f'{self.name}: no {what or repr(pattern)} after {timeout} s; screen:\n{screen}')
            time.sleep(0.1)

    def screen_with_attributes(self):
        """The screen with its SGR escapes (colours, bold, reverse)."""
        self.screen()
        return self.tmux.run('capture-pane', '-p', '-e', '-t', self.target).stdout

    def record_output(self):
        """From now on, what anychat writes to its terminal goes to a file
        (bells, modes); returns a function that reads it."""
        path = os.path.join(self.home, f'output-{self.name}')
        open(path, 'wb').close()
        self.tmux.run('pipe-pane', '-t', self.target, '-o', f"cat >> '{path}'")

        def read():
            with open(path, 'rb') as f:
                return f.read()
        return read

    def wait_output(self, read, predicate, what, timeout=WAIT):
        """Waits until predicate(read()) holds (bounded)."""
        deadline = time.monotonic() + timeout
        while not predicate(read()):
            if time.monotonic() > deadline:
                raise Failure(f'{self.name}: no {what} after {timeout} s; screen:\n{self.screen()}')
            time.sleep(0.1)

    def wait_gone(self, pattern, timeout=WAIT):
        deadline = time.monotonic() + timeout
        while re.search(pattern, self.screen(), re.M):
            if time.monotonic() > deadline:
                raise Failure(f'{self.name}: {pattern!r} still there after {timeout} s:\n{self.screen()}')
            time.sleep(0.1)

    def type(self, text, enter=True):
        self.tmux.run('send-keys', '-t', self.target, '-l', text)
        if enter:
            self.tmux.run('send-keys', '-t', self.target, 'Enter')

    def keys(self, *keys):
        self.tmux.run('send-keys', '-t', self.target, *keys)

    def paste(self, text):
        """Pastes @text as a terminal does: bracketed, when anychat asked
        for it (tmux paste-buffer -p)."""
        self.tmux.run('set-buffer', '-b', 'paste', text)
        self.tmux.run('paste-buffer', '-p', '-d', '-b', 'paste', '-t', self.target)

    def listening_uri(self):
        return self.wait_for(r'listening (ws://127\.0\.0\.1:\d+)', what='listening address').group(1)

    def exit_status(self, timeout=WAIT):
        deadline = time.monotonic() + timeout
        while not os.path.exists(self.exit_file) or os.path.getsize(self.exit_file) == 0:
            if time.monotonic() > deadline:
                raise Failure(f'{self.name}: still running after {timeout} s:\n{self.screen()}')
            time.sleep(0.1)
        with open(self.exit_file) as f:
            return int(f.read().strip())

    def terminal_modes(self):
        """The flags `stty -a` showed after anychat exited (call after exit_status())."""
        with open(self.stty_file) as f:
            return set(f.read().replace(';', ' ').split())

    def files_under(self, folder):
        """Every file's text below @folder of this instance's HOME."""
        texts = {}
        for root, _, files in os.walk(os.path.join(self.home, folder)):
            for name in files:
                path = os.path.join(root, name)
                with open(path, encoding='utf-8', errors='replace') as f:
                    texts[path] = f.read()
        return texts


class ScriptPeer:
    """A hostile or scripted peer: a Python program (@script, with argv
    @args and the path of its events file last) in its own process, fed
    one command a line on its stdin; it appends what it saw to the events
    file, one line each."""

    def __init__(self, script, args, home, name='mallory'):
        self.events_path = os.path.join(home, f'{name}-events')
        self.process = subprocess.Popen(['/usr/bin/python3', '-c', script, *args, self.events_path],
                                        stdin=subprocess.PIPE, text=True)

    def send(self, command):
        self.process.stdin.write(command + '\n')
        self.process.stdin.flush()

    def lines(self):
        if not os.path.exists(self.events_path):
            return []
        with open(self.events_path) as f:
            return [line for line in f if line.strip()]

    def close(self):
        self.process.kill()
        self.process.wait()


def free_port():
    """A loopback TCP port nobody listens on (for tests that restart a listener)."""
    import socket
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def main(test):
    """Runs @test (tap, tmux) and turns a Failure into 'not ok' + exit 1."""
    if shutil.which('tmux') is None:
        Tap().skip_all('tmux is not installed')
    tap = Tap()
    tmux = Tmux()
    try:
        test(tap, tmux)
        tap.done()
    except Failure as e:
        # the first line is the check; the screen dump below it is TAP
        # diagnostics, so that meson shows it instead of a parse error
        first, _, rest = str(e).partition('\n')
        print(f'not ok {tap.n + 1} - {first}', flush=True)
        for line in rest.splitlines():
            print(f'# {line}', flush=True)
        print(f'1..{tap.n + 1}', flush=True)
        sys.exit(1)
    finally:
        tmux.close()
