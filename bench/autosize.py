#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The reaction time of Vmem.Autosize, in a test bed made with --balloon
(vmem-bed run --balloon -- bench/autosize.py [ROUNDS]):

  from a 300 MiB load put on the guest (the command written to its load
  port) to the device's new requested size, which the policy asked for;
  against the statistics period as measured in the same run (the median
  time between the policy's first holds on the idle guest, one a sample).
  Target: at most 2 periods.

Each round loads the guest, waits until the policy brought it back into
its band, frees the load and waits again. One 'RESULT <json>' line (see
README.md); progress on stderr."""

import json
import os
import re
import socket
import statistics
import sys
import time

import gi

gi.require_version('Vmem', '1.0')
from gi.repository import GLib, Vmem  # noqa: E402

MiB = 1 << 20
LOAD_MIB = 300
BAND = (320 * MiB, 576 * MiB)


def log(text):
    print(f'autosize: {text}', file=sys.stderr, flush=True)


def run_until(condition, seconds, what):
    context = GLib.MainContext.default()
    deadline = time.monotonic() + seconds
    tick = GLib.timeout_add(20, lambda: GLib.SOURCE_CONTINUE)
    try:
        while not condition():
            if time.monotonic() > deadline:
                raise RuntimeError(f'{what}: not within {seconds} s')
            context.iteration(True)
    finally:
        GLib.source_remove(tick)


def loads_reported(serial_log):
    with open(serial_log, 'rb') as f:
        return re.findall(r'VMEM-LOAD (\d+)\r?\n', f.read().decode('utf-8', 'replace'))


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    uri, name = os.environ['VMEM_BED_URI'], os.environ['VMEM_BED_DOMAIN']
    serial_log = os.environ['VMEM_BED_SERIAL_LOG']
    port = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    port.connect(os.environ['VMEM_BED_LOAD_SOCKET'])

    connection = Vmem.Connection.new(uri)
    connection.open(None)
    domain = connection.lookup_domain(name)
    device = next(d for d in domain.get_memory_devices() if isinstance(d, Vmem.VirtioMem))
    policy = Vmem.Autosize.new(domain)
    policy.props.available_low, policy.props.available_high = BAND
    decisions = []
    policy.connect('decision', lambda p, action, d, a, b, reason:
                   decisions.append((time.monotonic(), action.value_nick, reason)))
    requested = []
    device.connect('notify::requested-size', lambda d, p: requested.append(time.monotonic()))
    policy.start()

    def in_band_after(t):
        resized = False
        for when, action, reason in decisions:
            if when < t:
                continue
            resized = resized or action in ('grow', 'shrink')
            if resized and action == 'hold' and 'inside the band' in reason:
                return True
        return False

    def send(command, answer):
        before = len(loads_reported(serial_log))
        sent = time.monotonic()
        port.sendall(f'{command}\n'.encode())
        run_until(lambda: loads_reported(serial_log)[before:] == [str(answer)], 60, command)
        return sent

    # The period as it is: the guest idle, the policy holds once a sample.
    run_until(lambda: sum(a == 'hold' for _, a, _ in decisions) >= 6, 30, 'six holds')
    holds = [when for when, action, _ in decisions if action == 'hold']
    period = statistics.median(b - a for a, b in zip(holds, holds[1:]))
    reactions = []
    for i in range(rounds):
        t0 = send(f'load {LOAD_MIB}', LOAD_MIB)
        seen = len([t for t in requested if t >= t0])
        run_until(lambda: any(t >= t0 for t in requested), 30, 'the new requested size')
        reactions.append(next(t for t in requested if t >= t0) - t0)
        run_until(lambda: in_band_after(t0), 60, 'back in the band')
        t1 = send('free', 0)
        run_until(lambda: in_band_after(t1), 60, 'back in the band after the load')
        log(f'round {i + 1}: requested changed {reactions[-1]:.2f} s after the load ({seen})')
    policy.stop()

    value = statistics.median(reactions)
    print('RESULT ' + json.dumps({
        'figure': 'autosize reaction p50', 'value': value, 'unit': 's', 'baseline': period,
        'ratio': value / period, 'target': 'ratio <= 2', 'met': value <= 2 * period,
        'detail': f'from a {LOAD_MIB} MiB load put on the bed\'s guest to the new requested size '
                  f'of its virtio-mem device, {rounds} rounds (max {max(reactions):.2f} s); '
                  f'baseline: the statistics period as measured, the median time between the '
                  f'policy\'s first six holds, one a sample, on the idle guest (set to '
                  f'{policy.props.period} s)'}),
          flush=True)
    device.set_requested_size(128 * MiB, Vmem.AffectFlags.LIVE, None)
    run_until(lambda: device.props.current_size == 128 * MiB, 60, 'the device back at 128 MiB')
    connection.close()


if __name__ == '__main__':
    main()
