# tap.py: a minimal TAP producer over unittest, for the gi tests
#
# SPDX-License-Identifier: MIT

import sys
import traceback
import unittest


class TapResult(unittest.TestResult):

    def __init__(self, stream):
        super().__init__()
        self.stream = stream
        self.number = 0

    def _line(self, test, ok, extra=''):
        self.number += 1
        name = test.id().split('.', 1)[-1]
        self.stream.write('%s %d - %s%s\n' % ('ok' if ok else 'not ok', self.number, name, extra))
        self.stream.flush()

    def _diag(self, err):
        text = ''.join(traceback.format_exception(*err))
        for line in text.rstrip().splitlines():
            self.stream.write('# %s\n' % line)

    def addSuccess(self, test):
        super().addSuccess(test)
        self._line(test, True)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._line(test, False)
        self._diag(err)

    def addError(self, test, err):
        super().addError(test, err)
        self._line(test, False)
        self._diag(err)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._line(test, True, ' # SKIP %s' % reason)

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._line(test, False, ' # TODO expected failure')

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._line(test, True, ' # TODO unexpected success')


def main(module):
    """Runs the tests of @module (or those named on the command line) and
    prints TAP; returns the exit status."""
    loader = unittest.TestLoader()
    if len(sys.argv) > 1:
        suite = loader.loadTestsFromNames(sys.argv[1:], module)
    else:
        suite = loader.loadTestsFromModule(module)
    sys.stdout.write('TAP version 13\n1..%d\n' % suite.countTestCases())
    sys.stdout.flush()
    result = TapResult(sys.stdout)
    suite.run(result)
    return 0 if result.wasSuccessful() else 1

