#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run an example and check that its output contains each expected line,
# compared with runs of white space folded. Exits non-zero otherwise.

import argparse
import subprocess
import sys

parser = argparse.ArgumentParser()
parser.add_argument('--expect', action='append', default=[])
parser.add_argument('command', nargs=argparse.REMAINDER)
args = parser.parse_args()
command = args.command[1:] if args.command[:1] == ['--'] else args.command

result = subprocess.run(command, capture_output=True, text=True, timeout=60)
sys.stdout.write(result.stdout)
sys.stderr.write(result.stderr)
if result.returncode != 0:
    sys.exit(f'{command[1]} exited with {result.returncode}')

lines = [' '.join(line.split()) for line in result.stdout.splitlines()]
missing = [e for e in args.expect if not any(e in line for line in lines)]
for e in missing:
    print(f'missing from the output: {e!r}', file=sys.stderr)
sys.exit(1 if missing else 0)
