#!/usr/bin/python3
# test-chat-cli.py: anychat's command line, before any UI.
#
# Options as documented, and every start-up error (bad URI, bad option,
# missing config file, a given port in use) as ONE line on stderr with a
# non-zero status, never a crash; the default port 7420 in use makes
# anychat take the next free one and say so. The
# identity is created on first run even when listening then fails.
#
# SPDX-License-Identifier: MIT

import os
import socket
import stat
import subprocess
import tempfile

from anychat_tmux import ANYCHAT, Failure, Instance, main


def run(args, home, env=None):
    variables = dict(os.environ, HOME=home, XDG_CONFIG_HOME=os.path.join(home, 'config'),
                     XDG_DATA_HOME=os.path.join(home, 'data'), LANG='C.UTF-8', LC_ALL='C.UTF-8',
                     LANGUAGE='')
    variables.update(env or {})
    return subprocess.run([ANYCHAT, *args], capture_output=True, text=True, timeout=30,
                          stdin=subprocess.DEVNULL, env=variables)


def one_line_error(result, status, pattern):
    lines = result.stderr.splitlines()
    if result.returncode != status or len(lines) != 1 or pattern not in lines[0]:
        raise Failure(f'expected status {status} and one line with {pattern!r}, got '
                      f'{result.returncode}: {result.stderr!r}')


def hold_port(port):
    """Listens on 127.0.0.1:port (0: any free one) so that anychat finds it taken."""
    s = socket.socket()
    s.bind(('127.0.0.1', port))
    s.listen()
    return s


def test(tap, tmux):
    home = tempfile.mkdtemp(dir=tmux.tmp)

    result = run(['--version'], home)
    if result.returncode != 0 or not result.stdout.startswith('anychat '):
        raise Failure(f'--version: {result}')
    tap.ok('--version prints the version, status 0')

    result = run(['--help'], home)
    for option in ('--listen', '--connect', '--nick', '--config', '--no-listen', '--version', 'ws://HOST:PORT'):
        if option not in result.stdout:
            raise Failure(f'--help does not mention {option}:\n{result.stdout}')
    tap.ok('--help lists --listen, --connect, --nick, --config, --no-listen, --version')

    one_line_error(run(['--no-listen', 'http://example.org'], home), 2, 'Bad URI')
    one_line_error(run(['--listen', 'nonsense'], home), 2, 'Bad URI')
    one_line_error(run(['--connect', 'ws://'], home), 2, 'Bad URI')
    tap.ok('a bad URI (positional, --listen, --connect) is one line on stderr, status 2')

    one_line_error(run(['--frobnicate'], home), 2, 'frobnicate')
    one_line_error(run(['--config', os.path.join(home, 'missing.conf')], home), 2, 'missing.conf')
    one_line_error(run(['--nick', 'two words'], home), 2, 'Bad nick')
    tap.ok('an unknown option, a missing --config file, a bad nick: one line, status 2')

    held = hold_port(0)
    port = held.getsockname()[1]
    one_line_error(run(['--listen', f'ws://127.0.0.1:{port}'], home), 1, f'Cannot listen on ws://127.0.0.1:{port}')
    one_line_error(run(['--listen', f'ws://127.0.0.1:{port}'], home), 1, 'try --listen ws://0.0.0.0:0 for any free port')
    held.close()
    tap.ok('a port in use (given) is one line on stderr, status 1, suggesting --listen ws://0.0.0.0:0')

    try:
        default = hold_port(7420)
    except OSError:
        default = None
    if default is None:
        tap.ok('# SKIP port 7420 is busy on this machine: the default port cannot be checked')
    else:
        fresh = Instance(tmux, 'fresh', [])
        fresh.wait_for(r'Port 7420 is in use \(another anychat\?\): listening on port 74[23]\d instead')
        fresh.wait_for(r'listening ws://0\.0\.0\.0:74[23]\d')
        fresh.type('/quit')
        fresh.exit_status()
        default.close()
        tap.ok('with no arguments anychat listens on ws://0.0.0.0:7420; taken, it takes the next free port and says so')
        identity = os.path.join(fresh.config_home, 'anychat', 'identity')
        if not os.path.exists(identity) or stat.S_IMODE(os.stat(identity).st_mode) != 0o600:
            raise Failure('no identity (0600) after the first run')
        tap.ok('the first run created the identity, mode 0600')

    os.chmod(os.path.join(home, 'config', 'anychat', 'identity'), 0o644)
    one_line_error(run(['--no-listen'], home), 1, 'must be 0600')
    tap.ok('an identity others can read is refused with one line, status 1')


if __name__ == '__main__':
    main(test)
