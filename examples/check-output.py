#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run an example and check that it exits with the status expected (0
# unless --status says otherwise) and that its output contains each
# expected line (--expect for stdout, --expect-error for stderr), compared
# with runs of white space folded. Exits non-zero otherwise. An example
# that runs until interrupted gets SIGTERM once a line of its stderr
# contains the text of --terminate-on (its "ready" line).

import argparse
import signal
import subprocess
import sys

parser = argparse.ArgumentParser()
parser.add_argument('--status', type=int, default=0)
parser.add_argument('--expect', action='append', default=[])
parser.add_argument('--expect-error', action='append', default=[])
parser.add_argument('--terminate-on', metavar='TEXT')
parser.add_argument('command', nargs=argparse.REMAINDER)
args = parser.parse_args()
command = args.command[1:] if args.command[:1] == ['--'] else args.command


def run_until(command, text):
    """Runs @command and sends it SIGTERM once a line of its stderr has
    @text; its output is small enough not to fill the stdout pipe meanwhile."""
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as process:
        err, sent = '', False
        for line in process.stderr:
            err += line
            if text in line and not sent:
                process.send_signal(signal.SIGTERM)
                sent = True
        out = process.stdout.read()
        process.wait(timeout=60)
    result = subprocess.CompletedProcess(command, process.returncode, out, err)
    if not sent:
        sys.stdout.write(result.stdout)
        sys.stderr.write(result.stderr)
        sys.exit(f'{command[1]} ended without printing {text!r} on stderr')
    return result


if args.terminate_on is None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
else:
    result = run_until(command, args.terminate_on)
sys.stdout.write(result.stdout)
sys.stderr.write(result.stderr)
if result.returncode != args.status:
    sys.exit(f'{command[1]} exited with {result.returncode}, expected {args.status}')


def missing(expected, text):
    lines = [' '.join(line.split()) for line in text.splitlines()]
    return [e for e in expected if not any(e in line for line in lines)]


failures = missing(args.expect, result.stdout) + missing(args.expect_error, result.stderr)
for e in failures:
    print(f'missing from the output: {e!r}', file=sys.stderr)
sys.exit(1 if failures else 0)
